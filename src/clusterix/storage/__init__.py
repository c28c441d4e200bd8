"""The store: embedded DuckDB by default, PostgreSQL for multi-user deployments."""

from clusterix.storage.repository import ORGANISATION_KINDS, ImportResult, Store
from clusterix.storage.schema import SCHEMA_VERSION

__all__ = ["ORGANISATION_KINDS", "SCHEMA_VERSION", "ImportResult", "Store"]
