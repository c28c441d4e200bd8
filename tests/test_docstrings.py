"""Numpydoc sections on the public functions: every use case of the application layer and every
public indicator documents its parameters and what it returns; indicators cite their paper."""

from __future__ import annotations

import importlib
import inspect

import pytest

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc comes with the dev extra").validate

import clusterix.indicators as indicators  # noqa: E402

USE_CASE_MODULES = (
    "clusterix.app.datasets",
    "clusterix.app.regions",
    "clusterix.app.profile",
    "clusterix.app.peers",
    "clusterix.app.complementarity",
    "clusterix.app.partners",
)
CHECKED = ("PR01", "PR02", "RT01")  # a parameter undocumented, an unknown one documented, no Returns
# Indicators whose docstrings predate the numpydoc check (Parameters/Returns/References still to be
# written in that form); the list may only shrink: a new indicator without the sections fails.
NOT_YET = {
    "co_occurrence", "complexity", "complexity_outlook_gain", "complexity_outlook_index", "complexity_vectors",
    "diversity", "eci_pci", "entropy", "entropy_decomposition", "fitness_complexity", "hachman", "herfindahl",
    "krugman_dissimilarity", "krugman_index", "locational_gini", "location_quotient", "normalise_co_occurrence",
    "presence", "proximity", "proximity_matrix", "rca", "reflections", "region_summary", "related_variety",
    "relatedness_density", "rpop", "shares", "specialisation_gini", "ubiquity", "unrelated_variety",
    "activity_summary", "complexity_frame", "complexity_frames",
}  # fmt: skip


def _functions(module: object, names: list[str]) -> list[tuple[str, object]]:
    return [(name, getattr(module, name)) for name in names if inspect.isfunction(getattr(module, name))]


def _problems(function: object) -> list[str]:
    result = validate(f"{function.__module__}.{function.__qualname__}")
    return [f"{code}: {message}" for code, message in result["errors"] if code in CHECKED]


USE_CASES = [
    (f"{module}.{name}", function)
    for module in USE_CASE_MODULES
    for name, function in _functions(importlib.import_module(module), importlib.import_module(module).__all__)
]


@pytest.mark.parametrize(("name", "function"), USE_CASES, ids=[name for name, _ in USE_CASES])
def test_every_use_case_documents_its_parameters_and_result(name, function) -> None:
    assert not _problems(function), f"{name}: {_problems(function)}"


INDICATORS = _functions(indicators, list(indicators.__all__))


@pytest.mark.parametrize(("name", "function"), INDICATORS, ids=[name for name, _ in INDICATORS])
def test_every_indicator_documents_parameters_result_and_reference(name, function) -> None:
    if name in NOT_YET:
        pytest.skip(f"{name}: numpydoc sections not written yet (listed in NOT_YET)")
    problems = _problems(function)
    assert not problems, f"{name}: {problems}"
    assert "References" in (function.__doc__ or ""), f"{name}: no References section (cite the paper)"


def test_the_not_yet_list_only_names_indicators_that_still_lack_sections() -> None:
    done = [
        name
        for name, function in INDICATORS
        if name in NOT_YET and not _problems(function) and "References" in (function.__doc__ or "")
    ]
    assert not done, f"{done} now have their sections: remove them from NOT_YET"


def undocumented(values, scale=1.0):
    """A function with neither Parameters nor Returns: the case the check must catch."""
    return values * scale


def test_the_check_notices_a_missing_section() -> None:
    codes = {problem.split(":")[0] for problem in _problems(undocumented)}
    assert {"PR01", "RT01"} <= codes
