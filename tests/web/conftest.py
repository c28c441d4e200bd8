"""Fixtures of the web tests: a tiny hand-checkable store (on DuckDB and PostgreSQL) and a
demo store built once from the real data sets.

The tiny store: NUTS-like regions XA11..XA14 (version 2021) with square boundaries, one
dataset ``tiny`` (employment in 3 activities, 2 years) and eight organisations whose
projects run from 2015 to 2018, enough for the partner recommender's inner split.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from clusterix.storage import Store
from clusterix.web.app import create_app
from clusterix.web.settings import WebSettings

POSTGRES_URL = os.environ.get("CLUSTERIX_TEST_POSTGRES_URL")
_SCHEMA = "clusterix_web_tests"  # a schema of its own, so other suites' wipes of 'public' do not interfere
_DEMO_SCHEMA = "clusterix_web_demo_tests"  # the demo store lives for the session, beside the tiny one

REGIONS = ("XA11", "XA12", "XA13", "XA14")
# employment by region x activity (A, B, C). In 2018 the totals are XA11 190, XA12 150, XA13 95,
# XA14 150 (585 in all) and activity A has 300, so the LQ of A in XA11 is (120/190) / (300/585) = 1.2316.
EMPLOYMENT = {
    "2017": {"XA11": (100, 40, 30), "XA12": (80, 60, 0), "XA13": (90, 0, 5), "XA14": (10, 50, 60)},
    "2018": {"XA11": (120, 40, 30), "XA12": (80, 70, 0), "XA13": (90, 0, 5), "XA14": (10, 50, 90)},
}
ACTIVITIES = ("A", "B", "C")
# organisations: id, kind, country
ORGANISATIONS = [
    ("1001", "enterprise", "DE"),
    ("1002", "higher_education", "DE"),
    ("1003", "research", "FR"),
    ("1004", "enterprise", "FR"),
    ("1005", "higher_education", "IT"),
    ("1006", "enterprise", "IT"),
    ("1007", "research", "DE"),
    ("1008", "public", "ES"),
]
# projects: id, start date, programme part, members
PROJECTS = [
    ("p1", "2015-01-01", "LEIT", ("1001", "1002", "1003")),
    ("p2", "2015-06-01", "SC1", ("1003", "1004")),
    ("p3", "2016-01-01", "LEIT", ("1001", "1003", "1005")),
    ("p4", "2016-06-01", "SC3", ("1004", "1006", "1007")),
    ("p5", "2017-01-01", "SC1", ("1002", "1005", "1008")),
    ("p6", "2017-06-01", "LEIT", ("1006", "1007", "1001")),
    ("p7", "2018-01-01", "SC3", ("1001", "1004", "1008")),
    ("p8", "2018-06-01", "LEIT", ("1002", "1006", "1003")),
    ("p9", "2018-09-01", "SC1", ("1005", "1007", "1004")),
]


def _square(x: float, y: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}


def build_tiny(store: Store, folder: Path) -> Path:
    """Fill ``store`` with the tiny data; return the folder holding its boundary file."""
    regions = pd.DataFrame(
        [("XA", "Xland", 0, None), ("XA1", "Xland One", 1, "XA")]
        + [(code, f"Region {code[-1]}", 2, "XA1") for code in REGIONS],
        columns=["code", "name", "level", "parent"],
    ).assign(country="XA", version=2021)
    store.import_regions(regions)
    rows = [
        {"region": region, "activity": activity, "time": year, "measure": "employment", "value": float(value)}
        for year, table in EMPLOYMENT.items()
        for region, values in table.items()
        for activity, value in zip(ACTIVITIES, values, strict=True)
    ]
    csv = folder / "tiny.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    store.import_observations([pd.DataFrame(rows)], source="test", path=csv, name="tiny", region_version=2021)
    organisations = pd.DataFrame(ORGANISATIONS, columns=["id", "kind", "country"]).assign(
        name=lambda f: "Organisation " + f["id"]
    )
    projects = pd.DataFrame(
        [(pid, start, part) for pid, start, part, _ in PROJECTS], columns=["id", "start_date", "programme_part"]
    )
    participations = pd.DataFrame(
        [(pid, member) for pid, _, _, members in PROJECTS for member in members],
        columns=["project_id", "organisation_id"],
    )
    source = folder / "organisations.csv"
    organisations.to_csv(source, index=False)
    store.import_organisations(
        organisations=organisations,
        projects=projects,
        participations=participations,
        source="test",
        path=source,
        name="tiny-organisations",
    )
    geo = folder / "geo"
    geo.mkdir()
    features = [
        {
            "type": "Feature",
            "properties": {"NUTS_ID": code, "LEVL_CODE": 2, "CNTR_CODE": "XA", "NAME_LATN": code},
            "geometry": _square(float(i), 50.0),
        }
        for i, code in enumerate(REGIONS[:3])  # XA14 has no boundary: it must be listed as unmapped
    ]
    (geo / "NUTS_RG_60M_2021_4326.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return geo


def _postgres_target(schema: str = _SCHEMA) -> str:
    import psycopg

    separator = "&" if "?" in POSTGRES_URL else "?"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"


def web_settings(boundaries: Path | str | None, **overrides) -> WebSettings:
    values = {
        "db": "unused",
        "secret_key": "test-secret",
        "boundaries": None if boundaries is None else str(boundaries),
    }
    return WebSettings(**(values | overrides))


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def tiny(request, tmp_path_factory) -> Iterator[tuple[Store, Path]]:
    """The tiny store (once per module and backend) and its boundary folder."""
    folder = tmp_path_factory.mktemp("tiny")
    if request.param == "duckdb":
        target = str(folder / "tiny.duckdb")
    else:
        if not POSTGRES_URL:
            pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run the web tests on PostgreSQL (.ci/run does)")
        target = _postgres_target()
    store = Store.open(target)
    geo = build_tiny(store, folder)
    yield store, geo
    store.close()


@pytest.fixture(scope="module")
def tiny_app(tiny):
    store, geo = tiny
    return create_app(web_settings(geo, max_request_bytes=2_000, max_page_size=4), store=store)


@pytest.fixture(scope="module")
def client(tiny_app) -> Iterator[TestClient]:
    with TestClient(tiny_app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session", params=["duckdb", "postgresql"])
def demo(request, tmp_path_factory, shared_data) -> Iterator[tuple[Store, object]]:
    """A demo store built once per backend from the real data sets (skipped when they are absent;
    the load takes ~17 s on PostgreSQL)."""
    from clusterix.app.demo import load_demo

    if request.param == "duckdb":
        target = str(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    else:
        if not POSTGRES_URL:
            pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run the demo web tests on PostgreSQL (.ci/run does)")
        target = _postgres_target(_DEMO_SCHEMA)
    store = Store.open(target)
    report = load_demo(store, shared_data)
    yield store, report
    store.close()


@pytest.fixture(scope="session")
def demo_client(demo) -> Iterator[TestClient]:
    store, report = demo
    app = create_app(web_settings(report.boundaries), store=store)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def count_calls(monkeypatch, targets) -> Counter:
    """Count the calls of each ``(owner, name)`` of ``targets`` (a module's function or a class's
    method, wrapped for the test), by name."""
    calls: Counter = Counter()
    for owner, name in targets:
        original = getattr(owner, name)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)
    return calls
