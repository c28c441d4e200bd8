"""The web app factory: wiring only (workspace, settings, templates, routers, error envelope).

``create_app(settings)`` opens the store named by the settings, keeps one
:class:`~clusterix.app.workspace.Workspace` over it on ``app.state.workspace`` for the app's
lifetime and closes the store at shutdown. Routes run in worker threads, so the store's
database is serialised (:class:`~clusterix.storage.serial.SerialDatabase`): DuckDB
connections must not be used by two threads at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from clusterix import __version__
from clusterix.app.workspace import Workspace
from clusterix.storage import SerialDatabase, Store
from clusterix.web.auth import template_context
from clusterix.web.errors import GuardMiddleware, install_error_handlers
from clusterix.web.hygiene import refuse_control_characters
from clusterix.web.routes import ROUTERS
from clusterix.web.security import SecurityHeadersMiddleware
from clusterix.web.settings import WebSettings

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent


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
    store = SerialDatabase.wrap(store if store is not None else Store.open(settings.db))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.workspace.precompute.stop()
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
        dependencies=[Depends(refuse_control_characters)],  # every route: no NUL or other control characters
    )
    app.state.settings = settings
    workspace = Workspace(store, boundaries=settings.boundaries)
    app.state.workspace = workspace
    app.state.store = workspace.store  # aliases of the workspace's parts
    app.state.caches = workspace.caches
    app.state.templates = Jinja2Templates(directory=str(_HERE / "templates"), context_processors=[template_context])
    install_error_handlers(app)
    app.add_middleware(GuardMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)  # added last = outermost: on every response, errors too
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
