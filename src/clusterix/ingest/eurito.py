"""Nesta's EURITO research indicators: counts by NUTS region x research field and year, on one
NUTS version.

The EURITO tables (``nestauk/eurito_indicators``) count Horizon 2020 projects by region and
Sustainable Development Goal, and research preprints by region and topic. Each row carries
the NUTS version its code belongs to (``region_year_spec``: 2010, 2013, 2016 or 2021, by
year), so a region x field matrix over several years mixes versions. :func:`read_eurito_counts`
keeps one NUTS level and keeps each row's version beside it, for
:func:`clusterix.reference.nuts.convert_versions` to recode every row to one version through
Eurostat's correspondence tables, so that the 2013-coded years land on today's codes.

References
----------
Nesta (2022). EURITO indicators, https://github.com/nestauk/eurito_indicators (MIT licence),
from CORDIS Horizon 2020 data (CC BY 4.0) and the arXiv, bioRxiv, medRxiv and CORD-19 corpora.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from clusterix._validation import check_option
from clusterix.errors import InvalidInputError

__all__ = ["SDG_TITLES", "EuritoCounts", "pool_years", "read_eurito_counts", "topic_title"]

#: The 17 Sustainable Development Goals (United Nations General Assembly resolution 70/1, 2015), short titles.
SDG_TITLES = {
    1: "No poverty",
    2: "Zero hunger",
    3: "Good health and well-being",
    4: "Quality education",
    5: "Gender equality",
    6: "Clean water and sanitation",
    7: "Affordable and clean energy",
    8: "Decent work and economic growth",
    9: "Industry, innovation and infrastructure",
    10: "Reduced inequalities",
    11: "Sustainable cities and communities",
    12: "Responsible consumption and production",
    13: "Climate action",
    14: "Life below water",
    15: "Life on land",
    16: "Peace, justice and strong institutions",
    17: "Partnerships for the goals",
}
_COLUMNS = ("year", "region_type", "region_year_spec", "region_id", "region_level", "value")
_SPECIAL_TOPICS = {"ai_covid": "AI applied to Covid-19", "artificial_intelligence": "Artificial intelligence"}


@dataclass(frozen=True)
class EuritoCounts:
    """The counts (``region, activity, time, measure, value, nuts_version``) and the titles
    of the activity codes (``code, name``)."""

    observations: pd.DataFrame
    titles: pd.DataFrame


def topic_title(topic: str, group: str | None = None) -> str:
    """A readable title for a EURITO topic code: ``deep_learning`` -> "Deep learning",
    ``impact_studies_2`` -> "Covid-19 research: impact studies (2)"."""
    if topic in _SPECIAL_TOPICS:
        return _SPECIAL_TOPICS[topic]
    words = topic.split("_")
    number = words.pop() if words and words[-1].isdigit() else None
    title = " ".join(words).capitalize() + (f" ({number})" if number else "")
    return f"Covid-19 research: {title[0].lower() + title[1:]}" if group == "covid_cluster" else title


def read_eurito_counts(path: str | Path, *, field: str, measure: str, level: int = 2) -> EuritoCounts:
    """Read a EURITO count table at one NUTS level, each row with the NUTS version of its code.

    Parameters
    ----------
    path : str or Path
        A EURITO long table (CSV, optionally gzip-compressed), e.g.
        ``cordis_projects_by_nuts_sdg_count.csv.gz`` (field column ``sdg``) or
        ``preprints_by_nuts_topic_count.csv.gz`` (``topic``, with ``topic_group``).
    field : {"sdg", "topic"}
        The column of research fields.
    measure : str
        The measure's name in the store (e.g. ``projects``, ``participations``).
    level : {0, 1, 2, 3}
        The NUTS level kept.

    Returns
    -------
    EuritoCounts
        Observations ``region, activity, time, measure, value, nuts_version`` with activity
        codes ``SDG03`` or the topic code, and their titles. Recode them to one version with
        :func:`clusterix.reference.nuts.convert_versions`, then :func:`pool_years` if wanted.

    Raises
    ------
    InvalidInputError
        A missing column, a region type other than NUTS, or no row at the level.

    References
    ----------
    Nesta (2022). EURITO indicators, https://github.com/nestauk/eurito_indicators.
    """
    from clusterix.tables import read_table

    check_option(field, ("sdg", "topic"), name="field", function="read_eurito_counts")
    check_option(level, (0, 1, 2, 3), name="level", function="read_eurito_counts")
    path = Path(path)
    table = read_table(path)
    missing = [column for column in (field, *_COLUMNS) if column not in table.columns]
    if missing:
        raise InvalidInputError(f"{path}: missing column(s) {missing}; a EURITO count table has {[field, *_COLUMNS]}.")
    if set(table["region_type"].unique()) - {"NUTS"}:
        raise InvalidInputError(f"{path}: region_type must be NUTS; found {sorted(set(table['region_type']))}.")
    table = table[table["region_level"].astype(int) == level]
    if table.empty:
        raise InvalidInputError(f"{path}: no rows at NUTS level {level}.")
    table = table.assign(value=pd.to_numeric(table["value"], errors="raise").astype(float))
    if field == "sdg":
        table = table.assign(activity="SDG" + table["sdg"].astype(int).astype(str).str.zfill(2))
        codes = sorted(table["activity"].unique())
        titles = pd.DataFrame({"code": codes, "name": [SDG_TITLES[int(code[3:])] for code in codes]})
    else:
        group = table["topic_group"] if "topic_group" in table.columns else pd.Series(None, index=table.index)
        table = table.assign(activity=table["topic"])
        pairs = pd.DataFrame({"code": table["topic"], "group": group}).drop_duplicates("code").sort_values("code")
        names = [topic_title(code, kind) for code, kind in zip(pairs["code"], pairs["group"], strict=True)]
        titles = pd.DataFrame({"code": pairs["code"], "name": names})
    observations = pd.DataFrame(
        {
            "region": table["region_id"].to_numpy(),
            "activity": table["activity"].to_numpy(),
            "time": table["year"].astype(str).to_numpy(),
            "measure": measure,
            "value": table["value"].to_numpy(),
            "nuts_version": table["region_year_spec"].astype(int).to_numpy(),
        }
    )
    return EuritoCounts(observations, titles.reset_index(drop=True))


def pool_years(observations: pd.DataFrame) -> pd.DataFrame:
    """All years added up into one period named by the first and last year (``2014-2021``):
    a region's research competences over a whole programme, steadier than single years of
    small counts (and the last year of the EURITO files is partial)."""
    if observations.empty:
        return observations
    years = sorted(observations["time"].unique())
    pooled = observations.assign(time=f"{years[0]}-{years[-1]}" if len(years) > 1 else years[0])
    return pooled.groupby(["region", "activity", "time", "measure"], as_index=False)["value"].sum()
