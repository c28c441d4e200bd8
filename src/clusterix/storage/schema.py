"""The versioned schema of the store, in SQL that DuckDB and PostgreSQL both accept."""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "TABLES", "schema_statements"]

SCHEMA_VERSION = 2

# Observations carry no primary key: a unique index would slow bulk imports several-fold,
# and uniqueness of (dataset, region, activity, time, measure) is checked on import.
# dataset_id columns carry no FOREIGN KEY: DuckDB cannot update or delete a referenced row
# in the transaction that removed its references (needed to replace a dataset); the
# repository is the only writer and keeps the references whole.
TABLES = {
    "schema_version": """
        CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY,
            applied_at TIMESTAMP NOT NULL
        )""",
    "dataset_ids": "CREATE SEQUENCE IF NOT EXISTS dataset_ids START 1",
    "datasets": """
        CREATE TABLE IF NOT EXISTS datasets (
            id BIGINT PRIMARY KEY DEFAULT nextval('dataset_ids'),
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            source_file TEXT NOT NULL,
            checksum TEXT NOT NULL,
            imported_at TIMESTAMP NOT NULL,
            row_count BIGINT NOT NULL,
            region_version INTEGER,
            description TEXT,
            UNIQUE (source, checksum)
        )""",
    "regions": """
        CREATE TABLE IF NOT EXISTS regions (
            code TEXT NOT NULL,
            version INTEGER NOT NULL,
            name TEXT,
            level INTEGER NOT NULL,
            parent TEXT,
            country TEXT NOT NULL,
            PRIMARY KEY (code, version)
        )""",
    "classifications": """
        CREATE TABLE IF NOT EXISTS classifications (
            scheme TEXT NOT NULL,
            code TEXT NOT NULL,
            name TEXT,
            level INTEGER NOT NULL,
            parent TEXT,
            PRIMARY KEY (scheme, code)
        )""",
    "cluster_mappings": """
        CREATE TABLE IF NOT EXISTS cluster_mappings (
            scheme TEXT NOT NULL,
            industry TEXT NOT NULL,
            cluster TEXT NOT NULL,
            cluster_name TEXT,
            PRIMARY KEY (scheme, industry, cluster)
        )""",
    "observations": """
        CREATE TABLE IF NOT EXISTS observations (
            dataset_id BIGINT NOT NULL,
            region TEXT NOT NULL,
            activity TEXT NOT NULL,
            time TEXT NOT NULL,
            measure TEXT NOT NULL,
            value DOUBLE PRECISION,
            flag TEXT
        )""",
    "organisations": """
        CREATE TABLE IF NOT EXISTS organisations (
            id TEXT PRIMARY KEY,
            name TEXT,
            kind TEXT NOT NULL,
            country TEXT,
            region TEXT,
            description TEXT,
            external_ids TEXT,
            dataset_id BIGINT NOT NULL
        )""",
    "projects": """
        CREATE TABLE IF NOT EXISTS projects (
            id TEXT PRIMARY KEY,
            acronym TEXT,
            title TEXT,
            framework TEXT,
            programme TEXT,
            programme_part TEXT,
            start_date DATE,
            end_date DATE,
            total_cost DOUBLE PRECISION,
            ec_contribution DOUBLE PRECISION,
            dataset_id BIGINT NOT NULL
        )""",
    "participations": """
        CREATE TABLE IF NOT EXISTS participations (
            project_id TEXT NOT NULL,
            organisation_id TEXT NOT NULL,
            role TEXT,
            ec_contribution DOUBLE PRECISION,
            dataset_id BIGINT NOT NULL,
            PRIMARY KEY (project_id, organisation_id)
        )""",
}


def schema_statements() -> list[str]:
    """Every statement that creates schema version :data:`SCHEMA_VERSION` from nothing."""
    return list(TABLES.values())
