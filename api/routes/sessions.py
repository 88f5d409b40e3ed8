"""Conversational sessions: start one, send messages, read its turns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from api.schemas import ID_PATTERN, MessageIn, MessageOut, RecordedOut, SessionCreate, SessionDetail, SessionOut
from api.security import require_api_key, require_read_key
from api.services.container import ServicesDep
from core.types import Role

router = APIRouter(prefix="/v1/sessions", tags=["conversation"])

SessionId = Annotated[
    str, Path(pattern=ID_PATTERN, description="Session id", examples=["5594e199a8644439b4ec72627d6136bf"])
]
WRITE = {"dependencies": [Depends(require_api_key)]}
READ = {"dependencies": [Depends(require_read_key)]}
MAX_SEQ = 2**63 - 1  # Neo4j integers are 64-bit: a larger number is a 422, not a driver overflow


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={401: {"description": "Missing API key"}, 404: {"description": "Unknown user"}},
    **WRITE,
)
def start(services: ServicesDep, body: SessionCreate | None = None) -> SessionOut:
    """Start a session for a known user, or for a fresh anonymous user (cold start) without `user_id`."""
    return services.conversation.start((body or SessionCreate()).user_id)


@router.post(
    "/{session_id}/messages",
    responses={
        401: {"description": "Missing API key"},
        404: {"description": "Unknown session"},
        409: {"description": "The turn id was used for another text or session"},
    },
    **WRITE,
)
def message(session_id: SessionId, body: MessageIn, services: ServicesDep) -> MessageOut | RecordedOut:
    """One user utterance → the reply, what the NLU understood (grounded entities, polarity, intent, constraints)
    and recommendations with their explanation paths (or the paths asked for by "why?").

    `role: "assistant"` (alias `agent`) records the other speaker's utterance, and `answer: false` a user's, without
    answering (chats where a human agent or another front end also speaks, dialogues replayed): the answer is
    then the recorded turn and what was understood."""
    if body.role != "user":
        return services.conversation.observe(session_id, body.text, Role.ASSISTANT, body.turn_id)
    if not body.answer:
        return services.conversation.observe(session_id, body.text, Role.USER, body.turn_id)
    return services.conversation.message(session_id, body.text, body.k, body.explain, body.turn_id)


@router.get(
    "/{session_id}",
    responses={401: {"description": "Missing read key"}, 404: {"description": "Unknown session"}},
    **READ,
)
def session(
    session_id: SessionId,
    services: ServicesDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ, description="Return the turns after this sequence number.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many turns.")] = 100,
) -> SessionDetail:
    """A page of the session's turns in order (the user's and the assistant's), with their grounded mentions;
    follow `next_after_seq` for the next page."""
    return services.conversation.session(session_id, after_seq, limit)
