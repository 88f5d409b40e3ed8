"""Movie title normalisation, so that "Shawshank Redemption, The (1994)" and "The Shawshank Redemption (1994)"
get the same key."""

from __future__ import annotations

import re
import unicodedata

_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_PARENTHESISED = re.compile(r"\s*\([^)]*\)")
_TRAILING_ARTICLE = re.compile(
    r"^(?P<rest>.*?),\s*(?P<article>the|a|an|les|la|le|l'|il|el|das|der|die)$", re.IGNORECASE
)
_AKA = re.compile(r"^a\.k\.a\.\s*", re.IGNORECASE)
_FRANCHISE_CUT = re.compile(r":|\s[-\u2013]\s| and the ", re.IGNORECASE)  # where a franchise's name ends
_NON_WORD = re.compile(r"[^a-z0-9]+")
_LEADING_ARTICLE = re.compile(r"^(the|a|an) ")


def split_year(title: str) -> tuple[str, int | None]:
    """`"Toy Story (1995)"` → `("Toy Story", 1995)`; titles without a trailing year give `None`."""
    match = _YEAR.search(title)
    if match is None:
        return title.strip(), None
    return title[: match.start()].strip(), int(match.group(1))


def alternative_titles(title: str) -> list[str]:
    """The other titles MovieLens gives in parentheses before the year, articles in front: "Seven (a.k.a. Se7en)
    (1995)" → ["Se7en"], "Boot, Das (Boat, The) (1981)" → ["The Boat"]; none in a name without a year, where the
    parentheses tell films apart ("Zodiac (Crime Fiction Film)")."""
    name, year = split_year(title)
    if year is None:
        return []
    found = []
    for match in _PARENTHESISED.finditer(name):
        inner = _AKA.sub("", match.group().strip()[1:-1]).strip()
        article = _TRAILING_ARTICLE.match(inner)
        if article is not None:
            separator = "" if article.group("article").endswith("'") else " "
            inner = f"{article.group('article')}{separator}{article.group('rest')}"
        if inner:
            found.append(inner)
    return found


def display_title(title: str) -> str:
    """Move a trailing article to the front: `"Shawshank Redemption, The (1994)"` → `"The Shawshank Redemption (1994)"`.

    MovieLens also appends foreign titles in parentheses ("City of Lost Children, The (Cité des …) (1995)"):
    they are dropped from the display form.
    """
    name, year = split_year(title)
    name = _PARENTHESISED.sub("", name).strip() or name
    match = _TRAILING_ARTICLE.match(name)
    if match is not None:
        article = match.group("article")
        separator = "" if article.endswith("'") else " "
        name = f"{article}{separator}{match.group('rest')}"
    return f"{name} ({year})" if year is not None else name


# Abbreviations catalogs write either way: "Kill Bill: Vol. 1 (2003)" (MovieLens) is "Kill Bill: Volume 1 (2003)".
_SPELLED_OUT = {"vol": "volume"}


def _words(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _NON_WORD.sub(" ", ascii_name.replace("&", " and ")).split()
    return " ".join(_SPELLED_OUT.get(word, word) for word in words)


def title_key(title: str) -> str | None:
    """Matching key "normalised words|year", or None for a title without a year (too ambiguous to merge on)."""
    name, year = split_year(display_title(title))
    if year is None:
        return None
    return _words(name) + f"|{year}"


def _compact(title: str) -> str:
    return _LEADING_ARTICLE.sub("", _words(split_year(display_title(title))[0])).replace(" ", "")


def same_film_title(first: str, second: str) -> bool:
    """Whether two spellings name the same title, years aside: case, accents, punctuation, spacing, "&" / "and"
    and a leading article do not count ("Slapshot" / "Slap Shot (1977)", "Conjuring" / "The Conjuring (2013)");
    any other word does ("Spider (2007)" / "Spider-Man 3 (2007)")."""
    return _compact(first) == _compact(second)


def franchise_title(short: str, full: str) -> bool:
    """Whether `short`, written without a year, is `full`'s title cut before its subtitle, as a catalog names a
    franchise's first film: "Harry Potter" of "Harry Potter and the Philosopher's Stone (2001)", "Kill Bill" of
    "Kill Bill: Volume 1 (2003)" (never of a title with a year: "Spider (2007)" is no "Spider-Man 3 (2007)")."""
    if split_year(short)[1] is not None:
        return False
    head = _FRANCHISE_CUT.split(split_year(display_title(full))[0])[0]
    return bool(_compact(short)) and _compact(short) == _compact(head) != _compact(full)
