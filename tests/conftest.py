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


def store_contents(store_or_target) -> dict:
    """Every table of a store (a Store, or a path/URL to open), rows sorted: compared before
    and after an import that must leave the store unchanged."""
    from clusterix.storage import Store

    if not isinstance(store_or_target, Store):
        with Store.open(store_or_target) as store:
            return store_contents(store)
    out = {}
    for table in store_or_target.table_counts():
        frame = store_or_target.database.query(f"SELECT * FROM {table}")
        out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame
    return out


def assert_same_contents(before: dict, after: dict) -> None:
    """The two snapshots of :func:`store_contents` hold the same tables and rows."""
    import pandas as pd

    assert before.keys() == after.keys()
    for table, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[table], check_dtype=False)
