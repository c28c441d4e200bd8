"""Partner recommendation: the organisation collaboration graph, link-prediction scores,
the learned recommender and its temporal evaluation on CORDIS."""

from clusterix.partners.comparison import compare_methods, relative_gain
from clusterix.partners.embeddings import SentenceEmbedder, default_embedder, embeddings_available
from clusterix.partners.evaluation import (
    BASELINES,
    METRIC_COLUMNS,
    TemporalSplit,
    evaluate,
    ranking_metrics,
    temporal_split,
)
from clusterix.partners.index import VectorIndex, tfidf_vectors
from clusterix.partners.inputs import explain_partners, fit_cached, recommender_inputs
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
    "SentenceEmbedder",
    "VectorIndex",
    "compare_methods",
    "default_embedder",
    "embeddings_available",
    "explain_partners",
    "fit_cached",
    "recommender_inputs",
    "relative_gain",
    "tfidf_vectors",
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
