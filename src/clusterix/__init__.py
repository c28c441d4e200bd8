"""clusterix: smart regional profiling and strategic cluster partnerships."""

import importlib.metadata

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

try:  # the one source of the version is pyproject.toml, read back from the installed metadata
    __version__ = importlib.metadata.version("clusterix")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0+unknown"

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
