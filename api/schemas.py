"""Request and response bodies of the HTTP API (and the values the terminal chat prints)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from core.types import FeedbackSignal, Strategy

ID_PATTERN = r"^[^\x00-\x1f]{1,200}$"
TURN_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"


class ErrorOut(BaseModel):
    """Every error answer (4xx, 5xx): one sentence for a person."""

    detail: str = Field(examples=["Session 'x' does not exist."])


class ValidationIssue(BaseModel):
    """One field of the request that does not validate."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    """A request that does not validate (422): one readable sentence, then each issue."""

    detail: str = Field(examples=["Invalid request: k: Input should be less than or equal to 100."])
    errors: list[ValidationIssue]


class ReadinessOut(BaseModel):
    """The readiness probe's answer (200 ready, 503 not)."""

    status: str = Field(examples=["ok"])
    neo4j: str = Field(examples=["ok"])
    model: str = Field(examples=["loaded"])


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
    k: StrictInt = Field(10, ge=1, le=100, description="How many recommendations to return.")
    explain: StrictBool = True
    turn_id: str | None = Field(
        None,
        pattern=TURN_ID_PATTERN,
        description="Client-chosen id of this turn (e.g. a UUID) that makes the call safe to retry: the same id "
        "again returns the stored answer and writes nothing (or completes the turn when its reply was never "
        "written); reusing it for another text or session is a 409.",
        examples=["3f1c9a2e-6b0d-4c55-9a41-0d2b7e8f5c13"],
    )


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
    status: str | None = Field(
        None,
        description="A user turn sent as a message: pending (its reply not written yet), failed (retry it with "
        "the same turn_id) or answered; none for turns recorded without an answer.",
    )
    reply_to: str | None = Field(None, description="An assistant turn: the id of the user turn it answers.")
    mentions: list[MentionOut]


class SessionDetail(BaseModel):
    """A session with one page of its turns in order."""

    session_id: str
    user_id: str
    started: float
    turn_count: int = Field(description="Turns in the whole session.")
    next_after_seq: int | None = Field(
        description="Pass as `after_seq` for the next page; null on the last page.",
    )
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
