"""Connections to the store: embedded DuckDB (default) or a PostgreSQL server.

One small adapter per backend gives the repository the same four operations: run a
statement, query into a DataFrame, bulk-insert a DataFrame, and a transaction.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from clusterix.errors import DataSourceError, InvalidInputError
from clusterix.storage.schema import SCHEMA_VERSION, schema_statements

__all__ = ["Database", "check_target", "connect"]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://")
_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
# Suffixes of data files, never of a store: a --db ending so is a mix-up of arguments.
_DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".parquet", ".pq", ".xlsx", ".xls", ".gz", ".zip", ".sdmx")


def check_target(target: str) -> str:
    """Return ``target`` if it can be a store, else raise, creating nothing.

    A store is ``:memory:``, a ``postgresql://`` (or ``postgres://``) URL, or the path of a
    DuckDB file: an existing DuckDB database, an empty file, or a path that does not exist
    yet. Refused: another URL scheme (``mysql://``, ``sqlite://``, ``https://``), a folder,
    an existing file that is not a DuckDB database (a CSV, JSON or Parquet file, ...), and a
    path ending in a data file's suffix (``.csv``, ``.parquet``, ...).

    Raises
    ------
    InvalidInputError
        Naming the target and what a store can be.
    """
    if target == ":memory:" or target.startswith(_POSTGRES_SCHEMES):
        return target
    what = "a DuckDB file path (e.g. clusterix.duckdb) or a postgresql:// URL"
    url = _URL.match(target)
    if url:
        raise InvalidInputError(
            f"The store {target!r} (--db) has the unsupported URL scheme {url['scheme']!r}; it must be {what}."
        )
    path = Path(target)
    if path.is_dir():
        raise InvalidInputError(f"The store {target} (--db) is a folder; it must be {what}.")
    if path.is_file():
        try:
            with open(path, "rb") as handle:
                head = handle.read(16)
        except OSError as error:
            raise InvalidInputError(f"Cannot open the store {target} (--db): {error.strerror or error}.") from error
        if head and head[8:12] != _DUCKDB_MAGIC:
            raise InvalidInputError(
                f"The store {target} (--db) is an existing file that is not a DuckDB database "
                f"(a data file?); nothing was written to it. --db must be {what}."
            )
        return target
    suffix = next((s for s in _DATA_SUFFIXES if path.name.lower().endswith(s)), None)
    if suffix is not None:
        raise InvalidInputError(
            f"The store {target} (--db) ends in {suffix}, the suffix of a data file, not of a store; "
            f"--db must be {what}."
        )
    return target


class Database:
    """A connection with the schema applied. Use :func:`connect` to open one."""

    backend: str

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        raise NotImplementedError

    def scalar(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        frame = self.query(sql, parameters)
        return None if frame.empty else frame.iat[0, 0]

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def key_hash(self, columns: Sequence[str]) -> str:
        """An SQL expression hashing ``columns`` to one value (equal keys, equal hashes)."""
        raise NotImplementedError

    @contextmanager
    def staged(self, frames: Iterable[pd.DataFrame], schema: Any) -> Iterator[str]:
        """Stage ``frames`` (pyarrow ``schema``) for checks; yield what to select FROM."""
        raise NotImplementedError
        yield  # pragma: no cover

    _depth = 0  # open transaction() blocks; only the outermost begins and ends one

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: commit at the end of the outermost block, roll back on any error."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        else:
            self._commit()
        finally:
            self._depth = 0

    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def migrate(self) -> None:
        """Create the schema in an empty store; refuse a store from a newer clusterix."""
        version = None
        try:
            version = self.scalar("SELECT max(version) FROM schema_version")
        except Exception:  # noqa: BLE001 - table absent: a new store (backend-specific error types)
            self._reset_after_error()
        if version is not None and int(version) > SCHEMA_VERSION:
            raise DataSourceError(
                f"The store has schema version {version}, newer than this clusterix "
                f"understands ({SCHEMA_VERSION}); upgrade clusterix."
            )
        if version is not None and int(version) == SCHEMA_VERSION:
            return
        with self.transaction():
            for statement in schema_statements():
                self.execute(statement)
            self.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (SCHEMA_VERSION, datetime.now(UTC).replace(tzinfo=None)),
            )

    def _reset_after_error(self) -> None:
        """Leave a failed statement's state (PostgreSQL aborts the transaction)."""


class _DuckDatabase(Database):
    backend = "duckdb"

    def __init__(self, path: str, read_only: bool) -> None:
        import duckdb

        if path != ":memory:" and not read_only:  # a read-only open creates nothing
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DataSourceError(f"Cannot create the folder of the store {path}: {error}") from error
        try:
            # A bounded buffer pool: large checks spill to disk instead of growing with the
            # file (DuckDB's default is 80 % of the machine's memory).
            self._connection = duckdb.connect(path, read_only=read_only, config={"memory_limit": "1GB"})
        except duckdb.Error as error:
            raise DataSourceError(f"Cannot open the DuckDB store {path}: {error}") from error

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self._connection.execute(sql, list(parameters))

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        return self._connection.execute(sql, list(parameters)).df()

    def key_hash(self, columns: Sequence[str]) -> str:
        return f"hash({', '.join(columns)})"

    @contextmanager
    def staged(self, frames: Iterable[pd.DataFrame], schema: Any) -> Iterator[str]:
        """Stream the chunks into a temporary Parquet file that DuckDB scans in place: the
        import never holds the whole file in memory (rows handed to DuckDB from Python
        in a transaction would stay in memory until the commit)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = tempfile.mkdtemp(prefix="clusterix-import-")
        path = Path(folder) / "staging.parquet"
        try:
            with pq.ParquetWriter(path, schema) as writer:
                for frame in frames:
                    writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
            yield f"read_parquet('{path.as_posix()}')"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        columns = ", ".join(f'"{name}"' for name in frame.columns)
        self._connection.register("_clusterix_chunk", pa.Table.from_pandas(frame, preserve_index=False))
        self._connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _clusterix_chunk")
        self._connection.unregister("_clusterix_chunk")

    def _begin(self) -> None:
        self._connection.begin()

    def _commit(self) -> None:
        self._connection.commit()

    def _rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


_POSTGRES_TYPES = {"string": "TEXT", "large_string": "TEXT", "double": "DOUBLE PRECISION", "int64": "BIGINT"}


class _PostgresDatabase(Database):
    backend = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as error:
            raise InvalidInputError("A PostgreSQL store needs psycopg: pip install 'clusterix[postgres]'") from error
        try:
            self._connection = psycopg.connect(url, autocommit=True)
        except psycopg.Error as error:
            raise DataSourceError(f"Cannot connect to the PostgreSQL store: {error}") from error

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        self._connection.execute(self._sql(sql), list(parameters))

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        cursor = self._connection.execute(self._sql(sql), list(parameters))
        names = [column.name for column in cursor.description or ()]
        return pd.DataFrame(cursor.fetchall(), columns=names)

    def key_hash(self, columns: Sequence[str]) -> str:
        return f"md5(concat_ws(chr(31), {', '.join(columns)}))"

    @contextmanager
    def staged(self, frames: Iterable[pd.DataFrame], schema: Any) -> Iterator[str]:
        """Copy the chunks into a session-private temporary table."""
        columns = ", ".join(f"{field.name} {_POSTGRES_TYPES[str(field.type)]}" for field in schema)
        self.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS staging_observations ({columns})")
        self.execute("DELETE FROM staging_observations")
        try:
            for frame in frames:
                self.insert_frame("staging_observations", frame)
            yield "staging_observations"
        finally:
            if self._connection.info.transaction_status == 2:  # INTRANS: still usable
                self.execute("DELETE FROM staging_observations")

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        columns = ", ".join(f'"{name}"' for name in frame.columns)
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        with (
            self._connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy,
        ):
            copy.write(buffer.getvalue())

    def _begin(self) -> None:
        self._connection.execute("BEGIN")

    def _commit(self) -> None:
        self._connection.execute("COMMIT")

    def _rollback(self) -> None:
        self._connection.execute("ROLLBACK")

    def _reset_after_error(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


def connect(target: str, *, read_only: bool = False) -> Database:
    """Open the store at ``target`` (a DuckDB path, ``:memory:``, or ``postgresql://`` URL)
    and bring its schema up to date.

    The target is checked first (:func:`check_target`): a target that cannot be a store is
    refused before any folder or file is created.
    """
    check_target(target)
    if target.startswith(_POSTGRES_SCHEMES):
        database: Database = _PostgresDatabase(target)
    else:
        database = _DuckDatabase(target, read_only)
    if not read_only:
        database.migrate()
    return database
