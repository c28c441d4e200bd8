"""Fixtures of the browser tests: the real web app served on a loopback port over a store
with real data, and headless Chromium driven by Playwright.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or ``CLUSTERIX_CHROMIUM``);
Playwright's own browser download is never used. The tests skip with a message when
Playwright, Chromium or the real data in ``../shared/data`` is absent.

Two sites are served, one per backend:

- ``demo-duckdb``: the demo store of ``clusterix demo`` (UK BRES, NUTS, CORDIS H2020) in
  an embedded DuckDB file, with the GISCO boundaries; screenshots come from this one;
- ``demo-postgresql``: the same demo data loaded into the PostgreSQL server named by
  ``CLUSTERIX_TEST_POSTGRES_URL`` (skipped when unset; ``.ci/run`` sets it).

The partner recommender is fitted once, on the first site (about 80 s on two cores), and
handed to the second: both stores hold the same organisations, and fitting from a
PostgreSQL store is covered by the API tests (``tests/web/test_api.py``). Run
``-k postgresql`` alone and the PostgreSQL site fits its own.

Set ``CLUSTERIX_SCREENSHOTS`` to save a 1280x800 screenshot of each page (DuckDB site only);
the ones in the docs come from
``CLUSTERIX_SCREENSHOTS=docs/img .venv/bin/python -m pytest tests/e2e -k duckdb``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import POSTGRES_URL, web_settings

CHROMIUM = os.environ.get("CLUSTERIX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
MEMBER_EMAIL = "member@example.org"
MEMBER_PASSWORD = "correct horse battery"
#: The member's organisation: a CORDIS PIC (an Austrian university, 205 H2020 participations).
MEMBER_ORGANISATION = "999979888"
_FITTED: list = []  # the partner recommender's state once a site has fitted it
_PG_SCHEMA = "clusterix_e2e_tests"  # a schema of its own, so other suites' wipes of 'public' do not interfere


@dataclass
class Site:
    """A running server: its base URL, store and backend, and the member account's credentials."""

    url: str
    backend: str
    store: object
    app: object
    email: str = MEMBER_EMAIL
    password: str = MEMBER_PASSWORD
    organisation: str = MEMBER_ORGANISATION


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_target() -> str:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {_PG_SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA {_PG_SCHEMA}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{_PG_SCHEMA}"


class _Server:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread; stopped by :meth:`stop`."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="clusterix-e2e-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if not self.thread.is_alive():
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the web app did not answer {self.url}/api/v1/health within {timeout:g} s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, or skip."""
    pytest.importorskip("playwright.sync_api", reason="needs the playwright package (pip install -e '.[dev]')")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium; or set CLUSTERIX_CHROMIUM)")
    return CHROMIUM


@pytest.fixture(scope="module", params=["demo-duckdb", "demo-postgresql"])
def site(request, chromium_path, shared_data, tmp_path_factory) -> Iterator[Site]:
    """The demo app served on a free loopback port, with a member account; the partner
    recommender starts fitting at once (as in ``clusterix demo``)."""
    from clusterix.app.demo import load_demo
    from clusterix.storage import Store
    from clusterix.tracking import create_user
    from clusterix.web.app import create_app

    backend = request.param.split("-", 1)[1]
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("set CLUSTERIX_TEST_POSTGRES_URL to run the browser tests on PostgreSQL (.ci/run does)")
        target = _postgres_target()
    else:
        target = str(tmp_path_factory.mktemp("e2e") / "demo.duckdb")
    store = Store.open(target)
    try:
        report = load_demo(store, shared_data)
        create_user(store, MEMBER_EMAIL, MEMBER_PASSWORD, organisation_id=MEMBER_ORGANISATION, as_owner=True)
        app = create_app(web_settings(report.boundaries), store=store)
        if _FITTED:
            app.state.caches.partners = _FITTED[0]
        else:
            app.state.caches.partners.start(store)
        server = _Server(app)
        server.start()
    except BaseException:
        store.close()
        raise
    yield Site(url=server.url, backend=backend, store=store, app=app)
    if backend == "postgresql":
        _FITTED.clear()  # the last backend: free the model (a few hundred MB)
    elif app.state.caches.partners.status == "ready":
        _FITTED[:] = [app.state.caches.partners]
    server.stop()
    store.close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, site):
    """A fresh browser context (no cookies) at 1280x800; fails the test on a page script error."""
    context = browser.new_context(viewport=VIEWPORT, base_url=site.url)
    context.set_default_timeout(20_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(page, name, site)`` saves ``<CLUSTERIX_SCREENSHOTS>/web-<name>.png`` (DuckDB demo only)."""
    folder = os.environ.get("CLUSTERIX_SCREENSHOTS")

    def save(page, name: str, site: Site) -> None:
        if folder and site.backend == "duckdb":
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"web-{name}.png"))

    return save
