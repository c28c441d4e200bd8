"""The loaded datasets: ``/api/v1/datasets`` and ``/api/v1/datasets/{name}/activities``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from clusterix.app import datasets as dataset_cases
from clusterix.app import glossary as glossary_cases
from clusterix.app.results import Activities, Datasets, Glossary
from clusterix.app.workspace import Workspace
from clusterix.web.errors import ERROR_RESPONSES
from clusterix.web.params import DATASET_PATTERN, MeasureName
from clusterix.web.responses import cached_json, workspace

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)


def _datasets(current: Workspace) -> Datasets:
    return Datasets.model_validate({"items": dataset_cases.list_datasets(current)})


@router.get("/datasets", response_model=Datasets, summary="Loaded datasets with measures and periods")
async def datasets(request: Request) -> Response:
    return await cached_json(request, ("datasets",), _datasets, workspace(request))


@router.get("/datasets/{name}/activities", response_model=Activities, summary="A dataset's activity codes and titles")
async def dataset_activities(
    request: Request,
    name: Annotated[str, Path(pattern=DATASET_PATTERN)],
    measure: MeasureName = None,
) -> Response:
    return await cached_json(
        request, ("activities", name, measure), dataset_cases.dataset_activities, workspace(request),
        dataset=name, measure=measure,
    )  # fmt: skip


@router.get("/glossary", response_model=Glossary, summary="Every indicator in plain words, formula and reference")
async def glossary() -> Glossary:
    return Glossary.model_validate({"items": glossary_cases.glossary()})
