"""Temporal hold-out evaluation of partner recommendation on CORDIS participations.

:func:`temporal_split` trains on the projects that start before a year and holds out the
enterprise - knowledge institution pairs that first collaborate from that year on;
:func:`evaluate` ranks candidates for each query organisation with a score function and
averages Recall@k, nDCG@k and MRR. The baselines (:data:`BASELINES`) build score
functions from the training data only.

The split is in :mod:`clusterix.partners.splits` and the baselines in
:mod:`clusterix.partners.baselines`; their names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix._validation import check_number, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.partners.baselines import (
    BASELINES,
    ScoreFunction,
    adamic_adar,
    popularity,
    portfolio_similarity,
    same_country_popularity,
)
from clusterix.partners.candidates import KNOWLEDGE_KINDS  # the knowledge side: CORDIS HES and REC
from clusterix.partners.splits import TemporalSplit, temporal_split

__all__ = [
    "BASELINES",
    "KNOWLEDGE_KINDS",
    "METRIC_COLUMNS",
    "ScoreFunction",
    "TemporalSplit",
    "adamic_adar",
    "evaluate",
    "popularity",
    "portfolio_similarity",
    "ranking_metrics",
    "same_country_popularity",
    "temporal_split",
]


#: The metric columns of :func:`evaluate` with the default ``k_values=(10, 50)``.
METRIC_COLUMNS = ("recall@10", "recall@50", "ndcg@10", "ndcg@50", "mrr")
_BATCH = 256  # queries scored at once: bounds memory at _BATCH x n_candidates floats


def _check_k_values(k_values: Any, function: str) -> tuple[int, ...]:
    values = tuple(k_values) if isinstance(k_values, Sequence) and not isinstance(k_values, str) else None
    if not values or len(set(values)) != len(values):
        raise parameter_error("k_values", function, "a non-empty sequence of distinct positive ints", k_values)
    for k in values:
        check_number(k, name="k_values", function=function, low=1, integer=True)
    return tuple(int(k) for k in values)


def _metrics(scores: np.ndarray, relevant: np.ndarray, exclude: np.ndarray, k_values: tuple[int, ...]) -> dict:
    """Per-row metrics; ties are broken by column order (a stable sort)."""
    masked = np.where(exclude, -np.inf, scores)
    order = np.argsort(-masked, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(scores.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, scores.shape[1] + 1)
    hit_ranks = np.where(relevant, ranks, np.iinfo(np.int64).max)
    n_relevant = relevant.sum(axis=1)
    gains = np.where(relevant, 1.0 / np.log2(ranks + 1.0), 0.0)
    result: dict[str, np.ndarray] = {"relevant": n_relevant.astype(np.int64)}
    for k in k_values:
        result[f"recall@{k}"] = (relevant & (ranks <= k)).sum(axis=1) / n_relevant
    for k in k_values:
        ideal = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))[np.minimum(n_relevant, k) - 1]
        result[f"ndcg@{k}"] = np.where(ranks <= k, gains, 0.0).sum(axis=1) / ideal
    result["mrr"] = 1.0 / hit_ranks.min(axis=1)
    result["first_hit"] = hit_ranks.min(axis=1).astype(np.int64)
    return result


def ranking_metrics(
    scores: Any, relevant: Any, *, k_values: Sequence[int] = (10, 50), exclude: Any = None
) -> pd.DataFrame:
    r"""Recall@k, nDCG@k and reciprocal rank of each row's ranking.

    Each row ranks its columns by decreasing score; ties keep column order. Excluded
    columns are not ranked.

    Parameters
    ----------
    scores : array, shape (q, c)
        Finite scores, higher is better.
    relevant : bool array, shape (q, c)
        The held-out true items; every row needs at least one, none of them excluded.
    k_values : sequence of int
        Cut-offs of Recall@k and nDCG@k.
    exclude : bool array, shape (q, c), optional
        Items left out of the ranking (e.g. already-known partners).

    Returns
    -------
    DataFrame
        One row per query: ``relevant`` (:math:`|R|`), ``recall@k`` for each k, then
        ``ndcg@k``, ``mrr`` and ``first_hit`` (the rank of the first relevant item).

    Notes
    -----
    With :math:`r(i)` the 1-based rank of item :math:`i` and :math:`R` the relevant set,

    .. math::
        \mathrm{Recall@}k = \frac{|\{i \in R : r(i) \le k\}|}{|R|}, \quad
        \mathrm{RR} = \frac{1}{\min_{i \in R} r(i)}, \quad
        \mathrm{nDCG@}k = \frac{\sum_{i \in R,\ r(i) \le k} 1/\log_2(r(i) + 1)}
                               {\sum_{j=1}^{\min(|R|, k)} 1/\log_2(j + 1)}

    (binary gains). MRR is the mean of RR over queries.

    Examples
    --------
    >>> metrics = ranking_metrics([[0.9, 0.5, 0.1]], [[False, False, True]], k_values=(1, 3))
    >>> metrics[["recall@1", "recall@3", "mrr"]].values.round(4).tolist()
    [[0.0, 1.0, 0.3333]]
    """
    function = "ranking_metrics"
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 2 or values.size == 0:
        raise parameter_error("scores", function, "a non-empty 2-D array", f"shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise parameter_error("scores", function, "finite numbers", "NaN or infinite values")
    truth = np.asarray(relevant)
    if truth.shape != values.shape or truth.dtype != bool:
        raise parameter_error("relevant", function, f"a boolean array of shape {values.shape}", truth.shape)
    left_out = np.zeros_like(truth) if exclude is None else np.asarray(exclude)
    if left_out.shape != values.shape or left_out.dtype != bool:
        raise parameter_error("exclude", function, f"a boolean array of shape {values.shape}", left_out.shape)
    ks = _check_k_values(k_values, function)
    if np.any(truth.sum(axis=1) == 0):
        first = int(np.flatnonzero(truth.sum(axis=1) == 0)[0])
        raise InvalidInputError(f"Row {first} of 'relevant' in {function} has no relevant item; drop such queries.")
    if np.any(truth & left_out):
        raise InvalidInputError(f"A relevant item is also excluded in {function}; it could never be ranked.")
    return pd.DataFrame(_metrics(values, truth, left_out, ks))


def evaluate(
    score_fn: ScoreFunction,
    split: TemporalSplit,
    *,
    k_values: Sequence[int] = (10, 50),
    sample: int | None = None,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Mean ranking metrics of a score function on the held-out pairs of a split.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(query_ids)`` takes an array of organisation ids (a batch of
        ``split.queries``) and returns scores of shape ``(len(query_ids),
        len(split.candidates))``, one column per row of ``split.candidates``.
    split : TemporalSplit
        From :func:`temporal_split`.
    k_values : sequence of int
        Cut-offs of Recall@k and nDCG@k.
    sample : int, optional
        Evaluate a random subsample of this many queries (all queries if ``None`` or
        larger than their number).
    seed : int or None
        Seeds the subsample and the tie-breaking order; the result is deterministic for
        an int.

    Returns
    -------
    DataFrame
        Index ``group`` (``'all'``, ``'enterprise'``, ``'knowledge'``: queries of that
        side); columns ``queries``, ``recall@k`` and ``ndcg@k`` for each k, ``mrr``: the
        means over queries of :func:`ranking_metrics`.

    Notes
    -----
    For each query, candidates of its own side and its training partners (the partners
    in ``split.graph``) are not ranked (exclude existing); the relevant items are its
    test partners among the candidates. Ties in the scores are broken by one seeded
    random order of the candidates, shared by all queries, so that a method that gives
    many equal scores is neither favoured nor penalised by the id order.

    Raises
    ------
    InvalidInputError
        A bad option, or scores of the wrong shape or with NaN or infinite values.
    """
    function = "evaluate"
    if not callable(score_fn):
        raise parameter_error("score_fn", function, "a callable score_fn(query_ids) -> scores", score_fn)
    if not isinstance(split, TemporalSplit):
        raise parameter_error("split", function, "a TemporalSplit from temporal_split", type(split).__name__)
    ks = _check_k_values(k_values, function)
    if sample is not None:
        check_number(sample, name="sample", function=function, low=1, integer=True)
    if seed is not None:
        check_number(seed, name="seed", function=function, low=0, integer=True)
    rng = np.random.default_rng(seed)
    queries = split.queries
    chosen = np.arange(len(queries))
    if sample is not None and sample < len(queries):
        chosen = np.sort(rng.choice(len(queries), size=sample, replace=False))
    tie_order = rng.permutation(len(split.candidates))

    candidate_ids = split.candidates["organisation_id"].to_numpy(dtype=object)
    candidate_side = split.candidates["side"].to_numpy(dtype=object)
    candidate_nodes = split.graph.index(candidate_ids)
    relevance = _relevance(split, candidate_ids)
    query_ids = queries["organisation_id"].to_numpy(dtype=object)
    query_side = queries["side"].to_numpy(dtype=object)
    parts = []
    for start in range(0, len(chosen), _BATCH):
        rows = chosen[start : start + _BATCH]
        ids = query_ids[rows]
        scores = np.asarray(score_fn(ids.copy()), dtype=np.float64)
        expected = (len(rows), len(candidate_ids))
        if scores.shape != expected:
            raise InvalidInputError(
                f"score_fn returned scores of shape {scores.shape} for {len(rows)} queries; expected {expected} "
                "(one column per row of split.candidates)."
            )
        if not np.all(np.isfinite(scores)):
            raise InvalidInputError("score_fn returned NaN or infinite scores; return finite numbers.")
        nodes = split.graph.index(ids)
        partners = split.graph.adjacency[nodes, :][:, candidate_nodes].toarray() != 0
        exclude = partners | (candidate_side[None, :] == query_side[rows][:, None])
        relevant = relevance[rows, :].toarray() != 0
        metrics = _metrics(scores[:, tie_order], relevant[:, tie_order], exclude[:, tie_order], ks)
        metrics["side"] = query_side[rows]
        parts.append(pd.DataFrame(metrics))
    per_query = pd.concat(parts, ignore_index=True)
    columns = [f"recall@{k}" for k in ks] + [f"ndcg@{k}" for k in ks] + ["mrr"]
    summary = {"all": per_query}
    for side in ("enterprise", "knowledge"):
        summary[side] = per_query[per_query["side"] == side]
    table = pd.DataFrame(
        [
            {"queries": len(frame), **{c: float(frame[c].mean()) if len(frame) else np.nan for c in columns}}
            for frame in summary.values()
        ],
        index=pd.Index(list(summary), name="group"),
    )
    return table


def _relevance(split: TemporalSplit, candidate_ids: np.ndarray) -> sp.csr_array:
    """Query x candidate matrix of the held-out pairs (both ends candidates)."""
    position = pd.Series(np.arange(len(candidate_ids)), index=candidate_ids)
    query_position = pd.Series(np.arange(len(split.queries)), index=split.queries["organisation_id"].to_numpy())
    warm = split.test_pairs[split.test_pairs["enterprise_known"] & split.test_pairs["institution_known"]]
    rows, cols = [], []
    for query_column, partner_column in (("enterprise", "institution"), ("institution", "enterprise")):
        query = warm[query_column].map(query_position)
        partner = warm[partner_column].map(position)
        ok = (query.notna() & partner.notna()).to_numpy()
        rows.append(query.to_numpy()[ok].astype(np.int64))
        cols.append(partner.to_numpy()[ok].astype(np.int64))
    rows_all, cols_all = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_array((np.ones(len(rows_all)), (rows_all, cols_all)), shape=(len(split.queries), len(candidate_ids)))
