"""The clusterix exception hierarchy: one root, meaningful leaves.

Every error a user can cause is an :class:`InvalidInputError`, which is also a
``ValueError`` so that existing ``except ValueError`` blocks keep working.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousResultError",
    "ClusterixError",
    "DataSourceError",
    "InvalidInputError",
    "NotConvergedError",
    "UnknownCodeError",
]


class ClusterixError(Exception):
    """Root of every error raised on purpose by clusterix."""


class InvalidInputError(ClusterixError, ValueError):
    """The input breaks the contract: wrong columns, values, options or shapes."""


class UnknownCodeError(InvalidInputError):
    """A region, activity or classification code is not known where it is used."""


class NotConvergedError(ClusterixError, ArithmeticError):
    """An iterative method did not reach its tolerance within its iteration budget."""

    def __init__(self, message: str, *, iterations: int | None = None) -> None:
        super().__init__(message)
        self.iterations = iterations


class AmbiguousResultError(ClusterixError, ArithmeticError):
    """The result is not uniquely defined, e.g. a disconnected region-activity network."""


class DataSourceError(ClusterixError, OSError):
    """A data source could not be read or downloaded."""
