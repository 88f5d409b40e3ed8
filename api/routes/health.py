"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import StoreDep
from graph.errors import GraphUnavailableError

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/ready")
def ready(store: StoreDep, response: Response) -> dict[str, str]:
    """Neo4j answers with the configured credentials; 503 with Retry-After otherwise."""
    try:
        store.verify()
    except GraphUnavailableError as exc:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        response.headers["Retry-After"] = "5"
        return {"status": "unavailable", "neo4j": str(exc)}
    return {"status": "ok", "neo4j": "ok"}
