"""One contract for every public function: the uniform error on bad matrices, and docstrings."""

from __future__ import annotations

import contextlib
import inspect

import numpy as np
import pytest

import clusterix
from clusterix import AmbiguousResultError, InvalidInputError, NotConvergedError, indicators

# First-parameter names of the pure functions that take a region x activity (or activity x
# activity) matrix; the DataFrame functions take ``data``.
MATRIX_PARAMETERS = {"values", "presence", "indicator", "counts"}

# Valid extra positional arguments, for a 3 x 3 matrix, of the functions that need them.
EXTRA_ARGUMENTS = {
    "rpop": (np.ones(3),),
    "entropy_decomposition": ([["a", "a", "b"]],),
    "related_variety": (["a", "a", "b"],),
    "unrelated_variety": (["a", "a", "b"],),
    "relatedness_density": (np.eye(3),),
    "complexity_outlook_index": (np.ones((3, 3)), np.ones(3)),
    "complexity_outlook_gain": (np.eye(3), np.ones(3)),
}


def matrix_functions() -> list[tuple[str, object]]:
    found = []
    for name in indicators.__all__:
        obj = getattr(indicators, name)
        if not inspect.isfunction(obj):
            continue
        first = next(iter(inspect.signature(obj).parameters))
        if first in MATRIX_PARAMETERS:
            found.append((name, obj))
    return found


FUNCTIONS = matrix_functions()


def test_the_loop_finds_every_matrix_function() -> None:
    names = {name for name, _ in FUNCTIONS}
    assert len(names) >= 25
    assert {"rca", "presence", "eci_pci", "normalise_co_occurrence", "complexity_outlook_gain"} <= names
    assert not names & {"complexity", "proximity", "region_summary", "activity_summary"}


BAD_MATRICES = {
    "negative": (np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [1.0, 1.0, 1.0]]), "negative values at"),
    "nan": (np.array([[1.0, 2.0, 0.0], [0.0, np.nan, 1.0], [1.0, 1.0, 1.0]]), "NaN or infinite"),
    "one-dimensional": (np.array([1.0, 2.0, 3.0]), "must be a 2-D matrix"),
}


@pytest.mark.parametrize("case", list(BAD_MATRICES), ids=list(BAD_MATRICES))
@pytest.mark.parametrize(
    ("name", "function"),
    [pytest.param(name, function, id=name) for name, function in FUNCTIONS],
)
def test_uniform_error_on_a_bad_matrix(name: str, function, case: str) -> None:
    matrix, what = BAD_MATRICES[case]
    parameter = next(iter(inspect.signature(function).parameters))
    with pytest.raises(InvalidInputError) as raised:
        function(matrix, *EXTRA_ARGUMENTS.get(name, ()))
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert message.startswith("The '"), message
    assert message.startswith(f"The {parameter!r} parameter of {function.__name__} "), message
    if function.__name__ != name:  # an alias such as location_quotient = rca
        assert function is getattr(indicators, function.__name__)
    assert what in message
    if case != "one-dimensional":
        assert "(1, 1)" in message  # the first offending (row, column)


@pytest.mark.parametrize(
    ("name", "function"),
    [pytest.param(name, function, id=name) for name, function in FUNCTIONS],
)
def test_a_valid_three_by_three_matrix_is_accepted(name: str, function) -> None:
    # Guards the loop above: the extra arguments are valid, so an error there is the matrix's.
    # (A numerical failure such as fitness not converging on this nested chain is not about
    # the input contract.)
    matrix = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
    with contextlib.suppress(NotConvergedError, AmbiguousResultError):
        function(matrix, *EXTRA_ARGUMENTS.get(name, ()))


def _documented(obj) -> bool:
    doc = inspect.getdoc(obj)
    return bool(doc and doc.strip())


@pytest.mark.parametrize(
    ("namespace", "name"),
    [("clusterix", name) for name in clusterix.__all__]
    + [("clusterix.indicators", name) for name in indicators.__all__],
)
def test_every_public_name_has_a_docstring(namespace: str, name: str) -> None:
    module = clusterix if namespace == "clusterix" else indicators
    obj = getattr(module, name)
    if name == "__version__":
        assert isinstance(obj, str) and obj.count(".") >= 1
        return
    # a preset instance such as GROWTH_LAB: its class must be documented
    documented_itself = inspect.ismodule(obj) or inspect.isclass(obj) or callable(obj)
    target = obj if documented_itself else type(obj)
    # Functions and classes need their own docstring, not one inherited from a base class.
    own = target.__doc__ if inspect.isclass(target) else getattr(target, "__doc__", None)
    assert own and own.strip(), f"{namespace}.{name} has no docstring"
    assert _documented(target)


def test_all_lists_only_existing_names() -> None:
    for module in (clusterix, indicators):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing
        assert len(set(module.__all__)) == len(module.__all__)
