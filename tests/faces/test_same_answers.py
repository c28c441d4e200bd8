"""Every face gives the same answer: the JSON of the command line equals the REST API's JSON,
field by field, on the demo store built from the real data sets.

The command line and the API call the same use cases of :mod:`clusterix.app`; these tests
fail when a face computes anything on its own (another code path, other names, other ids).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clusterix.cli import app as cli

DATASET = "uk-bres-employment"
REGIONS = ("UKI3", "UKC1", "UKD3")


def assert_same(cli_value: Any, api_value: Any, where: str = "$") -> None:
    """Equal structure, keys, strings and types; numbers equal to 1e-12."""
    if isinstance(cli_value, float) or isinstance(api_value, float):
        assert isinstance(cli_value, int | float) and isinstance(api_value, int | float), where
        assert not isinstance(cli_value, bool) and not isinstance(api_value, bool), where
        assert math.isclose(cli_value, api_value, rel_tol=1e-12, abs_tol=1e-12), f"{where}: {cli_value} != {api_value}"
        return
    assert type(cli_value) is type(api_value), f"{where}: {type(cli_value).__name__} != {type(api_value).__name__}"
    if isinstance(cli_value, dict):
        assert cli_value.keys() == api_value.keys(), f"{where}: keys {sorted(cli_value)} != {sorted(api_value)}"
        for key in cli_value:
            assert_same(cli_value[key], api_value[key], f"{where}.{key}")
    elif isinstance(cli_value, list):
        assert len(cli_value) == len(api_value), f"{where}: {len(cli_value)} != {len(api_value)} items"
        for index, (a, b) in enumerate(zip(cli_value, api_value, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    else:
        assert cli_value == api_value, f"{where}: {cli_value!r} != {api_value!r}"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, shared_data) -> Path:
    """A DuckDB demo store from the real data sets (closed: each face opens it itself)."""
    from clusterix.app.demo import load_demo
    from clusterix.storage import Store

    path = tmp_path_factory.mktemp("faces") / "demo.duckdb"
    with Store.open(path) as store:
        load_demo(store, shared_data)
    return path


@pytest.fixture(scope="session")
def organisation(demo_db) -> str:
    """An enterprise with many collaborations (its partner list is long and varied)."""
    from clusterix.storage import Store

    with Store.open(demo_db, read_only=True) as store:
        organisations = store.organisations(kind="enterprise")
        counts = store.participations()["organisation_id"].value_counts()
    busiest = counts[counts.index.isin(organisations["id"])]
    return str(busiest.index[0])


@pytest.fixture(scope="session")
def answers(demo_db, organisation, tmp_path_factory) -> Iterator[dict[str, tuple[Any, Any]]]:
    """``name -> (CLI JSON, API JSON)`` for the same four requests."""
    from fastapi.testclient import TestClient

    from clusterix.web.app import create_app
    from clusterix.web.settings import WebSettings

    cache = tmp_path_factory.mktemp("faces-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("CLUSTERIX_DATA_DIR", str(cache))  # the fitted recommender is cached here by either face
    db = ["--db", str(demo_db)]
    requests = {
        "profile": (
            ["profile", "UKI3", "--dataset", DATASET, *db, "--format", "json"],
            f"/api/v1/regions/UKI3/profile?dataset={DATASET}",
        ),
        "peers": (
            ["peers", "UKI3", "--dataset", DATASET, *db, "--format", "json"],
            f"/api/v1/regions/UKI3/peers?dataset={DATASET}",
        ),
        "complementarity": (
            ["complementarity", *REGIONS, "--research-dataset", DATASET, "--industry-dataset", DATASET, *db],
            f"/api/v1/complementarity?regions={','.join(REGIONS)}&research={DATASET}&industry={DATASET}",
        ),
        "partners": (
            ["partners", organisation, *db, "--format", "json"],
            f"/api/v1/organisations/{organisation}/partners",
        ),
    }
    runner = CliRunner()
    from_cli = {}
    for name, (arguments, _) in requests.items():
        result = runner.invoke(cli, arguments)
        assert result.exit_code == 0, f"clusterix {' '.join(arguments)}: {result.output}"
        from_cli[name] = json.loads(result.stdout)
    settings = WebSettings(db=str(demo_db), secret_key="faces", boundaries=None)
    from_api = {}
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for name, (_, path) in requests.items():
            response = client.get(path)
            deadline = time.monotonic() + 600
            while response.status_code == 503 and time.monotonic() < deadline:  # the background fit
                time.sleep(0.5)
                response = client.get(path)
            assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
            from_api[name] = response.json()
    patch.undo()
    yield {name: (from_cli[name], from_api[name]) for name in requests}


@pytest.mark.parametrize("name", ["profile", "peers", "complementarity", "partners"])
def test_the_cli_json_equals_the_api_json(answers, name) -> None:
    from_cli, from_api = answers[name]
    assert_same(from_cli, from_api)


def test_the_profile_has_names_and_cluster_stars_in_every_face(answers) -> None:
    profile, _ = answers["profile"]
    assert profile["name"].replace("\u2014", "-") == "Inner London - West"  # the NUTS title has an em dash
    assert profile["specialisations"] and all(item["name"] for item in profile["specialisations"])
    assert profile["clusters"], "the demo's SIC cluster mapping gives UKI3 cluster strength"
    assert all(0 <= item["stars"] <= 3 for item in profile["clusters"])
    assert any(item["stars"] >= 1 for item in profile["clusters"])
    named = [item for item in profile["clusters"] if item["cluster"] != "other"]  # "other": unmapped activities
    assert named and all(item["name"] for item in named), profile["clusters"]


def test_partner_ids_are_text_in_both_faces(answers, organisation) -> None:
    from_cli, from_api = answers["partners"]
    assert from_cli["organisation"]["id"] == from_api["organisation"]["id"] == organisation
    assert from_cli["items"] and all(isinstance(item["partner_id"], str) for item in from_cli["items"])


def test_the_comparison_notices_a_difference() -> None:
    """The comparison itself could fail: a changed number, name, key or id type is caught."""
    base = {"id": "1", "score": 1.0, "items": [{"name": "a"}]}
    assert_same(base, json.loads(json.dumps(base)))
    for changed in (
        {"id": 1, "score": 1.0, "items": [{"name": "a"}]},
        {"id": "1", "score": 1.0 + 1e-9, "items": [{"name": "a"}]},
        {"id": "1", "score": 1.0, "items": [{"name": "b"}]},
        {"id": "1", "score": 1.0, "items": []},
        {"id": "1", "score": 1.0, "items": [{"name": "a"}], "extra": None},
    ):
        with pytest.raises(AssertionError):
            assert_same(base, changed)
