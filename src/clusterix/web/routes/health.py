"""``GET /api/v1/health``: the app is up, and what the store holds."""

from __future__ import annotations

from fastapi import APIRouter, Request

from clusterix.app.results import Health
from clusterix.web.errors import ERROR_RESPONSES
from clusterix.web.responses import run_limited, workspace

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health, summary="The app is up; what the store holds")
async def health(request: Request) -> Health:
    current = workspace(request)
    counts = await run_limited(request, current.store.table_counts)
    return Health(
        status="ok",
        version=request.app.version,
        backend=current.store.backend,
        counts=counts,
        partners=current.caches.partners.describe(),
        precompute=current.precompute.describe(),
    )
