"""Graph statistics."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import StoreDep
from api.security import require_read_key
from graph.stats import graph_counts

router = APIRouter(prefix="/v1", tags=["graph"])


@router.get("/stats", dependencies=[Depends(require_read_key)], responses={401: {"description": "Missing read key"}})
def stats(store: StoreDep) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type."""
    return graph_counts(store)
