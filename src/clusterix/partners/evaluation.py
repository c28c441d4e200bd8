"""Temporal hold-out evaluation of partner recommendation on CORDIS participations.

:func:`temporal_split` trains on the projects that start before a year and holds out the
enterprise - knowledge institution pairs that first collaborate from that year on;
:func:`evaluate` ranks candidates for each query organisation with a score function and
averages Recall@k, nDCG@k and MRR. The baselines (:data:`BASELINES`) build score
functions from the training data only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix._validation import check_number, parameter_error
from clusterix.errors import InvalidInputError
from clusterix.partners.candidates import KNOWLEDGE_KINDS  # the knowledge side: CORDIS HES and REC
from clusterix.partners.network import CollaborationGraph, collaboration_edges
from clusterix.partners.network import adamic_adar as _adamic_adar_scores

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

#: ``score_fn(query_ids) -> scores``: organisation ids in, ``(n_queries, n_candidates)`` scores out.
ScoreFunction = Callable[[np.ndarray], np.ndarray]

_BATCH = 256  # queries scored at once: bounds memory at _BATCH x n_candidates floats


@dataclass(frozen=True, eq=False)
class TemporalSplit:
    """A temporal hold-out of the CORDIS collaboration network (see :func:`temporal_split`).

    Attributes
    ----------
    split_year : int
        Training projects start before this year; test pairs collaborate from it on.
    train_participations : DataFrame
        The participations in training projects (the CORDIS participations columns).
    train_projects : DataFrame
        The training projects.
    organisations : DataFrame
        The organisations that take part in a training project (``id``, ``kind``, ``country``, ...).
    graph : CollaborationGraph
        The training collaboration graph; its nodes are ``organisations`` (isolated ones included).
    test_pairs : DataFrame
        ``enterprise``, ``institution``, ``year`` (first test year together), ``projects``
        (shared test projects), ``enterprise_known``, ``institution_known`` (has a training
        participation): every new enterprise - knowledge institution pair.
    queries : DataFrame
        ``organisation_id``, ``side`` (``'enterprise'`` or ``'knowledge'``), ``country`` and
        ``test_partners`` (its test partners among the candidates), sorted by id.
    candidates : DataFrame
        The fixed candidate list that score functions score, in column order:
        ``organisation_id``, ``side``, ``kind``, ``country`` (sorted by id). Every
        enterprise and knowledge institution with a training participation.
    """

    split_year: int
    train_participations: pd.DataFrame
    train_projects: pd.DataFrame
    organisations: pd.DataFrame
    graph: CollaborationGraph
    test_pairs: pd.DataFrame
    queries: pd.DataFrame
    candidates: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"TemporalSplit(split_year={self.split_year}, {len(self.queries)} queries, "
            f"{len(self.candidates)} candidates, {len(self.test_pairs)} test pairs)"
        )


def _side(kind: pd.Series) -> pd.Series:
    side = pd.Series(None, index=kind.index, dtype=object)
    side[kind == "enterprise"] = "enterprise"
    side[kind.isin(KNOWLEDGE_KINDS)] = "knowledge"
    return side


def temporal_split(tables: Any, *, split_year: int = 2019) -> TemporalSplit:
    """Split CORDIS participations in time for link-prediction evaluation.

    Parameters
    ----------
    tables : CordisTables
        ``(organisations, projects, participations)`` from a CORDIS reader, e.g.
        :func:`clusterix.ingest.cordis.read_h2020_participations`.
    split_year : int
        The first test year.

    Returns
    -------
    TemporalSplit
        Training data: participations in projects starting before ``split_year``. Test
        pairs: enterprise (``PRC``) - knowledge institution (``HES`` or ``REC``) pairs
        that share a project starting in or after ``split_year`` and shared none before.
        Queries: the enterprises and knowledge institutions with a training participation
        that have at least one test partner which is itself a candidate; an enterprise's
        candidates are the knowledge institutions, and vice versa.

    Raises
    ------
    InvalidInputError
        Tables without the needed columns, a bad ``split_year``, or no test pairs.

    Notes
    -----
    Projects without a start date are in neither part. A test partner without any
    training participation (a newcomer) cannot be ranked by a method that learns from
    history, so it is kept in ``test_pairs`` but not counted in the queries' metrics.
    """
    function = "temporal_split"
    try:
        organisations, projects, participations = tables
    except (TypeError, ValueError) as error:
        raise parameter_error(
            "tables", function, "CordisTables (organisations, projects, participations)", type(tables).__name__
        ) from error
    for name, table, columns in (
        ("organisations", organisations, ("id", "kind", "country")),
        ("projects", projects, ("id", "start_date", "programme_part")),
        ("participations", participations, ("project_id", "organisation_id")),
    ):
        if not isinstance(table, pd.DataFrame) or any(column not in table.columns for column in columns):
            raise parameter_error("tables", function, f"a {name} table with the columns {', '.join(columns)}", name)
    check_number(split_year, name="split_year", function=function, integer=True)

    year = pd.to_datetime(projects["start_date"]).dt.year
    project_year = pd.Series(year.to_numpy(), index=projects["id"].astype("str"))
    participation_year = participations["project_id"].astype("str").map(project_year)
    in_train = (participation_year < split_year).to_numpy(dtype=bool, na_value=False)
    train_participations = participations[in_train].reset_index(drop=True)
    train_projects = projects[(year < split_year).to_numpy(dtype=bool, na_value=False)].reset_index(drop=True)
    known_ids = np.unique(train_participations["organisation_id"].astype("str").to_numpy(dtype=object))
    organisation_ids = organisations["id"].astype("str")
    train_organisations = organisations[organisation_ids.isin(known_ids).to_numpy()]
    train_organisations = train_organisations.assign(id=train_organisations["id"].astype("str"))
    train_organisations = train_organisations.sort_values("id").reset_index(drop=True)

    edges = collaboration_edges(participations, projects)
    graph = CollaborationGraph.from_edges(edges, until_year=split_year, nodes=train_organisations["id"])

    side = pd.Series(_side(organisations["kind"]).to_numpy(), index=organisation_ids.to_numpy())
    side_1 = edges["org_1"].map(side)
    side_2 = edges["org_2"].map(side)
    mixed = ((side_1 == "enterprise") & (side_2 == "knowledge")) | ((side_1 == "knowledge") & (side_2 == "enterprise"))
    pairs = edges[mixed.to_numpy(dtype=bool)]
    first_is_enterprise = (side_1[mixed] == "enterprise").to_numpy(dtype=bool)
    pairs = pd.DataFrame(
        {
            "enterprise": np.where(first_is_enterprise, pairs["org_1"], pairs["org_2"]),
            "institution": np.where(first_is_enterprise, pairs["org_2"], pairs["org_1"]),
            "year": pairs["year"].to_numpy(),
        }
    )
    before = pairs[pairs["year"] < split_year][["enterprise", "institution"]].drop_duplicates()
    after = (
        pairs[pairs["year"] >= split_year]
        .groupby(["enterprise", "institution"], as_index=False)
        .agg(year=("year", "min"), projects=("year", "size"))
    )
    after = after.merge(before, on=["enterprise", "institution"], how="left", indicator=True)
    test_pairs = after[after["_merge"] == "left_only"].drop(columns="_merge")
    known = set(known_ids.tolist())
    test_pairs = test_pairs.assign(
        year=test_pairs["year"].astype(np.int64),
        projects=test_pairs["projects"].astype(np.int64),
        enterprise_known=test_pairs["enterprise"].isin(known),
        institution_known=test_pairs["institution"].isin(known),
    ).reset_index(drop=True)
    if test_pairs.empty:
        raise InvalidInputError(
            f"No enterprise - knowledge institution pair first collaborates in or after {split_year}: "
            "there is nothing to evaluate. Choose an earlier split_year."
        )

    candidate_side = _side(train_organisations["kind"])
    is_candidate = candidate_side.notna().to_numpy()
    candidates = pd.DataFrame(
        {
            "organisation_id": train_organisations["id"].to_numpy(dtype=object)[is_candidate],
            "side": candidate_side.to_numpy(dtype=object)[is_candidate],
            "kind": train_organisations["kind"].to_numpy(dtype=object)[is_candidate],
            "country": train_organisations["country"].to_numpy(dtype=object)[is_candidate],
        }
    )
    warm = test_pairs[test_pairs["enterprise_known"] & test_pairs["institution_known"]]
    counts = pd.concat([warm["enterprise"].value_counts(), warm["institution"].value_counts()]).rename("test_partners")
    queries = candidates[candidates["organisation_id"].isin(counts.index)][["organisation_id", "side", "country"]]
    queries = queries.assign(test_partners=queries["organisation_id"].map(counts).astype(np.int64)).reset_index(
        drop=True
    )
    return TemporalSplit(
        split_year=int(split_year),
        train_participations=train_participations,
        train_projects=train_projects,
        organisations=train_organisations,
        graph=graph,
        test_pairs=test_pairs,
        queries=queries,
        candidates=candidates,
    )


# --------------------------------------------------------------------------- metrics


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


# --------------------------------------------------------------------------- baselines


def _country(split: TemporalSplit, ids: np.ndarray) -> np.ndarray:
    countries = pd.Series(split.organisations["country"].to_numpy(dtype=object), index=split.organisations["id"])
    return countries.reindex(ids).to_numpy(dtype=object)


def popularity(split: TemporalSplit) -> ScoreFunction:
    """Score every candidate by its number of distinct training partners (its degree).

    The same ranking for every query; the baseline that any method must beat.
    """
    degree = split.graph.degree[split.graph.index(split.candidates["organisation_id"])].astype(np.float64)

    def score(query_ids: np.ndarray) -> np.ndarray:
        return np.tile(degree, (len(query_ids), 1))

    return score


def same_country_popularity(split: TemporalSplit) -> ScoreFunction:
    """Popularity, with the candidates from the query's country ranked first.

    ``score = degree + (max degree + 1) * [same country]``; a query or candidate
    without a country matches nothing.
    """
    degree = split.graph.degree[split.graph.index(split.candidates["organisation_id"])].astype(np.float64)
    bonus = float(degree.max(initial=0.0)) + 1.0
    countries = split.candidates["country"].to_numpy(dtype=object)

    def score(query_ids: np.ndarray) -> np.ndarray:
        own = _country(split, np.asarray(query_ids, dtype=object))
        same = (countries[None, :] == own[:, None]) & pd.notna(own)[:, None] & pd.notna(countries)[None, :]
        return degree[None, :] + bonus * same

    return score


def _portfolios(split: TemporalSplit) -> tuple[sp.csr_array, pd.Index]:
    """Organisation x programme-part counts of training participations, rows L2-normalised."""
    parts = pd.Series(
        split.train_projects["programme_part"].to_numpy(dtype=object), index=split.train_projects["id"].astype("str")
    )
    table = pd.DataFrame(
        {
            "organisation": split.train_participations["organisation_id"].astype("str").to_numpy(dtype=object),
            "part": split.train_participations["project_id"].astype("str").map(parts).to_numpy(dtype=object),
        }
    ).dropna()
    table = table.assign(part=table["part"].astype("str").str.split(";")).explode("part")
    table["part"] = table["part"].str.strip()
    table = table[table["part"] != ""]
    organisations = pd.Index(split.organisations["id"].to_numpy(dtype=object))
    labels = pd.Index(sorted(table["part"].unique()))
    counts = sp.csr_array(
        (
            np.ones(len(table)),
            (organisations.get_indexer(table["organisation"]), labels.get_indexer(table["part"])),
        ),
        shape=(len(organisations), len(labels)),
    )
    counts.sum_duplicates()
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    scale = np.zeros_like(norms)
    scale[norms > 0] = 1.0 / norms[norms > 0]
    return sp.csr_array(sp.diags_array(scale) @ counts), organisations


def portfolio_similarity(split: TemporalSplit) -> ScoreFunction:
    """Cosine similarity of the programme-part participation counts of query and candidate.

    Each organisation's portfolio counts its training participations per H2020 programme
    part (a project in several parts counts in each); an organisation with none scores 0.
    """
    portfolios, organisations = _portfolios(split)
    candidates = portfolios[organisations.get_indexer(split.candidates["organisation_id"]), :]

    def score(query_ids: np.ndarray) -> np.ndarray:
        rows = organisations.get_indexer(np.asarray(query_ids, dtype=object))
        if np.any(rows < 0):
            raise InvalidInputError("portfolio_similarity was asked about an organisation without training data.")
        return (portfolios[rows, :] @ candidates.T).toarray()

    return score


def adamic_adar(split: TemporalSplit) -> ScoreFunction:
    """Adamic-Adar index of query and candidate in the training graph.

    See :func:`clusterix.partners.network.adamic_adar`.
    """
    candidate_nodes = split.graph.index(split.candidates["organisation_id"])

    def score(query_ids: np.ndarray) -> np.ndarray:
        return _adamic_adar_scores(split.graph.adjacency, split.graph.index(query_ids))[:, candidate_nodes]

    return score


#: The baselines by name: each builds a score function from a split's training data.
BASELINES: dict[str, Callable[[TemporalSplit], ScoreFunction]] = {
    "popularity": popularity,
    "same_country_popularity": same_country_popularity,
    "portfolio_similarity": portfolio_similarity,
    "adamic_adar": adamic_adar,
}
