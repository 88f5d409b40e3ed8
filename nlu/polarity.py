"""Polarity with negation scope, by rules over clauses: a mention takes the sentiment of its own clause
("I like Jurassic Park | but I didn't like Jaws"), a negator flips the cue it governs ("not a fan of horror"),
exclusions make the next mention a dislike ("anything but Titanic", "no horror")."""

from __future__ import annotations

import re

from core.types import Polarity
from nlu.text import Token

POSITIVE: dict[str, float] = {
    **dict.fromkeys(["like", "liked", "likes", "love", "loved", "loves", "loving", "enjoy", "enjoyed", "enjoys"], 1.0),
    **dict.fromkeys(["adore", "adored", "favorite", "favourite", "favorites", "favourites", "fan", "fave"], 1.0),
    **dict.fromkeys(["great", "good", "awesome", "amazing", "excellent", "fantastic", "best", "brilliant"], 1.0),
    **dict.fromkeys(["funny", "hilarious", "classic", "fun", "masterpiece", "wonderful", "cool", "nice"], 0.8),
    **dict.fromkeys(["beautiful", "perfect", "incredible", "epic", "enjoyable", "entertaining", "into"], 0.8),
    **dict.fromkeys(["recommend", "recommended", "want", "prefer", "preferred", "interested", "interesting"], 0.6),
    **dict.fromkeys(["creepy", "scary", "sweet", "touching", "underrated", "solid", "decent", "okay", "ok"], 0.5),
    **dict.fromkeys(["watch", "rewatch", "try"], 0.3),
}
NEGATIVE: dict[str, float] = {
    **dict.fromkeys(["hate", "hated", "hates", "dislike", "disliked", "dislikes", "detest", "despise"], 1.0),
    **dict.fromkeys(["boring", "bored", "terrible", "awful", "worst", "bad", "stupid", "overrated", "dumb"], 1.0),
    **dict.fromkeys(["sucked", "sucks", "horrible", "disappointing", "disappointed", "annoying", "lame"], 1.0),
    **dict.fromkeys(["meh", "weird", "slow", "cheesy", "too"], 0.5),
}
_TOO_COMPLAINTS_TEXT = """long slow scary violent sad gory dark cheesy boring predictable childish silly serious
    depressing weird loud old bloody graphic intense creepy corny sappy cliche confusing short"""
TOO_COMPLAINTS = frozenset(_TOO_COMPLAINTS_TEXT.split())
_NEGATORS_TEXT = """not no never nothing neither nor dont didnt doesnt isnt wasnt arent werent cant couldnt wouldnt
    wont havent hadnt hasnt shouldnt aint without hardly"""
NEGATORS = frozenset(_NEGATORS_TEXT.split())
# Words after which the next mention is excluded: "anything but Titanic", "except horror", "no horror".
EXCLUDERS = {("anything", "but"), ("except",), ("other", "than"), ("besides",), ("no",), ("not",), ("without",)}
CLAUSE_BREAK = frozenset(["but", "however", "although", "though", "whereas", "while", "except", "unlike"])
_SENTENCE_END = re.compile(r"[.!?;]")
_PHRASE_END = re.compile(r"[.!?;,:]")


def clauses(text: str, tokens: list[Token], commas: bool = False) -> list[int]:
    """Clause number of every token: a new clause starts after . ! ? ; (and commas and colons with `commas`) and
    at contrastive words ("but")."""
    ends = _PHRASE_END if commas else _SENTENCE_END
    numbers, clause, previous_end = [], 0, 0
    for token in tokens:
        if ends.search(text[previous_end : token.start]) or token.norm in CLAUSE_BREAK:
            clause += 1
        numbers.append(clause)
        previous_end = token.end
    return numbers


def score_tokens(tokens: list[Token], skip: set[int] | None = None) -> float:
    """Summed sentiment of `tokens`: a negator up to three words before a cue flips it ("didn't really like")."""
    skip = skip or set()
    total = 0.0
    for i, token in enumerate(tokens):
        if i in skip:
            continue
        weight = POSITIVE.get(token.norm, 0.0) - NEGATIVE.get(token.norm, 0.0)
        if token.norm == "too" and (i + 1 == len(tokens) or tokens[i + 1].norm not in TOO_COMPLAINTS):
            weight = 0.0  # "too long" is a complaint; "you too", "me too", "too much fun" are not
        if not weight:
            continue
        window = [t.norm for t in tokens[max(0, i - 3) : i]]
        if any(w in NEGATORS for w in window):
            weight = -weight * (0.5 if weight < 0 else 1.0)  # "not bad" is mild praise
        total += weight
    return total


def mention_polarities(text: str, tokens: list[Token], spans: list[tuple[int, int]]) -> list[tuple[Polarity, float]]:
    """Polarity and confidence for each mention, given as token ranges [first, last) into `tokens`."""
    numbers = clauses(text, tokens)
    inside = {i for first, last in spans for i in range(first, last)}
    out: list[tuple[Polarity, float]] = []
    for first, _ in spans:
        if _excluded(tokens, first):
            out.append((Polarity.DISLIKE, 0.9))
            continue
        clause = numbers[first] if first < len(numbers) else 0
        members = [i for i, n in enumerate(numbers) if n == clause]
        scope = [tokens[i] for i in members]
        skip = {members.index(i) for i in members if i in inside}
        score = score_tokens(scope, skip)
        if score > 0:
            out.append((Polarity.LIKE, min(0.95, 0.6 + 0.15 * score)))
        elif score < 0:
            out.append((Polarity.DISLIKE, min(0.95, 0.6 - 0.15 * score)))
        else:
            out.append((Polarity.NEUTRAL, 0.5))
    return out


def _excluded(tokens: list[Token], first: int) -> bool:
    before = tuple(t.norm for t in tokens[max(0, first - 2) : first])
    return any(before[-len(pattern) :] == pattern for pattern in EXCLUDERS if len(before) >= len(pattern))
