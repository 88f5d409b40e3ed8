"""What an LLM is asked to return for one utterance: pydantic models that are both the JSON schema sent to the
server (strict structured output) and the validator of its answer. Only a proposal: every entity in it is grounded
through the graph afterwards."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.types import Intent, Polarity

SCHEMA_NAME = "chatrec_parse"

SYSTEM_PROMPT = """\
You read one message that a user wrote to a movie recommender and return JSON that follows the given schema.
- intent: "recommend" (asks for suggestions), "preference" (states likes or dislikes), "explain" (asks why an item \
was recommended), "accept" / "reject" (takes or turns down a recommended item), "chitchat" (anything else).
- mentions: every movie, person (actor, director, writer) and genre the message names or describes, in order.
  text: the words exactly as they appear in the message (copy them, typos included).
  label: "Item" for a movie, "Person" for a person, "Genre" for a genre or a description of one ("something scary").
  polarity: how the user feels about it: "like", "dislike" (mind negation: "not a fan of horror", "anything but \
Titanic") or "neutral". confidence: 0 to 1.
- constraints: year_min / year_max (the 90s = 1990 to 1999; null when not asked), genres_required and \
genres_excluded (genre names), not_seen (true when the user wants something they have not seen).
Never add a movie, person or genre that the message does not mention."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposedMention(_Strict):
    """One entity the model found, not yet grounded."""

    text: str = Field(min_length=1, max_length=300)
    label: Literal["Item", "Person", "Genre"]
    polarity: Polarity
    confidence: float = Field(ge=0.0, le=1.0)


class ProposedConstraints(_Strict):
    """Filters the model found."""

    year_min: int | None = Field(ge=1800, le=2100)
    year_max: int | None = Field(ge=1800, le=2100)
    genres_required: list[str] = Field(max_length=20)
    genres_excluded: list[str] = Field(max_length=20)
    not_seen: bool


class Proposal(_Strict):
    """The model's reading of one utterance."""

    intent: Intent
    mentions: list[ProposedMention] = Field(max_length=50)
    constraints: ProposedConstraints


# Bounds are checked by the pydantic models after the answer arrives; the schema sent to the server keeps to the
# keywords every structured-output implementation accepts (OpenAI strict mode rejects e.g. `maxLength`).
_VALIDATION_ONLY = frozenset({"minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "title"})


def proposal_schema() -> dict[str, Any]:
    """The JSON schema of a Proposal in the strict form structured outputs require (every property required,
    no additional properties), without validation-only keywords."""
    return _structural(Proposal.model_json_schema())


def _structural(node: Any, names: bool = False) -> Any:
    """Drop validation-only keywords; `names` marks a mapping of property / definition names (kept as they are)."""
    if isinstance(node, dict):
        return {
            k: _structural(v, names=not names and k in {"properties", "$defs"})
            for k, v in node.items()
            if names or k not in _VALIDATION_ONLY
        }
    if isinstance(node, list):
        return [_structural(v) for v in node]
    return node
