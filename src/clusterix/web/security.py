"""Security headers on every response of the web app, and inline SVG made safe for the policy.

:class:`SecurityHeadersMiddleware` is a pure ASGI middleware, registered outermost by
:func:`clusterix.web.app.create_app`, so that pages, the API, static files and every error
(also the 413 and 500 answers of :class:`~clusterix.web.errors.GuardMiddleware`) carry:

- ``Content-Security-Policy`` (:data:`CONTENT_SECURITY_POLICY`): scripts, styles, images,
  fonts and connections from this origin only; no ``'unsafe-inline'`` and no ``'unsafe-eval'``
  (the templates have no inline script, event handler, ``<style>`` block or ``style``
  attribute; ``tests/web/test_security_headers.py`` checks it), no plugins, no ``<base>``
  elsewhere, forms post to this origin only, and ``frame-ancestors 'none'``;
- ``X-Frame-Options: DENY`` (the same for browsers without CSP level 2: no page, such as
  the board's one-click "End" buttons, can be framed and clickjacked);
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``,
  ``Permissions-Policy`` (camera, microphone, geolocation, payment, USB and the like off),
  ``Cross-Origin-Opener-Policy: same-origin``;
- ``Strict-Transport-Security`` only when the request came over TLS (the ASGI scope's
  scheme is ``https``; behind a reverse proxy that terminates TLS run uvicorn with
  ``--proxy-headers`` and ``--forwarded-allow-ips`` so that the scheme is the visitor's).

A header the route already set is kept (a route may tighten its own policy).
"""

from __future__ import annotations

import html
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "HSTS",
    "PERMISSIONS_POLICY",
    "SECURITY_HEADERS",
    "SecurityHeadersMiddleware",
    "svg_without_inline_styles",
]

#: The Content-Security-Policy of every response: nothing is loaded from anywhere but this origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: Browser features no page of the app uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
#: Strict-Transport-Security, sent over TLS only: one year, subdomains included.
HSTS = "max-age=31536000; includeSubDomains"
#: The headers of every response (HSTS comes on top over TLS).
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding :data:`SECURITY_HEADERS` (and :data:`HSTS` over TLS) to every
    HTTP response; headers a route set itself are left as they are."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers.append(name, value)
                if over_tls and "Strict-Transport-Security" not in headers:
                    headers.append("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- inline SVG under the policy --------------------------------------------------------------

# The SVG presentation attributes (SVG 2, section "Presentation attributes") that Matplotlib's
# style declarations use; a declaration of any other property is dropped.
_PRESENTATION = frozenset(
    {
        "clip-path", "clip-rule", "color", "display", "dominant-baseline", "fill", "fill-opacity", "fill-rule",
        "font-family", "font-size", "font-style", "font-variant", "font-weight", "letter-spacing", "opacity",
        "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
        "stroke-opacity", "stroke-width", "text-anchor", "visibility", "white-space",
    }
)  # fmt: skip
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>\s*", re.S)
_UNIVERSAL_RULE = re.compile(r"^\s*\*\s*\{([^}]*)\}\s*$", re.S)


def _attributes(declarations: str) -> str:
    pairs = []
    for declaration in html.unescape(declarations).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name in _PRESENTATION and value:
            pairs.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(pairs)


def svg_without_inline_styles(svg: str) -> str:
    """``svg`` (Matplotlib's inline SVG) with its ``style`` attributes and ``<style>`` element
    turned into presentation attributes, which the Content-Security-Policy allows.

    The universal rule Matplotlib puts in ``<style>`` (``*{stroke-linejoin: round; ...}``)
    becomes attributes of the root ``<svg>``, inherited by every element; any other rule is
    dropped.

    >>> svg_without_inline_styles('<svg><defs><style>*{stroke-linecap: butt}</style></defs>'
    ...                           '<path style="fill: #fff; stroke-width: 0.8"/></svg>')
    '<svg stroke-linecap="butt"><defs></defs><path fill="#fff" stroke-width="0.8"/></svg>'
    """
    inherited = []
    for rule in _STYLE_ELEMENT.findall(svg):
        universal = _UNIVERSAL_RULE.match(rule)
        if universal:
            inherited.append(_attributes(universal.group(1)))
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(lambda found: _attributes(found.group(1)), svg)
    if inherited:
        svg = re.sub(r"<svg\b", lambda _: "<svg" + "".join(inherited), svg, count=1)
    return svg
