"""Why an item suits a user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.schemas import ID_PATTERN, ExplainResponse
from api.services.container import ServicesDep

router = APIRouter(prefix="/v1/explain", tags=["recommendations"])


@router.get("", responses={404: {"description": "Unknown user or item"}})
def explain(
    user_id: Annotated[str, Query(pattern=ID_PATTERN, examples=["ml:1"])],
    item_id: Annotated[str, Query(pattern=ID_PATTERN, examples=["ml:50"])],
    services: ServicesDep,
) -> ExplainResponse:
    """Up to three real paths of at most three hops from the user to the item, best first by embedding score,
    each with a sentence and the Cypher that shows it in the Neo4j Browser."""
    explanations = services.recommender.explain(user_id, item_id)
    return ExplainResponse(user_id=user_id, item_id=item_id, explanations=explanations)
