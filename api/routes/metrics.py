"""Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.security import require_read_key

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_read_key)],
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: {"description": "Missing read key"}},
)
async def metrics() -> Response:
    """Request counts and latency histograms by route, in the Prometheus text format (on the event loop: a
    scrape answers while every request thread waits on Neo4j)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
