"""``GET /api/v1/health``: the app is up, and what the store holds."""

from __future__ import annotations

from fastapi import APIRouter, Request

from clusterix.app import datasets as dataset_cases
from clusterix.app.results import Health
from clusterix.web.errors import ERROR_RESPONSES
from clusterix.web.responses import run_limited, workspace

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health, summary="The app is up; what the store holds")
async def health(request: Request) -> Health:
    current = workspace(request)
    # counted at most once a second, in a worker thread; a fresh count is answered on the event loop
    counts = dataset_cases.fresh_table_counts(current)
    if counts is None:
        counts = await run_limited(request, dataset_cases.table_counts, current)

    return Health(
        status="ok",
        version=request.app.version,
        backend=current.store.backend,
        counts=counts,
        partners=current.caches.partners.describe(),
        precompute=current.precompute.describe(),
    )
