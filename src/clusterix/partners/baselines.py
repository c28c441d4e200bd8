"""Baseline score functions, each built from a temporal split's training data only."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterix.errors import InvalidInputError
from clusterix.partners.network import adamic_adar as _adamic_adar_scores
from clusterix.partners.splits import TemporalSplit

__all__ = ["BASELINES", "ScoreFunction", "adamic_adar", "popularity", "portfolio_similarity", "same_country_popularity"]


#: ``score_fn(query_ids) -> scores``: organisation ids in, ``(n_queries, n_candidates)`` scores out.
ScoreFunction = Callable[[np.ndarray], np.ndarray]


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
