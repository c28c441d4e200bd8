"""Region x cluster sums and cluster strength with the European Cluster Observatory star ratings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from clusterix._validation import check_number, check_option, parameter_error
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.indicators.specialisation import rca, shares
from clusterix.profiling.clusters.mappings import _listing, cluster_mapping
from clusterix.tables import read_table, validate_long

__all__ = ["QUANTILE_METHOD", "STRENGTH_COLUMNS", "UNMAPPED_OPTIONS", "aggregate_to_clusters", "cluster_strength"]


UNMAPPED_OPTIONS = ("raise", "drop", "other")
OTHER_CLUSTER = "other"

# Measures returned by cluster_strength, after the key columns; "growth" only with time.
STRENGTH_COLUMNS = (
    "size",
    "lq",
    "focus",
    "share_of_cluster",
    "growth",
    "size_star",
    "specialisation_star",
    "focus_star",
    "stars",
)

# How the top-10 % thresholds are computed: numpy's default linear interpolation.
QUANTILE_METHOD = "linear"


def _check_mapping(mapping: object, function: str) -> pd.DataFrame:
    if not isinstance(mapping, pd.DataFrame) or not {"industry", "cluster"} <= set(mapping.columns):
        raise parameter_error(
            "mapping",
            function,
            "a DataFrame with columns 'industry' and 'cluster' (see cluster_mapping)",
            type(mapping).__name__,
        )
    multiple = mapping.groupby("industry")["cluster"].nunique().gt(1).any()
    return cluster_mapping(mapping[["industry", "cluster"]], allow_multiple=bool(multiple))


def aggregate_to_clusters(
    data: pd.DataFrame | str | Path,
    mapping: pd.DataFrame,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
    unmapped: str = "raise",
) -> pd.DataFrame:
    """Sum a region x industry long table to region x cluster.

    Parameters
    ----------
    data : long table (or a path to one) with region, activity (industry code), value and
        optionally time columns; checked with :func:`clusterix.tables.validate_long`.
        Industry codes are compared as text, so keep leading zeros (``"0161"``).
    mapping : industry -> cluster table with columns ``industry`` and ``cluster``
        (from :func:`cluster_mapping`, :func:`us_cluster_definitions` or :func:`uk_segments`).
    region, activity, value, time : column names in ``data``.
    unmapped : what to do with industries of ``data`` that the mapping lacks:
        ``"raise"`` (default) an :class:`~clusterix.errors.UnknownCodeError` listing them,
        ``"drop"`` them, or put them in a cluster called ``"other"``.

    Returns
    -------
    DataFrame with columns ``region``, ``cluster``, [``time``], ``value`` (using the given
    column names; the cluster column is ``cluster``): one row per region, cluster (and
    period) seen in ``data``, values summed, sorted by the keys. An industry mapped to
    several clusters (``allow_multiple``) counts in full in each.

    Examples
    --------
    >>> data = pd.DataFrame({"region": ["r1", "r1", "r2"], "activity": ["a", "b", "a"],
    ...                      "value": [1.0, 2.0, 4.0]})
    >>> mapping = pd.DataFrame({"industry": ["a", "b"], "cluster": ["C", "C"]})
    >>> aggregate_to_clusters(data, mapping).to_dict("records")
    [{'region': 'r1', 'cluster': 'C', 'value': 3.0}, {'region': 'r2', 'cluster': 'C', 'value': 4.0}]
    """
    function = "aggregate_to_clusters"
    check_option(unmapped, UNMAPPED_OPTIONS, name="unmapped", function=function)
    mapping = _check_mapping(mapping, function)
    frame = read_table(data) if isinstance(data, str | Path) else data
    if "cluster" in (region, time, value):
        raise InvalidInputError(
            "The region, time and value columns may not be called 'cluster' (the output's cluster column)."
        )
    table = validate_long(frame, region=region, activity=activity, value=value, time=time)
    activities = pd.Index([str(a).strip() for a in table.activities])
    mapped = activities.isin(mapping["industry"])
    if not mapped.all():
        missing = activities[~mapped]
        if unmapped == "raise":
            raise UnknownCodeError(
                f"The mapping has no cluster for {_listing(missing)} of the data's "
                f"{activity!r} column. Add them to the mapping, or pass unmapped='drop' or "
                "unmapped='other'."
            )
        if unmapped == "other":
            extra = pd.DataFrame({"industry": list(missing), "cluster": OTHER_CLUSTER})
            mapping = pd.concat([mapping, extra], ignore_index=True)
    long = pd.DataFrame(
        {
            region: table.regions[table.region_codes],
            "industry": activities[table.activity_codes],
            value: table.values,
        }
    )
    keys = [region, "cluster"]
    if time is not None:
        long[time] = table.periods[table.time_codes]
        keys.append(time)
    joined = long.merge(mapping, on="industry", how="inner")
    out = joined.groupby(keys, sort=True, as_index=False, observed=True)[value].sum()
    return out.reset_index(drop=True)


def _top_star(values: np.ndarray, quantile: float) -> tuple[np.ndarray, np.ndarray]:
    """Columnwise: star where value >= the column's quantile over regions and value > 0."""
    threshold = np.quantile(values, quantile, axis=0, method=QUANTILE_METHOD)
    return (values >= threshold[None, :]) & (values > 0), threshold


def cluster_strength(
    data: pd.DataFrame | str | Path,
    mapping: pd.DataFrame,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
    base_time: object | None = None,
    unmapped: str = "raise",
    size_quantile: float = 0.9,
    specialisation_threshold: float = 2.0,
    focus_quantile: float = 0.9,
) -> pd.DataFrame:
    r"""Cluster strength of every region in every cluster, with the ECO star ratings.

    The data are first summed to a region x cluster matrix :math:`x_{rc}` (employment)
    with :func:`aggregate_to_clusters`; every region and cluster seen in a period form a
    full grid (absent pairs have size 0). With :math:`x_r = \sum_c x_{rc}`,
    :math:`x_c = \sum_r x_{rc}` and :math:`x = \sum_{rc} x_{rc}`, per period:

    - ``size`` :math:`= x_{rc}`;
    - ``lq`` :math:`= (x_{rc}/x_r) / (x_c/x)`, the location quotient, computed with
      :func:`clusterix.indicators.rca` on the region x cluster matrix (0 where
      :math:`x_r = 0` or :math:`x_c = 0`);
    - ``focus`` :math:`= x_{rc}/x_r \in [0, 1]`, the cluster's share of the region's
      (clustered) total; a region's focus values sum to 1 (0 for an empty region);
    - ``share_of_cluster`` :math:`= x_{rc}/x_c`, the region's share of the cluster's
      total over all regions (Delgado, Porter & Stern's employment-share strength);
    - ``growth`` :math:`= x_{rc,t}/x_{rc,t_0} - 1` with :math:`t_0` = ``base_time`` (only
      when ``time`` is given; NaN in the base period and where :math:`x_{rc,t_0} = 0`);
    - ``size_star``: :math:`x_{rc} \ge Q_c(` ``size_quantile`` :math:`)`, the region is in
      the top 10 % of regions for that cluster by employment;
    - ``specialisation_star``: ``lq`` :math:`\ge` ``specialisation_threshold`` (2);
    - ``focus_star``: ``focus`` :math:`\ge` the ``focus_quantile`` quantile of the focus
      of all regions in that cluster (top 10 %);
    - ``stars`` = the number of stars, 0-3.

    Quantiles and ties: :math:`Q_c(q)` is ``numpy.quantile`` over all regions of the
    period (zeros included) with linear interpolation (:data:`QUANTILE_METHOD`). A region
    whose value *equals* the threshold gets the star, so with ties more than 10 % of the
    regions can have it. A zero size or zero focus never gets a star, even when more
    than 90 % of regions have zero (then the threshold is 0). For 39 regions and
    :math:`q = 0.9`, the threshold lies between the 5th and 4th largest values, so
    without ties the 4 largest get the star.

    Parameters
    ----------
    data : region x industry long table (or path); see :func:`aggregate_to_clusters`.
    mapping : industry -> cluster table (``industry``, ``cluster``).
    region, activity, value, time : column names in ``data``.
    base_time : period that ``growth`` is measured from; default the earliest period.
        Only allowed with ``time``.
    unmapped : ``"raise"``, ``"drop"`` or ``"other"``, as in :func:`aggregate_to_clusters`.
        With ``"drop"`` the region totals (focus, LQ) exclude the dropped industries.
    size_quantile : quantile in (0, 1] of regions' cluster sizes for the size star
        (ECO: 0.9, the top 10 %).
    specialisation_threshold : LQ at or above which a region gets the specialisation
        star (ECO: 2.0).
    focus_quantile : quantile in (0, 1] of regions' focus for the focus star (ECO: 0.9).

    Returns
    -------
    DataFrame, one row per ([time,] region, cluster), sorted by those keys, with
    ``size, lq, focus, share_of_cluster, [growth,] size_star, specialisation_star,
    focus_star`` (booleans) and ``stars`` (int).

    Raises
    ------
    InvalidInputError
        Bad data (see :func:`clusterix.tables.validate_long`), mapping or options;
        ``base_time`` without ``time`` or not among the periods.
    UnknownCodeError
        Industries without a cluster when ``unmapped="raise"``.

    Notes
    -----
    The three-star method is that of the European Cluster Observatory (Sölvell, Ketels &
    Lindqvist 2008; European Cluster Observatory 2009): size, specialisation and focus
    stars, with the top-10 % and LQ >= 2 cut-offs. Ketels & Protsiv (2014) keep these
    dimensions for the cluster mapping of related sectors. ECO ranks all European
    regions; here "all regions" means all regions in ``data`` for the period.

    References
    ----------
    Sölvell, Ö., Ketels, C. & Lindqvist, G. (2008). Industrial specialization and
    regional clusters in the ten new EU member states. Competitiveness Review 18(1/2).

    European Cluster Observatory (2009). *EU cluster mapping and strengthening clusters
    in Europe*. Europe INNOVA paper no. 12, European Commission.

    Ketels, C. & Protsiv, S. (2014). *Methodology and findings report for a cluster
    mapping of related sectors*. European Cluster Observatory, European Commission.

    Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related
    industries. Journal of Economic Geography 16(1), 1-38.

    Examples
    --------
    >>> data = pd.DataFrame({"region": ["r1", "r1", "r2", "r2"], "activity": ["a", "b"] * 2,
    ...                      "value": [1.0, 3.0, 3.0, 1.0]})
    >>> mapping = pd.DataFrame({"industry": ["a", "b"], "cluster": ["A", "B"]})
    >>> result = cluster_strength(data, mapping)
    >>> result[["region", "cluster", "lq", "focus", "stars"]].head(2).to_dict("records")
    [{'region': 'r1', 'cluster': 'A', 'lq': 0.5, 'focus': 0.25, 'stars': 0},
     {'region': 'r1', 'cluster': 'B', 'lq': 1.5, 'focus': 0.75, 'stars': 2}]
    """
    function = "cluster_strength"
    check_number(size_quantile, name="size_quantile", function=function, low=0, high=1, low_inclusive=False)
    check_number(focus_quantile, name="focus_quantile", function=function, low=0, high=1, low_inclusive=False)
    check_number(
        specialisation_threshold, name="specialisation_threshold", function=function, low=0, low_inclusive=False
    )
    if time is None and base_time is not None:
        raise parameter_error("base_time", function, "None when time is None", base_time)
    clustered = aggregate_to_clusters(
        data, mapping, region=region, activity=activity, value=value, time=time, unmapped=unmapped
    )
    periods = [None] if time is None else sorted(clustered[time].unique())
    if time is not None:
        if base_time is None:
            base_time = periods[0]
        elif base_time not in periods:
            raise parameter_error("base_time", function, f"one of the periods {periods}", base_time)
    frames = []
    for period in periods:
        part = clustered if period is None else clustered[clustered[time] == period]
        grid = part.pivot_table(index=region, columns="cluster", values=value, aggfunc="sum", fill_value=0.0)
        frames.append(_strength(grid, size_quantile, specialisation_threshold, focus_quantile, region))
        if period is not None:
            frames[-1].insert(0, time, period)
    out = pd.concat(frames, ignore_index=True)
    if time is not None:
        base = out.loc[out[time] == base_time, [region, "cluster", "size"]].rename(columns={"size": "_base"})
        out = out.merge(base, on=[region, "cluster"], how="left")
        before = out["_base"].to_numpy(dtype=np.float64, na_value=np.nan)
        growth = np.full(len(out), np.nan)
        defined = before > 0  # False for NaN (region absent in the base period) and 0
        growth[defined] = out["size"].to_numpy()[defined] / before[defined] - 1.0
        growth[(out[time] == base_time).to_numpy()] = np.nan
        out.insert(out.columns.get_loc("share_of_cluster") + 1, "growth", growth)
        out = out.drop(columns="_base")
    keys = ([time] if time is not None else []) + [region, "cluster"]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def _strength(
    grid: pd.DataFrame, size_quantile: float, specialisation_threshold: float, focus_quantile: float, region: str
) -> pd.DataFrame:
    """All measures for one period's region x cluster matrix (a labelled DataFrame)."""
    sizes = grid.to_numpy(dtype=np.float64)
    lq = np.asarray(rca(sizes))
    focus = np.asarray(shares(sizes, axis="region"))
    share = np.asarray(shares(sizes, axis="activity"))
    size_star, _ = _top_star(sizes, size_quantile)
    focus_star, _ = _top_star(focus, focus_quantile)
    specialisation_star = lq >= specialisation_threshold
    n_regions, n_clusters = sizes.shape
    return pd.DataFrame(
        {
            region: np.repeat(grid.index.to_numpy(), n_clusters),
            "cluster": np.tile(grid.columns.to_numpy(), n_regions),
            "size": sizes.ravel(),
            "lq": lq.ravel(),
            "focus": focus.ravel(),
            "share_of_cluster": share.ravel(),
            "size_star": size_star.ravel(),
            "specialisation_star": specialisation_star.ravel(),
            "focus_star": focus_star.ravel(),
            "stars": (size_star.astype(np.int64) + specialisation_star + focus_star).ravel(),
        }
    )
