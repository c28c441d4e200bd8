"""The REST API under ``/api/v1``: parse and validate, call one service function under the
query time limit, serialise with a declared response model.

Every error is the envelope of :mod:`clusterix.web.errors`: an unknown region, dataset or
organisation is 404, a malformed parameter 422, a request that computes longer than the
query time limit 504, a result still being prepared (the partner recommender) 503.

The read-only routes (everything but ``/health``) answer from an in-memory cache of finished
responses, keyed by the request's parameters and the store version, which changes on every
import (:meth:`~clusterix.web.services.Caches.store_version`): a repeated request is a
dictionary look-up on the event loop, without a worker thread, a query or a serialisation.
The first request computes in a worker thread, validates the result against the route's
response model and keeps the JSON bytes. Errors are never cached.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from clusterix.web import services
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

T = TypeVar("T")


# --------------------------------------------------------------------------- response models


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from position ``offset`` of ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Region(BaseModel):
    code: str
    name: str | None
    level: int
    parent: str | None
    country: str
    version: int


class RegionDetail(Region):
    geometry: dict[str, Any] | None = Field(description="GeoJSON geometry (WGS84), None without a boundary file")
    geometry_version: int | None = Field(description="The NUTS version of the boundary used")


class Dataset(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    kind: str
    source: str
    source_file: str
    checksum: str
    imported_at: str | None
    row_count: int
    region_version: int | None
    description: str | None
    measures: list[str]
    periods: list[str]


class Datasets(BaseModel):
    items: list[Dataset]


class Activity(BaseModel):
    code: str
    name: str | None


class Activities(BaseModel):
    dataset: str
    measure: str
    items: list[Activity]


class IndicatorValue(BaseModel):
    region: str
    name: str | None
    value: float | None


class Indicators(BaseModel):
    dataset: str
    measure: str
    year: str
    years: list[str]
    indicator: str
    label: str
    activity: str | None
    region_version: int | None
    min: float | None
    max: float | None
    items: list[IndicatorValue]


class FeatureCollection(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    features: list[dict[str, Any]]
    metadata: dict[str, Any]


class Profile(BaseModel):
    """A region profile (:meth:`clusterix.profiling.profile.RegionProfiler.profile`)."""

    model_config = ConfigDict(extra="allow")
    region: str
    name: str | None
    period: str | None
    periods: list[str]
    dataset: str
    measure: str
    summary: dict[str, float | int | None]
    specialisations: list[dict[str, Any]]
    research_specialisations: list[dict[str, Any]]
    clusters: list[dict[str, Any]]
    emerging: list[dict[str, Any]]
    diversification: list[dict[str, Any]]
    diversification_frame: dict[str, Any]
    trends: list[dict[str, Any]]
    notes: list[str]


class Peer(BaseModel):
    region: str
    name: str | None
    rank: int
    distance: float | None
    similar_on: list[str]
    gaps: dict[str, float | None]


class Peers(BaseModel):
    region: str
    name: str | None
    dataset: str
    measure: str
    year: str
    metric: str
    aspirational: bool
    items: list[Peer]


class Opportunity(BaseModel):
    field: str
    industry: str
    field_name: str | None = Field(description="Title of the research field, when a classification gives it")
    industry_name: str | None = Field(description="Title of the industry, when a classification gives it")
    score: float
    research_rca_a: float
    industry_rca_b: float
    relatedness: float
    reason: str


class Pair(BaseModel):
    research_region: str
    industry_region: str
    score: float | None
    opportunities: list[Opportunity]


class Side(BaseModel):
    dataset: str
    measure: str
    year: str


class NamedRegion(BaseModel):
    code: str
    name: str | None


class Complementarity(BaseModel):
    regions: list[NamedRegion]
    research: Side
    industry: Side
    matrix: list[list[float | None]]
    pairs: list[Pair]


class Organisation(BaseModel):
    id: str
    name: str | None
    kind: str
    country: str | None
    region: str | None
    description: str | None


class Project(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    acronym: str | None
    title: str | None
    programme_part: str | None
    start_date: str | None
    end_date: str | None
    role: str | None


class OrganisationDetail(Organisation):
    external_ids: dict[str, Any]
    participations: int
    partners: int
    projects: list[Project]


class Partner(BaseModel):
    partner_id: str
    name: str | None
    kind: str
    country: str | None
    region: str | None
    score: float | None
    components: dict[str, float | None] = Field(description="Each component's contribution to the score")


class Partners(BaseModel):
    organisation: Organisation
    k: int
    kinds: list[str] | None
    regions: list[str] | None
    components: list[str]
    items: list[Partner]


class Health(BaseModel):
    status: str
    version: str
    backend: str
    counts: dict[str, int]
    partners: dict[str, Any]


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
    except services.NotReadyError as error:
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
            body = model.model_validate(function(*args, **kwargs)).model_dump_json().encode()
            if key is not None:
                caches.payloads.put((version, key), body)
        return body

    return Response(await run_limited(request, compute), media_type="application/json")


def _store(request: Request):
    return request.app.state.store


def _caches(request: Request) -> services.Caches:
    return request.app.state.caches


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
        request, Page[Region], ("regions", level, version, limit, offset), services.list_regions, _store(request),
        level=level, version=version, limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/regions/{code}", response_model=RegionDetail, summary="One region with its boundary")
async def region(
    request: Request, code: RegionCode, version: Annotated[int | None, Query(ge=2003, le=2100)] = None
) -> Response:
    return await cached_json(
        request, RegionDetail, ("region", code, version), services.region_detail, _store(request), _caches(request),
        code, version=version,
    )  # fmt: skip


@router.get("/datasets", response_model=Datasets, summary="Loaded datasets with measures and periods")
async def datasets(request: Request) -> Response:
    return await cached_json(request, Datasets, ("datasets",), _datasets, _store(request), _caches(request))


def _datasets(store, caches: services.Caches) -> dict[str, Any]:
    return {"items": services.list_datasets(store, caches)}


@router.get("/datasets/{name}/activities", response_model=Activities, summary="A dataset's activity codes and titles")
async def dataset_activities(
    request: Request,
    name: Annotated[str, Path(pattern=DATASET_PATTERN)],
    measure: MeasureName = None,
) -> Response:
    return await cached_json(
        request, Activities, ("activities", name, measure), services.dataset_activities, _store(request),
        _caches(request), dataset=name, measure=measure,
    )  # fmt: skip


IndicatorName = Annotated[str, Query(pattern="^(" + "|".join(services.INDICATORS) + ")$")]
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
        request, Indicators, ("indicators", *query.items()), services.indicator_values, _store(request),
        _caches(request), **query,
    )  # fmt: skip


@router.get("/indicators/geojson", response_model=FeatureCollection, summary="The indicator as GeoJSON for the map")
async def indicators_geojson(request: Request, query: IndicatorQuery) -> Response:
    return await cached_json(
        request, FeatureCollection, ("geojson", *query.items()), services.indicator_geojson, _store(request),
        _caches(request), **query,
    )  # fmt: skip


@router.get("/regions/{code}/profile", response_model=Profile, summary="A region's profile")
async def region_profile(
    request: Request, code: RegionCode, dataset: DatasetName = None, measure: MeasureName = None, year: Year = None
) -> Response:
    return await cached_json(
        request, Profile, ("profile", code, dataset, measure, year), services.region_profile, _store(request),
        _caches(request), code, dataset=dataset, measure=measure, year=year,
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
        request, Peers, ("peers", code, dataset, measure, year, k, metric, aspirational), services.region_peers,
        _store(request), _caches(request), code,
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
        request, Complementarity, key, services.complementarity_between, _store(request), _caches(request),
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
        services.search_organisations, _store(request), q=q, kind=kind, country=country, limit=limit, offset=offset,
    )  # fmt: skip


OrganisationId = Annotated[str, Path(pattern=ORGANISATION_PATTERN, description="Organisation id (e.g. a PIC)")]


@router.get("/organisations/{organisation_id}", response_model=OrganisationDetail, summary="One organisation")
async def organisation(request: Request, organisation_id: OrganisationId) -> Response:
    return await cached_json(
        request, OrganisationDetail, ("organisation", organisation_id), services.organisation_detail,
        _store(request), organisation_id,
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
        request, Partners, key, services.partner_recommendations, _store(request), _caches(request), organisation_id,
        k=k, kinds=kinds.split(",") if kinds else None, regions=regions.split(",") if regions else None,
    )  # fmt: skip
