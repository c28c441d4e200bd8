"""The regions and the map indicators: ``/api/v1/regions``, ``/api/v1/regions/{code}``,
``/api/v1/indicators`` and ``/api/v1/indicators/geojson``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from clusterix.app import regions as region_cases
from clusterix.app.results import FeatureCollection, Indicators, Page, Region, RegionDetail
from clusterix.web.errors import ERROR_RESPONSES
from clusterix.web.params import ActivityCode, DatasetName, IndicatorName, Limit, MeasureName, Offset, RegionCode, Year
from clusterix.web.responses import cached_json, page_limit, workspace

__all__ = ["IndicatorQuery", "router"]

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)

NutsVersion = Annotated[int | None, Query(ge=2003, le=2100)]


@router.get("/regions", response_model=Page[Region], summary="NUTS regions, paginated")
async def regions(
    request: Request,
    level: Annotated[int | None, Query(ge=0, le=3)] = None,
    version: NutsVersion = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> Response:
    limit = page_limit(request, limit, 100)
    return await cached_json(
        request, ("regions", level, version, limit, offset), region_cases.list_regions,
        workspace(request), level=level, version=version, limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/regions/{code}", response_model=RegionDetail, summary="One region with its boundary")
async def region(request: Request, code: RegionCode, version: NutsVersion = None) -> Response:
    return await cached_json(
        request, ("region", code, version), region_cases.region_detail, workspace(request), code, version=version
    )


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
        request, ("indicators", *query.items()), region_cases.indicator_values, workspace(request), **query
    )


@router.get("/indicators/geojson", response_model=FeatureCollection, summary="The indicator as GeoJSON for the map")
async def indicators_geojson(request: Request, query: IndicatorQuery) -> Response:
    return await cached_json(
        request, ("geojson", *query.items()), region_cases.indicator_geojson, workspace(request), **query
    )
