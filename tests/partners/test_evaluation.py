"""Temporal hold-out on CORDIS: the metrics by hand, the leakage guards, and the baselines on real data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clusterix.errors import InvalidInputError
from clusterix.ingest.cordis import CordisTables, read_h2020_participations
from clusterix.partners.evaluation import (
    BASELINES,
    adamic_adar,
    evaluate,
    popularity,
    portfolio_similarity,
    ranking_metrics,
    same_country_popularity,
    temporal_split,
)
from clusterix.partners.network import CollaborationGraph, collaboration_edges

KNOWLEDGE = {"higher_education", "research"}


# --------------------------------------------------------------------------- metrics by hand


def test_ranking_metrics_by_hand() -> None:
    scores = [[0.9, 0.8, 0.7, 0.6, 0.5], [0.9, 0.8, 0.7, 0.6, 0.5], [1.0, 1.0, 1.0, 0.0, 0.0]]
    relevant = np.array([[0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 1]], dtype=bool)
    exclude = np.array([[0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    metrics = ranking_metrics(scores, relevant, k_values=(1, 3), exclude=exclude)
    # Row 0: hits at ranks 2 and 4. Row 1: the two excluded items are not ranked, so the hit
    # is first. Row 2: ties keep column order, so the hits are at ranks 3 and 5.
    assert metrics["first_hit"].tolist() == [2, 1, 3]
    assert metrics["relevant"].tolist() == [2, 1, 2]
    assert_allclose(metrics["recall@1"], [0, 1, 0])
    assert_allclose(metrics["recall@3"], [1 / 2, 1, 1 / 2])
    assert_allclose(metrics["mrr"], [1 / 2, 1, 1 / 3])
    assert_allclose(metrics["ndcg@1"], [0, 1, 0])
    ideal_two = 1 + 1 / math.log2(3)  # two relevant items, cut-off 3
    assert_allclose(metrics["ndcg@3"], [(1 / math.log2(3)) / ideal_two, 1, (1 / math.log2(4)) / ideal_two])
    assert_allclose(metrics["ndcg@3"], [0.386853, 1, 0.306574], atol=1e-6)
    assert list(metrics.columns) == ["relevant", "recall@1", "recall@3", "ndcg@1", "ndcg@3", "mrr", "first_hit"]


def test_ranking_metrics_reject_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="Row 0 of 'relevant'"):
        ranking_metrics([[1.0, 2.0]], np.array([[False, False]]))
    with pytest.raises(InvalidInputError, match="also excluded"):
        ranking_metrics([[1.0, 2.0]], np.array([[True, False]]), exclude=np.array([[True, False]]))
    with pytest.raises(InvalidInputError, match="'scores' parameter of ranking_metrics must be finite"):
        ranking_metrics([[np.nan, 2.0]], np.array([[True, False]]))
    with pytest.raises(InvalidInputError, match="'k_values' parameter"):
        ranking_metrics([[1.0, 2.0]], np.array([[True, False]]), k_values=(0,))


# --------------------------------------------------------------------------- a tiny split


@pytest.fixture
def tiny() -> CordisTables:
    organisations = pd.DataFrame(
        {
            "id": ["E1", "E2", "E3", "U1", "U2", "R1", "P1"],
            "kind": [
                "enterprise",
                "enterprise",
                "enterprise",
                "higher_education",
                "higher_education",
                "research",
                "public",
            ],
            "country": ["DE", "FR", "DE", "FR", "IT", "DE", "DE"],
        }
    )
    projects = pd.DataFrame(
        {
            "id": ["t1", "t2", "t3", "s1", "s2", "s3", "n1"],
            "start_date": pd.to_datetime(
                ["2016-01-01", "2017-05-01", "2018-12-31", "2019-01-01", "2020-03-01", "2020-06-01", None]
            ),
            "programme_part": ["LEIT", "SC1", "LEIT;SC1", "SC1", "LEIT", "SC2", "SC1"],
        }
    )
    members = {
        "t1": ["E1", "U1", "P1"],
        "t2": ["E2", "R1"],
        "t3": ["E1", "R1"],
        "s1": ["E1", "U1", "R1", "E2"],  # E1-U1, E1-R1, E2-R1 are old; E2-U1 is new
        "s2": ["E3", "U1", "P1"],  # E3 is a newcomer
        "s3": ["E2", "U2"],  # U2 is a newcomer
        "n1": ["E1", "U2"],  # no start date: in neither part
    }
    participations = pd.DataFrame(
        [(project, organisation) for project, listed in members.items() for organisation in listed],
        columns=["project_id", "organisation_id"],
    )
    return CordisTables(organisations, projects, participations)


def test_tiny_split_by_hand(tiny) -> None:
    split = temporal_split(tiny, split_year=2019)
    assert sorted(split.train_participations["project_id"].unique()) == ["t1", "t2", "t3"]
    assert split.graph.ids.tolist() == ["E1", "E2", "P1", "R1", "U1"]
    pairs = split.test_pairs.sort_values(["enterprise", "institution"])
    assert pairs[["enterprise", "institution", "year", "enterprise_known", "institution_known"]].values.tolist() == [
        ["E2", "U1", 2019, True, True],
        ["E2", "U2", 2020, True, False],
        ["E3", "U1", 2020, False, True],
    ]
    assert split.queries.values.tolist() == [["E2", "enterprise", "FR", 1], ["U1", "knowledge", "FR", 1]]
    assert split.candidates["organisation_id"].tolist() == ["E1", "E2", "R1", "U1"]
    assert split.candidates["side"].tolist() == ["enterprise", "enterprise", "knowledge", "knowledge"]


def test_tiny_split_evaluation_excludes_existing_partners(tiny) -> None:
    split = temporal_split(tiny, split_year=2019)
    # E2's knowledge candidates are R1 (a training partner: not ranked) and U1 (its test
    # partner); U1's enterprise candidates are E1 (a training partner) and E2. So even an
    # adversarial score that prefers the known partners ranks the test partner first.
    prefer_known = {"E2": [0, 0, 9, 0], "U1": [9, 0, 0, 0]}
    result = evaluate(lambda ids: np.array([prefer_known[i] for i in ids], dtype=float), split, k_values=(1,))
    assert result.loc["all"].tolist() == [2, 1.0, 1.0, 1.0]
    assert result.loc["enterprise", "queries"] == 1


def test_tiny_baselines_by_hand(tiny) -> None:
    split = temporal_split(tiny, split_year=2019)
    # Training degrees: E1 (U1, P1, R1) 3, E2 (R1) 1, R1 (E2, E1) 2, U1 (E1, P1) 2.
    assert_allclose(popularity(split)(np.array(["E2", "U1"])), [[3, 1, 2, 2], [3, 1, 2, 2]])
    # E2 is French: E2 and U1 get the bonus max degree + 1 = 4.
    assert_allclose(same_country_popularity(split)(np.array(["E2"])), [[3, 5, 2, 6]])
    # Portfolios (LEIT, SC1): E1 (2, 1), E2 (0, 1), R1 (1, 2), U1 (1, 0).
    assert_allclose(portfolio_similarity(split)(np.array(["E2"])), [[1 / math.sqrt(5), 1, 2 / math.sqrt(5), 0]])
    # E2 and E1 share R1 (degree 2).
    assert_allclose(adamic_adar(split)(np.array(["E2"])), [[1 / math.log(2), 0, 0, 0]])


def test_evaluate_rejects_scores_of_the_wrong_shape(tiny) -> None:
    split = temporal_split(tiny, split_year=2019)
    with pytest.raises(InvalidInputError, match="shape \\(2, 3\\)"):
        evaluate(lambda ids: np.zeros((len(ids), 3)), split)
    with pytest.raises(InvalidInputError, match="NaN or infinite"):
        evaluate(lambda ids: np.full((len(ids), 4), np.nan), split)
    with pytest.raises(InvalidInputError, match="'sample' parameter of evaluate"):
        evaluate(popularity(split), split, sample=0)


def test_split_without_test_pairs_raises(tiny) -> None:
    with pytest.raises(InvalidInputError, match="Choose an earlier split_year"):
        temporal_split(tiny, split_year=2030)


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def cordis(shared_data) -> CordisTables:
    return read_h2020_participations(shared_data / "cordis-h2020-participations")


@pytest.fixture(scope="module")
def split(cordis):
    return temporal_split(cordis, split_year=2019)


@pytest.mark.shared
def test_no_training_data_from_the_split_year_on(cordis, split) -> None:
    projects = cordis.projects.set_index("id")
    years = pd.to_datetime(projects.loc[split.train_participations["project_id"], "start_date"]).dt.year
    assert (years < 2019).all()
    assert (pd.to_datetime(split.train_projects["start_date"]).dt.year < 2019).all()
    # The training graph is exactly the graph of the training participations.
    rebuilt = CollaborationGraph.from_edges(
        collaboration_edges(split.train_participations, split.train_projects), nodes=split.graph.ids
    )
    assert (rebuilt.adjacency != split.graph.adjacency).nnz == 0


@pytest.mark.shared
def test_test_pairs_are_new_pairs_of_the_right_kinds(cordis, split) -> None:
    kind = cordis.organisations.set_index("id")["kind"]
    pairs = split.test_pairs
    assert (pairs["enterprise"].map(kind) == "enterprise").all()
    assert pairs["institution"].map(kind).isin(KNOWLEDGE).all()
    assert (pairs["year"] >= 2019).all()
    assert not pairs.duplicated(["enterprise", "institution"]).any()
    edges = collaboration_edges(split.train_participations, split.train_projects)
    known = set(zip(edges["org_1"], edges["org_2"], strict=True))
    ordered = zip(
        np.minimum(pairs["enterprise"], pairs["institution"]),
        np.maximum(pairs["enterprise"], pairs["institution"]),
        strict=True,
    )
    assert not any(pair in known for pair in ordered)
    assert len(pairs) > 10_000
    queries = split.queries
    assert set(queries["organisation_id"]) <= set(split.graph.ids)
    assert (queries["test_partners"] >= 1).all()
    assert set(queries["side"]) == {"enterprise", "knowledge"}


@pytest.mark.shared
def test_baselines_on_a_seeded_sample(split) -> None:
    results = {name: evaluate(build(split), split, sample=300, seed=0) for name, build in BASELINES.items()}
    for name, result in results.items():
        assert result.loc["all", "queries"] == 300, name
        metrics = result.drop(columns="queries")
        assert ((metrics >= 0) & (metrics <= 1)).all().all(), name
        assert (result["recall@50"] >= result["recall@10"]).all(), name
    # Common neighbours carry signal: Adamic-Adar beats ranking everyone by popularity.
    assert results["adamic_adar"].loc["all", "recall@50"] > results["popularity"].loc["all", "recall@50"]
    assert results["popularity"].loc["all", "recall@50"] > 0.05
    again = evaluate(popularity(split), split, sample=300, seed=0)
    pd.testing.assert_frame_equal(again, results["popularity"])
    other = evaluate(popularity(split), split, sample=300, seed=1)
    assert not other.equals(results["popularity"])
