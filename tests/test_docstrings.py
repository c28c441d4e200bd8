"""numpydoc docstrings: every public function of the indicators (and of the application layer)
documents its parameters and what it returns; every indicator cites its source.

Checked with ``numpydoc.validate`` (the dev extra): PR01 (a parameter is not documented), PR02
(a documented parameter does not exist) and RT01 (no Returns section). The other numpydoc
checks (summary style, punctuation, See Also) are not enforced.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

validation = pytest.importorskip("numpydoc.validate", reason="numpydoc comes with the dev extra")

CHECKED = ("PR01", "PR02", "RT01")


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


INDICATORS = public_functions("clusterix.indicators")


def test_the_indicators_have_public_functions_to_check() -> None:
    assert len(INDICATORS) >= 25
    assert "clusterix.indicators.rca" in INDICATORS and "clusterix.indicators.complexity" in INDICATORS


@pytest.mark.parametrize("dotted_name", INDICATORS, ids=[name.rsplit(".", 1)[1] for name in INDICATORS])
def test_every_indicator_documents_parameters_and_returns(dotted_name: str) -> None:
    found = problems(dotted_name)
    assert not found, f"{dotted_name}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("dotted_name", INDICATORS, ids=[name.rsplit(".", 1)[1] for name in INDICATORS])
def test_every_indicator_cites_its_references(dotted_name: str) -> None:
    from numpydoc.docscrape import FunctionDoc

    module_name, name = dotted_name.rsplit(".", 1)
    function = getattr(importlib.import_module(module_name), name)
    references = "".join(FunctionDoc(function)["References"]).strip()
    assert references, f"{dotted_name}: no References section (cite the paper behind the indicator)"


def test_every_application_use_case_documents_parameters_and_returns() -> None:
    pytest.importorskip("clusterix.app", reason="the application layer clusterix.app does not exist yet")
    app = importlib.import_module("clusterix.app")
    if not hasattr(app, "__all__"):
        pytest.skip("clusterix.app has no __all__ yet")
    offenders = {name: problems(name) for name in public_functions("clusterix.app")}
    offenders = {name: found for name, found in offenders.items() if found}
    assert not offenders, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in offenders.items())
