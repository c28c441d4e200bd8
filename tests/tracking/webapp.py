"""Helpers of the web tests of accounts and partnerships: an app over the tracker world,
bearer tokens, and signed-in browser clients."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from clusterix.storage import Store
from clusterix.tracking import User, create_session
from clusterix.web.app import create_app
from clusterix.web.settings import WebSettings
from tests.tracking.world import PASSWORD, World, populate

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(folder: Path, **settings) -> tuple[FastAPI, World]:
    """A web app over a fresh DuckDB store holding the tracker world (A-D, four users)."""
    target = str(folder / "web.duckdb")
    store = Store.open(target)
    world = populate(store, folder)
    app = create_app(WebSettings(db=target, secret_key="test-secret", **settings), store=store)
    return app, world


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
