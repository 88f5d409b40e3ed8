"""A dialogue turn end to end: parse → read as a reply to the assistant's latest offer → record (one transaction)
→ score → filter → explain → answer, and the
answer recorded as the assistant's turn (its MENTIONS are the recommended items, so "why?" and "not that one"
can refer to them)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from api.schemas import (
    ConstraintsOut,
    ExplainResponse,
    MentionOut,
    MessageOut,
    ParseOut,
    Recommendation,
    SessionDetail,
    SessionOut,
    TurnOut,
)
from api.services.recommender import Recommender
from core.errors import NotFoundError
from core.types import (
    Constraints,
    FeedbackSignal,
    GroundedEntity,
    Intent,
    Mention,
    Parse,
    Polarity,
    Role,
    UserContext,
)
from graph.db import GraphStore
from graph.dialogue import TurnRef, create_session, get_session, last_offered, record_turn
from graph.recommend import record_feedback, session_context
from nlu.reaction import react
from nlu.types import Parser

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
        """The NLU parser (built once, thread-safely)."""
        if self._parser is None:
            with self._lock:
                if self._parser is None:
                    self._parser = self._parser_factory()
        return self._parser

    def warm_up(self) -> None:
        """Build the parser and load what its first parse needs."""
        self.parser.warm_up()

    def start(self, user_id: str | None = None) -> SessionOut:
        """A new session for a known user, or for a fresh anonymous user (cold start)."""
        ref = create_session(self.store, user_id)
        return SessionOut(session_id=ref.session_id, user_id=ref.user_id)

    def session(self, session_id: str) -> SessionDetail:
        """The session with its turns in order."""
        state = get_session(self.store, session_id)
        return SessionDetail(
            session_id=state.session_id,
            user_id=state.user_id,
            started=state.started,
            turns=[
                TurnOut(
                    turn_id=t.turn_id,
                    seq=t.seq,
                    role=str(t.role),
                    text=t.text,
                    intent=str(t.intent) if t.intent else None,
                    ts=t.ts,
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

    def message(self, session_id: str, text: str, k: int = 10, explain: bool = True) -> MessageOut:
        """Answer one user utterance. The user's turn (with its mentions and preference updates) is written in one
        transaction before anything else, so a failure later never leaves half a turn."""
        offered = last_offered(self.store, session_id)
        parse = react(self.parser.parse(text), offered)
        turn = self._record(session_id, parse, Role.USER)
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
            targets = [e.node_id for e in items] or [e.node_id for e in offered[:1]]
            vector = self.recommender.user_vector(context)
            found = self.recommender.explanations(context.user_id, targets, vector)
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
            liked = [m.entity.name for m in parse.mentions if m.polarity is Polarity.LIKE]
            lead = f"Since you like {_join(liked)}, here are my picks." if liked else "Here are my picks."
            self._answer_with_list(out, context, parse, k, explain, lead)
        else:
            out.reply = "Tell me about movies, actors, directors or genres you like, and I will recommend some."
        self._record_reply(session_id, out)
        return out

    def observe(self, session_id: str, text: str, role: Role) -> Parse:
        """Parse and record one utterance of either speaker without answering it (replaying a dialogue); a user's
        utterance is read as a reply to the assistant's latest offer, as in `message`."""
        parse = self.parser.parse(text)
        if role is Role.USER:
            parse = react(parse, last_offered(self.store, session_id))
        self._record(session_id, parse, role)
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

    def _record_reply(self, session_id: str, out: MessageOut) -> None:
        """The reply as the assistant's turn; its mentions are the recommended items where the reply names them,
        written in node-id order (concurrent sessions then lock popular items in one order: no deadlocks) and read
        back in reply order."""
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
        self._record(session_id, reply, Role.ASSISTANT)

    def _record(self, session_id: str, parse: Parse, role: Role) -> TurnRef:
        """Record a turn in one managed write transaction (the driver retries transient failures, deadlocks
        included, as a whole: the turn is written once or not at all)."""
        return record_turn(self.store, session_id, parse, role=role)


def _listing(recommendations: list[Recommendation]) -> str:
    return "; ".join(f"{i}. {r.name}" for i, r in enumerate(recommendations, 1)) + "."


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
