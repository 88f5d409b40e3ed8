"""Recommendations for a user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.schemas import ID_PATTERN, RecommendationList
from api.services.container import ServicesDep
from core.types import Constraints

router = APIRouter(prefix="/v1/users", tags=["recommendations"])

UserId = Annotated[str, Path(pattern=ID_PATTERN, description="User id, e.g. ml:1")]


@router.get("/{user_id}/recommendations", responses={404: {"description": "Unknown user"}})
def recommendations(
    user_id: UserId,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    explain: bool = True,
    year_min: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    year_max: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    genre: Annotated[list[str], Query(max_length=20, description="Required genre ids (all of them)")] = [],  # noqa: B006
    exclude_genre: Annotated[list[str], Query(max_length=20, description="Excluded genre ids")] = [],  # noqa: B006
) -> RecommendationList:
    """The `k` best items for the user (GNN embedding folded in with dialogue preferences and feedback), each
    with up to three explanation paths when `explain` is true."""
    constraints = Constraints(year_min, year_max, tuple(genre), tuple(exclude_genre))
    ranked = services.recommender.recommend(user_id, k, constraints, explain)
    return RecommendationList(user_id=user_id, strategy=ranked.strategy, recommendations=ranked.recommendations)
