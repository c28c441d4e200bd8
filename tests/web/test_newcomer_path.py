"""The newcomer's stumbles of the hardening round, each pinned: lower-case region codes, the
Compare page's default "same as research", and error texts without Python lists. On the tiny
store, DuckDB and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_a_lower_case_code_is_the_same_region(tiny_app) -> None:
    client = TestClient(tiny_app)
    page = client.get("/regions/xa11?year=2017", follow_redirects=False)
    assert page.status_code == 308 and page.headers["location"] == "/regions/XA11?year=2017"
    assert client.get("/regions/xa11").status_code == 200
    assert client.get("/regions/xa11/fragment").status_code == 200
    lower = client.get("/api/v1/regions/xa11/profile")
    assert lower.status_code == 200 and lower.json()["region"] == "XA11"
    assert lower.content == client.get("/api/v1/regions/XA11/profile").content
    assert client.get("/api/v1/regions/xa11/peers").json()["region"] == "XA11"
    both = client.get("/api/v1/complementarity", params={"regions": "xa11,XA12"})
    assert both.status_code == 200, both.text


def test_the_compare_page_default_industry_is_the_research_dataset(tiny_app) -> None:
    client = TestClient(tiny_app)
    answer = client.get("/compare", params={"regions": "XA11,XA12", "dataset": "", "industry": "", "year": ""})
    assert answer.status_code == 200, answer.text
    assert "String should match pattern" not in answer.text


def test_error_texts_hold_no_python_lists(tiny_app) -> None:
    client = TestClient(tiny_app)
    for path, params in (
        ("/api/v1/regions/XA99/profile", {}),
        ("/api/v1/regions/XA11/profile", {"year": "1999"}),
        ("/api/v1/regions/XA99/peers", {}),
    ):
        message = client.get(path, params=params).json()["error"]["message"]
        assert not re.search(r"\[['\"]", message), message  # no ['XA11', ...]


def test_a_page_without_matplotlib_says_how_to_get_its_charts(tiny_app, monkeypatch) -> None:
    from clusterix.app import profile

    page = TestClient(tiny_app, cookies={"fresh": "1"}).get("/regions/XA12")
    assert page.status_code == 200 and 'id="charts-missing"' not in page.text and "<svg" in page.text
    monkeypatch.setattr(profile, "charts_available", lambda: False)
    page = TestClient(tiny_app, cookies={"fresh": "1"}).get("/regions/XA12")
    assert 'id="charts-missing"' in page.text and "pip install 'clusterix[report]'" in page.text
