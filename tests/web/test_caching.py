"""The API's cache of finished responses: a repeated request is answered without calling the
library again, an import (a new store version) invalidates it, different parameters are
different entries, the cache is bounded, errors are never cached, and a cached body is
byte-identical to an uncached one. Runs on DuckDB and PostgreSQL (the tiny store)."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from clusterix.app import datasets, partners, peers, profile, regions
from clusterix.app.background import BackgroundFit
from clusterix.app.caches import PayloadCache
from clusterix.errors import InvalidInputError
from clusterix.storage import Store
from clusterix.web.app import create_app

from .conftest import ACTIVITIES, EMPLOYMENT, web_settings

PROFILE = "/api/v1/regions/XA11/profile"


@pytest.fixture
def counted(monkeypatch) -> Counter:
    """Count the calls of the service functions behind the cached routes."""
    calls: Counter = Counter()
    modules = {
        "region_profile": profile,
        "indicator_values": regions,
        "partner_recommendations": partners,
        "list_datasets": datasets,
        "region_peers": peers,
    }
    for name, module in modules.items():
        original = getattr(module, name)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.fixture
def app(tiny):
    store, geo = tiny
    return create_app(web_settings(geo), store=store)


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _import_firms(store, tmp_path, bump: float = 0.0) -> None:
    """(Re-)import dataset ``firms``: the tiny 2018 employment as 2020 figures, XA11 in activity A plus ``bump``."""
    import pandas as pd

    rows = pd.DataFrame(
        [
            {"region": region, "activity": activity, "time": "2020", "measure": "firms", "value": float(value)}
            for region, values in EMPLOYMENT["2018"].items()
            for activity, value in zip(ACTIVITIES, values, strict=True)
        ]
    )
    rows.loc[0, "value"] += bump  # XA11, activity A
    path = tmp_path / "firms.csv"
    rows.to_csv(path, index=False)
    store.import_observations([rows], source="test", path=path, name="firms", region_version=2021, replace=True)


def _xa11_total(client) -> float:
    body = client.get("/api/v1/indicators", params={"dataset": "firms", "indicator": "total"}).json()
    return {item["region"]: item["value"] for item in body["items"]}["XA11"]


# --------------------------------------------------------------------------- the payload cache itself


def test_payload_cache_drops_the_least_recently_used_entry() -> None:
    cache = PayloadCache(max_entries=2, max_bytes=100)
    cache.put("a", b"1")
    cache.put("b", b"22")
    assert cache.get("a") == b"1"  # now "b" is the least recently used
    cache.put("c", b"333")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"333")
    assert len(cache) == 2 and cache.size == 4
    cache.put("a", b"4444")  # replacing an entry counts its new size only
    assert len(cache) == 2 and cache.size == 7


def test_payload_cache_is_bounded_in_bytes_too() -> None:
    cache = PayloadCache(max_entries=100, max_bytes=10)
    for key in "abcd":
        cache.put(key, b"xxxx")
    assert len(cache) == 2 and cache.size == 8  # a third 4-byte body would exceed 10 bytes
    assert cache.get("a") is None and cache.get("d") == b"xxxx"
    cache.put("big", b"y" * 11)  # larger than the whole cache: never kept, nothing dropped for it
    assert cache.get("big") is None and len(cache) == 2
    off = PayloadCache(max_entries=0)
    off.put("a", b"1")
    assert off.get("a") is None and len(off) == 0
    with pytest.raises(InvalidInputError, match="max_entries"):
        PayloadCache(max_entries=-1)


# --------------------------------------------------------------------------- through the API


def test_a_repeated_request_is_served_from_the_cache(client, counted) -> None:
    first = client.get(PROFILE, params={"dataset": "tiny"})
    second = client.get(PROFILE, params={"dataset": "tiny"})
    assert first.status_code == second.status_code == 200
    assert counted["region_profile"] == 1
    assert second.content == first.content
    assert second.headers["content-type"] == "application/json"
    assert second.json()["region"] == "XA11" and second.json()["dataset"] == "tiny"


def test_different_parameters_are_different_entries(app, client, counted) -> None:
    before = len(app.state.caches.payloads)
    bodies = {
        (code, year): client.get(f"/api/v1/regions/{code}/profile", params={"dataset": "tiny", "year": year}).json()
        for code in ("XA11", "XA12")
        for year in ("2017", "2018")
    }
    assert counted["region_profile"] == 4
    assert len(app.state.caches.payloads) == before + 4
    assert {(body["region"], body["period"]) for body in bodies.values()} == set(bodies)
    for (code, year), body in bodies.items():  # each again: from the cache, the same body
        assert client.get(f"/api/v1/regions/{code}/profile", params={"dataset": "tiny", "year": year}).json() == body
    assert counted["region_profile"] == 4
    client.get(PROFILE)  # the default dataset is the same data, but another request: another entry
    assert counted["region_profile"] == 5


def test_the_cache_is_bounded_through_the_api(app, client, counted) -> None:
    app.state.caches.payloads = PayloadCache(max_entries=2)
    for code in ("XA11", "XA12", "XA13"):
        assert client.get(f"/api/v1/regions/{code}/profile").status_code == 200
    assert len(app.state.caches.payloads) == 2
    client.get("/api/v1/regions/XA13/profile")  # still there
    client.get("/api/v1/regions/XA11/profile")  # dropped: computed again
    assert counted["region_profile"] == 4


def test_errors_are_not_cached(client, counted) -> None:
    for _ in range(2):
        assert client.get("/api/v1/regions/XA11/profile", params={"year": "1999"}).status_code == 404
    assert counted["region_profile"] == 2


def test_an_import_invalidates_the_cache_at_once(tiny, app, client, counted, tmp_path) -> None:
    store, _ = tiny
    _import_firms(store, tmp_path)
    assert _xa11_total(client) == 190.0
    assert _xa11_total(client) == 190.0
    assert counted["indicator_values"] == 1
    _import_firms(store, tmp_path, bump=10.0)  # through the app's store: its write count changes
    assert _xa11_total(client) == 200.0
    assert counted["indicator_values"] == 2
    names = [item["name"] for item in client.get("/api/v1/datasets").json()["items"]]
    assert "firms" in names


def test_an_import_by_another_process_is_seen_after_the_version_ttl(tiny, app, client, counted, tmp_path) -> None:
    from clusterix.storage import Store

    store, _ = tiny
    _import_firms(store, tmp_path)
    caches = app.state.caches
    caches.version_ttl = 3600.0
    assert _xa11_total(client) == 190.0
    # another process's import: the same database, but not through the app's counting wrapper
    other = Store(store.database._inner)
    _import_firms(other, tmp_path, bump=10.0)
    assert _xa11_total(client) == 190.0  # within the ttl: the version is not re-read
    caches.version_ttl = 0.0
    assert _xa11_total(client) == 200.0
    assert counted["indicator_values"] == 2


def test_partner_recommendations_are_cached_per_parameters_and_model(app, client, counted) -> None:
    deadline = time.monotonic() + 60
    while (response := client.get("/api/v1/organisations/1008/partners", params={"k": 3})).status_code == 503:
        assert time.monotonic() < deadline, "the partner recommender was not fitted within 60 s"
        time.sleep(0.2)
    assert response.status_code == 200, response.text
    calls = counted["partner_recommendations"]
    assert client.get("/api/v1/organisations/1008/partners", params={"k": 3}).content == response.content
    assert counted["partner_recommendations"] == calls
    for params in ({"k": 2}, {"k": 3, "kinds": "research"}, {"k": 3, "regions": "FR"}):
        assert client.get("/api/v1/organisations/1008/partners", params=params).status_code == 200
    client.get("/api/v1/organisations/1001/partners", params={"k": 3})
    assert counted["partner_recommendations"] == calls + 4
    # a newly fitted model (here: the same one in a new state) is another key
    state = BackgroundFit(partners.fit_recommender)
    state.recommender, state.status = _copy(app.state.caches.partners.recommender), "ready"
    app.state.caches.partners = state
    again = client.get("/api/v1/organisations/1008/partners", params={"k": 3})
    assert counted["partner_recommendations"] == calls + 5
    assert again.content == response.content


def _copy(value):
    import copy

    return copy.copy(value)


def test_a_not_ready_recommender_is_never_cached(app, client, counted) -> None:
    state = BackgroundFit(partners.fit_recommender)
    state.status, state.started = "fitting", time.monotonic()
    app.state.caches.partners = state
    for _ in range(2):
        assert client.get("/api/v1/organisations/1001/partners").status_code == 503
    assert counted["partner_recommendations"] == 2
    assert len(app.state.caches.payloads) == 0


def test_cached_bodies_are_byte_identical_to_uncached_ones(tiny) -> None:
    store, geo = tiny
    cached_app = create_app(web_settings(geo), store=store)
    uncached_app = create_app(web_settings(geo), store=store)
    uncached_app.state.caches.payloads = PayloadCache(max_entries=0)
    paths = [
        "/api/v1/regions?limit=3",
        "/api/v1/regions/XA11",
        "/api/v1/datasets",
        "/api/v1/datasets/tiny/activities",
        "/api/v1/indicators?dataset=tiny&indicator=lq&activity=A",
        "/api/v1/indicators/geojson?dataset=tiny",
        f"{PROFILE}?dataset=tiny&year=2017",
        "/api/v1/regions/XA11/peers?k=2",
        "/api/v1/complementarity?regions=XA11,XA14",
        "/api/v1/organisations?q=organisation&limit=3",
        "/api/v1/organisations/1003",
    ]
    with TestClient(cached_app) as cached, TestClient(uncached_app) as uncached:
        for path in paths:
            miss, hit, plain = cached.get(path), cached.get(path), uncached.get(path)
            assert miss.status_code == hit.status_code == plain.status_code == 200, (path, plain.text)
            assert hit.content == miss.content == plain.content, path
        assert len(cached_app.state.caches.payloads) == len(paths)
        assert len(uncached_app.state.caches.payloads) == 0


def test_the_health_route_is_not_cached(tiny, client, tmp_path) -> None:
    store, _ = tiny
    _import_firms(store, tmp_path)
    before = client.get("/api/v1/health").json()["counts"]
    store.database.execute("DELETE FROM observations WHERE dataset_id = (SELECT id FROM datasets WHERE name = 'firms')")
    after = client.get("/api/v1/health").json()["counts"]
    assert after["observations"] == before["observations"] - 12


def test_only_writes_to_the_data_tables_change_the_version(tiny, app) -> None:
    store, _ = tiny
    database = store.database
    writes = database.data_writes
    database.execute("CREATE TABLE IF NOT EXISTS cache_probe (x INTEGER)")
    database.execute("INSERT INTO cache_probe VALUES (1)")
    assert database.data_writes == writes  # e.g. the tracker's tables: cached responses stay valid
    database.execute("UPDATE datasets SET description = description WHERE name = 'tiny'")
    assert database.data_writes == writes + 1
    with database.transaction():
        database.execute("UPDATE regions SET name = name WHERE code = 'XA11'")
    assert database.data_writes == writes + 3  # the statement, and the end of its transaction
    database.execute("DROP TABLE cache_probe")


def test_the_version_is_re_read_by_one_thread_while_the_others_use_the_old_one(tiny, app, monkeypatch) -> None:
    import threading

    store, _ = tiny
    caches = app.state.caches
    caches.version_ttl = 60.0
    old = caches.store_version(store)
    reads = []
    release = threading.Event()
    original = Store.data_state

    def slow_state(store):
        reads.append(1)
        release.wait(10)
        return original(store)

    monkeypatch.setattr(Store, "data_state", slow_state)
    caches._version_read -= 120.0  # expired
    assert caches.fresh_version(store) is None  # nobody re-reads it yet: a request goes to a worker thread
    threads = [threading.Thread(target=caches.store_version, args=(store,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while not caches._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert caches.fresh_version(store) == old  # meanwhile the event loop answers from the old version
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(reads) == 1
    assert caches.fresh_version(store) == old  # the data did not change: the same version, fresh again
