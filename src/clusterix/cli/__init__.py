"""The ``clusterix`` command line (a thin face over :mod:`clusterix.app`)."""

from clusterix.cli._shared import write_tables
from clusterix.cli.main import app, main

__all__ = ["app", "main", "write_tables"]
