"""clusterix: smart regional profiling and strategic cluster partnerships."""

from clusterix import indicators
from clusterix.errors import (
    AmbiguousResultError,
    ClusterixError,
    DataSourceError,
    InvalidInputError,
    NotConvergedError,
    UnknownCodeError,
)
from clusterix.matrix import RegionActivityMatrix
from clusterix.profiling.profile import profile
from clusterix.tables import read_table, validate_long

__version__ = "0.1.0"

__all__ = [
    "AmbiguousResultError",
    "ClusterixError",
    "DataSourceError",
    "InvalidInputError",
    "NotConvergedError",
    "RegionActivityMatrix",
    "UnknownCodeError",
    "__version__",
    "indicators",
    "profile",
    "read_table",
    "validate_long",
]
