"""A dialogue turn end to end: parse → read as a reply to the assistant's latest offer → record (one transaction,
status pending) → score → filter → explain → answer, and the answer recorded as the assistant's turn in one
transaction with its REPLY_TO link and the user turn's answered status (its MENTIONS are the recommended items, so
"why?" and "not that one" can refer to them). A client turn id makes the exchange retry-safe: the same id again
returns the stored answer, or completes a turn whose reply was never written, and writes nothing twice."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from api.metrics import NLU_FALLBACKS, PARSES
from api.schemas import (
    ConstraintsOut,
    ExplainResponse,
    MentionOut,
    MessageOut,
    ParseOut,
    Recommendation,
    RecordedOut,
    SessionDetail,
    SessionOut,
    TurnOut,
)
from api.services.recommender import Recommender
from core.errors import ChatRecError, NotFoundError, UnavailableError
from core.types import (
    Constraints,
    FeedbackSignal,
    GroundedEntity,
    Intent,
    Mention,
    Parse,
    Polarity,
    Role,
    Seen,
    UserContext,
)
from gnn.scoring import latest_request
from graph.db import GraphStore
from graph.dialogue import (
    REPLY_SUFFIX,
    RecordedTurn,
    TurnRef,
    TurnStatus,
    create_session,
    get_session,
    last_offered,
    mark_failed,
    record_turn,
    recorded_turn,
    rehearse_exchange,
)
from graph.errors import TurnConflictError
from graph.recommend import item_details, record_feedback, session_context
from nlu.llm.parser import FALLBACK_PARSER
from nlu.reaction import offered_position, react
from nlu.types import Parser

log = logging.getLogger(__name__)

LISTING_INTENTS = (Intent.RECOMMEND, Intent.PREFERENCE)
FEEDBACK_INTENTS = {Intent.ACCEPT: FeedbackSignal.ACCEPT, Intent.REJECT: FeedbackSignal.REJECT}


class Conversation:
    """Sessions and their turns; the parser is built on first use (it loads the graph's names)."""

    def __init__(self, store: GraphStore, recommender: Recommender, parser_factory: Callable[[], Parser]) -> None:
        self.store = store
        self.recommender = recommender
        self._parser_factory = parser_factory
        self._parser: Parser | None = None
        self._lock = threading.Lock()

    @property
    def parser(self) -> Parser:
        """The NLU parser, built once, thread-safely; it reads every name in the graph, so its calls get the long
        deadline. A request that finds it being built waits at most a call's deadline, then gets 503."""
        if self._parser is None:
            wait_s = self.store.deadlines.call_s
            if not self._lock.acquire(timeout=-1 if wait_s is None else wait_s):
                raise UnavailableError("The service is warming up (reading the graph's names); retry.")
            try:
                if self._parser is None:
                    with self.store.long_calls():
                        self._parser = self._parser_factory()
            finally:
                self._lock.release()
        return self._parser

    def warm_up(self) -> None:
        """Build the parser, load what its first parse needs, and plan a turn's queries."""
        self.parser.warm_up()
        self.plan_queries()

    def plan_queries(self) -> None:
        """Have Neo4j plan a turn's queries now: a freshly started server takes seconds to plan them, more than a
        request's deadline."""
        with self.store.long_calls():
            for session_id in rehearse_exchange(self.store):
                session_context(self.store, session_id)

    def start(self, user_id: str | None = None) -> SessionOut:
        """A new session for a known user, or for a fresh anonymous user (cold start)."""
        ref = create_session(self.store, user_id)
        return SessionOut(session_id=ref.session_id, user_id=ref.user_id)

    def session(self, session_id: str, after_seq: int = 0, limit: int = 100) -> SessionDetail:
        """A page of the session's turns in order: at most `limit` after sequence number `after_seq`."""
        state = get_session(self.store, session_id, after_seq, limit)
        last_seq = state.turns[-1].seq if state.turns else after_seq
        return SessionDetail(
            session_id=state.session_id,
            user_id=state.user_id,
            started=state.started,
            turn_count=state.turn_count,
            next_after_seq=last_seq if last_seq < state.turn_count and state.turns else None,
            turns=[
                TurnOut(
                    turn_id=t.turn_id,
                    seq=t.seq,
                    role=str(t.role),
                    text=t.text,
                    intent=str(t.intent) if t.intent else None,
                    ts=t.ts,
                    status=str(t.status) if t.status else None,
                    reply_to=t.reply_to,
                    mentions=[
                        MentionOut(
                            text=m.text,
                            start=m.start,
                            end=m.end,
                            label=m.label,
                            node_id=m.node_id,
                            name=m.name,
                            polarity=str(m.polarity),
                            confidence=m.confidence,
                            seen=str(m.seen),
                        )
                        for m in t.mentions
                    ],
                )
                for t in state.turns
            ],
        )

    def message(
        self, session_id: str, text: str, k: int = 10, explain: bool = True, turn_id: str | None = None
    ) -> MessageOut:
        """Answer one user utterance. The user's turn (with its mentions and preference updates) is written in one
        transaction first, marked pending; the reply, in a second, marks it answered. A failure between the two
        marks it failed (a dead process leaves it pending); sending the same `turn_id` again completes it, and a
        turn already answered returns its stored answer without writing anything. Raises TurnConflictError when
        `turn_id` was used for another text or session."""
        turn_id = turn_id or uuid.uuid4().hex
        offered = last_offered(self.store, session_id)
        parse = react(self._parse(text), offered)
        turn = record_turn(self.store, session_id, parse, turn_id=turn_id, role=Role.USER, status=TurnStatus.PENDING)
        if not turn.created:
            if turn.text != text:
                raise TurnConflictError(f"Turn {turn_id!r} was recorded with another text.")
            if turn.answer is not None:
                return MessageOut.model_validate_json(turn.answer)
            stored = recorded_turn(self.store, turn_id)
            if stored is not None:  # answer what was recorded, not a new reading against a newer offer
                parse = _parse_of(stored)
        try:
            return self._record_reply(session_id, self._answer(session_id, turn, parse, offered, k, explain), turn_id)
        except UnavailableError:
            raise  # Neo4j is what failed: the turn stays pending (one more write would only wait on it again)
        except Exception as exc:
            self._mark_failed(turn_id, exc)
            raise

    def _answer(
        self, session_id: str, turn: TurnRef, parse: Parse, offered: list[GroundedEntity], k: int, explain: bool
    ) -> MessageOut:
        context = self._context(session_id)
        out = MessageOut(
            session_id=session_id, user_id=context.user_id, turn=turn.seq, reply="", parse=_parse_out(parse)
        )
        items = [m.entity for m in parse.mentions if m.entity.label == "Item"]
        if parse.intent in FEEDBACK_INTENTS:
            targets = [e.node_id for e in items]  # named, or the offered items the reply refers to
            for item_id in targets:
                record_feedback(self.store, context.user_id, item_id, FEEDBACK_INTENTS[parse.intent])
            context = self._context(session_id)
            verb = "will keep that in mind" if parse.intent is Intent.ACCEPT else "won't suggest that again"
            lead = f"Noted, I {verb}." if targets else "Which one do you mean?"
            self._answer_with_list(out, context, parse, k, explain, lead)
        elif parse.intent is Intent.EXPLAIN:
            picked = offered_position(parse.text, offered)  # "why 2", "why the second one?"
            targets = [e.node_id for e in items or ([picked[0]] if picked else offered[:1])]
            vector = self.recommender.user_vector(context)
            found = self.recommender.explanations(context.user_id, targets, vector, requested=latest_request(context))
            out.explanations = [
                ExplainResponse(user_id=context.user_id, item_id=item_id, explanations=paths)
                for item_id, paths in found.items()
            ]
            sentences = [paths[0].text for paths in found.values() if paths]
            out.reply = (
                " ".join(sentences)
                if sentences
                else "I have no path in the graph that explains that yet."
                if targets
                else "Which movie do you mean?"
            )
        elif parse.intent in LISTING_INTENTS or parse.mentions:
            asked = [m for m in parse.mentions if _asked_about(m)]  # "who is in inception?": the answer comes first
            liked = [
                f"“{m.entity.name}” films" if m.entity.label == "Tag" else m.entity.name
                for m in parse.mentions
                if m.polarity is Polarity.LIKE and m not in asked
            ]
            lead = f"Since you like {_join(liked)}, here are my picks." if liked else "Here are my picks."
            details = item_details(self.store, asked[0].entity.node_id) if asked else None
            if details is not None:
                lead = f"{describe_item(details)} {lead}"
            self._answer_with_list(out, context, parse, k, explain, lead)
        else:
            out.reply = "Tell me about movies, actors, directors or genres you like, and I will recommend some."
        return out

    def _mark_failed(self, turn_id: str, exc: Exception) -> None:
        """Best effort: when Neo4j is what failed, the turn stays pending (a retry completes it either way)."""
        try:
            mark_failed(self.store, turn_id, f"{type(exc).__name__}: {exc}")
        except ChatRecError as marking:
            log.warning("Turn %s stays pending: %s", turn_id, marking)

    def observe(self, session_id: str, text: str, role: Role, turn_id: str | None = None) -> RecordedOut:
        """Parse and record one utterance of either speaker without answering it (a dialogue replayed, a human
        agent's words); a user's utterance is read as a reply to the assistant's latest offer, as in `message`.
        The same `turn_id` again writes nothing; raises TurnConflictError when it was used for another text."""
        parse = self._parse(text)
        if role is Role.USER:
            parse = react(parse, last_offered(self.store, session_id))
        turn = record_turn(self.store, session_id, parse, turn_id=turn_id, role=role)
        if not turn.created and turn.text != text:
            raise TurnConflictError(f"Turn {turn_id!r} was recorded with another text.")
        return RecordedOut(session_id=session_id, turn=turn.seq, role=str(role), parse=_parse_out(parse))

    def _parse(self, text: str) -> Parse:
        """The parser's reading of `text`, counted by the parser that answered."""
        parse = self.parser.parse(text)
        PARSES.labels(parse.parser).inc()
        if parse.parser == FALLBACK_PARSER:
            NLU_FALLBACKS.inc()
        return parse

    def _context(self, session_id: str) -> UserContext:
        context = session_context(self.store, session_id)
        if context is None:
            raise NotFoundError(f"Session {session_id!r} does not exist.")
        return context

    def _answer_with_list(
        self, out: MessageOut, context: UserContext, parse: Parse, k: int, explain: bool, lead: str
    ) -> None:
        constraints = parse.constraints
        disliked_genres = {p.id for p in context.preferences if p.label == "Genre" and p.polarity is Polarity.DISLIKE}
        excluded = tuple(sorted(set(constraints.genres_excluded) | disliked_genres))
        asked = Constraints(constraints.year_min, constraints.year_max, constraints.genres_required, excluded)
        ranked = self.recommender.recommend(context.user_id, k, asked, explain, context=context)
        out.strategy = ranked.strategy
        out.recommendations = ranked.recommendations
        if not ranked.recommendations:
            out.reply = f"{lead} Nothing in the catalog fits all of that; try loosening a constraint."
            return
        out.reply = f"{lead} {_listing(ranked.recommendations)}"
        top = ranked.recommendations[0]
        if top.explanations:
            out.reply += f" Why {top.name}? {top.explanations[0].text}"

    def _record_reply(self, session_id: str, out: MessageOut, turn_id: str) -> MessageOut:
        """The reply as the assistant's turn answering `turn_id`, carrying `out` for retries; its mentions are the
        recommended items where the reply names them, written in node-id order (concurrent sessions then lock
        popular items in one order: no deadlocks) and read back in reply order. Returns the answer stored: `out`,
        or the one a concurrent retry of the same turn wrote first."""
        mentions = []
        for recommendation in out.recommendations:
            start = out.reply.find(recommendation.name)
            if start < 0:
                continue
            entity = GroundedEntity("Item", recommendation.item_id, recommendation.name)
            end = start + len(recommendation.name)
            mentions.append(Mention(out.reply[start:end], start, end, entity, Polarity.NEUTRAL, 1.0))
        intent = Intent.RECOMMEND if out.recommendations else Intent.CHITCHAT
        ordered = tuple(sorted(mentions, key=lambda m: m.entity.node_id))
        reply = Parse(text=out.reply, intent=intent, mentions=ordered, parser="assistant")
        answer = out.model_dump_json()
        ref = record_turn(
            self.store,
            session_id,
            reply,
            turn_id=turn_id + REPLY_SUFFIX,
            role=Role.ASSISTANT,
            reply_to=turn_id,
            answer=answer,
        )
        return out if ref.created or ref.answer is None else MessageOut.model_validate_json(ref.answer)


def _parse_of(turn: RecordedTurn) -> Parse:
    """A recorded turn as the Parse it was recorded from."""
    mentions = tuple(
        Mention(
            m.text, m.start, m.end, GroundedEntity(m.label, m.node_id, m.name), m.polarity, m.confidence, seen=m.seen
        )
        for m in turn.mentions
    )
    intent = turn.intent or Intent.CHITCHAT
    return Parse(turn.text, intent, mentions, turn.constraints, turn.parser or "recorded")


def _listing(recommendations: list[Recommendation]) -> str:
    return "; ".join(f"{i}. {r.name}" for i, r in enumerate(recommendations, 1)) + "."


def _asked_about(mention: Mention) -> bool:
    """An item the user asks about without having seen it ("who is in X?", "is X any good?")."""
    return mention.entity.label == "Item" and mention.seen is Seen.NO and mention.polarity is Polarity.LIKE


def describe_item(details: dict[str, Any]) -> str:
    """One sentence of what the graph holds of an item (`graph.recommend.item_details`): its genres and people."""
    people: dict[str, list[str]] = {}
    for person in details["people"]:
        people.setdefault(person["role"], []).append(person["name"])
    genres = [(g["name"] or g["id"]).lower() for g in details["genres"]]
    kinds = _join(genres[:3]) if genres else ""
    parts = [f"{'an' if kinds[:1] in 'aeiou' else 'a'} {kinds} film"] if genres else []
    for role, words in (("DIRECTED", "directed by"), ("WROTE", "written by"), ("ACTED_IN", "starring")):
        if people.get(role):
            parts.append(f"{words} {_join(people[role][:3])}")
    return f"{details['name']}: {', '.join(parts)}." if parts else f"{details['name']}."


def _join(names: list[str]) -> str:
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " and " + unique[-1]


def _parse_out(parse: Parse) -> ParseOut:
    c = parse.constraints
    return ParseOut(
        intent=str(parse.intent),
        mentions=[
            MentionOut(
                text=m.text,
                start=m.start,
                end=m.end,
                label=m.entity.label,
                node_id=m.entity.node_id,
                name=m.entity.name,
                polarity=str(m.polarity),
                confidence=m.confidence,
                seen=str(m.seen),
            )
            for m in parse.mentions
        ],
        constraints=ConstraintsOut(
            year_min=c.year_min,
            year_max=c.year_max,
            genres_required=list(c.genres_required),
            genres_excluded=list(c.genres_excluded),
            not_seen=c.not_seen,
        ),
        parser=parse.parser,
    )
