"""Property-based tests of the REST API from its own OpenAPI schema (schemathesis).

Schemathesis reads ``/api/v1/openapi.json`` from the ASGI app (no network) and generates
requests for every operation, valid and invalid ones. Each response must not be a server
error (5xx) and must match the status codes and body schemas the schema declares. The app
serves a demo store built from the real data (``../shared/data``; skipped without it), on
DuckDB and on PostgreSQL (``CLUSTERIX_TEST_POSTGRES_URL``; skipped when unset), and
the requests are sent anonymously, with an admin's bearer token and with a member's (one
organisation), so the write operations (users, partnerships) are exercised past the sign-in
check and past the role checks too.

Examples are derandomised and bounded (``max_examples``) so the module stays under about
two minutes. The partner operation waits for the recommender, which fits in the background
(about 80 s on the demo data) while the other operations are tested.
"""

from __future__ import annotations

import time

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="needs schemathesis (pip install -e '.[dev]')")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import POSTGRES_URL, web_settings  # noqa: E402

pytestmark = pytest.mark.shared

#: Valid requests: no 5xx, and the status, content type, headers and body are the declared ones.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Invalid requests: the same but the status check. Undecodable JSON bodies get an undeclared
#: 400 (see ``test_write_errors_are_declared``); any other undeclared status would still show
#: up in the valid run or as a body that does not match its schema.
NEGATIVE_CHECKS = [check for check in CHECKS if check is not status_code_conformance]
EXAMPLES_PER_MODE = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 12}
JSON_BODY_ROUTES = (
    "/api/v1/auth/login",
    "/api/v1/users",
    "/api/v1/partnerships",
    "/api/v1/partnerships/1/transitions",
    "/api/v1/partnerships/1/notes",
)
PARTNERS_PATH = "/api/v1/organisations/{organisation_id}/partners"
FIT_TIMEOUT = 300.0
_PG_SCHEMA = "clusterix_schemathesis_tests"
_FITTED: list = []  # the partner recommender's state once fitted on the first backend


def _settings(mode) -> settings:
    return settings(
        max_examples=EXAMPLES_PER_MODE[mode],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _postgres_target() -> str:
    """A fresh schema of its own on the test server (other suites wipe 'public')."""
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA {_PG_SCHEMA}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{_PG_SCHEMA}"


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def api(request, shared_data, tmp_path_factory):
    """The app over a fresh demo store (its own: the generated writes must not reach other
    modules' stores) on each backend, with an admin account. The partner recommender starts
    fitting at once on the first backend and is handed to the second (same organisations;
    fitting from PostgreSQL is covered by ``test_api.py``)."""
    from clusterix.app.demo import load_demo
    from clusterix.storage import Store
    from clusterix.tracking import create_user
    from clusterix.web.app import create_app

    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run schemathesis on PostgreSQL (.ci/run does)")
        target = _postgres_target()
    else:
        target = str(tmp_path_factory.mktemp("schemathesis") / "demo.duckdb")
    store = Store.open(target)
    report = load_demo(store, shared_data)
    admin = create_user(store, "admin@example.org", "correct horse battery", role="admin", as_owner=True)
    app = create_app(web_settings(report.boundaries), store=store)
    if _FITTED:
        from clusterix.app.partners import collaboration_version

        app.state.caches.partners = _FITTED[0]
        # the same organisations and collaborations, imported at another time: no refit needed
        _FITTED[0].fitted_version, _FITTED[0].checked_store_version = collaboration_version(store), None
    else:
        app.state.caches.partners.start(store)
    yield app, store, admin
    if request.param == "postgresql":
        _FITTED.clear()  # the last backend: free the model (a few hundred MB)
    elif app.state.caches.partners.status == "ready":
        _FITTED[:] = [app.state.caches.partners]
    store.close()


@pytest.fixture(scope="module")
def api_schema(api):
    app, _, _ = api
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def _operations(api_schema, *, exclude: tuple[str, ...] = (), only: str | None = None, writes: bool = False) -> list:
    """The schema's operations, optionally only ``only`` or only those behind a sign-in (``writes``)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    if writes:
        operations = [op for op in operations if op.method.upper() != "GET" or "api" not in op.tags]
    return [op for op in operations if op.path not in exclude and (only is None or op.path == only)]


def _property(operation, mode, headers):
    """A Hypothesis test: ``operation`` on requests generated in ``mode``, validated by the checks of that mode."""
    checks = CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS

    @given(case=operation.as_strategy(generation_mode=mode))
    @_settings(mode)
    def check(case) -> None:
        case.call_and_validate(headers=headers() if callable(headers) else headers, checks=checks)

    return check


def _fuzz(operations: list, headers=None) -> list[str]:
    """Run every operation on generated valid and invalid requests; return the failures.

    Schemathesis's own pytest loader (``schemathesis.pytest.from_fixture``) does not work
    with pytest 9 (it reads ``request.node._nodeid``), so the operations are driven here with
    Hypothesis directly. ``headers`` is a dict or a function returning one per request.
    """
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            check = _property(operation, mode, headers)
            try:
                check()
            except Unsatisfiable:  # no invalid request exists (an operation without parameters or body)
                if mode is GenerationMode.POSITIVE:
                    raise
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation is tried; all are reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures


def test_the_schema_lists_every_api_route(api_schema) -> None:
    """The schema covers the documented routes (so the generated requests below reach them) and no page."""
    operations = {(op.method.upper(), op.path) for op in _operations(api_schema)}
    for path in (
        "/api/v1/health",
        "/api/v1/regions",
        "/api/v1/regions/{code}/profile",
        "/api/v1/complementarity",
        "/api/v1/organisations",
        PARTNERS_PATH,
        "/api/v1/partnerships",
        "/api/v1/partnerships/{partnership_id}",
        "/api/v1/users",
    ):
        assert ("GET", path) in operations
    for route in JSON_BODY_ROUTES:
        assert ("POST", route.replace("/1/", "/{partnership_id}/")) in operations
    assert all(path.startswith("/api/v1/") for _, path in operations)  # pages are left out
    assert len(operations) >= 24


#: Requests that find real data in the demo store (generated ones mostly hit 404s): their 200
#: answers must match the declared response schemas too.
REAL_REQUESTS = [
    ("/api/v1/health", {}, {}),
    ("/api/v1/regions", {}, {"level": 2, "limit": 50}),
    ("/api/v1/regions/{code}", {"code": "UKI3"}, {}),
    ("/api/v1/datasets", {}, {}),
    ("/api/v1/indicators", {}, {"dataset": "uk-bres-employment", "indicator": "lq", "activity": "6201"}),
    ("/api/v1/indicators/geojson", {}, {"dataset": "cordis-h2020-projects"}),
    ("/api/v1/regions/{code}/profile", {"code": "UKD3"}, {"dataset": "uk-bres-employment", "year": "2016"}),
    ("/api/v1/regions/{code}/peers", {"code": "UKI3"}, {"k": 5, "metric": "mahalanobis"}),
    ("/api/v1/complementarity", {}, {"regions": "UKI3,UKD3,UKM5"}),
    ("/api/v1/organisations", {}, {"q": "99997", "kind": "research", "limit": 5}),
    ("/api/v1/organisations/{organisation_id}", {"organisation_id": "999979888"}, {}),
    ("/api/v1/partnerships/growth", {}, {"by": "quarter"}),
]


def test_real_requests_match_the_schema(api_schema) -> None:
    """Requests on real regions, datasets and organisations answer 200 with the declared bodies."""
    for path, path_parameters, query in REAL_REQUESTS:
        case = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call()
        assert response.status_code == 200, (path, path_parameters, query, response.text[:300])
        case.validate_response(response, checks=CHECKS)


def test_api_anonymous(api_schema) -> None:
    """Every operation (but the partner one, below) without credentials: no 5xx, responses as declared."""
    failures = _fuzz(_operations(api_schema, exclude=(PARTNERS_PATH,)))
    assert not failures, "\n\n".join(failures)


def test_api_as_admin(api_schema, api) -> None:
    """The account and partnership operations with a fresh admin bearer token per request
    (writes included; logout revokes the token it is sent with): no 5xx, responses as declared."""
    from clusterix.tracking.accounts import create_session

    _, store, admin = api

    def headers() -> dict[str, str]:
        token, _ = create_session(store, admin, kind="bearer")
        return {"Authorization": f"Bearer {token}"}

    failures = _fuzz(_operations(api_schema, writes=True), headers)
    assert not failures, "\n\n".join(failures)


def test_api_as_member(api_schema, api) -> None:
    """The account and partnership operations as a member managing one organisation of the
    demo store (writes for their own organisation and refusals for others'): no 5xx,
    responses as declared."""
    from clusterix.tracking import create_user
    from clusterix.tracking.accounts import create_session

    _, store, admin = api
    member = create_user(
        store, "member@example.org", "tram violet kettle orbit", organisation_id="999979888", actor=admin
    )

    def headers() -> dict[str, str]:
        token, _ = create_session(store, member, kind="bearer")
        return {"Authorization": f"Bearer {token}"}

    failures = _fuzz(_operations(api_schema, writes=True), headers)
    assert not failures, "\n\n".join(failures)


def test_partners_once_fitted(api_schema, api) -> None:
    """The partner operation once the recommender is ready (before, it answers the declared 503)."""
    app, _, _ = api
    state = app.state.caches.partners
    deadline = time.monotonic() + FIT_TIMEOUT
    while state.status == "fitting" and time.monotonic() < deadline:
        time.sleep(1.0)
    assert state.status == "ready", state.describe()
    failures = _fuzz(_operations(api_schema, only=PARTNERS_PATH))
    assert not failures, "\n\n".join(failures)


def test_write_errors_are_declared(api, api_schema) -> None:
    """A body that is not UTF-8 JSON, or is larger than max_request_bytes, gets an error
    envelope with a status the operation declares."""
    from fastapi.testclient import TestClient

    app, _, _ = api
    paths = api_schema.raw_schema["paths"]
    undeclared = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for route in JSON_BODY_ROUTES:
            template = route.replace("/1/", "/{partnership_id}/")
            declared = set(paths[template]["post"]["responses"])
            for body in (b"\xff\x1c\x7f", b'{"note": "' + b"x" * (app.state.settings.max_request_bytes + 1) + b'"}'):
                answer = client.post(route, content=body, headers={"Content-Type": "application/json"})
                assert answer.status_code < 500, (route, answer.status_code, answer.text[:200])
                assert set(answer.json()) == {"error"}  # the error envelope either way
                if str(answer.status_code) not in declared:
                    undeclared.append(f"POST {template}: {answer.status_code} (declared {sorted(declared)})")
    assert not undeclared, "\n".join(undeclared)
