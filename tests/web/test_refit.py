"""After new collaboration data are imported, the partner recommender is fitted again in the
background while the last model goes on answering, and the page and /health say so; an
organisation of the new data is 503 'not ready' until the new model is in, then answered.
Runs on a store of its own per backend (the import changes it)."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from clusterix.storage import Store
from clusterix.web.app import create_app

from .conftest import POSTGRES_URL, build_tiny, web_settings


@pytest.fixture(params=["duckdb", "postgresql"])
def fresh(request, tmp_path):
    if request.param == "duckdb":
        target = str(tmp_path / "refit.duckdb")
    else:
        if not POSTGRES_URL:
            pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run the web tests on PostgreSQL (.ci/run does)")
        from tests.tracking.webapp import fresh_postgres_target

        target = fresh_postgres_target()
    store = Store.open(target)
    geo = build_tiny(store, tmp_path)
    yield store, geo
    store.close()


def _wait(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _import_newcomer(store: Store, folder) -> None:
    """A second organisation file: 2001 (an enterprise) works with 1003 and 1005 in 2019."""
    organisations = pd.DataFrame(
        [("2001", "enterprise", "AT", "Newcomer GmbH")], columns=["id", "kind", "country", "name"]
    )
    projects = pd.DataFrame([("q1", "2019-03-01", "LEIT")], columns=["id", "start_date", "programme_part"])
    participations = pd.DataFrame(
        [("q1", "2001"), ("q1", "1003"), ("q1", "1005")], columns=["project_id", "organisation_id"]
    )
    path = folder / "newcomers.csv"
    organisations.to_csv(path, index=False)
    store.import_organisations(
        organisations=organisations, projects=projects, participations=participations,
        source="test", path=path, name="newcomers",
    )  # fmt: skip


def test_new_collaboration_data_are_fitted_in_the_background_while_the_last_model_answers(fresh, tmp_path) -> None:
    store, geo = fresh
    app = create_app(web_settings(geo), store=store)
    state = app.state.caches.partners
    with TestClient(app) as client:
        _wait(lambda: client.get("/api/v1/organisations/1001/partners").status_code == 200)
        first = state.recommender
        before = client.get("/api/v1/organisations/1001/partners", params={"k": 3}).json()
        assert state.describe()["refitting"] is False and state.describe()["fitted_at"]

        gate = threading.Event()
        real_fit = state.fit

        def held_fit(current_store):
            gate.wait(30)
            return real_fit(current_store)

        state.fit = held_fit
        _import_newcomer(store, tmp_path)
        # the next request finds the data changed: a refit starts, the last model answers at once
        started = time.monotonic()
        answer = client.get("/api/v1/organisations/1001/partners", params={"k": 3})
        assert answer.status_code == 200 and time.monotonic() - started < 5
        assert state.recommender is first and state.refitting
        assert [item["partner_id"] for item in answer.json()["items"]] == [
            item["partner_id"] for item in before["items"]
        ]
        health = client.get("/api/v1/health").json()["partners"]
        assert health["status"] == "ready" and health["refitting"] is True
        page = client.get("/partners", params={"org": "1001"}).text
        assert 'id="partners-refitting"' in page and "a new partner recommender is" in page
        newcomer = client.get("/api/v1/organisations/2001/partners")
        assert newcomer.status_code == 503 and newcomer.json()["error"]["code"] == "not_ready"
        assert "Retry-After" in newcomer.headers

        gate.set()
        _wait(lambda: not state.refitting)
        assert state.recommender is not first and "2001" in set(map(str, state.recommender.ids_))
        assert client.get("/api/v1/organisations/2001/partners").status_code == 200
        assert 'id="partners-refitting"' not in client.get("/partners", params={"org": "1001"}).text
        # no change since: no further refit
        client.get("/api/v1/organisations/1002/partners")
        assert not state.refitting


def test_an_import_of_observations_does_not_refit(fresh, tmp_path) -> None:
    store, geo = fresh
    app = create_app(web_settings(geo), store=store)
    state = app.state.caches.partners
    with TestClient(app) as client:
        _wait(lambda: client.get("/api/v1/organisations/1001/partners").status_code == 200)
        rows = pd.DataFrame({"region": ["XA11", "XA12"], "activity": ["A", "A"], "time": "2019", "measure": "m",
                             "value": [1.0, 2.0]})  # fmt: skip
        path = tmp_path / "more.csv"
        rows.to_csv(path, index=False)
        store.import_observations([rows], source="test", path=path, name="more", region_version=2021)
        assert client.get("/api/v1/organisations/1002/partners").status_code == 200
        assert not state.refitting
