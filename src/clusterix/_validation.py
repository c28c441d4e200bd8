"""Boundary checks with one message shape.

``The 'x' parameter of f must be <what>. Got <value> instead.`` Public functions call
these once; private helpers may assume valid input.
"""

from __future__ import annotations

import codecs
import math
import numbers
from collections.abc import Collection
from typing import Any, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from clusterix.errors import InvalidInputError

FloatArray: TypeAlias = npt.NDArray[np.float64]
"""A dense float64 array (a vector or a matrix)."""
FloatSparse: TypeAlias = sp.csr_array[np.float64, tuple[int, int]]
"""A sparse float64 matrix in CSR format."""
Matrix: TypeAlias = FloatArray | FloatSparse
"""A checked matrix (:func:`check_matrix`): 2-D, finite, non-negative float64, dense or CSR."""
Sparse: TypeAlias = sp.sparray | sp.spmatrix
"""Any ``scipy.sparse`` array or matrix."""
ArrayOrSparse: TypeAlias = npt.ArrayLike | Sparse
"""What the public functions accept as a matrix: anything ``numpy`` reads as an array, or a
``scipy.sparse`` array or matrix."""


def parameter_error(name: str, function: str, expected: str, got: Any) -> InvalidInputError:
    """Build the one error message used for every bad parameter."""
    return InvalidInputError(f"The {name!r} parameter of {function} must be {expected}. Got {got!r} instead.")


def check_option(value: Any, options: Collection[Any], *, name: str, function: str) -> Any:
    """Return ``value`` if it is one of ``options``, else raise naming all of them."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise parameter_error(name, function, f"one of {listed}", value)
    return value


def check_encoding(encoding: Any, *, function: str) -> str:
    """Return ``encoding`` if Python knows the text encoding (``codecs.lookup``), else raise."""
    if isinstance(encoding, str):
        try:
            codecs.lookup(encoding)
        except LookupError:
            pass
        else:
            return encoding
    raise parameter_error(
        "encoding", function, "a known text encoding such as 'utf-8', 'latin-1', 'cp1252' or 'utf-16'", encoding
    )


def check_number(
    value: Any,
    *,
    name: str,
    function: str,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    integer: bool = False,
) -> float | int:
    """Return ``value`` if it is a finite real (or integer) number within the bounds."""
    kind = "an int" if integer else "a real number"
    wanted = numbers.Integral if integer else numbers.Real
    interval = f"{'[' if low_inclusive else '('}{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    if isinstance(value, bool) or not isinstance(value, wanted):
        raise parameter_error(name, function, f"{kind} in {interval}", value)
    number = float(value)
    if not math.isfinite(number):
        raise parameter_error(name, function, f"a finite {kind[2:]} in {interval}", value)
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    too_high = high is not None and number > high
    if too_low or too_high:
        raise parameter_error(name, function, f"{kind} in {interval}", value)
    # numbers.Real/Integral are ABCs (numpy scalars register with them): to callers, a float or an int
    return cast("float | int", value)


def as_csr(matrix: Sparse) -> FloatSparse:
    """``matrix`` as a float64 CSR array (no copy when it already is one)."""
    # scipy-stubs has no overload for "any sparse input, converted to float64": the call is
    # typed through Any and its result named.
    return cast(FloatSparse, sp.csr_array(cast(Any, matrix), dtype=np.float64))


def check_matrix(matrix: object, *, name: str, function: str, square: bool = False) -> Matrix:
    """Return ``matrix`` as a 2-D, finite, non-negative float matrix (dense or sparse).

    The result may share memory with the caller's object; callers never modify it.
    """
    values: Matrix
    data: FloatArray
    if isinstance(matrix, sp.sparray | sp.spmatrix):  # every scipy.sparse type is one of the two
        values = as_csr(matrix)
        data = values.data
    else:
        try:
            values = np.asarray(matrix, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise parameter_error(name, function, "a 2-D numeric matrix", type(matrix).__name__) from error
        data = values
    if values.ndim != 2:
        raise parameter_error(name, function, "a 2-D matrix", f"an array of shape {values.shape}")
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise parameter_error(name, function, "a non-empty matrix", f"shape {values.shape}")
    if square and values.shape[0] != values.shape[1]:
        raise parameter_error(name, function, "a square matrix", f"shape {values.shape}")
    if not np.all(np.isfinite(data)):
        where = _first_positions(~np.isfinite(as_dense(values)))
        raise InvalidInputError(
            f"The {name!r} parameter of {function} contains NaN or infinite values at "
            f"(row, column) {where}. Fill or drop them before computing indicators."
        )
    if np.any(data < 0):
        where = _first_positions(as_dense(values) < 0)
        raise InvalidInputError(
            f"The {name!r} parameter of {function} contains negative values at "
            f"(row, column) {where}. Indicators need non-negative sizes."
        )
    return values


def _first_positions(mask: npt.NDArray[np.bool_], limit: int = 5) -> list[tuple[int, int]]:
    rows, cols = np.nonzero(mask)
    return [(int(r), int(c)) for r, c in zip(rows[:limit], cols[:limit], strict=True)]


def as_dense(matrix: ArrayOrSparse) -> FloatArray:
    """Dense float64 view of a dense or sparse matrix."""
    if isinstance(matrix, sp.sparray | sp.spmatrix):
        return as_csr(matrix).toarray()
    return np.asarray(matrix, dtype=np.float64)
