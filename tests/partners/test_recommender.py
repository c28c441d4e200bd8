"""PartnerRecommender: a hand-checkable graph, filters, components, determinism, bad input, real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusterix.errors import InvalidInputError
from clusterix.partners.recommender import (
    COMPONENTS,
    PartnerRecommender,
    kind_complementarity,
    portfolio_complementarity,
    split_inputs,
)

KINDS = ("enterprise", "higher_education", "research", "public", "other")


def _toy(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six communities whose last-year links close triangles, plus an obvious case.

    Company ``C`` works with ``P1`` and ``P2``; both of them work with university ``U``
    (and with nobody else), so ``U`` is the obvious next partner of ``C``.
    """
    rng = np.random.default_rng(seed)
    countries = ("DE", "FR", "IT")
    organisations, edges = [], []
    for community in range(6):
        members = [f"g{community}_{i}" for i in range(8)]
        country = countries[community % 3]
        for i, member in enumerate(members):
            organisations.append(
                {
                    "id": member,
                    "kind": KINDS[(i + community) % 5],
                    "country": country,
                    "region": f"{country}{community % 2 + 1}",
                    "activities": f"A{community};A{(community + 1) % 6}",
                }
            )
        for year in (2014, 2015, 2016):
            for a in range(8):
                for b in range(a + 1, 8):
                    if rng.random() < 0.15:
                        edges.append((members[a], members[b], year))
    neighbours: dict[str, set[str]] = {}
    for a, b, _ in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    for a in sorted(neighbours):
        for b in sorted(neighbours):
            if a < b and b not in neighbours[a] and neighbours[a] & neighbours[b] and rng.random() < 0.6:
                edges.append((a, b, 2017))
    organisations += [
        {"id": "C", "kind": "enterprise", "country": "DE", "region": "DE1", "activities": "A0"},
        {"id": "P1", "kind": "enterprise", "country": "DE", "region": "DE1", "activities": "A0"},
        {"id": "P2", "kind": "research", "country": "FR", "region": "FR1", "activities": "A0"},
        {"id": "U", "kind": "higher_education", "country": "DE", "region": "DE2", "activities": "A0;A1"},
    ]
    edges += [("C", "P1", 2015), ("C", "P2", 2016), ("P1", "U", 2015), ("P2", "U", 2016)]
    return pd.DataFrame(organisations), pd.DataFrame(edges, columns=["org_1", "org_2", "year"])


@pytest.fixture(scope="module")
def toy() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _toy()


@pytest.fixture(scope="module")
def fitted(toy) -> PartnerRecommender:
    return PartnerRecommender(pairs="all", seed=0).fit(*toy)


# --------------------------------------------------------------------------- pure signals


def test_kind_complementarity_pairs() -> None:
    result = kind_complementarity(np.array(["enterprise", "research"]), np.array(["higher_education", "enterprise"]))
    assert result.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_portfolio_complementarity_by_hand() -> None:
    import scipy.sparse as sp

    # activities: query {a, b}; candidates {b, c, d}, {x}, {a, b}
    query = sp.csr_array(np.array([[1, 1, 0, 0, 0]], dtype=float))
    candidates = sp.csr_array(np.array([[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [1, 1, 0, 0, 0]], dtype=float))
    # {c, d} new out of {a, b, c, d}: 2/4; nothing shared: 0; identical: 0
    np.testing.assert_allclose(portfolio_complementarity(query, candidates), [[0.5, 0.0, 0.0]])


# --------------------------------------------------------------------------- recommendations


def test_obvious_partner_first(fitted) -> None:
    result = fitted.recommend("C", k=5)
    assert result["partner_id"].iloc[0] == "U"
    assert list(result.columns[:2]) == ["partner_id", "score"]
    assert set(COMPONENTS) <= set(result.columns)
    assert {"kind", "country"} <= set(result.columns)
    assert result["score"].is_monotonic_decreasing
    assert len(result) == 5


def test_components_sum_to_score(fitted) -> None:
    result = fitted.recommend("g1_3", k=20, exclude_existing=False)
    np.testing.assert_allclose(result[list(COMPONENTS)].sum(axis=1), result["score"], rtol=1e-10, atol=1e-10)
    # the network component is what puts U first for C
    top = fitted.recommend("C", k=1)
    assert top["network"].iloc[0] > 0


def test_exclude_existing(fitted) -> None:
    excluded = fitted.recommend("C", k=60)
    assert not {"P1", "P2", "C"} & set(excluded["partner_id"])
    everyone = fitted.recommend("C", k=60, exclude_existing=False)
    assert {"P1", "P2"} <= set(everyone["partner_id"])
    assert "C" not in set(everyone["partner_id"])  # never oneself
    assert len(everyone) == len(excluded) + 2


def test_kind_and_region_filters(fitted, toy) -> None:
    organisations, _ = toy
    research = fitted.recommend("C", k=50, kinds=["research"])
    assert len(research) == (organisations["kind"] == "research").sum() - 1  # P2 is an existing partner
    assert set(research["kind"]) == {"research"}
    french = fitted.recommend("C", k=50, regions=["FR"])
    assert set(french["country"]) == {"FR"}
    one_region = fitted.recommend("C", k=50, regions=["DE2"])
    assert set(one_region["region"]) == {"DE2"}
    both = fitted.recommend("C", k=50, kinds="higher_education", regions=["DE", "IT"])
    assert set(both["kind"]) == {"higher_education"} and set(both["country"]) <= {"DE", "IT"}
    assert both["partner_id"].iloc[0] == "U"


def test_complementary_default_crosses_the_industry_science_divide(toy) -> None:
    model = PartnerRecommender(seed=0).fit(*toy)
    assert model.pairs == "complementary"
    enterprise = model.recommend("C", k=20)
    assert set(enterprise["kind"]) <= {"higher_education", "research"} and "U" in set(enterprise["partner_id"])
    university = model.recommend("U", k=10)
    assert set(university["kind"]) == {"enterprise"}
    public = next(org for org, kind in zip(model.ids_, model.kinds_, strict=True) if kind == "public")
    assert "public" in set(model.recommend(public, k=40)["kind"])  # no complement: everyone is offered
    explicit = model.recommend("C", k=5, kinds=["enterprise"])
    assert len(explicit) and set(explicit["kind"]) == {"enterprise"}  # an explicit filter wins


def test_recommend_many_matches_recommend(fitted) -> None:
    many = fitted.recommend_many(["C", "g2_0", "g4_5"], k=4)
    assert list(many["org_id"].unique()) == ["C", "g2_0", "g4_5"]
    assert many.groupby("org_id")["rank"].apply(list).map(lambda ranks: ranks == [1, 2, 3, 4]).all()
    for org_id in ("C", "g2_0", "g4_5"):
        single = fitted.recommend(org_id, k=4)
        batch = many[many["org_id"] == org_id].drop(columns=["org_id", "rank"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(single, batch)


def test_scores_match_recommend(fitted) -> None:
    result = fitted.recommend("C", k=3)
    scores = fitted.scores(["C"], list(result["partner_id"]))
    np.testing.assert_allclose(scores[0], result["score"])
    assert fitted.scores(["C", "U"]).shape == (2, len(fitted.ids_))


def test_same_seed_same_model_other_seed_other_sample(toy) -> None:
    first = PartnerRecommender(seed=3, max_queries=12).fit(*toy)
    second = PartnerRecommender(seed=3, max_queries=12).fit(*toy)
    pd.testing.assert_series_equal(first.coefficients_, second.coefficients_)
    pd.testing.assert_frame_equal(first.recommend_many(["C", "g0_0"], k=5), second.recommend_many(["C", "g0_0"], k=5))
    other = PartnerRecommender(seed=4, max_queries=12).fit(*toy)
    assert not np.allclose(first.coefficients_, other.coefficients_)


def test_no_leakage_from_the_future(toy) -> None:
    """Activities dated in the inner label year do not reach the features the model learns from."""
    organisations, collaborations = toy
    model = PartnerRecommender(seed=0).fit(organisations, collaborations)
    assert model.split_year_ == 2017
    late = set(collaborations.loc[collaborations["year"] == 2017, ["org_1", "org_2"]].to_numpy().ravel())
    dated = organisations.assign(
        activities=[
            f"{activities};2017:Z{i}" if org in late else activities
            for i, (org, activities) in enumerate(zip(organisations["id"], organisations["activities"], strict=True))
        ]
    )
    informed = PartnerRecommender(seed=0).fit(dated, collaborations)
    pd.testing.assert_series_equal(model.coefficients_, informed.coefficients_)
    # undated, the same words do reach the training features
    undated = dated.assign(activities=dated["activities"].str.replace("2017:", "", regex=False))
    leaky = PartnerRecommender(seed=0).fit(undated, collaborations)
    assert not np.allclose(model.coefficients_, leaky.coefficients_)


def test_params_stored_unchanged(toy) -> None:
    model = PartnerRecommender(network_pool=5, seed=1)
    assert model.get_params()["network_pool"] == 5
    assert not hasattr(model, "graph_")
    model.fit(*toy)
    assert model.get_params()["network_pool"] == 5 and model.seed == 1


def test_embedder_hook(toy) -> None:
    organisations, collaborations = toy
    organisations = organisations.assign(
        text=["wind energy turbines" if i % 2 else "genomics" for i in range(len(organisations))]
    )
    calls = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.array([[1.0, 0.1] if "wind" in text else [0.1, 1.0] for text in texts])

    model = PartnerRecommender(embedder=embed, seed=0).fit(organisations, collaborations)
    assert calls == [len(organisations)]
    assert "embedding_cosine" in model.feature_components_["competence"]
    result = model.recommend("C", k=5)
    np.testing.assert_allclose(result[list(COMPONENTS)].sum(axis=1), result["score"])


def test_boosting_variant(toy) -> None:
    model = PartnerRecommender(model="boosting", seed=0).fit(*toy)
    result = model.recommend("C", k=3)
    assert len(result) == 3 and result["score"].is_monotonic_decreasing


def test_cold_start_and_self_loops(toy) -> None:
    """A newcomer with no history and no text gets the most active complementary partners; self-pairs are ignored."""
    organisations, collaborations = toy
    newcomer = pd.DataFrame([{"id": "NEW", "kind": "enterprise", "country": "IT", "region": "", "activities": ""}])
    loops = pd.DataFrame({"org_1": ["C", "g0_1"], "org_2": ["C", "g0_1"], "year": [2016, 2017]})
    model = PartnerRecommender(seed=0).fit(
        pd.concat([organisations, newcomer], ignore_index=True), pd.concat([collaborations, loops], ignore_index=True)
    )
    result = model.recommend("NEW", k=5)
    assert len(result) == 5 and set(result["kind"]) <= {"higher_education", "research"}
    assert (result[["network", "competence"]].nunique() == 1).all()  # no signal of its own: constant terms
    activity = pd.Series(model.graph_.recent_degree, index=model.ids_)
    knowledge = model.ids_[np.isin(model.kinds_, ["higher_education", "research"])]
    assert set(result["partner_id"]) <= set(activity[knowledge].nlargest(model.popular_pool).index)
    assert model.graph_.binary[model.ids_.get_loc("C"), model.ids_.get_loc("C")] == 0  # the self-pair left no edge
    reference = PartnerRecommender(seed=0).fit(pd.concat([organisations, newcomer], ignore_index=True), collaborations)
    pd.testing.assert_series_equal(model.coefficients_, reference.coefficients_)


# --------------------------------------------------------------------------- bad input


def test_errors_for_bad_organisations(toy) -> None:
    organisations, collaborations = toy
    model = PartnerRecommender()
    with pytest.raises(InvalidInputError, match="unknown kind.*'university'"):
        model.fit(
            organisations.assign(kind=organisations["kind"].where(organisations["id"] != "U", "university")),
            collaborations,
        )
    with pytest.raises(InvalidInputError, match=r"duplicate ids \['C'\]"):
        model.fit(pd.concat([organisations, organisations[organisations["id"] == "C"]]), collaborations)
    with pytest.raises(InvalidInputError, match="lacks the column.*'country'"):
        model.fit(organisations.drop(columns="country"), collaborations)
    with pytest.raises(InvalidInputError, match="must be a pandas DataFrame"):
        model.fit(organisations.to_dict(), collaborations)


def test_errors_for_bad_collaborations(toy) -> None:
    organisations, collaborations = toy
    model = PartnerRecommender()
    stranger = pd.concat([collaborations, pd.DataFrame({"org_1": ["C"], "org_2": ["Z9"], "year": [2016]})])
    with pytest.raises(InvalidInputError, match=r"names organisation\(s\) \['Z9'\] in column 'org_2'"):
        model.fit(organisations, stranger)
    with pytest.raises(InvalidInputError, match="missing or non-numeric year"):
        model.fit(
            organisations,
            collaborations.assign(year=collaborations["year"].astype(object).where(collaborations.index != 3, "soon")),
        )
    with pytest.raises(InvalidInputError, match="distinct year"):
        model.fit(organisations, collaborations.assign(year=2016))
    with pytest.raises(InvalidInputError, match="lacks the column.*'year'"):
        model.fit(organisations, collaborations.drop(columns="year"))


def test_errors_for_bad_parameters_and_queries(toy, fitted) -> None:
    with pytest.raises(InvalidInputError, match="The 'model' parameter of PartnerRecommender must be one of"):
        PartnerRecommender(model="forest").fit(*toy)
    with pytest.raises(InvalidInputError, match="'network_pool' parameter"):
        PartnerRecommender(network_pool=-1).fit(*toy)
    with pytest.raises(InvalidInputError, match="not fitted"):
        PartnerRecommender().recommend("C")
    with pytest.raises(InvalidInputError, match=r"names organisation\(s\) \['nobody'\]"):
        fitted.recommend("nobody")
    with pytest.raises(InvalidInputError, match="'kinds' parameter"):
        fitted.recommend("C", kinds=["startup"])
    with pytest.raises(InvalidInputError, match="'k' parameter"):
        fitted.recommend("C", k=0)


# --------------------------------------------------------------------------- real data


@pytest.mark.shared
def test_beats_popularity_on_cordis_2019(shared_data: Path) -> None:
    """On a seeded third of the H2020 projects, split at 2019, the recommender beats popularity."""
    from clusterix.ingest.cordis import CordisTables, read_h2020_participations
    from clusterix.partners.evaluation import evaluate, popularity, temporal_split

    organisations, projects, participations = read_h2020_participations(shared_data / "cordis-h2020-participations")
    rng = np.random.default_rng(0)
    kept = projects[rng.random(len(projects)) < 1 / 3]
    participations = participations[participations["project_id"].isin(kept["id"])]
    organisations = organisations[organisations["id"].isin(participations["organisation_id"])]
    split = temporal_split(CordisTables(organisations, kept, participations), split_year=2019)
    model = PartnerRecommender(max_queries=600, seed=0).fit(*split_inputs(split))
    candidates = split.candidates["organisation_id"].to_numpy()
    ours = evaluate(lambda ids: model.scores(ids, candidates), split, k_values=(10,), sample=400, seed=0)
    baseline = evaluate(popularity(split), split, k_values=(10,), sample=400, seed=0)
    assert ours.loc["all", "queries"] == baseline.loc["all", "queries"] > 100
    assert ours.loc["all", "recall@10"] > baseline.loc["all", "recall@10"]
