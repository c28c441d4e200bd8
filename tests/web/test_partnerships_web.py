"""The partnership tracker on the web: the authorisation matrix, CSRF, hostile input, pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clusterix.tracking import accounts, add_note, advance_partnership, propose_partnership
from clusterix.tracking.partnerships import DEFAULT_PAGE, MAX_NAME_LENGTH, MAX_NOTE_LENGTH, MAX_PAGE
from tests.tracking.webapp import BACKENDS, bearer, signed_in, tracker_app
from tests.tracking.world import CHEAP_HASHER, PASSWORD

ROLES = ["anonymous", "member-A", "member-B", "admin"]


@pytest.fixture(params=BACKENDS)
def app_world(request, tmp_path, monkeypatch):
    """The tracker world behind the web app, on embedded DuckDB and on PostgreSQL."""
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    with tracker_app(tmp_path, request.param) as made:
        yield made


def _user(world, role: str):
    return {"anonymous": None, "member-A": world.alice, "member-B": world.bob, "admin": world.admin}[role]


def _in_status(app, world, status: str, pair=("A", "C")):
    """A partnership between ``pair`` moved by the admin to ``status``."""
    store = app.state.store
    created = propose_partnership(store, *pair, actor=world.admin, note="Public description")
    path = {"proposed": [], "contacted": ["contacted"], "agreed": ["contacted", "agreed"], "ended": ["ended"]}
    for step in path[status]:
        advance_partnership(store, created.id, step, actor=world.admin)
    return created.id


# The partnership acted on is between A (enterprise, alice) and C (research, carol); bob manages B,
# so for bob it is another organisation's partnership.
# action: (method, path template, JSON body, status of the partnership first) -> expected per role
MATRIX = {
    "propose": (
        ("post", "/api/v1/partnerships", {"organisation_1": "A", "organisation_2": "C"}, None),
        [401, 201, 403, 201],
    ),
    "propose for other organisations": (
        ("post", "/api/v1/partnerships", {"organisation_1": "C", "organisation_2": "D"}, None),
        [401, 403, 403, 201],
    ),
    "advance": (
        ("post", "/api/v1/partnerships/{id}/transitions", {"to": "contacted"}, "proposed"),
        [401, 200, 403, 200],
    ),
    "end": (("post", "/api/v1/partnerships/{id}/transitions", {"to": "ended"}, "agreed"), [401, 200, 403, 200]),
    "add public note": (
        ("post", "/api/v1/partnerships/{id}/notes", {"note": "hello"}, "proposed"),
        [401, 201, 403, 201],
    ),
    "add private note": (
        ("post", "/api/v1/partnerships/{id}/notes", {"note": "psst", "private": True}, "agreed"),
        [401, 201, 403, 201],
    ),
    "read a proposal": (("get", "/api/v1/partnerships/{id}", None, "proposed"), [401, 200, 200, 200]),
    "read an agreed partnership": (("get", "/api/v1/partnerships/{id}", None, "agreed"), [200, 200, 200, 200]),
    "list": (("get", "/api/v1/partnerships", None, "proposed"), [200, 200, 200, 200]),
    "growth": (("get", "/api/v1/partnerships/growth", None, "agreed"), [200, 200, 200, 200]),
    "list users": (("get", "/api/v1/users", None, None), [401, 403, 403, 200]),
    "add a user": (
        (
            "post",
            "/api/v1/users",
            {"email": "new@example.org", "password": "long enough passphrase", "organisation_id": "D"},
            None,
        ),
        [401, 403, 403, 201],
    ),
    "who am I": (("get", "/api/v1/auth/me", None, None), [401, 200, 200, 200]),
}
CASES = [
    pytest.param(action, role, expected[i], id=f"{action}/{role}")
    for action, (_, expected) in MATRIX.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_authorisation_matrix_api(app_world, action, role, expected) -> None:
    app, world = app_world
    (method, path, body, status), _ = MATRIX[action]
    partnership_id = _in_status(app, world, status) if status else None
    url = path.format(id=partnership_id)
    answer = TestClient(app).request(method, url, json=body, headers=bearer(app, _user(world, role)))
    assert answer.status_code == expected, answer.text
    if expected in (401, 403):
        error = answer.json()["error"]
        assert error["status"] == expected and error["code"] in ("sign_in_required", "forbidden", "admin_only")
    elif method == "post" and "partnerships" in url:
        assert answer.json()["can_edit"] is True


# The same rules through the HTML forms of a signed-in browser (cookie + CSRF token).
FORMS = {
    "propose": ("/partnerships", {"organisation_1": "A", "organisation_2": "C"}, None),
    "advance": ("/partnerships/{id}/transitions", {"to": "contacted"}, "proposed"),
    "add note": ("/partnerships/{id}/notes", {"note": "hello", "private": "on"}, "proposed"),
}
FORM_EXPECTED = {"anonymous": 401, "member-A": 303, "member-B": 403, "admin": 303}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(FORMS))
def test_authorisation_matrix_forms(app_world, action, role) -> None:
    app, world = app_world
    path, form, status = FORMS[action]
    partnership_id = _in_status(app, world, status) if status else None
    client, token = signed_in(app, _user(world, role))
    answer = client.post(path.format(id=partnership_id), data={**form, "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == FORM_EXPECTED[role], answer.text
    if answer.status_code >= 400:
        assert 'id="error-status"' in answer.text  # the HTML error page, not a traceback


@pytest.mark.parametrize(
    ("role", "sees_private"), [("anonymous", False), ("member-A", True), ("member-B", False), ("admin", True)]
)
def test_private_notes_matrix(app_world, role, sees_private) -> None:
    app, world = app_world
    store = app.state.store
    partnership_id = _in_status(app, world, "agreed")
    add_note(store, partnership_id, "public remark", actor=world.alice)
    add_note(store, partnership_id, "our budget: 50k", actor=world.carol, private=True)
    user = _user(world, role)
    detail = TestClient(app).get(f"/api/v1/partnerships/{partnership_id}", headers=bearer(app, user))
    assert detail.status_code == 200
    notes = [event["note"] for event in detail.json()["history"]]
    assert "public remark" in notes
    assert ("our budget: 50k" in notes) is sees_private
    client, _ = signed_in(app, user)
    page = client.get(f"/partnerships/{partnership_id}")
    assert page.status_code == 200
    assert ("our budget: 50k" in page.text) is sees_private
    assert ('id="note-form"' in page.text) is sees_private  # only the partners and admins annotate


def test_csrf_for_partnership_writes(app_world) -> None:
    app, world = app_world
    partnership_id = _in_status(app, world, "proposed")
    client, token = signed_in(app, world.alice)
    url = f"/api/v1/partnerships/{partnership_id}/notes"
    assert client.post(url, json={"note": "x"}).json()["error"]["code"] == "csrf_failed"
    assert client.post(url, json={"note": "x"}, headers={"X-CSRF-Token": token + "x"}).status_code == 403
    assert client.post(url, json={"note": "x"}, headers={"X-CSRF-Token": token}).status_code == 201
    form_url = f"/partnerships/{partnership_id}/transitions"
    assert client.post(form_url, data={"to": "contacted"}).status_code == 403
    assert client.post(form_url, data={"to": "contacted", "csrf_token": "forged"}).status_code == 403
    store = app.state.store
    from clusterix.tracking import get_partnership

    assert get_partnership(store, partnership_id, viewer=world.admin).status == "proposed"  # nothing happened
    answer = client.post(form_url, data={"to": "contacted", "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    assert get_partnership(store, partnership_id, viewer=world.admin).status == "contacted"


def test_list_pagination_and_filters(app_world) -> None:
    app, world = app_world
    ids = [_in_status(app, world, "agreed", pair=pair) for pair in (("A", "B"), ("A", "C"), ("B", "C"))]
    proposal = _in_status(app, world, "proposed", pair=("A", "D"))
    client = TestClient(app)
    page = client.get("/api/v1/partnerships?limit=2&offset=0").json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 0, 2)
    rest = client.get("/api/v1/partnerships?limit=2&offset=2").json()
    assert sorted(item["id"] for item in page["items"] + rest["items"]) == sorted(ids)  # no proposal for anonymous
    signed = client.get("/api/v1/partnerships", headers=bearer(app, world.bob)).json()
    assert signed["total"] == 4 and proposal in {item["id"] for item in signed["items"]}
    by_org = client.get("/api/v1/partnerships?organisation=C").json()
    assert {item["id"] for item in by_org["items"]} == {ids[1], ids[2]}
    assert client.get("/api/v1/partnerships?status=proposed").json()["total"] == 0
    assert client.get("/api/v1/partnerships?organisation=NOPE").json()["error"]["code"] == "unknown_organisation"
    assert client.get("/api/v1/partnerships?status=won").status_code == 422
    assert client.get("/api/v1/partnerships?limit=0").status_code == 422
    assert client.get("/api/v1/partnerships?limit=100000").status_code == 422


def test_transitions_through_the_api(app_world) -> None:
    app, world = app_world
    headers = bearer(app, world.alice)
    client = TestClient(app)
    created = client.post(
        "/api/v1/partnerships",
        json={"organisation_1": "A", "organisation_2": "B", "note": "Pilot line", "date": "2024-01-15"},
        headers=headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "proposed" and body["pair_type"] == "enterprise-higher_education"
    assert body["allowed_transitions"] == ["contacted", "ended"]
    assert body["history"][0]["occurred_on"] == "2024-01-15"
    url = f"/api/v1/partnerships/{body['id']}/transitions"
    bad = client.post(url, json={"to": "active"}, headers=headers)
    assert bad.status_code == 422
    assert "from 'proposed' to 'active'" in bad.json()["error"]["message"]
    for step in ("contacted", "agreed", "active"):
        moved = client.post(url, json={"to": step, "note": f"now {step}"}, headers=headers)
        assert moved.status_code == 200 and moved.json()["status"] == step
    growth = client.get("/api/v1/partnerships/growth").json()
    assert growth["by"] == "year"
    assert [(row["pair_type"], row["new_partnerships"], row["knowledge_enterprise"]) for row in growth["items"]] == [
        ("enterprise-higher_education", 1, True)
    ]
    assert client.get("/api/v1/partnerships/growth?by=decade").status_code == 422
    assert client.get("/api/v1/partnerships/999").json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/partnerships/abc").status_code == 422
    unknown = client.post("/api/v1/partnerships", json={"organisation_1": "A", "organisation_2": "ZZ"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_organisation"


def test_hostile_input(app_world) -> None:
    app, world = app_world
    headers = bearer(app, world.alice)
    client = TestClient(app)
    script = "<script>alert('pwned')</script>"
    created = client.post(
        "/api/v1/partnerships", json={"organisation_1": "A", "organisation_2": "C", "note": script}, headers=headers
    ).json()
    url = f"/api/v1/partnerships/{created['id']}/notes"
    too_long = client.post(url, json={"note": "x" * (MAX_NOTE_LENGTH + 1)}, headers=headers)
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "validation_error"
    sqlish = "'); DROP TABLE partnerships; --"
    assert client.post(url, json={"note": sqlish}, headers=headers).status_code == 201
    assert client.post(url, json={"note": script, "private": True}, headers=headers).status_code == 201
    detail = client.get(f"/api/v1/partnerships/{created['id']}", headers=headers).json()
    assert [event["note"] for event in detail["history"]] == [script, sqlish, script]  # stored literally
    browser, token = signed_in(app, world.alice)
    for page in (browser.get(f"/partnerships/{created['id']}"), browser.get("/partnerships")):
        assert page.status_code == 200
        assert script not in page.text
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page.text
    long_form = browser.post(
        f"/partnerships/{created['id']}/notes", data={"note": "y" * (MAX_NOTE_LENGTH + 1), "csrf_token": token}
    )
    assert long_form.status_code == 422


def test_board_page(app_world) -> None:
    app, world = app_world
    proposal = _in_status(app, world, "proposed", pair=("A", "B"))
    agreed = _in_status(app, world, "agreed", pair=("A", "C"))
    other = _in_status(app, world, "contacted", pair=("B", "C"))
    anonymous = TestClient(app).get("/partnerships")
    assert anonymous.status_code == 200
    assert f'data-partnership="{agreed}"' in anonymous.text and f'data-partnership="{proposal}"' not in anonymous.text
    assert 'id="propose-form"' not in anonymous.text and 'data-testid="advance-' not in anonymous.text
    for status in ("proposed", "contacted", "agreed", "active", "ended"):
        assert f'<section class="board-column" data-status="{status}"' in anonymous.text
    assert 'id="growth-table"' in anonymous.text
    client, token = signed_in(app, world.alice)
    board = client.get("/partnerships").text
    assert 'id="propose-form"' in board
    card = board[board.index(f'data-partnership="{proposal}"') :]
    card = card[: card.index("</article>")]
    assert 'data-testid="advance-contacted"' in card and 'hx-post="/partnerships/' in card
    other_card = board[board.index(f'data-partnership="{other}"') :]
    assert 'data-testid="advance-' not in other_card[: other_card.index("</article>")]  # bob and carol's partnership
    # An HTMX button press: the redirect leads back to the board, which HTMX swaps in.
    answer = client.post(
        f"/partnerships/{proposal}/transitions",
        data={"to": "contacted", "csrf_token": token, "next": "/partnerships"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and 'id="board"' in answer.text
    assert f'data-partnership="{proposal}" data-status="contacted"' in answer.text
    assert TestClient(app).get("/partnerships?organisation=NOPE").status_code == 404


def test_detail_page_for_anonymous_visitors(app_world) -> None:
    app, world = app_world
    proposal = _in_status(app, world, "proposed")
    answer = TestClient(app).get(f"/partnerships/{proposal}")
    assert answer.status_code == 401 and 'id="error-status"' in answer.text
    assert TestClient(app).get("/partnerships/424242").status_code == 404


def test_propose_form_uses_the_members_organisation(app_world) -> None:
    app, world = app_world
    client, token = signed_in(app, world.bob)
    answer = client.post(
        "/partnerships", data={"organisation_2": "D", "note": "Shared lab", "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert 'id="partnership-status" data-status="proposed"' in page.text
    assert "Northern University" in page.text and "Other Co" in page.text


def test_a_bad_id_in_the_propose_form_keeps_what_was_typed(app_world) -> None:
    app, world = app_world
    client, token = signed_in(app, world.bob)
    answer = client.post(
        "/partnerships",
        data={"organisation_2": "NO-SUCH-ORG", "note": "Shared <lab> plans", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    assert 'id="propose-error"' in answer.text and "NO-SUCH-ORG" in answer.text
    assert 'value="NO-SUCH-ORG"' in answer.text  # the partner id is still in the form
    assert "Shared &lt;lab&gt; plans</textarea>" in answer.text  # and the description, escaped


def test_a_recommendation_links_to_a_filled_in_proposal(app_world) -> None:
    app, world = app_world
    client, _ = signed_in(app, world.bob)
    board = client.get("/partnerships", params={"partner": "D"})
    assert board.status_code == 200 and 'name="organisation_2" required' in board.text
    assert 'value="D"' in board.text
    admin, _ = signed_in(app, world.admin)
    board = admin.get("/partnerships", params={"partner": "D", "proposer": "A"})
    assert 'id="propose-org-1" name="organisation_1" required maxlength="200" value="A"' in board.text


def test_the_tracker_end_to_end(app_world) -> None:
    """One pass through sign-in, propose, advance, private notes and the growth figures."""
    app, world = app_world
    client = TestClient(app)
    login = client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    created = client.post("/api/v1/partnerships", json={"organisation_1": "A", "organisation_2": "C"}, headers=headers)
    assert created.status_code == 201
    url = f"/api/v1/partnerships/{created.json()['id']}"
    for step in ("contacted", "agreed"):
        assert client.post(f"{url}/transitions", json={"to": step}, headers=headers).status_code == 200
    assert client.post(f"{url}/notes", json={"note": "secret", "private": True}, headers=headers).status_code == 201
    assert "secret" in [e["note"] for e in client.get(url, headers=headers).json()["history"]]
    assert "secret" not in [e["note"] for e in client.get(url).json()["history"]]
    assert "secret" not in [e["note"] for e in client.get(url, headers=bearer(app, world.bob)).json()["history"]]
    growth = client.get("/api/v1/partnerships/growth").json()["items"]
    assert [(row["pair_type"], row["new_partnerships"]) for row in growth] == [("enterprise-research", 1)]


# -- bounded data: pages, limits, body sizes -----------------------------------------------------


def _long_history(app, world, notes: int) -> int:
    """A partnership between A and C with its proposal and ``notes`` notes ("note 0", ...)."""
    store = app.state.store
    created = propose_partnership(store, "A", "C", actor=world.admin, note="Public description")
    for number in range(notes):
        add_note(store, created.id, f"note {number}", actor=world.alice)
    return created.id


def test_a_long_history_comes_a_page_at_a_time(app_world) -> None:
    app, world = app_world
    partnership = _long_history(app, world, 299)  # 300 events with the proposal
    client = TestClient(app)
    headers = bearer(app, world.alice)
    detail = client.get(f"/api/v1/partnerships/{partnership}", headers=headers).json()
    assert (detail["history_total"], detail["history_limit"], detail["history_offset"]) == (300, DEFAULT_PAGE, 0)
    assert [event["note"] for event in detail["history"]] == [f"note {n}" for n in range(249, 299)]  # the latest
    assert detail["history_next"] == f"/api/v1/partnerships/{partnership}/history?limit=50&offset=50"
    seen, link = [], detail["history_next"]
    while link:
        page = client.get(link, headers=headers).json()
        assert page["total"] == 300 and len(page["items"]) == 50
        seen = [event["note"] for event in page["items"]] + seen
        link = page["next"]
    assert seen == ["Public description"] + [f"note {n}" for n in range(249)]
    history = f"/api/v1/partnerships/{partnership}/history"
    big = client.get(history, params={"limit": MAX_PAGE}, headers=headers).json()
    assert len(big["items"]) == 300 and big["next"] is None
    for bad in ({"limit": 0}, {"limit": MAX_PAGE + 1}, {"offset": -1}, {"limit": "many"}):
        error = client.get(history, params=bad, headers=headers)
        assert error.status_code == 422 and error.json()["error"]["code"] == "validation_error"
        assert next(iter(bad)) in error.json()["error"]["message"]  # names the parameter
    assert client.get(f"/api/v1/partnerships/{partnership}/history").status_code == 401  # still a proposal
    # the page shows the latest 50 events and links to the older ones
    browser, _ = signed_in(app, world.alice)
    text = browser.get(f"/partnerships/{partnership}").text
    assert text.count('data-testid="history-event"') == 50 and "note 298" in text and "note 248<" not in text
    assert f'href="/partnerships/{partnership}?offset=50" rel="next"' in text
    assert 'data-testid="history-newer"' not in text
    last = browser.get(f"/partnerships/{partnership}?offset=250").text
    assert last.count('data-testid="history-event"') == 50 and "Public description" in last
    assert (
        f'href="/partnerships/{partnership}?offset=200" rel="prev"' in last
        and 'data-testid="history-older"' not in last
    )
    assert len(text.encode()) < 60_000  # bounded, whatever the length of the history


def test_lists_carry_the_next_page(app_world) -> None:
    app, world = app_world
    ids = [_in_status(app, world, "agreed", pair=pair) for pair in (("A", "B"), ("A", "C"), ("B", "C"))]
    client = TestClient(app)
    first = client.get("/api/v1/partnerships", params={"limit": 2, "organisation": "A"}).json()
    assert first["total"] == 2 and first["next"] is None
    first = client.get("/api/v1/partnerships", params={"limit": 2, "status": "agreed"}).json()
    assert first["next"] == "/api/v1/partnerships?status=agreed&limit=2&offset=2"
    second = client.get(first["next"]).json()
    assert second["next"] is None and {i["id"] for i in first["items"] + second["items"]} == set(ids)
    assert client.get("/api/v1/partnerships").json()["limit"] == DEFAULT_PAGE
    organisations = client.get("/api/v1/organisations", params={"limit": 3}).json()
    assert organisations["total"] == 4 and organisations["next"] == "/api/v1/organisations?limit=3&offset=3"
    assert client.get(organisations["next"]).json()["next"] is None
    schema = client.get("/api/v1/openapi.json").json()
    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/partnerships/{partnership_id}/history"]["get"]["parameters"]
    }
    assert parameters["limit"]["schema"]["maximum"] == MAX_PAGE and parameters["limit"]["schema"]["default"] == 50
    assert "next" in schema["components"]["schemas"]["PartnershipPage"]["properties"]


def test_the_board_pages_older_partnerships(app_world, monkeypatch) -> None:
    from clusterix.web.routes import partnerships as routes

    monkeypatch.setattr(routes, "BOARD_PAGE", 2)
    app, world = app_world
    ids = [_in_status(app, world, "agreed", pair=pair) for pair in (("A", "B"), ("A", "C"), ("B", "C"))]
    client = TestClient(app)
    board = client.get("/partnerships").text
    assert board.count('data-testid="partnership-card"') == 2 and 'href="/partnerships?offset=2" rel="next"' in board
    older = client.get("/partnerships?offset=2").text
    assert older.count('data-testid="partnership-card"') == 1 and f'data-partnership="{ids[0]}"' in older
    assert 'href="/partnerships" rel="prev"' in older and 'rel="next"' not in older


def test_too_long_fields_are_refused_naming_the_field_and_the_limit(app_world) -> None:
    app, world = app_world
    partnership = _in_status(app, world, "proposed")
    client = TestClient(app)
    headers = bearer(app, world.alice)
    note = client.post(f"/api/v1/partnerships/{partnership}/notes", json={"note": "x" * 5_001}, headers=headers)
    assert note.status_code == 422
    assert (
        note.json()["error"]["message"]
        == f"Invalid request: body.note: String should have at most {MAX_NOTE_LENGTH} characters"
    )
    step = client.post(
        f"/api/v1/partnerships/{partnership}/transitions",
        json={"to": "contacted", "note": "x" * 5_001},
        headers=headers,
    )
    assert step.status_code == 422 and "body.note" in step.json()["error"]["message"]
    name = client.post(
        "/api/v1/partnerships", json={"organisation_1": "A", "organisation_2": "B" * 201}, headers=headers
    )
    assert name.status_code == 422
    assert (
        f"body.organisation_2: String should have at most {MAX_NAME_LENGTH} characters"
        in name.json()["error"]["message"]
    )
    browser, token = signed_in(app, world.alice)
    form = browser.post(f"/partnerships/{partnership}/notes", data={"note": "x" * 5_001, "csrf_token": token})
    assert form.status_code == 422 and "note" in form.text and str(MAX_NOTE_LENGTH) in form.text


def test_a_two_megabyte_body_is_refused_with_413(app_world) -> None:
    app, world = app_world
    partnership = _in_status(app, world, "proposed")
    client = TestClient(app)
    headers = bearer(app, world.alice)
    body = b'{"note": "' + b"x" * 2_000_000 + b'"}'
    answer = client.post(
        f"/api/v1/partnerships/{partnership}/notes",
        content=body,
        headers={**headers, "content-type": "application/json"},
    )
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error["code"] == "payload_too_large" and "1,048,576 bytes" in error["message"]
    browser, token = signed_in(app, world.alice)
    form = browser.post(f"/partnerships/{partnership}/notes", data={"note": "x" * 2_000_000, "csrf_token": token})
    assert form.status_code == 413 and "1,048,576 bytes" in form.text
    assert TestClient(app).get(f"/api/v1/partnerships/{partnership}", headers=headers).json()["history_total"] == 1
