"""The REST API under ``/api/v1``: parse and validate, call one service function under the
query time limit, serialise with a declared response model.

Every error is the envelope of :mod:`clusterix.web.errors`: an unknown region, dataset or
organisation is 404, a malformed parameter 422, a request that computes longer than the
query time limit 504, a result still being prepared (the partner recommender) 503.

The read-only routes (everything but ``/health``) answer from an in-memory cache of finished
responses, keyed by the request's parameters and the store version, which changes on every
import (:meth:`~clusterix.app.caches.Caches.store_version`): a repeated request is a
dictionary look-up on the event loop, without a worker thread, a query or a serialisation.
The first request computes in a worker thread, validates the result against the route's
response model and keeps the JSON bytes. Errors are never cached.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from clusterix.app import complementarity as complementarity_cases
from clusterix.app import datasets as dataset_cases
from clusterix.app import partners as partner_cases
from clusterix.app import peers as peer_cases
from clusterix.app import profile as profile_cases
from clusterix.app import regions as region_cases
from clusterix.app.background import NotReadyError
from clusterix.app.caches import Caches
from clusterix.app.results import (
    Activities,
    Complementarity,
    Datasets,
    FeatureCollection,
    Health,
    Indicators,
    Organisation,
    OrganisationDetail,
    Page,
    Partners,
    Peers,
    Profile,
    Region,
    RegionDetail,
)
from clusterix.app.workspace import Workspace
from clusterix.web.errors import ERROR_RESPONSES, api_error

__all__ = [
    "ACTIVITY_PATTERN",
    "DATASET_PATTERN",
    "ORGANISATION_PATTERN",
    "REGION_PATTERN",
    "TEXT_PATTERN",
    "cached_json",
    "router",
    "run_limited",
]

#: A NUTS code (level 0-3), e.g. ``DE``, ``UKI3``, ``FR101``.
REGION_PATTERN = r"^[A-Z]{2}[0-9A-Z]{0,3}$"
DATASET_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"
ORGANISATION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
ACTIVITY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.:&/\-]{0,79}$"
PERIOD_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,19}$"
MEASURE_PATTERN = r"^[A-Za-z0-9_.\- ]{0,60}$"
#: Free text (a search): no control characters (PostgreSQL text cannot hold NUL).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
_KINDS = r"^(enterprise|higher_education|research|public|other|cluster)$"
_REGION_LIST = r"^[A-Z]{2}[0-9A-Z]{0,3}(,[A-Z]{2}[0-9A-Z]{0,3}){0,19}$"
_KIND_LIST = r"^(enterprise|higher_education|research|public|other|cluster)(,(enterprise|higher_education|research|public|other|cluster)){0,5}$"  # noqa: E501

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)

# --------------------------------------------------------------------------- helpers


async def run_limited(request: Request, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a service call in a worker thread; 504 when it takes longer than the query time limit,
    503 when its result is still being prepared in the background."""
    limit = request.app.state.settings.query_time_limit
    call = functools.partial(function, *args, **kwargs)
    try:
        return await asyncio.wait_for(run_in_threadpool(call), timeout=limit)
    except TimeoutError:
        raise api_error(
            504, "query_timeout", f"The request took longer than the query time limit of {limit:g} s; narrow it down."
        ) from None
    except NotReadyError as error:
        raise api_error(503, "not_ready", str(error), headers={"Retry-After": str(error.retry_after)}) from None


async def cached_json(
    request: Request, model: type[BaseModel], key: tuple[Any, ...] | None, function: Callable[..., Any], *args: Any,
    **kwargs: Any,
) -> Response:  # fmt: skip
    """The JSON response of ``function(*args, **kwargs)`` validated as ``model``, from the
    response cache when ``key`` (the request's parameters; ``None``: do not cache) was seen
    at the current store version, else computed under :func:`run_limited` and kept."""
    caches = _caches(request)
    store = _store(request)
    if key is not None:
        version = caches.fresh_version(store)
        body = None if version is None else caches.payloads.get((version, key))
        if body is not None:
            return Response(body, media_type="application/json")

    def compute() -> bytes:
        version = caches.store_version(store) if key is not None else None  # before computing: an import
        body = None if key is None else caches.payloads.get((version, key))  # meanwhile makes a stale key
        if body is None:
            result = function(*args, **kwargs)
            if not isinstance(result, BaseModel):
                result = model.model_validate(result)
            body = result.model_dump_json().encode()
            if key is not None:
                caches.payloads.put((version, key), body)
        return body

    return Response(await run_limited(request, compute), media_type="application/json")


def _store(request: Request):
    return request.app.state.workspace.store


def _caches(request: Request) -> Caches:
    return request.app.state.workspace.caches


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def _page_limit(request: Request, limit: int | None, default: int) -> int:
    """The page size: ``limit``, or ``default`` capped at the max_page_size setting; 422 above that setting."""
    maximum = request.app.state.settings.max_page_size
    if limit is None:
        return min(default, maximum)
    if limit > maximum:
        raise api_error(
            422, "validation_error", f"Invalid request: query.limit: must be at most {maximum}.",
            [{"loc": ["query", "limit"], "msg": f"must be at most {maximum}", "type": "less_than_equal"}],
        )  # fmt: skip
    return limit


RegionCode = Annotated[str, Path(pattern=REGION_PATTERN, description="A NUTS code, e.g. UKI3")]
DatasetName = Annotated[str | None, Query(pattern=DATASET_PATTERN, description="Dataset name (default: the first)")]
MeasureName = Annotated[str | None, Query(pattern=MEASURE_PATTERN, description="Measure (default: the only one)")]
Year = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="Period (default: the last)")]
Limit = Annotated[
    int | None, Query(ge=1, le=10_000, description="Page size (default 100 for regions, 20 for organisations; at most "
                      "the max_page_size setting)")
]  # fmt: skip
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


# --------------------------------------------------------------------------- routes


@router.get("/health", response_model=Health, summary="The app is up; what the store holds")
async def health(request: Request) -> dict[str, Any]:
    store = _store(request)
    counts = await run_limited(request, store.table_counts)
    return {
        "status": "ok",
        "version": request.app.version,
        "backend": store.database.backend,
        "counts": counts,
        "partners": _caches(request).partners.describe(),
    }


@router.get("/regions", response_model=Page[Region], summary="NUTS regions, paginated")
async def regions(
    request: Request,
    level: Annotated[int | None, Query(ge=0, le=3)] = None,
    version: Annotated[int | None, Query(ge=2003, le=2100)] = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> Response:
    limit = _page_limit(request, limit, 100)
    return await cached_json(
        request, Page[Region], ("regions", level, version, limit, offset), region_cases.list_regions,
        _workspace(request), level=level, version=version, limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/regions/{code}", response_model=RegionDetail, summary="One region with its boundary")
async def region(
    request: Request, code: RegionCode, version: Annotated[int | None, Query(ge=2003, le=2100)] = None
) -> Response:
    return await cached_json(
        request, RegionDetail, ("region", code, version), region_cases.region_detail, _workspace(request),
        code, version=version,
    )  # fmt: skip


@router.get("/datasets", response_model=Datasets, summary="Loaded datasets with measures and periods")
async def datasets(request: Request) -> Response:
    return await cached_json(request, Datasets, ("datasets",), _datasets, _workspace(request))


def _datasets(workspace: Workspace) -> dict[str, Any]:
    return {"items": dataset_cases.list_datasets(workspace)}


@router.get("/datasets/{name}/activities", response_model=Activities, summary="A dataset's activity codes and titles")
async def dataset_activities(
    request: Request,
    name: Annotated[str, Path(pattern=DATASET_PATTERN)],
    measure: MeasureName = None,
) -> Response:
    return await cached_json(
        request, Activities, ("activities", name, measure), dataset_cases.dataset_activities, _workspace(request),
        dataset=name, measure=measure,
    )  # fmt: skip


IndicatorName = Annotated[str, Query(pattern="^(" + "|".join(region_cases.INDICATORS) + ")$")]
ActivityCode = Annotated[str | None, Query(pattern=ACTIVITY_PATTERN, description="Activity for indicator=lq")]


def _indicator_query(
    dataset: DatasetName = None,
    measure: MeasureName = None,
    year: Year = None,
    indicator: IndicatorName = "eci",
    activity: ActivityCode = None,
) -> dict[str, Any]:
    """The query parameters shared by the indicator routes (a dependency)."""
    return {"dataset": dataset, "measure": measure, "year": year, "indicator": indicator, "activity": activity}


IndicatorQuery = Annotated[dict[str, Any], Depends(_indicator_query)]


@router.get("/indicators", response_model=Indicators, summary="One indicator for every region of a dataset")
async def indicators(request: Request, query: IndicatorQuery) -> Response:
    return await cached_json(
        request, Indicators, ("indicators", *query.items()), region_cases.indicator_values, _workspace(request),
        **query,
    )  # fmt: skip


@router.get("/indicators/geojson", response_model=FeatureCollection, summary="The indicator as GeoJSON for the map")
async def indicators_geojson(request: Request, query: IndicatorQuery) -> Response:
    return await cached_json(
        request, FeatureCollection, ("geojson", *query.items()), region_cases.indicator_geojson, _workspace(request),
        **query,
    )  # fmt: skip


@router.get("/regions/{code}/profile", response_model=Profile, summary="A region's profile")
async def region_profile(
    request: Request, code: RegionCode, dataset: DatasetName = None, measure: MeasureName = None, year: Year = None
) -> Response:
    return await cached_json(
        request, Profile, ("profile", code, dataset, measure, year), profile_cases.region_profile, _workspace(request),
        code, dataset=dataset, measure=measure, year=year,
    )  # fmt: skip


@router.get("/regions/{code}/peers", response_model=Peers, summary="Structurally similar regions")
async def region_peers(
    request: Request,
    code: RegionCode,
    dataset: DatasetName = None,
    measure: MeasureName = None,
    year: Year = None,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    metric: Annotated[str, Query(pattern="^(euclidean|mahalanobis|cosine)$")] = "euclidean",
    aspirational: bool = False,
) -> Response:
    return await cached_json(
        request, Peers, ("peers", code, dataset, measure, year, k, metric, aspirational), peer_cases.region_peers,
        _workspace(request), code,
        dataset=dataset, measure=measure, year=year, k=k, metric=metric, aspirational=aspirational,
    )  # fmt: skip


@router.get("/complementarity", response_model=Complementarity, summary="Research x industry complementarity")
async def complementarity(
    request: Request,
    regions: Annotated[str, Query(pattern=_REGION_LIST, description="Two or more NUTS codes, comma-separated")],
    research: DatasetName = None,
    industry: DatasetName = None,
    research_measure: MeasureName = None,
    industry_measure: MeasureName = None,
    year: Year = None,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Response:
    key = ("complementarity", regions, research, industry, research_measure, industry_measure, year, top)
    return await cached_json(
        request, Complementarity, key, complementarity_cases.complementarity_between, _workspace(request),
        regions.split(","), research=research, industry=industry, research_measure=research_measure,
        industry_measure=industry_measure, year=year, top=top,
    )  # fmt: skip


@router.get("/organisations", response_model=Page[Organisation], summary="Search organisations")
async def organisations(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, pattern=TEXT_PATTERN, description="Part of the name or id")] = None,
    kind: Annotated[str | None, Query(pattern=_KINDS)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> Response:
    limit = _page_limit(request, limit, 20)
    return await cached_json(
        request, Page[Organisation], ("organisations", q, kind, country, limit, offset),
        partner_cases.search_organisations, _workspace(request), q=q, kind=kind, country=country, limit=limit,
        offset=offset,
    )  # fmt: skip


OrganisationId = Annotated[str, Path(pattern=ORGANISATION_PATTERN, description="Organisation id (e.g. a PIC)")]


@router.get("/organisations/{organisation_id}", response_model=OrganisationDetail, summary="One organisation")
async def organisation(request: Request, organisation_id: OrganisationId) -> Response:
    return await cached_json(
        request, OrganisationDetail, ("organisation", organisation_id), partner_cases.organisation_detail,
        _workspace(request), organisation_id,
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
    kinds: Annotated[str | None, Query(pattern=_KIND_LIST, description="Comma-separated kinds")] = None,
    regions: Annotated[
        str | None, Query(pattern=_REGION_LIST, description="Comma-separated NUTS/country codes")
    ] = None,
) -> Response:
    state = _caches(request).partners
    # keyed by the fitted model too; nothing is cached before it is ready (a 503 is never cached)
    key = ("partners", id(state.recommender), organisation_id, k, kinds, regions) if state.status == "ready" else None
    return await cached_json(
        request, Partners, key, partner_cases.partner_recommendations, _workspace(request), organisation_id,
        k=k, kinds=kinds.split(",") if kinds else None, regions=regions.split(",") if regions else None,
    )  # fmt: skip
