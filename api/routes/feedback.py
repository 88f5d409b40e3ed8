"""Feedback on recommended items."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from api.schemas import FeedbackIn, FeedbackOut
from api.security import require_api_key
from api.services.container import ServicesDep
from graph.recommend import record_feedback

router = APIRouter(prefix="/v1/feedback", tags=["recommendations"], dependencies=[Depends(require_api_key)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={401: {"description": "Missing or wrong API key"}, 404: {"description": "Unknown user or item"}},
)
def feedback(body: FeedbackIn, services: ServicesDep) -> FeedbackOut:
    """Accept or reject an item for a user; the user's very next list reflects it (a rejected item never comes
    back, an accepted one pulls similar items up and is not repeated)."""
    record_feedback(services.store, body.user_id, body.item_id, body.signal)
    return FeedbackOut(user_id=body.user_id, item_id=body.item_id, signal=body.signal)
