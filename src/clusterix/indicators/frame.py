"""The pandas face of the indicators: long tables in, long tables out.

The pure functions of :mod:`clusterix.indicators` take and return arrays; this module
turns long tables into labelled matrices and results back into long tables. Column
names and meanings of :func:`complexity` follow the Growth Lab's ``ecomplexity``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from clusterix._validation import FloatArray, check_number, check_option
from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.indicators.concentration import (
    entropy,
    herfindahl,
    locational_gini,
    specialisation_gini,
)
from clusterix.indicators.conventions import Conventions, resolve_conventions
from clusterix.indicators.pipeline import ComplexityOptions, ComplexityResult, run_all
from clusterix.indicators.relatedness import (
    DIAGONALS,
    NORMALISATIONS,
    _co_occurrence,
    _proximity,
    normalise_co_occurrence,
)
from clusterix.indicators.specialisation import _presence, _rca, hachman, krugman_index
from clusterix.matrix import RegionActivityMatrix
from clusterix.tables import LongTable, read_table, validate_long

__all__ = [
    "COMPLEXITY_COLUMNS",
    "PROXIMITY_METHODS",
    "complexity",
    "complexity_frame",
    "complexity_frames",
    "proximity",
    "activity_summary",
    "region_summary",
]

COMPLEXITY_COLUMNS = (
    "value",
    "rca",
    "mcp",
    "diversity",
    "ubiquity",
    "eci",
    "pci",
    "density",
    "coi",
    "cog",
)
PROXIMITY_METHODS = ("minimum_conditional", "cooccurrence", *NORMALISATIONS)

Data: TypeAlias = pd.DataFrame | str | Path
"""A long table, or the path of a CSV/Parquet/Excel file holding one."""
ScalarT = TypeVar("ScalarT", bound=np.generic)


def _table(data: Data, region: str, activity: str, value: str, time: str | None) -> LongTable:
    frame = read_table(data) if isinstance(data, str | Path) else data
    return validate_long(frame, region=region, activity=activity, value=value, time=time)


def complexity(
    data: Data,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
    threshold: float = 1.0,
    presence_test: str = "rca",
    population: pd.Series | None = None,
    method: str = "eigenvector",
    cog_variant: str = "growthlab",
    conventions: str | Conventions = "growthlab",
    relatedness: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every complexity indicator for each (time,) region and activity.

    Parameters
    ----------
    data : DataFrame, str or Path
        A long table (or the path of a CSV, Parquet or Excel file holding one) with one
        row per region, activity (and time) and a non-negative value.
    region, activity, value : str, default "region", "activity", "value"
        The column names in ``data``.
    time : str, optional
        The time column; without it the table is one cross-section.
    threshold : float, default 1.0
        Presence where RCA (or RPOP) >= threshold.
    presence_test : {"rca", "rpop"}, default "rca"
        The indicator behind presence; RPOP needs ``population``.
    population : Series, optional
        Inhabitants indexed by region (or by (time, region)); only with
        ``presence_test="rpop"``.
    method : {"eigenvector", "reflections"}, default "eigenvector"
        How ECI and PCI are computed.
    cog_variant : {"growthlab", "atlas"}, default "growthlab"
        ``"growthlab"`` as ``ecomplexity``; ``"atlas"`` subtracts the density term.
    conventions : {"growthlab", "atlas", "econgeo"} or Conventions, default "growthlab"
        Proximity diagonal, ddof, density scale, ECI scale and sign.
    relatedness : DataFrame, optional
        A long table ``activity_1, activity_2, proximity`` used instead of the proximity
        computed from the data (labour flows, input-output links).

    Returns
    -------
    DataFrame
        ``[time,] region, activity, value, rca, mcp, diversity, ubiquity, eci, pci,
        density, coi, cog`` (and ``rpop``): one row per region and activity of each period
        (zeros included), labels as categoricals. Regions and activities with a zero total
        in a period have no rows in it.

    Raises
    ------
    InvalidInputError
        A malformed table or option.
    AmbiguousResultError
        Complexity is undefined in a period (an empty or disconnected network).

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    *Proceedings of the National Academy of Sciences* 106(26), 10570-10575.

    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
    space conditions the development of nations. *Science* 317(5837), 482-487.

    Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yıldırım, M. A.
    (2014). *The Atlas of Economic Complexity: Mapping Paths to Prosperity*. Cambridge, MA:
    MIT Press.

    The Growth Lab at Harvard University. ``ecomplexity``, Python package, version 0.5.3.

    Examples
    --------
    >>> data = pd.DataFrame({"region": list("aabbc"), "activity": list("xyyzz"),
    ...                      "value": [5, 5, 5, 5, 5]})
    >>> result = complexity(data)
    >>> result[["rca", "mcp", "eci"]].round(2).head(3).to_dict("list")
    {'rca': [2.5, 1.25, 0.0], 'mcp': [1, 1, 0], 'eci': [1.31, 1.31, 1.31]}
    """
    table = _table(data, region, activity, value, time)
    options = ComplexityOptions(
        threshold=threshold,
        presence_test=presence_test,
        method=method,
        cog_variant=cog_variant,
        conventions=resolve_conventions(conventions, function="complexity"),
    )
    results = run_all(
        table.matrices(),
        options,
        population=_population_aligner(population, options.presence_test),
        relatedness=None if relatedness is None else _relatedness_aligner(relatedness),
    )
    return complexity_frame(results, table, region=region, activity=activity, time=time).rename(
        columns={"value": value}
    )


def complexity_frame(
    results: Iterable[ComplexityResult],
    table: LongTable,
    *,
    region: str = "region",
    activity: str = "activity",
    time: str | None = None,
) -> pd.DataFrame:
    """Stack per-period results into the long output of :func:`complexity`."""
    frames = list(complexity_frames(results, table, region=region, activity=activity, time=time))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def complexity_frames(
    results: Iterable[ComplexityResult],
    table: LongTable,
    *,
    region: str = "region",
    activity: str = "activity",
    time: str | None = None,
) -> Iterator[pd.DataFrame]:
    """One long frame per period, so that large panels can be written out one by one."""
    for result in results:
        yield _result_frame(result, table, region, activity, time)


def _per_row(vector: npt.NDArray[ScalarT], n_columns: int) -> npt.NDArray[ScalarT]:
    """Each element repeated for every column, flattened in row-major order."""
    return np.broadcast_to(vector[:, None], (len(vector), n_columns)).reshape(-1)


def _per_column(vector: npt.NDArray[ScalarT], n_rows: int) -> npt.NDArray[ScalarT]:
    """The whole vector repeated for every row, flattened in row-major order."""
    return np.broadcast_to(vector[None, :], (n_rows, len(vector))).reshape(-1)


def _constant(label: object, length: int, labels: pd.Index) -> npt.NDArray[Any] | pd.Categorical:
    """A column holding one period label: numeric/datetime dtypes kept, text as a categorical."""
    if isinstance(labels.dtype, np.dtype) and labels.dtype.kind in "iufMmb":
        return np.full(length, label, dtype=labels.dtype)
    return pd.Categorical.from_codes(np.full(length, labels.get_loc(label), dtype=np.int32), categories=labels)


def _result_frame(
    result: ComplexityResult, table: LongTable, region: str, activity: str, time: str | None
) -> pd.DataFrame:
    matrix = result.matrix
    n_regions, n_activities = matrix.shape
    region_codes = table.regions.get_indexer(matrix.regions).astype(np.int32)
    activity_codes = table.activities.get_indexer(matrix.activities).astype(np.int32)
    columns: dict[str, object] = {}
    if time is not None and table.periods is not None:  # periods are known whenever there is a time column
        columns[time] = _constant(matrix.period, n_regions * n_activities, table.periods)
    columns[region] = pd.Categorical.from_codes(_per_row(region_codes, n_activities), categories=table.regions)
    columns[activity] = pd.Categorical.from_codes(_per_column(activity_codes, n_regions), categories=table.activities)
    columns["value"] = matrix.values.toarray().ravel()
    columns["rca"] = result.rca.ravel()
    if result.rpop is not None:
        columns["rpop"] = result.rpop.ravel()
    columns["mcp"] = result.mcp.ravel()
    for name in ("diversity", "eci", "coi"):
        columns[name] = _per_row(getattr(result, name), n_activities)
    for name in ("ubiquity", "pci"):
        columns[name] = _per_column(getattr(result, name), n_regions)
    columns["density"] = result.density.ravel()
    columns["cog"] = result.cog.ravel()
    order = [c for c in (time, region, activity) if c is not None]
    rest = list(COMPLEXITY_COLUMNS)
    if result.rpop is not None:
        rest.insert(rest.index("rca") + 1, "rpop")
    return pd.DataFrame({name: columns[name] for name in [*order, *rest]}, copy=False)


def _population_aligner(
    population: pd.Series | None, presence_test: str
) -> Callable[[RegionActivityMatrix], FloatArray] | None:
    if presence_test != "rpop":
        if population is not None:
            raise InvalidInputError("population is only used with presence_test='rpop'; drop it or set that test.")
        return None
    if not isinstance(population, pd.Series):
        raise InvalidInputError(
            "presence_test='rpop' needs population=, a pandas Series of inhabitants indexed "
            "by region (or by (time, region))."
        )

    def align(matrix: RegionActivityMatrix) -> FloatArray:
        series = population
        if isinstance(series.index, pd.MultiIndex):
            if matrix.period not in series.index.get_level_values(0):
                raise UnknownCodeError(f"population has no values for period {matrix.period!r}.")
            series = series.xs(matrix.period, level=0)
        aligned = series.reindex(matrix.regions)
        if aligned.isna().any():
            absent = list(matrix.regions[aligned.isna().to_numpy()][:5])
            raise UnknownCodeError(
                f"population has no value for {int(aligned.isna().sum())} region(s), first "
                f"{absent}; give every region a population."
            )
        return aligned.to_numpy(dtype=np.float64)

    return align


def _relatedness_aligner(relatedness: pd.DataFrame) -> Callable[[RegionActivityMatrix], FloatArray]:
    needed = ["activity_1", "activity_2", "proximity"]
    if not isinstance(relatedness, pd.DataFrame) or not set(needed) <= set(relatedness.columns):
        raise InvalidInputError(f"relatedness must be a DataFrame with columns {needed} (as returned by proximity()).")
    weights = pd.to_numeric(relatedness["proximity"], errors="coerce").to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        bad = relatedness.loc[~(np.isfinite(weights) & (weights >= 0)), needed].head(5)
        raise InvalidInputError(
            f"relatedness has missing, non-numeric, infinite or negative proximity values, "
            f"first rows: {bad.to_dict('records')}."
        )
    if relatedness.duplicated(["activity_1", "activity_2"]).any():
        raise InvalidInputError("relatedness has duplicate (activity_1, activity_2) pairs.")

    def align(matrix: RegionActivityMatrix) -> FloatArray:
        rows = matrix.activities.get_indexer(pd.Index(relatedness["activity_1"]))
        cols = matrix.activities.get_indexer(pd.Index(relatedness["activity_2"]))
        known = (rows >= 0) & (cols >= 0)
        out = np.zeros((len(matrix.activities),) * 2)
        out[rows[known], cols[known]] = weights[known]
        covered = np.zeros(len(matrix.activities), dtype=bool)
        covered[rows[known]] = True
        covered[cols[known]] = True
        if not covered.all():
            absent = list(matrix.activities[~covered][:5])
            raise UnknownCodeError(
                f"relatedness covers no pair for {int((~covered).sum())} activity(ies) of the "
                f"data, first {absent}; extend the relatedness table or drop them."
            )
        return out

    return align


def proximity(
    data: Data,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
    threshold: float = 1.0,
    method: str = "minimum_conditional",
    diagonal: str = "keep",
) -> pd.DataFrame:
    """Activity x activity relatedness from co-location, as a long table.

    Presence is RCA >= ``threshold``.

    Parameters
    ----------
    data : DataFrame, str or Path
        A long table (or the path of a CSV, Parquet or Excel file holding one) with one
        row per region, activity (and time) and a non-negative value.
    region, activity, value : str, default "region", "activity", "value"
        The column names in ``data``.
    time : str, optional
        The time column; without it the table is one cross-section.
    threshold : float, default 1.0
        Presence where RCA >= threshold.
    method : str, default "minimum_conditional"
        ``"minimum_conditional"`` (Hidalgo et al. 2007), ``"cooccurrence"`` (counts) or an
        EconGeo normalisation of the counts (``"association"``, ``"probability"``,
        ``"cosine"``, ``"jaccard"``; diagonal 0).
    diagonal : {"keep", "zero"}, default "keep"
        For the first two methods: ``"keep"`` leaves proximity 1 and co-occurrence =
        ubiquity on the diagonal; ``"zero"`` sets it to 0.

    Returns
    -------
    DataFrame
        ``[time,] activity_1, activity_2, proximity`` with every ordered pair.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
    space conditions the development of nations. *Science* 317(5837), 482-487.

    van Eck, N. J. & Waltman, L. (2009). How to normalize cooccurrence data? An analysis
    of some well-known similarity measures. *Journal of the American Society for Information
    Science and Technology* 60(8), 1635-1651.

    Examples
    --------
    >>> data = pd.DataFrame({"region": list("aabbcc"), "activity": list("xyxyxy"),
    ...                      "value": [3, 1, 1, 3, 2, 2]})
    >>> proximity(data)["proximity"].tolist()
    [1.0, 0.5, 0.5, 1.0]
    """
    check_number(threshold, name="threshold", function="proximity", low=0, low_inclusive=False)
    check_option(method, PROXIMITY_METHODS, name="method", function="proximity")
    check_option(diagonal, DIAGONALS, name="diagonal", function="proximity")
    table = _table(data, region, activity, value, time)
    frames = []
    for matrix in table.matrices():
        presence = _presence(_rca(matrix.values), threshold)
        if method == "minimum_conditional":
            weights = _proximity(presence, diagonal)
        else:
            weights = _co_occurrence(presence)
            if method != "cooccurrence":
                weights = normalise_co_occurrence(weights, method=method)
            elif diagonal == "zero":
                np.fill_diagonal(weights, 0.0)
        codes = table.activities.get_indexer(matrix.activities).astype(np.int32)
        n = len(codes)
        frame = {
            "activity_1": pd.Categorical.from_codes(_per_row(codes, n), categories=table.activities),
            "activity_2": pd.Categorical.from_codes(_per_column(codes, n), categories=table.activities),
            "proximity": weights.ravel(),
        }
        if time is not None and table.periods is not None:
            frame = {time: _constant(matrix.period, n * n, table.periods), **frame}
        frames.append(pd.DataFrame(frame, copy=False))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _per_period(
    data: Data,
    columns: Callable[[RegionActivityMatrix], dict[str, object]],
    *,
    region: str,
    activity: str,
    value: str,
    time: str | None,
) -> pd.DataFrame:
    """One frame per period built by ``columns(matrix)``, with the period column in front."""
    table = _table(data, region, activity, value, time)
    frames = []
    for matrix in table.matrices():
        frame = pd.DataFrame(columns(matrix))
        if time is not None:
            frame.insert(0, time, matrix.period)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def region_measures(matrix: RegionActivityMatrix) -> dict[str, FloatArray]:
    """Per region of one matrix: total, herfindahl, entropy (bits), krugman (against all
    regions), hachman, specialisation_gini (coefficient)."""
    values = matrix.values
    return {
        "total": np.asarray(values.sum(axis=1)).ravel(),
        "herfindahl": herfindahl(values),
        "entropy": entropy(values),
        "krugman": krugman_index(values),
        "hachman": hachman(values),
        "specialisation_gini": specialisation_gini(values),
    }


def region_summary(
    data: Data,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
) -> pd.DataFrame:
    """Region-level specialisation and concentration measures, one row per (time,) region.

    Each column is the function of the same name: :func:`herfindahl`, :func:`entropy`
    (bits), :func:`krugman_index` (against all regions), :func:`hachman` and
    :func:`specialisation_gini` (coefficient).

    Parameters
    ----------
    data : DataFrame, str or Path
        A long table (or the path of a CSV, Parquet or Excel file holding one) with one
        row per region, activity (and time) and a non-negative value.
    region, activity, value : str, default "region", "activity", "value"
        The column names in ``data``.
    time : str, optional
        The time column; without it the table is one cross-section.

    Returns
    -------
    DataFrame
        ``[time,] region, total, herfindahl, entropy, krugman, hachman,
        specialisation_gini``.

    References
    ----------
    Hirschman, A. O. (1945). *National Power and the Structure of Foreign Trade*.
    Berkeley: University of California Press.

    Herfindahl, O. C. (1950). *Concentration in the Steel Industry*. PhD thesis,
    Columbia University.

    Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
    Technical Journal* 27(3), 379-423.

    Krugman, P. (1991). *Geography and Trade*. Cambridge, MA: MIT Press.

    Hachman, F. C. (1995). *Economic Report to the Governor*. Salt Lake City: State of Utah.
    """

    def columns(matrix: RegionActivityMatrix) -> dict[str, object]:
        return {region: matrix.regions, **region_measures(matrix)}

    return _per_period(data, columns, region=region, activity=activity, value=value, time=time)


def activity_summary(
    data: Data,
    *,
    region: str = "region",
    activity: str = "activity",
    value: str = "value",
    time: str | None = None,
) -> pd.DataFrame:
    """Activity-level measures, one row per (time,) activity.

    Parameters
    ----------
    data : DataFrame, str or Path
        A long table (or the path of a CSV, Parquet or Excel file holding one) with one
        row per region, activity (and time) and a non-negative value.
    region, activity, value : str, default "region", "activity", "value"
        The column names in ``data``.
    time : str, optional
        The time column; without it the table is one cross-section.

    Returns
    -------
    DataFrame
        ``[time,] activity, total, locational_gini`` (the Gini coefficient of
        :func:`locational_gini`).

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*, ch. 2. Cambridge, MA: MIT Press.

    Hoover, E. M. (1936). The measurement of industrial localization. *The Review of
    Economic Statistics* 18(4), 162-171.
    """

    def columns(matrix: RegionActivityMatrix) -> dict[str, object]:
        return {
            activity: matrix.activities,
            "total": np.asarray(matrix.values.sum(axis=0)).ravel(),
            "locational_gini": locational_gini(matrix.values),
        }

    return _per_period(data, columns, region=region, activity=activity, value=value, time=time)
