"""Seen-status by rules: whether the user has seen each item they mention, from the words of its clause ("I loved
X" → yes, "haven't seen X", "have you seen X?", "is X any good?" → no, otherwise unknown). A question about an item
that states no liking ("who is in X?", "what genre is X?", "tell me about X") says no too: the user asks about it, so
it may be the answer (`gnn.scoring.latest_request`)."""

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
    r"|\b(my )?(favou?rite|all time)\b|\brewatch|\b(loved|liked|enjoyed|hated) (it|that|this|them)\b",
    re.IGNORECASE,
)


# Questions about an item: who plays / made it, what it is or is about, when it came out, whether a fact holds. A
# "who" after a noun is a relative one: "the guy who was in Drive" asks nothing of Drive.
_ASKED_ABOUT = re.compile(
    r"\b(?<!guy )(?<!one )(?<!man )(?<!woman )(?<!girl )(?<!boy )(?<!actor )(?<!actress )(?<!person )(?<!people )"
    r"(?<!someone )(?<!lady )(?<!dude )(?<!character )"
    r"who(?:'?s| is| was| else| are| were)?\b(?: \w+){0,3} "
    r"(?:in|of|for|star\w*|direct\w*|wr[io]te|written|play\w*|act\w*|made|produc\w*|author\w*|cast)\b"
    r"|\b(?:what|which) (?:genre|type|kind|sort|year)\b|\bwhat(?:'?s| is| was) (?:\w+ ){0,3}about\b"
    r"|\bthe (?:genre|cast|plot|author|writer|director)s? of\b|\b(?:curious|wondering) about\b"
    r"|\bdo you know (?:of |about )?the (?:movie|film|book|novel)\b"
    r"|\bwhen (?:was|did|is|does)\b|\b(?:tell me|know|learn|hear) (?:\w+ ){0,2}about\b|\bbrief me\b"
    r"|\b(?:info|information|details) (?:about|on)\b|\bmore info\b"
    r"|\bdo you know (?:who|what|when|where|which|if|whether|anything|much)\b|\bis it true\b"
    r"|^\W*(?:is|was|did|does|has)\s+(?!there\b|anything\b|something\b|\w+ing\b)[^?]*"
    r"\b(?:by|in|star\w*|direct\w*|wr[io]te|written|based|filmed|listed)\b",
    re.IGNORECASE,
)


def asks_about(clause: str) -> bool:
    """Whether a clause asks about the item it mentions or refers to ("who else is in it?", "what genre is X?")."""
    return _ASKED_ABOUT.search(clause.replace("\u2019", "'")) is not None


def clause_seen(clause: str, stated: bool) -> Seen:
    """The seen-status a clause gives the item it mentions: not seen, then seen (said so, or a `stated` like or
    dislike), then a question about it (not seen), else unknown."""
    normalised = clause.replace("\u2019", "'")
    if _NOT_SEEN.search(normalised):
        return Seen.NO
    if _SEEN.search(normalised) or stated:
        return Seen.YES
    return Seen.NO if asks_about(normalised) else Seen.UNKNOWN
