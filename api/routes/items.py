"""Items: details and similar items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.schemas import ID_PATTERN, ItemHit, ItemSearchOut, SimilarItem
from api.services.container import ServicesDep
from core.errors import NotFoundError
from core.types import Constraints
from gnn.errors import ModelNotFoundError
from graph.embeddings import similar_entities
from graph.recommend import item_details, select_items
from graph.search import search_items

router = APIRouter(prefix="/v1/items", tags=["items"])

ItemId = Annotated[str, Path(pattern=ID_PATTERN, description="Item id", examples=["ml:50"])]


@router.get("")
def search(
    services: ServicesDep,
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="Words of the title", examples=["the godfather"])
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> ItemSearchOut:
    """Find items by title (or another spelling): full-text, typos of one letter forgiven in words of four or more
    letters, the best match first and, among equal matches, the most rated; `next_offset` pages on."""
    rows = search_items(services.store, q, limit, offset)
    hits = [
        ItemHit(
            item_id=r["id"], name=r["name"], year=r["year"], genres=r["genres"], ratings=r["ratings"], score=r["score"]
        )
        for r in rows
    ]
    return ItemSearchOut(query=q, items=hits, next_offset=offset + limit if len(hits) == limit else None)


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
def similar(
    item_id: ItemId,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=900, description="Skip this many of the nearest first (paging).")] = 0,
) -> list[SimilarItem]:
    """The `k` items nearest to this one (after the first `offset`) by cosine similarity of their GNN embeddings
    (Neo4j vector index)."""
    model = services.recommender.model
    details = item_details(services.store, item_id)
    if details is None:
        raise NotFoundError(f"Item {item_id!r} does not exist.")
    if model is None or item_id not in model.index.positions["Item"]:
        raise ModelNotFoundError(f"No embedding for item {item_id!r} yet: train a model.")
    vector = model.vectors("Item", [item_id])[0]
    wanted = offset + k
    hits, asked = [], wanted + 1
    while True:  # the index covers every embedded label: ask for more until enough items are found
        found = similar_entities(services.store, vector, asked)
        hits = [h for h in found if h.label == "Item" and h.id != item_id][:wanted]
        if len(hits) >= wanted or len(found) < asked or asked >= 4000:
            break
        asked *= 4
    hits = hits[offset:]
    summaries = select_items(services.store, [h.id for h in hits], k, Constraints())
    names = {summary.id: summary.name for summary in summaries}
    return [SimilarItem(item_id=h.id, name=names.get(h.id, h.id), score=h.score) for h in hits]
