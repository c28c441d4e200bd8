"""Cluster mappings (industry code -> cluster): the US benchmark clusters, Nesta's segments, or your own."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from clusterix._validation import parameter_error
from clusterix.errors import DataSourceError, InvalidInputError, UnknownCodeError
from clusterix.tables import read_table

__all__ = ["cluster_mapping", "nace_segments", "uk_segments", "us_cluster_definitions"]


_SHOW = 20  # codes quoted in an error message
_US_DEFINITIONS = "cluster_naics2007_definitions.csv"
_US_LIST = "cluster_list.csv"
_US_FOLDER = "us-cluster-mapping"
_UK_FILE = "sic4_to_nesta_industry_segment.csv"
_UK_FOLDER = "uk-bres-nuts2-sic4"


def _listing(codes: Collection[object]) -> str:
    codes = sorted({str(c) for c in codes})
    shown = ", ".join(repr(c) for c in codes[:_SHOW])
    more = f" and {len(codes) - _SHOW} more" if len(codes) > _SHOW else ""
    return f"{len(codes)} code{'s' if len(codes) != 1 else ''} ({shown}{more})"


def _as_text(column: pd.Series) -> pd.Series:
    """Codes as stripped text; integers stay integers ("11", not "11.0")."""
    return column.map(lambda code: str(code).strip()).astype(object)


def cluster_mapping(
    frame: pd.DataFrame,
    *,
    industry: str = "industry",
    cluster: str = "cluster",
    known: Collection[object] | None = None,
    allow_multiple: bool = False,
) -> pd.DataFrame:
    """Check a user's industry -> cluster mapping and return it in the standard shape.

    Parameters
    ----------
    frame : DataFrame with one row per (industry, cluster) pair.
    industry, cluster : names of the code columns in ``frame``.
    known : optional collection of valid industry codes (e.g. a classification's code
        list); mapping codes outside it raise :class:`~clusterix.errors.UnknownCodeError`.
    allow_multiple : if ``False`` (default) every industry belongs to exactly one
        cluster, as in Delgado, Porter & Stern (2016). ``True`` allows overlapping
        clusters (as in some related-sector definitions); an industry's value then
        counts in full in every cluster it belongs to.

    Returns
    -------
    DataFrame with text columns ``industry`` and ``cluster`` first, then the other
    columns of ``frame`` unchanged; a new object (the input is not modified).

    Raises
    ------
    InvalidInputError
        Not a DataFrame, missing columns, empty or missing codes, duplicate rows, or an
        industry in two clusters without ``allow_multiple=True``.
    UnknownCodeError
        Industry codes not in ``known``.

    Examples
    --------
    >>> m = cluster_mapping(pd.DataFrame({"naics": [111, 112], "c": ["A", "B"]}),
    ...                     industry="naics", cluster="c")
    >>> m.to_dict("records")
    [{'industry': '111', 'cluster': 'A'}, {'industry': '112', 'cluster': 'B'}]
    """
    function = "cluster_mapping"
    if not isinstance(frame, pd.DataFrame):
        raise parameter_error("frame", function, "a pandas DataFrame", type(frame).__name__)
    if not isinstance(allow_multiple, bool):
        raise parameter_error("allow_multiple", function, "True or False", allow_multiple)
    missing = [c for c in (industry, cluster) if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"The mapping has no column(s) {missing}; it has {list(frame.columns)[:20]}. "
            "Name the code columns with industry= and cluster=."
        )
    if industry == cluster:
        raise InvalidInputError(f"The industry and cluster columns must differ; both are {industry!r}.")
    if frame.empty:
        raise InvalidInputError("The mapping is empty: it has no rows.")
    for column in (industry, cluster):
        absent = frame[column].isna() | (frame[column].map(lambda c: str(c).strip()) == "")
        if absent.any():
            rows = frame.index[absent.to_numpy()][:5].tolist()
            raise InvalidInputError(
                f"The mapping's column {column!r} has {int(absent.sum())} missing or empty codes "
                f"(rows {rows}). Every row needs an industry and a cluster."
            )
    rest = [c for c in frame.columns if c not in (industry, cluster, "industry", "cluster")]
    out = pd.DataFrame({"industry": _as_text(frame[industry]), "cluster": _as_text(frame[cluster])})
    out = pd.concat([out, frame[rest].reset_index(drop=True).set_axis(out.index)], axis=1)
    out = out.reset_index(drop=True)
    repeated = out.duplicated(["industry", "cluster"], keep=False)
    if repeated.any():
        pairs = sorted(set(zip(out.loc[repeated, "industry"], out.loc[repeated, "cluster"], strict=True)))
        raise InvalidInputError(
            f"The mapping has duplicate rows for {len(pairs)} (industry, cluster) pair(s), first "
            f"{pairs[:5]}. Drop the repeats (e.g. mapping.drop_duplicates())."
        )
    clusters_per_industry = out.groupby("industry", sort=True)["cluster"].nunique()
    multiple = clusters_per_industry.index[clusters_per_industry.to_numpy() > 1]
    if len(multiple) and not allow_multiple:
        raise InvalidInputError(
            f"The mapping puts {_listing(multiple)} in more than one cluster. Fix the "
            "mapping, or pass allow_multiple=True to count such industries in every cluster."
        )
    if known is not None:
        known_codes = {str(c).strip() for c in known}
        unknown = set(out["industry"]) - known_codes
        if unknown:
            raise UnknownCodeError(
                f"The mapping has {_listing(unknown)} that are not known industry codes. "
                "Correct them or drop those rows."
            )
    return out


def _locate(source: str | Path, filename: str, folder: str, function: str) -> Path:
    """``source/filename``, ``source/folder/filename`` or ``source`` itself if it is the file."""
    source = Path(source)
    for candidate in (source / filename, source / folder / filename, source):
        if candidate.is_file() and candidate.name == filename:
            return candidate
    raise DataSourceError(
        f"{function} needs {filename}; it is neither in {source} nor in {source / folder}. "
        "Pass the folder that holds it."
    )


def us_cluster_definitions(source: str | Path) -> pd.DataFrame:
    """The US Cluster Mapping benchmark cluster definitions: NAICS 2007 6-digit -> cluster.

    Reads ``cluster_naics2007_definitions.csv`` and ``cluster_list.csv`` from the folder
    ``source`` (or its sub-folder ``us-cluster-mapping``). These are the 67 clusters of
    Delgado, Porter & Stern (2016): 51 traded and 16 local clusters over 1,099 six-digit
    NAICS 2007 industries, each industry in exactly one cluster.

    Returns
    -------
    DataFrame, one row per industry: ``industry`` (6-digit NAICS 2007 code as text),
    ``cluster`` (cluster code as text, e.g. ``"1"``), ``cluster_name``, ``cluster_key``
    and ``cluster_type`` (``"traded"`` or ``"local"``; local clusters are named
    "Local ..."). Checked with :func:`cluster_mapping`.

    Raises
    ------
    DataSourceError
        A file is missing or unreadable.
    InvalidInputError
        The files break the mapping contract, or a cluster is not in ``cluster_list.csv``.

    References
    ----------
    Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related
    industries. Journal of Economic Geography 16(1), 1-38. https://clustermapping.us
    """
    function = "us_cluster_definitions"
    definitions = read_table(_locate(source, _US_DEFINITIONS, _US_FOLDER, function))
    clusters = read_table(_locate(source, _US_LIST, _US_FOLDER, function))
    for table, name, needed in (
        (definitions, _US_DEFINITIONS, ("cluster_code", "naics6")),
        (clusters, _US_LIST, ("cluster_code", "cluster_name", "cluster_key")),
    ):
        if missing := [c for c in needed if c not in table.columns]:
            raise DataSourceError(f"{name} lacks column(s) {missing}; it has {list(table.columns)}.")
    mapping = cluster_mapping(definitions[["naics6", "cluster_code"]], industry="naics6", cluster="cluster_code")
    listed = clusters[["cluster_code", "cluster_name", "cluster_key"]].rename(columns={"cluster_code": "cluster"})
    listed["cluster"] = _as_text(listed["cluster"])
    if unlisted := set(mapping["cluster"]) - set(listed["cluster"]):
        raise InvalidInputError(f"{_US_DEFINITIONS} uses clusters not in {_US_LIST}: {_listing(unlisted)}.")
    listed["cluster_type"] = np.where(listed["cluster_name"].str.startswith("Local "), "local", "traded")
    return mapping.merge(listed, on="cluster", how="left", validate="many_to_one")


def uk_segments(source: str | Path) -> pd.DataFrame:
    """Nesta's industry segments: SIC 2007 4-digit classes grouped into cluster-like segments.

    The default cluster mapping for UK (SIC-coded) data such as BRES employment. Reads
    ``sic4_to_nesta_industry_segment.csv`` from ``source``, its sub-folder
    ``uk-bres-nuts2-sic4``, or ``source`` itself if it is that file.

    Returns
    -------
    DataFrame, one row per SIC class: ``industry`` (4-digit SIC 2007 code as text, with
    leading zeros, e.g. ``"0161"``), ``cluster`` (segment key, e.g.
    ``"manufacture_food"``), ``cluster_name`` (e.g. ``"food"``), ``category`` (e.g.
    ``"manufacture"``), ``description`` (the SIC class title) and ``segment_number``.
    The 2019 file maps 525 SIC classes to 72 segments. Checked with
    :func:`cluster_mapping`.

    References
    ----------
    Nesta, ``nestauk/beis-indicators`` (``data/aux/sic_4_industry_segment_lookup.csv``),
    built on ONS SIC 2007.
    """
    table = read_table(_locate(source, _UK_FILE, _UK_FOLDER, "uk_segments"))
    needed = ("sic_4", "cluster", "name", "category", "descr", "clust")
    if missing := [c for c in needed if c not in table.columns]:
        raise DataSourceError(f"{_UK_FILE} lacks column(s) {missing}; it has {list(table.columns)}.")
    renamed = table[list(needed)].rename(
        columns={"cluster": "segment", "name": "cluster_name", "descr": "description", "clust": "segment_number"}
    )
    mapping = cluster_mapping(renamed, industry="sic_4", cluster="segment")
    return mapping[["industry", "cluster", "cluster_name", "category", "description", "segment_number"]]


# NACE Rev. 2 sections by division (Eurostat, NACE Rev. 2 structure, 2008).
_NACE_REV2_SECTION = {
    division: section
    for section, divisions in {
        "A": range(1, 4),
        "B": range(5, 10),
        "C": range(10, 34),
        "D": [35],
        "E": range(36, 40),
        "F": range(41, 44),
        "G": range(45, 48),
        "H": range(49, 54),
        "I": range(55, 57),
        "J": range(58, 64),
        "K": range(64, 67),
        "L": [68],
        "M": range(69, 76),
        "N": range(77, 83),
        "O": [84],
        "P": [85],
        "Q": range(86, 89),
        "R": range(90, 94),
        "S": range(94, 97),
        "T": range(97, 99),
        "U": [99],
    }.items()
    for division in divisions
}


def nace_segments(source: str | Path, *, notation: str = "eurostat") -> pd.DataFrame:
    """Nesta's industry segments keyed by NACE Rev. 2 classes, for European (NACE) data.

    UK SIC 2007 is identical to NACE Rev. 2 down to the 4-digit class (SIC only adds
    5-digit subclasses), so Nesta's SIC-class segments (:func:`uk_segments`) are a
    NACE-class cluster classification. ``notation`` picks the code spelling of the data:
    ``"eurostat"`` (``C1011``, as in Eurostat's tables), ``"dotted"`` (``10.11``) or
    ``"plain"`` (``1011``). The 525 classes of Nesta's lookup are covered; other classes
    are unmapped (``aggregate_to_clusters(..., unmapped="other")`` groups them).

    Examples
    --------
    >>> nace_segments("../shared/data").query("industry == 'C1011'")["cluster"].item()  # doctest: +SKIP
    'manufacture_food'
    """
    if notation not in ("eurostat", "dotted", "plain"):
        raise InvalidInputError(
            f"The 'notation' parameter of nace_segments must be one of 'eurostat', 'dotted', 'plain'. "
            f"Got {notation!r} instead."
        )
    segments = uk_segments(source)
    division = segments["industry"].str[:2].astype(int)
    sections = division.map(_NACE_REV2_SECTION)
    dotted = segments["industry"].str[:2] + "." + segments["industry"].str[2:]
    if notation == "eurostat":
        codes = sections + segments["industry"]
    else:
        codes = dotted if notation == "dotted" else segments["industry"]
    return segments.assign(industry=codes.to_numpy()).dropna(subset=["industry"])
