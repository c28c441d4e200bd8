"""Specialisation of regions in activities: shares, RCA / location quotients, presence.

Pure functions on region x activity matrices (rows are regions, columns activities),
dense ``numpy`` arrays or ``scipy.sparse`` matrices. Sparse in, sparse out where the
result keeps the zero pattern of the input.
"""

from __future__ import annotations

from typing import TypeAlias, overload

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from clusterix._validation import (
    ArrayOrSparse,
    FloatArray,
    FloatSparse,
    Matrix,
    Sparse,
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

PresenceMatrix: TypeAlias = npt.NDArray[np.int8] | sp.csr_array[np.int8, tuple[int, int]]
"""Binary presence (0/1 as ``int8``), dense or CSR like the indicator it comes from."""


def _divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Elementwise division that gives 0 where the denominator is 0 (empty rows/columns)."""
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _scale(values: Matrix, row: FloatArray, column: FloatArray) -> Matrix:
    """``values * row[:, None] * column[None, :]`` without densifying sparse input."""
    if isinstance(values, sp.sparray):
        return _scale_sparse(values, row, column)
    return values * row[:, None] * column[None, :]


def _scale_sparse(values: FloatSparse, row: FloatArray, column: FloatArray) -> FloatSparse:
    """:func:`_scale` of a sparse matrix: the same zero pattern, the data scaled."""
    values = sp.csr_array(values)
    rows = np.repeat(np.arange(values.shape[0]), np.diff(values.indptr))
    data = values.data * row[rows] * column[values.indices]
    return sp.csr_array((data, values.indices.copy(), values.indptr.copy()), shape=values.shape)


def _inverse(totals: FloatArray) -> FloatArray:
    return _divide(np.ones_like(totals, dtype=np.float64), totals)


@overload
def shares(values: Sparse, *, axis: str = "region") -> FloatSparse: ...
@overload
def shares(values: npt.ArrayLike, *, axis: str = "region") -> FloatArray: ...
@overload
def shares(values: ArrayOrSparse, *, axis: str = "region") -> Matrix: ...
def shares(values: ArrayOrSparse, *, axis: str = "region") -> Matrix:
    """Shares of each cell in its region's total (``axis="region"``) or activity's total.

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
    axis : {"region", "activity"}, default "region"
        ``"region"`` gives each region's activity mix (rows sum to 1); ``"activity"`` gives
        each activity's distribution over regions (columns sum to 1). A row or column with a
        zero total gives 0.

    Returns
    -------
    (n_regions, n_activities) ndarray or scipy.sparse.csr_array of float64
        The shares; sparse input gives a sparse result with the same zero pattern.

    See Also
    --------
    rca : the ratio of the two shares.

    References
    ----------
    Balassa (1965) builds revealed comparative advantage from these two shares:
    Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage.
    *The Manchester School* 33(2), 99-123.

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


def _row_sums(values: Matrix) -> FloatArray:
    return np.asarray(values.sum(axis=1), dtype=np.float64).ravel()


def _column_sums(values: Matrix) -> FloatArray:
    return np.asarray(values.sum(axis=0), dtype=np.float64).ravel()


@overload
def rca(values: Sparse) -> FloatSparse: ...
@overload
def rca(values: npt.ArrayLike) -> FloatArray: ...
@overload
def rca(values: ArrayOrSparse) -> Matrix: ...
def rca(values: ArrayOrSparse) -> Matrix:
    r"""Balassa's revealed comparative advantage, identical to the location quotient.

    .. math:: RCA_{rp} = \frac{x_{rp} / \sum_{p'} x_{rp'}}{\sum_{r'} x_{r'p} / \sum_{r'p'} x_{r'p'}}

    Regions or activities with a zero total get RCA 0 (they reveal nothing).

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).

    Returns
    -------
    (n_regions, n_activities) ndarray or scipy.sparse.csr_array of float64
        RCA (location quotient) of each region in each activity; 1 is the reference
        area's share. Sparse input gives a sparse result.

    References
    ----------
    Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage.
    *The Manchester School* 33(2), 99-123.

    Examples
    --------
    >>> rca(np.array([[1.0, 3.0], [3.0, 1.0]])).tolist()
    [[0.5, 1.5], [1.5, 0.5]]
    """
    values = check_matrix(values, name="values", function="rca")
    return _rca(values)


def _rca(values: Matrix) -> Matrix:
    row, column = _row_sums(values), _column_sums(values)
    total = row.sum()
    return _scale(values, _inverse(row) * total, _inverse(column))


location_quotient = rca


@overload
def rpop(values: Sparse, population: npt.ArrayLike) -> FloatSparse: ...
@overload
def rpop(values: npt.ArrayLike, population: npt.ArrayLike) -> FloatArray: ...
@overload
def rpop(values: ArrayOrSparse, population: npt.ArrayLike) -> Matrix: ...
def rpop(values: ArrayOrSparse, population: npt.ArrayLike) -> Matrix:
    r"""Population-based revealed comparative advantage (RPOP).

    .. math:: RPOP_{rp} = \frac{x_{rp} / pop_r}{\sum_{r'} x_{r'p} / \sum_{r'} pop_{r'}}

    A region is present in an activity when it has more of it per inhabitant than the
    reference area as a whole (Growth Lab, *Atlas of Economic Complexity*).

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
    population : (n_regions,) array_like
        Positive, finite population (inhabitants) of each region, in row order.

    Returns
    -------
    (n_regions, n_activities) ndarray or scipy.sparse.csr_array of float64
        RPOP of each region in each activity; sparse input gives a sparse result.

    Raises
    ------
    InvalidInputError
        If ``population`` does not have one positive, finite value per region.

    References
    ----------
    Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yıldırım, M. A.
    (2014). *The Atlas of Economic Complexity: Mapping Paths to Prosperity*. Cambridge, MA:
    MIT Press.

    The Growth Lab at Harvard University. ``ecomplexity``, Python package, version 0.5.3.

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


@overload
def presence(indicator: Sparse, *, threshold: float = 1.0) -> sp.csr_array[np.int8, tuple[int, int]]: ...
@overload
def presence(indicator: npt.ArrayLike, *, threshold: float = 1.0) -> npt.NDArray[np.int8]: ...
@overload
def presence(indicator: ArrayOrSparse, *, threshold: float = 1.0) -> PresenceMatrix: ...
def presence(indicator: ArrayOrSparse, *, threshold: float = 1.0) -> PresenceMatrix:
    """Binary presence ``M_rp = 1`` where ``indicator >= threshold`` (RCA, RPOP or LQ).

    Parameters
    ----------
    indicator : (n_regions, n_activities) array_like or scipy.sparse matrix
        A non-negative specialisation indicator, usually :func:`rca` or :func:`rpop`.
    threshold : float, default 1.0
        Presence where ``indicator >= threshold``; must be positive.

    Returns
    -------
    (n_regions, n_activities) ndarray or scipy.sparse.csr_array of int8
        Zeros and ones; sparse input gives a sparse result.

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product
    space conditions the development of nations. *Science* 317(5837), 482-487.

    Examples
    --------
    >>> presence(np.array([[0.5, 1.5], [1.0, 0.2]])).tolist()
    [[0, 1], [1, 0]]
    """
    indicator = check_matrix(indicator, name="indicator", function="presence")
    check_number(threshold, name="threshold", function="presence", low=0, low_inclusive=False)
    return _presence(indicator, threshold)


def _presence(indicator: Matrix, threshold: float) -> PresenceMatrix:
    if isinstance(indicator, sp.sparray):
        binary = (indicator >= threshold).astype(np.int8)
        binary.eliminate_zeros()
        return binary
    return (indicator >= threshold).astype(np.int8)


def _check_region_totals(values: Matrix, function: str) -> None:
    """A region with nothing has no activity mix to compare."""
    empty = np.flatnonzero(_row_sums(values) == 0)
    if empty.size:
        raise InvalidInputError(
            f"The 'values' parameter of {function} has {empty.size} region rows with a zero "
            f"total (first {empty[:5].tolist()}); its structure is undefined. Drop them."
        )


def hachman(values: ArrayOrSparse) -> FloatArray:
    r"""Hachman index of each region: how closely its mix resembles the reference area's.

    .. math:: HI_r = \Big(\sum_p s_{rp}\, LQ_{rp}\Big)^{-1}, \quad s_{rp} = x_{rp} / x_r

    1 means the region's structure equals the reference's; values near 0 mean strong
    specialisation (Hachman 1995; Isserman 1980).

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.

    Returns
    -------
    (n_regions,) ndarray of float64
        The Hachman index of each region, in (0, 1].

    Raises
    ------
    InvalidInputError
        If a region has a zero total.

    References
    ----------
    Hachman, F. C. (1995). *Economic Report to the Governor*. Salt Lake City: State of Utah.

    Benway, D. J. (2020). *Measuring Economic Diversity: The Hachman Index, 2018*.
    Kem C. Gardner Policy Institute, University of Utah.

    Examples
    --------
    >>> hachman(np.array([[1.0, 1.0], [1.0, 1.0]])).tolist()
    [1.0, 1.0]
    """
    values = check_matrix(values, name="values", function="hachman")
    _check_region_totals(values, "hachman")
    mix = as_dense(shares(values, axis="region"))
    reference = _column_sums(values) / _column_sums(values).sum()
    weighted: FloatArray = (mix**2 * _inverse(reference)[None, :]).sum(axis=1)
    return 1.0 / weighted


def krugman_index(values: ArrayOrSparse, *, reference: str = "total") -> FloatArray:
    r"""Krugman specialisation index of each region against a reference mix.

    .. math:: K_r = \sum_p |s_{rp} - s^{ref}_p|

    ``reference="total"`` compares with all regions together (EconGeo's
    ``Krugman.index``); ``"rest"`` with all other regions (Krugman 1991). Ranges over
    [0, 2]; the specialisation coefficient is half of it.

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.
    reference : {"total", "rest"}, default "total"
        The reference mix: all regions together, or all regions but the one compared.

    Returns
    -------
    (n_regions,) ndarray of float64
        The Krugman index of each region, in [0, 2].

    Raises
    ------
    InvalidInputError
        If a region has a zero total.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*. Cambridge, MA: MIT Press.

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
    columns: FloatArray = dense.sum(axis=0)
    ref: FloatArray
    if reference == "total":
        ref = np.broadcast_to(columns / columns.sum(), dense.shape)
    else:
        rest = columns[None, :] - dense
        ref = _divide(rest, rest.sum(axis=1, keepdims=True))
    index: FloatArray = np.abs(mix - ref).sum(axis=1)
    return index


def krugman_dissimilarity(values: ArrayOrSparse) -> FloatArray:
    r"""Pairwise Krugman dissimilarity of regions' activity mixes.

    .. math:: K_{rq} = \sum_p |s_{rp} - s_{qp}|

    Parameters
    ----------
    values : (n_regions, n_activities) array_like or scipy.sparse matrix
        Non-negative sizes (employment, firms, patents, projects, exports) of activities
        (columns) in regions (rows).
        Every region needs a positive total.

    Returns
    -------
    (n_regions, n_regions) ndarray of float64
        Symmetric, with a zero diagonal; 0 means identical structures, 2 means no activity
        in common.

    Raises
    ------
    InvalidInputError
        If a region has a zero total.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*. Cambridge, MA: MIT Press.

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
