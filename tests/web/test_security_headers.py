"""Security headers on every response (pages, API, static files, errors) and pages that need no
'unsafe-inline': no inline script, event handler, <style> block or style attribute, checked on
the pages as the app renders them, on both store backends."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

import clusterix.web as web_package
from clusterix.tracking import accounts, add_note, propose_partnership
from clusterix.web.errors import GuardMiddleware, install_error_handlers
from clusterix.web.security import CONTENT_SECURITY_POLICY, SecurityHeadersMiddleware, svg_without_inline_styles
from tests.tracking.webapp import BACKENDS, signed_in, tracker_app
from tests.tracking.world import CHEAP_HASHER

TEMPLATES = Path(web_package.__file__).parent / "templates"

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}


def _directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def assert_security_headers(response, *, tls: bool = False) -> None:
    """Every header of :mod:`clusterix.web.security` is on ``response``; HSTS exactly over TLS."""
    headers = response.headers
    where = f"{response.request.method} {response.request.url} ({response.status_code})"
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (where, name, headers.get(name))
    policy = _directives(headers.get("content-security-policy", ""))
    assert policy.get("frame-ancestors") == ["'none'"], where
    for directive in ("default-src", "script-src", "style-src"):
        assert policy.get(directive) == ["'self'"], (where, directive, policy.get(directive))
    assert policy.get("object-src") == ["'none'"], where
    assert "geolocation=()" in headers.get("permissions-policy", ""), where
    assert ("strict-transport-security" in headers) is tls, where
    if tls:
        assert re.fullmatch(r"max-age=\d{7,}; includeSubDomains", headers["strict-transport-security"])


def test_the_policy_allows_nothing_inline() -> None:
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "*" not in CONTENT_SECURITY_POLICY and "data:" not in CONTENT_SECURITY_POLICY


# Every family of routes of the tiny site: pages, fragments, the API, the schema, static files, errors.
ROUTES = [
    ("get", "/", 200),
    ("get", "/regions", 200),
    ("get", "/regions/XA11", 200),
    ("get", "/regions/XA11/fragment?year=2017", 200),
    ("get", "/compare?regions=XA11,XA12", 200),
    ("get", "/partners", 200),
    ("get", "/partners/search?q=Organisation", 200),
    ("get", "/partnerships", 200),
    ("get", "/login", 200),
    ("get", "/api/v1/health", 200),
    ("get", "/api/v1/regions", 200),
    ("get", "/api/v1/indicators/geojson", 200),
    ("get", "/api/v1/organisations?q=Organisation", 200),
    ("get", "/api/v1/partnerships", 200),
    ("get", "/api/v1/openapi.json", 200),
    ("get", "/static/app.css", 200),
    ("get", "/static/map.js", 200),
    ("get", "/static/vendor/htmx.min.js", 200),
    ("get", "/static/no-such-file.js", 404),
    ("get", "/no-such-page", 404),
    ("get", "/api/v1/no-such-route", 404),
    ("get", "/regions/XA99", 404),
    ("get", "/api/v1/regions/x-99", 422),
    ("get", "/account", 303),  # to the sign-in form
    ("get", "/api/v1/auth/me", 401),
    ("post", "/api/v1/partnerships", 401),
    ("delete", "/api/v1/health", 405),
]


@pytest.mark.parametrize(("method", "path", "status"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_route_family_has_the_headers(client, method, path, status) -> None:
    response = client.request(method, path, json={} if method == "post" else None, follow_redirects=False)
    assert response.status_code == status, response.text[:300]
    assert_security_headers(response)


def test_too_large_bodies_are_answered_with_the_headers(client) -> None:
    # The tiny app's max_request_bytes is 2,000: the guard answers before any route runs.
    for path in ("/api/v1/partnerships", "/partnerships"):
        response = client.post(path, content=b"x" * 5_000, headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert_security_headers(response)


def test_an_unexpected_error_is_answered_with_the_headers() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/v1/boom")
    def boom(request: Request) -> None:
        raise RuntimeError("a bug")

    app.add_middleware(GuardMiddleware, max_bytes=1_000)
    app.add_middleware(SecurityHeadersMiddleware)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/boom")
    assert response.status_code == 500 and "a bug" not in response.text
    assert_security_headers(response)


def test_hsts_only_over_tls(tiny_app) -> None:
    with TestClient(tiny_app, base_url="https://testserver", raise_server_exceptions=False) as client:
        for path in ("/", "/api/v1/health", "/static/app.css", "/no-such-page"):
            assert_security_headers(client.get(path), tls=True)
    with TestClient(tiny_app, base_url="http://testserver", raise_server_exceptions=False) as client:
        assert_security_headers(client.get("/"), tls=False)
        # a client claiming TLS in a header is not believed (uvicorn's --proxy-headers decides the scheme)
        assert_security_headers(client.get("/", headers={"X-Forwarded-Proto": "https"}), tls=False)


def test_a_header_set_by_a_route_is_kept() -> None:
    app = FastAPI()

    @app.get("/framed")
    def framed() -> dict:
        from fastapi.responses import JSONResponse

        return JSONResponse({}, headers={"X-Frame-Options": "SAMEORIGIN"})

    app.add_middleware(SecurityHeadersMiddleware)
    response = TestClient(app).get("/framed")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-content-type-options"] == "nosniff"


# -- no inline script, handler or style -------------------------------------------------------


class _InlineFinder(HTMLParser):
    """Everything in a page that a Content-Security-Policy without 'unsafe-inline' would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            if not names.get("src"):
                self.problems.append(f"<script> without src at line {self.getpos()[0]}")
            else:
                self.scripts.append(names["src"])
        if tag == "style":
            self.problems.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in names.items():
            if name == "style":
                self.problems.append(f"style attribute on <{tag}> at line {self.getpos()[0]}: {value[:60]!r}")
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"event handler {name} on <{tag}> at line {self.getpos()[0]}")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name} of <{tag}>")
            if name == "hx-vals" and value.strip().lower().startswith("js:"):
                self.problems.append(f"js: hx-vals on <{tag}> (needs eval)")

    handle_startendtag = handle_starttag


def assert_no_inline_code(response) -> list[str]:
    """The page parses and holds nothing inline; returns its script addresses."""
    assert response.status_code == 200, (response.request.url, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    finder = _InlineFinder()
    finder.feed(response.text)
    finder.close()
    assert finder.tags > 0
    assert not finder.problems, (str(response.request.url), finder.problems)
    for source in finder.scripts:
        assert source.startswith("/static/"), source  # nothing from another site
    return finder.scripts


@pytest.mark.parametrize("path", [path for method, path, status in ROUTES if status == 200 and "/api/" not in path
                                  and not path.startswith("/static/")])  # fmt: skip
def test_pages_have_no_inline_code(client, path) -> None:
    scripts = assert_no_inline_code(client.get(path))
    if path == "/":
        assert scripts == ["/static/vendor/htmx.min.js", "/static/vendor/leaflet.js", "/static/map.js"]


def test_profile_charts_keep_their_colours_without_style_attributes(client) -> None:
    text = client.get("/regions/XA11").text
    assert "<svg" in text and 'class="chart"' in text
    assert 'fill="#ffffff"' in text  # Matplotlib's styles as presentation attributes
    assert 'stroke-linejoin="round"' in text  # its <style> rule on the root element


def test_partner_results_with_bars_have_no_inline_style(client) -> None:
    deadline = time.monotonic() + 90
    while True:
        response = client.get("/partners/results", params={"org": "1008"})  # 1008 has new candidates
        if 'id="partners-fitting"' not in response.text or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert 'class="partner-row"' in response.text, "the recommender did not fit within 90 s"
    assert_no_inline_code(response)
    assert re.search(r'<rect class="bar (pos|neg)" width="[0-9.]+" height="1"/>', response.text)
    assert_no_inline_code(client.get("/partners", params={"org": "1008"}))


@pytest.fixture(params=BACKENDS)
def tracker(request, tmp_path, monkeypatch):
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    with tracker_app(tmp_path, request.param) as made:
        yield made


def test_signed_in_pages_have_no_inline_code(tracker) -> None:
    app, world = tracker
    created = propose_partnership(app.state.store, "A", "C", actor=world.admin, note="A public description")
    add_note(app.state.store, created.id, "psst", actor=world.alice, private=True)
    for user in (world.alice, world.admin):
        browser, _ = signed_in(app, user)
        for path in ("/partnerships", f"/partnerships/{created.id}", "/account", "/"):
            response = browser.get(path)
            assert_no_inline_code(response)
            assert_security_headers(response)
    anonymous = TestClient(app)
    assert_no_inline_code(anonymous.get("/login"))


def test_error_pages_have_no_inline_code(client) -> None:
    for path in ("/no-such-page", "/regions/XA99", "/regions/x-99"):
        response = client.get(path)
        assert response.status_code >= 400
        finder = _InlineFinder()
        finder.feed(response.text)
        assert not finder.problems, (path, finder.problems)


def test_no_template_source_has_inline_code() -> None:
    """The templates themselves, including branches the tests above may not draw."""
    pattern = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|\shx-on|javascript:", re.I)
    for template in sorted(TEMPLATES.glob("*.html")):
        found = pattern.findall(template.read_text(encoding="utf-8"))
        assert not found, (template.name, found)


def test_svg_styles_become_presentation_attributes() -> None:
    svg = (
        '<svg class="chart"><defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'
        '</defs><path d="M 0 0" style="fill: #1f77b4; stroke: #000; mix-blend-mode: multiply"/>'
        "<text style=\"font-size: 10px; font-family: 'DejaVu Sans', sans-serif; text-anchor: end\">x</text></svg>"
    )
    converted = svg_without_inline_styles(svg)
    assert "style" not in converted
    assert converted.startswith('<svg stroke-linejoin="round" stroke-linecap="butt" class="chart">')
    assert '<path d="M 0 0" fill="#1f77b4" stroke="#000"/>' in converted
    assert 'font-family="&#x27;DejaVu Sans&#x27;, sans-serif" text-anchor="end"' in converted


# -- state-changing actions stay POST with CSRF -------------------------------------------------


def test_state_changing_routes_are_post_only(tiny_app) -> None:
    """No GET route changes anything: every route whose path says it acts is POST, and the
    tracker's and sign-in forms are POST with a csrf_token field."""
    acting = re.compile(r"/(transitions|notes|logout|login|users)$")
    for route in tiny_app.routes:
        methods = getattr(route, "methods", None) or set()
        if acting.search(getattr(route, "path", "")) and "GET" in methods:
            assert route.path in ("/login", "/api/v1/users"), route.path  # the sign-in form and the admin's list
    forms = re.compile(r"<form\b[^>]*>", re.I)
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in forms.finditer(text):
            tag = match.group(0)
            if re.search(r'method="post"', tag, re.I):
                body = text[match.end() : text.index("</form>", match.end())]
                assert 'name="csrf_token"' in body, (template.name, tag)
            else:
                assert 'method="get"' in tag.lower() or "hx-get" in tag, (template.name, tag)
