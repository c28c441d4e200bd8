"""Specialisation of regions in activities: shares, RCA / location quotients, presence.

Pure functions on region x activity matrices (rows are regions, columns activities),
dense ``numpy`` arrays or ``scipy.sparse`` matrices. Sparse in, sparse out where the
result keeps the zero pattern of the input.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from clusterix._validation import (
    ArrayOrSparse,
    as_dense,
    check_matrix,
    check_number,
    check_option,
    parameter_error,
)
from clusterix.errors import InvalidInputError

__all__ = [
    "hachman",
    "krugman_dissimilarity",
    "krugman_index",
    "location_quotient",
    "presence",
    "rca",
    "rpop",
    "shares",
]

_AXES = ("region", "activity")


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise division that gives 0 where the denominator is 0 (empty rows/columns)."""
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _scale(values: ArrayOrSparse, row: np.ndarray, column: np.ndarray) -> ArrayOrSparse:
    """``values * row[:, None] * column[None, :]`` without densifying sparse input."""
    if sp.issparse(values):
        values = sp.csr_array(values)
        rows = np.repeat(np.arange(values.shape[0]), np.diff(values.indptr))
        data = values.data * row[rows] * column[values.indices]
        return sp.csr_array((data, values.indices.copy(), values.indptr.copy()), shape=values.shape)
    return values * row[:, None] * column[None, :]


def _inverse(totals: np.ndarray) -> np.ndarray:
    return _divide(np.ones_like(totals, dtype=np.float64), totals)


def shares(values: ArrayOrSparse, *, axis: str = "region") -> ArrayOrSparse:
    """Shares of each cell in its region's total (``axis="region"``) or activity's total.

    Parameters
    ----------
    values : (n_regions, n_activities) array or sparse matrix of non-negative sizes.
    axis : ``"region"`` gives each region's activity mix (rows sum to 1);
        ``"activity"`` gives each activity's distribution over regions (columns sum to 1).

    Examples
    --------
    >>> shares(np.array([[1.0, 3.0], [2.0, 2.0]])).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    values = check_matrix(values, name="values", function="shares")
    check_option(axis, _AXES, name="axis", function="shares")
    n_regions, n_activities = values.shape
    if axis == "region":
        return _scale(values, _inverse(_row_sums(values)), np.ones(n_activities))
    return _scale(values, np.ones(n_regions), _inverse(_column_sums(values)))


def _row_sums(values: ArrayOrSparse) -> np.ndarray:
    return np.asarray(values.sum(axis=1)).ravel()


def _column_sums(values: ArrayOrSparse) -> np.ndarray:
    return np.asarray(values.sum(axis=0)).ravel()


def rca(values: ArrayOrSparse) -> ArrayOrSparse:
    r"""Balassa's revealed comparative advantage, identical to the location quotient.

    .. math:: RCA_{rp} = \frac{x_{rp} / \sum_{p'} x_{rp'}}{\sum_{r'} x_{r'p} / \sum_{r'p'} x_{r'p'}}

    Regions or activities with a zero total get RCA 0 (they reveal nothing).

    References
    ----------
    Balassa, B. (1965). Trade liberalisation and revealed comparative advantage.
    The Manchester School 33(2), 99-123.

    Examples
    --------
    >>> rca(np.array([[1.0, 3.0], [3.0, 1.0]])).tolist()
    [[0.5, 1.5], [1.5, 0.5]]
    """
    values = check_matrix(values, name="values", function="rca")
    return _rca(values)


def _rca(values: ArrayOrSparse) -> ArrayOrSparse:
    row, column = _row_sums(values), _column_sums(values)
    total = row.sum()
    return _scale(values, _inverse(row) * total, _inverse(column))


location_quotient = rca


def rpop(values: ArrayOrSparse, population: np.ndarray) -> ArrayOrSparse:
    r"""Population-based revealed comparative advantage (RPOP).

    .. math:: RPOP_{rp} = \frac{x_{rp} / pop_r}{\sum_{r'} x_{r'p} / \sum_{r'} pop_{r'}}

    A region is present in an activity when it has more of it per inhabitant than the
    reference area as a whole (Growth Lab, *Atlas of Economic Complexity*).

    Examples
    --------
    >>> rpop(np.array([[1.0, 3.0], [3.0, 1.0]]), np.array([1.0, 3.0])).tolist()
    [[1.0, 3.0], [1.0, 0.3333333333333333]]
    """
    values = check_matrix(values, name="values", function="rpop")
    population = np.asarray(population, dtype=np.float64)
    if population.shape != (values.shape[0],):
        raise parameter_error(
            "population",
            "rpop",
            f"a vector of {values.shape[0]} region populations",
            f"shape {population.shape}",
        )
    if not np.all(np.isfinite(population)) or np.any(population <= 0):
        bad = np.flatnonzero(~np.isfinite(population) | (population <= 0))[:5].tolist()
        raise InvalidInputError(
            f"The 'population' parameter of rpop must be positive and finite; "
            f"regions at positions {bad} are not. Drop those regions or fix their population."
        )
    return _scale(values, 1.0 / population * population.sum(), _inverse(_column_sums(values)))


def presence(indicator: ArrayOrSparse, *, threshold: float = 1.0) -> ArrayOrSparse:
    """Binary presence ``M_rp = 1`` where ``indicator >= threshold`` (RCA, RPOP or LQ).

    Returns ``int8`` zeros and ones; sparse input gives a sparse result.

    Examples
    --------
    >>> presence(np.array([[0.5, 1.5], [1.0, 0.2]])).tolist()
    [[0, 1], [1, 0]]
    """
    indicator = check_matrix(indicator, name="indicator", function="presence")
    check_number(threshold, name="threshold", function="presence", low=0, low_inclusive=False)
    return _presence(indicator, threshold)


def _presence(indicator: ArrayOrSparse, threshold: float) -> ArrayOrSparse:
    if sp.issparse(indicator):
        binary = sp.csr_array(indicator >= threshold, dtype=np.int8)
        binary.eliminate_zeros()
        return binary
    return (indicator >= threshold).astype(np.int8)


def _check_region_totals(values: ArrayOrSparse, function: str) -> None:
    """A region with nothing has no activity mix to compare."""
    empty = np.flatnonzero(_row_sums(values) == 0)
    if empty.size:
        raise InvalidInputError(
            f"The 'values' parameter of {function} has {empty.size} region rows with a zero "
            f"total (first {empty[:5].tolist()}); its structure is undefined. Drop them."
        )


def hachman(values: ArrayOrSparse) -> np.ndarray:
    r"""Hachman index of each region: how closely its mix resembles the reference area's.

    .. math:: HI_r = \Big(\sum_p s_{rp}\, LQ_{rp}\Big)^{-1}, \quad s_{rp} = x_{rp} / x_r

    1 means the region's structure equals the reference's; values near 0 mean strong
    specialisation (Hachman 1995; Isserman 1980).

    Examples
    --------
    >>> hachman(np.array([[1.0, 1.0], [1.0, 1.0]])).tolist()
    [1.0, 1.0]
    """
    values = check_matrix(values, name="values", function="hachman")
    _check_region_totals(values, "hachman")
    mix = as_dense(shares(values, axis="region"))
    reference = _column_sums(values) / _column_sums(values).sum()
    return 1.0 / (mix**2 * _inverse(reference)[None, :]).sum(axis=1)


def krugman_index(values: ArrayOrSparse, *, reference: str = "total") -> np.ndarray:
    r"""Krugman specialisation index of each region against a reference mix.

    .. math:: K_r = \sum_p |s_{rp} - s^{ref}_p|

    ``reference="total"`` compares with all regions together (EconGeo's
    ``Krugman.index``); ``"rest"`` with all other regions (Krugman 1991). Ranges over
    [0, 2]; the specialisation coefficient is half of it.

    Examples
    --------
    >>> krugman_index(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
    [1.0, 1.0]
    """
    values = check_matrix(values, name="values", function="krugman_index")
    _check_region_totals(values, "krugman_index")
    check_option(reference, ("total", "rest"), name="reference", function="krugman_index")
    dense = as_dense(values)
    mix = as_dense(shares(dense, axis="region"))
    columns = dense.sum(axis=0)
    if reference == "total":
        ref = np.broadcast_to(columns / columns.sum(), dense.shape)
    else:
        rest = columns[None, :] - dense
        ref = _divide(rest, rest.sum(axis=1, keepdims=True))
    return np.abs(mix - ref).sum(axis=1)


def krugman_dissimilarity(values: ArrayOrSparse) -> np.ndarray:
    r"""Pairwise Krugman dissimilarity of regions' activity mixes.

    .. math:: K_{rq} = \sum_p |s_{rp} - s_{qp}|

    Returns a symmetric (n_regions, n_regions) array with a zero diagonal; 0 means
    identical structures, 2 means no activity in common.

    Examples
    --------
    >>> krugman_dissimilarity(np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 2.0]])).tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 2.0], [1.0, 2.0, 0.0]]
    """
    values = check_matrix(values, name="values", function="krugman_dissimilarity")
    _check_region_totals(values, "krugman_dissimilarity")
    mix = as_dense(shares(values, axis="region"))
    out = np.empty((mix.shape[0], mix.shape[0]))
    for index, row in enumerate(mix):
        out[index] = np.abs(mix - row).sum(axis=1)
    return out
