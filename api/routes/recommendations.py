"""Recommendations for many users in one call."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes.users import ranked_list
from api.schemas import BatchRecommendationsIn, BatchRecommendationsOut
from api.services.container import ServicesDep
from core.errors import NotFoundError
from core.types import Constraints

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])


@router.post("/batch", responses={422: {"description": "Too many, repeated or malformed user ids"}})
def batch(body: BatchRecommendationsIn, services: ServicesDep) -> BatchRecommendationsOut:
    """The `k` best items for each of up to 100 users (without explanations unless `explain`); users that do
    not exist are listed apart instead of failing the call."""
    constraints = Constraints(body.year_min, body.year_max, tuple(body.genre), tuple(body.exclude_genre))
    out = BatchRecommendationsOut(results=[])
    for user_id in body.user_ids:
        try:
            out.results.append(ranked_list(services, user_id, body.k, 0, constraints, body.explain))
        except NotFoundError:
            out.unknown_user_ids.append(user_id)
    return out
