"""The plain data that parsing one utterance produces; `nlu` never writes to the graph, `api` records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Intent(StrEnum):
    """What the user wants from this turn."""

    RECOMMEND = "recommend"  # ask for recommendations
    PREFERENCE = "preference"  # state likes / dislikes
    EXPLAIN = "explain"  # "why did you recommend X?"
    ACCEPT = "accept"  # accept a recommended item
    REJECT = "reject"  # reject a recommended item
    CHITCHAT = "chitchat"


class Polarity(StrEnum):
    """How the user feels about a mentioned entity."""

    LIKE = "like"
    DISLIKE = "dislike"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class GroundedEntity:
    """A node that exists in Neo4j: its primary label (`Item`, `Person`, `Genre`, …), its `id`, its display name."""

    label: str
    node_id: str
    name: str
    score: float = 0.0  # grounding score of this candidate (higher is better)


@dataclass(frozen=True)
class Mention:
    """A span of the utterance grounded to a node, with the user's polarity towards it."""

    text: str
    start: int  # character offsets into the utterance: text == utterance[start:end]
    end: int
    entity: GroundedEntity
    polarity: Polarity
    confidence: float  # 0..1
    alternatives: tuple[GroundedEntity, ...] = ()  # other plausible nodes for an ambiguous span


@dataclass(frozen=True)
class Constraints:
    """Hard filters the user asked for; genre ids are `Genre.id` values (lower-case names)."""

    year_min: int | None = None
    year_max: int | None = None
    genres_required: tuple[str, ...] = ()
    genres_excluded: tuple[str, ...] = ()
    not_seen: bool = False  # "something I haven't seen"


@dataclass(frozen=True)
class Parse:
    """Everything understood from one utterance."""

    text: str
    intent: Intent
    mentions: tuple[Mention, ...] = ()
    constraints: Constraints = field(default_factory=Constraints)
    parser: str = "embedded"  # which backend produced it, e.g. "embedded" or "openai-compatible"


class Parser(Protocol):
    """One interface for every NLU backend (the embedded default and the LLM providers)."""

    def parse(self, text: str) -> Parse:
        """Parse one utterance into grounded mentions, polarity, intent and constraints."""
        ...
