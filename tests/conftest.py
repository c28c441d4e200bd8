"""Shared fixtures: where the real data sets are, and tiny matrices."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLUSTERIX_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path under ../shared, or skip the test with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the real data in {path} (../shared beside the checkout); not present")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real data sets, ../shared/data.

    Session-scoped so that module-scoped fixtures (peer results computed once per
    module) can use it; a skip here skips every test that needs it.
    """
    return shared_path("data")


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The folder of peers' published outputs, ../shared/reference."""
    return shared_path("reference")
