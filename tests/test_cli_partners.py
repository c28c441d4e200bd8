"""``clusterix partners`` and ``clusterix evaluate partners`` on a small CORDIS-format extract and the real one."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterix.cli import app

runner = CliRunner()

HEADER = (
    "rcn,role,pic,type,contribution,country,start_date,end_date,max_contribution,total_cost,"
    "start_year,end_year,duration,group,nunique"
)
TYPES = ("PRC", "PRC", "HES", "REC", "PRC", "PUB", "PRC", "OTH")
COUNTRIES = ("DE", "FR", "IT", "ES")
PARTS = ("SC1", "SC3", "LEIT", "ERC")


def write_extract(folder: Path, *, n_organisations: int = 64, n_projects: int = 90, seed: int = 0) -> Path:
    """A seeded H2020-format extract: four communities (one country and programme part each),
    projects mostly inside a community, start years 2014-2021."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pics = [str(900_000_000 + i) for i in range(n_organisations)]
    community = np.arange(n_organisations) % 4
    rows, parts = [], ["rcn,programme_part"]
    for project in range(n_projects):
        rcn = 100_000 + project
        year = 2014 + project * 8 // n_projects
        home = project % 4
        pool = np.flatnonzero(community == home) if rng.random() < 0.85 else np.arange(n_organisations)
        members = rng.choice(pool, size=int(rng.integers(3, 6)), replace=False)
        for position, member in enumerate(members):
            role = "coordinator" if position == 0 else "participant"
            rows.append(
                f"{rcn},{role},{pics[member]},{TYPES[member % len(TYPES)]},1000,{COUNTRIES[community[member]]},"
                f"{year}-03-01,{year + 3}-02-28,50000,60000,{year},{year + 3},36,eu15,{len(members)}"
            )
        parts.append(f"{rcn},{PARTS[home]}")
    (folder / "h2020_participations.csv.gz").write_bytes(gzip.compress(("\n".join([HEADER, *rows]) + "\n").encode()))
    (folder / "h2020_project_programme_parts.csv.gz").write_bytes(gzip.compress(("\n".join(parts) + "\n").encode()))
    return folder


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory) -> Path:
    """A data folder laid out like ../shared/data: DIR/cordis-h2020-participations."""
    root = tmp_path_factory.mktemp("data")
    write_extract(root / "cordis-h2020-participations")
    return root


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLUSTERIX_DATA_DIR", str(folder))
    return folder


def _csv(output: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(output), dtype={"partner_id": str})


def _partners_of(folder: Path, org_id: str) -> set[str]:
    table = pd.read_csv(folder / "cordis-h2020-participations" / "h2020_participations.csv.gz", dtype=str)
    projects = set(table.loc[table["pic"] == org_id, "rcn"])
    return set(table.loc[table["rcn"].isin(projects), "pic"]) - {org_id}


def test_partners_csv_and_cache_hit(data_folder, cache):
    org = "900000000"  # an enterprise in the DE community
    arguments = ["partners", org, "--from", str(data_folder), "--format", "csv", "--k", "5"]
    first = runner.invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert "fitted the recommender" in first.stderr
    table = _csv(first.stdout)
    assert list(table.columns) == ["rank", "partner_id", "kind", "country", "score"]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert org not in set(table["partner_id"])
    assert not set(table["partner_id"]) & _partners_of(data_folder, org)  # existing partners are left out
    assert table["score"].is_monotonic_decreasing
    cached = list((cache / "partners").glob("recommender-*.pickle"))
    assert len(cached) == 1

    second = runner.invoke(app, arguments)
    assert second.exit_code == 0, second.output
    assert "using the cached model" in second.stderr
    pd.testing.assert_frame_equal(_csv(second.stdout), table)
    assert list((cache / "partners").glob("recommender-*.pickle")) == cached

    refreshed = runner.invoke(app, [*arguments, "--refresh"])
    assert refreshed.exit_code == 0 and "fitted the recommender" in refreshed.stderr


def test_partners_explain_json(data_folder, cache):
    org = "900000002"  # a higher-education institution
    result = runner.invoke(app, ["partners", org, "--from", str(data_folder), "--explain", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 10
    components = ["competence", "complementarity", "network", "kind_match", "geography", "popularity"]
    for record in records:
        assert set(["rank", "partner_id", "score", *components, "shared_partners", "reason"]) <= set(record)
        assert record["score"] == pytest.approx(sum(record[name] for name in components), abs=1e-6)
        assert record["reason"]
    sharing = [record for record in records if record["shared_partners"] > 0]
    assert sharing and all(f"shares {record['shared_partners']} partner" in record["reason"] for record in sharing)


def test_partners_table_with_filters(data_folder, cache):
    # the fixture's higher-education institutions are in IT, its research centres in ES
    filters = ["--kinds", "higher_education,research", "--regions", "IT,FR"]
    result = runner.invoke(app, ["partners", "900000000", "--from", str(data_folder), *filters])
    assert result.exit_code == 0, result.output
    assert "Partners for 900000000" in result.stdout and "partner_id" in result.stdout
    csv = runner.invoke(app, ["partners", "900000000", "--from", str(data_folder), *filters, "--format", "csv"])
    table = _csv(csv.stdout)
    assert len(table) == 8  # all eight higher-education institutions (none is a partner yet), fewer than k=10
    assert set(table["kind"]) == {"higher_education"} and set(table["country"]) == {"IT"}


def test_partners_explain_table_prints_reasons(data_folder, cache):
    result = runner.invoke(app, ["partners", "900000000", "--from", str(data_folder), "--explain", "--k", "3"])
    assert result.exit_code == 0, result.output
    assert "partner_id" in result.stdout and "  1. 9" in result.stdout and "  3. 9" in result.stdout
    assert "  4. " not in result.stdout and "mostly " in result.stdout


def test_unknown_id_names_it_with_a_hint(data_folder, cache):
    result = runner.invoke(app, ["partners", "90000001", "--from", str(data_folder)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert "Unknown organisation id '90000001'" in message and "Closest ids: 900000010" in message
    assert not (cache / "partners").exists()  # rejected before any fit


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--format", "xml"], "--format must be one of table, json, csv"),
        (["--k", "0"], "--k must be at least 1"),
        (["--kinds", "startup"], "'kinds' parameter"),
    ],
)
def test_bad_options_exit_2(data_folder, cache, extra, match):
    result = runner.invoke(app, ["partners", "900000000", "--from", str(data_folder), *extra])
    assert result.exit_code == 2 and match in result.stderr


def test_missing_extract_folder(tmp_path, cache):
    result = runner.invoke(app, ["partners", "1", "--from", str(tmp_path)])
    assert result.exit_code == 2 and "No CORDIS H2020 extract in" in result.stderr


def test_partners_from_the_store(data_folder, cache, tmp_path):
    db = tmp_path / "store.duckdb"
    extract = data_folder / "cordis-h2020-participations"
    ingested = runner.invoke(app, ["ingest", "cordis", str(extract), "--db", str(db)])
    assert ingested.exit_code == 0, ingested.output
    result = runner.invoke(app, ["partners", "900000000", "--db", str(db), "--format", "csv", "--k", "4"])
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert len(table) == 4 and "900000000" not in set(table["partner_id"])
    assert not set(table["partner_id"]) & _partners_of(data_folder, "900000000")
    from clusterix.storage import Store

    with Store.open(tmp_path / "empty.duckdb"):
        pass  # a store without CORDIS data
    empty = runner.invoke(app, ["partners", "1", "--db", str(tmp_path / "empty.duckdb")])
    assert empty.exit_code == 2 and "clusterix ingest cordis" in empty.stderr


def test_evaluate_partners_on_the_fixture(data_folder):
    result = runner.invoke(app, ["evaluate", "partners", "--from", str(data_folder), "--split-year", "2019", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload["methods"]) == [
        "popularity",
        "same_country_popularity",
        "portfolio_similarity",
        "adamic_adar",
        "recommender",
    ]
    for metrics in payload["methods"].values():
        assert {"recall@10", "recall@50", "ndcg@10", "mrr"} <= set(metrics)
        assert all(0 <= metrics[name] <= 1 for name in ("recall@10", "recall@50", "ndcg@10", "mrr"))
    best = max(m["recall@10"] for name, m in payload["methods"].items() if name != "recommender")
    expected = payload["methods"]["recommender"]["recall@10"] / best - 1
    assert payload["recall@10_gain_over_best_baseline"] == pytest.approx(expected, abs=1e-5)
    table = runner.invoke(app, ["evaluate", "partners", "--from", str(data_folder), "--sample", "5"])
    assert table.exit_code == 0 and "recall@10" in table.stdout and "vs the best baseline" in table.stdout


@pytest.mark.shared
def test_evaluate_partners_on_the_real_extract(shared_data):
    """The full pipeline on the real CORDIS H2020 extract, on a seeded sample of 200 queries (a few minutes)."""
    result = runner.invoke(app, ["evaluate", "partners", "--from", str(shared_data), "--sample", "200", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["queries"] == 200 and payload["split_year"] == 2019
    methods = payload["methods"]
    assert len(methods) == 5
    # real link prediction: the network baseline and the recommender clearly beat popularity
    assert methods["adamic_adar"]["recall@10"] > methods["popularity"]["recall@10"]
    assert methods["recommender"]["recall@10"] > methods["popularity"]["recall@10"]
    assert 0 < methods["recommender"]["mrr"] <= 1
