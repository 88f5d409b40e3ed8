"""Polarity with negation scope, by rules over clauses: a mention takes the sentiment of its own clause
("I like Jurassic Park | but I didn't like Jaws"), a negator flips the cue it governs ("not a fan of horror"),
exclusions make the next mention a dislike ("anything but Titanic", "no horror")."""

from __future__ import annotations

import re
from itertools import accumulate

from core.types import Polarity
from nlu.text import Token

POSITIVE: dict[str, float] = {
    **dict.fromkeys(["like", "liked", "likes", "love", "loved", "loves", "loving", "enjoy", "enjoyed", "enjoys"], 1.0),
    **dict.fromkeys(["adore", "adored", "favorite", "favourite", "favorites", "favourites", "fan", "fave"], 1.0),
    **dict.fromkeys(["great", "good", "awesome", "amazing", "excellent", "fantastic", "best", "brilliant"], 1.0),
    **dict.fromkeys(["funny", "hilarious", "classic", "fun", "masterpiece", "wonderful", "cool", "nice"], 0.8),
    **dict.fromkeys(["beautiful", "perfect", "incredible", "epic", "enjoyable", "entertaining", "into"], 0.8),
    **dict.fromkeys(["recommend", "recommended", "want", "prefer", "preferred", "interested", "interesting"], 0.6),
    "better": 0.6,  # "the first one is way better"
    **dict.fromkeys(["creepy", "scary", "sweet", "touching", "underrated", "solid", "decent", "okay", "ok"], 0.5),
    **dict.fromkeys(["watch", "rewatch", "try"], 0.3),
}
NEGATIVE: dict[str, float] = {
    **dict.fromkeys(["hate", "hated", "hates", "dislike", "disliked", "dislikes", "detest", "despise"], 1.0),
    **dict.fromkeys(["boring", "bored", "terrible", "awful", "worst", "bad", "stupid", "overrated", "dumb"], 1.0),
    **dict.fromkeys(["sucked", "sucks", "horrible", "disappointing", "disappointed", "annoying", "lame"], 1.0),
    **dict.fromkeys(["meh", "weird", "slow", "cheesy", "too"], 0.5),
    **dict.fromkeys(["mess", "lazy", "soulless", "gross", "snooze", "snoozefest"], 0.8),  # "the sequels were a mess"
    "worse": 0.6,  # "covenant was so much worse"
    **dict.fromkeys(["letdown", "disappointment", "garbage", "trash", "forgettable", "pointless", "mediocre"], 0.8),
}
FAN_NOUNS = frozenset({"person", "guy", "girl"})  # right after a name: one who likes its kind
_TOO_COMPLAINTS_TEXT = """long slow scary violent sad gory dark cheesy boring predictable childish silly serious
    depressing weird loud old bloody graphic intense creepy corny sappy cliche confusing short much"""
TOO_COMPLAINTS = frozenset(_TOO_COMPLAINTS_TEXT.split())
_NEGATORS_TEXT = """not no never nothing neither nor dont didnt doesnt isnt wasnt arent werent cant couldnt wouldnt
    wont havent hadnt hasnt shouldnt aint without hardly"""
NEGATORS = frozenset(_NEGATORS_TEXT.split())
# Sayings whose sentiment is not their words': "can't stand", "fell asleep", "not my thing" (a negator inside is
# part of the saying, never flipping it again), "my thing" alone is praise.
PHRASES: dict[tuple[str, ...], float] = {
    **dict.fromkeys([("cant", "stand"), ("cannot", "stand"), ("couldnt", "stand"), ("fell", "asleep")], -1.0),
    **dict.fromkeys([("not", "my", "thing"), ("isnt", "my", "thing"), ("not", "for", "me")], -1.0),
    **dict.fromkeys([("isnt", "really", "my", "thing"), ("not", "really", "my", "thing")], -1.0),
    **dict.fromkeys([("wasnt", "for", "me"), ("not", "my", "cup", "of", "tea"), ("waste", "of", "time")], -1.0),
    **dict.fromkeys([("couldnt", "finish"), ("cant", "finish"), ("turned", "it", "off"), ("walked", "out")], -1.0),
    **dict.fromkeys([("was", "mid"), ("is", "mid"), ("so", "mid")], -0.8),  # "mid": so-so, as people text it
    **dict.fromkeys([("slow", "burn"), ("dumb", "fun")], 0.5),  # a kind of film people ask for
    **dict.fromkeys([("the", "hype"), ("overhyped",)], -0.8),  # "didn't get the hype around La La Land"
    **dict.fromkeys([("not", "big", "on"), ("not", "really", "big", "on"), ("not", "huge", "on")], -1.0),
    **dict.fromkeys([("not", "in", "the", "mood", "for"), ("not", "feeling")], -1.0),  # "... for anything depressing"
    ("no", "thanks"): -0.8,  # "The Last Jedi though... no thanks"
    ("not", "so", "much"): -0.8,  # "part 3 not so much"
    **dict.fromkeys([("my", "thing"), ("cant", "wait"), ("my", "cup", "of", "tea"), ("big", "on")], 0.8),
}
_LONGEST_PHRASE = max(map(len, PHRASES))
# Words after which the next mention is excluded: "anything but Titanic", "except horror", "no horror".
EXCLUDERS = {
    ("anything", "but"),
    ("except",),
    ("other", "than"),
    ("besides",),
    ("no",),
    ("no", "more"),
    ("not",),
    ("not", "into"),  # "not into horror at all, just want something funny"
    ("without",),
    *(("nothing", word) for word in ("with", "w", "by", "starring", "from")),  # "nothing w nic cage pls"
}
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
    """Summed sentiment of `tokens` (`skip`: the mentions' tokens): a negator up to three words before a cue, the
    mentions between not counted, flips it ("didn't really like", "not really a spielberg fan")."""
    mentions = set(skip or ())
    skip = set(mentions)
    total = 0.0
    norms = [t.norm for t in tokens]
    for i in range(len(tokens)):
        for size in range(_LONGEST_PHRASE, 1, -1):  # the longest saying that starts here, its words read once
            phrase = tuple(norms[i : i + size])
            if phrase in PHRASES and not skip & set(range(i, i + size)):
                total += PHRASES[phrase]
                skip.update(range(i, i + size))
                break
    said = [norm for j, norm in enumerate(norms) if j not in mentions]  # the words, the mentions left out
    said_before = list(accumulate((j not in mentions for j in range(len(tokens))), initial=0))
    for i, token in enumerate(tokens):
        if i in skip:
            continue
        weight = POSITIVE.get(token.norm, 0.0) - NEGATIVE.get(token.norm, 0.0)
        if token.norm in FAN_NOUNS and i - 1 in mentions:
            weight = POSITIVE["fan"]  # "a spielberg person", "a horror guy"
        if token.norm == "too" and (i + 1 == len(tokens) or tokens[i + 1].norm not in TOO_COMPLAINTS):
            weight = 0.0  # "too long" is a complaint; "you too", "me too", "too much fun" are not
        if not weight:
            continue
        window = said[max(0, said_before[i] - 3) : said_before[i]]
        if any(w in NEGATORS for w in window):
            weight = -weight * (0.5 if weight < 0 else 1.0)  # "not bad" is mild praise
        total += weight
    return total


def mention_polarities(text: str, tokens: list[Token], spans: list[tuple[int, int]]) -> list[tuple[Polarity, float]]:
    """Polarity and confidence for each mention, given as token ranges [first, last) into `tokens`."""
    numbers = clauses(text, tokens)
    phrases = clauses(text, tokens, commas=True)
    inside = {i for first, last in spans for i in range(first, last)}
    out: list[tuple[Polarity, float]] = []
    previous: tuple[int, bool] | None = None  # the end of the mention before, and whether it was excluded
    for first, last in spans:
        # "except horror and musicals", "no horror or gore": an exclusion reaches the mentions listed after it
        between = tokens[previous[0] : first] if previous is not None and previous[1] else None
        listed = between is not None and all(t.norm in _LIST_WORDS for t in between)
        previous = (last, _excluded(tokens, first) or listed)
        if previous[1]:
            out.append((Polarity.DISLIKE, 0.9))
            continue
        clause = numbers[first] if first < len(numbers) else 0
        members = [i for i, n in enumerate(numbers) if n == clause]
        scope = [tokens[i] for i in members]
        skip = {members.index(i) for i in members if i in inside}
        score = score_tokens(scope, skip)
        asked = "?" in text[tokens[members[0]].start : tokens[members[-1]].end + 1]
        if score == 0 or asked:  # "Did you like Blade Runner 2049? I thought it was boring"
            score = _said_of_it(tokens, numbers, clause, inside) or score
        # A phrase of the clause that tells its own sentiment or asks for more speaks for its mentions: "hated
        # the notebook, something with ryan gosling", "I hated Titanic, the Notebook was good".
        score = _phrase_score(tokens, phrases, members, first, inside) or score
        if score > 0:
            out.append((Polarity.LIKE, min(0.95, 0.6 + 0.15 * score)))
        elif score < 0:
            out.append((Polarity.DISLIKE, min(0.95, 0.6 - 0.15 * score)))
        else:
            out.append((Polarity.NEUTRAL, 0.5))
    return out


_LIST_WORDS = frozenset({"and", "or", "nor"})
_REQUESTS = frozenset({"something", "anything", "recommend", "suggest", "more", "want", "any"})
REQUEST_SCORE = 0.5  # a phrase that asks for something with a name in it likes that name


def _phrase_score(tokens: list[Token], phrases: list[int], members: list[int], first: int, inside: set[int]) -> float:
    """The sentiment of the comma phrase of mention `first` when it is a part of the clause `members` that says one
    of its own or asks for more with the mention in it; 0 otherwise."""
    own = [i for i in members if phrases[i] == phrases[first]]
    if len(own) == len(members):
        return 0.0
    score = score_tokens([tokens[i] for i in own], {n for n, i in enumerate(own) if i in inside})
    asks = any(tokens[i].norm in _REQUESTS for i in own if i < first)
    return score or (REQUEST_SCORE if asks and not any(tokens[i].norm in NEGATORS for i in own) else 0.0)


_BACK_REFERENCES = frozenset({"it", "him", "her", "them"})


def _said_of_it(tokens: list[Token], numbers: list[int], clause: int, inside: set[int]) -> float:
    """The sentiment the writer tells of a mention in the next clause that names nothing but refers back to it
    ("I thought it was boring", "I kinda can't stand him", "but it was too long") or is a verdict of two words at
    most ("no thanks", "loved it"); 0 when there is none."""
    after = clause + 1
    while [tokens[i].norm for i, n in enumerate(numbers) if n == after] in (["though"], ["however"]):
        after += 1  # "The Last Jedi though... no thanks."
    later = [i for i, n in enumerate(numbers) if n == after]
    if not later or any(i in inside for i in later):
        return 0.0
    words = [tokens[i].norm for i in later]
    verdict = len(words) <= 2
    if not verdict and (
        not _BACK_REFERENCES & set(words) or not ("i" in words or words[0] in _BACK_REFERENCES | {"but"})
    ):
        return 0.0  # "... but my wife loved it" tells someone else's taste
    return score_tokens([tokens[i] for i in later])


def _excluded(tokens: list[Token], first: int) -> bool:
    before = tuple(t.norm for t in tokens[max(0, first - 2) : first])
    return any(before[-len(pattern) :] == pattern for pattern in EXCLUDERS if len(before) >= len(pattern))
