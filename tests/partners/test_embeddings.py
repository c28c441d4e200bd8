"""Sentence embeddings: the bundled all-MiniLM-L6-v2 model, loaded offline on CPU."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from clusterix.errors import InvalidInputError
from clusterix.partners import embeddings
from clusterix.partners.embeddings import (
    DIMENSION,
    MissingExtraError,
    SentenceEmbedder,
    default_embedder,
    embeddings_available,
)

SKIP = "needs the 'embeddings' extra (pip install torch==2.13.0, then pip install 'clusterix[embeddings]')"
needs_extra = pytest.mark.skipif(not embeddings_available(), reason=SKIP)


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    if not embeddings_available():
        pytest.skip(SKIP)
    return SentenceEmbedder(batch_size=4)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@needs_extra
def test_paraphrases_are_closer_than_unrelated_sentences(embedder):
    texts = [
        "A man is eating food.",
        "A man is eating a piece of bread.",
        "The stock market fell sharply today.",
        "Offshore wind turbines generate renewable electricity.",
        "Wind farms at sea produce clean power.",
        "The university teaches medieval history.",
    ]
    vectors = embedder(texts)
    assert vectors.shape == (6, DIMENSION) and vectors.dtype == np.float32
    similarity = vectors @ vectors.T
    # each paraphrase pair beats every cross pair by a clear margin
    assert similarity[0, 1] > 0.6 and similarity[3, 4] > 0.5
    unrelated = [similarity[0, 2], similarity[0, 3], similarity[1, 4], similarity[2, 5], similarity[3, 5]]
    assert max(unrelated) < min(similarity[0, 1], similarity[3, 4]) - 0.3


@needs_extra
def test_unit_norm_zero_for_missing_and_deterministic(embedder):
    texts = ["Battery materials for electric vehicles", "", None, "   ", float("nan"), "Photonics for sensing"]
    first = embedder(texts)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), [1, 0, 0, 0, 0, 1], atol=1e-5)
    assert not np.any(first[1:5])
    second = embedder(texts)
    np.testing.assert_array_equal(first, second)


@needs_extra
def test_batch_equals_one_by_one(embedder):
    texts = ["Quantum computing hardware", "Smart grids", "A longer text about agri-food supply chains in Europe"] * 3
    batched = embedder(texts)
    single = np.vstack([embedder([text]) for text in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)
    assert embedder([]).shape == (0, DIMENSION)


@needs_extra
def test_without_normalise_same_direction(embedder):
    text = ["Hydrogen fuel cells for heavy transport"]
    raw = SentenceEmbedder(normalise=False)(text)[0]
    assert abs(np.linalg.norm(raw) - 1) > 0.1  # the Normalize layer is really left out
    assert _cosine(raw, embedder(text)[0]) == pytest.approx(1, abs=1e-5)


@needs_extra
def test_loads_offline_from_the_package_folder(tmp_path):
    """A fresh process with an empty hub cache and the hub switched off still embeds, and writes nothing there."""
    script = (
        "import json; from clusterix.partners.embeddings import SentenceEmbedder;"
        "v = SentenceEmbedder()(['offline check']); print(json.dumps([v.shape[1], float((v ** 2).sum())]))"
    )
    environment = dict(os.environ, HF_HOME=str(tmp_path / "hub"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    environment.pop("SENTENCE_TRANSFORMERS_HOME", None)
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    dimension, norm = json.loads(result.stdout.strip().splitlines()[-1])
    assert dimension == DIMENSION and norm == pytest.approx(1, abs=1e-5)
    assert not any((tmp_path / "hub").rglob("*.safetensors"))


@needs_extra
def test_pickles_without_the_model(embedder):
    copy = pickle.loads(pickle.dumps(embedder))
    assert len(pickle.dumps(embedder)) < 1000
    np.testing.assert_array_equal(copy(["same text"]), embedder(["same text"]))
    assert isinstance(default_embedder(), SentenceEmbedder)


def test_bad_input_is_named():
    if not embeddings_available():
        pytest.skip(SKIP)
    embedder = SentenceEmbedder()
    with pytest.raises(InvalidInputError, match="'texts' parameter of SentenceEmbedder"):
        embedder("one string, not a list")
    with pytest.raises(InvalidInputError, match="item 1 is int"):
        embedder(["fine", 3])
    with pytest.raises(InvalidInputError, match="'batch_size' parameter"):
        SentenceEmbedder(batch_size=0)


def test_missing_extra_gives_the_pip_command(monkeypatch):
    monkeypatch.setattr(embeddings, "_missing", lambda: ["sentence_transformers"])
    assert not embeddings_available()
    assert default_embedder() is None
    hint = r"pip install torch==2\.13\.0 && pip install 'clusterix\[embeddings\]'"
    with pytest.raises(MissingExtraError, match=hint):
        SentenceEmbedder()
    with pytest.raises(ImportError):  # also an ImportError, for callers that catch that
        embeddings.model_folder()
