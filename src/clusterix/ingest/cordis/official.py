"""The official CORDIS project and organisation files (CSV or JSON) of FP7, Horizon 2020 and Horizon Europe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.ingest.cordis.columns import (
    FRAMEWORKS,
    ORGANISATION_COLUMNS,
    CordisTables,
    _countries,
    _dates,
    _external_ids,
    _free_text,
    _ids,
    _kinds,
    _money,
    _no_duplicates,
    _nothing,
    _object,
    _roles,
)
from clusterix.ingest.cordis.records import _Raw, _read_json_records, _read_records, _require

__all__ = ["OFFICIAL_ORGANISATION_COLUMNS", "OFFICIAL_PROJECT_COLUMNS", "read_cordis_csv", "read_cordis_json"]


_PROJECT_HEADER = (
    "id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;"
    "ecSignatureDate;frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;"
    "contentUpdateDate;rcn;grantDoi"
)

_ORGANISATION_HEADER = (
    "projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;"
    "postCode;city;country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;"
    "order;role;ecContribution;netEcContribution;totalCost;endOfParticipation;active"
)

#: The header of the official ``project.csv`` (FP7, H2020 and Horizon Europe releases since 2021).
OFFICIAL_PROJECT_COLUMNS = tuple(_PROJECT_HEADER.split(";"))

#: The header of the official ``organization.csv``: one row per (project, organisation).
OFFICIAL_ORGANISATION_COLUMNS = tuple(_ORGANISATION_HEADER.split(";"))
_PROJECT_REQUIRED = ("id", "acronym", "title", "startDate", "endDate", "totalCost", "ecMaxContribution")
_ORGANISATION_REQUIRED = ("projectID", "organisationID", "name", "activityType", "country", "role")

# Releases before 2021 named two columns differently; the old name is used only when the
# official one is absent.
_PROJECT_ALIASES = {"legalBasis": "programme"}
_ORGANISATION_ALIASES = {"organisationID": "id"}


def _framework_of(text: pd.Series) -> pd.Series:
    upper = text.str.strip().str.upper()
    found = pd.Series(np.nan, index=text.index, dtype="str")
    for framework in FRAMEWORKS:
        found = found.mask(found.isna() & upper.str.startswith(framework), framework)
    return found


def _projects(raw: _Raw, framework: str | None) -> pd.DataFrame:
    ids = _ids(raw, "id", "project id")
    _no_duplicates(raw, {"id": ids}, "A CORDIS project file lists each project once.")
    programmes = raw.codes("frameworkProgramme")
    parts = raw.codes("legalBasis")
    inferred = _framework_of(programmes).fillna(_framework_of(parts))
    named = "frameworkProgramme" if "frameworkProgramme" in raw.frame.columns else "legalBasis"
    if framework is not None:
        raw.fail(
            inferred.notna() & (inferred != framework),
            named,
            lambda v: f"the project belongs to {v}, not to framework={framework!r}",
            "Pass the framework the file belongs to, or framework=None to read it from the file.",
            values=programmes.fillna(parts),
        )
        inferred = pd.Series(framework, index=ids.index, dtype="str")
    raw.fail(
        inferred.isna(),
        named,
        lambda v: f"cannot tell the framework programme from {v}",
        f"Pass framework= (one of {', '.join(FRAMEWORKS)}).",
        values=programmes.fillna(parts),
    )
    return pd.DataFrame(
        {
            "id": _object(ids),
            "acronym": _object(_free_text(raw, "acronym")),
            "title": _object(_free_text(raw, "title")),
            "programme": _object(programmes.fillna(inferred)),
            "programme_part": _object(parts),
            "topic": _object(raw.codes("topics")),
            "start_date": _dates(raw, "startDate"),
            "end_date": _dates(raw, "endDate"),
            "total_cost": _money(raw, "totalCost"),
            "ec_contribution": _money(raw, "ecMaxContribution"),
            "framework": _object(inferred),
            "objective": _object(_free_text(raw, "objective")),
        }
    )


def _participants(raw: _Raw) -> tuple[pd.DataFrame, pd.DataFrame]:
    projects = _ids(raw, "projectID", "project id")
    organisations = _ids(raw, "organisationID", "organisation id (PIC)")
    _no_duplicates(
        raw,
        {"projectID": projects, "organisationID": organisations},
        "CORDIS lists each organisation once per project; remove the repeated row.",
    )
    codes, kinds = _kinds(raw, "activityType")
    roles = _roles(raw, "role")
    contribution = _money(raw, "ecContribution")
    for column in ("netEcContribution", "totalCost"):
        if column in raw.frame.columns:
            _money(raw, column)  # not in the tables, but a malformed or negative amount is an error
    rows = pd.DataFrame(
        {
            "id": organisations,
            "name": _free_text(raw, "name"),
            "kind": kinds,
            "activity_type": codes,
            "country": _countries(raw, "country"),
            "region": raw.codes("nutsCode"),
            "updated": raw.codes("contentUpdateDate").fillna(""),
            "vat": raw.codes("vatNumber"),
            "line": raw.lines,
        }
    )
    # One row per organisation: the most recently updated one, in order of first appearance.
    first = rows.groupby("id", sort=False)["line"].transform("min")
    latest = (
        rows.assign(first=first)
        .sort_values(["updated", "line"], ascending=[False, True], kind="stable")
        .drop_duplicates("id")
        .sort_values("first", kind="stable")
        .reset_index(drop=True)
    )
    table = pd.DataFrame(
        {
            "id": _object(latest["id"]),
            "name": _object(latest["name"]),
            "kind": _object(latest["kind"]),
            "activity_type": _object(latest["activity_type"]),
            "country": _object(latest["country"]),
            "region": _object(latest["region"]),
            "description": _nothing(len(latest)),
            "external_ids": _external_ids(latest["id"], latest["vat"]),
        }
    )
    participations = pd.DataFrame(
        {
            "project_id": _object(projects),
            "organisation_id": _object(organisations),
            "role": _object(roles),
            "ec_contribution": contribution,
            "line": raw.lines,
        }
    )
    return table, participations


def _empty_tables(projects: pd.DataFrame) -> CordisTables:
    organisations = pd.DataFrame({column: _nothing(0) for column in ORGANISATION_COLUMNS})
    participations = pd.DataFrame(
        {
            "project_id": _nothing(0),
            "organisation_id": _nothing(0),
            "role": _nothing(0),
            "ec_contribution": np.zeros(0),
            "line": np.zeros(0, dtype=np.int64),
        }
    )
    return CordisTables(organisations, projects, participations)


def _projects_named_in(raw: _Raw, participations: pd.DataFrame, framework: str | None) -> pd.DataFrame:
    """Projects known only from the organisation file: ids and acronyms."""
    named = pd.DataFrame(
        {"id": participations["project_id"], "acronym": _object(_free_text(raw, "projectAcronym"))}
    ).drop_duplicates("id")
    count = len(named)
    return pd.DataFrame(
        {
            "id": _object(named["id"]),
            "acronym": _object(named["acronym"]),
            "title": _nothing(count),
            "programme": _object([framework] * count),
            "programme_part": _nothing(count),
            "topic": _nothing(count),
            "start_date": pd.Series(pd.NaT, index=range(count), dtype="datetime64[us]"),
            "end_date": pd.Series(pd.NaT, index=range(count), dtype="datetime64[us]"),
            "total_cost": np.full(count, np.nan),
            "ec_contribution": np.full(count, np.nan),
            "framework": _object([framework] * count),
            "objective": _nothing(count),
        }
    )


def _assemble(projects: _Raw | None, organisations: _Raw | None, framework: str | None) -> CordisTables:
    if projects is not None:
        projects = _require(
            projects, _PROJECT_REQUIRED, _PROJECT_ALIASES, OFFICIAL_PROJECT_COLUMNS, "CORDIS project file"
        )
    if organisations is not None:
        organisations = _require(
            organisations,
            _ORGANISATION_REQUIRED,
            _ORGANISATION_ALIASES,
            OFFICIAL_ORGANISATION_COLUMNS,
            "CORDIS organisation file",
        )
    project_table = _projects(projects, framework) if projects is not None else None
    if organisations is None:
        return _empty_tables(project_table)
    organisation_table, participations = _participants(organisations)
    if project_table is None:
        return CordisTables(
            organisation_table, _projects_named_in(organisations, participations, framework), participations
        )
    organisations.fail(
        ~participations["project_id"].isin(project_table["id"]).to_numpy(),
        "projectID",
        lambda v: f"project {v} is not in the project file {projects.path}",
        "Read the project and organisation files of one CORDIS release together.",
    )
    return CordisTables(organisation_table, project_table, participations)


def _check_call(projects_path: Any, organizations_path: Any, framework: Any, function: str) -> None:
    if projects_path is None and organizations_path is None:
        raise parameter_error("projects_path", function, "a file path when organizations_path is None", projects_path)
    check_option(framework, (None, *FRAMEWORKS), name="framework", function=function)


def read_cordis_csv(
    projects_path: str | Path | None = None,
    organizations_path: str | Path | None = None,
    *,
    framework: str | None = None,
    encoding: str = "utf-8",
) -> CordisTables:
    """Read the official CORDIS project and organisation CSV files into tidy tables.

    The files are those of the CORDIS downloads for FP7, Horizon 2020 and Horizon
    Europe (``project.csv`` and ``organization.csv``, optionally gzip-compressed):
    semicolon-separated, fields in double quotes that may hold line breaks and
    semicolons, money written ``1234.5`` or ``1234,5``.

    Parameters
    ----------
    projects_path : path or None
        ``project.csv`` (header ``id;acronym;status;title;startDate;...``). Without it,
        ``projects`` holds only the ids and acronyms named in the organisation file.
    organizations_path : path or None
        ``organization.csv``: one row per (project, organisation). Without it,
        ``organisations`` and ``participations`` are empty.
    framework : {'FP7', 'H2020', 'HORIZON'} or None
        The framework programme of the files. ``None`` reads it from
        ``frameworkProgramme`` (else the ``legalBasis`` prefix); given, it must agree
        with them.
    encoding : str
        Text encoding of the files; CORDIS publishes UTF-8.

    Returns
    -------
    CordisTables
        ``(organisations, projects, participations)``; see :mod:`clusterix.ingest.cordis`
        for the columns. An organisation appears once, described by its most recently updated
        row (``contentUpdateDate``); participations keep the source ``line``.

    Raises
    ------
    InvalidInputError
        Naming file, line and column: empty file, not semicolon-separated, not valid
        text in ``encoding``, missing required columns, broken quoting, bad dates or
        money, negative amounts, duplicate projects or (project, organisation) pairs, a
        participation in a project missing from the project file.
    UnknownCodeError
        An ``activityType`` other than PRC, HES, REC, PUB, OTH.
    DataSourceError
        A file does not exist or cannot be read.

    Examples
    --------
    >>> tables = read_cordis_csv("project.csv", "organization.csv")  # doctest: +SKIP
    >>> organisations, projects, participations = tables  # doctest: +SKIP
    """
    _check_call(projects_path, organizations_path, framework, "read_cordis_csv")
    projects = organisations = None
    if projects_path is not None:
        projects = _read_records(projects_path, sep=";", encoding=encoding, what="CORDIS project file")
    if organizations_path is not None:
        organisations = _read_records(organizations_path, sep=";", encoding=encoding, what="CORDIS organisation file")
    return _assemble(projects, organisations, framework)


def read_cordis_json(
    projects_path: str | Path | None = None,
    organizations_path: str | Path | None = None,
    *,
    framework: str | None = None,
    encoding: str = "utf-8",
) -> CordisTables:
    """Read the JSON variant of the CORDIS project and organisation files.

    Each file is a JSON array of objects with the keys of the CSV header
    (``project.json``, ``organization.json``); values may be strings or numbers. The
    parameters, output and errors are those of :func:`read_cordis_csv`; ``line`` is the
    line on which a record's object starts.

    Examples
    --------
    >>> tables = read_cordis_json("project.json", "organization.json")  # doctest: +SKIP
    """
    _check_call(projects_path, organizations_path, framework, "read_cordis_json")
    projects = organisations = None
    if projects_path is not None:
        projects = _read_json_records(projects_path, encoding=encoding, what="CORDIS project file")
    if organizations_path is not None:
        organisations = _read_json_records(organizations_path, encoding=encoding, what="CORDIS organisation file")
    return _assemble(projects, organisations, framework)
