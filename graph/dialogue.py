"""Dialogue state in Neo4j: sessions, their turns, the grounded mentions of each turn and the user's aggregated,
revisable preferences.

    (User)-[:HAS_SESSION]->(Session {id, started, turn_count})-[:HAS_TURN]->(Turn {id, seq, role, text, intent, ts, …})
    (Turn {role: 'assistant', answer})-[:REPLY_TO]->(Turn {role: 'user', status: 'pending' | 'failed' | 'answered'})
    (Turn)-[:MENTIONS {polarity, confidence, seen, text, start, end, position}]->(Item | Person | Genre)
    (User)-[:PREFERS {polarity, weight, mentions, seen, source: 'dialogue', updated, turn}]->(Item | Person | Genre)

A turn is written in one transaction (turn, mentions and preference updates commit together or not at all),
retrying with the same turn id returns the turn already written, and concurrent turns to one session get distinct,
gap-free sequence numbers (the session node is write-locked before its counter is read). A reply is written with
the REPLY_TO link and the answered status of the turn it answers in the same transaction, under an id derived from
that turn's, so a turn has one reply at most however often it is retried.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from neo4j import ManagedTransaction, Transaction

from core.errors import InvalidInputError, UnknownEntityError
from core.types import Constraints, GroundedEntity, Intent, Mention, Parse, Polarity, Role, Seen
from graph.db import STABLE_PLAN, GraphStore
from graph.errors import TurnConflictError, UnknownNodeError

# The labels a mention may point at (each query below names them literally: labels are never parameters).
ENTITY_LABELS: tuple[str, ...] = ("Genre", "Item", "Person", "Tag")


def _per_label(template: LiteralString, separator: LiteralString = "") -> LiteralString:
    """`template` once per entity label in lock order, `LABEL` replaced by the label: static Cypher only."""
    return separator.join([template.replace("LABEL", label) for label in ENTITY_LABELS])


# Write-lock the session (and its user) before reading the counter: no lost update, no duplicate seq, and PREFERS
# updates of one user are serialised. Also reads whether this turn id was recorded before (an idempotent retry).
_LOCK_SESSION: LiteralString = (
    STABLE_PLAN
    + """
MATCH (u:User)-[:HAS_SESSION]->(s:Session {id: $session_id})
SET s._lock = true, u._lock = true
REMOVE s._lock, u._lock
WITH u, s
OPTIONAL MATCH (t:Turn {id: $turn_id})
OPTIONAL MATCH (owner:Session)-[:HAS_TURN]->(t)
OPTIONAL MATCH (reply:Turn)-[:REPLY_TO]->(t)
RETURN s.turn_count AS turn_count, t IS NOT NULL AS recorded, owner.id AS owner, t.seq AS seq, t.text AS text,
       coalesce(t.answer, reply.answer) AS answer
"""
)

# The whole turn in one statement: the mentioned entities that do not exist (the caller then rolls back), the
# Turn, its MENTIONS and the PREFERS updates, label by label and row by row in lock order (see `_in_lock_order`).
_WRITE_TURN: LiteralString = (
    STABLE_PLAN
    + """
CALL () {
    CALL () {
"""
    + _per_label(
        """
        UNWIND $mentions.LABEL AS row
        OPTIONAL MATCH (e:LABEL {id: row.node_id})
        WITH row, e WHERE e IS NULL
        RETURN 'LABEL' AS label, row.node_id AS node_id
""",
        "    UNION ALL",
    )
    + """
    }
    RETURN collect(DISTINCT [label, node_id]) AS missing
}
MATCH (u:User)-[:HAS_SESSION]->(s:Session {id: $session_id})
SET s.turn_count = $seq, s.last_ts = $props.ts
CREATE (s)-[:HAS_TURN]->(t:Turn)
SET t = $props, t.seq = $seq
WITH u, s, t, missing
OPTIONAL MATCH (s)-[:HAS_TURN]->(asked:Turn {id: $reply_to})
FOREACH (_ IN CASE WHEN asked IS NULL THEN [] ELSE [1] END |
    CREATE (t)-[:REPLY_TO]->(asked)
    SET asked.status = 'answered', asked.error = null)
WITH u, t, missing, $reply_to IS NOT NULL AND asked IS NULL AS unanswerable
"""
    + _per_label(
        """
CALL (t) {
    UNWIND $mentions.LABEL AS row
    MATCH (e:LABEL {id: row.node_id})
    CREATE (t)-[:MENTIONS {polarity: row.polarity, confidence: row.confidence, seen: row.seen, text: row.text,
                           start: row.start, end: row.end, position: row.position}]->(e)
}
"""
    )
    + _per_label(
        """
CALL (u) {
    UNWIND $preferences.LABEL AS row
    MATCH (e:LABEL {id: row.node_id})
    OPTIONAL MATCH (u)-[old:PREFERS {source: 'dialogue'}]->(e)
    // The user is write-locked (_LOCK_SESSION), so no other transaction creates this PREFERS meanwhile: a plain
    // CREATE is safe, and unlike MERGE it never upgrades a shared lock on the (popular) entity, which deadlocked
    // concurrent turns mentioning the same nodes.
    // A neutral row only says whether the item was seen ("seen it already"): it changes no polarity or weight, nor
    // the turn that last told them (`updated`, `turn`: the scorer reads the latest request from them).
    FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END |
        CREATE (u)-[:PREFERS {source: 'dialogue', polarity: row.polarity, weight: row.initial_weight,
                              mentions: row.initial_mentions, seen: row.seen, updated: $props.ts,
                              turn: $props.id}]->(e))
    WITH old, row, old.polarity = row.polarity AS agrees, row.polarity = 'neutral' AS seen_only WHERE old IS NOT NULL
    SET old.weight = CASE WHEN seen_only THEN old.weight
                          WHEN agrees THEN 1.0 - (1.0 - old.weight) * (1.0 - row.confidence) ELSE row.confidence END,
        old.mentions = CASE WHEN seen_only THEN old.mentions WHEN agrees THEN old.mentions + 1 ELSE 1 END,
        old.polarity = CASE WHEN seen_only THEN old.polarity ELSE row.polarity END,
        old.seen = CASE WHEN row.seen = 'unknown' THEN coalesce(old.seen, 'unknown') ELSE row.seen END,
        old.updated = CASE WHEN seen_only THEN old.updated ELSE $props.ts END,
        old.turn = CASE WHEN seen_only THEN old.turn ELSE $props.id END
}
"""
    )
    + "RETURN missing, unanswerable"
)
_MARK_FAILED: LiteralString = (
    STABLE_PLAN + "MATCH (t:Turn {id: $turn_id, status: 'pending'}) SET t.status = 'failed', t.error = $reason"
)
_ONE_OF_EACH_LABEL: LiteralString = (
    "CALL () {"
    + _per_label(" MATCH (e:LABEL) RETURN 'LABEL' AS label, e.id AS id, e.name AS name LIMIT 1 ", "UNION ALL")
    + "} RETURN label, id, name"
)
# A turn's mentions in utterance order (the rows come ordered by m.position), as maps.
_MENTIONS: LiteralString = """collect(CASE WHEN m IS NOT NULL THEN {
    text: m.text, start: m.start, end: m.end, polarity: m.polarity, confidence: m.confidence, seen: m.seen,
    label: [label IN labels(e) WHERE label IN $labels][0], node_id: e.id, name: e.name} END)"""
REPLY_SUFFIX = "#reply"  # a reply's id is the answered turn's id + this (client turn ids cannot contain '#')
ANONYMOUS_PREFIX = "anon:"
Tx = ManagedTransaction | Transaction  # a turn's statements run in a managed transaction, or a rehearsal's


@dataclass(frozen=True)
class SessionRef:
    """A session and the user it belongs to."""

    session_id: str
    user_id: str
    created: bool  # False when an existing session was returned (idempotent retry)


class TurnStatus(StrEnum):
    """Where a user turn answered through `Conversation.message` stands (replayed turns have none)."""

    PENDING = "pending"  # recorded, its reply not yet written (in progress, or the process died meanwhile)
    FAILED = "failed"  # producing its reply failed; retrying the turn completes it
    ANSWERED = "answered"  # its reply is written and linked


@dataclass(frozen=True)
class TurnRef:
    """A recorded turn: its id and its 1-based position in the session; for a turn recorded before (an idempotent
    retry), what was stored: its text and the stored answer (the turn's own, or its reply's)."""

    turn_id: str
    seq: int
    created: bool  # False when the turn had been recorded before (idempotent retry)
    text: str | None = None
    answer: str | None = None


@dataclass(frozen=True)
class RecordedMention:
    """A stored mention of a turn."""

    text: str
    start: int
    end: int
    label: str
    node_id: str
    name: str
    polarity: Polarity
    confidence: float
    seen: Seen = Seen.UNKNOWN


@dataclass(frozen=True)
class RecordedTurn:
    """A stored turn with its mentions in utterance order."""

    turn_id: str
    seq: int
    role: Role
    text: str
    intent: Intent | None
    ts: float
    parser: str | None
    constraints: Constraints
    mentions: tuple[RecordedMention, ...]
    status: TurnStatus | None = None
    reply_to: str | None = None  # the id of the turn this one answers


@dataclass(frozen=True)
class SessionState:
    """A session with a page of its turns in order."""

    session_id: str
    user_id: str
    started: float
    turn_count: int
    turns: tuple[RecordedTurn, ...]


@dataclass(frozen=True)
class Preference:
    """One aggregated dialogue preference of a user."""

    label: str
    node_id: str
    name: str
    polarity: Polarity
    weight: float  # 0..1, grows with repeated agreeing mentions, reset by a contradicting one
    mentions: int  # agreeing mentions since the last flip
    updated: float


def create_session(
    store: GraphStore, user_id: str | None = None, *, session_id: str | None = None, ts: float | None = None
) -> SessionRef:
    """Start a session for an existing user, or for a fresh anonymous user (cold start) when `user_id` is None.

    With an explicit `session_id` the call is idempotent: an existing session with that id is returned as is.
    Raises UnknownNodeError for an unknown `user_id`, InvalidInputError when the session belongs to another user.
    """
    started = time.time() if ts is None else ts
    return store.write_tx(_session_work(user_id, session_id or uuid.uuid4().hex, started))


def _session_work(user_id: str | None, session_id: str, started: float) -> Callable[[Tx], SessionRef]:
    """The transaction function of `create_session`."""

    def work(tx: Tx) -> SessionRef:
        existing = tx.run(
            STABLE_PLAN + "MATCH (u:User)-[:HAS_SESSION]->(s:Session {id: $session_id}) RETURN u.id AS user_id",
            session_id=session_id,
        ).single()
        if existing is not None:
            if user_id is not None and existing["user_id"] != user_id:
                raise InvalidInputError(f"Session {session_id!r} belongs to another user than {user_id!r}.")
            return SessionRef(session_id, existing["user_id"], created=False)
        if user_id is None:
            owner = f"{ANONYMOUS_PREFIX}{uuid.uuid4().hex}"
            tx.run(
                STABLE_PLAN + "CREATE (:User {id: $user_id, source: 'dialogue', anonymous: true, created: $ts})",
                user_id=owner,
                ts=started,
            ).consume()
        else:
            owner = user_id
        created = tx.run(
            STABLE_PLAN
            + """
            MATCH (u:User {id: $user_id})
            CREATE (u)-[:HAS_SESSION]->(s:Session {id: $session_id, started: $ts, turn_count: 0})
            RETURN s.id AS id
            """,
            user_id=owner,
            session_id=session_id,
            ts=started,
        ).single()
        if created is None:
            raise UnknownNodeError("User", owner)
        return SessionRef(session_id, owner, created=True)

    return work


def record_turn(
    store: GraphStore,
    session_id: str,
    parse: Parse,
    *,
    turn_id: str | None = None,
    role: Role = Role.USER,
    ts: float | None = None,
    status: TurnStatus | None = None,
    reply_to: str | None = None,
    answer: str | None = None,
) -> TurnRef:
    """Record one parsed utterance: the Turn (text verbatim), its MENTIONS and, for user turns, the PREFERS updates,
    all in one transaction.

    Preference update per entity (the turn's last non-neutral mention of it counts): a first mention creates
    PREFERS with weight = confidence; an agreeing one raises the weight (1 - (1-w)(1-c)); a contradicting one flips
    the polarity and resets the weight to its confidence. Neutral mentions do not change preferences.
    Retrying with the same `turn_id` returns the stored turn without writing again. A reply names the turn it
    answers (`reply_to`, in the same session) and carries the `answer` to return to a retry. Raises
    UnknownNodeError, UnknownEntityError (nothing written) or TurnConflictError (the id belongs to another session).
    """
    when = time.time() if ts is None else ts
    work = _turn_work(session_id, parse, turn_id or uuid.uuid4().hex, Role(role), when, status, reply_to, answer)
    return store.write_tx(work)


def _turn_work(
    session_id: str,
    parse: Parse,
    turn_id: str,
    role: Role,
    when: float,
    status: TurnStatus | None = None,
    reply_to: str | None = None,
    answer: str | None = None,
) -> Callable[[Tx], TurnRef]:
    """The transaction function of `record_turn`."""
    by_label = _mentions_by_label(parse)
    preferences = _preference_updates(parse) if role is Role.USER else {}
    turn_props = _turn_properties(parse, turn_id, role, when) | {
        "status": None if status is None else TurnStatus(status).value,
        "answer": answer,
    }

    def work(tx: Tx) -> TurnRef:
        session = tx.run(_LOCK_SESSION, session_id=session_id, turn_id=turn_id).single()
        if session is None:
            raise UnknownNodeError("Session", session_id)
        if session["recorded"]:
            if session["owner"] != session_id:
                raise TurnConflictError(f"Turn {turn_id!r} was recorded in another session.")
            return TurnRef(turn_id, session["seq"], False, session["text"], session["answer"])
        seq = (session["turn_count"] or 0) + 1
        written = tx.run(
            _WRITE_TURN,
            session_id=session_id,
            seq=seq,
            props=turn_props,
            mentions=by_label,
            preferences=preferences,
            reply_to=reply_to,
        ).single(strict=True)
        if written["missing"]:  # raising rolls the transaction back: nothing of the turn is written
            described = ", ".join(f"{label} {node_id!r}" for label, node_id in sorted(written["missing"]))
            raise UnknownEntityError(f"No node for {described}.")
        if written["unanswerable"]:
            raise UnknownNodeError("Turn", f"{reply_to} in session {session_id}")
        return TurnRef(turn_id, seq, created=True, text=parse.text)

    return work


def get_session(store: GraphStore, session_id: str, after_seq: int = 0, limit: int | None = None) -> SessionState:
    """The session with its turns after sequence number `after_seq` (at most `limit`, all without), in order, with
    their mentions. Raises UnknownNodeError."""
    rows = store.read(
        STABLE_PLAN
        + """
        MATCH (u:User)-[:HAS_SESSION]->(s:Session {id: $session_id})
        CALL (s) {
            OPTIONAL MATCH (s)-[:HAS_TURN]->(t:Turn) WHERE t.seq > $after_seq
            WITH t ORDER BY t.seq LIMIT $limit
            OPTIONAL MATCH (t)-[m:MENTIONS]->(e)
            WITH t, m, e ORDER BY m.position
            WITH t, """
        + _MENTIONS
        + """ AS mentions
            ORDER BY t.seq
            RETURN collect(CASE WHEN t IS NOT NULL THEN t {.*, answer: null, mentions: mentions,
                reply_to: COLLECT { MATCH (t)-[:REPLY_TO]->(q:Turn) RETURN q.id }[0]} END) AS turns
        }
        RETURN u.id AS user_id, s.started AS started, coalesce(s.turn_count, 0) AS turn_count, turns
        """,
        session_id=session_id,
        after_seq=after_seq,
        limit=limit if limit is not None else 2**62,
        labels=list(ENTITY_LABELS),
    )
    if not rows:
        raise UnknownNodeError("Session", session_id)
    row = rows[0]
    turns = tuple(_turn_from_row(t) for t in row["turns"])
    return SessionState(session_id, row["user_id"], row["started"], row["turn_count"], turns)


def rehearse_exchange(store: GraphStore) -> list[str]:
    """Run a whole exchange in one transaction that is then rolled back (nothing is written): a new anonymous
    session, a user turn liking an item, a person and a genre of the graph, its reply, a failure mark; and the
    dialogue reads against a session id that names nothing and against a recorded session (every operator runs).
    A freshly started server then has planned and compiled every statement of a turn, which takes seconds (more
    than a request's deadline) the first time. Returns the session ids read: "" and the recorded one, if any."""

    def work(tx: Tx) -> None:
        entities = [GroundedEntity(r["label"], r["id"], r["name"] or r["id"]) for r in tx.run(_ONE_OF_EACH_LABEL)]
        mentions = tuple(Mention(e.name, 0, len(e.name), e, Polarity.LIKE, 0.9) for e in entities)
        said = Parse(text="warm-up", intent=Intent.PREFERENCE, mentions=mentions, parser="warm-up")
        items = tuple(Mention(m.text, m.start, m.end, m.entity, Polarity.NEUTRAL, 1.0) for m in mentions)
        reply = Parse(text="warm-up", intent=Intent.RECOMMEND, mentions=items, parser="assistant")
        session = _session_work(None, f"warm-up-{uuid.uuid4().hex}", 0.0)(tx)
        turn = _turn_work(session.session_id, said, f"warm-up-{uuid.uuid4().hex}", Role.USER, 0.0, TurnStatus.PENDING)
        turn_id = turn(tx).turn_id
        tx.run(_MARK_FAILED, turn_id=turn_id, reason="warm-up").consume()
        answer = _turn_work(session.session_id, reply, turn_id + REPLY_SUFFIX, Role.ASSISTANT, 0.0, None, turn_id, "{}")
        answer(tx)

    store.rehearse(work)
    sessions = ["", *(row["id"] for row in store.read("MATCH (s:Session)-[:HAS_TURN]->() RETURN s.id AS id LIMIT 1"))]
    for session_id in sessions:
        for read in (last_offered, get_session):
            with suppress(UnknownNodeError):
                read(store, session_id)
    return sessions


def delete_sessions(store: GraphStore, session_ids: list[str], batch: int = 50) -> int:
    """Delete these sessions with their turns (a benchmark's synthetic conversations), and the anonymous users
    they leave without a session, with those users' preferences and feedback; known users and their other sessions
    stay. One transaction per `batch` sessions (a session holds dozens of turns: one transaction for thousands would
    outgrow the server's transaction memory); running it again finishes an interrupted deletion. Returns how many
    sessions were deleted."""
    deleted = 0
    for start in range(0, len(session_ids), batch):
        rows = store.write(
            """
            UNWIND $session_ids AS session_id
            MATCH (u:User)-[:HAS_SESSION]->(s:Session {id: session_id})
            CALL (s) { MATCH (s)-[:HAS_TURN]->(t:Turn) DETACH DELETE t }
            DETACH DELETE s
            WITH collect(DISTINCT u) AS owners, count(*) AS deleted
            CALL (owners) {
              UNWIND owners AS u
              WITH u WHERE u.anonymous = true AND NOT EXISTS { (u)-[:HAS_SESSION]->() }
              DETACH DELETE u
            }
            RETURN deleted
            """,
            session_ids=session_ids[start : start + batch],
        )
        deleted += rows[0]["deleted"] if rows else 0
    return deleted


def recorded_turn(store: GraphStore, turn_id: str) -> RecordedTurn | None:
    """One stored turn with its mentions (what a retry answers from), or None."""
    rows = store.read(
        "MATCH (t:Turn {id: $turn_id}) OPTIONAL MATCH (t)-[m:MENTIONS]->(e) WITH t, m, e ORDER BY m.position "
        "WITH t, " + _MENTIONS + " AS mentions RETURN t {.*, answer: null, mentions: mentions} AS turn",
        turn_id=turn_id,
        labels=list(ENTITY_LABELS),
    )
    return _turn_from_row(rows[0]["turn"]) if rows else None


def mark_failed(store: GraphStore, turn_id: str, reason: str) -> None:
    """Mark a pending user turn whose reply could not be produced (a retry of the turn completes it)."""
    store.write(_MARK_FAILED, turn_id=turn_id, reason=reason[:500])


def user_preferences(store: GraphStore, user_id: str) -> list[Preference]:
    """The user's dialogue preferences, strongest first. Raises UnknownNodeError."""
    rows = store.read(
        """
        MATCH (u:User {id: $user_id})
        OPTIONAL MATCH (u)-[r:PREFERS {source: 'dialogue'}]->(e)
        WITH u, r, e ORDER BY r.weight DESC, r.updated DESC, e.id
        RETURN u.id AS user_id, collect(CASE WHEN r IS NOT NULL THEN {
            label: [label IN labels(e) WHERE label IN $labels][0], node_id: e.id, name: e.name,
            polarity: r.polarity, weight: r.weight, mentions: r.mentions, updated: r.updated} END) AS preferences
        """,
        user_id=user_id,
        labels=list(ENTITY_LABELS),
    )
    if not rows:
        raise UnknownNodeError("User", user_id)
    return [
        Preference(
            label=p["label"],
            node_id=p["node_id"],
            name=p["name"] or p["node_id"],
            polarity=Polarity(p["polarity"]),
            weight=p["weight"],
            mentions=p["mentions"],
            updated=p["updated"],
        )
        for p in rows[0]["preferences"]
    ]


def last_offered(store: GraphStore, session_id: str) -> list[GroundedEntity]:
    """The items of the latest assistant turn that named any (its offer stands through an explanation or a
    question), in the order it named them; empty before the first. Raises UnknownNodeError."""
    rows = store.read(
        STABLE_PLAN
        + """
        MATCH (s:Session {id: $session_id})
        OPTIONAL MATCH (s)-[:HAS_TURN]->(t:Turn {role: 'assistant'})
        WHERE EXISTS { (t)-[:MENTIONS]->(:Item) }
        WITH s, t ORDER BY t.seq DESC LIMIT 1
        OPTIONAL MATCH (t)-[m:MENTIONS]->(e:Item)
        WITH s, m, e ORDER BY m.start
        RETURN s.id AS session_id, collect(CASE WHEN e IS NOT NULL THEN {id: e.id, name: e.name} END) AS items
        """,
        session_id=session_id,
    )
    if not rows:
        raise UnknownNodeError("Session", session_id)
    return [GroundedEntity("Item", item["id"], item["name"]) for item in rows[0]["items"]]


def _mentions_by_label(parse: Parse) -> dict[str, list[dict[str, Any]]]:
    by_label: dict[str, list[dict[str, Any]]] = {}
    for position, mention in enumerate(parse.mentions):
        label = _checked_label(mention.entity.label)
        by_label.setdefault(label, []).append(
            {
                "node_id": mention.entity.node_id,
                "polarity": Polarity(mention.polarity).value,
                "confidence": float(mention.confidence),
                "seen": Seen(mention.seen).value,
                "text": mention.text,
                "start": mention.start,
                "end": mention.end,
                "position": position,
            }
        )
    return _in_lock_order(by_label)


def _preference_updates(parse: Parse) -> dict[str, list[dict[str, Any]]]:
    """The last non-neutral mention of each entity in the turn, grouped by label; an item mentioned only neutrally
    but with a known seen-status gives a row that records just that."""
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for mention in parse.mentions:
        key = (_checked_label(mention.entity.label), mention.entity.node_id)
        polarity, seen = Polarity(mention.polarity), Seen(mention.seen)
        if polarity is Polarity.NEUTRAL and (seen is Seen.UNKNOWN or key in last):
            continue
        earlier = last.get(key)
        confidence = min(max(float(mention.confidence), 0.0), 1.0)
        last[key] = {
            "node_id": mention.entity.node_id,
            "polarity": polarity.value,
            "confidence": confidence,
            "initial_weight": 0.0 if polarity is Polarity.NEUTRAL else confidence,
            "initial_mentions": 0 if polarity is Polarity.NEUTRAL else 1,
            "seen": seen.value if seen is not Seen.UNKNOWN or earlier is None else earlier["seen"],
        }
    grouped: dict[str, list[dict[str, Any]]] = {}
    for (label, _), row in last.items():
        grouped.setdefault(label, []).append(row)
    return _in_lock_order(grouped)


def _in_lock_order(by_label: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Labels sorted, rows sorted by node id: every turn links (and so locks the relationship groups of) the
    entities it mentions in one global order, which keeps concurrent turns on popular nodes from deadlocking each
    other in the common case; the driver retries the rare deadlock that remains (the turn is one transaction)."""
    return {label: sorted(by_label[label], key=lambda row: row["node_id"]) for label in sorted(by_label)}


def _checked_label(label: str) -> str:
    if label not in ENTITY_LABELS:
        raise UnknownEntityError(f"Mentions cannot point at label {label!r}; expected one of {list(ENTITY_LABELS)}.")
    return label


def _turn_properties(parse: Parse, turn_id: str, role: Role, ts: float) -> dict[str, Any]:
    c = parse.constraints
    return {
        "id": turn_id,
        "role": role.value,
        "text": parse.text,
        "intent": Intent(parse.intent).value,
        "parser": parse.parser,
        "ts": ts,
        "year_min": c.year_min,
        "year_max": c.year_max,
        "genres_required": list(c.genres_required),
        "genres_excluded": list(c.genres_excluded),
        "not_seen": c.not_seen,
    }


def _turn_from_row(row: dict[str, Any]) -> RecordedTurn:
    return RecordedTurn(
        turn_id=row["id"],
        seq=row["seq"],
        role=Role(row["role"]),
        text=row["text"],
        intent=Intent(row["intent"]) if row.get("intent") else None,
        ts=row["ts"],
        parser=row.get("parser"),
        constraints=Constraints(
            year_min=row.get("year_min"),
            year_max=row.get("year_max"),
            genres_required=tuple(row.get("genres_required") or ()),
            genres_excluded=tuple(row.get("genres_excluded") or ()),
            not_seen=bool(row.get("not_seen")),
        ),
        mentions=tuple(
            RecordedMention(
                text=m["text"],
                start=m["start"],
                end=m["end"],
                label=m["label"],
                node_id=m["node_id"],
                name=m["name"] or m["node_id"],
                polarity=Polarity(m["polarity"]),
                confidence=m["confidence"],
                seen=Seen(m.get("seen") or "unknown"),
            )
            for m in row["mentions"]
        ),
        status=TurnStatus(row["status"]) if row.get("status") else None,
        reply_to=row.get("reply_to"),
    )
