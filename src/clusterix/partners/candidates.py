"""The two stages of partner recommendation: candidate pools, then pair features on the pools.

A :class:`GraphState` holds what the features need about the collaborations up to a
cut-off year, in sparse form, so that one query costs time in proportion to its
neighbourhood, not to the number of organisations. :func:`candidate_pools` draws each
query's pool from three sources: its two-hop network neighbourhood (ranked by
Adamic-Adar), the most active organisations of the allowed kinds, and its nearest
neighbours by content in a :class:`~clusterix.partners.index.VectorIndex`.
:func:`pair_features` then computes the named features of every (query, candidate) pair of
a pool. :class:`~clusterix.partners.recommender.PartnerRecommender` trains its combination
on the pools of past queries and ranks the pools of new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix.vocabulary import KNOWLEDGE_KINDS, ORGANISATION_KINDS

__all__ = [
    "FEATURES",
    "adamic_adar_rows",
    "content_vector_index",
    "KINDS",
    "KNOWLEDGE_KINDS",
    "GraphState",
    "PoolSizes",
    "candidate_pools",
    "kind_complementarity",
    "pair_features",
    "portfolio_complementarity",
]

#: Organisation kinds a recommender accepts (also the order of the ``candidate_<kind>`` features);
#: knowledge institutions complement an enterprise (and an enterprise complements them).
KINDS = ORGANISATION_KINDS

#: (component, feature) of every feature, in column order; ``embedding_cosine`` only with embeddings.
FEATURES = (
    ("competence", "tfidf_cosine"),
    ("competence", "recent_tfidf_cosine"),
    ("competence", "embedding_cosine"),
    ("complementarity", "portfolio"),
    ("network", "adamic_adar"),
    ("network", "common_neighbours"),
    ("network", "resource_allocation"),
    ("network", "weighted_adamic_adar"),
    ("network", "recent_adamic_adar"),
    ("network", "three_hop_paths"),
    ("network", "jaccard"),
    ("kind_match", "kind_complementarity"),
    ("kind_match", "log_partners_of_my_kind"),
    ("kind_match", "share_partners_of_my_kind"),
    *(("kind_match", f"candidate_{kind}") for kind in KINDS),
    ("geography", "same_country"),
    ("geography", "same_region"),
    ("geography", "partner_country_share"),
    ("geography", "candidate_partners_in_my_country"),
    ("popularity", "log_degree"),
    ("popularity", "log_recent_degree"),
    ("popularity", "log_last_year_links"),
    ("popularity", "log_collaborations"),
)


def kind_complementarity(query_kinds: np.ndarray, candidate_kinds: np.ndarray) -> np.ndarray:
    """1 where one side is an enterprise and the other a knowledge institution, else 0.

    Parameters
    ----------
    query_kinds, candidate_kinds : array of str
        Kinds of the queries (rows) and candidates (columns).

    Returns
    -------
    ndarray of shape (len(query_kinds), len(candidate_kinds))
    """
    query = np.asarray(query_kinds, dtype=object)[:, None]
    candidate = np.asarray(candidate_kinds, dtype=object)[None, :]
    return complementary_kinds(query, candidate).astype(np.float64)


def complementary_kinds(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Element-wise (broadcast): one kind is an enterprise and the other a knowledge institution."""
    return ((first == "enterprise") & np.isin(second, KNOWLEDGE_KINDS)) | (
        np.isin(first, KNOWLEDGE_KINDS) & (second == "enterprise")
    )


def portfolio_complementarity(query_portfolio: sp.csr_array, candidate_portfolio: sp.csr_array) -> np.ndarray:
    r"""Share of the candidate's activities that the query lacks, for pairs sharing an activity.

    .. math:: c(q, v) = \frac{|A_v \setminus A_q|}{|A_q \cup A_v|}
              \text{ if } A_q \cap A_v \neq \emptyset, \text{ else } 0

    Parameters
    ----------
    query_portfolio, candidate_portfolio : sparse 0/1 matrices (organisations x activities)

    Returns
    -------
    ndarray of shape (n_queries, n_candidates)
    """
    shared = np.asarray((query_portfolio @ candidate_portfolio.T).toarray(), dtype=np.float64)
    query_size = np.asarray(query_portfolio.sum(axis=1), dtype=np.float64).reshape(-1, 1)
    candidate_size = np.asarray(candidate_portfolio.sum(axis=1), dtype=np.float64).reshape(1, -1)
    union = query_size + candidate_size - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(shared > 0, (candidate_size - shared) / np.where(union > 0, union, 1.0), 0.0)
    return result


@dataclass(frozen=True)
class PoolSizes:
    """How many candidates each source adds to a query's pool (their union is the pool)."""

    network: int = 300
    popular: int = 100
    content: int = 50


def _symmetric(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, n: int) -> sp.csr_array:
    matrix = sp.coo_array((weights, (rows, cols)), shape=(n, n)).tocsr()
    matrix = sp.csr_array(matrix + matrix.T)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def _binary(matrix: sp.csr_array) -> sp.csr_array:
    result = matrix.copy()
    result.data[:] = 1.0
    return result


def _scaled_columns(matrix: sp.csr_array, scale: np.ndarray) -> sp.csr_array:
    result = sp.csr_array(matrix @ sp.diags_array(scale))
    result.sort_indices()
    return result


def _row_cosines(matrix: sp.csr_array, query: int, positions: np.ndarray) -> np.ndarray:
    """Cosine of row ``query`` with rows ``positions`` of a row-normalised sparse matrix."""
    return np.asarray((matrix[positions] @ matrix[[query]].T).toarray()).ravel()


class GraphState:
    """Collaborations up to a cut-off, and the organisation attributes the features use.

    Parameters
    ----------
    edges : DataFrame
        ``org_1``, ``org_2`` (ids in ``ids``), ``year`` and ``weight`` of the collaborations
        before the cut-off (one row per pair and project).
    ids : pandas.Index
        Organisation ids (positions are node numbers).
    kinds, countries, regions : array of str
        Per organisation.
    content, recent_content : sparse (n, vocabulary)
        Row-normalised TF-IDF of texts and activities (all, and of the recent years only).
    portfolio : sparse 0/1 (n, activities)
    embeddings : array (n, d) or None
        Unit rows of text embeddings.
    vectors : array (n, d)
        The dense content vectors of the content pool (embeddings or TF-IDF, reduced by
        SVD); ``d`` may be 0 (no content pool).
    content_index : VectorIndex, optional
        An index of ``vectors`` built before (shared between states whose vectors do not
        depend on the cut-off); built here when not given.
    recent_years : int
        Years counted as recent by the recent features.
    """

    def __init__(
        self,
        edges: pd.DataFrame,
        ids: pd.Index,
        kinds: np.ndarray,
        countries: np.ndarray,
        regions: np.ndarray,
        *,
        content: sp.csr_array,
        recent_content: sp.csr_array,
        portfolio: sp.csr_array,
        embeddings: np.ndarray | None,
        vectors: np.ndarray,
        recent_years: int,
        content_index: object | None = None,
    ) -> None:
        n = len(ids)
        self.n = n
        rows = ids.get_indexer(edges["org_1"])
        cols = ids.get_indexer(edges["org_2"])
        weights = edges["weight"].to_numpy(dtype=np.float64)
        self.weighted = _symmetric(rows, cols, weights, n)
        self.binary = _binary(self.weighted)
        self.degree = np.diff(self.binary.indptr).astype(np.float64)
        self.collaborations = np.asarray(self.weighted.sum(axis=1)).ravel()
        last = int(edges["year"].max()) if len(edges) else 0
        recent = (edges["year"] > last - recent_years).to_numpy()
        self.recent = _binary(_symmetric(rows[recent], cols[recent], np.ones(int(recent.sum())), n))
        self.recent_degree = np.diff(self.recent.indptr).astype(np.float64)
        newest = (edges["year"] == last).to_numpy()
        self.last_year_links = np.bincount(np.concatenate([rows[newest], cols[newest]]), minlength=n).astype(np.float64)
        adamic_weight = np.where(self.degree > 1, 1.0 / np.log(np.maximum(self.degree, 2.0)), 0.0)
        self.adamic = _scaled_columns(self.binary, adamic_weight)
        self.allocation = _scaled_columns(self.binary, np.where(self.degree > 0, 1.0 / np.maximum(self.degree, 1), 0))
        self.weighted_adamic = _scaled_columns(self.weighted, adamic_weight)
        self.recent_adamic = _scaled_columns(self.recent, adamic_weight)

        self.kinds = np.asarray(kinds, dtype=object)
        self.kind_codes = pd.Index(KINDS).get_indexer(self.kinds)
        kind_onehot = sp.csr_array((np.ones(n), (np.arange(n), self.kind_codes)), shape=(n, len(KINDS)))
        self.partner_kinds = (self.binary @ kind_onehot).toarray()
        codes, uniques = pd.factorize(pd.Series(countries, dtype=object))
        self.country_codes = np.where(codes < 0, len(uniques), codes)
        self.countries = np.asarray(countries, dtype=object)
        country_onehot = sp.csr_array((np.ones(n), (np.arange(n), self.country_codes)), shape=(n, len(uniques) + 1))
        self.partner_countries = sp.csr_array(self.binary @ country_onehot)
        self.partner_countries.sort_indices()
        self.regions = np.asarray(regions, dtype=object)

        self.content, self.recent_content, self.portfolio = content, recent_content, portfolio
        self.embeddings = embeddings
        self.vectors = vectors
        if content_index is None and vectors.shape[1]:
            content_index = content_vector_index(vectors)
        self.content_index = content_index
        activity = self.recent_degree + 1e-3 * self.degree
        self.by_activity = np.argsort(-activity, kind="stable")


def content_vector_index(vectors: np.ndarray) -> object:
    """The nearest-neighbour index of the content pool: HNSW (the ``ann`` extra) or exact.

    A light graph (16 links, beam 40): it only has to find a few dozen plausible
    candidates, and its build time dominates a fit on a million organisations.
    """
    from clusterix.partners.index import VectorIndex

    return VectorIndex(vectors, metric="cosine", backend="auto", ef=40, m=16)


def _lookup(matrix: sp.csr_array, row: int, positions: np.ndarray) -> np.ndarray:
    """Values of ``matrix[row, positions]`` (sorted indices), zero where absent."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    indices = matrix.indices[start:end]
    if len(indices) == 0:
        return np.zeros(len(positions))
    where = np.searchsorted(indices, positions)
    where = np.minimum(where, len(indices) - 1)
    found = indices[where] == positions
    return np.where(found, matrix.data[start:end][where], 0.0)


def adamic_adar_rows(state: GraphState, queries: np.ndarray) -> sp.csr_array:
    """Adamic-Adar scores of each query with every organisation (sparse rows, sorted indices).

    Both stages need them: compute once per batch and pass them to :func:`candidate_pools`
    and :func:`pair_features`.
    """
    rows = sp.csr_array(state.adamic[np.asarray(queries, dtype=np.int64)] @ state.binary)
    rows.sort_indices()
    return rows


def candidate_pools(
    state: GraphState,
    queries: np.ndarray,
    allowed: np.ndarray,
    sizes: PoolSizes,
    *,
    exclude_existing: bool = True,
    adamic: sp.csr_array | None = None,
) -> list[np.ndarray]:
    """Each query's candidate pool: network, activity and content neighbours it may be offered.

    Parameters
    ----------
    state : GraphState
    queries : int array
        Query positions.
    allowed : bool array of shape (len(queries), n) or (n,)
        The organisations each query may be offered (e.g. by kind or region).
    sizes : PoolSizes
    exclude_existing : bool
        Leave out the query's existing partners.
    adamic : sparse, optional
        :func:`adamic_adar_rows` of the queries, if already computed.

    Returns
    -------
    list of int arrays
        Sorted candidate positions per query (never the query itself).
    """
    queries = np.asarray(queries, dtype=np.int64)
    two_hop = adamic_adar_rows(state, queries) if adamic is None else adamic
    if state.content_index is not None and sizes.content:
        wanted = min(state.n, 4 * sizes.content + 1)
        near, _ = state.content_index.query(state.vectors[queries], wanted)
    else:
        near = np.full((len(queries), 0), -1)
    pools = []
    for i, query in enumerate(queries):
        mask = (allowed[i] if allowed.ndim == 2 else allowed).copy()
        mask[query] = False
        if exclude_existing:
            mask[state.binary.indices[state.binary.indptr[query] : state.binary.indptr[query + 1]]] = False
        start, end = two_hop.indptr[i], two_hop.indptr[i + 1]
        reached, strength = two_hop.indices[start:end], two_hop.data[start:end]
        keep = mask[reached]
        reached, strength = reached[keep], strength[keep]
        if len(reached) > sizes.network:
            order = np.lexsort((-state.recent_degree[reached], -strength))[: sizes.network]
            reached = reached[order]
        head = state.by_activity[: 20 * sizes.popular + 1000]  # the most active first, without a pass over all
        active = head[mask[head]][: sizes.popular]
        if len(active) < sizes.popular:
            active = state.by_activity[mask[state.by_activity]][: sizes.popular]
        similar = near[i][near[i] >= 0]
        similar = similar[mask[similar]][: sizes.content]
        pools.append(np.unique(np.concatenate([reached, active, similar]).astype(np.int64)))
    return pools


def pair_features(
    state: GraphState, queries: np.ndarray, pools: list[np.ndarray], *, adamic: sp.csr_array | None = None
) -> tuple[list[np.ndarray], list[tuple[str, str]]]:
    """Features of every (query, candidate) pair of the pools.

    Returns
    -------
    matrices : list of arrays of shape (len(pool), n_features)
    features : list of (component, feature)
        The column names: :data:`FEATURES` (without ``embedding_cosine`` when the state has no
        embeddings).
    """
    queries = np.asarray(queries, dtype=np.int64)
    names = [name for name in FEATURES if name[1] != "embedding_cosine" or state.embeddings is not None]
    adamic = adamic_adar_rows(state, queries) if adamic is None else adamic
    common = sp.csr_array(state.binary[queries] @ state.binary)
    allocation = sp.csr_array(state.allocation[queries] @ state.binary)
    weighted = sp.csr_array(state.weighted_adamic[queries] @ state.weighted)
    recent = sp.csr_array(state.recent_adamic[queries] @ state.recent)
    for matrix in (common, allocation, weighted, recent):
        matrix.sort_indices()
    matrices = []
    for i, (query, pool) in enumerate(zip(queries, pools, strict=True)):
        columns: dict[str, np.ndarray] = {}
        columns["tfidf_cosine"] = _row_cosines(state.content, query, pool)
        columns["recent_tfidf_cosine"] = _row_cosines(state.recent_content, query, pool)
        if state.embeddings is not None:
            columns["embedding_cosine"] = state.embeddings[pool] @ state.embeddings[query]
        columns["portfolio"] = portfolio_complementarity(state.portfolio[[query]], state.portfolio[pool])[0]
        cn = _lookup(common, i, pool)
        columns["adamic_adar"] = np.log1p(_lookup(adamic, i, pool))
        columns["common_neighbours"] = np.log1p(cn)
        columns["resource_allocation"] = np.log1p(100.0 * _lookup(allocation, i, pool))
        columns["weighted_adamic_adar"] = np.log1p(_lookup(weighted, i, pool))
        columns["recent_adamic_adar"] = np.log1p(_lookup(recent, i, pool))
        paths = (state.binary[pool] @ common[[i]].T).toarray().ravel()  # sum_m CN(q, m) B(m, c)
        columns["three_hop_paths"] = np.log1p(paths)
        union = state.degree[query] + state.degree[pool] - cn
        columns["jaccard"] = np.divide(cn, union, out=np.zeros(len(pool)), where=union > 0)
        columns["kind_complementarity"] = kind_complementarity(state.kinds[[query]], state.kinds[pool])[0]
        of_my_kind = state.partner_kinds[pool, state.kind_codes[query]]
        columns["log_partners_of_my_kind"] = np.log1p(of_my_kind)
        columns["share_partners_of_my_kind"] = np.divide(
            of_my_kind, state.degree[pool], out=np.zeros(len(pool)), where=state.degree[pool] > 0
        )
        for code, kind in enumerate(KINDS):
            columns[f"candidate_{kind}"] = (state.kind_codes[pool] == code).astype(np.float64)
        columns["same_country"] = (state.country_codes[pool] == state.country_codes[query]).astype(np.float64)
        columns["same_region"] = ((state.regions[pool] == state.regions[query]) & (state.regions[pool] != "")).astype(
            np.float64
        )
        mine = _lookup(state.partner_countries, query, state.country_codes[pool])
        columns["partner_country_share"] = mine / max(state.degree[query], 1.0)
        theirs = np.asarray(state.partner_countries[pool][:, [state.country_codes[query]]].toarray()).ravel()
        columns["candidate_partners_in_my_country"] = np.divide(
            theirs, state.degree[pool], out=np.zeros(len(pool)), where=state.degree[pool] > 0
        )
        columns["log_degree"] = np.log1p(state.degree[pool])
        columns["log_recent_degree"] = np.log1p(state.recent_degree[pool])
        columns["log_last_year_links"] = np.log1p(state.last_year_links[pool])
        columns["log_collaborations"] = np.log1p(state.collaborations[pool])
        matrices.append(
            np.column_stack([columns[name] for _, name in names]) if len(pool) else np.empty((0, len(names)))
        )
    return matrices, names
