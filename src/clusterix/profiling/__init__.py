"""Smart regional profiling: cluster strength and stars, peer regions, complementarity,
and the region profile that assembles them."""

from clusterix.profiling.clusters import (
    QUANTILE_METHOD,
    STRENGTH_COLUMNS,
    UNMAPPED_OPTIONS,
    aggregate_to_clusters,
    cluster_mapping,
    cluster_strength,
    nace_segments,
    uk_segments,
    us_cluster_definitions,
)
from clusterix.profiling.complementarity import (
    cluster_complementarity,
    cluster_opportunities,
    complementarity,
    concordance_matrix,
    cross_space_relatedness,
    opportunities,
    rca_table,
)
from clusterix.profiling.peers import peer_matrix, peer_regions, standardise

__all__ = [
    "QUANTILE_METHOD",
    "STRENGTH_COLUMNS",
    "UNMAPPED_OPTIONS",
    "aggregate_to_clusters",
    "cluster_complementarity",
    "cluster_opportunities",
    "cluster_mapping",
    "cluster_strength",
    "complementarity",
    "concordance_matrix",
    "nace_segments",
    "cross_space_relatedness",
    "opportunities",
    "peer_matrix",
    "peer_regions",
    "rca_table",
    "standardise",
    "uk_segments",
    "us_cluster_definitions",
]
