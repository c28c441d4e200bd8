"""Partner recommendation: the organisation collaboration graph, link-prediction scores
and their temporal evaluation on CORDIS."""

from clusterix.partners.evaluation import (
    BASELINES,
    METRIC_COLUMNS,
    TemporalSplit,
    evaluate,
    ranking_metrics,
    temporal_split,
)
from clusterix.partners.network import (
    EDGE_COLUMNS,
    CollaborationGraph,
    adamic_adar,
    collaboration_edges,
    common_neighbours,
    personalised_pagerank,
    resource_allocation,
)

__all__ = [
    "BASELINES",
    "EDGE_COLUMNS",
    "METRIC_COLUMNS",
    "CollaborationGraph",
    "TemporalSplit",
    "adamic_adar",
    "collaboration_edges",
    "common_neighbours",
    "evaluate",
    "personalised_pagerank",
    "ranking_metrics",
    "resource_allocation",
    "temporal_split",
]
