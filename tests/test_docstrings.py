"""Numpydoc sections on the public functions: every public indicator and every use case of the
application layer documents its parameters and what it returns; indicators cite their paper.

Checked with ``numpydoc.validate`` (the dev extra): PR01 (a parameter is not documented), PR02
(a documented parameter does not exist) and RT01 (no Returns section). The other numpydoc
checks (summary style, punctuation, See Also) are not enforced.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

validation = pytest.importorskip("numpydoc.validate", reason="numpydoc comes with the dev extra")

CHECKED = ("PR01", "PR02", "RT01")  # a parameter undocumented, an unknown one documented, no Returns
# The use-case modules of the application layer, checked besides the names in clusterix.app.__all__.
USE_CASE_MODULES = (
    "clusterix.app.datasets",
    "clusterix.app.regions",
    "clusterix.app.profile",
    "clusterix.app.peers",
    "clusterix.app.complementarity",
    "clusterix.app.partners",
)


def public_functions(module_name: str) -> list[str]:
    """Dotted names of the functions in ``module_name.__all__`` (classes and constants left out)."""
    module = importlib.import_module(module_name)
    return sorted(
        f"{module_name}.{name}" for name in getattr(module, "__all__", []) if inspect.isfunction(getattr(module, name))
    )


def problems(dotted_name: str) -> list[str]:
    """The checked numpydoc errors of one function, as ``CODE: message``."""
    report = validation.validate(dotted_name)
    return [f"{code}: {message}" for code, message in report["errors"] if code in CHECKED]


def _short(names: list[str]) -> list[str]:
    return [name.removeprefix("clusterix.") for name in names]


INDICATORS = public_functions("clusterix.indicators")


def test_the_indicators_have_public_functions_to_check() -> None:
    assert len(INDICATORS) >= 25
    assert "clusterix.indicators.rca" in INDICATORS and "clusterix.indicators.complexity" in INDICATORS


@pytest.mark.parametrize("dotted_name", INDICATORS, ids=_short(INDICATORS))
def test_every_indicator_documents_parameters_and_returns(dotted_name: str) -> None:
    found = problems(dotted_name)
    assert not found, f"{dotted_name}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("dotted_name", INDICATORS, ids=_short(INDICATORS))
def test_every_indicator_cites_its_references(dotted_name: str) -> None:
    from numpydoc.docscrape import FunctionDoc

    module_name, name = dotted_name.rsplit(".", 1)
    function = getattr(importlib.import_module(module_name), name)
    references = "".join(FunctionDoc(function)["References"]).strip()
    assert references, f"{dotted_name}: no References section (cite the paper behind the indicator)"


def _use_cases() -> list[str]:
    """The public functions of clusterix.app and of its use-case modules; none before the layer exists."""
    try:
        app = importlib.import_module("clusterix.app")
    except ImportError:
        return []
    names = public_functions("clusterix.app") if hasattr(app, "__all__") else []
    for module in USE_CASE_MODULES:
        try:
            names += public_functions(module)
        except ImportError:  # a use case not written yet
            continue
    return names


USE_CASES = _use_cases()


def test_the_application_layer_has_use_cases_to_check() -> None:
    pytest.importorskip("clusterix.app", reason="the application layer clusterix.app does not exist yet")
    assert USE_CASES, "no public functions found in clusterix.app or its use-case modules"


@pytest.mark.parametrize("dotted_name", USE_CASES, ids=_short(USE_CASES))
def test_every_use_case_documents_its_parameters_and_result(dotted_name: str) -> None:
    found = problems(dotted_name)
    assert not found, f"{dotted_name}:\n  " + "\n  ".join(found)


def undocumented(values, scale=1.0):  # the case the check must catch
    """A function with neither Parameters nor Returns."""
    return values * scale


def test_the_check_notices_a_missing_section() -> None:
    codes = {problem.split(":")[0] for problem in problems(f"{__name__}.undocumented")}
    assert {"PR01", "RT01"} <= codes
