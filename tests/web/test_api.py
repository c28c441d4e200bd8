"""The REST API: every endpoint's shape and values (against the library called directly and
hand-checked figures), pagination, the error envelope (404, 422, 413, 500, 503, 504) and the
OpenAPI schema. Runs on DuckDB and PostgreSQL (the tiny store) and on the real demo store."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from numpy.testing import assert_allclose

from clusterix.app import datasets, partners
from clusterix.errors import InvalidInputError
from clusterix.profiling.complementarity import complementarity, rca_table
from clusterix.profiling.peers import peer_regions
from clusterix.profiling.profile import RegionProfiler
from clusterix.web.app import create_app
from clusterix.web.settings import WebSettings

from .conftest import ACTIVITIES, EMPLOYMENT, REGIONS, web_settings


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    """The response is the error envelope with ``status`` (and ``code``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    assert "Traceback" not in response.text
    return error


def _tiny_frame(year: str | None = None) -> pd.DataFrame:
    rows = [
        {"region": region, "activity": activity, "time": period, "value": float(value)}
        for period, table in EMPLOYMENT.items()
        for region, values in table.items()
        for activity, value in zip(ACTIVITIES, values, strict=True)
    ]
    frame = pd.DataFrame(rows)
    return frame if year is None else frame[frame["time"] == year]


def _names() -> dict[str, str]:
    return {code: f"Region {code[-1]}" for code in REGIONS}


# --------------------------------------------------------------------------- health, regions, datasets


def test_health_counts_the_store(client, tiny) -> None:
    store, _ = tiny
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["backend"] == store.database.backend
    assert body["counts"] == store.table_counts()
    assert body["counts"]["organisations"] == 8


def test_regions_are_paginated(client) -> None:
    body = client.get("/api/v1/regions", params={"level": 2}).json()
    assert body["total"] == 4
    assert [item["code"] for item in body["items"]] == list(REGIONS)
    assert body["items"][0] == {
        "code": "XA11", "name": "Region 1", "level": 2, "parent": "XA1", "country": "XA", "version": 2021,
    }  # fmt: skip
    page = client.get("/api/v1/regions", params={"level": 2, "limit": 2, "offset": 2}).json()
    assert [item["code"] for item in page["items"]] == ["XA13", "XA14"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 2)
    everything = client.get("/api/v1/regions", params={"limit": 3}).json()
    assert everything["total"] == 6 and len(everything["items"]) == 3
    beyond = client.get("/api/v1/regions", params={"offset": 100}).json()
    assert beyond["items"] == [] and beyond["total"] == 6


@pytest.mark.parametrize(
    ("query", "status"),
    [({"limit": 5}, 422), ({"limit": 0}, 422), ({"offset": -1}, 422), ({"level": 7}, 422), ({"version": 2013}, 404)],
    ids=["over-max-page-size", "zero-limit", "negative-offset", "bad-level", "version-not-loaded"],
)
def test_regions_bad_queries_get_the_envelope(client, query, status) -> None:
    assert_envelope(client.get("/api/v1/regions", params=query), status)


def test_region_detail_has_its_boundary(client) -> None:
    body = client.get("/api/v1/regions/XA11").json()
    assert body["code"] == "XA11" and body["name"] == "Region 1"
    assert body["geometry"]["type"] == "Polygon"
    assert body["geometry"]["coordinates"][0][0] == [0.0, 50.0]
    assert body["geometry_version"] == 2021
    unmapped = client.get("/api/v1/regions/XA14").json()
    assert unmapped["geometry"] is None and unmapped["geometry_version"] is None


def test_unknown_and_malformed_region_codes(client) -> None:
    error = assert_envelope(client.get("/api/v1/regions/XA99"), 404, "not_found")
    assert "XA99" in error["message"]
    assert client.get("/api/v1/regions/xa11").json()["code"] == "XA11"  # any case is the same region
    error = assert_envelope(client.get("/api/v1/regions/X-11"), 422, "validation_error")
    assert error["details"][0]["loc"] == ["path", "code"]
    assert_envelope(client.get("/api/v1/regions/TOOLONG1"), 422)
    assert_envelope(client.get("/api/v1/regions/XA11/profile", params={"year": "20 18"}), 422)


def test_datasets_list_measures_and_periods(client) -> None:
    items = {item["name"]: item for item in client.get("/api/v1/datasets").json()["items"]}
    assert items["tiny"]["measures"] == ["employment"]
    assert items["tiny"]["periods"] == ["2017", "2018"]
    assert items["tiny"]["row_count"] == 24
    assert items["tiny"]["region_version"] == 2021
    assert items["tiny-organisations"]["kind"] == "organisations"
    assert items["tiny-organisations"]["periods"] == []


def test_a_new_or_replaced_dataset_is_seen_at_once(tmp_path) -> None:
    from clusterix.storage import Store

    from .conftest import build_tiny

    with Store.open(tmp_path / "store.duckdb") as store:
        geo = build_tiny(store, tmp_path)
        with TestClient(create_app(web_settings(geo), store=store)) as client:
            assert client.get("/api/v1/datasets/tiny/activities").status_code == 200  # fills the caches
            rows = _tiny_frame("2018").assign(time="2020", measure="firms")  # connected: ECI is defined
            path = tmp_path / "firms.csv"
            rows.to_csv(path, index=False)
            store.import_observations([rows], source="test", path=path, name="firms", region_version=2021)
            names = [item["name"] for item in client.get("/api/v1/datasets").json()["items"]]
            assert names == ["tiny", "tiny-organisations", "firms"]
            totals = client.get("/api/v1/indicators", params={"dataset": "firms", "indicator": "total"}).json()
            assert {item["region"]: item["value"] for item in totals["items"]}["XA11"] == 190.0
            rows.loc[rows.index[0], "value"] += 10.0  # XA11, activity A
            rows.to_csv(path, index=False)
            store.import_observations([rows], source="test", path=path, name="firms", region_version=2021, replace=True)
            totals = client.get("/api/v1/indicators", params={"dataset": "firms", "indicator": "total"}).json()
            assert {item["region"]: item["value"] for item in totals["items"]}["XA11"] == 200.0


# --------------------------------------------------------------------------- indicators


def test_indicator_totals_and_lq_by_hand(client) -> None:
    body = client.get("/api/v1/indicators", params={"dataset": "tiny", "indicator": "total"}).json()
    assert body["year"] == "2018" and body["years"] == ["2017", "2018"]
    totals = {item["region"]: item["value"] for item in body["items"]}
    assert totals == {"XA11": 190.0, "XA12": 150.0, "XA13": 95.0, "XA14": 150.0}
    assert (body["min"], body["max"]) == (95.0, 190.0)
    assert body["items"][0]["name"] == "Region 1"
    lq = client.get("/api/v1/indicators", params={"dataset": "tiny", "indicator": "lq", "activity": "A"}).json()
    values = {item["region"]: item["value"] for item in lq["items"]}
    assert values["XA11"] == pytest.approx((120 / 190) / (300 / 585))
    assert values["XA14"] == pytest.approx((10 / 150) / (300 / 585))
    early = client.get("/api/v1/indicators", params={"indicator": "total", "year": "2017"}).json()
    assert {item["region"]: item["value"] for item in early["items"]}["XA14"] == 120.0


def test_indicator_eci_matches_the_library(client) -> None:
    profiler = RegionProfiler(_tiny_frame(), time="time")
    expected = dict(zip(profiler.results[-1].matrix.regions, profiler.results[-1].eci, strict=True))
    body = client.get("/api/v1/indicators", params={"indicator": "eci"}).json()
    assert body["dataset"] == "tiny" and body["measure"] == "employment"
    for item in body["items"]:
        assert item["value"] == pytest.approx(expected[item["region"]])


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"dataset": "nope"}, 404, "not_found"),
        ({"year": "1999"}, 404, "not_found"),
        ({"measure": "firms"}, 404, "not_found"),
        ({"indicator": "magic"}, 422, "validation_error"),
        ({"indicator": "lq"}, 422, "invalid_input"),
        ({"indicator": "lq", "activity": "Z"}, 404, "not_found"),
        ({"indicator": "eci", "activity": "A"}, 422, "invalid_input"),
        ({"dataset": "../etc"}, 422, "validation_error"),
    ],
    ids=["unknown-dataset", "unknown-year", "unknown-measure", "bad-indicator", "lq-without-activity",
         "unknown-activity", "activity-without-lq", "malformed-dataset"],
)  # fmt: skip
def test_indicator_errors(client, query, status, code) -> None:
    assert_envelope(client.get("/api/v1/indicators", params=query), status, code)


def test_dataset_activities(client) -> None:
    body = client.get("/api/v1/datasets/tiny/activities").json()
    assert body == {
        "dataset": "tiny", "measure": "employment",
        "items": [{"code": "A", "name": None}, {"code": "B", "name": None}, {"code": "C", "name": None}],
    }  # fmt: skip
    assert_envelope(client.get("/api/v1/datasets/nope/activities"), 404)
    assert_envelope(client.get("/api/v1/datasets/tiny/activities", params={"measure": "firms"}), 404)


def test_indicator_geojson_lists_regions_without_a_boundary(client) -> None:
    body = client.get("/api/v1/indicators/geojson", params={"indicator": "total"}).json()
    assert body["type"] == "FeatureCollection"
    assert [feature["id"] for feature in body["features"]] == ["XA11", "XA12", "XA13"]
    assert body["features"][0]["properties"]["value"] == 190.0
    assert body["metadata"]["unmapped"] == ["XA14"]
    assert body["metadata"]["indicator"] == "total"


# --------------------------------------------------------------------------- profile, peers, complementarity


def test_profile_equals_the_library(client) -> None:
    expected = RegionProfiler(_tiny_frame(), time="time", region_names=_names()).profile("XA11")
    body = client.get("/api/v1/regions/XA11/profile").json()
    assert body["dataset"] == "tiny" and body["measure"] == "employment" and body["periods"] == ["2017", "2018"]
    for key in ("region", "name", "period", "specialisations", "diversification", "trends", "emerging", "notes"):
        assert body[key] == expected[key], key
    assert body["summary"] == pytest.approx(expected["summary"])
    assert body["specialisations"][0]["activity"] == "A"
    assert body["specialisations"][0]["lq"] == pytest.approx((120 / 190) / (300 / 585))
    earlier = client.get("/api/v1/regions/XA11/profile", params={"year": "2017"}).json()
    assert earlier["period"] == "2017" and earlier["summary"]["total"] == 170.0


def test_profile_errors(client) -> None:
    assert_envelope(client.get("/api/v1/regions/XB11/profile"), 404, "not_found")
    assert_envelope(client.get("/api/v1/regions/XA11/profile", params={"year": "2020"}), 404)
    assert_envelope(client.get("/api/v1/regions/XA11/profile", params={"dataset": "nope"}), 404)


def test_peers_equal_the_library(client) -> None:
    profiler = RegionProfiler(_tiny_frame(), time="time")
    expected = peer_regions(profiler.structural_indicators("2018"), "XA11", k=2)
    body = client.get("/api/v1/regions/XA11/peers", params={"k": 2}).json()
    assert [item["region"] for item in body["items"]] == list(expected.index) == ["XA12", "XA14"]
    assert [item["distance"] for item in body["items"]] == pytest.approx(list(expected["distance"]))
    assert body["items"][0]["similar_on"] == expected["similar_on"].iloc[0].split(", ")
    assert body["items"][0]["gaps"]["eci"] == pytest.approx(expected["gap_eci"].iloc[0])
    aspirational = client.get("/api/v1/regions/XA11/peers", params={"aspirational": True}).json()
    eci = dict(zip(profiler.results[-1].matrix.regions, profiler.results[-1].eci, strict=True))
    assert aspirational["items"] and all(eci[item["region"]] > eci["XA11"] for item in aspirational["items"])


@pytest.mark.parametrize(
    ("query", "status"),
    [({"k": 0}, 422), ({"k": 1000}, 422), ({"metric": "manhattan"}, 422), ({"aspirational": "maybe"}, 422)],
)
def test_peer_parameter_errors(client, query, status) -> None:
    assert_envelope(client.get("/api/v1/regions/XA11/peers", params=query), status)


def test_complementarity_equals_the_library(client) -> None:
    sizes = _tiny_frame("2018").pivot_table(index="region", columns="activity", values="value", fill_value=0.0)
    rca = rca_table(sizes)
    expected = complementarity(rca, rca, regions=["XA11", "XA14"])
    body = client.get("/api/v1/complementarity", params={"regions": "XA11,XA14"}).json()
    assert [region["code"] for region in body["regions"]] == ["XA11", "XA14"]
    assert_allclose(body["matrix"], expected.to_numpy())
    pair = next(p for p in body["pairs"] if p["research_region"] == "XA11" and p["industry_region"] == "XA14")
    assert pair["score"] == pytest.approx(expected.loc["XA11", "XA14"])
    assert sum(o["score"] for o in pair["opportunities"]) == pytest.approx(pair["score"])
    assert body["research"] == {"dataset": "tiny", "measure": "employment", "year": "2018"}


@pytest.mark.parametrize(
    ("regions", "status"),
    [("XA11", 422), ("XA11,XA99", 404), ("XA11;XA12", 422), ("xa11,xa12", 200), ("", 422)],
    ids=["one-region", "unknown", "bad-separator", "lower-case-is-fine", "empty"],
)
def test_complementarity_errors(client, regions, status) -> None:
    answer = client.get("/api/v1/complementarity", params={"regions": regions})
    if status == 200:
        assert answer.status_code == 200 and [r["code"] for r in answer.json()["regions"]] == ["XA11", "XA12"]
    else:
        assert_envelope(answer, status)
    assert_envelope(client.get("/api/v1/complementarity", params={"regions": "XA11,XA12", "year": "1990"}), 404)


# --------------------------------------------------------------------------- organisations and partners


def test_organisation_search_filters_and_pages(client) -> None:
    everything = client.get("/api/v1/organisations", params={"limit": 3}).json()
    assert everything["total"] == 8 and [o["id"] for o in everything["items"]] == ["1001", "1002", "1003"]
    assert everything["items"][0] == {
        "id": "1001", "name": "Organisation 1001", "kind": "enterprise", "country": "DE", "region": None,
        "description": None,
    }  # fmt: skip
    second = client.get("/api/v1/organisations", params={"limit": 3, "offset": 3}).json()
    assert [o["id"] for o in second["items"]] == ["1004", "1005", "1006"]
    firms = client.get("/api/v1/organisations", params={"kind": "enterprise"}).json()
    assert [o["id"] for o in firms["items"]] == ["1001", "1004", "1006"]
    german = client.get("/api/v1/organisations", params={"country": "DE", "q": "organisation 100"}).json()
    assert [o["id"] for o in german["items"]] == ["1001", "1002", "1007"]
    assert client.get("/api/v1/organisations", params={"q": "1008"}).json()["total"] == 1
    assert client.get("/api/v1/organisations", params={"q": "%"}).json()["total"] == 0  # LIKE wildcards are escaped


@pytest.mark.parametrize(
    "query",
    [{"kind": "company"}, {"country": "deu"}, {"limit": 5}, {"q": "x" * 101}, {"q": "a\x00b"}, {"offset": "one"}],
    ids=["bad-kind", "bad-country", "over-max-page-size", "long-query", "control-character", "non-integer-offset"],
)
def test_organisation_search_errors(client, query) -> None:
    assert_envelope(client.get("/api/v1/organisations", params=query), 422)


def test_organisation_detail_counts_by_hand(client) -> None:
    body = client.get("/api/v1/organisations/1001").json()
    assert body["kind"] == "enterprise" and body["country"] == "DE"
    assert body["participations"] == 4  # p1, p3, p6, p7
    assert body["partners"] == 7  # everyone but 1001 itself
    assert [p["id"] for p in body["projects"]] == ["p7", "p6", "p3", "p1"]  # latest first
    assert body["projects"][0]["start_date"] == "2018-01-01"
    assert_envelope(client.get("/api/v1/organisations/9999"), 404, "not_found")
    assert_envelope(client.get("/api/v1/organisations/a%20b"), 422, "validation_error")


def _wait_for_partners(client, path: str, **params):
    deadline = time.monotonic() + 60
    while True:
        response = client.get(path, params=params)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        assert_envelope(response, 503, "not_ready")
        assert int(response.headers["retry-after"]) > 0
        time.sleep(0.2)


def test_partners_equal_the_library_with_reasons(client, tiny) -> None:
    store, _ = tiny
    # 1008 worked with 1002, 1005 (p5) and 1001, 1004 (p7): the new candidates are 1003, 1006 and 1007
    response = _wait_for_partners(client, "/api/v1/organisations/1008/partners", k=3)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = partners.fit_recommender(store).recommend("1008", k=3)
    assert sorted(item["partner_id"] for item in body["items"]) == ["1003", "1006", "1007"]
    assert [item["partner_id"] for item in body["items"]] == list(expected["partner_id"])
    assert body["components"] == ["competence", "complementarity", "network", "kind_match", "geography", "popularity"]
    for item, (_, row) in zip(body["items"], expected.iterrows(), strict=True):
        assert item["score"] == pytest.approx(row["score"])
        assert sum(item["components"].values()) == pytest.approx(item["score"])  # the reasons add up
        assert item["components"]["network"] == pytest.approx(row["network"])
    assert [item["score"] for item in body["items"]] == sorted((item["score"] for item in body["items"]), reverse=True)
    assert body["organisation"]["id"] == "1008"
    research = client.get("/api/v1/organisations/1008/partners", params={"kinds": "research"}).json()
    assert sorted(i["partner_id"] for i in research["items"]) == ["1003", "1007"]
    french = client.get("/api/v1/organisations/1008/partners", params={"regions": "FR"}).json()
    assert [i["partner_id"] for i in french["items"]] == ["1003"]  # 1004 (FR) is a partner already
    everyone = client.get("/api/v1/organisations/1001/partners").json()
    assert everyone["items"] == []  # 1001 has worked with all the others


def test_partner_errors(client) -> None:
    assert_envelope(client.get("/api/v1/organisations/9999/partners"), 404)
    assert_envelope(client.get("/api/v1/organisations/1001/partners", params={"k": 0}), 422)
    assert_envelope(client.get("/api/v1/organisations/1001/partners", params={"kinds": "company"}), 422)
    assert_envelope(client.get("/api/v1/organisations/1001/partners", params={"regions": "f-r"}), 422)
    lower = client.get("/api/v1/organisations/1001/partners", params={"regions": "fr"})  # any case
    assert lower.status_code in (200, 503) and (lower.status_code == 503 or lower.json()["regions"] == ["FR"])


def test_partners_when_the_fit_failed_is_a_503(tiny) -> None:
    store, geo = tiny
    app = create_app(web_settings(geo), store=store)
    app.state.caches.partners.status = "failed"
    app.state.caches.partners.error = "The store holds no participations."
    with TestClient(app, raise_server_exceptions=False) as client:
        error = assert_envelope(client.get("/api/v1/organisations/1001/partners"), 503, "data_source_unavailable")
    assert "no participations" in error["message"]


def test_partners_while_fitting_is_a_503_with_retry_after(tiny) -> None:
    store, geo = tiny
    app = create_app(web_settings(geo), store=store)
    app.state.caches.partners.status = "fitting"  # as if the background fit had just begun
    app.state.caches.partners.started = time.monotonic()
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/organisations/1001/partners")
    error = assert_envelope(response, 503, "not_ready")
    assert "being fitted" in error["message"]
    assert response.headers["retry-after"] == "5"


# --------------------------------------------------------------------------- the envelope for everything else


def test_unknown_route_and_method(client) -> None:
    assert_envelope(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_envelope(client.post("/api/v1/datasets"), 405, "method_not_allowed")


def test_oversized_bodies_get_413(client) -> None:
    big = b"x" * 3_000  # the tiny app accepts 2,000 bytes
    error = assert_envelope(client.post("/api/v1/datasets", content=big), 413, "payload_too_large")
    assert "2,000 bytes" in error["message"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(3):
            yield b"y" * 1_000

    assert_envelope(client.post("/api/v1/auth/login", content=chunks()), 413, "payload_too_large")
    assert client.post("/api/v1/datasets", content=b"x" * 100).status_code == 405  # small bodies pass


def test_unexpected_errors_are_500_without_a_traceback(tiny, monkeypatch) -> None:
    store, geo = tiny

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(datasets, "list_datasets", broken)
    app = create_app(web_settings(geo), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/datasets")
        page = client.get("/")
    error = assert_envelope(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert error["details"] is None
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "secret internals" not in page.text


def test_slow_requests_hit_the_query_time_limit(tiny, monkeypatch) -> None:
    store, geo = tiny

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return []

    monkeypatch.setattr(datasets, "list_datasets", slow)
    app = create_app(web_settings(geo, query_time_limit=0.05), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        error = assert_envelope(client.get("/api/v1/datasets"), 504, "query_timeout")
    assert "0.05 s" in error["message"]


def test_openapi_lists_every_api_route_with_a_response_model(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/health",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/datasets",
        "/api/v1/datasets/{name}/activities",
        "/api/v1/indicators",
        "/api/v1/indicators/geojson",
        "/api/v1/regions/{code}/profile",
        "/api/v1/regions/{code}/peers",
        "/api/v1/complementarity",
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/organisations/{organisation_id}/partners",
    ):
        assert path in paths, path
        responses = paths[path]["get"]["responses"]
        assert "$ref" in responses["200"]["content"]["application/json"]["schema"], path
        for status in ("404", "413", "422", "500", "503", "504"):  # documented as the envelope, not FastAPI's own
            body = responses[status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorEnvelope"}, (path, status)
    app_routes = {route.path for route in client.app.routes if getattr(route, "include_in_schema", False)}
    assert {p for p in app_routes if p.startswith("/api/v1")} <= set(paths)
    assert not any(not p.startswith("/api/") for p in paths)  # pages stay out of the API schema
    region = schema["paths"]["/api/v1/regions/{code}"]["get"]["parameters"][0]
    assert region["schema"]["pattern"] == "^[A-Za-z]{2}[0-9A-Za-z]{0,3}$"


# --------------------------------------------------------------------------- settings


def test_settings_resolve_argument_environment_file_default(tmp_path, monkeypatch) -> None:
    for name in ("CLUSTERIX_PORT", "CLUSTERIX_HOST", "CLUSTERIX_QUERY_TIME_LIMIT", "CLUSTERIX_SETTINGS_FILE"):
        monkeypatch.delenv(name, raising=False)
    settings_file = tmp_path / "web.toml"
    settings_file.write_text('port = 9001\nhost = "0.0.0.0"\nquery_time_limit = 5\ncookie_secure = true\n')
    monkeypatch.setenv("CLUSTERIX_PORT", "9002")
    resolved = WebSettings.resolve(settings_file, db="x.duckdb", host="10.0.0.1")
    assert resolved.host == "10.0.0.1"  # argument beats the file
    assert resolved.port == 9002  # environment beats the file
    assert resolved.query_time_limit == 5.0 and resolved.cookie_secure is True  # from the file
    assert resolved.max_page_size == 500  # default
    assert resolved.db == "x.duckdb" and len(resolved.secret_key) >= 32
    monkeypatch.setenv("CLUSTERIX_SETTINGS_FILE", str(settings_file))
    monkeypatch.delenv("CLUSTERIX_PORT")
    assert WebSettings.resolve(db="x").port == 9001


@pytest.mark.parametrize(
    ("text", "match"),
    [("port = 'many'", "'port'.*settings file"), ("colour = 1", "unknown setting"), ("port = ", "not valid TOML"),
     ("port = 0", "'port' must be an integer in")],
)  # fmt: skip
def test_settings_errors_name_the_setting(tmp_path, monkeypatch, text, match) -> None:
    monkeypatch.delenv("CLUSTERIX_PORT", raising=False)
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(InvalidInputError, match=match):
        WebSettings.resolve(path, db="x")


def test_settings_environment_errors(monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERIX_COOKIE_SECURE", "perhaps")
    with pytest.raises(InvalidInputError, match="CLUSTERIX_COOKIE_SECURE"):
        WebSettings.resolve(db="x")


# --------------------------------------------------------------------------- the real demo store


@pytest.mark.shared
def test_demo_datasets_and_indicators_match_the_source(demo_client, shared_data) -> None:
    from clusterix.datasets import load_uk_bres

    datasets = {item["name"]: item for item in demo_client.get("/api/v1/datasets").json()["items"]}
    assert set(datasets) == {
        "uk-bres-employment", "cordis-h2020", "cordis-h2020-projects", "h2020-sdg-nuts2", "preprints-topics-nuts2",
        "h2020-sdg-nuts1", "h2020-sdg-nuts3",
    }  # fmt: skip
    assert datasets["h2020-sdg-nuts2"]["region_version"] == 2021 and datasets["h2020-sdg-nuts2"]["periods"] == [
        "2014-2021"
    ]
    assert datasets["uk-bres-employment"]["periods"] == ["2015", "2016", "2017", "2018"]
    assert datasets["uk-bres-employment"]["region_version"] == 2013
    bres = load_uk_bres(shared_data)
    expected = bres[bres["year"] == 2018].groupby("region")["value"].sum()
    body = demo_client.get(
        "/api/v1/indicators", params={"dataset": "uk-bres-employment", "indicator": "total", "year": "2018"}
    ).json()
    totals = {item["region"]: item["value"] for item in body["items"]}
    assert len(totals) == 39  # Great Britain's NUTS 2013 level-2 regions
    for region, value in expected.items():
        if value > 0:
            assert totals[region] == pytest.approx(value)
    assert "Inner London" in {item["region"]: item["name"] for item in body["items"]}["UKI3"]


@pytest.mark.shared
def test_demo_map_and_profile(demo_client) -> None:
    geojson = demo_client.get("/api/v1/indicators/geojson", params={"dataset": "uk-bres-employment"}).json()
    assert len(geojson["features"]) >= 37
    assert set(geojson["metadata"]["unmapped"]) <= {"UKM2", "UKM3"}  # NUTS 2013 Scotland, not in the 2016 map
    profile = demo_client.get("/api/v1/regions/UKI3/profile", params={"dataset": "uk-bres-employment"}).json()
    assert "Inner London" in profile["name"] and profile["period"] == "2018"
    assert len(profile["specialisations"]) == 10 and all(row["lq"] >= 1 for row in profile["specialisations"])
    peers = demo_client.get("/api/v1/regions/UKI3/peers", params={"k": 3}).json()
    assert len(peers["items"]) == 3 and "UKI3" not in [p["region"] for p in peers["items"]]
    countries = demo_client.get("/api/v1/indicators", params={"dataset": "cordis-h2020-projects"}).json()
    assert {"DE", "FR", "UK", "EL"} <= {item["region"] for item in countries["items"]}
    activities = demo_client.get("/api/v1/datasets/uk-bres-employment/activities").json()["items"]
    # the 525 SIC classes of the extract, but the four too small to compare (under 0.001 % of all
    # jobs: extraction of peat, dismantling of wrecks, leather clothes, inland freight water transport)
    assert len(activities) == 521
    assert not {"0892", "3831", "1411", "5040"} & {item["code"] for item in activities}
    assert {"code": "0610", "name": "Extraction of crude petroleum"} in activities
    pairs = demo_client.get("/api/v1/complementarity", params={"regions": "UKI3,UKM5"}).json()["pairs"]
    best = pairs[0]["opportunities"][0]  # UKI3 x UKM5: research and experimental development (7220) first
    assert (best["field"], best["industry"]) == ("7220", "7220")
    assert best["industry_name"].startswith("Research and experimental development")


@pytest.mark.shared
def test_demo_organisations(demo_client) -> None:
    body = demo_client.get("/api/v1/organisations", params={"limit": 5}).json()
    assert body["total"] == 35_871  # distinct PICs of the extract (its SOURCE.md)
    first = body["items"][0]["id"]
    detail = demo_client.get(f"/api/v1/organisations/{first}").json()
    assert detail["participations"] >= 1 and detail["external_ids"] == {"pic": first}
    firms = demo_client.get("/api/v1/organisations", params={"kind": "enterprise", "country": "UK", "limit": 1})
    assert firms.json()["total"] > 1000
