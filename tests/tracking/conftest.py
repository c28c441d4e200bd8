"""A fresh store per test, on embedded DuckDB and on a real PostgreSQL server.

The PostgreSQL case runs when CLUSTERIX_TEST_POSTGRES_URL names a test database (`.ci/run`
sets it); otherwise it is skipped with a message. It uses a schema of this test process,
emptied for each test (:func:`tests.tracking.webapp.fresh_postgres_target`), so other suites'
wipes of the ``public`` schema do not interfere.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clusterix.storage import Store
from clusterix.tracking import accounts
from tests.tracking.webapp import fresh_postgres_target
from tests.tracking.world import CHEAP_HASHER, World, populate


@pytest.fixture
def cheap_hashing(monkeypatch) -> None:
    """Hash with the smallest argon2 parameters (the rehash test restores the defaults)."""
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)


@pytest.fixture(params=["duckdb", "postgresql"])
def store_target(request, tmp_path) -> str:
    """Where a fresh store lives: a DuckDB file, or an emptied schema of the PostgreSQL test database."""
    if request.param == "duckdb":
        return str(tmp_path / "store.duckdb")
    return fresh_postgres_target()


@pytest.fixture
def store(store_target) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        yield opened


@pytest.fixture
def world(store, tmp_path, cheap_hashing) -> World:
    return populate(store, tmp_path)
