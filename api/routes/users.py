"""Recommendations for a user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.schemas import ID_PATTERN, RecommendationList
from api.services.container import Services, ServicesDep
from core.types import Constraints

router = APIRouter(prefix="/v1/users", tags=["recommendations"])

UserId = Annotated[str, Path(pattern=ID_PATTERN, description="User id", examples=["ml:1"])]


@router.get("/{user_id}/recommendations", responses={404: {"description": "Unknown user"}})
def recommendations(
    user_id: UserId,
    services: ServicesDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1000, description="Skip this many of the best first (paging).")] = 0,
    explain: bool = True,
    year_min: Annotated[int | None, Query(ge=1800, le=2100, examples=[1990])] = None,
    year_max: Annotated[int | None, Query(ge=1800, le=2100, examples=[1999])] = None,
    genre: Annotated[list[str], Query(max_length=20, description="Required genre ids (all of them)")] = [],  # noqa: B006
    exclude_genre: Annotated[list[str], Query(max_length=20, description="Excluded genre ids")] = [],  # noqa: B006
) -> RecommendationList:
    """The `k` best items for the user after the first `offset` (GNN embedding folded in with dialogue preferences
    and feedback), each with up to three explanation paths when `explain` is true; `next_offset` pages on."""
    constraints = Constraints(year_min, year_max, tuple(genre), tuple(exclude_genre))
    return ranked_list(services, user_id, k, offset, constraints, explain)


def ranked_list(
    services: Services, user_id: str, k: int, offset: int, constraints: Constraints, explain: bool
) -> RecommendationList:
    """A page of the user's ranking as the API returns it."""
    ranked = services.recommender.recommend(user_id, k, constraints, explain, offset=offset)
    found = ranked.recommendations
    return RecommendationList(
        user_id=user_id,
        strategy=ranked.strategy,
        recommendations=found,
        offset=offset,
        next_offset=offset + k if len(found) == k else None,
    )
