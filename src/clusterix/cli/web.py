"""Web commands of the ``clusterix`` command line: ``serve`` (the web app over a store) and
``demo`` (a fresh store with real public data, then the web app over it).

Both take ``--get PATH`` to answer one request in-process and print it instead of serving
(handy for scripts and smoke tests, as ``datasette --get``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from clusterix.extras import require

__all__ = ["register"]

_out = Console()
_err = Console(stderr=True)

Host = Annotated[str | None, typer.Option(help="Address to listen on (CLUSTERIX_HOST; default 127.0.0.1).")]
Port = Annotated[int | None, typer.Option(help="Port (CLUSTERIX_PORT; default 8000).")]
Settings = Annotated[Path | None, typer.Option("--settings", help="TOML settings file (CLUSTERIX_SETTINGS_FILE).")]
Get = Annotated[
    str | None, typer.Option("--get", help="Answer this one request (e.g. /api/v1/health) and print it; no server.")
]


def _get(app, path: str) -> None:
    """Run one GET request in-process; print the body; exit 2 on an error status."""
    require("httpx", "web", "Answering --get")
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)
    typer.echo(response.text)
    if response.status_code >= 400:
        raise typer.Exit(2)


def _serve(app, host: str, port: int) -> None:
    uvicorn = require("uvicorn", "web", "Serving the web app")

    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer, user_errors: Callable) -> None:
    """Add the web commands to the main application."""

    @app.command("serve")
    @user_errors
    def serve_command(
        db: Annotated[str | None, typer.Option(help="The store (path or postgresql:// URL; CLUSTERIX_DB).")] = None,
        host: Host = None,
        port: Port = None,
        settings: Settings = None,
        get: Get = None,
    ) -> None:
        """Serve the web app (map, region profiles, comparisons, partner search, REST API) over a store."""
        require("fastapi", "web", "The web app")
        from clusterix.web.app import create_app
        from clusterix.web.settings import WebSettings

        resolved = WebSettings.resolve(settings, db=db, host=host, port=port)
        web_app = create_app(resolved)
        if get is not None:
            _get(web_app, get)
            return
        if resolved.precompute:  # the region pages are computed in the background while requests are served
            web_app.state.workspace.precompute.start()
        _out.print(f"clusterix serving {resolved.db} at http://{resolved.host}:{resolved.port}/", highlight=False)
        _serve(web_app, resolved.host, resolved.port)

    @app.command("demo")
    @user_errors
    def demo_command(
        data_from: Annotated[
            Path | None,
            typer.Option("--from", help="Folder with local copies of the data sets (e.g. ../shared/data)."),
        ] = None,
        db: Annotated[
            Path | None, typer.Option(help="DuckDB file for the demo store (default: a new file in a temp folder).")
        ] = None,
        host: Host = None,
        port: Port = None,
        settings: Settings = None,
        get: Get = None,
        admin: Annotated[
            str | None,
            typer.Option(help="Also create this administrator account; its random password is printed once."),
        ] = None,
        eurostat_url: Annotated[str | None, typer.Option(hidden=True, help="Eurostat SDMX API base (tests).")] = None,
        cordis_url: Annotated[str | None, typer.Option(hidden=True, help="CORDIS H2020 archive URL (tests).")] = None,
    ) -> None:
        """Build a fresh store with real public data and serve the web app over it: with --from DIR the local
        copies (UK BRES employment, CORDIS H2020 participations), else the official files downloaded once and
        cached (Eurostat SBS employment by NUTS 2 region, CORDIS H2020 projects); NUTS regions and boundaries."""
        from clusterix.app.demo import OnlineSources, prepare_sources
        from clusterix.storage import Store

        require("fastapi", "web", "The web app")

        online = OnlineSources(
            **{name: url for name, url in (("eurostat_api", eurostat_url), ("cordis_url", cordis_url)) if url}
        )
        sources = prepare_sources(data_from, online_sources=online)  # downloads first: before any file is created
        path = db if db is not None else Path(tempfile.mkdtemp(prefix="clusterix-demo-")) / "demo.duckdb"
        kept = "" if db is not None else " (a temporary store, deleted at exit; pass --db PATH to keep it)"
        _err.print(f"demo store: {path}{kept}", highlight=False)
        store = Store.open(path)
        try:
            _run_demo(store, path, data_from, sources, admin, settings, host, port, get)
        finally:
            store.close()
            if db is None:  # the store of this run only: nothing left behind in the temporary folder
                shutil.rmtree(path.parent, ignore_errors=True)


def _run_demo(store, path: Path, data_from, sources, admin, settings, host, port, get) -> None:
    """Load the demo data into ``store`` and serve it (or answer ``--get``); the caller closes the store."""
    from clusterix.app.demo import load_demo
    from clusterix.web.app import create_app
    from clusterix.web.settings import WebSettings

    report = load_demo(store, data_from, sources=sources)
    _err.print(
        f"loaded {', '.join(report.datasets)}; {report.regions:,} NUTS regions, {report.organisations:,} organisations",
        highlight=False,
    )
    for note in report.notes:
        _err.print(note, highlight=False)
    if admin is not None:
        import secrets

        from clusterix.tracking.accounts import create_user

        password = secrets.token_urlsafe(12)
        create_user(store, admin, password, role="admin", as_owner=True)
        _err.print(f"administrator {admin} created; password (shown once): {password}", highlight=False)
    resolved = WebSettings.resolve(settings, db=str(path), host=host, port=port, boundaries=report.boundaries)
    web_app = create_app(resolved, store=store)
    if get is not None:
        _get(web_app, get)
        return
    web_app.state.caches.partners.start(store)  # the recommender fits in the background while the map is used
    _err.print("fitting the partner recommender in the background (the Partners page says when it is ready)")
    if resolved.precompute:
        web_app.state.workspace.precompute.start()
        _err.print("precomputing the region pages in the background (progress on /health)")
    _out.print(f"http://{resolved.host}:{resolved.port}/", highlight=False)
    _serve(web_app, resolved.host, resolved.port)
