"""Cluster mappings (industry code -> cluster) and cluster-strength measures with star ratings.

A *cluster mapping* is a table with one row per (industry, cluster) pair, text codes in
the columns ``industry`` and ``cluster``. :func:`us_cluster_definitions` reads the US
Cluster Mapping benchmark definitions (Delgado, Porter & Stern 2016) and
:func:`uk_segments` Nesta's SIC 2007 industry segments; :func:`cluster_mapping` checks a
mapping of your own. :func:`aggregate_to_clusters` sums a region x industry long table to
region x cluster, and :func:`cluster_strength` computes size, location quotient, focus,
share of the cluster, growth and the European Cluster Observatory star ratings.

References
----------
Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related industries.
Journal of Economic Geography 16(1), 1-38.

Sölvell, Ö., Ketels, C. & Lindqvist, G. (2008). Industrial specialization and regional
clusters in the ten new EU member states. Competitiveness Review 18(1/2), 104-130; and
European Cluster Observatory (2009), *EU cluster mapping and strengthening clusters in
Europe*, Europe INNOVA paper no. 12 (the three-star method).

Ketels, C. & Protsiv, S. (2014). *Methodology and findings report for a cluster mapping
of related sectors*. European Cluster Observatory, European Commission (DG Enterprise
and Industry).

Modules: :mod:`~clusterix.profiling.clusters.mappings` (the mappings) and
:mod:`~clusterix.profiling.clusters.strength` (aggregation, strength and stars).
"""

from clusterix.profiling.clusters.mappings import cluster_mapping, uk_segments, us_cluster_definitions
from clusterix.profiling.clusters.mappings import nace_segments as nace_segments  # not in __all__, as before
from clusterix.profiling.clusters.strength import (
    QUANTILE_METHOD,
    STRENGTH_COLUMNS,
    UNMAPPED_OPTIONS,
    aggregate_to_clusters,
    cluster_strength,
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
