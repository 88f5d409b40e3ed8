"""Request and response bodies of the HTTP API (and the values the terminal chat prints)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.types import FeedbackSignal, Strategy

ID_PATTERN = r"^[^\x00-\x1f]{1,200}$"


class PathNodeOut(BaseModel):
    """A node on an explanation path."""

    label: str
    id: str
    name: str


class PathRelationshipOut(BaseModel):
    """A relationship on an explanation path from `nodes[start]` to `nodes[end]`."""

    type: str
    start: int
    end: int
    properties: dict[str, Any] = {}


class Explanation(BaseModel):
    """One real path in the graph from the user to the item."""

    text: str = Field(description="The path in one sentence.")
    score: float = Field(description="Embedding score of the path (higher explains better).")
    nodes: list[PathNodeOut]
    relationships: list[PathRelationshipOut]
    cypher: str = Field(description="Run this in the Neo4j Browser to see exactly this path.")


class Recommendation(BaseModel):
    """A recommended item, with its explanation paths when asked for."""

    item_id: str
    name: str
    year: int | None = None
    genres: list[str] = []
    score: float
    explanations: list[Explanation] | None = None


class RecommendationList(BaseModel):
    """A ranked list for a user."""

    user_id: str
    strategy: Strategy
    recommendations: list[Recommendation]


class ExplainResponse(BaseModel):
    """Why an item suits a user: up to three real paths (none when the graph has no path within the hop limit)."""

    user_id: str
    item_id: str
    explanations: list[Explanation]


class SessionCreate(BaseModel):
    """Start a session for a known user, or for a fresh anonymous user (cold start) when `user_id` is omitted."""

    model_config = ConfigDict(extra="forbid")
    user_id: str | None = Field(None, pattern=ID_PATTERN)


class SessionOut(BaseModel):
    """A session and the user it belongs to."""

    session_id: str
    user_id: str


class MessageIn(BaseModel):
    """One user utterance."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10_000)
    k: int = Field(10, ge=1, le=100, description="How many recommendations to return.")
    explain: bool = True


class MentionOut(BaseModel):
    """A span of the utterance grounded to a graph node, with the user's polarity towards it."""

    text: str
    start: int
    end: int
    label: str
    node_id: str
    name: str
    polarity: str
    confidence: float
    seen: str = Field("unknown", description="Whether the user has seen the item: yes, no or unknown.")


class ConstraintsOut(BaseModel):
    """Hard filters understood from the utterance."""

    year_min: int | None = None
    year_max: int | None = None
    genres_required: list[str] = []
    genres_excluded: list[str] = []
    not_seen: bool = False


class ParseOut(BaseModel):
    """What the NLU understood."""

    intent: str
    mentions: list[MentionOut]
    constraints: ConstraintsOut
    parser: str


class MessageOut(BaseModel):
    """The answer to one utterance."""

    session_id: str
    user_id: str
    turn: int = Field(description="Position of the user's turn in the session (1-based).")
    reply: str
    parse: ParseOut
    strategy: Strategy | None = None
    recommendations: list[Recommendation] = []
    explanations: list[ExplainResponse] = Field(default=[], description="Answers to 'why?' questions.")


class TurnOut(BaseModel):
    """A recorded turn."""

    turn_id: str
    seq: int
    role: str
    text: str
    intent: str | None
    ts: float
    mentions: list[MentionOut]


class SessionDetail(BaseModel):
    """A session with its turns in order."""

    session_id: str
    user_id: str
    started: float
    turns: list[TurnOut]


class FeedbackIn(BaseModel):
    """Accept or reject a recommended item: the user's next list changes accordingly."""

    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(pattern=ID_PATTERN)
    item_id: str = Field(pattern=ID_PATTERN)
    signal: FeedbackSignal


class FeedbackOut(BaseModel):
    """The stored feedback."""

    user_id: str
    item_id: str
    signal: FeedbackSignal


class SimilarItem(BaseModel):
    """An item near another in embedding space (through the Neo4j vector index)."""

    item_id: str
    name: str
    score: float


class TrainRequest(BaseModel):
    """Overrides of the training configuration (gnn.train.TrainConfig); the rest keeps its defaults."""

    model_config = ConfigDict(extra="forbid")
    dim: int | None = Field(None, ge=2, le=1024)
    num_layers: int | None = Field(None, ge=1, le=8)
    max_epochs: int | None = Field(None, ge=1, le=10_000)
    max_seconds: float | None = Field(None, gt=0, le=86_400)
    seed: int | None = Field(None, ge=0)


class JobOut(BaseModel):
    """A background training job."""

    job_id: str
    status: str = Field(description="queued, running, succeeded or failed")
    submitted: float
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    metrics: dict[str, Any] | None = None
