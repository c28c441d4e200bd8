"""The reduced Horizon 2020 participation extract (participations and programme parts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from clusterix.errors import DataSourceError
from clusterix.ingest.cordis.columns import (
    CordisTables,
    _countries,
    _dates,
    _external_ids,
    _ids,
    _kinds,
    _money,
    _no_duplicates,
    _nothing,
    _object,
    _roles,
)
from clusterix.ingest.cordis.records import _Raw, _read_records, _require, _shown

__all__ = ["read_h2020_participations"]


_PARTICIPATIONS_FILE = "h2020_participations.csv.gz"
_PROGRAMME_PARTS_FILE = "h2020_project_programme_parts.csv.gz"

_EXTRACT_REQUIRED = (
    "rcn", "role", "pic", "type", "contribution", "country", "start_date", "end_date",
    "max_contribution", "total_cost",
)  # fmt: skip
_EXTRACT_MISSING = "NA"  # how the reduced extract (written with R) marks a missing number or date


def read_h2020_participations(folder: str | Path, *, encoding: str = "utf-8") -> CordisTables:
    """Read the reduced Horizon 2020 participation extract into tidy tables.

    The folder holds ``h2020_participations.csv.gz`` (comma-separated, one row per
    organisation in a project: ``rcn, role, pic, type, contribution, country,
    start_date, end_date, max_contribution, total_cost, ...``; ``NA`` marks a missing
    number or date) and ``h2020_project_programme_parts.csv.gz`` (``rcn,
    programme_part``).

    Parameters
    ----------
    folder : path
        The folder with the two files.
    encoding : str
        Text encoding of the files.

    Returns
    -------
    CordisTables
        ``organisations``: ``id`` = PIC, ``kind`` from ``type``, ``country``; no names,
        regions or descriptions (the extract has none). ``projects``: ``id`` = rcn (the
        CORDIS record number, not the grant number), dates, ``total_cost``,
        ``ec_contribution`` = ``max_contribution``, ``programme`` and ``framework``
        ``'H2020'``, ``programme_part`` (several joined with ``';'`` in file order).
        ``participations``: one per row of the participation file.

    Raises
    ------
    InvalidInputError, UnknownCodeError, DataSourceError
        As :func:`read_cordis_csv`; also when a PIC has two types or countries, or a
        project two different dates or amounts, on different rows.

    Notes
    -----
    The country code ``NA`` is kept as Namibia's ISO code, not read as missing: all 11
    such rows are in the extract's third-country group. Programme parts of a project
    without participations are ignored.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataSourceError(f"No such folder with the CORDIS H2020 extract: {folder}")
    raw = _read_records(folder / _PARTICIPATIONS_FILE, sep=",", encoding=encoding, what="H2020 participation file")
    raw = _require(raw, _EXTRACT_REQUIRED, {}, _EXTRACT_REQUIRED, "H2020 participation file")
    projects = _ids(raw, "rcn", "project record number (rcn)")
    pics = _ids(raw, "pic", "organisation id (pic)")
    _no_duplicates(
        raw,
        {"rcn": projects, "pic": pics},
        "An organisation takes part in a project once; remove the repeat.",
    )
    codes, kinds = _kinds(raw, "type")
    rows = pd.DataFrame(
        {
            "project_id": projects,
            "organisation_id": pics,
            "kind": kinds,
            "activity_type": codes,
            "country": _countries(raw, "country"),
            "start_date": _dates(raw, "start_date", missing=_EXTRACT_MISSING),
            "end_date": _dates(raw, "end_date", missing=_EXTRACT_MISSING),
            "total_cost": _money(raw, "total_cost", missing=_EXTRACT_MISSING),
            "max_contribution": _money(raw, "max_contribution", missing=_EXTRACT_MISSING),
        }
    )
    _consistent(raw, rows, "organisation_id", {"activity_type": "type", "country": "country"})
    _consistent(
        raw,
        rows,
        "project_id",
        {"start_date": "start_date", "end_date": "end_date", "total_cost": "total_cost",
         "max_contribution": "max_contribution"},
    )  # fmt: skip
    firms = rows.drop_duplicates("organisation_id").reset_index(drop=True)
    organisations = pd.DataFrame(
        {
            "id": _object(firms["organisation_id"]),
            "name": _nothing(len(firms)),
            "kind": _object(firms["kind"]),
            "activity_type": _object(firms["activity_type"]),
            "country": _object(firms["country"]),
            "region": _nothing(len(firms)),
            "description": _nothing(len(firms)),
            "external_ids": _external_ids(firms["organisation_id"], pd.Series([None] * len(firms))),
        }
    )
    parts = _programme_parts(folder / _PROGRAMME_PARTS_FILE, encoding)
    head = rows.drop_duplicates("project_id").reset_index(drop=True)
    count = len(head)
    project_table = pd.DataFrame(
        {
            "id": _object(head["project_id"]),
            "acronym": _nothing(count),
            "title": _nothing(count),
            "programme": _object(["H2020"] * count),
            "programme_part": _object(head["project_id"].map(parts)),
            "topic": _nothing(count),
            "start_date": head["start_date"],
            "end_date": head["end_date"],
            "total_cost": head["total_cost"].to_numpy(),
            "ec_contribution": head["max_contribution"].to_numpy(),
            "framework": _object(["H2020"] * count),
            "objective": _nothing(count),
        }
    )
    participations = pd.DataFrame(
        {
            "project_id": _object(projects),
            "organisation_id": _object(pics),
            "role": _object(_roles(raw, "role")),
            "ec_contribution": _money(raw, "contribution", missing=_EXTRACT_MISSING),
            "line": raw.lines,
        }
    )
    return CordisTables(organisations, project_table, participations)


def _consistent(raw: _Raw, rows: pd.DataFrame, key: str, columns: dict[str, str]) -> None:
    """Raise if one ``key`` carries two different values of an attribute that belongs to the key."""
    distinct = rows.groupby(key, sort=False)[list(columns)].nunique(dropna=False)
    for column, source in columns.items():
        clashing = distinct.index[distinct[column] > 1]
        if len(clashing) == 0:
            continue
        first = rows.drop_duplicates(key).set_index(key)[column]
        expected = rows[key].map(first)
        differs = ~((rows[column] == expected) | (rows[column].isna() & expected.isna()))
        written = raw.codes(source, missing=_EXTRACT_MISSING)
        clash = rows[key].iloc[int(np.flatnonzero(differs.to_numpy())[0])]
        origin = int(np.flatnonzero((rows[key] == clash).to_numpy())[0])
        noun = "project" if key == "project_id" else "organisation"
        earlier = f"{_shown(written.iloc[origin])} on line {raw.lines[origin]}"
        raw.fail(
            differs,
            source,
            lambda v, subject=f"{noun} {clash!r}", earlier=earlier: f"{subject} has {v} here but {earlier}",
            "A project's dates and amounts, and an organisation's type and country, are the same on all its rows.",
            values=written,
        )


def _programme_parts(path: Path, encoding: str) -> pd.Series:
    raw = _read_records(path, sep=",", encoding=encoding, what="H2020 programme part file")
    required = ("rcn", "programme_part")
    raw = _require(raw, required, {}, required, "H2020 programme part file")
    rcns = _ids(raw, "rcn", "project record number (rcn)")
    parts = _ids(raw, "programme_part", "programme part")
    joined: dict[str, list[str]] = {}
    for rcn, part in zip(rcns, parts, strict=True):
        listed = joined.setdefault(rcn, [])
        if part not in listed:
            listed.append(part)
    return pd.Series({rcn: ";".join(listed) for rcn, listed in joined.items()}, dtype=object)
