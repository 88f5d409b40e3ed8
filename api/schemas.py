"""Request and response bodies of the HTTP API (and the values the terminal chat prints)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

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
    workers: str = Field("ok", examples=["ok"], description="Whether every worker process has warmed up.")


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
    """A ranked list for a user (a page of it)."""

    user_id: str
    strategy: Strategy
    recommendations: list[Recommendation]
    offset: int = Field(0, description="Position of the first item of this page in the whole ranking.")
    next_offset: int | None = Field(None, description="The `offset` of the next page; null when nothing follows.")


class BatchRecommendationsIn(BaseModel):
    """Recommendations for many users in one call, all with the same size and filters."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"user_ids": ["ml:1", "ml:2"], "k": 5}]})
    user_ids: list[str] = Field(min_length=1, max_length=100, examples=[["ml:1", "ml:2"]])
    k: StrictInt = Field(10, ge=1, le=100)
    explain: StrictBool = Field(False, description="Explanation paths for every item (one graph read per user).")
    year_min: StrictInt | None = Field(None, ge=1800, le=2100)
    year_max: StrictInt | None = Field(None, ge=1800, le=2100)
    genre: list[str] = Field([], max_length=20, description="Required genre ids (all of them)")
    exclude_genre: list[str] = Field([], max_length=20, description="Excluded genre ids")

    @field_validator("user_ids")
    @classmethod
    def _valid_ids(cls, user_ids: list[str]) -> list[str]:
        if any(not re.fullmatch(ID_PATTERN, user_id) for user_id in user_ids):
            raise ValueError("every user id is 1 to 200 printable characters")
        if len(set(user_ids)) != len(user_ids):
            raise ValueError("user ids must be distinct")
        return user_ids


class BatchRecommendationsOut(BaseModel):
    """One list per known user, in the order asked; the ids of unknown users apart."""

    results: list[RecommendationList]
    unknown_user_ids: list[str] = []


class ExplainResponse(BaseModel):
    """Why an item suits a user: up to three real paths (none when the graph has no path within the hop limit)."""

    user_id: str
    item_id: str
    explanations: list[Explanation]


class SessionCreate(BaseModel):
    """Start a session for a known user, or for a fresh anonymous user (cold start) when `user_id` is omitted."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"user_id": "ml:1"}, {}]})
    user_id: str | None = Field(None, pattern=ID_PATTERN)


class SessionOut(BaseModel):
    """A session and the user it belongs to."""

    session_id: str
    user_id: str


class MessageIn(BaseModel):
    """One utterance: the user's, answered (the default) or only recorded; or the other speaker's, recorded."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": "I loved Fargo but no horror, something with Frances McDormand?", "k": 5},
                {"text": "why 2"},
                {"text": "Have you seen Alien?", "role": "agent"},
            ]
        },
    )
    text: str = Field(min_length=1, max_length=10_000)
    role: Literal["user", "assistant", "agent"] = Field(
        "user",
        description="Who spoke. `assistant` (or its alias `agent`): the other side of the chat (a human agent, "
        "another front end) — recorded, with what it names, and never answered; the user's next reply is read "
        "against the items it offered.",
    )
    answer: StrictBool = Field(
        True, description="For a user utterance: false records it (preferences included) without answering."
    )
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


class RecordedOut(BaseModel):
    """An utterance recorded without an answer (`answer: false`, or the assistant's side)."""

    session_id: str
    turn: int = Field(description="Position of the turn in the session (1-based).")
    role: str
    parse: ParseOut


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

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"user_id": "ml:1", "item_id": "ml:50", "signal": "reject"}]}
    )
    user_id: str = Field(pattern=ID_PATTERN)
    item_id: str = Field(pattern=ID_PATTERN)
    signal: FeedbackSignal


class FeedbackOut(BaseModel):
    """The stored feedback."""

    user_id: str
    item_id: str
    signal: FeedbackSignal


class ItemHit(BaseModel):
    """An item found by a search."""

    item_id: str
    name: str
    year: int | None = None
    genres: list[str] = []
    ratings: int = Field(description="Users who rated it or gave feedback on it.")
    score: float = Field(description="Full-text relevance (higher matches better).")


class ItemSearchOut(BaseModel):
    """A page of search results."""

    query: str
    items: list[ItemHit]
    next_offset: int | None = Field(None, description="The `offset` of the next page; null on the last page.")


class SimilarItem(BaseModel):
    """An item near another in embedding space (through the Neo4j vector index)."""

    item_id: str
    name: str
    score: float


class TrainRequest(BaseModel):
    """Overrides of the training configuration (gnn.train.TrainConfig); the rest keeps its defaults."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"max_epochs": 50, "seed": 7}]})
    dim: int | None = Field(None, ge=2, le=1024)
    num_layers: int | None = Field(None, ge=1, le=8)
    max_epochs: int | None = Field(None, ge=1, le=10_000)
    max_seconds: float | None = Field(None, gt=0, le=86_400)
    seed: int | None = Field(None, ge=0)
    sampling: Literal["auto", "always", "never"] | None = Field(
        None, description="Neighbour-sampled batches; auto: when full-graph training exceeds the memory budget."
    )


class JobOut(BaseModel):
    """A background training job."""

    job_id: str
    status: str = Field(description="queued, running, succeeded or failed")
    submitted: float
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    metrics: dict[str, Any] | None = None
