"""Seen-status by rules: whether the user has seen each item they mention, from the words of its clause ("I loved
X" → yes, "haven't seen X", "have you seen X?", "is X any good?" → no, otherwise unknown)."""

from __future__ import annotations

import re

from core.types import Seen

_NOT_SEEN = re.compile(
    r"\b(ha(ve|s)n'?t|have not|never|not|yet to|didn'?t|did not)\s+(\w+\s+)?(seen|see|watched|watch|saw)\b"
    r"|\b(have|did) you (ever )?(seen|see|watched|watch|heard)\b|\b(is|was|are) \S+( \S+)* any good\b"
    r"|\b(want|wanna|going|gonna|plan|planning|need|have|hope|hoping|like|love|would like|'d like|dying) to "
    r"(see|watch|check)\b|\bheard (of|about|good things)\b|\blooking forward\b|\bon my (list|watchlist)\b"
    r"|\bshould i (see|watch)\b|\bnot seen\b",
    re.IGNORECASE,
)
_SEEN = re.compile(
    r"\b(i|we|i'?ve|we'?ve|have|just|already|finally|recently)\s+(just\s+|already\s+|also\s+|finally\s+)?"
    r"(saw|seen|watched|rewatched)\b|\bseen (it|that|this|them)\b|\bwatched (it|that|this|them)\b"
    r"|\b(my )?(favou?rite|all time)\b|\brewatch",
    re.IGNORECASE,
)


def clause_seen(clause: str, stated: bool) -> Seen:
    """The seen-status a clause gives the item it mentions; a `stated` like or dislike means it was seen."""
    normalised = clause.replace("\u2019", "'")
    if _NOT_SEEN.search(normalised):
        return Seen.NO
    if _SEEN.search(normalised) or stated:
        return Seen.YES
    return Seen.UNKNOWN
