"""A region's profile, its peers and the complementarity of regions:
``/api/v1/regions/{code}/profile``, ``/api/v1/regions/{code}/peers``, ``/api/v1/complementarity``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from clusterix.app import complementarity as complementarity_cases
from clusterix.app import peers as peer_cases
from clusterix.app import profile as profile_cases
from clusterix.app.results import Complementarity, Peers, Profile, Profiles
from clusterix.web.errors import ERROR_RESPONSES
from clusterix.web.params import DatasetName, MeasureName, RegionCode, RegionList, Year
from clusterix.web.responses import cached_json, workspace

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)


@router.get("/regions/{code}/profile", response_model=Profile, summary="A region's profile")
async def region_profile(
    request: Request, code: RegionCode, dataset: DatasetName = None, measure: MeasureName = None, year: Year = None
) -> Response:
    return await cached_json(
        request, ("profile", code, dataset, measure, year), profile_cases.region_profile, workspace(request),
        code, dataset=dataset, measure=measure, year=year,
    )  # fmt: skip


@router.get(
    "/regions/{code}/profiles", response_model=Profiles, summary="A region's profile from every dataset that holds it"
)
async def region_profiles(request: Request, code: RegionCode) -> Response:
    return await cached_json(request, ("profiles", code), profile_cases.region_profiles, workspace(request), code)


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
        request, ("peers", code, dataset, measure, year, k, metric, aspirational), peer_cases.region_peers,
        workspace(request), code,
        dataset=dataset, measure=measure, year=year, k=k, metric=metric, aspirational=aspirational,
    )  # fmt: skip


@router.get("/complementarity", response_model=Complementarity, summary="Research x industry complementarity")
async def complementarity(
    request: Request,
    regions: RegionList,
    research: DatasetName = None,
    industry: DatasetName = None,
    research_measure: MeasureName = None,
    industry_measure: MeasureName = None,
    year: Year = None,
    top: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Response:
    key = ("complementarity", regions, research, industry, research_measure, industry_measure, year, top)
    return await cached_json(
        request, key, complementarity_cases.complementarity_between, workspace(request),
        regions.split(","), research=research, industry=industry, research_measure=research_measure,
        industry_measure=industry_measure, year=year, top=top,
    )  # fmt: skip
