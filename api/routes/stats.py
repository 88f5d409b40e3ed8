"""Graph statistics."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from graph.stats import graph_counts

router = APIRouter(prefix="/v1", tags=["graph"])


@router.get("/stats")
def stats(store: StoreDep) -> dict[str, dict[str, int]]:
    """Node counts per label and relationship counts per type."""
    return graph_counts(store)
