"""The embedded parser and the grounder on a small catalog written to a real Neo4j in the test."""

from __future__ import annotations

import pytest

from core.types import Intent, Polarity
from graph.stats import total_counts
from nlu.embedded import UtteranceError
from nlu.intent import year_range
from nlu.text import tokenize


def _by_text(parse_result):
    return {m.text: m for m in parse_result.mentions}


def test_like_but_not_like_scopes_the_negation(parser):
    result = parser.parse("I like Jurassic Park but I didn't like Jaws")
    mentions = _by_text(result)
    assert mentions["Jurassic Park"].entity.node_id == "ml:1"
    assert mentions["Jurassic Park"].polarity is Polarity.LIKE
    assert mentions["Jaws"].entity.node_id == "ml:2"
    assert mentions["Jaws"].polarity is Polarity.DISLIKE
    assert result.intent is Intent.PREFERENCE
    for m in result.mentions:
        assert result.text[m.start : m.end] == m.text


def test_not_a_fan_of_a_genre_is_a_dislike_and_an_exclusion(parser):
    result = parser.parse("not a fan of horror")
    (mention,) = result.mentions
    assert (mention.entity.label, mention.entity.node_id, mention.polarity) == ("Genre", "horror", Polarity.DISLIKE)
    assert result.constraints.genres_excluded == ("horror",)


def test_anything_but_excludes_the_movie(parser):
    result = parser.parse("anything but Titanic")
    (mention,) = result.mentions
    assert mention.polarity is Polarity.DISLIKE
    assert mention.entity.node_id == "ml:3"  # the popular Titanic; the other is kept as an alternative
    assert [a.node_id for a in mention.alternatives] == ["ml:4"]
    assert result.intent is Intent.RECOMMEND


def test_the_original_picks_the_oldest_of_the_same_title(parser):
    (mention,) = parser.parse("the original Titanic, not the remake").mentions
    assert mention.entity.node_id == "ml:4"


def test_typos_and_titles_without_year_or_case(parser):
    mentions = _by_text(parser.parse("I loved Forest Gump and the matrix, also tom hanks"))
    assert mentions["Forest Gump"].entity.node_id == "ml:5"
    assert mentions["the matrix"].entity.node_id == "ml:6"
    assert mentions["tom hanks"].entity.node_id == "redial:2"
    assert all(m.polarity is Polarity.LIKE for m in mentions.values())


def test_an_opinion_verb_with_a_typo_still_carries_the_opinion(parser):
    liked = parser.parse("i lovd jaws and titanic")
    found = {(m.entity.node_id, m.polarity) for m in liked.mentions}
    assert found == {("ml:2", Polarity.LIKE), ("ml:3", Polarity.LIKE)}
    (hated,) = parser.parse("i hatd the shining").mentions
    assert (hated.entity.node_id, hated.polarity) == ("ml:7", Polarity.DISLIKE)
    assert [t.norm for t in tokenize("lvoed likd wacthed lowe live bike")] == [
        *("loved", "liked", "watched"),
        *("lowe", "live", "bike"),  # a real word, or one letter changed: no opinion verb
    ]


def test_single_common_words_are_not_titles_unless_written_as_names(parser):
    assert parser.parse("it was fun, it made my day").mentions == ()
    (mention,) = parser.parse("Have you seen It (2017)?").mentions
    assert mention.entity.node_id == "ml:9"


def test_descriptive_phrases_map_to_genres(parser):
    scary = parser.parse("I want something scary")
    assert scary.mentions[0].entity.node_id == "horror"
    laugh = parser.parse("a movie that makes me laugh")
    assert laugh.mentions[0].entity.node_id == "comedy"
    assert laugh.intent is Intent.RECOMMEND


def test_a_decade_is_a_year_range_not_a_genre(parser):
    decade = parser.parse("something from the 90s")
    assert decade.mentions == () and decade.intent is Intent.RECOMMEND
    assert (decade.constraints.year_min, decade.constraints.year_max) == (1990, 1999)
    scary = parser.parse("something scary from the 80s")
    assert [m.entity.node_id for m in scary.mentions] == ["horror"]
    assert (scary.constraints.year_min, scary.constraints.year_max) == (1980, 1989)
    assert parser.parse("movies from the 1980s").intent is Intent.RECOMMEND


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("movies before 1990", (None, 1989)),
        ("nothing from before 1990", (1990, None)),
        ("i dont want anything older than 1980", (1980, None)),
        ("nothing after 2010 please", (None, 2010)),
        ("a comedy from after 2005", (2005, None)),
    ],
)
def test_a_negated_time_bound_turns_around(text, years):
    assert year_range(text) == years


def test_a_bare_why_asks_for_an_explanation(parser):
    assert parser.parse("why?").intent is Intent.EXPLAIN
    assert parser.parse("How come").intent is Intent.EXPLAIN
    assert parser.parse("why not, sounds good").intent is not Intent.EXPLAIN
    assert parser.parse("why 2").intent is Intent.EXPLAIN
    assert parser.parse("why the second one?").intent is Intent.EXPLAIN


def test_a_romantic_comedy_is_both_genres(parser):
    result = parser.parse("Hi can you help me find a romantic comedy?")
    assert [m.entity.node_id for m in result.mentions] == ["romance", "comedy"]
    assert result.intent is Intent.RECOMMEND and set(result.constraints.genres_required) == {"romance", "comedy"}


def test_recommend_with_constraints(parser):
    result = parser.parse("Can you recommend a horror movie from the 90s that I haven't seen?")
    assert result.intent is Intent.RECOMMEND
    c = result.constraints
    assert (c.year_min, c.year_max, c.genres_required, c.not_seen) == (1990, 1999, ("horror",), True)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("why did you recommend Superbad?", Intent.EXPLAIN),
        ("sounds good, I'll check it out", Intent.ACCEPT),
        ("no thanks, I've already seen it", Intent.REJECT),
        ("hello, how are you today?", Intent.CHITCHAT),
    ],
)
def test_intents(parser, text, intent):
    assert parser.parse(text).intent is intent


def test_grounder_ranks_and_refuses_invented_entities(parser):
    grounder = parser.grounder
    assert grounder.ground("Forest Gump")[0].node_id == "ml:5"
    assert grounder.ground("Steven Spielberg", label="Person")[0].node_id == "redial:1"
    assert grounder.ground("Steven Spielberg", label="Genre") == []
    assert grounder.ground("Zorblax Quintaroo the Invincible") == []
    assert [e.node_id for e in grounder.ground("Titanic")] == ["ml:3", "ml:4"]


@pytest.mark.parametrize(
    "text", ["", "   ", "Je voudrais un film d'horreur 😀🎬", "映画が好きです", "'}) DETACH DELETE n //", "\x00\n\t"]
)
def test_odd_inputs_parse_harmlessly(parser, store, text):
    before = total_counts(store)
    result = parser.parse(text)
    assert result.text == text
    assert total_counts(store) == before


def test_long_input_is_parsed_and_too_long_input_is_refused(parser):
    text = ("I like Jaws. " * 800)[:10_000]
    result = parser.parse(text)
    assert len(result.text) == 10_000
    assert {m.entity.node_id for m in result.mentions} == {"ml:2"}
    with pytest.raises(UtteranceError):
        parser.parse("x" * 20_001)
    with pytest.raises(UtteranceError):
        parser.parse(42)  # type: ignore[arg-type]


def test_everyday_words_in_lower_case_are_a_title_only_where_a_title_fits(parser):
    assert parser.parse("thanks for the help, bye!").mentions == ()
    for text in ("I watched the help last night", "the help movie was great", "I loved The Help"):
        assert [m.entity.node_id for m in parser.parse(text).mentions] == ["ml:10"], text


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("Who is in Jaws?", "no"),
        ("who else starred in titanic", "no"),
        ("What genre is The Shining?", "no"),
        ("Do you know who directed Jaws?", "no"),
        ("Can you tell me more about Titanic?", "no"),
        ("Did Spielberg write Jaws?", "no"),
        ("I loved Jaws, who directed it?", "yes"),  # said to be liked: seen, whatever it asks
        ("I've seen Titanic, who else was in it?", "yes"),
        ("anything with the guy who was in Jaws", "unknown"),  # "who" of a relative clause asks nothing of Jaws
        ("Jaws", "unknown"),
    ],
)
def test_a_question_about_an_item_says_it_is_not_seen_unless_a_liking_is_said(parser, text, seen):
    (mention,) = [m for m in parser.parse(text).mentions if m.entity.label == "Item"]
    assert mention.seen.value == seen
