"""Optional LLM rerank in the spirit of the Chat-Rec paper: the top candidates and the user's profile go into the
prompt, the model answers with the candidate ids in a new order, and the answer is validated against the list."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nlu.llm.base import LLMInterface
from nlu.llm.errors import LLMResponseError

RERANK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"order": {"type": "array", "items": {"type": "string"}}},
    "required": ["order"],
    "additionalProperties": False,
}
SYSTEM_PROMPT = (
    "You are a movie recommender. Reorder the candidate movies for this user, best first, using their likes, "
    'dislikes and favourite movies. Answer only with JSON {"order": [candidate ids]}; use only the given ids.'
)


def rerank(
    llm: LLMInterface, likes: Sequence[str], dislikes: Sequence[str], candidates: Sequence[tuple[str, str]]
) -> list[str]:
    """The candidate ids `(id, title)` in the model's order. Ids the model invents or repeats are dropped; the ones
    it leaves out follow in their original order. Raises LLMError when the model fails or answers off-schema."""
    prompt = json.dumps(
        {
            "likes": list(likes),
            "dislikes": list(dislikes),
            "candidates": [{"id": item_id, "title": title} for item_id, title in candidates],
        },
        ensure_ascii=False,
    )
    answer = llm.invoke_json(SYSTEM_PROMPT, prompt, RERANK_SCHEMA, "rerank")
    order = answer.get("order")
    if not isinstance(order, list) or not all(isinstance(item_id, str) for item_id in order):
        raise LLMResponseError("The rerank answer has no list of candidate ids under 'order'.")
    known = [item_id for item_id, _ in candidates]
    ranked = list(dict.fromkeys(item_id for item_id in order if item_id in set(known)))
    placed = set(ranked)
    return ranked + [item_id for item_id in known if item_id not in placed]
