"""The HTML pages: each renders the result of the same use case as its JSON twin.

Pages are server-rendered Jinja2 templates; HTMX swaps fragments (a profile for another
year, organisation search results, partner results while the recommender fits) and the map
draws the GeoJSON twin with Leaflet. Every asset is served from ``/static``; no page has an inline
script, event handler or style (the Content-Security-Policy of :mod:`clusterix.web.security`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import AfterValidator

from clusterix.app import complementarity as complementarity_cases
from clusterix.app import datasets as dataset_cases
from clusterix.app import glossary as glossary_cases
from clusterix.app import partners as partner_cases
from clusterix.app import peers as peer_cases
from clusterix.app import profile as profile_cases
from clusterix.app import regions as region_cases
from clusterix.app.background import NotReadyError
from clusterix.errors import ClusterixError, InvalidInputError
from clusterix.web.params import (
    ACTIVITY_PATTERN,
    DATASET_PATTERN,
    INDICATOR_PATTERN,
    MEASURE_PATTERN,
    ORGANISATION_PATTERN,
    PERIOD_PATTERN,
    REGION_PATTERN,
    TEXT_PATTERN,
)
from clusterix.web.responses import cached_page, run_limited, workspace
from clusterix.web.security import svg_without_inline_styles
from clusterix.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _or_none(value: str | None) -> str | None:
    """A form's empty choice ("same as research", "any") is no choice."""
    return value or None


def _optional(pattern: str) -> str:
    """``pattern`` or the empty string (what a form's empty option sends)."""
    return rf"^(|{pattern.removeprefix('^').removesuffix('$')})$"


Dataset = Annotated[str | None, Query(pattern=_optional(DATASET_PATTERN)), AfterValidator(_or_none)]
Measure = Annotated[str | None, Query(pattern=MEASURE_PATTERN), AfterValidator(_or_none)]
Year = Annotated[str | None, Query(pattern=_optional(PERIOD_PATTERN)), AfterValidator(_or_none)]
Code = Annotated[str, Path(pattern=REGION_PATTERN)]  # any case: a lower-case code is redirected to its page


def _query(**values: Any) -> str:
    return urlencode({key: value for key, value in values.items() if value not in (None, "", False)})


def _profile_charts(charts: dict[str, str]) -> dict[str, Any]:
    """The profile's SVG charts as markup the Content-Security-Policy allows (presentation
    attributes instead of style attributes: the policy has no 'unsafe-inline')."""
    from markupsafe import Markup

    return {key: Markup(svg_without_inline_styles(svg)) for key, svg in charts.items()}


async def _observation_datasets(request: Request) -> list[dict[str, Any]]:
    items = await run_limited(request, dataset_cases.list_datasets, workspace(request))
    return [item for item in items if item["kind"] == "observations"]


@router.get("/", response_class=HTMLResponse)
async def map_page(
    request: Request,
    dataset: Dataset = None,
    measure: Measure = None,
    year: Year = None,
    indicator: Annotated[str, Query(pattern=INDICATOR_PATTERN)] = "eci",
    activity: Annotated[str | None, Query(pattern=ACTIVITY_PATTERN)] = None,
) -> HTMLResponse:
    datasets = await _observation_datasets(request)
    chosen = next((item for item in datasets if item["name"] == dataset), datasets[0] if datasets else None)
    activities = None
    if chosen is not None:
        found = await run_limited(
            request, dataset_cases.dataset_activities, workspace(request), dataset=chosen["name"], measure=measure
        )
        activities = found.model_dump()
    return render(
        request,
        "map.html",
        active="map",
        datasets=datasets,
        dataset=chosen,
        measure=measure,
        year=year or (chosen["periods"][-1] if chosen and chosen["periods"] else None),
        indicator=indicator,
        activity=activity,
        activities=activities,
        indicators=region_cases.INDICATORS,
    )


@router.get("/regions", response_class=HTMLResponse)
async def regions_page(
    request: Request, dataset: Dataset = None, measure: Measure = None, year: Year = None
) -> HTMLResponse:
    datasets = await _observation_datasets(request)
    values = None
    if datasets:
        found = await run_limited(
            request, region_cases.indicator_values, workspace(request), dataset=dataset, measure=measure, year=year
        )
        values = found.model_dump()
        values["items"] = sorted(values["items"], key=lambda item: (item["value"] is None, -(item["value"] or 0.0)))
    return render(request, "regions.html", active="regions", datasets=datasets, values=values)


async def _profile_values(
    request: Request, code: str, dataset: str | None, measure: str | None, year: str | None
) -> dict[str, Any]:
    current = workspace(request)
    found = await run_limited(
        request, profile_cases.region_profile, current, code, dataset=dataset, measure=measure, year=year
    )
    profile = found.model_dump()
    near = await run_limited(
        request, peer_cases.region_peers, current, code,
        dataset=profile["dataset"], measure=profile["measure"], year=profile["period"], k=5,
    )  # fmt: skip
    charts = await run_limited(
        request, profile_cases.profile_charts, current, code,
        dataset=profile["dataset"], measure=profile["measure"], year=profile["period"],
    )  # fmt: skip
    charts = _profile_charts(charts)
    query = _query(dataset=profile["dataset"], measure=measure, year=profile["period"])
    coverage = await run_limited(request, dataset_cases.region_coverage, current, code)
    return {
        "profile": profile, "peers": near.model_dump(), "charts": charts, "query": query,
        "charts_available": profile_cases.charts_available(), "coverage": coverage,
    }  # fmt: skip


@router.get("/regions/{code}", response_class=HTMLResponse)
async def profile_page(
    request: Request, code: Code, dataset: Dataset = None, measure: Measure = None, year: Year = None
) -> Response:
    if code != code.upper():  # /regions/uki3: the page's one address is /regions/UKI3
        target = f"/regions/{code.upper()}" + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(target, status_code=308)

    async def build() -> Response:
        values = await _profile_values(request, code, dataset, measure, year)
        return render(request, "profile.html", active="regions", **values)

    return await cached_page(request, build)


@router.get("/regions/{code}/fragment", response_class=HTMLResponse)
async def profile_fragment(
    request: Request, code: Code, dataset: Dataset = None, measure: Measure = None, year: Year = None
) -> Response:
    """The body of the profile page for another year (swapped in by HTMX)."""
    code = code.upper()

    async def build() -> Response:
        values = await _profile_values(request, code, dataset, measure, year)
        return render(request, "_profile_body.html", **values)

    return await cached_page(request, build)


#: The export of an HTML report carries its CSS inline and runs no script: a policy of its own.
_REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"


@router.get("/regions/{code}/export.{format}")
async def profile_export(
    request: Request,
    code: Code,
    format: Annotated[str, Path(pattern="^(csv|html|pdf)$")],
    dataset: Dataset = None,
    measure: Measure = None,
    year: Year = None,
) -> Response:
    """The profile as a CSV table, an HTML report or a PDF report (a download)."""
    code = code.upper()
    body = await run_limited(
        request, profile_cases.profile_export, workspace(request), code,
        format=format, dataset=dataset, measure=measure, year=year,
    )  # fmt: skip
    name = f"clusterix-{code}-{dataset or 'profile'}.{format}"
    headers = {"Content-Disposition": f'{"inline" if format == "html" else "attachment"}; filename="{name}"'}
    if format == "html":
        headers["Content-Security-Policy"] = _REPORT_POLICY
    return Response(body, media_type=profile_cases.EXPORT_FORMATS[format], headers=headers)


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    regions: Annotated[str | None, Query(max_length=200)] = None,
    dataset: Dataset = None,
    industry: Dataset = None,
    year: Year = None,
) -> HTMLResponse:
    current = workspace(request)
    datasets = await _observation_datasets(request)
    result, peers, message = None, None, None
    codes = [code.strip().upper() for code in (regions or "").replace(" ", ",").split(",") if code.strip()]
    if codes:
        bad = [code for code in codes if not re.fullmatch(REGION_PATTERN, code)]
        if bad:
            raise InvalidInputError(f"Not a NUTS code: {', '.join(bad)} (e.g. UKI3).")
        try:
            found = await run_limited(
                request, complementarity_cases.complementarity_between, current, codes,
                research=dataset, industry=industry, year=year,
            )  # fmt: skip
            result = found.model_dump()
            near = await run_limited(
                request, peer_cases.region_peers, current, codes[0], dataset=dataset, year=year, k=5
            )
            peers = near.model_dump()
        except ClusterixError as error:  # shown on the page, next to the form the user can correct
            message = str(error)
    return render(
        request,
        "compare.html",
        active="compare",
        datasets=datasets,
        regions=",".join(codes),
        dataset=dataset,
        industry=industry,
        result=result,
        peers=peers,
        message=message,
    )


Org = Annotated[str | None, Query(pattern=ORGANISATION_PATTERN)]
Kinds = Annotated[str | None, Query(max_length=100)]


@router.get("/partners", response_class=HTMLResponse)
async def partners_page(
    request: Request,
    org: Org = None,
    q: Annotated[str | None, Query(max_length=100, pattern=TEXT_PATTERN)] = None,
    kinds: Kinds = None,
) -> HTMLResponse:
    values = await _partner_values(request, org, kinds) if org else {}
    search = await _search(request, q) if q else None
    return render(request, "partners.html", active="partners", org=org, q=q, kinds=kinds, search=search, **values)


async def _search(request: Request, q: str) -> dict[str, Any]:
    found = await run_limited(request, partner_cases.search_organisations, workspace(request), q=q, limit=20)
    return found.model_dump()


async def _partner_values(request: Request, org: str, kinds: str | None) -> dict[str, Any]:
    current = workspace(request)
    detail = await run_limited(request, partner_cases.organisation_detail, current, org)
    chosen = [kind for kind in (kinds or "").split(",") if kind] or None
    try:
        found = await run_limited(request, partner_cases.partner_recommendations, current, org, k=15, kinds=chosen)
        result, status = found.model_dump(), "ready"
    except NotReadyError:  # the page polls for the results while the recommender fits
        result, status = None, "fitting"
    return {
        "organisation": detail.model_dump(),
        "result": result,
        "status": status,
        "fit": current.caches.partners.describe(),
        "poll_query": _query(org=org, kinds=kinds),
    }


@router.get("/partners/search", response_class=HTMLResponse)
async def partners_search(
    request: Request, q: Annotated[str, Query(max_length=100, pattern=TEXT_PATTERN)] = ""
) -> HTMLResponse:
    """Organisation search results (swapped in by HTMX as the user types)."""
    search = await _search(request, q) if q.strip() else None
    return render(request, "_org_search.html", search=search, q=q)


@router.get("/partners/results", response_class=HTMLResponse)
async def partners_results(
    request: Request,
    org: Annotated[str, Query(pattern=ORGANISATION_PATTERN)],
    kinds: Kinds = None,
) -> HTMLResponse:
    """The ranked partners of ``org`` (polled by HTMX while the recommender fits)."""
    values = await _partner_values(request, org, kinds)
    return render(request, "_partner_results.html", org=org, kinds=kinds, **values)


@router.get("/glossary", response_class=HTMLResponse)
async def glossary_page(request: Request) -> HTMLResponse:
    """Every indicator in plain words, with its formula and reference."""
    return render(request, "glossary.html", active="glossary", entries=glossary_cases.glossary())
