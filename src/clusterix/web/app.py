"""The web app factory: wiring only (store, settings, templates, routers, error envelope).

``create_app(settings)`` opens the store named by the settings, keeps it on
``app.state.store`` for the app's lifetime and closes it at shutdown. Routes run in worker
threads, so the store's database is wrapped to run one statement (or one transaction) at a
time: DuckDB connections must not be used by two threads at once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from clusterix import __version__
from clusterix.app.workspace import Workspace
from clusterix.storage import Store
from clusterix.storage.db import Database
from clusterix.web import auth, partnerships
from clusterix.web.api import router as api_router
from clusterix.web.errors import GuardMiddleware, install_error_handlers
from clusterix.web.pages import page_context
from clusterix.web.pages import router as pages_router
from clusterix.web.settings import WebSettings

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent


#: The tables an import writes: a write to one of them changes what the cached responses show.
_DATA_TABLES = re.compile(
    r"\b(datasets|observations|regions|classifications|organisations|projects|participations)\b", re.IGNORECASE
)


class _SerialDatabase(Database):
    """A :class:`Database` whose statements and transactions run one at a time across threads.

    It also counts the writes to the data tables (``data_writes``, bumped after each such
    statement and at the end of each transaction): the store version the response caches
    are keyed on (:meth:`clusterix.app.caches.Caches.store_version`), so an import through
    this process is seen at once without a query per request.
    """

    def __init__(self, inner: Database) -> None:
        self._inner = inner
        self._lock = threading.RLock()
        self.backend = inner.backend
        self.data_writes = 0

    def _wrote(self, sql_or_table: str) -> None:
        if _DATA_TABLES.search(sql_or_table):
            self.data_writes += 1

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        with self._lock:
            try:
                self._inner.execute(sql, parameters)
            finally:
                self._wrote(sql)

    def query(self, sql: str, parameters: Sequence[Any] = ()):
        with self._lock:
            return self._inner.query(sql, parameters)

    def insert_frame(self, table: str, frame) -> None:
        with self._lock:
            try:
                self._inner.insert_frame(table, frame)
            finally:
                self._wrote(table)

    def key_hash(self, columns: Sequence[str]) -> str:
        return self._inner.key_hash(columns)

    @contextmanager
    def staged(self, frames, schema) -> Iterator[str]:
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


def create_app(settings: WebSettings | None = None, *, store: Store | None = None) -> FastAPI:
    """The clusterix web app (REST API under ``/api/v1``, HTML pages, static assets).

    Parameters
    ----------
    settings : WebSettings, optional
        Resolved from the environment and settings file when not given.
    store : Store, optional
        An already open store to serve instead of opening ``settings.db`` (tests); the app
        does not close a store it did not open.
    """
    settings = settings or WebSettings.resolve()
    owned = store is None
    store = store if store is not None else Store.open(settings.db)
    if not isinstance(store.database, _SerialDatabase):
        store.database = _SerialDatabase(store.database)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        if owned:
            store.close()

    app = FastAPI(
        title="clusterix",
        version=__version__,
        description="Regional profiling and partner recommendation: the JSON twin of every page.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    workspace = Workspace(store, boundaries=settings.boundaries)
    app.state.workspace = workspace
    app.state.store = workspace.store  # aliases of the workspace's parts
    app.state.caches = workspace.caches
    templates = Jinja2Templates(directory=str(_HERE / "templates"), context_processors=[auth.template_context])
    app.state.templates = templates
    app.state.page_context = page_context
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware, max_bytes=settings.max_request_bytes)
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    app.include_router(api_router)
    app.include_router(auth.router)
    app.include_router(partnerships.router)
    app.include_router(pages_router)
    return app
