"""Project counts per region, activity and start year from the CORDIS tables, as tidy observations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterix._validation import check_option, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.ingest.cordis.columns import _nothing, _object

__all__ = ["project_activity_counts"]


def project_activity_counts(
    projects: pd.DataFrame,
    participations: pd.DataFrame,
    organisations: pd.DataFrame,
    *,
    by: str = "country",
    activity: str = "programme_part",
) -> pd.DataFrame:
    """Count distinct projects per region, activity and start year, as tidy observations.

    A project counts once in every region where at least one of its participants (any
    role) is located, and once in each of its activities: a ``programme_part`` of
    ``'LEIT;SC4'`` counts in both ``LEIT`` and ``SC4``.

    Parameters
    ----------
    projects, participations, organisations : DataFrame
        The tables of a :class:`CordisTables` (from any of the readers).
    by : {'country', 'region'}
        Locate participants by country or by NUTS code (``region``: official files only).
    activity : str
        The project column that classifies activities, e.g. ``'programme_part'``,
        ``'topic'`` or ``'framework'``.

    Returns
    -------
    DataFrame
        ``region``, ``activity``, ``time`` (start year, e.g. ``'2019'``), ``measure``
        (``'projects'``), ``value`` (the count, float), ``flag`` (``None``), ``line`` (the
        first participation line behind the count) and ``column`` (``'project_id'``),
        sorted by region, activity and time.

    Raises
    ------
    InvalidInputError
        A bad ``by`` or ``activity``, a table without the needed columns, a participation
        of an unknown project or organisation, or nothing to count.

    Notes
    -----
    Participations of organisations without a ``by`` value, and projects without an
    activity or a start date, are not counted: they have no cell in the region x
    activity x year table.

    Examples
    --------
    >>> tables = read_h2020_participations("cordis-h2020-participations")  # doctest: +SKIP
    >>> counts = project_activity_counts(tables.projects, tables.participations,
    ...                                  tables.organisations)  # doctest: +SKIP
    """
    function = "project_activity_counts"
    check_option(by, ("country", "region"), name="by", function=function)
    needed = {
        "projects": (projects, ("id", "start_date")),
        "participations": (participations, ("project_id", "organisation_id", "line")),
        "organisations": (organisations, ("id", by)),
    }
    for name, (table, columns) in needed.items():
        if not isinstance(table, pd.DataFrame):
            raise parameter_error(name, function, "a pandas DataFrame from a CORDIS reader", type(table).__name__)
        absent = [column for column in columns if column not in table.columns]
        if absent:
            expected = f"a table with the column(s) {', '.join(absent)}"
            raise parameter_error(name, function, expected, list(table.columns))
    choices = [
        column
        for column in projects.columns
        if column != "id" and (projects[column].dtype == object or pd.api.types.is_string_dtype(projects[column]))
    ]
    check_option(activity, choices, name="activity", function=function)

    located = participations[["project_id", "organisation_id", "line"]].merge(
        organisations[["id", by]].rename(columns={"id": "organisation_id", by: "region"}),
        on="organisation_id",
        how="left",
        indicator=True,
    )
    _known(located, "organisation_id", "organisations")
    located = located.drop(columns="_merge").merge(
        projects[["id", activity, "start_date"]].rename(columns={"id": "project_id", activity: "activity"}),
        on="project_id",
        how="left",
        indicator=True,
    )
    _known(located, "project_id", "projects")
    located = located.dropna(subset=["region", "activity", "start_date"])
    if located.empty:
        hint = " The reduced H2020 extract has no NUTS codes: use by='country'." if by == "region" else ""
        raise InvalidInputError(
            f"No participation has an organisation {by}, a project {activity} and a start date, so there "
            f"is nothing to count.{hint}"
        )
    located = located.assign(
        activity=located["activity"].astype("str").str.split(";"),
        time=pd.to_datetime(located["start_date"]).dt.year.astype("int64").astype("str"),
    ).explode("activity")
    located["activity"] = located["activity"].str.strip()
    located = located[located["activity"] != ""]
    counts = (
        located.groupby(["region", "activity", "time"], sort=True)
        .agg(value=("project_id", "nunique"), line=("line", "min"))
        .reset_index()
    )
    return pd.DataFrame(
        {
            "region": _object(counts["region"].astype("str")),
            "activity": _object(counts["activity"].astype("str")),
            "time": _object(counts["time"]),
            "measure": _object(["projects"] * len(counts)),
            "value": counts["value"].to_numpy(dtype=np.float64),
            "flag": _nothing(len(counts)),
            "line": counts["line"].to_numpy(dtype=np.int64),
            "column": _object(["project_id"] * len(counts)),
        }
    )


def _known(located: pd.DataFrame, key: str, table: str) -> None:
    orphans = (located["_merge"] == "left_only").to_numpy()
    if orphans.any():
        first = located.loc[orphans].iloc[0]
        count = int(orphans.sum())
        raise InvalidInputError(
            f"The participation from line {int(first['line'])} refers to {key.removesuffix('_id')} "
            f"{first[key]!r}, which is not in the {table} table ({count} such participation"
            f"{'s' if count != 1 else ''}). Pass the tables of one reader call together."
        )
