"""The plain data the layers hand each other: what the NLU understood of an utterance, what the graph knows of a
user, and the enums compared across layers. Frozen dataclasses, no behaviour beyond derived properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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


class Seen(StrEnum):
    """Whether the user has seen a mentioned item, as far as their words say."""

    YES = "yes"  # "I loved X", "I saw X", "seen it already"
    NO = "no"  # "haven't seen X", "have you seen X?", "is X any good?"
    UNKNOWN = "unknown"


class Role(StrEnum):
    """Who spoke a turn. Only the user's turns change the user's preferences."""

    USER = "user"
    ASSISTANT = "assistant"


class FeedbackSignal(StrEnum):
    """What a user did with a recommended item."""

    ACCEPT = "accept"
    REJECT = "reject"


class Strategy(StrEnum):
    """How a list was ranked."""

    EMBEDDING = "embedding"  # the user's GNN embedding, folded in with dialogue preferences and feedback
    DIALOGUE = "dialogue"  # cold start: dialogue preferences and feedback alone
    POPULARITY = "popularity"  # nothing known about the user: the most rated items


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
    seen: Seen = Seen.UNKNOWN  # for items: whether the user has seen it


@dataclass(frozen=True)
class Constraints:
    """Hard filters on candidate items, as the user asked for them or as a request gives them; genre ids are
    `Genre.id` values (lower-case names)."""

    year_min: int | None = None
    year_max: int | None = None
    genres_required: tuple[str, ...] = ()
    genres_excluded: tuple[str, ...] = ()
    not_seen: bool = False  # "something I haven't seen" (seen items are never offered anyway)

    @property
    def active(self) -> bool:
        """Whether any filter on the candidates is set."""
        return bool(
            self.year_min is not None or self.year_max is not None or self.genres_required or self.genres_excluded
        )


@dataclass(frozen=True)
class Parse:
    """Everything understood from one utterance."""

    text: str
    intent: Intent
    mentions: tuple[Mention, ...] = ()
    constraints: Constraints = field(default_factory=Constraints)
    parser: str = "embedded"  # which backend produced it, e.g. "embedded" or "openai-compatible"


@dataclass(frozen=True)
class PreferenceEdge:
    """A dialogue-derived `(User)-[:PREFERS]->(entity)` relationship."""

    label: str
    id: str
    polarity: Polarity
    weight: float
    seen: Seen = Seen.UNKNOWN
    updated: float | None = None  # when a turn last told its polarity (epoch seconds; None: imported)


@dataclass(frozen=True)
class UserContext:
    """Everything the scorer needs to know about a user, read in one round trip."""

    user_id: str
    rated: frozenset[str] = frozenset()
    rated_highly: frozenset[str] = frozenset()  # rated 4 or more (graph.recommend.LIKED_RATING)
    feedback: dict[str, FeedbackSignal] = field(default_factory=dict)  # item id -> signal
    preferences: tuple[PreferenceEdge, ...] = ()
    session_started: float | None = None  # read through a session: when it started (its turns' requests count)

    @property
    def seen(self) -> set[str]:
        """Items never to recommend again: rated, given feedback on, or mentioned in the dialogue, except those the
        user said they have not seen ("have you seen X?": X may be the answer)."""
        mentioned = {p.id for p in self.preferences if p.label == "Item" and p.seen is not Seen.NO}
        return set(self.rated) | set(self.feedback) | mentioned
