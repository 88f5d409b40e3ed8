"""Reactions to the items the assistant just offered: "I loved that one", "haven't seen them, I'll check them out",
"seen it, hated it", "sounds good", "no thanks". Every parser's output goes through `react`, which

1. grounds a mention to the offered item when that item is among its alternatives ("I love the Hulk" after
   "The Incredible Hulk (2008)") or the words are part of its title ("I liked Last Samurai", "Pan's"), and
2. adds mentions of the offered items the turn refers to without naming them, with the turn's polarity.

Which items: a plural anaphor ("them", "both", "those", "your suggestions") refers to all the offered items the turn
does not name; a singular one ("it", "that one") to the most recent of a short offer (people answer the last title they
heard) or to the top pick of a longer list; a turn without an anaphor to all of a short offer or the top pick of a
list. A turn that names entities reacts only through an anaphor in a phrase of its own ("I loved that one, I liked
Thor too"); "I love horror" after a list is about horror, not about the list."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from core.types import GroundedEntity, Intent, Mention, Parse, Polarity, Seen
from nlu.lexicon import STOPWORDS
from nlu.polarity import clauses, mention_polarities, score_tokens
from nlu.seen import asks_about, clause_seen
from nlu.text import Token, is_year, key, tokenize

SHORT_LIST = 3
STATED_CONFIDENCE = 0.7  # the reaction carries a sentiment cue, an accept or a reject
INTEREST_CONFIDENCE = 0.4  # engagement without sentiment: "haven't seen it, what's it about?", "thanks!"
_SEEN_ALREADY = re.compile(
    r"\b(already (seen|watched|saw)|(seen|watched|saw) (it|that|this|them|those)( one| ones)? (already|before)"
    r"|(i'?ve|i have|we'?ve) (already )?(seen|watched) (it|that|this|them|those))\b",
    re.IGNORECASE,
)
_SINGULAR = frozenset({"it", "its", "thats", "one"})
_IT = frozenset({"it", "its"})
_OFFER_NOUNS = frozenset(
    ["suggestions", "recommendations", "recommends", "recs", "picks", "options", "choices", "ideas", "titles", "ones"]
)  # anaphors after a determiner: "thanks for the suggestions", "your picks", "great ones"
_PLURAL = frozenset({"them", "those", "these", "both", "either", "any", "others", "all"}) | _OFFER_NOUNS
_DEMONSTRATIVE = frozenset({"that", "this"})
# "that" / "this" point at an item before these words or at the end of their phrase ("I've seen that").
_HEADS_TEXT = """one movie film is was sounds looks seems too also will would could might should must has had does did
    yet again before already either though"""
_DEMONSTRATIVE_HEADS = frozenset(_HEADS_TEXT.split())
# Engagement without a sentiment word: seen it / not yet, questions about it, thanks, plans to watch it.
_INTEREST = re.compile(
    r"\b(ha(ve|s)n'?t|have not|'?ve not|never)\b|\b(didn'?t|did not) (see|watch)"
    r"|\b(does|did|is|was) (it|that|this)\b|^\W*(yes|yeah|yep|yup|sure|of course|i have|i did)\b"
    r"|\bwhat('?s| is| are) (\w+ ){0,2}about|what (type|kind|genre|sort) of"
    r"|\b(is|are) (it|that|this|they|those|these)\b|who(?: else)?(?:'?s| is| was) in|tell me (more )?about"
    r"|\bthanks?\b|thank you|check(ing)? (\w+ ){0,2}out|worth (a |\w+ing)"
    r"|(need|want|have|going|gonna|like) to (see|watch|check|try)|should i (see|watch)|not familiar|ring a bell"
    r"|never heard|don'?t know (it|that|this|them|those)|heard (of|about|good)"
    r"|forgot (about )?(it|that|this)|add (it|that|this|them|those) to"
    r"|\b(i'?ve|i have|i|we|have) (seen|watched|saw)\b"
    r"|\b(i will|i'?ll|i'?d|i would|might|may) (\w+ )?(watch|see|try|look)",
    re.IGNORECASE,
)


_ORDINALS = {
    word: n
    for n, words in enumerate(
        (
            "first 1st one",
            "second 2nd two",
            "third 3rd three",
            "fourth 4th four",
            "fifth 5th five",
            "sixth 6th six",
            "seventh 7th seven",
            "eighth 8th eight",
            "ninth 9th nine",
            "tenth 10th ten",
        ),
        1,
    )
    for word in words.split()
}
_ORDINAL_WORD = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|(?:[1-9]|10)(?:st|nd|rd|th)"
_NUMBER = r"[1-9]|10|one|two|three|four|five|six|seven|eight|nine|ten"
# A position in the list just offered: "the second one", "the 3rd", "number 2", "#4", "why 2", "the last one" — an
# ordinal before a list noun or at the end of its phrase, never one inside a title ("the first Harry Potter").
_POSITION = re.compile(
    rf"\b(?P<ordinal>{_ORDINAL_WORD})\b(?=\s+(?:one|movie|film|pick|suggestion|option|title|recommendation)s?\b"
    rf"|\s*(?:[.,!?;:)]|$)|\s+(?:and|or|but|please|is|was|looks|sounds|seems|i|you)\b)"
    rf"|(?:\bnumber\s+|#\s*|\bno\.\s*)(?P<number>{_NUMBER})\b"
    rf"|^\W*(?:why|explain|how about|what about)\s+(?P<bare>[1-9]|10)\W*$",
    re.IGNORECASE,
)


def offered_position(text: str, offered: Sequence[GroundedEntity]) -> tuple[GroundedEntity, int, int] | None:
    """The offered item a turn picks by its position ("the second one", "number 2", "why 3"), with the span of the
    words that say so; None when the turn names no position within the offer."""
    found = _POSITION.search(text)
    if found is None or not offered:
        return None
    word = next(value for value in found.groupdict().values() if value).lower()
    position = len(offered) if word == "last" else _ORDINALS.get(word) or int(re.sub(r"\D", "", word))
    if not 1 <= position <= len(offered):
        return None
    return offered[position - 1], found.start(), found.end()


def react(parse: Parse, offered: Sequence[GroundedEntity]) -> Parse:
    """`parse` read as a reply to `offered` (the items the assistant just named, in its order)."""
    if not offered or parse.intent is Intent.EXPLAIN:
        return parse
    offered_ids = {entity.node_id for entity in offered}
    tokens = tokenize(parse.text)
    mentions = tuple(_prefer_offered(m, offered_ids) for m in parse.mentions)
    mentions = _shortened_titles(parse, tokens, mentions, offered)
    named = {m.entity.node_id for m in mentions}
    rest = [entity for entity in offered if entity.node_id not in named]
    if not rest or not tokens:
        return replace(parse, mentions=mentions)
    picked = offered_position(parse.text, offered)
    if picked is not None:  # "the second one": that item, whatever anaphors the turn holds
        entity, start, end = picked
        return _reaction(parse, mentions, tokens, [entity] if entity.node_id not in named else [], start, end)
    numbers = clauses(parse.text, tokens, commas=True)
    phrase_of = {m: next((numbers[i] for i, t in enumerate(tokens) if t.start >= m.start), -1) for m in mentions}
    items = [m for m in mentions if m.entity.label == "Item"]
    # A singular anaphor after a named item in its phrase refers to that item ("I saw Bad Moms, it was ok").
    first_item: dict[int, int] = {}
    for m in items:
        first_item[phrase_of[m]] = min(first_item.get(phrase_of[m], m.start), m.start)
    # ... and an "it" after an item the turn named, in any phrase ("Infinity War was great, something like it").
    named_first = min((m.start for m in items), default=len(parse.text))
    anaphors = [
        i
        for i, t in enumerate(tokens)
        if (t.norm in _PLURAL or t.start < first_item.get(numbers[i], len(parse.text)))
        and not (t.norm in _IT and t.start > named_first)
        and _is_anaphor(tokens, numbers, i)
    ]
    # Without an anaphor, a turn that names entities answers the offer only in the phrases before the first of them
    # ("Yes, I agree! Have you seen Happy Death Day?"); one that names none answers it as a whole.
    first_named = min((phrase for phrase in phrase_of.values() if phrase >= 0), default=None)
    lead = [t for t, n in zip(tokens, numbers, strict=True) if first_named is None or n < first_named]
    if mentions and not anaphors and not lead:
        return replace(parse, mentions=mentions)
    short = len(offered) <= SHORT_LIST
    if anaphors:
        # The whole turn speaks about the offer unless it names other items: then only the anaphors' phrases do.
        phrases = {numbers[i] for i in anaphors} if items else set(numbers)
        scope = [t for t, n in zip(tokens, numbers, strict=True) if n in phrases]
        plural = any(tokens[i].norm in _PLURAL for i in anaphors)
        targets = rest if plural else rest[-1:] if short else rest[:1]
        start, end = tokens[anaphors[0]].start, tokens[anaphors[0]].end
    else:
        scope = lead
        targets = rest if short else rest[:1]
        start, end = lead[0].start, lead[-1].end
    return _reaction(parse, mentions, scope, targets, start, end)


def _reaction(
    parse: Parse, mentions: tuple[Mention, ...], scope: list[Token], targets: list[GroundedEntity], start: int, end: int
) -> Parse:
    """`parse` with mentions of the offered `targets` (span `start` to `end`), their polarity read from the words of
    `scope`."""
    if not targets:
        return replace(parse, mentions=mentions)
    said = parse.text[scope[0].start : scope[-1].end].replace("\u2019", "'")
    intent = Intent.PREFERENCE if parse.intent is Intent.CHITCHAT else parse.intent
    sentiment = score_tokens(scope)
    if _SEEN_ALREADY.search(said) and sentiment >= 0:
        # "seen it already, something else": never offered again, but no dislike; the turn asks for another list.
        polarity, confidence, intent = Polarity.NEUTRAL, STATED_CONFIDENCE, Intent.RECOMMEND
    else:
        verdict = _verdict(parse, scope)
        if verdict is None:
            return replace(parse, mentions=mentions)
        polarity, confidence = verdict
    # An offered item's seen-status is kept when it is "seen", or not seen and asked about ("sounds good, who is in
    # it?": the answer may lead with it); one merely not seen yet is not offered again.
    said_seen = clause_seen(said, stated=False)  # "I loved it", "seen it": seen; "who else is in it?": not seen
    if said_seen is Seen.NO and asks_about(said):
        seen = Seen.NO  # even after "sounds interesting"
    else:
        seen = Seen.YES if said_seen is Seen.YES or sentiment != 0 else Seen.UNKNOWN
    added = tuple(
        Mention(parse.text[start:end], start, end, entity, polarity, confidence, seen=seen) for entity in targets
    )
    return replace(parse, intent=intent, mentions=mentions + added)


def _shortened_titles(
    parse: Parse, tokens: list[Token], mentions: tuple[Mention, ...], offered: Sequence[GroundedEntity]
) -> tuple[Mention, ...]:
    """Mentions of offered items by part of their title ("Pan's", "Home alone 2", "Last Samurai"): the longest run of
    words that is a run of an offered title, with a word of four letters or more that is no stopword, and, alone,
    capitalised or the title's only such word. A mention of another item inside that run is replaced."""
    named = {m.entity.node_id for m in mentions}
    norms = [t.norm for t in tokens]
    found: list[tuple[int, int, GroundedEntity]] = []
    for entity in offered:
        if entity.node_id in named:
            continue
        title = [w for w in key(entity.name).split() if not is_year(w)]
        significant = [w for w in title if len(w) >= 4 and w not in STOPWORDS]
        best: tuple[int, int] | None = None
        words = set(title)
        for first in (i for i, norm in enumerate(norms) if norm in words):
            for last in range(min(len(norms), first + len(title)), first, -1):
                run = norms[first:last]
                if best and last - first <= best[1] - best[0]:
                    break
                if not any(w in significant for w in run) or not _contains(title, run):
                    continue
                if len(run) == 1 and not (tokens[first].capitalised or len(significant) == 1):
                    continue
                best = (first, last)
        if best:
            found.append((*best, entity))
    if not found:
        return mentions
    spans = [(first, last) for first, last, _ in found]
    polarities = mention_polarities(parse.text, tokens, spans)
    kept = [
        m
        for m in mentions
        if not any(tokens[a].start <= m.start and m.end <= tokens[b - 1].end for a, b, _ in found)
        or m.entity.label != "Item"
    ]
    for (first, last, entity), (polarity, confidence) in zip(found, polarities, strict=True):
        start, end = tokens[first].start, tokens[last - 1].end
        if polarity is Polarity.NEUTRAL:  # uncued, as in the parser: a weak like unless the turn rejects
            polarity = Polarity.DISLIKE if parse.intent is Intent.REJECT else Polarity.LIKE
            confidence = INTEREST_CONFIDENCE
        kept.append(Mention(parse.text[start:end], start, end, entity, polarity, confidence))
    return tuple(sorted(kept, key=lambda m: m.start))


def _contains(title: list[str], run: list[str]) -> bool:
    return any(title[i : i + len(run)] == run for i in range(len(title) - len(run) + 1))


def _prefer_offered(mention: Mention, offered_ids: set[str]) -> Mention:
    if mention.entity.node_id in offered_ids:
        return mention
    for alternative in mention.alternatives:
        if alternative.node_id in offered_ids:
            others = tuple(e for e in (mention.entity, *mention.alternatives) if e.node_id != alternative.node_id)
            return replace(mention, entity=alternative, alternatives=others)
    return mention


def _is_anaphor(tokens: list[Token], numbers: list[int], i: int) -> bool:
    norm = tokens[i].norm
    following = tokens[i + 1].norm if i + 1 < len(tokens) and numbers[i + 1] == numbers[i] else None
    if norm == "one":
        return i > 0 and tokens[i - 1].norm in _DEMONSTRATIVE | {"the", "other", "first", "last", "second"}
    if norm == "any":
        return following == "of"  # "haven't seen any of them"
    if norm == "all" and i > 0 and tokens[i - 1].norm == "at":
        return False  # "not into horror at all": an intensifier, not the offered items
    if norm in _OFFER_NOUNS:
        return i > 0 and tokens[i - 1].norm in {"the", "your", "these", "those", "all", "both", "great", "good"}
    if norm in _SINGULAR or norm in _PLURAL:
        return True
    if norm not in _DEMONSTRATIVE:
        return False
    asked = i > 0 and tokens[i - 1].norm in {"is", "was", "does", "did"}  # "is that a comedy?"
    return asked or following is None or following in _DEMONSTRATIVE_HEADS


def _verdict(parse: Parse, scope: list[Token]) -> tuple[Polarity, float] | None:
    """The turn's polarity towards what it refers to: reject / accept first, then sentiment, then interest."""
    if parse.intent is Intent.REJECT:
        return Polarity.DISLIKE, STATED_CONFIDENCE
    if parse.intent is Intent.ACCEPT:
        return Polarity.LIKE, STATED_CONFIDENCE
    score = score_tokens(scope)
    if score:
        return (Polarity.LIKE if score > 0 else Polarity.DISLIKE), STATED_CONFIDENCE
    if _INTEREST.search(parse.text[scope[0].start : scope[-1].end].replace("\u2019", "'")):
        return Polarity.LIKE, INTEREST_CONFIDENCE
    return None
