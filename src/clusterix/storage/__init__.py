"""The store: embedded DuckDB by default, PostgreSQL for multi-user deployments."""

from clusterix.storage.accounts import AccountRepository
from clusterix.storage.partnerships import PartnershipRepository
from clusterix.storage.repository import ORGANISATION_KINDS, ImportResult, Store
from clusterix.storage.schema import SCHEMA_VERSION
from clusterix.storage.serial import SerialDatabase

__all__ = [
    "ORGANISATION_KINDS",
    "SCHEMA_VERSION",
    "AccountRepository",
    "ImportResult",
    "PartnershipRepository",
    "SerialDatabase",
    "Store",
]
