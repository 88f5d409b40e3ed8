"""The embedded parser, no LLM server needed: lexicon + full-text grounding, rule-based polarity with negation
scope, rule-based intent and constraints."""

from __future__ import annotations

import re
from dataclasses import replace

from core.errors import InvalidInputError
from core.types import Constraints, Intent, Mention, Parse, Polarity, Seen
from nlu.grounding import DESCRIPTOR, PART_END, Grounder
from nlu.intent import classify, not_seen, relative_range, temporal_start, year_range
from nlu.lexicon import COMPOUND_GENRES, MEANT_GENRES, SIBLING_WORDS
from nlu.polarity import NEGATORS, clauses, mention_polarities
from nlu.seen import clause_seen
from nlu.text import Token, key, tokenize

MAX_CHARS = 20_000
MAX_MENTIONS = 40
# A title, person or genre the user brings up with no sentiment cue is a weak like: in ReDial, 94.7 % of the movies
# a seeker mentions and later rates were liked (bench/results/nlu.json, `polarity_majority_baseline`). The prior's
# confidence factor keeps such likes weaker than stated ones; explaining and rejecting turns get no prior.
UNCUED_LIKE_FACTOR = 0.6
_PRIOR_INTENTS = frozenset({Intent.RECOMMEND, Intent.PREFERENCE, Intent.CHITCHAT, Intent.ACCEPT})


class UtteranceError(InvalidInputError):
    """The utterance cannot be parsed (not text, or longer than `MAX_CHARS`)."""


class EmbeddedParser:
    """The default `nlu.types.Parser`: grounded mentions above `min_confidence`, their polarity, intent,
    constraints. Reads the graph only through the `Grounder`."""

    name = "embedded"

    def __init__(self, grounder: Grounder, min_confidence: float = 0.5, fuzzy: bool = True) -> None:
        self.grounder = grounder
        self.min_confidence = min_confidence
        self.fuzzy = fuzzy

    def warm_up(self) -> None:
        """Load what the first parse would otherwise load (the sentence encoder), and parse one utterance that
        takes every path (exact and fuzzy names, a typo, a genre, a dislike, a relative year), so that the graph
        has planned its look-ups too."""
        self.grounder.warm_up()
        self.parse("I loved the matrix and jim carey comedies, no horror, anything newer than alien?")

    def parse(self, text: str) -> Parse:
        """Parse one utterance; the text is kept verbatim and never interpreted as anything but words."""
        if not isinstance(text, str):
            raise UtteranceError(f"Cannot parse the message: an utterance must be text, got {type(text).__name__}.")
        if len(text) > MAX_CHARS:
            raise UtteranceError(
                f"Cannot parse the message: an utterance may have at most {MAX_CHARS:,} characters, got {len(text):,}."
            )
        tokens = tokenize(text)
        if not tokens:
            return Parse(text=text, intent=Intent.CHITCHAT, parser=self.name)
        candidates = [
            c for c in self.grounder.find(text, tokens, fuzzy=self.fuzzy) if c.confidence >= self.min_confidence
        ]
        starts = {t.start: i for i, t in enumerate(tokens)}
        ends = {t.end: i + 1 for i, t in enumerate(tokens)}
        spans = [(starts[c.start], _last_token(ends, c.end)) for c in candidates]
        polarities = mention_polarities(text, tokens, spans)
        numbers = clauses(text, tokens)
        mentions = tuple(
            Mention(
                text=text[c.start : c.end],
                start=c.start,
                end=c.end,
                entity=c.entities[0],
                polarity=polarity,
                confidence=round(c.confidence, 4),
                alternatives=c.entities[1:4],
                seen=clause_seen(_clause_text(text, tokens, numbers, first), polarity is not Polarity.NEUTRAL)
                if c.entities[0].label == "Item"
                else Seen.UNKNOWN,
            )
            for c, (polarity, _), (first, _) in zip(candidates, polarities, spans, strict=True)
        )
        if len(mentions) > MAX_MENTIONS:  # a wall of text keeps its best few dozen mentions, in order
            mentions = tuple(
                sorted(sorted(mentions, key=lambda m: -m.confidence)[:MAX_MENTIONS], key=lambda m: m.start)
            )
        mentions = tuple(m for mention in mentions for m in _each_named(mention))  # "romcoms": romance and comedy
        mentions = tuple(m for mention in mentions for m in self._with_tag_genre(mention))
        mentions = tuple(m for m in mentions if not _asked_of_a_film(text, m, mentions))
        mentions += self._described_genres(text, mentions)
        named = [(m.entity.label, m.entity.node_id) for m in mentions]
        mentions = tuple(m for i, m in enumerate(mentions) if named[i] not in named[:i])  # each node once
        intent = classify(text, mentions)
        asked = self._constraints(text, intent, mentions)
        if intent is Intent.CHITCHAT and (asked.year_min or asked.year_max or asked.not_seen):
            intent = Intent.RECOMMEND  # "movies from the 1980s", "something I haven't seen"
        if intent in _PRIOR_INTENTS and any(m.polarity is Polarity.NEUTRAL for m in mentions):
            mentions = tuple(_uncued_like(m) for m in mentions)
            intent = Intent.PREFERENCE if intent is Intent.CHITCHAT else intent
        return Parse(text=text, intent=intent, mentions=mentions, constraints=self._constraints(text, intent, mentions))

    def _constraints(self, text: str, intent: Intent, mentions: tuple[Mention, ...]) -> Constraints:
        """The filters asked for; "newer" or "older" compare with the years of the items named."""
        chars = list(text)
        for m in mentions:
            chars[m.start : m.end] = " " * (m.end - m.start)
        outside = "".join(chars)
        years = [
            (m.start, y)
            for m in mentions
            if m.entity.label == "Item" and (y := self.grounder.year_of(m.entity.node_id))
        ]
        year_min, year_max = relative_range(outside, years)
        if year_min is None and year_max is None:
            year_min, year_max = year_range(outside, self.grounder.newest_year)
        genres = [m for m in mentions if m.entity.label == "Genre"]
        excluded = tuple(dict.fromkeys(m.entity.node_id for m in genres if m.polarity is Polarity.DISLIKE))
        required = tuple(
            dict.fromkeys(
                m.entity.node_id
                for m in genres
                if intent is Intent.RECOMMEND
                and m.polarity is not Polarity.DISLIKE
                and m.entity.node_id not in excluded
            )
        )
        return Constraints(year_min, year_max, required, excluded, not_seen(outside))

    def _with_tag_genre(self, mention: Mention) -> tuple[Mention, ...]:
        """A tag named after a kind of a genre ("psychological thriller", "dark comedy") is that genre too."""
        if mention.entity.label != "Tag":
            return (mention,)
        words = key(mention.text).split()
        genre = self.grounder.genre_named(words[-1]) if len(words) > 1 else None
        if genre is None:
            return (mention,)
        return mention, replace(mention, entity=genre, alternatives=())

    def _described_genres(self, text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
        """A genre for the first descriptive phrase ("something scary", "makes me laugh") that describes one, in a
        part of the message that likes no genre ("my husband wants action, I want something funny"); the names found
        are no description ("something like star wars" asks for films like it, not for a genre)."""
        chars = list(text[:2_000])
        for m in mentions:
            chars[m.start : m.end] = " " * len(chars[m.start : m.end])
        blanked = "".join(chars)
        for match in DESCRIPTOR.finditer(blanked):  # "not anything too heavy. Maybe something light and funny"
            described = self._described(text, blanked, match, mentions)
            if described:
                return described
        return ()

    def _described(
        self, text: str, blanked: str, match: re.Match[str], mentions: tuple[Mention, ...]
    ) -> tuple[Mention, ...]:
        """The genre one descriptive phrase describes, unless its part of the message likes a genre already."""
        start, end = match.start(), match.end()
        part_start = max((p.end() for p in PART_END.finditer(text, 0, start)), default=0)
        part_end = next((p.start() for p in PART_END.finditer(text, end)), len(text))
        liked = [m for m in mentions if m.entity.label == "Genre" and m.polarity is not Polarity.DISLIKE]
        effect = _REACTION.match(match.group(0)) is not None  # "romance movies that make you cry": drama as well
        if not effect and any(part_start <= m.start < part_end for m in liked):  # "not into horror, want smth funny"
            return ()
        if NEGATORS & {t.norm for t in tokenize(text[part_start:start])[-4:]}:
            return ()  # "not in the mood for anything depressing" asks for no drama
        asked = tokenize(text[part_start:start])[-1:]  # "an anime that'll make me cry", "movies to make me laugh"
        if effect and any(m.end <= start for m in mentions) and not (asked and asked[0].norm in _ASKING):
            return ()  # "Coco made me cry" tells how a film was, not what to watch next
        cut = temporal_start(match.group(0))  # "something from the 90s" describes a time, not a genre
        if cut is not None:
            end = start + len(match.group(0)[:cut].rstrip())
        end = min([end, *(m.start for m in mentions if start < m.start < end)])  # "something like <title> please"
        end = start + len(blanked[start:end].rstrip())
        words = [t.norm for t in tokenize(blanked[match.start(1) : end])]
        if all(self.grounder.lexicon.is_stopword(w) or w in _NOT_DESCRIPTIVE for w in words):
            return ()
        genres = self.grounder.describe_genres(blanked[start:end])
        if not genres:
            return ()
        best = genres[0]
        return (Mention(text[start:end], start, end, best, Polarity.LIKE, round(best.score, 4), tuple(genres[1:])),)


# Words after "something" / "anything" that describe no kind of film: "anything about <a title>", "anything else",
# "something like the original <title>" (which of its films, not a genre), "something starring <a person>".
_NOT_DESCRIPTIVE = frozenset(
    {"about", "else", "besides", "similar", "interesting", "know", "knew", "original", "first", "newer", "older"}
    | {"latest"}
    | {"starring", "featuring", "directed", "written", "made", "by", "with"}
    | {"recommend", "suggest", "recommendations", "suggestions"}  # "anything you can recommend?"
    | {"think", "thought"}  # "anything else you can think of?"
    | {"story", "plot", "please", "pls"}  # "something with a story please"
)


_REACTION = re.compile(r"(makes?|made|make) (me|you|u)\b", re.IGNORECASE)
_ASKING = frozenset({"that", "thatll", "which", "to", "will", "would", "could", "should", "might", "gonna"})


_COMPOUNDS = frozenset(key(alias) for alias in COMPOUND_GENRES)


_GENRE_ADJECTIVES = frozenset(MEANT_GENRES) | {"funny", "romantic", "dramatic", "comedic", "historical"}
# A yes/no question about the film named right after its verb: "is jaws still scary?", "Is The Shining too scary?"
_FILM_QUESTION = re.compile(r"(?:^|[.!?]\s*)(?:is|was|isn'?t|wasn'?t)\s+$", re.IGNORECASE)


_SUITED_FOR = re.compile(r"\s+for\s+(?:a|an|my|our|your|the|his|her|their|kids|children|little|young|\d)\b", re.I)


def _asked_of_a_film(text: str, mention: Mention, mentions: tuple[Mention, ...]) -> bool:
    """Whether a genre adjective is what a yes/no question asks of the film it names first ("is alien scary?"): a
    question, not a kind of film asked for ("is there anything like Alien that's scary?" still asks for horror); or
    how a film suits someone ("too scary for my kids")."""
    words = key(mention.text).split()
    if mention.entity.label != "Genre" or not words or " ".join(words) not in _GENRE_ADJECTIVES:
        return False
    if _SUITED_FOR.match(text, mention.end):
        return True  # "a bit scary for my youngest", "too scary for a 7 year old?": how a film suits someone
    return any(
        m.entity.label == "Item" and m.end <= mention.start and _FILM_QUESTION.search(text[: m.start]) is not None
        for m in mentions
    )


def _each_named(mention: Mention) -> tuple[Mention, ...]:
    """A mention of a name of two genres at once ("romcom") or of siblings ("the coen brothers") as one mention of
    each; any other as it is."""
    label = mention.entity.label
    words = key(mention.text).split() or [""]
    if not ((label == "Genre" and " ".join(words) in _COMPOUNDS) or (label == "Person" and words[-1] in SIBLING_WORDS)):
        return (mention,)
    named = [mention.entity, *(a for a in mention.alternatives if a.label == label)]
    return tuple(replace(mention, entity=entity, alternatives=()) for entity in named)


def _clause_text(text: str, tokens: list[Token], numbers: list[int], index: int) -> str:
    members = [t for t, n in zip(tokens, numbers, strict=True) if n == numbers[index]]
    return text[members[0].start : members[-1].end]


def _uncued_like(mention: Mention) -> Mention:
    if mention.polarity is not Polarity.NEUTRAL:
        return mention
    return replace(mention, polarity=Polarity.LIKE, confidence=round(mention.confidence * UNCUED_LIKE_FACTOR, 4))


def _last_token(ends: dict[int, int], end: int) -> int:
    while end not in ends and end > 0:
        end -= 1  # a span that closes a bracket after its last word ("(1980)")
    return ends[end]
