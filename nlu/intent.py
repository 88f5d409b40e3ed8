"""Intent and constraints by rules: what the user asks for, and the hard filters in their words
(year or decade ranges, "something I haven't seen")."""

from __future__ import annotations

import re
from datetime import date

from core.types import Intent, Mention, Polarity

_EXPLAIN = re.compile(
    r"\b(why|how come|what makes you think|explain|reason)\b.*"
    r"\b(recommend|suggest|pick|chose|choose|this|that|it|one)\b"
    r"|\bexplain\b|^\W*(why|how come)\W*$|^\W*why\s+(#\s*|number\s+)?([1-9]|10)\W*$",
    re.IGNORECASE,
)
_REJECT = re.compile(
    r"\b(no thanks|no thank you|not interested|not for me|already (seen|watched)|seen (it|that|this)( one)? already"
    r"|something else|another one|not that one|not the (\w+ )?one|nah|pass on|don'?t want (it|that|this)"
    r"|not really my thing"
    r"|(didn'?t|did not|don'?t|do not) (like|love|enjoy) (it|that|this)( one)?)\b",
    re.IGNORECASE,
)
_ACCEPT = re.compile(
    r"\b(sounds? (good|great|interesting|fun|awesome|perfect|like a plan)|i'?ll (check|watch|try|give|look|add|see)"
    r"|i will (check|watch|try|give|look|add)|(great|good|nice|awesome) (suggestion|recommendation|idea|pick|choice)s?"
    r"|that'?s perfect|perfect|will do|i'?ll take|i will take|(let'?s|i'?ll|i will|i'?d) go with"
    r"|(loved|love|liked|enjoyed) (it|that|this)( one)?)\b",
    re.IGNORECASE,
)
_RECOMMEND = re.compile(
    r"\b(recommend\w*|suggest\w*|looking for|look for|any ideas|what should i (watch|see)|find me|give me|show me"
    r"|want to (watch|see)|need a (movie|film)|in the mood for|something|anything|similar to|movies? like"
    r"|films? like|an? (movie|film) (that|which|with|where|about)|any good|can you (help|find)|got any"
    r"|do you (have|know) (any|of)|(i|we) (want|need) an?)\b",
    re.IGNORECASE,
)
_PREFERENCE = re.compile(
    r"\b(i|i'm|im|we) (really |also |just |do |don'?t |didn'?t |never |kinda |kind of )?"
    r"(like|love|enjoy|hate|dislike|prefer|adore|am into|'m into|can'?t stand|am a fan|'m a fan|not a fan)\b"
    r"|\b(my favou?rites?|i'?m (not )?a (big )?fan)\b",
    re.IGNORECASE,
)
_DECADE = re.compile(
    r"\b(?:(?:early|mid|late)[ -]?)?(?:(?:(1[89]|20)?(\d)0)(?:'?s)\b|(nineteen|twenty)?[ -]?"
    r"(fifties|sixties|seventies|eighties|nineties)\b)",
    re.IGNORECASE,
)
_DECADE_WORDS = {"fifties": 50, "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90}
_BETWEEN = re.compile(r"\b(?:between|from)\s+((?:19|20)\d\d)\s*(?:and|to|-|until|till)\s*((?:19|20)\d\d)\b", re.I)
_BEFORE = re.compile(r"\b(?:before|older than|prior to|until|pre)[ -]((?:19|20)\d\d)\b", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:after|since|newer than|from|post)[ -]((?:19|20)\d\d)\b", re.IGNORECASE)
_NEGATION_BEFORE = re.compile(
    r"\b(nothing|no|not|none|never|avoid|without|skip|dont|wont|didnt)\b[\w' -]{0,30}$|n't\b[\w' -]{0,30}$", re.I
)
_RECENT = re.compile(r"\b(recent|(?<!\bthe )newer|new releases?|latest|came out recently)\b", re.IGNORECASE)
_NOT_SEEN = re.compile(
    r"\b(haven'?t|have not|never|not|didn'?t|did not|hasn'?t|yet to)\s+(already\s+|yet\s+|ever\s+)?"
    r"(seen|see|watched|watch)\b(?!\s+(it|that|this|them)\b)"
    r"|\b(new to me|unseen|not seen yet|haven'?t seen yet)\b",
    re.IGNORECASE,
)


# A comparison with the films named; "the newer ghostbusters" / "the older one" says which film, it compares nothing.
_NEWER_THAN = re.compile(r"(?<!\bthe )\b(newer|more recent|later|after)\b", re.IGNORECASE)
_OLDER_THAN = re.compile(r"(?<!\bthe )\b(older|earlier|before)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)")
RECENT_YEARS = 4  # "recent", "the last few years": the catalog's newest year and the few before it


def relative_range(text: str, anchors: list[tuple[int, int]]) -> tuple[int | None, int | None]:
    """`(year_min, year_max)` relative to the years of the items the utterance names (`anchors`: where each is named,
    its year) in the sentence of the comparison, else before it: "something like Pulp Fiction but newer" → after 1994,
    "older than Inception" → before 2010, "I loved Fargo. Anything newer?" → after 1996; never "Spielberg's older
    stuff. E.T., Close Encounters" (his films of that time); (None, None) without an anchor or a comparison."""
    for pattern, newer in ((_NEWER_THAN, True), (_OLDER_THAN, False)):
        comparison = pattern.search(text)
        if comparison is None:
            continue
        start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, comparison.start())), default=0)
        end = next((m.start() for m in _SENTENCE_END.finditer(text, comparison.end())), len(text))
        years = [year for at, year in anchors if start <= at < end] or [year for at, year in anchors if at < start]
        if years:
            return (max(years) + 1, None) if newer else (None, min(years) - 1)
    return None, None


def year_range(text: str, newest: int | None = None) -> tuple[int | None, int | None]:
    """`(year_min, year_max)` from decades ("the 90s", "1980s", "the eighties") and explicit ranges; "recent" means
    the last few years of the catalog (`newest`: its newest year; this year when not known)."""
    if match := _BETWEEN.search(text):
        low, high = sorted((int(match.group(1)), int(match.group(2))))
        return low, high
    if match := _DECADE.search(text):
        if match.group(2) is not None:
            century = match.group(1)
            decade = int(match.group(2)) * 10
            start = int(century) * 100 + decade if century else (1900 if decade >= 30 else 2000) + decade
        else:
            start = 1900 + _DECADE_WORDS[match.group(4).lower()]
        return start, start + 9
    low = high = None
    if after := _AFTER.search(text):  # "nothing after 2010": up to 2010
        if _negated(text, after.start()) and not after.group(0).lower().startswith("from"):
            high = int(after.group(1))
        else:
            low = int(after.group(1))
    if before := _BEFORE.search(text):  # "nothing from before 1990": 1990 on
        if _negated(text, before.start()):
            low = int(before.group(1))
        else:
            high = int(before.group(1)) - 1
    if low is None and high is None and _RECENT.search(text):
        low = (newest or date.today().year) - RECENT_YEARS
    return low, high


def _negated(text: str, start: int) -> bool:
    """Whether a negation governs the time expression at `start` ("nothing before", "no movies from before",
    "don't want anything after")."""
    return _NEGATION_BEFORE.search(text[:start]) is not None


def temporal_start(text: str) -> int | None:
    """Where the first time expression ("from the 90s", "before 2000", "recent") begins, or None."""
    starts = [m.start() for pattern in (_BETWEEN, _DECADE, _BEFORE, _AFTER, _RECENT) if (m := pattern.search(text))]
    return min(starts) if starts else None


def not_seen(text: str) -> bool:
    """The user asks for something they have not seen ("something I haven't seen", "never watched")."""
    return _NOT_SEEN.search(text) is not None


def classify(text: str, mentions: tuple[Mention, ...]) -> Intent:
    """One intent per utterance, in priority order: explain, reject, accept, recommend, preference, chit-chat."""
    if _EXPLAIN.search(text):
        return Intent.EXPLAIN
    asks = _RECOMMEND.search(text) is not None
    if _REJECT.search(text) and not (asks and mentions):
        return Intent.REJECT
    if _ACCEPT.search(text) and not asks:
        return Intent.ACCEPT
    if asks:
        return Intent.RECOMMEND
    if _PREFERENCE.search(text) or any(m.polarity is not Polarity.NEUTRAL for m in mentions):
        return Intent.PREFERENCE
    return Intent.CHITCHAT
