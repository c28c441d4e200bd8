"""In-memory memo of one workspace: built values by key, finished responses by store version,
and the background fit of the partner recommender."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from clusterix.app.background import BackgroundFit
from clusterix.errors import InvalidInputError
from clusterix.storage import Store

__all__ = ["Caches", "PayloadCache", "ResultCache"]


class PayloadCache:
    """Finished responses (serialised JSON bytes) by key, least recently used first out.

    Bounded twice: at most ``max_entries`` entries and ``max_bytes`` bytes in all (a body
    larger than ``max_bytes`` is never kept). ``max_entries=0`` turns the cache off.
    Thread-safe: routes run in worker threads.
    """

    def __init__(self, *, max_entries: int = 2048, max_bytes: int = 128 * 1024 * 1024) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise InvalidInputError(
                f"PayloadCache bounds must be >= 0. Got max_entries={max_entries!r}, max_bytes={max_bytes!r}."
            )
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> bytes | None:
        """The body stored under ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        """Keep ``body`` under ``key``, dropping the least recently used entries beyond the bounds."""
        if self.max_entries == 0 or len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= len(previous)
            self._entries[key] = body
            self.size += len(body)
            while len(self._entries) > self.max_entries or self.size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        """Forget every response."""
        with self._lock:
            self._entries.clear()
            self.size = 0


class ResultCache:
    """Computed results (typed models, chart markup) by key, least recently used first out.

    At most ``max_entries`` results (``0`` turns the cache off). Each key is built once even
    when requests for it arrive together (a lock per stripe of keys), and errors are not
    kept. Thread-safe: routes and the precomputation run in threads of their own.
    """

    _STRIPES = 64

    def __init__(self, *, max_entries: int = 8192) -> None:
        if max_entries < 0:
            raise InvalidInputError(f"ResultCache max_entries must be >= 0. Got {max_entries!r}.")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building = [threading.Lock() for _ in range(self._STRIPES)]

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The result kept under ``key``, built by ``build()`` (and kept) when it is not there."""
        missing = object()
        with self._lock:
            found = self._entries.get(key, missing)
            if found is not missing:
                self._entries.move_to_end(key)
                return found
        with self._building[hash(key) % self._STRIPES]:
            with self._lock:
                found = self._entries.get(key, missing)
            if found is not missing:
                return found
            value = build()
            if self.max_entries:
                with self._lock:
                    self._entries[key] = value
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            return value

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._entries.clear()


class Caches:
    """Values computed once per workspace (profilers per dataset and measure, boundaries per
    NUTS version, dataset metadata), computed results (``results``: profiles, peers and
    charts per dataset version, bounded) and finished API responses.

    Entries are keyed by the dataset's import time as well as its name, so a re-imported
    dataset is computed afresh. Each key is built once even when requests arrive together.

    Finished responses (``payloads``) are keyed by the store's version
    (:meth:`store_version`), which changes on every import: at once for imports through this
    process's store (its database counts its writes to the data tables, ``data_writes``),
    within ``version_ttl`` seconds for imports by another process (a PostgreSQL store shared
    with ``clusterix ingest``).
    """

    def __init__(
        self, *, max_payloads: int = 2048, max_payload_bytes: int = 128 * 1024 * 1024, version_ttl: float = 1.0,
        partner_fit: Callable[[Store], Any] | None = None, partner_version: Callable[[Store], Any] | None = None,
    ) -> None:  # fmt: skip
        if not version_ttl >= 0:
            raise InvalidInputError(f"Caches version_ttl must be a number of seconds >= 0. Got {version_ttl!r}.")
        self.version_ttl = version_ttl
        self.payloads = PayloadCache(max_entries=max_payloads, max_bytes=max_payload_bytes)
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._version_read = -math.inf
        self._refresh_lock = threading.Lock()
        self._refreshing = False
        self.datasets_memo: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self.counts_memo: tuple[float, Any, dict[str, int]] | None = None  # (when, writes, rows per table): /health
        self.partners = BackgroundFit(partner_fit, partner_version)
        self.results = ResultCache()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The cached value of ``key``, built by ``build()`` on first use (errors are not cached)."""
        if key in self._values:
            return self._values[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = build()
            return self._values[key]

    def fresh_version(self, store: Store) -> tuple[Any, ...] | None:
        """The store version when it is known without a query, else ``None``: cheap enough for
        the event loop. Known means: no write through this process since it was read, and read
        less than ``version_ttl`` seconds ago or being re-read right now (the requests meanwhile
        use the old version instead of all waiting for the query)."""
        version = self._version
        if version is None or version[0] != getattr(store.database, "data_writes", None):
            return None
        if self._refreshing or time.monotonic() - self._version_read < self.version_ttl:
            return version
        return None

    def store_version(self, store: Store) -> tuple[Any, ...]:
        """The store's version: this process's count of data writes and the data state
        (:meth:`Store.data_state`, re-read by one thread at a time, at most every ``version_ttl``
        seconds). When it changes, the finished responses of the old version are dropped."""
        with self._refresh_lock:
            version = self._version
            # the write count is read before the state: a write meanwhile shows as a new version next time
            writes = getattr(store.database, "data_writes", None)
            recent = time.monotonic() - self._version_read < self.version_ttl
            if version is not None and version[0] == writes and recent:
                return version
            self._refreshing = True
            try:
                version = (writes, store.data_state())
            finally:
                self._refreshing = False
            with self._guard:
                if version != self._version:
                    if self._version is not None:
                        self.payloads.clear()
                    self._version = version
                self._version_read = time.monotonic()
            return version

    def clear(self) -> None:
        """Forget everything (after the store changed under the workspace)."""
        with self._guard:
            self._values.clear()
            self._version = None
            self.datasets_memo = None
            self.counts_memo = None
        self.payloads.clear()
        self.results.clear()
        self.partners = BackgroundFit(self.partners.fit, self.partners.version)
