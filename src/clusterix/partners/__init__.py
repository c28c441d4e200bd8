"""Partner recommendation: the organisation collaboration graph, link-prediction scores,
the learned recommender and its temporal evaluation on CORDIS."""

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
from clusterix.partners.recommender import PartnerRecommender, split_inputs

__all__ = [
    "PartnerRecommender",
    "split_inputs",
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
