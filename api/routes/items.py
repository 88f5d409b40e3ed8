"""Items: details and similar items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.schemas import ID_PATTERN, SimilarItem
from api.services.container import ServicesDep
from core.errors import NotFoundError
from core.types import Constraints
from gnn.errors import ModelNotFoundError
from graph.embeddings import similar_entities
from graph.recommend import item_details, select_items

router = APIRouter(prefix="/v1/items", tags=["items"])

ItemId = Annotated[str, Path(pattern=ID_PATTERN, description="Item id, e.g. ml:1")]


@router.get("/{item_id}", responses={404: {"description": "Unknown item"}})
def item(item_id: ItemId, services: ServicesDep) -> dict[str, Any]:
    """The item's properties, genres, people (with their role) and number of ratings."""
    details = item_details(services.store, item_id)
    if details is None:
        raise NotFoundError(f"Item {item_id!r} does not exist.")
    return details


@router.get(
    "/{item_id}/similar",
    responses={404: {"description": "Unknown item"}, 503: {"description": "No model or vector index yet"}},
)
def similar(item_id: ItemId, services: ServicesDep, k: Annotated[int, Query(ge=1, le=100)] = 10) -> list[SimilarItem]:
    """The `k` items nearest to this one by cosine similarity of their GNN embeddings (Neo4j vector index)."""
    model = services.recommender.model
    details = item_details(services.store, item_id)
    if details is None:
        raise NotFoundError(f"Item {item_id!r} does not exist.")
    if model is None or item_id not in model.index.positions["Item"]:
        raise ModelNotFoundError(f"No embedding for item {item_id!r} yet: train a model.")
    vector = model.vectors("Item", [item_id])[0]
    hits, asked = [], k + 1
    while True:  # the index covers every embedded label: ask for more until k items are found
        found = similar_entities(services.store, vector, asked)
        hits = [h for h in found if h.label == "Item" and h.id != item_id][:k]
        if len(hits) >= k or len(found) < asked or asked >= 1000:
            break
        asked *= 4
    summaries = select_items(services.store, [h.id for h in hits], k, Constraints())
    names = {summary.id: summary.name for summary in summaries}
    return [SimilarItem(item_id=h.id, name=names.get(h.id, h.id), score=h.score) for h in hits]
