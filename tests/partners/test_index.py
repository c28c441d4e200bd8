"""VectorIndex (exact and HNSW) and TF-IDF vectors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from clusterix.errors import InvalidInputError
from clusterix.partners.embeddings import MissingExtraError
from clusterix.partners.index import VectorIndex, ann_available, tfidf_vectors

needs_ann = pytest.mark.skipif(not ann_available(), reason="needs the 'ann' extra (pip install 'clusterix[ann]')")
BACKENDS = ["exact", pytest.param("faiss", marks=needs_ann)]


def _brute_force(vectors, queries, k, metric="cosine"):
    """Sort every similarity (stable, so ties go to the smaller position): the reference answer."""
    x, q = np.asarray(vectors, float), np.asarray(queries, float)
    if metric == "cosine":
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-300)
        q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-300)
    similarity = q @ x.T
    order = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(similarity, order, axis=1)


@pytest.fixture(scope="module")
def random_unit():
    rng = np.random.default_rng(42)
    vectors = rng.standard_normal((20_000, 64)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_hand_case():
    # rows: east, north, north-east, west; query slightly north of east
    index = VectorIndex([[1, 0], [0, 1], [1, 1], [-1, 0]], backend="exact")
    positions, similarities = index.query([[1.0, 0.1]], k=4)
    assert positions.tolist() == [[0, 2, 1, 3]]
    expected = [1 / np.sqrt(1.01), 1.1 / np.sqrt(2.02), 0.1 / np.sqrt(1.01), -1 / np.sqrt(1.01)]
    np.testing.assert_allclose(similarities[0], expected, rtol=1e-6)
    assert positions.dtype == np.int64 and similarities.dtype == np.float32
    # inner product: the long vector wins although its angle is wider
    ip = VectorIndex([[1, 0], [3, 3]], metric="ip", backend="exact")
    positions, similarities = ip.query([1.0, 0.0], k=2)  # a 1-D query is one row
    assert positions.tolist() == [[1, 0]] and similarities.tolist() == [[3.0, 1.0]]


def test_exact_matches_brute_force_across_blocks(monkeypatch):
    from clusterix.partners import index as module

    monkeypatch.setattr(module, "_ROW_BLOCK", 7)  # many row blocks, to exercise the merge
    monkeypatch.setattr(module, "_QUERY_BLOCK", 5)
    rng = np.random.default_rng(0)
    vectors = rng.integers(-2, 3, size=(53, 3)).astype(np.float32)  # small integers: many exact ties
    queries = rng.integers(-2, 3, size=(12, 3)).astype(np.float32)
    for metric in ("cosine", "ip"):
        positions, similarities = VectorIndex(vectors, metric=metric, backend="exact").query(queries, k=9)
        expected_positions, expected = _brute_force(vectors, queries, 9, metric)
        np.testing.assert_allclose(similarities, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(positions, expected_positions)  # ties resolved to the smaller position


@needs_ann
def test_hnsw_recall_at_10(random_unit):
    queries = np.random.default_rng(1).standard_normal((500, 64)).astype(np.float32)  # independent of the rows
    exact, _ = VectorIndex(random_unit, backend="exact").query(queries, k=10)
    approximate, similarities = VectorIndex(random_unit, backend="faiss", seed=0).query(queries, k=10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approximate, exact, strict=True)])
    assert recall >= 0.95, recall
    assert np.all(np.diff(similarities, axis=1) <= 1e-6)  # best first


@needs_ann
def test_hnsw_is_reproducible_with_a_seed():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((2000, 16)).astype(np.float32)
    first = VectorIndex(vectors, backend="faiss", seed=5, m=8, ef=16).query(vectors[:200], k=5)
    second = VectorIndex(vectors, backend="faiss", seed=5, m=8, ef=16).query(vectors[:200], k=5)
    np.testing.assert_array_equal(first[0], second[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_exclude(backend):
    vectors = np.array([[1, 0], [0.9, 0.1], [0.5, 0.5], [0, 1]], dtype=np.float32)
    index = VectorIndex(vectors, backend=backend)
    positions, _ = index.query(vectors[:2], k=2, exclude=[[0], [1, 0]])
    assert positions.tolist() == [[1, 2], [2, 3]]
    sparse = sp.csr_array(([1, 1, 1], ([0, 1, 1], [0, 1, 0])), shape=(2, 4))
    assert index.query(vectors[:2], k=2, exclude=sparse)[0].tolist() == [[1, 2], [2, 3]]
    # excluding everything but one leaves padding
    positions, similarities = index.query(vectors[:1], k=3, exclude=[[0, 1, 3]])
    assert positions.tolist() == [[2, -1, -1]] and np.isneginf(similarities[0, 1:]).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_k_larger_than_the_index_pads(backend):
    index = VectorIndex([[1, 0], [0, 1], [1, 1]], backend=backend)
    positions, similarities = index.query([[1, 0]], k=5)
    assert positions.tolist() == [[0, 2, 1, -1, -1]]
    assert np.isfinite(similarities[0, :3]).all() and np.isneginf(similarities[0, 3:]).all()
    assert len(index) == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_zero_vectors_are_similar_to_nothing(backend):
    index = VectorIndex([[0, 0], [1, 0], [0, 1]], backend=backend)
    positions, similarities = index.query([[0, 0], [1, 0]], k=3)
    assert not np.isnan(similarities).any()
    np.testing.assert_array_equal(similarities[0], [0, 0, 0])
    assert positions[1, 0] == 1 and similarities[1].tolist() == [1, 0, 0]


def test_bad_input_is_named():
    with pytest.raises(InvalidInputError, match="'vectors' parameter of VectorIndex must be a 2-D array"):
        VectorIndex(np.ones(3))
    with pytest.raises(InvalidInputError, match="dtype <U1"):
        VectorIndex([["a", "b"]])
    with pytest.raises(InvalidInputError, match="non-finite value .* at row 1, column 0"):
        VectorIndex([[1, 0], [np.nan, 1]])
    with pytest.raises(InvalidInputError, match="at least one row"):
        VectorIndex(np.empty((0, 4)))
    with pytest.raises(InvalidInputError, match="'metric' parameter of VectorIndex must be one of"):
        VectorIndex([[1, 0]], metric="euclidean")
    with pytest.raises(InvalidInputError, match="2 labels for 1 vectors"):
        VectorIndex([[1, 0]], ids=["a", "b"])
    index = VectorIndex([[1, 0], [0, 1]], backend="exact")
    with pytest.raises(InvalidInputError, match="has 3 columns; the index holds vectors of dimension 2"):
        index.query([[1, 0, 0]], k=1)
    with pytest.raises(InvalidInputError, match="'k' parameter of VectorIndex.query"):
        index.query([[1, 0]], k=0)
    with pytest.raises(InvalidInputError, match="position 2 for query 0"):
        index.query([[1, 0]], k=1, exclude=[[2]])
    with pytest.raises(InvalidInputError, match=r"one collection of positions per query \(1\)"):
        index.query([[1, 0]], k=1, exclude=[[0], [1]])


def test_faiss_backend_without_the_extra(monkeypatch):
    from clusterix.partners import index as module

    monkeypatch.setattr(module, "ann_available", lambda: False)
    assert VectorIndex([[1, 0]], backend="auto").backend_ == "exact"
    with pytest.raises(MissingExtraError, match=r"pip install 'clusterix\[ann\]'"):
        VectorIndex([[1, 0]], backend="faiss")


@pytest.mark.parametrize("backend", BACKENDS)
def test_save_and_load_round_trip(tmp_path, backend):
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((300, 8)).astype(np.float32)
    ids = [f"org{i}" for i in range(300)]
    index = VectorIndex(vectors, ids=ids, backend=backend, seed=1)
    before = index.query(vectors[:20], k=7, exclude=[[i] for i in range(20)])
    loaded = VectorIndex.load(index.save(tmp_path / "index"))
    assert loaded.backend_ == backend and len(loaded) == 300 and loaded.metric == "cosine"
    assert loaded.ids.tolist() == ids
    after = loaded.query(vectors[:20], k=7, exclude=[[i] for i in range(20)])
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_allclose(before[1], after[1], rtol=1e-6)
    # a faiss index opened with the exact backend answers the same top result
    exact = VectorIndex.load(tmp_path / "index", backend="exact").query(vectors[:20], k=1)
    assert exact[0].ravel().tolist() == list(range(20))


@pytest.mark.parametrize("backend", BACKENDS)
def test_pickle_round_trip(backend):
    import pickle

    vectors = np.random.default_rng(8).standard_normal((100, 6)).astype(np.float32)
    index = VectorIndex(vectors, backend=backend)
    copy = pickle.loads(pickle.dumps(index))
    assert copy.backend_ == backend
    for a, b in zip(index.query(vectors[:10], k=5), copy.query(vectors[:10], k=5), strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_reports_a_missing_folder(tmp_path):
    from clusterix.errors import DataSourceError

    with pytest.raises(DataSourceError, match="index.json is missing"):
        VectorIndex.load(tmp_path)


def test_tfidf_vectors():
    texts = [
        "offshore wind turbine blades",
        "wind turbine gearbox maintenance",
        "cheese and dairy products",
        "",
        None,
        "dairy cheese ripening",
    ]
    vectors = tfidf_vectors(texts, dim=16, seed=0)
    assert vectors.shape == (6, 16) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1, 1, 1, 0, 0, 1], atol=1e-6)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.3 and similarity[2, 5] > similarity[2, 0] + 0.3
    np.testing.assert_array_equal(vectors, tfidf_vectors(texts, dim=16, seed=0))
    # the vectors feed the index: the nearest other text of "wind turbine gearbox" is the other wind text
    positions, _ = VectorIndex(vectors, backend="exact").query(vectors[1], k=1, exclude=[[1]])
    assert positions.tolist() == [[0]]
    assert not tfidf_vectors(["", None], dim=4).any()
    with pytest.raises(InvalidInputError, match="'dim' parameter of tfidf_vectors"):
        tfidf_vectors(["a b"], dim=0)


@needs_ann
def test_a_short_graph_answer_is_completed_exactly():
    rng = np.random.default_rng(11)
    vectors = rng.standard_normal((200, 8)).astype(np.float32)
    index = VectorIndex(vectors, backend="faiss")

    class Unreachable:  # a graph that finds only its first node, as after a bad build
        ntotal = 200

        def search(self, queries, k, params=None):
            positions = np.full((len(queries), k), -1, dtype=np.int64)
            positions[:, 0] = 0
            return np.where(positions >= 0, 0.0, -np.inf).astype(np.float32), positions

    index._graph = Unreachable()
    expected = VectorIndex(vectors, backend="exact").query(vectors[:5], k=4, exclude=[[i] for i in range(5)])
    got = index.query(vectors[:5], k=4, exclude=[[i] for i in range(5)])
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
