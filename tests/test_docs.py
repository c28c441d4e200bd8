"""The documentation keeps up with the code: settings, commands and methods are documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterix import indicators
from clusterix.config import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_every_setting_is_in_the_settings_table(setting) -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    row = next((line for line in text.splitlines() if f"`{setting.environment}`" in line), None)
    assert row is not None, f"{setting.environment} is missing from docs/architecture.md"
    assert f"`{setting.name}`" in row


@pytest.mark.parametrize("name", sorted(indicators.__all__))
def test_every_public_indicator_is_in_the_methods(name: str) -> None:
    assert name in (DOCS / "methods.md").read_text(encoding="utf-8"), f"{name} is not documented in methods.md"


@pytest.mark.parametrize(
    "command",
    [
        "indicators",
        "quickstart",
        "ingest",
        "fetch",
        "datasets",
        "regions",
        "profile",
        "peers",
        "complementarity",
        "partners",
        "evaluate partners",
        "demo",
        "serve",
        "users add",
    ],
)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"clusterix {command}" in README.read_text(encoding="utf-8")
