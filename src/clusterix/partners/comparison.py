"""The four baselines and the partner recommender on one temporal split, side by side.

:func:`compare_methods` is what ``clusterix evaluate partners`` and
``benchmarks/partners.py`` print: Recall@10, Recall@50, nDCG@10 and MRR per method on
the same queries, and :func:`relative_gain` the recommender's gain over the best baseline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from clusterix._validation import check_number, parameter_error

__all__ = ["COMPARISON_COLUMNS", "compare_methods", "relative_gain"]

#: The metric columns of :func:`compare_methods` (plus ``seconds``).
COMPARISON_COLUMNS = ("recall@10", "recall@50", "ndcg@10", "mrr")


def compare_methods(
    split: Any,
    *,
    sample: int | None = None,
    seed: int = 0,
    recommender: Any = None,
    progress: Callable[[str, float], None] | None = None,
) -> pd.DataFrame:
    """Evaluate every baseline and the recommender on the same split and query sample.

    Parameters
    ----------
    split : TemporalSplit
        From :func:`clusterix.partners.evaluation.temporal_split`.
    sample : int, optional
        Evaluate a seeded subsample of this many queries (default: all).
    seed : int
        Seed of the query subsample (the same queries for every method).
    recommender : PartnerRecommender, optional
        The unfitted estimator to evaluate (default ``PartnerRecommender()``); it is fitted
        on the split's training part only (:func:`split_inputs`).
    progress : callable, optional
        Called as ``progress(method, seconds)`` after each method.

    Returns
    -------
    DataFrame
        One row per method (the :data:`BASELINES` names, then ``recommender``), the
        columns :data:`COMPARISON_COLUMNS` and ``seconds`` (building and scoring time).
    """
    from clusterix.partners.evaluation import BASELINES, TemporalSplit, evaluate
    from clusterix.partners.recommender import PartnerRecommender, split_inputs

    function = "compare_methods"
    if not isinstance(split, TemporalSplit):
        raise parameter_error("split", function, "a TemporalSplit (from temporal_split)", type(split).__name__)
    if sample is not None:
        check_number(sample, name="sample", function=function, low=1, integer=True)
    check_number(seed, name="seed", function=function, low=0, integer=True)
    model = PartnerRecommender() if recommender is None else recommender
    rows: dict[str, dict[str, float]] = {}

    def record(name: str, build: Callable[[], Any]) -> None:
        started = time.perf_counter()
        metrics = evaluate(build(), split, sample=sample, seed=seed).loc["all"]
        seconds = time.perf_counter() - started
        rows[name] = {**{column: float(metrics[column]) for column in COMPARISON_COLUMNS}, "seconds": seconds}
        if progress is not None:
            progress(name, seconds)

    for name, baseline in BASELINES.items():
        record(name, lambda baseline=baseline: baseline(split))

    def fitted_scores() -> Callable:
        fitted = model.fit(*split_inputs(split))
        candidates = split.candidates["organisation_id"]
        return lambda ids: fitted.scores(ids, candidates)

    record("recommender", fitted_scores)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "method"
    return table


def relative_gain(table: pd.DataFrame, *, metric: str = "recall@10", method: str = "recommender") -> float:
    """``method``'s ``metric`` relative to the best other row of :func:`compare_methods` (0.25 is +25 %)."""
    others = table.drop(index=method)[metric]
    best = float(others.max())
    return float(table.loc[method, metric]) / best - 1 if best > 0 else float("inf")
