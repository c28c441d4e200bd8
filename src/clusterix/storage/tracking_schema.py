"""Tables of the accounts and partnership tracker, and their migration.

The DDL lives apart from :mod:`clusterix.storage.schema` so that the tracker can evolve
without bumping the store's schema version (which guards the imported data). Every
statement is ``CREATE ... IF NOT EXISTS`` in SQL that DuckDB and PostgreSQL both accept,
so applying it again is harmless; ``tracking_schema_version`` records what was applied.

No FOREIGN KEY constraints: DuckDB refuses to UPDATE a row that another table references
(it rewrites the row), and a partnership's status is updated on every step. The tracker
(through :mod:`clusterix.storage.accounts` and :mod:`clusterix.storage.partnerships`) is
the only writer and keeps the references whole. :func:`records` reads their rows back as
plain values, the same on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from clusterix.errors import DataSourceError
from clusterix.storage.db import Database

__all__ = [
    "TRACKING_SCHEMA_VERSION",
    "TRACKING_TABLES",
    "migrate_tracking_schema",
    "records",
    "tracking_schema_version",
]

TRACKING_SCHEMA_VERSION = 2

TRACKING_TABLES = {
    "tracking_schema_version": """
        CREATE TABLE IF NOT EXISTS tracking_schema_version (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMP NOT NULL
        )""",
    "user_ids": "CREATE SEQUENCE IF NOT EXISTS user_ids START 1",
    "users": """
        CREATE TABLE IF NOT EXISTS users (
            id BIGINT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            organisation_id TEXT,
            created TIMESTAMP NOT NULL
        )""",
    # Server-side sessions and API tokens: only a SHA-256 of the secret is stored, so a copy
    # of the database gives no live session.
    "auth_sessions": """
        CREATE TABLE IF NOT EXISTS auth_sessions (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL,
            kind TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created TIMESTAMP NOT NULL,
            expires TIMESTAMP NOT NULL
        )""",
    "login_attempts": """
        CREATE TABLE IF NOT EXISTS login_attempts (
            email TEXT NOT NULL,
            address TEXT NOT NULL,
            attempted TIMESTAMP NOT NULL,
            succeeded BOOLEAN NOT NULL
        )""",
    "partnership_ids": "CREATE SEQUENCE IF NOT EXISTS partnership_ids START 1",
    "partnerships": """
        CREATE TABLE IF NOT EXISTS partnerships (
            id BIGINT PRIMARY KEY,
            organisation_1 TEXT NOT NULL,
            organisation_2 TEXT NOT NULL,
            status TEXT NOT NULL,
            created_by BIGINT,
            created TIMESTAMP NOT NULL,
            updated TIMESTAMP NOT NULL,
            public_note TEXT
        )""",
    "partnership_event_ids": "CREATE SEQUENCE IF NOT EXISTS partnership_event_ids START 1",
    "partnership_events": """
        CREATE TABLE IF NOT EXISTS partnership_events (
            id BIGINT PRIMARY KEY,
            partnership_id BIGINT NOT NULL,
            from_status TEXT,
            to_status TEXT,
            occurred_on DATE NOT NULL,
            recorded TIMESTAMP NOT NULL,
            note TEXT,
            private BOOLEAN NOT NULL,
            author BIGINT
        )""",
    # version 2: a partnership's history is read a page at a time, newest first
    "partnership_events_by_partnership": (
        "CREATE INDEX IF NOT EXISTS partnership_events_by_partnership ON partnership_events (partnership_id, id)"
    ),
}


def tracking_schema_version(database: Database) -> int | None:
    """The tracker's schema version recorded in ``database``, ``None`` if its tables are absent."""
    # Asked through information_schema (both back-ends have it) rather than by a failing
    # SELECT, which would abort an enclosing PostgreSQL transaction.
    exists = database.scalar(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'tracking_schema_version' AND table_schema = current_schema()"
    )
    if not int(exists):
        return None
    version = database.scalar("SELECT max(version) FROM tracking_schema_version")
    return None if version is None else int(version)


def migrate_tracking_schema(database: Database) -> None:
    """Create the tracker's tables in ``database`` unless they are there at the current version.

    Raises
    ------
    DataSourceError
        The store was written by a newer clusterix, or cannot be written (opened read-only)
        and lacks the tables.
    """
    version = tracking_schema_version(database)
    if version is not None and version > TRACKING_SCHEMA_VERSION:
        raise DataSourceError(
            f"The store's accounts and partnership tables have version {version}, newer than this "
            f"clusterix understands ({TRACKING_SCHEMA_VERSION}); upgrade clusterix."
        )
    if version is not None and version == TRACKING_SCHEMA_VERSION:
        return
    try:
        with database.transaction():
            for statement in TRACKING_TABLES.values():
                database.execute(statement)
            database.execute(
                "INSERT INTO tracking_schema_version (version, applied_at) SELECT ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM tracking_schema_version WHERE version = ?)",
                (TRACKING_SCHEMA_VERSION, datetime.now(UTC).replace(tzinfo=None), TRACKING_SCHEMA_VERSION),
            )
    except Exception as error:  # noqa: BLE001 - read-only DuckDB or a PostgreSQL role without CREATE
        raise DataSourceError(
            f"Cannot create the accounts and partnership tables in the store ({error}); "
            "open the store writable once (for example with 'clusterix users add')."
        ) from error


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of plain Python values, alike on both back-ends: missing
    values (DuckDB's NaN and NaT, PostgreSQL's None) as ``None``, timestamps as ``datetime``,
    NumPy scalars as ``int``, ``float`` or ``bool``."""
    names = [str(name) for name in frame.columns]
    return [
        {name: _plain(value) for name, value in zip(names, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
