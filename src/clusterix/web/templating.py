"""What every page template gets (navigation, the active section, the version) and the one
way to render a page; used by the page routes and by the error pages of :mod:`clusterix.web.errors`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

__all__ = ["NAV", "page_context", "render"]

#: The main navigation: section key, label, address.
NAV = (
    ("map", "Map", "/"),
    ("regions", "Regions", "/regions"),
    ("compare", "Compare", "/compare"),
    ("partners", "Partners", "/partners"),
    ("partnerships", "Partnerships", "/partnerships"),
    ("glossary", "Glossary", "/glossary"),
)


def page_context(request: Request, *, active: str | None = None, **values: Any) -> dict[str, Any]:
    """The values every page template gets: navigation, the active section and ``values``."""
    return {"nav": NAV, "active": active, "version": request.app.version, **values}


def render(
    request: Request, template: str, *, active: str | None = None, status_code: int = 200,
    headers: dict[str, str] | None = None, **values: Any,
) -> HTMLResponse:  # fmt: skip
    """The page ``template`` drawn with :func:`page_context` and ``values``."""
    return request.app.state.templates.TemplateResponse(
        request, template, page_context(request, active=active, **values), status_code=status_code, headers=headers
    )
