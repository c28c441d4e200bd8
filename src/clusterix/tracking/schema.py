"""The tracker's tables, applied to a store on first use in this process.

The tables and their migration live in :mod:`clusterix.storage.tracking_schema`; this
module only remembers which databases this process has already brought up to date.
"""

from __future__ import annotations

import weakref

from clusterix.storage.db import Database
from clusterix.storage.tracking_schema import TRACKING_SCHEMA_VERSION, TRACKING_TABLES, migrate_tracking_schema

__all__ = ["TRACKING_SCHEMA_VERSION", "TRACKING_TABLES", "ensure_tracking_schema"]

_READY: weakref.WeakSet[Database] = weakref.WeakSet()


def ensure_tracking_schema(database: Database) -> None:
    """Create the tracker's tables in ``database`` unless this process already did.

    Raises
    ------
    DataSourceError
        The store was written by a newer clusterix, or cannot be written (opened read-only)
        and lacks the tables.
    """
    if database in _READY:
        return
    migrate_tracking_schema(database)
    _READY.add(database)
