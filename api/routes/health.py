"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.services.container import ServicesDep
from graph.errors import GraphUnavailableError

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "Neo4j unreachable or no model loaded"}})
def ready(services: ServicesDep, response: Response) -> dict[str, str]:
    """Neo4j answers with the configured credentials and a trained model is loaded; 503 with Retry-After
    otherwise."""
    body = {"status": "ok", "neo4j": "ok", "model": "loaded"}
    try:
        services.store.verify()
    except GraphUnavailableError as exc:
        body["neo4j"] = str(exc)
    if services.recommender.model is None:
        body["model"] = services.recommender.model_error or "not loaded"
    if body["neo4j"] != "ok" or body["model"] != "loaded":
        body["status"] = "unavailable"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = "5"
    return body
