"""Packaging: the version has one source (pyproject.toml, read back through the installed metadata)."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

from typer.testing import CliRunner

import clusterix
from clusterix.cli import app

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
