"""The region profile: hand-checked on a tiny panel, properties on every real UK region."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clusterix import UnknownCodeError
from clusterix.cli import app
from clusterix.profiling import cluster_strength, peer_matrix, uk_segments
from clusterix.profiling.profile import QUADRANTS, RegionProfiler, profile

# Three regions x four activities, two years. In 2021, r0 gains a3:
#   2020: r0 = (50, 50, 0, 10); r1 = (0, 50, 50, 40); r2 = (0, 0, 50, 50)
#   2021: r0 = (50, 50, 0, 70); r1 = (0, 50, 50, 40); r2 = (0, 0, 50, 50)
# 2021 column totals (50, 100, 100, 160), grand total 410, r0 total 170:
#   RCA r0 a0 = (50/170) / (50/410) = 2.41; a1 = (50/170)/(100/410) = 1.21;
#   a3 = (70/170)/(160/410) = 1.06. In 2020 (totals 50, 100, 100, 100; 350; r0 110)
#   r0 a3 = (10/110)/(100/350) = 0.32 < 1, so a3 is gained.
ROWS = {
    2020: [[50, 50, 0, 10], [0, 50, 50, 40], [0, 0, 50, 50]],
    2021: [[50, 50, 0, 70], [0, 50, 50, 40], [0, 0, 50, 50]],
}


def tiny() -> pd.DataFrame:
    records = [
        (year, f"r{i}", f"a{j}", float(v))
        for year, rows in ROWS.items()
        for i, row in enumerate(rows)
        for j, v in enumerate(row)
    ]
    return pd.DataFrame(records, columns=["year", "region", "activity", "value"])


def test_specialisations_are_the_present_activities_by_lq() -> None:
    result = profile("r0", tiny(), time="year", min_value=1)
    specialisations = result["specialisations"]
    assert [s["activity"] for s in specialisations] == ["a0", "a1", "a3"]
    assert specialisations[0]["lq"] == pytest.approx(50 / 170 / (50 / 410))
    assert specialisations[2]["lq"] == pytest.approx(70 / 170 / (160 / 410))
    assert specialisations[0]["share"] == pytest.approx(50 / 170)
    assert result["period"] == "2021" and result["summary"]["total"] == 170


def test_the_significance_guard_hides_small_values() -> None:
    result = profile("r0", tiny(), time="year", min_value=55)
    assert [s["activity"] for s in result["specialisations"]] == ["a3"]  # only 70 >= 55


def test_a_gained_specialisation_is_emerging() -> None:
    emerging = profile("r0", tiny(), time="year", min_value=1)["emerging"]
    assert emerging[0]["activity"] == "a3" and emerging[0]["status"] == "gained"
    assert emerging[0]["lq_start"] == pytest.approx((10 / 110) / (100 / 350))
    assert emerging[0]["growth"] == pytest.approx(70 / 10 - 1)


def test_diversification_options_are_absent_activities_in_the_balland_frame() -> None:
    result = profile("r1", tiny(), time="year", min_value=1)
    options = result["diversification"]
    present = {s["activity"] for s in result["specialisations"]}
    assert options and not present & {o["activity"] for o in options}
    assert all(o["quadrant"] in QUADRANTS for o in options)
    frame = result["diversification_frame"]
    absent = [p for p in frame["points"] if not p["present"]]
    assert frame["density_median"] == pytest.approx(np.median([p["density"] for p in absent]))


def test_trends_follow_the_periods() -> None:
    trends = profile("r0", tiny(), time="year")["trends"]
    assert [t["period"] for t in trends] == ["2020", "2021"]
    assert [t["total"] for t in trends] == [110.0, 170.0]


def test_unknown_region_and_period_are_named() -> None:
    profiler = RegionProfiler(tiny(), time="year")
    with pytest.raises(UnknownCodeError, match="Unknown region 'r9'"):
        profiler.profile("r9")
    with pytest.raises(UnknownCodeError, match="No period '1999'"):
        profiler.profile("r0", period="1999")


@pytest.fixture(scope="module")
def uk(shared_data):
    raw = pd.read_csv(shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz", dtype={"sic4": str})
    bres = raw[raw["source"] == "BRES"]
    clusters = cluster_strength(
        bres, uk_segments(shared_data), region="nuts2_code", activity="sic4", time="year"
    ).rename(columns={"nuts2_code": "region"})
    profiler = RegionProfiler(bres, region="nuts2_code", activity="sic4", time="year", clusters=clusters, min_value=10)
    return bres, profiler


def test_every_real_uk_region_has_a_consistent_profile(uk) -> None:
    bres, profiler = uk
    regions = sorted(bres["nuts2_code"].unique())
    assert len(regions) == 39
    ecis = {}
    for code in regions:
        result = profiler.profile(code)
        json.dumps(result)  # JSON-ready
        lqs = [s["lq"] for s in result["specialisations"]]
        assert lqs == sorted(lqs, reverse=True) and all(lq >= 1 for lq in lqs)
        assert all(s["value"] >= 10 for s in result["specialisations"])
        assert sum(c["focus"] for c in result["clusters"]) <= 1 + 1e-12
        for cluster in result["clusters"]:
            assert cluster["stars"] == cluster["size_star"] + cluster["specialisation_star"] + cluster["focus_star"]
            assert cluster["specialisation_star"] == (cluster["lq"] >= 2.0)
        ecis[code] = (result["summary"]["eci"], result["summary"]["eci_rank"])
    by_eci = sorted(ecis, key=lambda c: -ecis[c][0])
    assert [ecis[c][1] for c in by_eci] == list(range(1, 40))


def test_real_specialisation_matches_a_hand_computed_lq(uk) -> None:
    bres, profiler = uk
    year = bres[bres["year"] == 2018]
    top = profiler.profile("UKI3")["specialisations"][0]
    cell = year[(year["nuts2_code"] == "UKI3") & (year["sic4"] == top["activity"])]["value"].item()
    lq = (cell / year.loc[year["nuts2_code"] == "UKI3", "value"].sum()) / (
        year.loc[year["sic4"] == top["activity"], "value"].sum() / year["value"].sum()
    )
    assert top["lq"] == pytest.approx(lq) and top["value"] == cell


def test_real_peers_are_symmetric_in_distance(uk) -> None:
    _, profiler = uk
    distances = peer_matrix(profiler.structural_indicators())
    np.testing.assert_allclose(distances.to_numpy(), distances.to_numpy().T)
    assert (np.diag(distances.to_numpy()) == 0).all()


def test_profile_and_peers_commands(tmp_path, shared_data) -> None:
    table = tmp_path / "tiny.csv"
    tiny().to_csv(table, index=False)
    runner = CliRunner()
    result = runner.invoke(app, ["profile", "r0", "--input", str(table), "--time", "year", "--min-value", "1"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["specialisations"][0]["activity"] == "a0" and "lq" in payload["specialisations"][0]
    missing = runner.invoke(app, ["profile", "r9", "--input", str(table), "--time", "year"])
    assert missing.exit_code == 2 and "Unknown region 'r9'" in missing.output
    peers = runner.invoke(app, ["peers", "r0", "--input", str(table), "--time", "year", "--k", "1"])
    assert peers.exit_code == 0, peers.output
    assert json.loads(peers.output)["peers"][0]["peer"] in {"r1", "r2"}


def test_research_specialisations_sit_next_to_the_industrial_ones() -> None:
    # Research projects by field: r0 (f0: 3, f1: 1), r1 (f0: 1, f1: 3), r2 (f0: 2, f1: 2).
    # RCA r0 f0 = (3/4) / (6/12) = 1.5; r0 f1 = (1/4) / (6/12) = 0.5.
    research = pd.DataFrame(
        {"region": ["r0", "r0", "r1", "r1", "r2", "r2"], "activity": ["f0", "f1"] * 3, "value": [3, 1, 1, 3, 2, 2]}
    )
    result = RegionProfiler(tiny(), time="year", research=research).profile("r0")
    assert result["research_specialisations"] == [{"activity": "f0", "value": 3.0, "lq": 1.5}]


def test_real_research_specialisation_from_cordis_sdg_counts(shared_data) -> None:
    sdg = pd.read_csv(shared_data / "cordis-nuts-sdg-indicators" / "cordis_projects_by_nuts_sdg_count.csv.gz")
    level2 = sdg[(sdg["region_level"] == 2) & (sdg["region_year_spec"] == 2016)]
    counts = level2.groupby(["region_id", "sdg"], as_index=False)["value"].sum()
    research = counts.rename(columns={"region_id": "region", "sdg": "activity"}).astype({"activity": str})
    research = research[research["region"].str.startswith("UK")]
    profiler = RegionProfiler(tiny(), time="year", research=research)
    assert profiler._research is not None
    matrix, rcas, rows = profiler._research
    # Every UK region's research RCAs average to 1 when weighted by the fields' shares of its total.
    totals = np.asarray(matrix.values.sum(axis=1)).ravel()
    column_share = np.asarray(matrix.values.sum(axis=0)).ravel() / totals.sum()
    np.testing.assert_allclose((rcas * column_share).sum(axis=1), 1.0)


def test_peers_and_complementarity_commands_write_reports(tmp_path, shared_data) -> None:
    sdg = pd.read_csv(shared_data / "cordis-nuts-sdg-indicators" / "cordis_projects_by_nuts_sdg_count.csv.gz")
    uk = sdg[(sdg["region_level"] == 2) & (sdg["region_year_spec"] == 2016) & sdg["region_id"].str.startswith("UK")]
    research = uk.groupby(["region_id", "sdg"], as_index=False)["value"].sum()
    research = research.rename(columns={"region_id": "region", "sdg": "activity"})
    research["activity"] = "SDG" + research["activity"].astype(str)
    raw = pd.read_csv(shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz", dtype={"sic4": str})
    industry = raw.query("source == 'BRES' and year == 2016").rename(
        columns={"nuts2_code": "region", "sic4": "activity"}
    )[["region", "activity", "value"]]
    research_file, industry_file = tmp_path / "research.csv", tmp_path / "industry.csv"
    research.to_csv(research_file, index=False)
    industry.to_csv(industry_file, index=False)
    runner = CliRunner()
    arguments = [
        "complementarity",
        "UKC1",
        "UKI3",
        "UKJ1",
        "--research",
        str(research_file),
        "--industry",
        str(industry_file),
        "--top",
        "3",
    ]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["regions"] == ["UKC1", "UKI3", "UKJ1"] and len(payload["matrix"]) == 3
    assert set(payload["opportunities"]) == {
        f"{a}->{b}" for a in payload["regions"] for b in payload["regions"] if a != b
    }
    page = tmp_path / "complementarity.html"
    assert runner.invoke(app, [*arguments, "--format", "html", "--out", str(page)]).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert "UKI3" in text and "Opportunities UKC1-&gt;UKI3" in text and "http" not in text
    pdf = tmp_path / "complementarity.pdf"
    assert runner.invoke(app, [*arguments, "--format", "pdf", "--out", str(pdf)]).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    table = tmp_path / "tiny.csv"
    tiny().to_csv(table, index=False)
    peers_page = tmp_path / "peers.html"
    peers = runner.invoke(
        app,
        [
            "peers",
            "r0",
            "--input",
            str(table),
            "--time",
            "year",
            "--k",
            "2",
            "--format",
            "html",
            "--out",
            str(peers_page),
        ],
    )
    assert peers.exit_code == 0, peers.output
    assert "Peers of r0" in peers_page.read_text(encoding="utf-8")


def test_complementarity_reads_both_sides_from_the_store(tmp_path) -> None:
    # Research: r0 strong in f0, r1 in f1; industry: r1 strong in a0, r0 in a1 (fields = industries by code).
    research = pd.DataFrame(
        {"region": ["r0", "r0", "r1", "r1"], "activity": ["x", "y", "x", "y"], "value": [9.0, 1.0, 1.0, 9.0]}
    )
    industry = pd.DataFrame(
        {
            "region": ["r0", "r0", "r1", "r1"],
            "activity": ["x", "y", "x", "y"],
            "value": [1.0, 9.0, 9.0, 1.0],
            "year": ["2020"] * 4,
        }
    )
    older = industry.assign(year="2019", value=[9.0, 1.0, 1.0, 9.0])
    research_file, industry_file, db = tmp_path / "r.csv", tmp_path / "i.csv", tmp_path / "s.duckdb"
    research.to_csv(research_file, index=False)
    pd.concat([older, industry]).to_csv(industry_file, index=False)
    runner = CliRunner()
    for path, name, extra in ((research_file, "research", []), (industry_file, "industry", ["--time", "year"])):
        assert runner.invoke(app, ["ingest", "csv", str(path), "--db", str(db), "--name", name, *extra]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "complementarity",
            "r0",
            "r1",
            "--research-dataset",
            "research",
            "--industry-dataset",
            "industry",
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 0, result.output
    matrix = json.loads(result.output[result.output.index("{") :])["matrix"]
    # RCA research r0 x = (9/10)/(10/20) = 1.8 -> strength 0.8; industry (latest, 2020) r1 x = 1.8 -> 0.8.
    # C[r0, r1] = 0.8 * 0.8 (x) and C[r0, r0] = 0 (r0 has no industrial strength in x).
    assert matrix[0][1] == pytest.approx(0.64) and matrix[0][0] == pytest.approx(0.0)
