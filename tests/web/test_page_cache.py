"""Anonymous region pages come from the response cache: the same bytes as a fresh render, no
use case called again, a new store version renders afresh, and a signed-in visitor (or any
request with a cookie) always gets a page rendered for them. On DuckDB and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient

from clusterix.app import peers, profile
from clusterix.web.app import create_app

from .conftest import count_calls, web_settings
from .test_caching import _import_firms


@pytest.fixture
def app(tiny):
    store, geo = tiny
    return create_app(web_settings(geo), store=store)


@pytest.fixture
def counted(monkeypatch) -> Counter:
    return count_calls(monkeypatch, ((profile, "region_profile"), (profile, "profile_charts"), (peers, "region_peers")))


def test_an_anonymous_page_is_rendered_once_per_store_version(app, tiny, counted, tmp_path) -> None:
    store, _ = tiny
    fresh = TestClient(app).get("/regions/XA11")
    assert fresh.status_code == 200 and counted["profile_charts"] == 1
    per_page = counted.copy()  # what one rendering calls
    for _ in range(3):
        again = TestClient(app).get("/regions/XA11")
        assert again.content == fresh.content and again.headers["content-security-policy"]
    assert counted == per_page
    assert TestClient(app).get("/regions/XA11?year=2017").status_code == 200  # another query, another page
    assert counted["profile_charts"] == 2
    _import_firms(store, tmp_path)  # a new store version: rendered afresh
    assert TestClient(app).get("/regions/XA11").status_code == 200
    assert counted["profile_charts"] == 3


def test_requests_with_a_cookie_or_a_token_are_rendered_for_them(app, counted) -> None:
    TestClient(app).get("/regions/XA12")
    assert counted["profile_charts"] == 1
    TestClient(app, cookies={"clusterix_other": "x"}).get("/regions/XA12")
    TestClient(app).get("/regions/XA12", headers={"Authorization": "Bearer nothing"})
    assert counted["profile_charts"] == 3


def test_error_pages_are_not_kept(app, counted) -> None:
    for _ in range(2):
        assert TestClient(app).get("/regions/ZZ99").status_code == 404
    assert counted["region_profile"] == 2 and counted["profile_charts"] == 0


def test_health_counts_the_store_at_most_once_a_second_unless_data_are_written(
    app, tiny, monkeypatch, tmp_path
) -> None:
    store, _ = tiny
    calls = Counter()
    original = type(store).table_counts

    def counting(self):
        calls["counts"] += 1
        return original(self)

    monkeypatch.setattr(type(store), "table_counts", counting)
    client = TestClient(app)
    for _ in range(5):
        assert client.get("/api/v1/health").status_code == 200
    assert calls["counts"] == 1
    _import_firms(store, tmp_path, bump=1.0)  # a write through this process: counted again at once
    assert client.get("/api/v1/health").json()["counts"]["observations"] >= 12
    assert calls["counts"] == 2
