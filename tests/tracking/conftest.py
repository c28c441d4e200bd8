"""A fresh store per test, on embedded DuckDB and on a real PostgreSQL server.

The PostgreSQL case runs when CLUSTERIX_TEST_POSTGRES_URL names a database that may be
wiped (`.ci/run` sets it); otherwise it is skipped with a message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from clusterix.storage import Store
from clusterix.tracking import accounts
from tests.tracking.world import CHEAP_HASHER, World, populate

POSTGRES_URL = os.environ.get("CLUSTERIX_TEST_POSTGRES_URL")


def wipe_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture
def cheap_hashing(monkeypatch) -> None:
    """Hash with the smallest argon2 parameters (the rehash test restores the defaults)."""
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)


@pytest.fixture(params=["duckdb", "postgresql"])
def store_target(request, tmp_path) -> str:
    """Where a fresh store lives: a DuckDB file, or the wiped PostgreSQL test database."""
    if request.param == "duckdb":
        return str(tmp_path / "store.duckdb")
    if not POSTGRES_URL:
        pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run the tracker tests on PostgreSQL (.ci/run does)")
    wipe_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def store(store_target) -> Iterator[Store]:
    with Store.open(store_target) as opened:
        yield opened


@pytest.fixture
def world(store, tmp_path, cheap_hashing) -> World:
    return populate(store, tmp_path)
