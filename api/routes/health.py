"""Liveness and readiness probes. Both run on the event loop, never behind the request threads: `/health/live`
answers while Neo4j is frozen and every request thread waits on it, and `/health/ready` checks Neo4j on its own
small thread budget within its own short deadline."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Response, status

from api.schemas import ReadinessOut
from api.services.container import ProbeServicesDep
from api.workers import still_warming
from graph.errors import GraphUnavailableError

router = APIRouter(prefix="/health", tags=["health"])

_PROBES = anyio.CapacityLimiter(4)  # readiness checks in flight at once, apart from the request threads


@router.get("/live")
async def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get(
    "/ready",
    response_model=ReadinessOut,
    responses={503: {"model": ReadinessOut, "description": "Neo4j unreachable or no model loaded"}},
)
async def ready(services: ProbeServicesDep, response: Response) -> dict[str, str]:
    """Neo4j answers with the configured credentials (within `neo4j_probe_timeout_s`), the process has warmed up
    (after a start or a Neo4j outage: indexes built, request queries planned), so has every worker process of the
    server, and a trained model is loaded; 503 with Retry-After otherwise."""
    body = {"status": "ok", "neo4j": "ok", "model": "loaded", "workers": "ok"}
    try:
        await anyio.to_thread.run_sync(services.store.verify, services.settings.neo4j_probe_timeout_s, limiter=_PROBES)
    except GraphUnavailableError as exc:
        body["neo4j"] = str(exc)
    else:
        if not services.warm_up_in_background():
            body["neo4j"] = "warming up: building the indexes and planning the request queries"
    if services.recommender.model is None:
        body["model"] = services.recommender.model_error or "not loaded"
    if warming := still_warming():
        body["workers"] = f"{warming} worker process(es) still warming up"
    if body["neo4j"] != "ok" or body["model"] != "loaded" or body["workers"] != "ok":
        body["status"] = "unavailable"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = "5"
    return body
