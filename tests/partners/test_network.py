"""Collaboration edges, the graph and its leakage guard, and the link-prediction scores on tiny graphs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from clusterix.errors import InvalidInputError, NotConvergedError, UnknownCodeError
from clusterix.partners.network import (
    CollaborationGraph,
    adamic_adar,
    collaboration_edges,
    common_neighbours,
    personalised_pagerank,
    resource_allocation,
)


def adjacency(n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    matrix = np.zeros((n, n))
    for u, v in edges:
        matrix[u, v] = matrix[v, u] = 1.0
    return matrix


K4 = adjacency(4, [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)])
P3 = adjacency(3, [(0, 1), (1, 2)])
P4 = adjacency(4, [(0, 1), (1, 2), (2, 3)])
STAR = adjacency(5, [(0, 1), (0, 2), (0, 3), (0, 4)])  # centre 0, four leaves
GRAPHS = {"K4": K4, "P3": P3, "P4": P4, "star": STAR}
ALPHA = 0.85


# --------------------------------------------------------------------------- edges and graph


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    participations = pd.DataFrame(
        {
            "project_id": ["p1", "p1", "p1", "p2", "p2", "p3", "p4", "p4", "p4"],
            "organisation_id": ["b", "a", "c", "a", "b", "d", "c", "d", "d"],  # p3 alone, d twice in p4
        }
    )
    projects = pd.DataFrame(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "start_date": pd.to_datetime(["2015-02-01", "2018-12-31", "2016-01-01", "2019-01-01"]),
        }
    )
    return participations, projects


def test_collaboration_edges_pairs_each_project(tables) -> None:
    edges = collaboration_edges(*tables)
    assert list(edges.columns) == ["org_1", "org_2", "year", "project", "weight"]
    assert edges.values.tolist() == [
        ["a", "b", 2015, "p1", 1],
        ["a", "c", 2015, "p1", 1],
        ["b", "c", 2015, "p1", 1],
        ["a", "b", 2018, "p2", 1],
        ["c", "d", 2019, "p4", 1],  # the duplicate participation of d counts once
    ]
    assert (edges["org_1"] < edges["org_2"]).all()


def test_collaboration_edges_max_project_size(tables) -> None:
    edges = collaboration_edges(*tables, max_project_size=2)
    assert edges["project"].tolist() == ["p2", "p4"]
    with pytest.raises(InvalidInputError, match="'max_project_size' parameter of collaboration_edges"):
        collaboration_edges(*tables, max_project_size=1)


def test_collaboration_edges_rejects_unknown_projects(tables) -> None:
    participations, projects = tables
    with pytest.raises(InvalidInputError, match="project 'p4', which is not in the projects table"):
        collaboration_edges(participations, projects.iloc[:3])
    with pytest.raises(InvalidInputError, match="the column\\(s\\) start_date"):
        collaboration_edges(participations, projects[["id"]])


def test_graph_weights_add_up_and_are_symmetric(tables) -> None:
    graph = CollaborationGraph.from_edges(collaboration_edges(*tables))
    assert graph.ids.tolist() == ["a", "b", "c", "d"]
    dense = graph.adjacency.toarray()
    assert_allclose(dense, dense.T)
    assert dense[0, 1] == 2  # a-b share p1 and p2
    assert graph.degree.tolist() == [2, 2, 3, 1]
    assert graph.neighbours("c").tolist() == ["a", "b", "d"]
    assert graph.index(["d", "a"]).tolist() == [3, 0]
    assert int(graph.index("b")) == 1
    with pytest.raises(UnknownCodeError, match="'zz' is not in the collaboration graph"):
        graph.index(["a", "zz"])


def test_leakage_guard_keeps_only_earlier_edges(tables) -> None:
    edges = collaboration_edges(*tables)
    graph = CollaborationGraph.from_edges(edges, until_year=2019)
    assert "d" not in graph.ids  # d only collaborates in 2019
    assert graph.adjacency.toarray()[0, 1] == 2
    graph = CollaborationGraph.from_edges(edges, until_year=2018)
    assert graph.adjacency.toarray()[0, 1] == 1  # the 2018 project is out
    assert graph.adjacency.sum() == 2 * 3
    # with all organisations as nodes, the 2019 edge still does not enter the graph
    graph = CollaborationGraph.from_edges(edges, until_year=2019, nodes=["a", "b", "c", "d"])
    assert graph.degree.tolist() == [2, 2, 2, 0]
    assert graph.neighbours("d").tolist() == []


def test_from_edges_rejects_edges_outside_nodes(tables) -> None:
    edges = collaboration_edges(*tables)
    with pytest.raises(InvalidInputError, match="organisation 'c', which is not in 'nodes'"):
        CollaborationGraph.from_edges(edges, nodes=["a", "b"])


def test_graph_rejects_asymmetric_adjacency() -> None:
    with pytest.raises(InvalidInputError, match="symmetric"):
        CollaborationGraph(np.array([[0, 1], [0, 0]]), ["a", "b"])
    with pytest.raises(InvalidInputError, match="'ids' parameter"):
        CollaborationGraph(P3, ["a", "b"])


# --------------------------------------------------------------------------- scores by hand


def test_scores_on_k4() -> None:
    # Nodes 0 and 1 share neighbours 2 and 3, each of degree 3.
    assert_allclose(common_neighbours(K4, [0]), [[0, 2, 2, 2]])
    assert_allclose(adamic_adar(K4, [0]), [[0] + [2 / math.log(3)] * 3])
    assert_allclose(resource_allocation(K4, [0, 3]), [[0, 2 / 3, 2 / 3, 2 / 3], [2 / 3, 2 / 3, 2 / 3, 0]])


def test_scores_on_paths() -> None:
    # P3: 0 and 2 share node 1 of degree 2; adjacent nodes share nothing.
    assert_allclose(common_neighbours(P3, [0, 1]), [[0, 0, 1], [0, 0, 0]])
    assert_allclose(adamic_adar(P3, [2]), [[1 / math.log(2), 0, 0]])
    assert_allclose(resource_allocation(P3, [0]), [[0, 0, 0.5]])
    # P4: 0-2 via 1 and 1-3 via 2 (both degree 2); 0-3 share nothing.
    assert_allclose(common_neighbours(P4, [0, 1]), [[0, 0, 1, 0], [0, 0, 0, 1]])
    assert_allclose(adamic_adar(P4, [3]), [[0, 1 / math.log(2), 0, 0]])
    assert_allclose(resource_allocation(P4, [0]), [[0, 0, 0.5, 0]])


def test_scores_on_a_star() -> None:
    # Two leaves share the centre (degree 4); the centre shares nothing with a leaf, and the
    # degree-1 leaves are never common neighbours (no 1 / log 1).
    assert_allclose(common_neighbours(STAR, [1, 0]), [[0, 0, 1, 1, 1], [0, 0, 0, 0, 0]])
    assert_allclose(adamic_adar(STAR, [1]), [[0, 0] + [1 / math.log(4)] * 3])
    assert_allclose(resource_allocation(STAR, [4]), [[0] + [0.25] * 3 + [0]])


def test_scores_read_weights_as_binary_edges() -> None:
    weighted = STAR * np.array([1, 7, 2, 3, 5])[None, :]
    weighted = np.maximum(weighted, weighted.T)
    for score in (common_neighbours, adamic_adar, resource_allocation):
        assert_allclose(score(sp.csr_array(weighted), [1, 2]), score(STAR, [1, 2]))


def test_pagerank_on_p3_by_hand() -> None:
    # From x0 = 1 - a + a x1 / 2, x1 = a (x0 + x2), x2 = a x1 / 2:
    x0 = (2 - ALPHA**2) / (2 * (1 + ALPHA))
    x1 = ALPHA * x0 / (1 - ALPHA**2 / 2)
    x2 = ALPHA * x1 / 2
    assert_allclose(personalised_pagerank(P3, [0]), [[x0, x1, x2]], atol=1e-9)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_pagerank_solves_the_linear_system_and_sums_to_one(name: str) -> None:
    matrix = GRAPHS[name]
    n = len(matrix)
    scores = personalised_pagerank(sp.csr_array(matrix), list(range(n)))
    assert_allclose(scores.sum(axis=1), np.ones(n), atol=1e-12)
    transition = matrix / matrix.sum(axis=0)
    exact = np.linalg.solve(np.eye(n) - ALPHA * transition, (1 - ALPHA) * np.eye(n)).T
    assert_allclose(scores, exact, atol=1e-9)


def test_pagerank_sends_dangling_mass_back_to_the_source() -> None:
    matrix = adjacency(4, [(0, 1), (1, 2)])  # node 3 is isolated
    scores = personalised_pagerank(matrix, [3, 0])
    assert_allclose(scores[0], [0, 0, 0, 1])
    assert_allclose(scores.sum(axis=1), [1, 1], atol=1e-12)
    assert scores[1, 3] == 0


def test_pagerank_raises_when_not_converged() -> None:
    with pytest.raises(NotConvergedError, match="did not converge in 5 iterations") as raised:
        personalised_pagerank(P3, [0], max_iter=5)
    assert raised.value.iterations == 5


@pytest.mark.parametrize("score", [common_neighbours, adamic_adar, resource_allocation, personalised_pagerank])
def test_scores_reject_bad_input(score) -> None:
    name = score.__name__
    with pytest.raises(InvalidInputError, match=f"'sources' parameter of {name}"):
        score(P3, [3])
    with pytest.raises(InvalidInputError, match=f"'adjacency' parameter of {name}"):
        score(np.array([[0.0, -1.0], [-1.0, 0.0]]), [0])


def test_link_scores_reject_a_directed_graph() -> None:
    with pytest.raises(InvalidInputError, match="symmetric"):
        adamic_adar(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]), [0])


# --------------------------------------------------------------------------- networkx cross-check


@pytest.mark.parametrize("name", list(GRAPHS))
def test_scores_match_networkx(name: str) -> None:
    nx = pytest.importorskip("networkx", reason="networkx is not installed: the cross-check against it is skipped")
    matrix = GRAPHS[name]
    graph = nx.from_numpy_array(matrix)
    n = len(matrix)
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    ours = {
        "cn": common_neighbours(matrix, list(range(n))),
        "aa": adamic_adar(matrix, list(range(n))),
        "ra": resource_allocation(matrix, list(range(n))),
    }
    for u, v in pairs:
        assert ours["cn"][u, v] == len(list(nx.common_neighbors(graph, u, v)))
    for u, v, value in nx.adamic_adar_index(graph, pairs):
        assert ours["aa"][u, v] == pytest.approx(value)
    for u, v, value in nx.resource_allocation_index(graph, pairs):
        assert ours["ra"][u, v] == pytest.approx(value)
    scores = personalised_pagerank(matrix, list(range(n)))
    for source in range(n):
        expected = nx.pagerank(graph, alpha=ALPHA, personalization={source: 1}, tol=1e-12, max_iter=1000)
        assert_allclose(scores[source], [expected[v] for v in range(n)], atol=1e-8)
