"""Use cases of peer regions: structurally similar regions (and aspirational peers) with the reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from clusterix.app._convert import plain
from clusterix.app.datasets import Analysis, region_analysis
from clusterix.app.results import Peers
from clusterix.errors import InvalidInputError, UnknownCodeError

if TYPE_CHECKING:
    from clusterix.app.workspace import Workspace

__all__ = ["METRICS", "peer_items", "region_peers"]

METRICS = ("euclidean", "mahalanobis", "cosine")


def peer_items(indicators: pd.DataFrame, code: str, *, k: int, metric: str, aspirational: bool,
               names: dict[str, str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The peers of ``code`` among the regions of ``indicators`` as JSON-ready records.

    Parameters
    ----------
    indicators : DataFrame
        :meth:`RegionProfiler.structural_indicators`, one row per region.
    code : str
        The region.
    k : int
        How many peers.
    metric : str
        One of :data:`METRICS`.
    aspirational : bool
        Only peers with a higher ECI.
    names : dict, optional
        Region names by code.

    Returns
    -------
    list of dict
        ``region, name, rank, distance, similar_on, gaps`` per peer, nearest first.
    """
    from clusterix.profiling.peers import peer_regions

    if metric not in METRICS:
        raise InvalidInputError(f"Unknown metric {metric!r}; metrics are {', '.join(METRICS)}.")
    names = names or {}
    peers = peer_regions(indicators, code, k=k, metric=metric, aspirational_by="eci" if aspirational else None)
    items = []
    for peer, row in peers.iterrows():
        gaps = {name.removeprefix("gap_"): plain(row[name]) for name in peers.columns if name.startswith("gap_")}
        items.append(
            {
                "region": str(peer),
                "name": names.get(str(peer)),
                "rank": int(row["rank"]),
                "distance": plain(row["distance"]),
                "similar_on": [part.strip() for part in str(row["similar_on"]).split(",") if part.strip()],
                "gaps": gaps,
            }
        )
    return items


def region_peers(
    workspace: Workspace, code: str, *, dataset: str | None = None, measure: str | None = None,
    year: str | None = None, k: int = 10, metric: str = "euclidean", aspirational: bool = False,
) -> Peers:  # fmt: skip
    """Structurally similar regions of ``code`` in a stored dataset.

    Parameters
    ----------
    workspace : Workspace
        The store and its caches.
    code : str
        The region.
    dataset, measure, year : str, optional
        Which data (defaults: the first dataset that holds the region, its only measure, the last period).
    k : int
        How many peers.
    metric : str
        ``euclidean``, ``mahalanobis`` or ``cosine`` over standardised structural indicators.
    aspirational : bool
        Only peers with a higher ECI.

    Returns
    -------
    Peers
        The peers, nearest first, with what they are similar on and the gaps.

    References
    ----------
    Hausmann, R. et al. (2014). The Atlas of Economic Complexity. MIT Press.
    """
    found, index = region_analysis(workspace, code, dataset, measure, year)
    key = (*found.key, "peers", found.periods[index], code, k, metric, aspirational)
    return workspace.caches.results.get(  # type: ignore[no-any-return]
        key, lambda: _peers(found, index, code, k=k, metric=metric, aspirational=aspirational)
    )


def _peers(found: Analysis, index: int, code: str, *, k: int, metric: str, aspirational: bool) -> Peers:
    indicators = found.profiler.structural_indicators(found.profiler.periods[index])
    indicators.index = [str(r) for r in indicators.index]
    if code not in indicators.index:
        raise UnknownCodeError(
            f"Region {code!r} is not in dataset {found.dataset!r} in period {found.periods[index]} "
            f"(regions include {', '.join(map(str, indicators.index[:8]))}, ...)."
        )
    items = peer_items(indicators, code, k=k, metric=metric, aspirational=aspirational, names=found.region_names)
    return Peers.model_validate(
        {
            "region": code,
            "name": found.region_names.get(code),
            "dataset": found.dataset,
            "measure": found.measure,
            "year": found.periods[index],
            "metric": metric,
            "aspirational": aspirational,
            "items": items,
        }
    )
