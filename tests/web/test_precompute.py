"""The region pages precomputed per dataset version: after the background pass no page or API
request computes a profile, peers or charts; the results are identical to those computed on
demand; an import starts a new pass; progress is on /health. On DuckDB and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from clusterix.app.caches import ResultCache
from clusterix.app.precompute import PAGE_PEERS, page_items
from clusterix.profiling import profile as profiler_module
from clusterix.web.app import create_app

from .conftest import EMPLOYMENT, count_calls, web_settings
from .test_caching import _import_firms

REGIONS = sorted(EMPLOYMENT["2018"])


@pytest.fixture
def app(tiny):
    store, geo = tiny
    return create_app(web_settings(geo), store=store)


@pytest.fixture
def computed(monkeypatch) -> Counter:
    """Count what is computed: profiles, structural indicators (peers) and chart drawings."""
    from clusterix.profiling import report

    return count_calls(
        monkeypatch,
        (
            (profiler_module.RegionProfiler, "profile"),
            (profiler_module.RegionProfiler, "structural_indicators"),
            (report, "_html_charts"),
        ),
    )


def _wait(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_every_region_page_of_every_dataset_is_listed(app) -> None:
    items = list(page_items(app.state.workspace))
    datasets = {item[0] for item in items}
    assert {region for dataset, _, _, region in items if dataset == "tiny"} == set(REGIONS)
    assert all(period == max(EMPLOYMENT) for dataset, _, period, _ in items if dataset == "tiny")
    assert len(items) == len(set(items)) and "tiny" in datasets


def test_after_the_pass_no_request_computes_anything(app, computed) -> None:
    job = app.state.workspace.precompute
    job.run_once()
    assert job.status == "done" and job.done == job.total == len(list(page_items(app.state.workspace)))
    assert job.failed == 0
    assert computed["profile"] == job.total  # each page once
    assert computed["_html_charts"] == job.total
    computed.clear()
    with TestClient(app) as client:
        for code in REGIONS:
            assert client.get(f"/regions/{code}").status_code == 200
            assert client.get(f"/api/v1/regions/{code}/profile").status_code == 200
            assert client.get(f"/api/v1/regions/{code}/peers").status_code == 200
            assert client.get(f"/regions/{code}/fragment").status_code == 200
    assert computed == Counter()


def test_precomputed_results_equal_those_computed_on_demand(tiny) -> None:
    store, geo = tiny
    warm = create_app(web_settings(geo), store=store)
    warm.state.workspace.precompute.run_once()
    cold = create_app(web_settings(geo), store=store)
    with TestClient(warm) as warm_client, TestClient(cold) as cold_client:
        for code in REGIONS:
            for path in (f"/api/v1/regions/{code}/profile", f"/api/v1/regions/{code}/peers?k=5"):
                assert warm_client.get(path).content == cold_client.get(path).content
            assert warm_client.get(f"/regions/{code}").text == cold_client.get(f"/regions/{code}").text


def test_a_page_not_reached_yet_is_computed_once_on_demand(app, computed) -> None:
    with TestClient(app) as client:
        threads = [threading.Thread(target=client.get, args=("/regions/XA11",)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert computed["profile"] == 1 and computed["_html_charts"] == 1


def test_an_import_starts_a_new_pass_and_health_reports_it(tiny, tmp_path) -> None:
    store, geo = tiny
    app = create_app(web_settings(geo), store=store)
    job = app.state.workspace.precompute
    job.poll_seconds = 0.1
    with TestClient(app) as client:
        assert client.get("/api/v1/health").json()["precompute"]["status"] == "idle"
        job.start()
        _wait(lambda: job.status == "done")
        first_total = job.total
        health = client.get("/api/v1/health").json()["precompute"]
        assert health["status"] == "done" and health["done"] == health["total"] == first_total
        _import_firms(store, tmp_path, bump=3.0)
        # the new dataset's pages are precomputed too
        _wait(lambda: job.status == "done" and job.total == first_total + len(REGIONS))
        firms = app.state.workspace
        from clusterix.app.datasets import analysis

        key = analysis(firms, "firms", None).key
        assert all((*key, "profile", "2020", code) in firms.caches.results for code in REGIONS)
        assert all((*key, "peers", "2020", code, k, "euclidean", False) in firms.caches.results
                   for code in REGIONS for k in PAGE_PEERS)  # fmt: skip
    job.stop()


def test_the_result_cache_is_bounded_builds_once_and_keeps_no_errors() -> None:
    cache = ResultCache(max_entries=2)
    assert cache.get("a", lambda: 1) == 1 and cache.get("b", lambda: 2) == 2
    assert cache.get("a", lambda: 99) == 1  # a is now the most recently used
    cache.get("c", lambda: 3)
    assert "b" not in cache and "a" in cache and "c" in cache and len(cache) == 2
    with pytest.raises(ZeroDivisionError):
        cache.get("d", lambda: 1 / 0)
    assert "d" not in cache
    built = Counter()
    gate = threading.Event()

    def slow() -> str:
        built["slow"] += 1
        gate.wait(1)
        return "value"

    threads = [threading.Thread(target=cache.get, args=("slow", slow)) for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.1)
    gate.set()
    for thread in threads:
        thread.join()
    assert built["slow"] == 1
    assert ResultCache(max_entries=0).get("x", lambda: 5) == 5
