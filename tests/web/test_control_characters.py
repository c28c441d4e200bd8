"""NUL bytes and other control characters are refused with 422 naming the field, on every route.

They used to reach PostgreSQL (which refuses NUL in text: HTTP 500, some without login) or
be stored silently by DuckDB. Every route of the app is tried, anonymous and signed in, on
both backends: in the path, the query string, form fields and JSON bodies.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from clusterix.tracking import accounts, propose_partnership
from clusterix.web.hygiene import control_character
from clusterix.web.routes import ROUTERS
from tests.tracking.webapp import BACKENDS, bearer, tracker_app
from tests.tracking.world import CHEAP_HASHER, PASSWORD

BAD = ["\x00", "\x01", "\x08", "\x1b", "\x7f"]


@pytest.fixture(params=BACKENDS)
def app_world(request, tmp_path, monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    with tracker_app(tmp_path, request.param) as made:
        yield made


def _routes(app) -> list[tuple[str, str]]:
    """(method, path with its parameters filled in) of every route of the app."""
    found = []
    for route in (route for router in ROUTERS for route in router.routes):
        if isinstance(route, APIRoute):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            found.extend((method, path) for method in sorted(route.methods) if method != "HEAD")
    return found


def _refused(answer, field: str) -> None:
    assert answer.status_code == 422, (answer.request.url, answer.status_code, answer.text[:300])
    if answer.headers["content-type"].startswith("application/json"):
        error = answer.json()["error"]
        assert error["code"] == "control_character"
        assert field in error["message"]
    else:
        assert field in answer.text.replace("&#39;", "'")


def test_the_check_finds_controls_and_spares_lines() -> None:
    assert control_character("Wien\x00") == (4, "U+0000")
    assert control_character("a note\r\nwith\tlines") is None
    assert control_character("tab\tin a query", multiline=False) == (3, "U+0009")
    assert control_character("Skåne – Malmö") is None


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_every_route_refuses_a_control_character_in_the_query_string(app_world, who) -> None:
    app, world = app_world
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(app, world.alice if who == "member" else None)
    routes = _routes(app)
    assert len(routes) > 30
    for index, (method, path) in enumerate(routes):
        bad = BAD[index % len(BAD)]
        answer = client.request(method, path, params={"q": f"x{bad}y"}, headers=headers)
        _refused(answer, "'q'")


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_every_write_refuses_control_characters_in_json_and_form_bodies(app_world, who) -> None:
    app, world = app_world
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(app, world.alice if who == "member" else None)
    writes = [(method, path) for method, path in _routes(app) if method in ("POST", "PUT", "PATCH", "DELETE")]
    assert len(writes) > 8
    for method, path in writes:
        json_body = {"email": "alice@example.org", "password": PASSWORD, "note": "ok", "details": {"name": "a\x00b"}}
        _refused(client.request(method, path, json=json_body, headers=headers), "'body.details.name'")
        form = {"email": "alice@example.org", "note": "line one\nline two", "name": "Acme\x00Ltd"}
        _refused(client.request(method, path, data=form, headers=headers), "'name'")


def test_a_control_character_in_the_path_is_refused(app_world) -> None:
    app, _ = app_world
    client = TestClient(app, raise_server_exceptions=False)
    for path in ("/api/v1/regions/UK%00I3/profile", "/regions/UK%1bI3", "/api/v1/organisations/A%7f"):
        _refused(client.get(path), "The path")


def test_a_nul_in_a_sign_in_never_reaches_the_store(app_world) -> None:
    app, world = app_world
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.post("/api/v1/auth/login", json={"email": "alice@example.org\x00", "password": PASSWORD})
    _refused(answer, "'body.email'")
    # and the store still answers: a clean sign-in works
    good = client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD})
    assert good.status_code == 200


def test_a_note_with_a_nul_is_not_stored(app_world) -> None:
    app, world = app_world
    store = app.state.store
    partnership = propose_partnership(store, "A", "B", actor=world.alice)
    client = TestClient(app, raise_server_exceptions=False)
    headers = bearer(app, world.alice)
    answer = client.post(
        f"/api/v1/partnerships/{partnership.id}/notes", json={"text": "kick-off\x00 held"}, headers=headers
    )
    _refused(answer, "'body.text'")
    stored = client.get(f"/api/v1/partnerships/{partnership.id}", headers=headers)
    assert stored.status_code == 200 and "kick-off" not in stored.text
