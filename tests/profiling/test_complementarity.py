"""Inter-regional complementarity: hand-computed cases, properties and UK real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clusterix.errors import InvalidInputError, UnknownCodeError
from clusterix.profiling.complementarity import (
    cluster_complementarity,
    complementarity,
    concordance_matrix,
    cross_space_relatedness,
    opportunities,
    rca_table,
)


@pytest.fixture
def research() -> pd.DataFrame:
    # excess strength max(RCA - 1, 0): A = [1, 0], B = [0, 2]; presence: A = [1, 1], B = [0, 1]
    return pd.DataFrame({"f": [2.0, 0.5], "g": [1.0, 3.0]}, index=["A", "B"])


@pytest.fixture
def industry() -> pd.DataFrame:
    # excess strength: A = [0.5, 0], B = [0, 3]; presence: A = [1, 0], B = [1, 1]
    return pd.DataFrame({"i": [1.5, 1.0], "j": [0.0, 4.0]}, index=["A", "B"])


@pytest.fixture
def phi() -> pd.DataFrame:
    return pd.DataFrame([[0.2, 0.8], [0.0, 0.5]], index=["f", "g"], columns=["i", "j"])


def test_complementarity_excess_by_hand(research, industry, phi):
    # S_R phi: A = [1*0.2, 1*0.8] = [0.2, 0.8]; B = [2*0.0, 2*0.5] = [0, 1.0]
    # C[A,A] = 0.2*0.5 + 0.8*0 = 0.1; C[A,B] = 0.2*0 + 0.8*3 = 2.4
    # C[B,A] = 0*0.5 + 1.0*0 = 0;     C[B,B] = 0*0 + 1.0*3 = 3.0
    result = complementarity(research, industry, phi)
    assert_allclose(result.to_numpy(), [[0.1, 2.4], [0.0, 3.0]])
    assert result.index.tolist() == ["A", "B"] and result.columns.tolist() == ["A", "B"]


def test_complementarity_presence_by_hand(research, industry, phi):
    # S_R phi: A = [1, 1] phi = [0.2, 1.3]; B = [0, 1] phi = [0.0, 0.5]
    # C[A,A] = 0.2*1 + 1.3*0 = 0.2; C[A,B] = 0.2 + 1.3 = 1.5; C[B,A] = 0; C[B,B] = 0.5
    result = complementarity(research, industry, phi, strength="presence")
    assert_allclose(result.to_numpy(), [[0.2, 1.5], [0.0, 0.5]])


def test_identity_when_codes_are_shared():
    # excess research: A = [1, 0], B = [0, 0.5]; industry: A = [0, 0.25], B = [2, 0]
    # identity: C[A,B] = 1*2 = 2; C[B,A] = 0.5*0.25 = 0.125; diagonals 0
    research = pd.DataFrame({"x": [2.0, 0.5], "y": [0.5, 1.5]}, index=["A", "B"])
    industry = pd.DataFrame({"y": [1.25, 0.5], "x": [0.5, 3.0]}, index=["A", "B"])  # columns in another order
    assert_allclose(complementarity(research, industry).to_numpy(), [[0.0, 2.0], [0.125, 0.0]])


def test_regions_option_restricts_and_orders(research, industry, phi):
    result = complementarity(research, industry, phi, regions=["B", "A"])
    assert_allclose(result.to_numpy(), [[3.0, 0.0], [2.4, 0.1]])
    with pytest.raises(UnknownCodeError, match="'Z'"):
        complementarity(research, industry, phi, regions=["A", "Z"])


def test_opportunities_by_hand(research, industry, phi):
    # excess: only (f, j) scores: 1 * 0.8 * 3 = 2.4 (f-i: 1*0.2*0; g rows: 0 for A)
    table = opportunities(research, industry, phi, "A", "B")
    assert table[["field", "industry"]].values.tolist() == [["f", "j"]]
    assert_allclose(
        table.loc[0, ["score", "research_rca_a", "industry_rca_b", "relatedness"]].astype(float), [2.4, 2.0, 4.0, 0.8]
    )
    assert table.loc[0, "reason"] == (
        "A is specialised in research field f (RCA 2.00) and B in industry j (RCA 4.00); relatedness f-j = 0.80"
    )
    # presence: f-j 1*0.8*1 = 0.8, g-j 0.5, f-i 0.2, g-i 0 (dropped); they sum to C[A,B] = 1.5
    table = opportunities(research, industry, phi, "A", "B", strength="presence", top=None)
    assert table[["field", "industry"]].values.tolist() == [["f", "j"], ["g", "j"], ["f", "i"]]
    assert_allclose(table["score"], [0.8, 0.5, 0.2])
    assert len(opportunities(research, industry, phi, "A", "B", strength="presence", top=2)) == 2


def test_opportunities_unknown_region(research, industry, phi):
    with pytest.raises(UnknownCodeError, match="'Q'"):
        opportunities(research, industry, phi, "Q", "B")


@pytest.fixture
def presences() -> tuple[pd.DataFrame, pd.DataFrame]:
    # research presences f = [1, 1, 0, 0], g = [1, 0, 1, 1]; industry i = [1, 0, 0, 0], j = [0, 1, 1, 1]
    research = pd.DataFrame({"f": [2.0, 2.0, 0.0, 0.0], "g": [1.0, 0.0, 1.0, 1.0]}, index=list("ABCD"))
    industry = pd.DataFrame({"i": [1.5, 0.0, 0.0, 0.0], "j": [0.0, 1.0, 1.0, 1.0]}, index=list("DCBA")[::-1])
    return research, industry


def test_cross_space_probability_by_hand(presences):
    # ubiquities u_f = 2, u_g = 3, u_i = 1, u_j = 3
    # f-i: both in A -> 1 / max(2, 1) = 0.5; f-j: B -> 1/3; g-i: A -> 1/3; g-j: C, D -> 2/3
    result = cross_space_relatedness(*presences)
    assert_allclose(result.to_numpy(), [[0.5, 1 / 3], [1 / 3, 2 / 3]])
    assert result.index.tolist() == ["f", "g"] and result.columns.tolist() == ["i", "j"]


def test_cross_space_correlation_by_hand(presences):
    # f - mean = [.5, .5, -.5, -.5] (norm 1); i - mean = [.75, -.25, -.25, -.25] (norm sqrt(.75))
    # cov(f, i) = .375 - .125 + .125 + .125 = .5 -> .5 / sqrt(.75) = 1/sqrt(3)
    # g - mean = [.25, -.75, .25, .25] (norm sqrt(.75)); cov(g, i) = .1875 + .1875 - .0625 - .0625 = .25 -> 1/3
    # j = 1 - i, so corr(., j) = -corr(., i) < 0 -> clipped to 0
    result = cross_space_relatedness(*presences, method="correlation")
    assert_allclose(result.to_numpy(), [[1 / np.sqrt(3), 0.0], [1 / 3, 0.0]])


def test_cross_space_needs_same_regions(presences):
    research, industry = presences
    with pytest.raises(UnknownCodeError, match="same regions"):
        cross_space_relatedness(research, industry.drop(index="D"))


def test_default_relatedness_is_cross_space_when_codes_differ(presences):
    research, industry = presences
    assert_allclose(
        complementarity(research, industry),
        complementarity(research, industry, cross_space_relatedness(research, industry)),
    )


def test_concordance_alignment(research, industry):
    links = pd.DataFrame({"field": ["g", "f", "zz"], "industry": ["j", "j", "i"], "share": [0.5, 0.8, 1.0]})
    matrix = concordance_matrix(links, weight="share")
    assert matrix.loc["f", "j"] == 0.8 and matrix.loc["zz", "i"] == 1.0
    # f-i and g-i are missing from the concordance -> 0; "zz" is ignored. So phi = [[0, 0.8], [0, 0.5]]:
    # C[A,B] = 1*0.8*3 = 2.4; C[B,B] = 2*0.5*3 = 3; column A: industry A's excess in j is 0.
    assert_allclose(complementarity(research, industry, matrix).to_numpy(), [[0.0, 2.4], [0.0, 3.0]])
    with pytest.raises(InvalidInputError, match="repeats"):
        concordance_matrix(pd.concat([links, links]))
    with pytest.raises(UnknownCodeError, match="shares no field"):
        complementarity(research, industry, concordance_matrix(links.assign(field=["p", "q", "r"])))


def test_swapping_roles_transposes():
    rng = np.random.default_rng(3)
    research = pd.DataFrame(rng.lognormal(size=(5, 4)), index=[f"R{i}" for i in range(5)], columns=list("abcd"))
    industry = pd.DataFrame(rng.lognormal(size=(6, 3)), index=[f"S{i}" for i in range(6)], columns=list("xyz"))
    phi = pd.DataFrame(rng.uniform(size=(4, 3)), index=list("abcd"), columns=list("xyz"))
    forward = complementarity(research, industry, phi)
    backward = complementarity(industry, research, phi.T)
    assert forward.shape == (5, 6)
    pd.testing.assert_frame_equal(backward, forward.T)
    # Explicit sum over f and i.
    s_r, s_i = np.maximum(research.to_numpy() - 1, 0), np.maximum(industry.to_numpy() - 1, 0)
    assert_allclose(forward.to_numpy(), np.einsum("af,fi,bi->ab", s_r, phi.to_numpy(), s_i))


def test_permuting_labels_permutes_result(research, industry, phi):
    base = complementarity(research, industry, phi)
    shuffled = complementarity(research.iloc[::-1, ::-1], industry.iloc[::-1], phi.iloc[::-1, ::-1])
    pd.testing.assert_frame_equal(shuffled.loc[base.index, base.columns], base)


def test_bad_input(research, industry, phi):
    with pytest.raises(InvalidInputError, match="'strength' parameter of complementarity"):
        complementarity(research, industry, phi, strength="rca")
    with pytest.raises(InvalidInputError, match="NaN"):
        complementarity(research.assign(f=[np.nan, 1.0]), industry, phi)
    with pytest.raises(InvalidInputError, match="'method' parameter of cross_space_relatedness"):
        cross_space_relatedness(research, industry, method="jaccard")


def test_cluster_complementarity_by_hand():
    # relatedness 1-2 = 0.5 (one direction only: symmetric), 1-1 = 2 (diagonal), 2-3 = -0.4 (clipped to 0)
    links = pd.DataFrame({"a": [1, 1, 2], "b": [2, 1, 3], "r": [0.5, 2.0, -0.4]})
    strengths = pd.DataFrame({1: [2.0, 0.0], 2: [0.0, 4.0], 3: [1.0, 1.0]}, index=["A", "B"])
    # zero diagonal: V[A,B] = s_A1 * 0.5 * s_B2 = 2 * 0.5 * 4 = 4; V[A,A] = V[B,B] = 0
    result = cluster_complementarity(links, strengths, columns=("a", "b", "r"))
    assert_allclose(result.to_numpy(), [[0.0, 4.0], [4.0, 0.0]])
    # keep diagonal: V[A,A] += 2 * 2 * 2 = 8
    result = cluster_complementarity(links, strengths, columns=("a", "b", "r"), diagonal="keep")
    assert_allclose(result.to_numpy(), [[8.0, 4.0], [4.0, 0.0]])
    with pytest.raises(UnknownCodeError, match="No cluster pair"):
        cluster_complementarity(links.assign(a=[7, 8, 9], b=[7, 8, 9]), strengths, columns=("a", "b", "r"))


def test_cluster_complementarity_us_related_clusters(shared_data):
    links = pd.read_csv(shared_data / "us-cluster-mapping" / "related_clusters.csv")
    assert len(links) == 51 * 51
    rng = np.random.default_rng(11)
    strengths = pd.DataFrame(np.maximum(rng.lognormal(size=(8, 51)) - 1, 0), columns=sorted(links["clustera"].unique()))
    result = cluster_complementarity(links, strengths, columns=("clustera", "clusterb", "cr_all"))
    weights = links.pivot(index="clustera", columns="clusterb", values="cr_all").clip(lower=0).to_numpy().copy()
    np.fill_diagonal(weights, 0.0)
    assert_allclose(result.to_numpy(), strengths.to_numpy() @ weights @ strengths.to_numpy().T)


def test_300_regions_give_a_full_matrix():
    # Speed is measured in benchmarks/profiling.py, not here.
    rng = np.random.default_rng(0)
    regions = [f"R{i:03d}" for i in range(300)]
    research = pd.DataFrame(rng.lognormal(size=(300, 200)), index=regions, columns=[f"f{i}" for i in range(200)])
    industry = pd.DataFrame(rng.lognormal(size=(300, 600)), index=regions, columns=[f"i{i}" for i in range(600)])
    result = complementarity(research, industry)  # includes the 200 x 600 cross-space relatedness
    assert result.shape == (300, 300) and np.isfinite(result.to_numpy()).all()


@pytest.fixture(scope="module")
def uk(shared_data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """RCAs of CORDIS SDG projects (NUTS 2016 level 2, 2016-2020 summed) and BRES 2016
    employment (NUTS 2013 level 2) over the UK NUTS2 regions present in both."""
    raw = pd.read_csv(shared_data / "cordis-nuts-sdg-indicators" / "cordis_projects_by_nuts_sdg_count.csv.gz")
    rows = raw[(raw["region_year_spec"] == 2016) & (raw["region_level"] == 2) & raw["region_id"].str.startswith("UK")]
    projects = rows.pivot_table(index="region_id", columns="sdg", values="value", aggfunc="sum", fill_value=0)
    bres = pd.read_csv(shared_data / "uk-bres-nuts2-sic4" / "gb_nuts2_sic4_bres_idbr.csv.gz", dtype={"sic4": str})
    bres = bres[(bres["source"] == "BRES") & (bres["year"] == 2016)]
    employment = bres.pivot_table(index="nuts2_code", columns="sic4", values="value", aggfunc="sum", fill_value=0)
    # Scotland changed codes (2013: UKM2, UKM3; 2016: UKM7, UKM8) and BRES has no Northern Ireland (UKN0).
    assert sorted(projects.index.symmetric_difference(employment.index)) == ["UKM2", "UKM3", "UKM7", "UKM8", "UKN0"]
    common = projects.index.intersection(employment.index)
    assert len(common) == 37
    projects, employment = projects.loc[common], employment.loc[common]
    employment = employment.loc[:, employment.sum(axis=0) > 0]
    return rca_table(projects.astype(float)), rca_table(employment.astype(float))


def test_uk_research_meets_industry(uk):
    research, industry = uk
    assert research.shape == (37, 16)
    phi = cross_space_relatedness(research, industry)
    assert phi.shape == (16, industry.shape[1])
    assert phi.to_numpy().min() >= 0 and phi.to_numpy().max() <= 1
    result = complementarity(research, industry, phi)
    assert result.shape == (37, 37) and (result.to_numpy() >= 0).all()
    s_r, s_i = np.maximum(research.to_numpy() - 1, 0), np.maximum(industry.to_numpy() - 1, 0)
    assert_allclose(result.to_numpy(), np.einsum("af,fi,bi->ab", s_r, phi.to_numpy(), s_i))
    pd.testing.assert_frame_equal(complementarity(industry, research, phi.T), result.T)
    # The opportunities of the strongest pair add up to its complementarity.
    a, b = np.unravel_index(np.argmax(result.to_numpy()), result.shape)
    region_a, region_b = result.index[a], result.columns[b]
    table = opportunities(research, industry, phi, region_a, region_b, top=None)
    assert_allclose(table["score"].sum(), result.loc[region_a, region_b])
    top = opportunities(research, industry, phi, region_a, region_b, top=5)
    assert len(top) == 5 and np.all(np.diff(top["score"]) <= 0)
    assert (top["research_rca_a"] > 1).all() and (top["industry_rca_b"] > 1).all()


def test_cluster_opportunities_rank_pairs_and_add_up_to_the_matrix(shared_data) -> None:
    from clusterix.profiling import cluster_opportunities

    related = pd.read_csv(shared_data / "us-cluster-mapping" / "related_clusters.csv")
    clusters = sorted(set(related["clustera"]))
    rng = np.random.default_rng(1)
    strengths = pd.DataFrame(rng.gamma(1.0, 1.0, (3, len(clusters))), index=["A", "B", "C"], columns=clusters)
    columns = ("clustera", "clusterb", "cr_all")
    total = cluster_complementarity(related, strengths, columns=columns).loc["A", "B"]
    every = cluster_opportunities(related, strengths, "A", "B", columns=columns, top=None)
    assert every["score"].sum() == pytest.approx(total)
    assert every["score"].is_monotonic_decreasing and (every["cluster_a"] != every["cluster_b"]).all()
    first = every.iloc[0]
    # score = strength of A in c x relatedness(c, d) x strength of B in d; the reason names both.
    assert first["score"] == pytest.approx(first["strength_a"] * first["relatedness"] * first["strength_b"])
    assert "A is strong in" in first["reason"] and "B in" in first["reason"]
    with pytest.raises(UnknownCodeError, match="Unknown region 'Z'"):
        cluster_opportunities(related, strengths, "A", "Z", columns=columns)
