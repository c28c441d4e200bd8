"""Accounts on the web: sign-in, session cookies, bearer tokens, CSRF, rate limit, users admin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clusterix.tracking import accounts
from tests.tracking.webapp import BACKENDS, bearer, csrf_token, signed_in, tracker_app
from tests.tracking.world import CHEAP_HASHER, PASSWORD


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    """Every test runs on embedded DuckDB and on PostgreSQL (with cheap password hashing)."""
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    return request.param


@pytest.fixture
def app_world(backend, tmp_path):
    with tracker_app(tmp_path, backend) as made:
        yield made


def _error(answer, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    return body["error"]


def test_api_login_gives_a_bearer_token(app_world) -> None:
    app, world = app_world
    client = TestClient(app)
    answer = client.post("/api/v1/auth/login", json={"email": "Alice@example.org", "password": PASSWORD})
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["user"]["organisation_id"] == "A"
    assert "password_hash" not in body["user"]
    assert "set-cookie" not in answer.headers  # the API does not open a browser session
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["email"] == "alice@example.org"
    _error(
        client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": "nope"}),
        401,
        "invalid_credentials",
    )
    _error(client.get("/api/v1/auth/me", headers={"Authorization": "Bearer made-up"}), 401, "invalid_token")
    _error(client.get("/api/v1/auth/me"), 401, "sign_in_required")


def test_api_logout_revokes_the_token(app_world) -> None:
    app, world = app_world
    client = TestClient(app)
    headers = bearer(app, world.bob)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    _error(client.get("/api/v1/auth/me", headers=headers), 401, "invalid_token")


def test_rate_limit_after_five_failures(app_world) -> None:
    app, world = app_world
    client = TestClient(app)
    wrong = {"email": "carol@example.org", "password": "wrong password"}
    for _ in range(5):
        _error(client.post("/api/v1/auth/login", json=wrong), 401, "invalid_credentials")
    blocked = client.post("/api/v1/auth/login", json={"email": "carol@example.org", "password": PASSWORD})
    error = _error(blocked, 429, "too_many_attempts")
    assert "Too many failed sign-ins" in error["message"]
    assert 0 < int(blocked.headers["retry-after"]) <= 901
    # The form is throttled too, and says so on the page.
    page = client.get("/login")
    form = {"email": "carol@example.org", "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 429 and "Too many failed sign-ins" in answer.text
    assert "clusterix_session" not in answer.cookies
    # Other accounts are not affected.
    assert client.post("/api/v1/auth/login", json={"email": "bob@example.org", "password": PASSWORD}).status_code == 200


def test_session_cookie_flags_and_rotation(app_world) -> None:
    app, world = app_world
    client = TestClient(app)
    page = client.get("/login")
    presession = page.headers["set-cookie"]
    assert "clusterix_presession=" in presession and "HttpOnly" in presession and "samesite=lax" in presession.lower()
    form = {"email": "alice@example.org", "password": PASSWORD, "csrf_token": csrf_token(page.text), "next": "/"}
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("clusterix_session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # not configured: the test server speaks plain HTTP
    assert "max-age=43200" in flags
    first = client.cookies.get("clusterix_session")
    # A second sign-in gives a new secret and revokes the old one.
    page = client.get("/login")
    form["csrf_token"] = csrf_token(page.text)
    client.post("/login", data=form, follow_redirects=False)
    second = client.cookies.get("clusterix_session")
    assert second and second != first
    stale = TestClient(app, cookies={"clusterix_session": first})
    _error(stale.get("/api/v1/auth/me"), 401, "sign_in_required")


def test_secure_cookies_when_configured(backend, tmp_path) -> None:
    with tracker_app(tmp_path, backend, cookie_secure=True) as (app, _):
        _check_secure_cookies(app)


def _check_secure_cookies(app) -> None:
    assert "secure" in TestClient(app).get("/login").headers["set-cookie"].lower()  # the pre-session cookie too
    client = TestClient(app, base_url="https://testserver")  # secure cookies travel over HTTPS only
    page = client.get("/login")
    form = {"email": "alice@example.org", "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    answer = client.post("/login", data=form, follow_redirects=False)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("clusterix_session="))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]
    assert client.get("/api/v1/auth/me").status_code == 200


def test_logout_form_ends_the_session(app_world) -> None:
    app, world = app_world
    client, token = signed_in(app, world.alice)
    old = client.cookies.get("clusterix_session")
    assert client.get("/api/v1/auth/me").status_code == 200
    assert "Sign out" in client.get("/logout").text
    answer = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    _error(TestClient(app, cookies={"clusterix_session": old}).get("/api/v1/auth/me"), 401, "sign_in_required")
    # W1's navigation posts to /account/logout: the same route.
    client, token = signed_in(app, world.alice)
    assert client.post("/account/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    _error(client.get("/api/v1/auth/me"), 401, "sign_in_required")


def test_login_form_errors_and_redirects(app_world) -> None:
    app, world = app_world
    client = TestClient(app)
    page = client.get("/login?next=//evil.example/steal")
    assert 'value="/account"' in page.text  # an off-site target is replaced
    form = {"email": "alice@example.org", "password": "wrong password", "csrf_token": csrf_token(page.text)}
    answer = client.post("/login", data=form)
    assert answer.status_code == 401 and "wrong password" in answer.text and 'id="login-error"' in answer.text
    form.update(password=PASSWORD, next="https://evil.example/")
    answer = client.post("/login", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/account"


def test_csrf_on_forms(app_world) -> None:
    app, world = app_world
    client = TestClient(app)
    page = client.get("/login")
    form = {"email": "alice@example.org", "password": PASSWORD}
    # Sign-in form (login CSRF): no token, a wrong token, a token of another visitor.
    _error_page = client.post("/login", data=form, follow_redirects=False)
    assert _error_page.status_code == 403 and 'data-code="csrf_failed"' in _error_page.text
    assert client.post("/login", data={**form, "csrf_token": "forged"}).status_code == 403
    other = TestClient(app)
    other_token = csrf_token(other.get("/login").text)
    assert client.post("/login", data={**form, "csrf_token": other_token}).status_code == 403
    assert (
        client.post("/login", data={**form, "csrf_token": csrf_token(page.text)}, follow_redirects=False).status_code
        == 303
    )
    # Signed in: the session's token is needed, and the pre-session one no longer works.
    session_token = csrf_token(client.get("/account").text)
    assert session_token != csrf_token(page.text)
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf_token(page.text)}).status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": session_token}, follow_redirects=False).status_code == 303


def test_csrf_on_cookie_authenticated_api_writes(app_world) -> None:
    app, world = app_world
    client, token = signed_in(app, world.admin)
    new_user = {"email": "dave@example.org", "password": PASSWORD, "organisation_id": "D"}
    _error(client.post("/api/v1/users", json=new_user), 403, "csrf_failed")
    _error(client.post("/api/v1/users", json=new_user, headers={"X-CSRF-Token": "wrong"}), 403, "csrf_failed")
    alice_client, alice_token = signed_in(app, world.alice)
    _error(client.post("/api/v1/users", json=new_user, headers={"X-CSRF-Token": alice_token}), 403, "csrf_failed")
    assert client.post("/api/v1/users", json=new_user, headers={"X-CSRF-Token": token}).status_code == 201
    # A bearer request needs no CSRF token (a browser never sends that header by itself).
    other = {**new_user, "email": "erin@example.org"}
    assert TestClient(app).post("/api/v1/users", json=other, headers=bearer(app, world.admin)).status_code == 201


@pytest.mark.parametrize(
    ("role", "listing", "adding", "page_status"),
    [
        (None, 401, 401, 401),
        ("alice", 403, 403, 403),
        ("bob", 403, 403, 403),
        ("admin", 200, 201, 303),
    ],
    ids=["anonymous", "member-A", "member-B", "admin"],
)
def test_users_admin_matrix(app_world, role, listing, adding, page_status) -> None:
    app, world = app_world
    user = None if role is None else getattr(world, role)
    client = TestClient(app)
    headers = bearer(app, user)
    assert client.get("/api/v1/users", headers=headers).status_code == listing
    new = {"email": f"new-{role}@example.org", "password": PASSWORD, "role": "member", "organisation_id": "D"}
    assert client.post("/api/v1/users", json=new, headers=headers).status_code == adding
    browser, token = signed_in(app, user)
    form = {**new, "email": f"form-{role}@example.org", "csrf_token": token}
    assert browser.post("/account/users", data=form, follow_redirects=False).status_code == page_status
    if role == "admin":
        listed = client.get("/api/v1/users", headers=headers).json()
        assert {"new-admin@example.org", "form-admin@example.org"} <= {u["email"] for u in listed["items"]}
        assert all("password" not in key for u in listed["items"] for key in u)


def test_account_page(app_world) -> None:
    app, world = app_world
    anonymous = TestClient(app).get("/account", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    client, _ = signed_in(app, world.alice)
    page = client.get("/account")
    assert 'data-testid="account-email">alice@example.org' in page.text
    assert 'id="users-table"' not in page.text  # members do not see the users
    admin, _ = signed_in(app, world.admin)
    page = admin.get("/account")
    assert page.text.count('class="user-row"') == 4 and 'id="add-user-form"' in page.text


def test_add_user_errors_are_envelopes(app_world) -> None:
    app, world = app_world
    headers = bearer(app, world.admin)
    client = TestClient(app)
    dup = {"email": "alice@example.org", "password": PASSWORD, "organisation_id": "A"}
    assert (
        "already exists"
        in _error(client.post("/api/v1/users", json=dup, headers=headers), 422, "invalid_input")["message"]
    )
    ghost = {"email": "ghost@example.org", "password": PASSWORD, "organisation_id": "ZZ"}
    _error(client.post("/api/v1/users", json=ghost, headers=headers), 422, "unknown_organisation")
    short = {"email": "short@example.org", "password": "short", "organisation_id": "A"}
    _error(client.post("/api/v1/users", json=short, headers=headers), 422, "validation_error")


def test_template_context_for_w1_pages(app_world) -> None:
    app, world = app_world
    client, _ = signed_in(app, world.bob)
    page = client.get("/partnerships")
    assert 'data-testid="nav-user">bob@example.org' in page.text  # base.html reads current_user
    assert 'data-testid="nav-login"' in TestClient(app).get("/partnerships").text


def test_a_read_only_store_without_accounts_still_draws_pages(tmp_path) -> None:
    from clusterix.storage import Store
    from clusterix.web.app import create_app
    from clusterix.web.settings import WebSettings

    path = str(tmp_path / "plain.duckdb")
    Store.open(path).close()
    with Store.open(path, read_only=True) as store:
        app = create_app(WebSettings(db=path, secret_key="k"), store=store)
        client = TestClient(app)
        page = client.get("/login")
        assert page.status_code == 200 and 'data-testid="nav-login"' in page.text
        _error(client.get("/api/v1/partnerships"), 503, "data_source_unavailable")


def test_unreadable_and_oversized_bodies_are_declared_envelopes(backend, tmp_path) -> None:
    """A body that is not UTF-8 gets 400 naming the route, one over max_request_bytes 413; the
    OpenAPI schema of each JSON-body route declares both with the envelope."""
    with tracker_app(tmp_path, backend, max_request_bytes=2_000) as (app, _):
        client = TestClient(app)
        headers = {"Content-Type": "application/json"}
        error = _error(client.post("/api/v1/auth/login", content=b"\xff\x1c\x7f", headers=headers), 400, "invalid_body")
        assert error["message"] == "The body of POST /api/v1/auth/login cannot be read: it is not valid UTF-8 JSON."
        oversized = b'{"email": "' + b"x" * 2_001 + b'"}'
        _error(client.post("/api/v1/auth/login", content=oversized, headers=headers), 413, "payload_too_large")
        # A body that is UTF-8 but not JSON stays a validation error.
        _error(client.post("/api/v1/auth/login", content=b"{nope", headers=headers), 422, "validation_error")
        paths = client.get("/api/v1/openapi.json").json()["paths"]
        envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
        for path in ("/api/v1/auth/login", "/api/v1/users", "/api/v1/partnerships"):
            responses = paths[path]["post"]["responses"]
            for status in ("400", "413", "422"):
                assert responses[status]["content"]["application/json"]["schema"] == envelope, (path, status)


def test_the_user_list_comes_a_page_at_a_time(app_world) -> None:
    app, world = app_world
    from clusterix.tracking import create_user

    for i in range(7):
        create_user(app.state.store, f"user{i}@example.org", PASSWORD, organisation_id="A", actor=world.admin)
    client = TestClient(app)
    headers = bearer(app, world.admin)
    every = client.get("/api/v1/users", headers=headers).json()
    total = every["total"]
    assert total == len(every["items"]) >= 8 and every["next"] is None
    seen, url = [], "/api/v1/users?limit=3"
    while url:
        page = client.get(url, headers=headers).json()
        assert page["total"] == total and len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    assert seen == [item["id"] for item in every["items"]] == sorted(seen)  # every user once, by id
    _error(client.get("/api/v1/users?limit=0", headers=headers), 422, "validation_error")
    too_many = app.state.settings.max_page_size + 1
    _error(client.get(f"/api/v1/users?limit={too_many}", headers=headers), 422, "validation_error")
    _error(client.get("/api/v1/users", headers=bearer(app, world.alice)), 403, "admin_only")
