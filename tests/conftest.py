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


@pytest.fixture
def shared_data() -> Path:
    """The folder of real data sets, ../shared/data."""
    return shared_path("data")


@pytest.fixture
def shared_reference() -> Path:
    """The folder of peers' published outputs, ../shared/reference."""
    return shared_path("reference")
