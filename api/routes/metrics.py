"""Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from api.metrics import CONTENT_TYPE_LATEST, exposition
from api.security import require_read_key

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_read_key)],
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"description": "Missing read key"}},
)
async def metrics() -> Response:
    """Request counts and latency by route, and the product's counters (lists by strategy, empty lists, parses by
    parser, NLU fallbacks, Neo4j errors, the model served), in the Prometheus text format: summed over every worker
    process (`api.metrics`). On the event loop: a scrape answers while every request thread waits on Neo4j."""
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
