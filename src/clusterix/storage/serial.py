"""A database shared by threads: one statement (or one transaction) at a time, data writes counted.

The web app serves a store from worker threads, and a DuckDB connection must not be used by
two threads at once; :meth:`SerialDatabase.wrap` makes a store's database safe for that. The
count of writes to the data tables (``data_writes``) is the store version the response
caches are keyed on (:meth:`clusterix.app.caches.Caches.store_version`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pandas as pd

from clusterix.storage.db import Database

if TYPE_CHECKING:
    from clusterix.storage.repository import Store

__all__ = ["SerialDatabase"]

#: The tables an import writes: a write to one of them changes what the cached responses show.
_DATA_TABLES = re.compile(
    r"\b(datasets|observations|regions|classifications|organisations|projects|participations)\b", re.IGNORECASE
)


class SerialDatabase(Database):
    """A :class:`Database` whose statements and transactions run one at a time across threads.

    It also counts the writes to the data tables (``data_writes``, bumped after each such
    statement and at the end of each transaction), so an import through this process is
    seen by the response caches at once, without a query per request.

    Parameters
    ----------
    inner : Database
        The connection to serialise.
    """

    def __init__(self, inner: Database) -> None:
        self._inner = inner
        self._lock = threading.RLock()
        self.backend = inner.backend
        self.data_writes = 0

    @classmethod
    def wrap(cls, store: Store) -> Store:
        """Serialise ``store``'s database in place (once: a serialised one is kept).

        Parameters
        ----------
        store : Store
            The store to share between threads.

        Returns
        -------
        Store
            The same store.
        """
        if not isinstance(store.database, cls):
            store.database = cls(store.database)
        return store

    def _wrote(self, sql_or_table: str) -> None:
        if _DATA_TABLES.search(sql_or_table):
            self.data_writes += 1

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        with self._lock:
            try:
                self._inner.execute(sql, parameters)
            finally:
                self._wrote(sql)

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> pd.DataFrame:
        with self._lock:
            return self._inner.query(sql, parameters)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        with self._lock:
            try:
                self._inner.insert_frame(table, frame)
            finally:
                self._wrote(table)

    def key_hash(self, columns: Sequence[str]) -> str:
        return self._inner.key_hash(columns)

    @contextmanager
    def staged(self, frames: Iterable[pd.DataFrame], schema: Any) -> Iterator[str]:
        with self._lock, self._inner.staged(frames, schema) as staged:
            yield staged

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            before = self.data_writes
            try:
                with self._inner.transaction():
                    yield
            finally:
                if self.data_writes != before:  # once more after the commit (or the rollback)
                    self.data_writes += 1

    def migrate(self) -> None:
        with self._lock:
            try:
                self._inner.migrate()
            finally:
                self.data_writes += 1

    def close(self) -> None:
        with self._lock:
            self._inner.close()
