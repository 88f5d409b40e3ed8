"""Dialogue messages with their movie mentions written the ways people type them, deterministically: the labelled
text the learned linker is trained on and the typed-text benchmark scores. Messages carry `@id` placeholders (as in
ReDial's raw data); each rendering writes every placeholder from its catalog title:
- `canonical`: "Title (Year)"; `no_year`: "Title"; `lower`: "title"; `no_article`: "title" without "the / a / an";
- `short`: the part before ":" / " - " / a sequel number / " and the " ("harry potter", "toy story"), lower case, as
  people shorten: never to one word at " and the " ("beauty"), nor to another film's full title ("iron man" is Iron
  Man, not Iron Man 3: that one is written whole);
- `typo`: "Title" with one edit inside a word of 4+ letters, for titles of 6+ letters;
- `lower_message`: the whole message in lower case, titles without their year (how many people chat);
- `keyword`: the one word of the title no other catalog title has and no English dictionary knows, in lower case
  ("shawshank", "lebowski", "doubtfire"); the title whole (lower case) when it has none, and only messages with one
  such title are written this way (`applies`).
People named in full are written by their surname alone (`surname`), in lower case (`surname_lower`) or with one
typo when it has 6+ letters (`surname_typo`)."""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from graph.importers.titles import split_year
from nlu.text import is_english, key, title_words

MOVIE_RENDERINGS = ("canonical", "no_year", "lower", "no_article", "short", "typo", "lower_message", "keyword")
PERSON_RENDERINGS = ("surname", "surname_lower", "surname_typo")
_AT = re.compile(r"@(\d+)")
_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)
_SHORT = re.compile(r"\s*(?::|\s-\s|\s(?:[2-9]|ii|iii|iv|v|vi)\b|\sand the\s).*$", re.IGNORECASE)
_AND_THE = re.compile(r"\sand the\s", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    """A message as typed, and where each placeholder's title now stands: (start, end, placeholder id)."""

    text: str
    spans: tuple[tuple[int, int, str], ...]


def seeded(*parts: object) -> random.Random:
    """A random generator fixed by `parts` (the same message always gets the same typos)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def placeholders(text: str, titles: Mapping[str, str]) -> list[str]:
    """The `@id` placeholders of `text` that `titles` can write."""
    return [m.group(1) for m in _AT.finditer(text) if m.group(1) in titles]


def typo(text: str, rng: random.Random) -> str:
    """`text` with one edit inside one of its words of 4+ letters (never the first letter)."""
    words = list(re.finditer(r"[A-Za-z]{4,}", text))
    if len(re.sub(r"[^A-Za-z]", "", text)) < 6 or not words:
        return text
    word = rng.choice(words)
    w, i = word.group(), rng.randrange(1, len(word.group()))
    edit = rng.choice(("substitute", "delete", "insert", "transpose"))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz".replace(w[i].lower(), ""))
    if edit == "substitute":
        w = w[:i] + letter + w[i + 1 :]
    elif edit == "delete":
        w = w[:i] + w[i + 1 :]
    elif edit == "insert":
        w = w[:i] + letter + w[i:]
    elif i < len(w) - 1:
        w = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    else:
        w = w[:i] + letter + w[i + 1 :]
    return text[: word.start()] + w + text[word.end() :]


def title_keys(names: Iterable[str]) -> frozenset[str]:
    """The matching keys of catalog titles without their year: what a `short` rendering must not shorten to."""
    return frozenset(key(split_year(" ".join(unquote(name).split()))[0]) for name in names)


def shortened(title: str, whole: Collection[str] = ()) -> str:
    """`title` (no year) as people shorten it, in lower case; the whole title when the short form would be one word
    cut at " and the " or the full title (a key in `whole`) of another film."""
    short = _SHORT.sub("", title) or title
    one_word = len(_ARTICLE.sub("", short).split()) < 2
    if (one_word and _AND_THE.search(title)) or (key(short) != key(title) and key(short) in whole):
        short = title
    return short.lower()


def distinctive_word(title: str, whole: Collection[str] = ()) -> str | None:
    """The longest word of 5+ letters of `title` that no English dictionary knows and no other title of `whole`
    (the catalog's title keys) has, a possessive without its "'s"; None when there is none."""
    counts = _title_words(frozenset(whole))
    words = [
        w
        for w in title_words(title)
        if len(w) >= 5 and w.isalpha() and counts[w] + counts[f"{w}s"] <= 1 and not is_english(w)  # "kiki(s)"
    ]
    return max(words, key=len) if words else None


def applies(rendering: str, names: Iterable[str], whole: Collection[str] = ()) -> bool:
    """Whether `rendering` writes a message naming the catalog titles `names` otherwise than `lower` does: a
    `keyword` rendering needs a title with a distinctive word; every other rendering writes every message."""
    if rendering != "keyword":
        return True
    return any(distinctive_word(_title_and_year(name)[0], whole) for name in names)


def _title_and_year(name: str) -> tuple[str, int | None]:
    """A catalog name ("The%20Matrix (1999)") as its title and year."""
    return split_year(" ".join(unquote(name).split()))


@cache
def _title_words(whole: frozenset[str]) -> Counter[str]:
    return Counter(word for title in whole for word in set(title.split()))


def render_title(name: str, rendering: str, rng: random.Random, whole: Collection[str] = ()) -> str:
    """A catalog title ("The Matrix (1999)") written as `rendering` says; `whole`: the catalog's title keys (see
    `shortened` and `distinctive_word`)."""
    title, year = _title_and_year(name)
    if rendering == "canonical":
        return f"{title} ({year})" if year else title
    if rendering == "no_year":
        return title
    if rendering in ("lower", "lower_message"):
        return title.lower()
    if rendering == "no_article":
        return _ARTICLE.sub("", title).lower()
    if rendering == "short":
        return shortened(title, whole)
    if rendering == "typo":
        return typo(title, rng)
    if rendering == "keyword":
        return distinctive_word(title, whole) or title.lower()
    raise ValueError(f"Unknown rendering {rendering!r}: expected one of {', '.join(MOVIE_RENDERINGS)}.")


def rewrite(
    text: str, titles: Mapping[str, str], rendering: str, rng: random.Random, whole: Collection[str] = ()
) -> Rendered:
    """`text` with every known `@id` placeholder written as `rendering` says; `whole`: see `shortened`."""
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    position = length = 0
    for match in _AT.finditer(text):
        movie = match.group(1)
        if movie not in titles:
            continue
        before = text[position : match.start()]
        before = before.lower() if rendering == "lower_message" else before
        title = render_title(titles[movie], rendering, rng, whole)
        out += [before, title]
        length += len(before)
        spans.append((length, length + len(title), movie))
        length += len(title)
        position = match.end()
    tail = text[position:]
    out.append(tail.lower() if rendering == "lower_message" else tail)
    return Rendered("".join(out), tuple(spans))


def render_people(text: str, surnames: Mapping[str, str], rendering: str, rng: random.Random) -> Rendered:
    """`text` with the first occurrence of each full name in `surnames` (any case) written as its surname says
    `rendering`; the spans are keyed by full name."""
    out, spans, position, length = [], [], 0, 0
    found = sorted((m.start(), m.end(), name) for name in surnames if (m := _occurrence(text, name)))
    for start, end, name in found:
        if start < position:
            continue
        surname = surnames[name]
        if rendering == "surname_lower":
            surname = surname.lower()
        elif rendering == "surname_typo":
            surname = typo(surname, rng) if len(surname) >= 6 else surname
        elif rendering != "surname":
            raise ValueError(f"Unknown rendering {rendering!r}: expected one of {', '.join(PERSON_RENDERINGS)}.")
        before = text[position:start]
        out += [before, surname]
        length += len(before)
        spans.append((length, length + len(surname), name))
        length += len(surname)
        position = end
    out.append(text[position:])
    return Rendered("".join(out), tuple(spans))


def _occurrence(text: str, name: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
