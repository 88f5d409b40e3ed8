"""The name index alone (no graph): the shorter ways people write a title or a name find it."""

from __future__ import annotations

import pytest

from nlu.lexicon import Lexicon
from nlu.text import tokenize

ROWS = [
    ("Item", "m:infinity", "Avengers: Infinity War (2018)", 60),
    ("Item", "m:avengers", "The Avengers (2012)", 200),
    ("Item", "m:chamber", "Harry Potter and the Chamber of Secrets (2002)", 150),
    ("Item", "m:beauty", "Beauty and the Beast (1991)", 150),
    ("Item", "m:killbill", "Kill Bill: Vol. 1 (2003)", 150),
    ("Item", "m:covenant", "Alien: Covenant (2017)", 40),
    ("Item", "m:wick2", "John Wick: Chapter 2 (2017)", 60),
    ("Item", "m:wick", "John Wick (2014)", 100),
    ("Item", "m:sunshine", "Eternal Sunshine of the Spotless Mind (2004)", 200),
    ("Item", "m:wolf", "The Wolf of Wall Street (2013)", 200),
    ("Item", "m:obscure", "Quiet Little Lies of Summer (2001)", 2),
    ("Item", "m:seven", "Seven (1995)", 500),
    ("Item", "m:bueller", "Ferris Bueller's Day Off (1986)", 50),
    ("Item", "m:towers", "The Lord of the Rings: The Two Towers (2002)", 200),
    ("Item", "m:begin1", "Batman: The Beginning (1990)", 20),
    ("Item", "m:begin2", "Spider: The Beginning (1991)", 20),
    ("Item", "m:begin3", "Robots: The Beginning (1992)", 20),
    ("Person", "p:spielberg", "Steven Spielberg", 40),
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    rows = [{"label": label, "id": i, "name": name, "popularity": pop} for label, i, name, pop in ROWS]
    rows[ROWS.index(next(r for r in ROWS if r[1] == "m:seven"))]["aliases"] = ["Seven (a.k.a. Se7en) (1995)"]
    return Lexicon(rows)


def named(lexicon: Lexicon, text: str) -> list[list[str]]:
    return [[lexicon.entries[i].node_id for i in m.entries] for m in lexicon.find(tokenize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("infinity war", [["m:infinity"]]),  # the part after the franchise's name
        ("the two towers", [["m:towers"]]),
        ("chamber of secrets", [["m:chamber"]]),  # after " and the "
        ("john wick 2", [["m:wick2"]]),  # "Chapter 2" as people number it
        ("eternal sunshine", [["m:sunshine"]]),  # the first two words of a long popular title
        ("se7en", [["m:seven"]]),  # MovieLens's other title in parentheses
        ("bueller", [["m:bueller"]]),  # a possessive word of a title without its 's
        ("Spielberg's films", [["p:spielberg"]]),  # a possessive name
    ],
)
def test_shorter_ways_people_write_a_name(lexicon: Lexicon, text: str, expected: list[list[str]]) -> None:
    assert named(lexicon, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the beast",  # one word after " and the "
        "vol 1",  # a number is no subtitle
        "covenant",  # one everyday word
        "wolf of",  # the opening words end on a function word
        "quiet little",  # an obscure film's opening words
        "the beginning",  # a subtitle three films share
    ],
)
def test_no_key_for_parts_nobody_names_a_film_by(lexicon: Lexicon, text: str) -> None:
    assert named(lexicon, text) == []


def test_a_misspelt_word_is_tried_where_it_would_stand_inside_a_name(lexicon: Lexicon) -> None:
    assert "of secrets" in lexicon.pairs and "the spotless" in lexicon.pairs  # any two words in a row, not only a start
