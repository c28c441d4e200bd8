"""From CORDIS tables to recommender inputs, the fit cache, explanations and the method comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterix.errors import InvalidInputError
from clusterix.partners.inputs import (
    closest_ids,
    default_label_years,
    explain_partners,
    fit_cached,
    participations_with_projects,
    recommender_inputs,
)
from clusterix.partners.recommender import PartnerRecommender

ORGANISATIONS = pd.DataFrame(
    {
        "id": ["a", "b", "c", "d"],
        "name": ["Acme GmbH", "Uni B", "Lab C", "Dairy D"],
        "kind": ["enterprise", "higher_education", "research", "enterprise"],
        "country": ["DE", "DE", "FR", "FR"],
        "region": ["DE21", "DE21", "FR10", None],
        "description": ["wind turbines", None, "wind energy research", ""],
    }
)
# p1 (2016, SC3): a, b, c; p2 (2018, SC3;LEIT): a, b; p3 (2019, no part): c, d
PARTICIPATIONS = pd.DataFrame(
    {
        "project_id": ["p1", "p1", "p1", "p2", "p2", "p3", "p3"],
        "organisation_id": ["a", "b", "c", "a", "b", "c", "d"],
        "start_date": pd.to_datetime(["2016-01-01"] * 3 + ["2018-06-01"] * 2 + ["2019-02-01"] * 2),
        "programme_part": ["SC3"] * 3 + ["SC3;LEIT"] * 2 + [None] * 2,
    }
)


def test_recommender_inputs_hand_case():
    organisations, collaborations = recommender_inputs(ORGANISATIONS, PARTICIPATIONS)
    activities = dict(zip(organisations["id"], organisations["activities"], strict=True))
    assert sorted(activities["a"].split(";")) == ["2016:SC3", "2018:LEIT", "2018:SC3"]
    assert activities["c"] == "2016:SC3" and pd.isna(activities["d"])
    assert organisations["text"].tolist() == ["wind turbines", "", "wind energy research", ""]
    pairs = collaborations[["org_1", "org_2", "year"]].values.tolist()
    assert pairs == [["a", "b", 2016], ["a", "c", 2016], ["b", "c", 2016], ["a", "b", 2018], ["c", "d", 2019]]


def test_recommender_inputs_from_reader_tables_equal_store_layout():
    projects = pd.DataFrame(
        {
            "id": ["p1", "p2", "p3"],
            "start_date": pd.to_datetime(["2016-01-01", "2018-06-01", "2019-02-01"]),
            "programme_part": ["SC3", "SC3;LEIT", None],
        }
    )
    bare = PARTICIPATIONS[["project_id", "organisation_id"]]
    organisations, participations = participations_with_projects((ORGANISATIONS, projects, bare))
    assert participations["programme_part"].tolist()[:5] == ["SC3", "SC3", "SC3", "SC3;LEIT", "SC3;LEIT"]
    left = recommender_inputs(organisations, participations)
    right = recommender_inputs(ORGANISATIONS, PARTICIPATIONS)
    for a, b in zip(left, right, strict=True):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_recommender_inputs_errors():
    with pytest.raises(InvalidInputError, match="lacks the column.*'start_date'"):
        recommender_inputs(ORGANISATIONS, PARTICIPATIONS.drop(columns="start_date"))
    stray = pd.concat([PARTICIPATIONS, PARTICIPATIONS.iloc[[0]].assign(organisation_id="zz")])
    with pytest.raises(InvalidInputError, match=r"names organisation\(s\) \['zz'\]"):
        recommender_inputs(ORGANISATIONS, stray)


def test_default_label_years():
    assert default_label_years(pd.DataFrame({"year": [2015] * 95 + [2016] * 4 + [2017]})) == 2
    assert default_label_years(pd.DataFrame({"year": [2015] * 50 + [2016] * 50})) == 1
    assert default_label_years(pd.DataFrame({"year": [2015] * 99 + [2016]}), share=0.5) == 1  # keeps history
    assert default_label_years(pd.DataFrame({"year": [2020, 2020]})) == 1


def test_closest_ids():
    assert closest_ids("acme", ORGANISATIONS) == ["a"]
    ids = pd.DataFrame({"id": ["999111", "999112", "123456"]})
    assert closest_ids("99911", ids) == ["999111", "999112"]
    assert closest_ids("123457", ids) == ["123456"]
    assert closest_ids("xyz", ids) == []


def test_explain_partners_hand_case():
    organisations, collaborations = recommender_inputs(ORGANISATIONS, PARTICIPATIONS)
    recommendations = pd.DataFrame(
        {
            "partner_id": ["d", "c"],
            "score": [1.0, 0.5],
            "competence": [0.1, 0.0],
            "network": [0.9, -0.2],
            "geography": [0.0, 0.7],
        }
    )
    explained = explain_partners(recommendations, "b", organisations, collaborations)
    d, c = explained.iloc[0], explained.iloc[1]
    # b's partners are a and c, d's only partner is c: one shared; d has no programme part and no region
    assert d["shared_partners"] == 1 and d["shared_parts"] == "" and not d["same_country"] and not d["same_region"]
    assert d["reason"] == "shares 1 partner; an industry-science pair; mostly network"
    strangers = pd.DataFrame({"id": ["x", "y"], "kind": "enterprise", "country": ["DE", "FR"]})
    no_edges = pd.DataFrame(columns=["org_1", "org_2", "year"])
    lonely = explain_partners(pd.DataFrame({"partner_id": ["y"], "network": [-1.0]}), "x", strangers, no_edges)
    assert lonely.loc[0, "reason"] == "no shared partners, place or programme parts"
    # b and c share partner a, are in different countries, both did SC3
    assert c["shared_partners"] == 1 and c["shared_parts"] == "SC3"
    assert c["reason"] == "shares 1 partner; strong in the same programme parts (SC3); mostly geography"
    # a (enterprise) and b (higher education), same region, one shared partner c, SC3 twice each
    for_a = explain_partners(pd.DataFrame({"partner_id": ["b"], "network": [-1.0]}), "a", organisations, collaborations)
    assert for_a.loc[0, "reason"] == (
        "shares 1 partner; same region; strong in the same programme parts (SC3, LEIT); an industry-science pair"
    )


def _random_inputs(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """30 organisations in seeded random projects of 3 over 2014-2020."""
    rng = np.random.default_rng(seed)
    kinds = ["enterprise", "higher_education", "research"]
    organisations = pd.DataFrame(
        {"id": [f"o{i:02d}" for i in range(30)], "kind": [kinds[i % 3] for i in range(30)], "country": "DE"}
    )
    rows = []
    for project in range(60):
        for member in rng.choice(30, size=3, replace=False):
            rows.append((f"p{project}", f"o{member:02d}", pd.Timestamp(2014 + project // 9, 1, 1), "SC1"))
    participations = pd.DataFrame(rows, columns=["project_id", "organisation_id", "start_date", "programme_part"])
    return recommender_inputs(organisations, participations)


def test_fit_cached_hit_miss_and_refresh(tmp_path):
    organisations, edges = _random_inputs()
    model = PartnerRecommender(network_pool=20)
    first, hit = fit_cached(organisations, edges, model=model, folder=tmp_path)
    assert not hit and len(list(tmp_path.glob("recommender-*.pickle"))) == 1
    second, hit = fit_cached(organisations, edges, model=PartnerRecommender(network_pool=20), folder=tmp_path)
    assert hit and second is not first
    pd.testing.assert_frame_equal(second.recommend("o00", k=3), first.recommend("o00", k=3))
    _, hit = fit_cached(organisations, edges, model=PartnerRecommender(network_pool=20), folder=tmp_path, refresh=True)
    assert not hit
    # other parameters or other inputs: another key
    _, hit = fit_cached(organisations, edges, model=PartnerRecommender(network_pool=30), folder=tmp_path)
    assert not hit
    changed = organisations.assign(country=["DE"] * 29 + ["BE"])
    _, hit = fit_cached(changed, edges, model=PartnerRecommender(network_pool=20), folder=tmp_path)
    assert not hit and len(list(tmp_path.glob("recommender-*.pickle"))) == 3
    # a damaged file is refitted, not an error
    for path in tmp_path.glob("recommender-*.pickle"):
        path.write_bytes(b"not a pickle")
    _, hit = fit_cached(organisations, edges, model=PartnerRecommender(network_pool=20), folder=tmp_path)
    assert not hit
    # a fourth model pushes out the least recently used one
    oldest = min(tmp_path.glob("recommender-*.pickle"), key=lambda path: path.stat().st_mtime)
    _, hit = fit_cached(organisations, edges, model=PartnerRecommender(network_pool=10), folder=tmp_path)
    assert not hit and len(list(tmp_path.glob("recommender-*.pickle"))) == 3 and not oldest.exists()


def test_compare_methods_rejects_a_non_split():
    from clusterix.partners.comparison import compare_methods, relative_gain

    with pytest.raises(InvalidInputError, match="'split' parameter of compare_methods must be a TemporalSplit"):
        compare_methods(("a", "b", "c"))
    table = pd.DataFrame({"recall@10": [0.2, 0.1, 0.3]}, index=["adamic_adar", "popularity", "recommender"])
    assert relative_gain(table) == pytest.approx(0.5)
