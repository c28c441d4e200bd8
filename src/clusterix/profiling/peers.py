"""Peer regions: the regions most similar in structure, and aspirational peers.

In the spirit of the JRC regional benchmarking tool (Navarro et al. 2014): each
structural indicator is z-scored, regions are compared by a distance over the
standardised indicators, and the nearest ones are a region's peers. Aspirational peers
are the nearest regions with a higher value of one indicator (typically ECI).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist, pdist, squareform

from clusterix._validation import check_number, check_option, parameter_error
from clusterix.errors import InvalidInputError, UnknownCodeError

__all__ = ["METRICS", "STANDARDISATION_DDOF", "peer_matrix", "peer_regions", "standardise"]

METRICS = ("euclidean", "mahalanobis", "cosine")
STANDARDISATION_DDOF = 0  # population standard deviation, as for the ECI z-scores


def _check_indicators(indicators: Any, function: str) -> np.ndarray:
    """Numeric, finite, non-constant indicator table with unique region labels."""
    if not isinstance(indicators, pd.DataFrame):
        raise parameter_error("indicators", function, "a pandas DataFrame (index = region)", type(indicators).__name__)
    if indicators.shape[0] < 2 or indicators.shape[1] < 1:
        raise parameter_error(
            "indicators", function, "a table of at least 2 regions and 1 indicator", f"shape {indicators.shape}"
        )
    duplicated = indicators.index[indicators.index.duplicated()]
    if len(duplicated):
        raise InvalidInputError(
            f"The 'indicators' parameter of {function} has duplicate regions {list(duplicated[:5])}; "
            "each region needs exactly one row."
        )
    not_numeric = [c for c in indicators.columns if not pd.api.types.is_numeric_dtype(indicators[c])]
    if not_numeric or any(pd.api.types.is_bool_dtype(indicators[c]) for c in indicators.columns):
        raise InvalidInputError(
            f"The 'indicators' parameter of {function} must hold numbers only; columns "
            f"{not_numeric or 'of boolean dtype'} do not. Convert or drop them."
        )
    values = indicators.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        rows, cols = np.nonzero(bad)
        cells = [(indicators.index[r], indicators.columns[c]) for r, c in zip(rows[:5], cols[:5], strict=True)]
        raise InvalidInputError(
            f"The 'indicators' parameter of {function} has {int(bad.sum())} NaN or infinite values "
            f"(first (region, indicator): {cells}). Impute them or drop those regions or indicators."
        )
    constant = [indicators.columns[j] for j in np.flatnonzero(np.ptp(values, axis=0) == 0)]
    if constant:
        raise InvalidInputError(
            f"The 'indicators' parameter of {function} has constant indicators {constant}: they cannot be "
            "standardised and say nothing about similarity. Drop them, e.g. "
            "indicators.drop(columns=[...])."
        )
    return values


def standardise(indicators: pd.DataFrame) -> pd.DataFrame:
    r"""Z-scores of each indicator across regions, with the population standard deviation.

    .. math:: z_{rj} = \frac{x_{rj} - \bar x_j}{s_j}, \quad
              s_j = \sqrt{\tfrac{1}{n} \sum_r (x_{rj} - \bar x_j)^2}

    Raises
    ------
    InvalidInputError
        Not a DataFrame, duplicate regions, non-numeric, NaN or constant indicators.

    Examples
    --------
    >>> standardise(pd.DataFrame({"size": [1.0, 3.0]}, index=["A", "B"]))["size"].tolist()
    [-1.0, 1.0]
    """
    values = _check_indicators(indicators, "standardise")
    return pd.DataFrame(_standardise(values), index=indicators.index, columns=indicators.columns)


def _standardise(values: np.ndarray) -> np.ndarray:
    return (values - values.mean(axis=0)) / values.std(axis=0, ddof=STANDARDISATION_DDOF)


def _weights(weights: Any, columns: pd.Index, function: str) -> np.ndarray:
    if weights is None:
        return np.ones(len(columns))
    if isinstance(weights, Mapping | pd.Series):
        weights = pd.Series(weights, dtype=np.float64)
        unknown = [c for c in weights.index if c not in columns]
        if unknown:
            raise UnknownCodeError(
                f"The 'weights' parameter of {function} names indicators {unknown} that are not columns "
                f"of 'indicators' ({list(columns)[:10]})."
            )
        vector = weights.reindex(columns).to_numpy(dtype=np.float64, na_value=np.nan)
        missing = [columns[j] for j in np.flatnonzero(np.isnan(vector))]
        if missing:
            raise InvalidInputError(
                f"The 'weights' parameter of {function} has no weight for indicators {missing}; give one "
                "per indicator (0 to ignore an indicator)."
            )
    else:
        vector = np.asarray(weights, dtype=np.float64)
        if vector.shape != (len(columns),):
            raise parameter_error(
                "weights", function, f"a mapping or a vector of {len(columns)} weights", f"shape {vector.shape}"
            )
    if not np.all(np.isfinite(vector)) or np.any(vector < 0) or not np.any(vector > 0):
        raise parameter_error("weights", function, "finite, non-negative and not all zero", vector.tolist())
    return vector


def _prepare(indicators: Any, metric: str, weights: Any, function: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Standardised, weight-scaled values plus the keyword arguments of scipy's distance."""
    values = _check_indicators(indicators, function)
    check_option(metric, METRICS, name="metric", function=function)
    vector = _weights(weights, indicators.columns, function)
    z = _standardise(values)
    if metric == "mahalanobis":
        if weights is not None:
            raise InvalidInputError(
                f"The 'weights' parameter of {function} cannot be used with metric='mahalanobis': "
                "the Mahalanobis distance is invariant to rescaling indicators. Use 'euclidean'."
            )
        covariance = np.atleast_2d(np.cov(z, rowvar=False, ddof=STANDARDISATION_DDOF))
        rank = np.linalg.matrix_rank(covariance)
        if rank < covariance.shape[0]:
            raise InvalidInputError(
                f"The indicators of {function} are collinear (rank {rank} of {covariance.shape[0]}; "
                f"{z.shape[0]} regions), so the Mahalanobis distance is undefined. Drop redundant "
                "indicators or use metric='euclidean'."
            )
        return z, vector, {"VI": np.linalg.inv(covariance)}
    scaled = z * np.sqrt(vector)[None, :]
    if metric == "cosine":
        flat = np.flatnonzero(np.linalg.norm(scaled, axis=1) == 0)
        if flat.size:
            raise InvalidInputError(
                f"Regions {list(indicators.index[flat[:5]])} sit exactly at the mean of every indicator, so "
                f"their cosine distance in {function} is undefined. Use metric='euclidean'."
            )
    return scaled, vector, {}


def peer_matrix(indicators: pd.DataFrame, *, metric: str = "euclidean", weights: Any = None) -> pd.DataFrame:
    r"""Distance between every pair of regions over their standardised indicators.

    ``euclidean``: :math:`d_{rq} = \sqrt{\sum_j w_j (z_{rj} - z_{qj})^2}`;
    ``cosine``: one minus the cosine of the weight-scaled z-score vectors;
    ``mahalanobis``: :math:`\sqrt{(z_r - z_q)^T \Sigma^{-1} (z_r - z_q)}` with
    :math:`\Sigma` the correlation matrix of the indicators (no weights).

    Returns
    -------
    DataFrame (n_regions, n_regions), symmetric with a zero diagonal, indexed and
    labelled by region.

    Examples
    --------
    >>> table = pd.DataFrame({"size": [0.0, 1.0, 3.0]}, index=["A", "B", "C"])
    >>> peer_matrix(table).round(3).to_numpy().tolist()
    [[0.0, 0.802, 2.405], [0.802, 0.0, 1.604], [2.405, 1.604, 0.0]]
    """
    z, _, options = _prepare(indicators, metric, weights, "peer_matrix")
    distances = squareform(pdist(z, metric=metric, **options))
    return pd.DataFrame(distances, index=indicators.index.copy(), columns=indicators.index.copy())


def peer_regions(
    indicators: pd.DataFrame,
    region: Hashable,
    *,
    k: int = 10,
    metric: str = "euclidean",
    weights: Any = None,
    aspirational_by: Hashable | None = None,
) -> pd.DataFrame:
    r"""The ``k`` regions nearest to ``region`` over standardised structural indicators.

    Parameters
    ----------
    indicators : DataFrame (n_regions, n_indicators)
        Index = region codes, columns = indicators (log size, diversity, ECI, entropy,
        specialisation shares ...). Every indicator is z-scored with the population
        standard deviation (``ddof=0``) before distances are taken.
    region : the region whose peers are wanted; must be in the index.
    k : int >= 1, the number of peers; fewer are returned when fewer qualify.
    metric : ``"euclidean"`` (default), ``"mahalanobis"`` or ``"cosine"``, see
        :func:`peer_matrix`.
    weights : mapping indicator -> weight, or a vector in column order, non-negative;
        multiplies each squared standardised difference (not with ``mahalanobis``).
    aspirational_by : an indicator column; keep only peers with a strictly higher value
        of it than ``region`` ("aspirational peers": similar structure, higher ECI).

    Returns
    -------
    DataFrame indexed by peer region (name ``"peer"``), nearest first, with columns
    ``rank`` (1 = nearest), ``distance``, ``similar_on`` (indicator names ordered from
    the smallest absolute standardised difference to the largest) and one column
    ``gap_<indicator>`` per indicator holding :math:`|z_{peer,j} - z_{region,j}|`.
    Ties in distance are broken by the peers' labels. The region is never its own peer.

    Raises
    ------
    UnknownCodeError
        ``region`` or ``aspirational_by`` is not in the table.
    InvalidInputError
        NaN, non-numeric or constant indicators, bad ``k``, ``metric`` or ``weights``.

    References
    ----------
    Navarro, C., Gibaja, J. J., Franco, S., Murciego, A., Gianelle, C., Hegyi, F. B.
    & Kleibrink, A. (2014). Regional benchmarking in the smart
    specialisation process: identification of reference regions based on structural
    similarity. S3 Working Paper 03/2014, JRC-IPTS.

    Examples
    --------
    >>> table = pd.DataFrame({"size": [0.0, 1.0, 3.0], "eci": [0.0, 1.0, 2.0]}, index=["A", "B", "C"])
    >>> peer_regions(table, "B", k=1).index.tolist()
    ['A']
    >>> peer_regions(table, "B", k=1, aspirational_by="eci").index.tolist()
    ['C']
    """
    check_number(k, name="k", function="peer_regions", low=1, integer=True)
    z, vector, options = _prepare(indicators, metric, weights, "peer_regions")
    labels = indicators.index
    if region not in labels:
        raise UnknownCodeError(
            f"Region {region!r} is not in the indicator table of peer_regions ({len(labels)} regions, "
            f"e.g. {list(labels[:5])})."
        )
    position = labels.get_loc(region)
    distances = cdist(z[position : position + 1], z, metric=metric, **options)[0]
    candidate = np.ones(len(labels), dtype=bool)
    candidate[position] = False
    if aspirational_by is not None:
        if aspirational_by not in indicators.columns:
            raise UnknownCodeError(
                f"The 'aspirational_by' parameter of peer_regions names {aspirational_by!r}, which is not an "
                f"indicator column ({list(indicators.columns)[:10]})."
            )
        level = indicators[aspirational_by].to_numpy(dtype=np.float64)
        candidate &= level > level[position]
    chosen = np.flatnonzero(candidate)
    order = sorted(chosen.tolist(), key=lambda i: (distances[i], str(labels[i])))[:k]
    standardised = _standardise(indicators.to_numpy(dtype=np.float64))
    gaps = np.abs(standardised[order] - standardised[position][None, :])
    names = [str(c) for c in indicators.columns]
    frame = pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1),
            "distance": distances[order],
            "similar_on": [_similar_on(row, names) for row in gaps],
        },
        index=pd.Index(labels[order], name="peer"),
    )
    for j, name in enumerate(names):
        frame[f"gap_{name}"] = gaps[:, j]
    return frame


def _similar_on(gaps: np.ndarray, names: Sequence[str]) -> str:
    """Indicator names from the smallest standardised gap to the largest (stable on ties)."""
    return ", ".join(names[j] for j in np.argsort(gaps, kind="stable"))
