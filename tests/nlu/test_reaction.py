"""Replies to the assistant's offer ("I loved that one", "haven't seen them", "no thanks"), read by the embedded
parser on a real Neo4j catalog and `nlu.reaction.react`."""

from __future__ import annotations

import pytest

from core.types import GroundedEntity, Intent, Polarity
from nlu.embedded import EmbeddedParser
from nlu.reaction import offered_position, react

JAWS = GroundedEntity("Item", "ml:2", "Jaws (1975)")
MATRIX = GroundedEntity("Item", "ml:6", "The Matrix (1999)")
SHINING = GroundedEntity("Item", "ml:7", "The Shining (1980)")
TITANIC = GroundedEntity("Item", "ml:3", "Titanic (1997)")


def reply(parser: EmbeddedParser, text: str, offered: list[GroundedEntity]) -> dict[str, tuple[Polarity, float]]:
    parse = react(parser.parse(text), offered)
    for mention in parse.mentions:
        assert parse.text[mention.start : mention.end] == mention.text
    return {m.entity.node_id: (m.polarity, m.confidence) for m in parse.mentions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I loved that one!", {"ml:7": Polarity.LIKE}),  # the most recent title of a short offer
        ("Seen it, hated it.", {"ml:7": Polarity.DISLIKE}),
        ("I haven't seen either of them. What are they about?", {"ml:2": Polarity.LIKE, "ml:7": Polarity.LIKE}),
        ("no thanks", {"ml:2": Polarity.DISLIKE, "ml:7": Polarity.DISLIKE}),
        ("Sounds good, I'll check them out", {"ml:2": Polarity.LIKE, "ml:7": Polarity.LIKE}),
        ("Jaws was great but I didn't like the other one", {"ml:2": Polarity.LIKE, "ml:7": Polarity.DISLIKE}),
        ("Yes! Have you seen Titanic?", {"ml:2": Polarity.LIKE, "ml:7": Polarity.LIKE, "ml:3": Polarity.LIKE}),
    ],
)
def test_replies_to_a_short_offer(parser: EmbeddedParser, text: str, expected: dict[str, Polarity]) -> None:
    found = reply(parser, text, [JAWS, SHINING])
    assert {node: polarity for node, (polarity, _) in found.items()} == expected


def test_a_turn_about_something_else_is_no_reaction(parser: EmbeddedParser) -> None:
    assert set(reply(parser, "I love horror", [JAWS, SHINING])) == {"horror"}
    assert reply(parser, "hmm", [JAWS, SHINING]) == {}
    assert reply(parser, "I loved that one", []) == {}
    explain = react(parser.parse("why did you recommend that?"), [JAWS])
    assert explain.intent is Intent.EXPLAIN and explain.mentions == ()


def test_it_after_a_title_the_turn_names_is_that_title(parser: EmbeddedParser) -> None:
    # "it" refers back to Titanic, not to the offer; a phrase before the title still answers the offer
    assert set(reply(parser, "Titanic was great, something like it", [JAWS, SHINING])) == {"ml:3"}
    assert set(reply(parser, "I loved it, have you seen Titanic?", [JAWS, SHINING])) == {"ml:7", "ml:3"}


def test_a_long_list_is_answered_through_its_top_pick(parser: EmbeddedParser) -> None:
    offered = [MATRIX, JAWS, SHINING, TITANIC]
    assert set(reply(parser, "not that one", offered)) == {"ml:6"}
    assert set(reply(parser, "I've seen them all", offered)) == {"ml:6", "ml:2", "ml:7", "ml:3"}


def test_short_titles_and_alternatives_resolve_to_the_offered_item(parser: EmbeddedParser) -> None:
    found = reply(parser, "Oh I liked Shining!", [JAWS, SHINING])
    assert found["ml:7"][0] is Polarity.LIKE and "ml:2" not in found
    plain = parser.parse("I loved Titanic")
    assert plain.mentions[0].entity.node_id == "ml:3" and "ml:4" in {e.node_id for e in plain.mentions[0].alternatives}
    old = GroundedEntity("Item", "ml:4", "Titanic (1953)")
    assert reply(parser, "I loved Titanic", [old, JAWS]) == {"ml:4": (Polarity.LIKE, plain.mentions[0].confidence)}


def test_stated_reactions_weigh_more_than_bare_interest(parser: EmbeddedParser) -> None:
    (stated,) = reply(parser, "I loved it", [JAWS]).values()
    (interest,) = reply(parser, "haven't seen it", [JAWS]).values()
    assert stated[0] is interest[0] is Polarity.LIKE and stated[1] > interest[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'll take the second one", {"ml:2": Polarity.LIKE}),
        ("not the first one", {"ml:6": Polarity.DISLIKE}),
        ("the 3rd looks great", {"ml:7": Polarity.LIKE}),
        ("loved number 4", {"ml:3": Polarity.LIKE}),
        ("the last one, I hated it", {"ml:3": Polarity.DISLIKE}),
    ],
)
def test_an_item_picked_by_its_position_in_the_list(
    parser: EmbeddedParser, text: str, expected: dict[str, Polarity]
) -> None:
    found = reply(parser, text, [MATRIX, JAWS, SHINING, TITANIC])
    assert {node: polarity for node, (polarity, _) in found.items()} == expected


def test_a_position_inside_a_title_or_beyond_the_list_picks_nothing() -> None:
    offered = [MATRIX, JAWS]
    assert offered_position("I liked the first Harry Potter", offered) is None
    assert offered_position("the fifth one", offered) is None
    assert offered_position("one of my favourites", offered) is None
    entity, start, end = offered_position("why 2", offered) or (None, 0, 0)
    assert entity == JAWS and "why 2"[start:end] == "why 2"


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("hmm, who else is in it?", "no"),  # asked about, not seen: it may lead the next list
        ("sounds interesting, who else is in it?", "no"),
        ("I loved it, who else is in it?", "yes"),
        ("seen it already, who else is in it?", "yes"),
        ("haven't seen it, I'll check it out", "unknown"),  # merely not seen yet: not offered again
    ],
)
def test_a_question_about_the_offered_film_says_it_is_not_seen(parser: EmbeddedParser, text: str, seen: str) -> None:
    parse = react(parser.parse(text), [JAWS])
    assert [(m.entity.node_id, m.seen.value) for m in parse.mentions] == [("ml:2", seen)]
