"""Dialogue state in a real Neo4j: sessions, turns, mentions, revisable preferences, idempotence, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from core.errors import ErrorKind, UnknownEntityError
from core.types import Constraints, GroundedEntity, Intent, Mention, Parse, Polarity, Role
from graph.db import GraphStore
from graph.dialogue import (
    create_session,
    delete_sessions,
    get_session,
    record_turn,
    user_preferences,
)
from graph.errors import TurnConflictError, UnknownNodeError
from graph.stats import total_counts

FARGO = GroundedEntity("Item", "ml:1", "Fargo (1996)")
JAWS = GroundedEntity("Item", "ml:2", "Jaws (1975)")
HORROR = GroundedEntity("Genre", "horror", "Horror")
MCDORMAND = GroundedEntity("Person", "redial:9", "Frances McDormand")


@pytest.fixture
def catalog(store: GraphStore) -> GraphStore:
    store.write(
        """
        CREATE (:User {id: 'ml:7'}),
               (f:Item:Movie {id: 'ml:1', name: 'Fargo (1996)'}), (:Item:Movie {id: 'ml:2', name: 'Jaws (1975)'}),
               (:Genre {id: 'horror', name: 'Horror'}), (p:Person {id: 'redial:9', name: 'Frances McDormand'}),
               (p)-[:ACTED_IN]->(f)
        """
    )
    return store


def mention(text: str, entity: GroundedEntity, polarity: Polarity, confidence: float = 0.8, start: int = 0) -> Mention:
    return Mention(text, start, start + len(text), entity, polarity, confidence)


def parse(text: str, *mentions: Mention, intent: Intent = Intent.PREFERENCE, **constraints: object) -> Parse:
    return Parse(text, intent, tuple(mentions), Constraints(**constraints))  # type: ignore[arg-type]


def count(store: GraphStore, query: str, **params: object) -> int:
    return store.read(query, **params)[0]["n"]


def test_anonymous_sessions_get_fresh_users_and_known_users_keep_theirs(catalog: GraphStore) -> None:
    first, second = create_session(catalog), create_session(catalog)
    assert first.user_id != second.user_id
    assert first.user_id.startswith("anon:") and first.created
    assert count(catalog, "MATCH (u:User {anonymous: true}) RETURN count(u) AS n") == 2

    known = create_session(catalog, "ml:7")
    assert known.user_id == "ml:7"
    state = get_session(catalog, known.session_id)
    assert (state.user_id, state.turns) == ("ml:7", ())
    assert user_preferences(catalog, first.user_id) == []


def test_deleting_sessions_removes_their_turns_and_the_anonymous_users_they_leave(catalog: GraphStore) -> None:
    anonymous, kept_anonymous, known = create_session(catalog), create_session(catalog), create_session(catalog, "ml:7")
    second_of_known = create_session(catalog, "ml:7")
    for session in (anonymous, kept_anonymous, known, second_of_known):
        record_turn(catalog, session.session_id, parse("I loved Fargo", mention("Fargo", FARGO, Polarity.LIKE)))
    assert delete_sessions(catalog, [anonymous.session_id, "no-such-session", known.session_id], batch=2) == 2
    assert count(catalog, "MATCH (u:User {id: $id}) RETURN count(u) AS n", id=anonymous.user_id) == 0
    for session in (kept_anonymous, second_of_known):  # untouched, with their turns and preferences
        assert len(get_session(catalog, session.session_id).turns) == 1
    assert [p.node_id for p in user_preferences(catalog, kept_anonymous.user_id)] == ["ml:1"]
    assert [p.node_id for p in user_preferences(catalog, "ml:7")] == ["ml:1"]
    assert count(catalog, "MATCH (t:Turn) RETURN count(t) AS n") == 2
    assert delete_sessions(catalog, []) == 0


def test_create_session_is_idempotent_with_an_explicit_id(catalog: GraphStore) -> None:
    first = create_session(catalog, session_id="s-1")
    again = create_session(catalog, session_id="s-1")
    assert (again.user_id, again.created) == (first.user_id, False)
    assert count(catalog, "MATCH (s:Session) RETURN count(s) AS n") == 1
    assert count(catalog, "MATCH (u:User {anonymous: true}) RETURN count(u) AS n") == 1


def test_unknown_ids_raise_typed_errors(catalog: GraphStore) -> None:
    with pytest.raises(UnknownNodeError, match="User 'nobody'") as unknown_user:
        create_session(catalog, "nobody")
    assert unknown_user.value.kind is ErrorKind.NOT_FOUND
    with pytest.raises(UnknownNodeError, match="Session 'no-such-session'"):
        record_turn(catalog, "no-such-session", parse("hi", intent=Intent.CHITCHAT))
    with pytest.raises(UnknownNodeError, match="Session"):
        get_session(catalog, "no-such-session")
    with pytest.raises(UnknownNodeError, match="User"):
        user_preferences(catalog, "nobody")
    assert count(catalog, "MATCH (n:Session|Turn) RETURN count(n) AS n") == 0


def test_turn_mentions_and_constraints_round_trip(catalog: GraphStore) -> None:
    session = create_session(catalog)
    text = "I loved Fargo but no horror, something with Frances McDormand after 1990?"
    p = parse(
        text,
        mention("Fargo", FARGO, Polarity.LIKE, 0.9, start=8),
        mention("horror", HORROR, Polarity.DISLIKE, 0.7, start=text.index("horror")),
        mention("Frances McDormand", MCDORMAND, Polarity.NEUTRAL, 0.6, start=text.index("Frances")),
        intent=Intent.RECOMMEND,
        year_min=1990,
        genres_excluded=("horror",),
    )
    ref = record_turn(catalog, session.session_id, p, ts=100.0)
    assert (ref.seq, ref.created) == (1, True)

    (turn,) = get_session(catalog, session.session_id).turns
    assert (turn.turn_id, turn.text, turn.intent, turn.role, turn.ts) == (
        ref.turn_id,
        text,
        Intent.RECOMMEND,
        "user",
        100,
    )
    assert turn.constraints == Constraints(year_min=1990, genres_excluded=("horror",))
    assert [(m.text, m.label, m.node_id, m.polarity) for m in turn.mentions] == [
        ("Fargo", "Item", "ml:1", Polarity.LIKE),
        ("horror", "Genre", "horror", Polarity.DISLIKE),
        ("Frances McDormand", "Person", "redial:9", Polarity.NEUTRAL),
    ]
    assert all(text[m.start : m.end] == m.text for m in turn.mentions)

    prefs = {(p.node_id, p.polarity): p.weight for p in user_preferences(catalog, session.user_id)}
    assert prefs == {("ml:1", Polarity.LIKE): pytest.approx(0.9), ("horror", Polarity.DISLIKE): pytest.approx(0.7)}


def test_later_turns_reinforce_and_flip_preferences(catalog: GraphStore) -> None:
    session = create_session(catalog)
    record_turn(catalog, session.session_id, parse("I like horror", mention("horror", HORROR, Polarity.LIKE, 0.5)))
    record_turn(catalog, session.session_id, parse("horror rocks", mention("horror", HORROR, Polarity.LIKE, 0.5)))
    (pref,) = user_preferences(catalog, session.user_id)
    assert (pref.polarity, pref.weight, pref.mentions) == (Polarity.LIKE, pytest.approx(0.75), 2)

    record_turn(
        catalog, session.session_id, parse("actually, no horror", mention("horror", HORROR, Polarity.DISLIKE, 0.8))
    )
    (pref,) = user_preferences(catalog, session.user_id)
    assert (pref.label, pref.node_id, pref.polarity, pref.weight, pref.mentions) == (
        "Genre",
        "horror",
        Polarity.DISLIKE,
        pytest.approx(0.8),
        1,
    )
    assert count(catalog, "MATCH (:User)-[r:PREFERS]->() RETURN count(r) AS n") == 1

    # Within one turn the last non-neutral mention of an entity wins; neutral mentions change nothing.
    record_turn(
        catalog,
        session.session_id,
        parse(
            "I hated Jaws... no wait, I loved Jaws. Horror?",
            mention("Jaws", JAWS, Polarity.DISLIKE, 0.9, start=8),
            mention("Jaws", JAWS, Polarity.LIKE, 0.6, start=33),
            mention("Horror", HORROR, Polarity.NEUTRAL, 0.9, start=39),
        ),
    )
    prefs = {p.node_id: (p.polarity, p.weight) for p in user_preferences(catalog, session.user_id)}
    assert prefs == {"horror": (Polarity.DISLIKE, pytest.approx(0.8)), "ml:2": (Polarity.LIKE, pytest.approx(0.6))}
    assert [p.node_id for p in user_preferences(catalog, session.user_id)] == ["horror", "ml:2"]  # strongest first


def test_each_preference_says_when_a_turn_last_told_it_and_a_seen_only_mention_does_not(catalog: GraphStore) -> None:
    from dataclasses import replace

    from core.types import Seen
    from gnn.scoring import latest_request
    from graph.recommend import session_context

    session = create_session(catalog)
    record_turn(catalog, session.session_id, parse("I loved Fargo", mention("Fargo", FARGO, Polarity.LIKE, start=8)))
    asked = mention("Frances McDormand", MCDORMAND, Polarity.LIKE, start=15)
    record_turn(catalog, session.session_id, parse("something with Frances McDormand", asked))
    told = {p.id: p.updated for p in session_context(catalog, session.session_id).preferences}
    assert told["ml:1"] is not None and told["redial:9"] is not None and told["ml:1"] < told["redial:9"]
    seen = replace(mention("Fargo", FARGO, Polarity.NEUTRAL, start=0), seen=Seen.YES)
    record_turn(catalog, session.session_id, parse("Fargo? seen it already", seen))
    context = session_context(catalog, session.session_id)
    assert {p.id: p.updated for p in context.preferences} == told
    assert {p.id: p.seen for p in context.preferences}["ml:1"] is Seen.YES
    # the request stands after a turn that only told a seen item
    assert latest_request(context) == {("Person", "redial:9")}


def test_assistant_turns_are_recorded_but_do_not_change_preferences(catalog: GraphStore) -> None:
    session = create_session(catalog, "ml:7")
    record_turn(
        catalog,
        session.session_id,
        parse("You might like Fargo", mention("Fargo", FARGO, Polarity.LIKE, start=15), intent=Intent.RECOMMEND),
        role=Role.ASSISTANT,
    )
    (turn,) = get_session(catalog, session.session_id).turns
    assert turn.role is Role.ASSISTANT and len(turn.mentions) == 1
    assert user_preferences(catalog, "ml:7") == []


def test_retrying_a_turn_with_the_same_id_writes_it_once(catalog: GraphStore) -> None:
    session = create_session(catalog)
    p = parse("I like Fargo", mention("Fargo", FARGO, Polarity.LIKE, 0.5, start=7))
    first = record_turn(catalog, session.session_id, p, turn_id="t-1")
    before = total_counts(catalog)
    again = record_turn(catalog, session.session_id, p, turn_id="t-1")
    assert (again.turn_id, again.seq, again.created) == ("t-1", first.seq, False)
    assert total_counts(catalog) == before
    (pref,) = user_preferences(catalog, session.user_id)
    assert (pref.weight, pref.mentions) == (pytest.approx(0.5), 1)

    other = create_session(catalog)
    with pytest.raises(TurnConflictError):
        record_turn(catalog, other.session_id, p, turn_id="t-1")


def test_a_turn_with_an_unknown_entity_writes_nothing(catalog: GraphStore) -> None:
    session = create_session(catalog)
    record_turn(catalog, session.session_id, parse("hello", intent=Intent.CHITCHAT))
    before = total_counts(catalog)
    ghost = GroundedEntity("Item", "ml:999", "Invented (2031)")
    bad = parse("Fargo and Invented", mention("Fargo", FARGO, Polarity.LIKE), mention("Invented", ghost, Polarity.LIKE))
    with pytest.raises(UnknownEntityError, match="ml:999"):
        record_turn(catalog, session.session_id, bad)
    with pytest.raises(UnknownEntityError, match="Movie"):
        record_turn(
            catalog, session.session_id, parse("x", mention("x", GroundedEntity("Movie", "ml:1", "F"), Polarity.LIKE))
        )
    assert total_counts(catalog) == before
    assert [t.seq for t in get_session(catalog, session.session_id).turns] == [1]
    assert user_preferences(catalog, session.user_id) == []
    # The next good turn continues the sequence without a gap.
    assert record_turn(catalog, session.session_id, parse("ok", intent=Intent.CHITCHAT)).seq == 2


@pytest.mark.parametrize(
    "text",
    [
        "'}) DETACH DELETE n //",
        '"}) MATCH (n) DETACH DELETE n RETURN 1 //',
        "Ich mag Filme von Frances McDormand 🎬🍿 — 日本語も",
        "x" * 10_000,
        "",
    ],
)
def test_text_is_stored_verbatim_and_harmless(catalog: GraphStore, text: str) -> None:
    session = create_session(catalog)
    before = total_counts(catalog)
    record_turn(catalog, session.session_id, parse(text, intent=Intent.CHITCHAT))
    (turn,) = get_session(catalog, session.session_id).turns
    assert turn.text == text
    # Only the Turn and its HAS_TURN were added; nothing was deleted.
    assert total_counts(catalog) == (before[0] + 1, before[1] + 1)


def test_concurrent_turns_to_one_session_lose_nothing(catalog: GraphStore) -> None:
    session = create_session(catalog)
    writers, per_writer = 8, 5

    def write(writer: int) -> list[int]:
        return [
            record_turn(
                catalog,
                session.session_id,
                parse(
                    f"w{writer} t{i} Fargo", mention("Fargo", FARGO, Polarity.LIKE, 0.1, start=len(f"w{writer} t{i} "))
                ),
            ).seq
            for i in range(per_writer)
        ]

    with ThreadPoolExecutor(writers) as pool:
        seqs = [seq for batch in pool.map(write, range(writers)) for seq in batch]

    total = writers * per_writer
    assert sorted(seqs) == list(range(1, total + 1))
    turns = get_session(catalog, session.session_id).turns
    assert [t.seq for t in turns] == list(range(1, total + 1))
    assert {t.text for t in turns} == {f"w{w} t{i} Fargo" for w in range(writers) for i in range(per_writer)}
    (pref,) = user_preferences(catalog, session.user_id)
    assert pref.mentions == total  # every reinforcement counted: no lost update on PREFERS
    assert pref.weight == pytest.approx(1 - 0.9**total)


def test_concurrent_sessions_of_one_user_share_one_preference(catalog: GraphStore) -> None:
    sessions = [create_session(catalog, "ml:7").session_id for _ in range(4)]

    def write(session_id: str) -> None:
        for _ in range(3):
            record_turn(catalog, session_id, parse("Fargo", mention("Fargo", FARGO, Polarity.LIKE, 0.2)))

    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(write, sessions))

    assert count(catalog, "MATCH (:User {id: 'ml:7'})-[r:PREFERS]->() RETURN count(r) AS n") == 1
    (pref,) = user_preferences(catalog, "ml:7")
    assert pref.mentions == 12


def test_concurrent_turns_on_shared_entities_all_land(catalog: GraphStore) -> None:
    # Sessions of different users mention the same popular (dense) nodes in opposite orders at once: every turn,
    # every mention and every preference update must land exactly once (a deadlock is retried as a whole turn).
    entities = [FARGO, JAWS, HORROR, MCDORMAND]
    catalog.write(
        "MATCH (e) WHERE e.id IN $ids UNWIND range(1, 60) AS i CREATE (:Fan)-[:FAN_OF]->(e)",
        ids=[e.node_id for e in entities],
    )
    sessions = [create_session(catalog).session_id for _ in range(12)]

    def write(index: int) -> None:
        order = entities if index % 2 else entities[::-1]
        text = " ".join(e.name for e in order)
        mentions = [mention(e.name, e, Polarity.LIKE, 0.5, start=text.index(e.name)) for e in order]
        for _ in range(4):
            record_turn(catalog, sessions[index], parse(text, *mentions))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(len(sessions))))

    assert count(catalog, "MATCH (:Turn)-[m:MENTIONS]->() RETURN count(m) AS n") == 12 * 4 * len(entities)
    assert count(catalog, "MATCH (:User)-[p:PREFERS {mentions: 4}]->() RETURN count(p) AS n") == 12 * len(entities)
    assert all([t.seq for t in get_session(catalog, s).turns] == [1, 2, 3, 4] for s in sessions)


def test_dialogue_preferences_leave_imported_ones_alone(catalog: GraphStore) -> None:
    catalog.write(
        "MATCH (u:User {id: 'ml:7'}), (m:Item {id: 'ml:1'}) "
        "CREATE (u)-[:PREFERS {polarity: 'like', weight: 1.0, source: 'redial'}]->(m)"
    )
    session = create_session(catalog, "ml:7")
    record_turn(catalog, session.session_id, parse("no Fargo", mention("Fargo", FARGO, Polarity.DISLIKE, 0.6, start=3)))
    (pref,) = user_preferences(catalog, "ml:7")
    assert (pref.node_id, pref.polarity, pref.weight) == ("ml:1", Polarity.DISLIKE, pytest.approx(0.6))
    imported = catalog.read("MATCH (:User {id: 'ml:7'})-[r:PREFERS {source: 'redial'}]->() RETURN r.polarity AS p")
    assert imported == [{"p": "like"}]
