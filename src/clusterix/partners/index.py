"""Nearest-neighbour search over organisation vectors: an HNSW index (faiss) or exact blocked search.

:class:`VectorIndex` answers "the ``k`` most similar rows" for many query vectors at once,
by cosine or inner product. ``backend="faiss"`` builds an approximate HNSW graph
(``faiss-cpu``, the ``ann`` extra); ``backend="exact"`` multiplies blocks of queries by
blocks of rows with numpy (memory bounded by the block sizes, not by the index size) and
is both the fallback without the extra and the ground truth in the tests.
:func:`tfidf_vectors` turns texts into dense unit vectors (TF-IDF reduced by truncated
SVD), so the index also serves text when the sentence-embedding extra is absent.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from clusterix._validation import check_number, check_option, parameter_error
from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.partners.embeddings import MissingExtraError

__all__ = ["BACKENDS", "METRICS", "VectorIndex", "ann_available", "tfidf_vectors"]

#: Similarity measures: cosine (rows scaled to unit length) or the raw inner product.
METRICS = ("cosine", "ip")
#: ``auto`` is ``faiss`` when faiss-cpu is installed, else ``exact``.
BACKENDS = ("auto", "exact", "faiss")

_FORMAT = 1  # version of the saved folder layout
_QUERY_BLOCK = 256  # queries per block of the exact search
_ROW_BLOCK = 16384  # index rows per block: a block of similarities is at most 256 x 16384 float32 = 16 MiB
_ANN_INSTALL = "pip install 'clusterix[ann]'"


def ann_available() -> bool:
    """Whether the ``ann`` extra (faiss-cpu) is installed; nothing is imported."""
    return importlib.util.find_spec("faiss") is not None


def _faiss() -> Any:
    if not ann_available():
        raise MissingExtraError(f"backend='faiss' needs the 'ann' extra (faiss-cpu). Install it with: {_ANN_INSTALL}")
    import faiss

    return faiss


def _as_vectors(vectors: Any, name: str, function: str, dimension: int | None = None) -> np.ndarray:
    """A C-contiguous float32 (n, d) copy-or-view of ``vectors``, with a clear error for anything else."""
    if sp.issparse(vectors):
        raise parameter_error(name, function, "a dense 2-D array (call .toarray() on a sparse matrix)", "sparse")
    array = np.asarray(vectors)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise parameter_error(name, function, "a 2-D array of real numbers", f"an array of dtype {array.dtype}")
    if array.ndim != 2:
        raise parameter_error(name, function, "a 2-D array (one vector per row)", f"an array of shape {array.shape}")
    if array.shape[1] == 0:
        raise parameter_error(name, function, "an array with at least one column", f"shape {array.shape}")
    if dimension is not None and array.shape[1] != dimension:
        raise InvalidInputError(
            f"The {name!r} parameter of {function} has {array.shape[1]} columns; the index holds vectors of "
            f"dimension {dimension}."
        )
    array = np.ascontiguousarray(array, dtype=np.float32)
    finite = np.isfinite(array)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        raise InvalidInputError(
            f"The {name!r} parameter of {function} has a non-finite value ({array[row, column]}) at row {row}, "
            f"column {column} ({int((~finite).sum())} in all). Replace missing values first."
        )
    return array


def _unit_rows(array: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero (similar to nothing)."""
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)


def _exclusions(exclude: Any, n_queries: int, n_rows: int, function: str) -> list[np.ndarray] | None:
    """Per query, the sorted unique positions to leave out."""
    if exclude is None:
        return None
    if sp.issparse(exclude):
        if exclude.shape != (n_queries, n_rows):
            raise parameter_error(
                "exclude", function, f"a sparse matrix of shape ({n_queries}, {n_rows})", f"shape {exclude.shape}"
            )
        matrix = sp.csr_array(exclude)
        matrix.eliminate_zeros()
        return [np.unique(matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]) for i in range(n_queries)]
    if isinstance(exclude, str) or not hasattr(exclude, "__len__"):
        raise parameter_error("exclude", function, "one collection of positions per query", exclude)
    if len(exclude) != n_queries:
        raise parameter_error(
            "exclude", function, f"one collection of positions per query ({n_queries})", f"{len(exclude)} collections"
        )
    out = []
    for query, positions in enumerate(exclude):
        values = np.asarray([] if positions is None else list(positions))
        if values.size and not np.issubdtype(values.dtype, np.integer):
            raise InvalidInputError(
                f"The 'exclude' parameter of {function} holds non-integer positions for query {query}: "
                f"{values[:5].tolist()}."
            )
        values = values.astype(np.int64)
        bad = (values < 0) | (values >= n_rows)
        if bad.any():
            raise InvalidInputError(
                f"The 'exclude' parameter of {function} names position {int(values[bad][0])} for query {query}; "
                f"positions run from 0 to {n_rows - 1}."
            )
        out.append(np.unique(values))
    return out


def _select(values: np.ndarray, positions: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best entries of each row, best first; ties go to the smaller position."""
    order = np.lexsort((positions, -values), axis=1)[:, :k]
    return np.take_along_axis(values, order, axis=1), np.take_along_axis(positions, order, axis=1)


def _block_top(similarity: np.ndarray, offset: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` of a block whose columns are the consecutive positions ``offset, offset + 1, ...``.

    A partition finds the k-th value; every larger value is kept, and of the values equal
    to it the leftmost (smallest positions), so the result is the same as a full stable
    sort at partition cost.
    """
    rows, columns = similarity.shape
    if columns <= k:
        positions = np.broadcast_to(np.arange(offset, offset + columns, dtype=np.int64), similarity.shape)
        return _select(similarity, np.ascontiguousarray(positions), k)
    kth = np.partition(similarity, columns - k, axis=1)[:, columns - k]
    larger = similarity > kth[:, None]
    ties = similarity == kth[:, None]
    needed = k - larger.sum(axis=1)
    keep = larger | (ties & (np.cumsum(ties, axis=1) <= needed[:, None]))
    row, column = np.nonzero(keep)  # row-major: exactly k per row
    values = similarity[row, column].reshape(rows, k)
    return _select(values, (column + offset).reshape(rows, k).astype(np.int64), k)


class VectorIndex:
    """The ``k`` nearest rows of a vector table, by cosine or inner product.

    Parameters
    ----------
    vectors : array of shape (n, d)
        One vector per row (cast to float32). Positions ``0 .. n-1`` are what
        :meth:`query` returns.
    ids : sequence, optional
        A label per row (e.g. organisation ids), kept with the index and saved with it.
    metric : {"cosine", "ip"}
        Cosine scales every row (and every query) to unit length first; zero vectors then
        have similarity 0 to everything. ``"ip"`` ranks by the raw inner product.
    backend : {"auto", "exact", "faiss"}
        ``"faiss"``: an HNSW graph (approximate; needs the ``ann`` extra). ``"exact"``:
        blocked numpy products. ``"auto"``: faiss when installed.
    seed : int
        Seed of the HNSW level assignment. The graph is built on one thread, so the same
        vectors and seed give the same index.
    ef : int
        HNSW beam width, at build time (``efConstruction``) and at query time (raised
        to the number of results asked for when that is larger). Larger is slower and
        more accurate.
    m : int
        HNSW links per node (``M``).

    Attributes
    ----------
    backend_ : str
        The backend in use (``"exact"`` or ``"faiss"``).
    dimension : int

    Examples
    --------
    >>> index = VectorIndex([[1, 0], [0, 1], [1, 1]], backend="exact")
    >>> positions, similarities = index.query([[1, 0.1]], k=2)
    >>> positions.tolist(), [round(float(s), 3) for s in similarities[0]]
    ([[0, 2]], [0.995, 0.774])
    """

    def __init__(
        self,
        vectors: Any,
        *,
        ids: Sequence[Any] | None = None,
        metric: str = "cosine",
        backend: str = "auto",
        seed: int = 0,
        ef: int = 128,
        m: int = 32,
    ) -> None:
        function = "VectorIndex"
        check_option(metric, METRICS, name="metric", function=function)
        check_option(backend, BACKENDS, name="backend", function=function)
        check_number(seed, name="seed", function=function, low=0, integer=True)
        check_number(ef, name="ef", function=function, low=1, integer=True)
        check_number(m, name="m", function=function, low=2, integer=True)
        array = _as_vectors(vectors, "vectors", function)
        if len(array) == 0:
            raise parameter_error("vectors", function, "an array with at least one row", "0 rows")
        if ids is not None:
            ids = np.asarray(list(ids))
            if ids.dtype == object:  # mixed or missing labels: saved as text
                ids = ids.astype(str)
            if len(ids) != len(array):
                raise InvalidInputError(
                    f"The 'ids' parameter of {function} has {len(ids)} labels for {len(array)} vectors; give one "
                    "label per row."
                )
        self.metric = metric
        self.backend = backend
        self.seed = int(seed)
        self.ef = int(ef)
        self.m = int(m)
        self.ids = ids
        self.backend_ = "faiss" if backend == "faiss" or (backend == "auto" and ann_available()) else "exact"
        self._vectors = _unit_rows(array) if metric == "cosine" else array
        self._graph = self._build() if self.backend_ == "faiss" else None

    def _build(self) -> Any:
        faiss = _faiss()
        graph = faiss.IndexHNSWFlat(self.dimension, self.m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.rng = faiss.RandomGenerator(self.seed)
        graph.hnsw.efConstruction = self.ef
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)  # parallel insertion makes the graph depend on thread timing
        try:
            graph.add(self._vectors)
        finally:
            faiss.omp_set_num_threads(threads)
        return graph

    def __len__(self) -> int:
        return len(self._vectors)

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        return self._vectors.shape[1]

    @property
    def vectors(self) -> np.ndarray:
        """The indexed vectors as searched (unit rows for cosine), read-only."""
        view = self._vectors.view()
        view.flags.writeable = False
        return view

    def __repr__(self) -> str:
        return (
            f"VectorIndex({len(self)} vectors of dimension {self.dimension}, metric={self.metric!r}, "
            f"backend={self.backend_!r})"
        )

    # ------------------------------------------------------------------- query

    def query(self, vectors: Any, k: int, *, exclude: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` most similar indexed rows for each query vector.

        Parameters
        ----------
        vectors : array of shape (n, d) or (d,)
            Query vectors (a 1-D array is one query).
        k : int
            Results per query.
        exclude : sequence of n collections of positions, or sparse (n, len(index)), optional
            Positions never returned for that query (e.g. the organisation itself and its
            existing partners); a sparse matrix excludes its non-zero columns.

        Returns
        -------
        positions : int64 array of shape (n, k)
            Best first; ``-1`` where fewer than ``k`` rows are left.
        similarities : float32 array of shape (n, k)
            Cosine or inner product; ``-inf`` where the position is ``-1``.
        """
        function = "VectorIndex.query"
        k = int(check_number(k, name="k", function=function, low=1, integer=True))
        array = np.asarray(vectors) if not sp.issparse(vectors) else vectors
        if getattr(array, "ndim", None) == 1:
            array = array[None, :]
        queries = _as_vectors(array, "vectors", function, self.dimension)
        if self.metric == "cosine":
            queries = _unit_rows(queries)
        excluded = _exclusions(exclude, len(queries), len(self), function)
        if self.backend_ == "faiss" and len(queries):
            return self._query_graph(queries, k, excluded)
        return self._query_exact(queries, k, excluded)

    def _query_exact(
        self, queries: np.ndarray, k: int, excluded: list[np.ndarray] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(queries)
        best_values = np.full((n, k), -np.inf, dtype=np.float32)
        best_positions = np.full((n, k), -1, dtype=np.int64)
        for start in range(0, n, _QUERY_BLOCK):
            stop = min(start + _QUERY_BLOCK, n)
            values = np.full((stop - start, k), -np.inf, dtype=np.float32)
            positions = np.full((stop - start, k), np.iinfo(np.int64).max, dtype=np.int64)
            for offset in range(0, len(self), _ROW_BLOCK):
                block = queries[start:stop] @ self._vectors[offset : offset + _ROW_BLOCK].T
                if excluded is not None:
                    for row, drop in enumerate(excluded[start:stop]):
                        inside = drop[(drop >= offset) & (drop < offset + block.shape[1])]
                        block[row, inside - offset] = -np.inf
                block_values, block_positions = _block_top(block, offset, k)
                values, positions = _select(
                    np.hstack([values, block_values]), np.hstack([positions, block_positions]), k
                )
            missing = ~np.isfinite(values)
            positions[missing] = -1
            values[missing] = -np.inf
            width = values.shape[1]
            best_values[start:stop, :width] = values
            best_positions[start:stop, :width] = positions
        return best_positions, best_values

    def _query_graph(
        self, queries: np.ndarray, k: int, excluded: list[np.ndarray] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss()
        extra = 0 if excluded is None else max(len(drop) for drop in excluded)
        fetch = min(k + extra, len(self))
        parameters = faiss.SearchParametersHNSW(efSearch=max(self.ef, fetch))
        similarities, positions = self._graph.search(queries, fetch, params=parameters)
        positions = positions.astype(np.int64)
        similarities = similarities.astype(np.float32)
        valid = positions >= 0
        if excluded is not None:
            for row, drop in enumerate(excluded):
                if len(drop):
                    valid[row] &= ~np.isin(positions[row], drop)
        similarities = np.where(valid, similarities, -np.inf).astype(np.float32)
        positions = np.where(valid, positions, np.iinfo(np.int64).max)
        similarities, positions = _select(similarities, positions, min(k, fetch))
        out_positions = np.full((len(queries), k), -1, dtype=np.int64)
        out_similarities = np.full((len(queries), k), -np.inf, dtype=np.float32)
        found = np.isfinite(similarities)
        out_positions[:, : positions.shape[1]] = np.where(found, positions, -1)
        out_similarities[:, : positions.shape[1]] = np.where(found, similarities, -np.inf)
        # the graph search can come back short (unreachable nodes, many exclusions): answer those rows exactly
        left = len(self) - (np.zeros(len(queries), int) if excluded is None else np.array([len(d) for d in excluded]))
        short = np.flatnonzero(found.sum(axis=1) < np.minimum(k, left))
        if len(short):
            exact = self._query_exact(queries[short], k, None if excluded is None else [excluded[i] for i in short])
            out_positions[short], out_similarities[short] = exact
        return out_positions, out_similarities

    def __getstate__(self) -> dict[str, Any]:
        """Picklable state: the faiss graph as bytes (a fitted recommender holding an index can be cached)."""
        state = self.__dict__.copy()
        if self._graph is not None:
            state["_graph"] = _faiss().serialize_index(self._graph)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("_graph") is not None:
            state["_graph"] = _faiss().deserialize_index(state["_graph"])
        self.__dict__.update(state)

    # ------------------------------------------------------------------- files

    def save(self, folder: str | Path) -> Path:
        """Write the index to ``folder`` (created): ``index.json``, ``vectors.npy``, ``ids.npy``, ``hnsw.faiss``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": _FORMAT,
            "metric": self.metric,
            "backend": self.backend_,
            "seed": self.seed,
            "ef": self.ef,
            "m": self.m,
            "count": len(self),
            "dimension": self.dimension,
            "ids": self.ids is not None,
        }
        np.save(folder / "vectors.npy", self._vectors, allow_pickle=False)
        if self.ids is not None:
            np.save(folder / "ids.npy", self.ids, allow_pickle=False)
        if self._graph is not None:
            _faiss().write_index(self._graph, str(folder / "hnsw.faiss"))
        (folder / "index.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, backend: str | None = None) -> VectorIndex:
        """Read an index written by :meth:`save`.

        Parameters
        ----------
        folder : path
        backend : {"exact", "faiss"}, optional
            Override the saved backend, e.g. ``"exact"`` where faiss is not installed;
            a faiss graph missing from the folder is rebuilt from the saved vectors.
        """
        folder = Path(folder)
        meta_path = folder / "index.json"
        if not meta_path.is_file():
            raise DataSourceError(f"No saved VectorIndex in {folder}: index.json is missing.")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT:
            raise DataSourceError(f"The VectorIndex in {folder} has format {meta.get('format')}; expected {_FORMAT}.")
        if backend is not None:
            check_option(backend, BACKENDS[1:], name="backend", function="VectorIndex.load")
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        if vectors.shape != (meta["count"], meta["dimension"]):
            raise DataSourceError(
                f"The VectorIndex in {folder} is damaged: vectors.npy has shape {vectors.shape}, index.json says "
                f"({meta['count']}, {meta['dimension']})."
            )
        index = cls.__new__(cls)
        index.metric, index.backend = meta["metric"], meta["backend"]
        index.seed, index.ef, index.m = meta["seed"], meta["ef"], meta["m"]
        index.ids = np.load(folder / "ids.npy", allow_pickle=False) if meta["ids"] else None
        index.backend_ = backend or meta["backend"]
        index._vectors = vectors
        index._graph = None
        if index.backend_ == "faiss":
            graph_path = folder / "hnsw.faiss"
            index._graph = _faiss().read_index(str(graph_path)) if graph_path.is_file() else index._build()
            if index._graph.ntotal != len(vectors):
                raise DataSourceError(
                    f"The VectorIndex in {folder} is damaged: hnsw.faiss holds {index._graph.ntotal} vectors, "
                    f"vectors.npy {len(vectors)}."
                )
        return index


# --------------------------------------------------------------------------- TF-IDF vectors


def tfidf_vectors(texts: Sequence[str], *, dim: int = 256, seed: int = 0) -> np.ndarray:
    """Dense unit vectors of texts: TF-IDF reduced to ``dim`` dimensions by truncated SVD (LSA).

    Parameters
    ----------
    texts : sequence of str
        ``None``, NaN and blank strings are missing texts.
    dim : int
        Length of the vectors. When the texts support fewer SVD components (fewer distinct
        words or texts than ``dim``), the remaining columns are zero.
    seed : int
        Seed of the randomised SVD.

    Returns
    -------
    ndarray of float32, shape (len(texts), dim)
        Unit rows; zero rows for missing texts and for texts with no word in common with
        the vocabulary.

    Examples
    --------
    >>> v = tfidf_vectors(["wind energy", "wind turbines", "cheese"], dim=4)
    >>> v.shape, bool(v[0] @ v[1] > v[0] @ v[2])
    ((3, 4), True)
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    from clusterix.partners.embeddings import _texts

    function = "tfidf_vectors"
    dim = int(check_number(dim, name="dim", function=function, low=1, integer=True))
    check_number(seed, name="seed", function=function, low=0, integer=True)
    values = _texts(texts, function)
    out = np.zeros((len(values), dim), dtype=np.float32)
    if not any(values):
        return out
    vectorizer = TfidfVectorizer(sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b")
    try:
        matrix = vectorizer.fit_transform(values)
    except ValueError:  # only stop words or one-letter tokens: no vocabulary
        return out
    components = min(dim, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components >= 1:
        reduced = TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix)
    else:  # one text or one word: the TF-IDF matrix itself is at most 1 column wide
        reduced = matrix.toarray()[:, :dim]
    out[:, : reduced.shape[1]] = reduced
    return _unit_rows(out)
