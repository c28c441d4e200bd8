"""Cluster profiling: industry -> cluster mappings and cluster strength with star ratings."""

from clusterix.profiling.clusters import (
    QUANTILE_METHOD,
    STRENGTH_COLUMNS,
    UNMAPPED_OPTIONS,
    aggregate_to_clusters,
    cluster_mapping,
    cluster_strength,
    uk_segments,
    us_cluster_definitions,
)

__all__ = [
    "QUANTILE_METHOD",
    "STRENGTH_COLUMNS",
    "UNMAPPED_OPTIONS",
    "aggregate_to_clusters",
    "cluster_mapping",
    "cluster_strength",
    "uk_segments",
    "us_cluster_definitions",
]
