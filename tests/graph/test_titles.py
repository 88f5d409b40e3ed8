"""Title normalisation that drives the MovieLens ↔ ReDial merge."""

from __future__ import annotations

import pytest

from graph.importers.titles import (
    alternative_titles,
    display_title,
    franchise_title,
    same_film_title,
    split_year,
    title_key,
)


@pytest.mark.parametrize(
    ("movielens", "redial"),
    [
        ("Shawshank Redemption, The (1994)", "The Shawshank Redemption (1994)"),
        ("City of Lost Children, The (Cité des enfants perdus, La) (1995)", "The City of Lost Children (1995)"),
        ("Star Wars (1977)", "Star Wars  (1977)"),
        ("Amélie (2001)", "Amelie (2001)"),
        ("Kill Bill: Vol. 1 (2003)", "Kill Bill: Volume 1 (2003)"),
    ],
)
def test_catalog_spellings_share_a_key(movielens: str, redial: str) -> None:
    assert title_key(movielens) == title_key(redial)


def test_different_years_do_not_match() -> None:
    assert title_key("Psycho (1960)") != title_key("Psycho (1998)")


def test_titles_without_year_have_no_key() -> None:
    assert title_key("The Dark Crystal") is None
    assert split_year("The Dark Crystal") == ("The Dark Crystal", None)


def test_display_title_moves_the_article() -> None:
    assert display_title("Usual Suspects, The (1995)") == "The Usual Suspects (1995)"
    assert display_title("Toy Story (1995)") == "Toy Story (1995)"


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Back to the Future", "Back to the Future (1985)", True),
        ("Conjuring", "The Conjuring (2013)", True),
        ("Slapshot", "Slap Shot (1977)", True),
        ("Love & Basketball (2000)", "Love and Basketball (2000)", True),
        ("Spider (2007)", "Spider-Man 3 (2007)", False),
        ("Harry Potter", "Harry Potter and the Philosopher's Stone (2001)", False),
        ("Trick or Treat", "Trick 'r Treat (2007)", False),
    ],
)
def test_same_film_title_ignores_spelling_not_words(first: str, second: str, same: bool) -> None:
    assert same_film_title(first, second) is same


@pytest.mark.parametrize(
    ("short", "full", "same"),
    [
        ("Harry Potter", "Harry Potter and the Philosopher's Stone (2001)", True),
        ("Kill Bill", "Kill Bill: Volume 1 (2003)", True),
        ("Pirates of the Caribbean", "Pirates of the Caribbean: The Curse of the Black Pearl (2003)", True),
        ("Spider (2007)", "Spider-Man 3 (2007)", False),  # a title with a year is no franchise's name
        ("Kill Bill (2003)", "Kill Bill: Volume 1 (2003)", False),
        ("Back to the Future", "Back to the Future (1985)", False),  # the same title: same_film_title says so
        ("Harry", "Harry Potter and the Philosopher's Stone (2001)", False),
    ],
)
def test_a_franchise_name_without_a_year_is_its_first_film(short: str, full: str, same: bool) -> None:
    assert franchise_title(short, full) is same


@pytest.mark.parametrize(
    ("title", "alternatives"),
    [
        ("Seven (a.k.a. Se7en) (1995)", ["Se7en"]),
        ("Boot, Das (Boat, The) (1981)", ["The Boat"]),
        ("Toy Story (1995)", []),
        ("Zodiac (Crime Fiction Film)", []),  # no year: the parentheses tell films apart
    ],
)
def test_the_other_titles_movielens_gives_in_parentheses(title: str, alternatives: list[str]) -> None:
    assert alternative_titles(title) == alternatives
