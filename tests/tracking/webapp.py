"""Helpers of the web tests of accounts and partnerships: an app over the tracker world (on
embedded DuckDB or on a real PostgreSQL server), bearer tokens, and signed-in browser clients.

The PostgreSQL case runs when CLUSTERIX_TEST_POSTGRES_URL names a test database (`.ci/run` sets
it); otherwise it is skipped with a message. Other suites wipe that database's ``public`` schema,
so these tests use a schema of their own, named after the test process so that two test runs at
once do not share it, made afresh for each test (about 0.05 s) and dropped when the run ends.
"""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from clusterix.storage import Store
from clusterix.tracking import User, create_session
from clusterix.web.app import create_app
from clusterix.web.settings import WebSettings
from tests.tracking.world import PASSWORD, World, populate

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
POSTGRES_URL = os.environ.get("CLUSTERIX_TEST_POSTGRES_URL")
BACKENDS = ["duckdb", "postgresql"]
_SCHEMA = f"clusterix_web_tracker_{os.getpid()}"
_made_schema = False


def _drop_schema() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE")


def fresh_postgres_target() -> str:
    """The URL of an emptied PostgreSQL schema of this test run (skips without a test server)."""
    global _made_schema
    if not POSTGRES_URL:
        pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run the tracker tests on PostgreSQL (.ci/run does)")
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA {_SCHEMA}")
    if not _made_schema:
        _made_schema = True
        atexit.register(_drop_schema)
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{_SCHEMA}"


def store_target(folder: Path, backend: str) -> str:
    """Where a fresh store lives on ``backend``: a DuckDB file in ``folder`` or the emptied schema."""
    if backend == "duckdb":
        return str(folder / "web.duckdb")
    if backend == "postgresql":
        return fresh_postgres_target()
    raise ValueError(f"Unknown test backend {backend!r}; expected one of {BACKENDS}")


def make_app(folder: Path, backend: str = "duckdb", **settings) -> tuple[FastAPI, World]:
    """A web app over a fresh store on ``backend`` holding the tracker world (A-D, four users).

    The caller closes ``app.state.store`` (see :func:`tracker_app`)."""
    target = store_target(folder, backend)
    store = Store.open(target)
    world = populate(store, folder)
    app = create_app(WebSettings(db=target, secret_key="test-secret", **settings), store=store)
    return app, world


@contextmanager
def tracker_app(folder: Path, backend: str, **settings) -> Iterator[tuple[FastAPI, World]]:
    """:func:`make_app`, closing the store afterwards (a PostgreSQL connection per test would pile up)."""
    app, world = make_app(folder, backend, **settings)
    try:
        yield app, world
    finally:
        app.state.store.close()


def bearer(app: FastAPI, user: User | None) -> dict[str, str]:
    """Headers that authenticate as ``user`` with an API token (none for anonymous)."""
    if user is None:
        return {}
    token, _ = create_session(app.state.store, user, kind="bearer")
    return {"Authorization": f"Bearer {token}"}


def csrf_token(page_html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = _TOKEN.search(page_html)
    assert found, "the page has no form with a csrf_token"
    return found.group(1)


def signed_in(app: FastAPI, user: User | None) -> tuple[TestClient, str]:
    """A browser-like client signed in through the /login form, and its session's CSRF token."""
    client = TestClient(app)
    if user is None:
        return client, csrf_token(client.get("/login").text)
    token = csrf_token(client.get("/login").text)
    answer = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return client, csrf_token(client.get("/account").text)
