"""Packaging: the version has one source (pyproject.toml, read back through the installed metadata);
the web stack is an extra, and a missing extra names its install command."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import clusterix
from clusterix.cli import app
from clusterix.errors import InvalidInputError
from clusterix.extras import require

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_the_package_version_is_the_metadata_version() -> None:
    assert clusterix.__version__ == importlib.metadata.version("clusterix")


def test_the_metadata_version_is_the_pyproject_version() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert importlib.metadata.version("clusterix") == project["version"]


def test_clusterix_version_prints_the_metadata_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["clusterix", importlib.metadata.version("clusterix")]


def test_the_web_stack_is_an_extra_not_a_core_dependency() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    web_stack = {"fastapi", "uvicorn", "jinja2", "python-multipart"}

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}

    extras = project["optional-dependencies"]
    assert not names(project["dependencies"]) & web_stack
    assert web_stack <= names(extras["web"])
    assert {"jinja2", "matplotlib"} <= names(extras["report"])
    assert any(requirement.startswith("clusterix[") and "web" in requirement for requirement in extras["dev"])


def test_a_missing_extra_names_the_install_command() -> None:
    with pytest.raises(InvalidInputError) as raised:
        require("clusterix_no_such_module", "web", "The web app")
    assert str(raised.value) == "The web app needs the 'web' extra: pip install 'clusterix[web]'"
    assert require("json", "web", "The web app").__name__ == "json"
