"""Organisations and their recommended partners: ``/api/v1/organisations``,
``/api/v1/organisations/{organisation_id}`` and ``.../partners``."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, Field

from clusterix.app import partners as partner_cases
from clusterix.app.results import Organisation, OrganisationDetail, Page, Partners
from clusterix.app.workspace import Workspace
from clusterix.web.errors import ERROR_RESPONSES
from clusterix.web.params import (
    KIND_LIST_PATTERN,
    KINDS_PATTERN,
    REGION_LIST_PATTERN,
    TEXT_PATTERN,
    Limit,
    Offset,
    OrganisationId,
)
from clusterix.web.responses import cached_json, page_limit, workspace
from clusterix.web.routes.partnerships import next_link

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)


class OrganisationPage(Page[Organisation]):
    """One page of an organisation search, with the address of the next one."""

    next: str | None = Field(description="The address of the next page, if any")


def _search_page(current: Workspace, *, q: str | None, kind: str | None, country: str | None, limit: int,
                 offset: int) -> OrganisationPage:  # fmt: skip
    found = partner_cases.search_organisations(current, q=q, kind=kind, country=country, limit=limit, offset=offset)
    params = {"q": q, "kind": kind, "country": country}
    link = next_link("/api/v1/organisations", params, total=found.total, limit=limit, offset=offset)
    return OrganisationPage(**found.model_dump(), next=link)


@router.get("/organisations", response_model=OrganisationPage, summary="Search organisations")
async def organisations(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, pattern=TEXT_PATTERN, description="Part of the name or id")] = None,
    kind: Annotated[str | None, Query(pattern=KINDS_PATTERN)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> Response:
    """Organisations whose name or id contains ``q``, a page at a time (``limit``, ``offset``;
    ``total`` and the ``next`` page's address in the answer)."""
    limit = page_limit(request, limit, 20)
    return await cached_json(
        request, ("organisations", q, kind, country, limit, offset), _search_page,
        workspace(request), q=q, kind=kind, country=country, limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/organisations/{organisation_id}", response_model=OrganisationDetail, summary="One organisation")
async def organisation(request: Request, organisation_id: OrganisationId) -> Response:
    return await cached_json(
        request, ("organisation", organisation_id), partner_cases.organisation_detail, workspace(request),
        organisation_id,
    )  # fmt: skip


@router.get(
    "/organisations/{organisation_id}/partners",
    response_model=Partners,
    summary="Recommended new partners with the reasons (component contributions)",
)
async def partners(
    request: Request,
    organisation_id: OrganisationId,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    kinds: Annotated[str | None, Query(pattern=KIND_LIST_PATTERN, description="Comma-separated kinds")] = None,
    regions: Annotated[
        str | None,
        Query(pattern=REGION_LIST_PATTERN, description="Comma-separated NUTS/country codes (any case)"),
        AfterValidator(lambda value: value if value is None else value.upper()),
    ] = None,
) -> Response:
    current = workspace(request)

    def key() -> tuple[Hashable, ...] | None:
        """Keyed by the fitted model too; nothing is cached before it is ready (a 503 is never cached)."""
        state = current.caches.partners
        return (
            ("partners", id(state.recommender), organisation_id, k, kinds, regions) if state.status == "ready" else None
        )

    return await cached_json(
        request, key, partner_cases.partner_recommendations, current, organisation_id,
        k=k, kinds=kinds.split(",") if kinds else None, regions=regions.split(",") if regions else None,
    )  # fmt: skip
