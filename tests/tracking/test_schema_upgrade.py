"""A store whose tracker tables are at version 1 gets version 2 on open: the index that lets a
partnership's history be read a page at a time, on DuckDB and PostgreSQL."""

from __future__ import annotations

from clusterix.storage import Store
from clusterix.tracking.schema import TRACKING_SCHEMA_VERSION, ensure_tracking_schema


def _has_history_index(store: Store) -> bool:
    if store.database.backend == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'partnership_events_by_partnership' "
            "AND schemaname = current_schema()"  # other suites' schemas have the index too
        )
    else:
        sql = "SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'partnership_events_by_partnership'"
    return int(store.database.scalar(sql)) == 1


def test_a_version_1_store_gets_the_history_index(store_target) -> None:
    with Store.open(store_target) as store:
        ensure_tracking_schema(store.database)
        assert TRACKING_SCHEMA_VERSION == 2 and _has_history_index(store)
        # make it a version-1 store: no index, version 1 recorded
        store.database.execute("DROP INDEX partnership_events_by_partnership")
        store.database.execute("DELETE FROM tracking_schema_version")
        store.database.execute("INSERT INTO tracking_schema_version (version, applied_at) VALUES (1, '2026-01-01')")
        assert not _has_history_index(store)
    with Store.open(store_target) as store:
        ensure_tracking_schema(store.database)
        assert _has_history_index(store)
        versions = store.database.query("SELECT version FROM tracking_schema_version ORDER BY version")
        assert versions["version"].tolist() == [1, 2]
