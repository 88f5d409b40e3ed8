"""Grounding: text spans → nodes that exist in Neo4j. Exact names come from the in-memory lexicon (loaded once
from the graph); typos and unknown spellings fall back to the Neo4j full-text index, re-ranked by string similarity,
sentence-embedding similarity and popularity; descriptive phrases map to genres by embedding similarity."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from core.types import GroundedEntity
from graph.db import GraphStore
from graph.importers.titles import display_title, split_year
from graph.search import credited_items, credits_of, entity_catalog, fulltext_candidates, plots_of_films_by
from nlu.encoder import SentenceEncoder
from nlu.lexicon import ARTICLE, ROMAN, SUBTITLE, Entry, Lexicon, SpanMatch, bare_title, series_after_opening
from nlu.linker import PACKAGED_LINKER, Linker, PlainUsage
from nlu.polarity import NEGATIVE, POSITIVE
from nlu.text import Token, gcide, is_english, is_year, key, tokenize

MIN_EVERYDAY_PRIOR = 0.3  # popularity prior a film named by one everyday word needs to be read as a title
FUZZY_BEFORE = 4  # words before an unknown word a full-text match may start at ("pirates of the carribean")
MIN_TYPO_WORD = 3  # a word is read as a typo of a word of a longer name from this length on ("iro man")
MIN_TYPO_SURNAME_PRIOR = 0.15  # a misspelt surname names someone with 3+ films
MIN_DICTIONARY_SURNAME_PRIOR = 0.35  # a dictionary word in lower case, uncued, names only someone this known
MIN_LONE_TYPO_SURNAME_PRIOR = 0.25  # ... and, said without a cue in lower case, someone with 5+ ("spielburg is great")
FIRST_NAME_MARGIN = 1.5  # a little-known lower-case surname is no one's if 1.5x as known a name has it first
MIN_FAMOUS_TYPO_PRIOR = 0.55  # a title of two everyday words is found with one of them misspelt into another word
MIN_ONE_WORD_TYPO = 6  # ... and as a typo of a one-word name from this length on, written as a name ("Arival")
MIN_NAMED_WORD = 6  # an English word written as a name right after "loved" is a film from this length on
PLAIN_IN_CHAT = 2.0  # uses per 100k words of chat from which a word is a plain word ("next": 11), not a name
MIN_STORY_WORDS = 2  # words of note a film's story needs besides the people in it ("stuck on an island")
STORY_PRIOR_WEIGHT = 0.1  # how much a film's popularity adds to its story's likeness (cosine) to what was told
MIN_STORY_SCORE = 0.3  # ... the likeness the film told by its story needs
MIN_STORY_MARGIN = 0.05  # ... and how far ahead of the next film of those people
MAX_FUZZY_LOOKUPS = 3  # full-text lookups of unknown words per message ("lookin for … like labrynth": two)
MAX_CORRECTIONS = 20  # name words tried in place of a word that may hold a typo
TYPO_WINDOW = 10  # words either side of a corrected word a name may span ("pirates of the caribbean … black peirl")
_ACCEPTED = 0.5  # a learned title score from which a match counts as found (for lists: "jaws and alien")
# The linker decides where the rules are unsure: not for a title written with its year or with a word no dictionary
# has ("Shark Tale": near certain), nor for a function word or a verb ("it", "up", "loved": never a title).
_RULES_CERTAIN = 0.9
_NEVER = -1.0  # what the rules say of a match that is no title whatever the linker reads ("it", "up", "loved")
_PLAIN_SCALE = math.log1p(1000)  # plain uses per 100k words at which the `plain` feature saturates
FULL_NAME_BONUS = 0.3  # how much a node whose full name the words are is preferred to one they only shorten
LABELS = {"item": "Item", "movie": "Item", "person": "Person", "genre": "Genre", "tag": "Tag"}
# What each genre is about, for mapping descriptive phrases ("something scary") by embedding similarity; family and
# children films are asked for by name ("a family movie", "kids movies"): "something to watch with my son" names none.
GENRE_DESCRIPTIONS: dict[str, str] = {
    "action": "an action movie with fights, explosions and car chases",
    "adventure": "an adventure movie with a quest and exploration",
    "animation": "an animated cartoon movie",
    "biography": "a biographical movie about the life of a real person",
    "comedy": "a funny, light-hearted comedy movie full of jokes and laughs",
    "crime": "a crime movie about gangsters, heists and detectives",
    "documentary": "a documentary film about real events",
    "drama": "a serious emotional drama movie, sad and moving, to cry at",
    "fantasy": "a fantasy movie with magic, wizards and dragons",
    "film-noir": "a classic black-and-white film noir of the 1940s, with hard-boiled detectives",
    "history": "a historical movie about the past",
    "horror": "a scary horror movie with monsters, ghosts and gore",
    "music": "a movie about music, bands and musicians",
    "musical": "a musical with singing and dancing",
    "mystery": "a mystery movie with a puzzle to solve, a whodunit",
    "romance": "a romantic love story",
    "sci-fi": "a science fiction movie about space, aliens, robots and the future",
    "sport": "a sports movie about athletes and competition",
    "thriller": "a dark, suspenseful, tense thriller",
    "war": "a war movie about soldiers and battles",
    "western": "a western with cowboys in the wild west",
}
# A descriptive phrase: a cue, then up to six words that say what the movie is like ("something scary").
DESCRIPTOR = re.compile(
    r"\b(?:something|anything|somethin|anythin|smth|smthg|smthn|sth|makes? (?:me|you|u)|made me|in the mood for"
    r"|feel like|(?:wanna|want to|need to|need a)(?=\s+(?:good\s+)?(?:laugh|cry)\b))\b"
    r"((?:[^\w.!?;]+\w+){1,6})",  # within its sentence
    re.IGNORECASE,
)
# Words near a name shared by several films that say which one: "the first jumanji", "the more recent jane eyre".
_OLDER = re.compile(r"\b(original|og|first|older|oldest|old|classic)\b", re.IGNORECASE)
_NEWER = re.compile(r"\b(remake|reboot|new|newer|newest|latest|recent)\b", re.IGNORECASE)
_COMPARATIVES = frozenset({"older", "newer"})
_NEAR_BEFORE, _NEAR_AFTER = 4, 3  # words before and after a name that may say which of its films


@dataclass(frozen=True)
class Candidate:
    """A grounded span of an utterance: best node first, then the alternatives."""

    start: int
    end: int
    entities: tuple[GroundedEntity, ...]
    confidence: float
    # What the learned linker read of it, for a title or surname match it decides on (and learns from).
    features: Mapping[str, float] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _Message:
    """What every match of one utterance shares: the tokens that are names whatever stands around them, whether
    the message talks about movies at all, and whether its writer uses capitals."""

    named: frozenset[int]
    about_movies: bool  # the message says movie / film / series somewhere: "Inception and other … movies"
    lower_case_writer: bool  # no capital letter anywhere in the message
    capitalises_names: bool  # a name no dictionary has is written with a capital inside a sentence ("Whiplash")
    shouting: bool  # written in capitals only: a capital says nothing there


@dataclass(frozen=True)
class _Surroundings:
    """What stands in and around a lexicon match (year tokens left out of the words)."""

    words: tuple[str, ...]
    common: tuple[bool, ...]
    capitalised: tuple[bool, ...]
    sentence_start: bool
    before: frozenset[str]  # up to three words before it, in its sentence
    adjacent: str  # the word right before it, in its sentence
    after: str  # the word right after it, when nothing but a space stands between
    after_capitalised: bool  # that word is capitalised ("You Again": no "You" ends there)
    whole: bool  # nothing else in the message but fillers and other names
    listed: bool  # in a list with a title found before it
    among_films: bool  # listed after a film found, or before a film of several words or one no dictionary has
    among_people: bool  # listed after a person found ("tarantino and scorsese")
    abbreviation: bool  # written as one with full stops: "E.T."
    person_cued: bool  # where a person's work is introduced: "by nolan", "a Hitchcock film" (`_person_cued`)
    leads: bool  # only fillers and interjections before it
    ends_part: bool  # nothing but the end of a part of the message after it ("hated lobster, way too weird")
    message: _Message


class Grounder:
    """Grounds spans to graph nodes. Construct once per process: it loads every name from the graph."""

    def __init__(
        self, store: GraphStore, encoder: SentenceEncoder | None = None, linker: Linker | None = PACKAGED_LINKER
    ) -> None:
        """`linker` decides the title and surname matches the rules are unsure of (the packaged one by default;
        None: the rules alone)."""
        self.store = store
        self.lexicon = Lexicon(entity_catalog(store))
        # Learned with popularity as a feature: a catalog nobody has rated or talked about yet gets the rules.
        self.linker = linker if self.lexicon.has_usage else None
        # How often each name is used as plain words in chat: the linker's own counts (training sets its own).
        self.usage = linker.usage if linker is not None else PlainUsage()
        self._encoder = encoder
        self._genre_ids = [g for g in GENRE_DESCRIPTIONS if g in self.lexicon.genres]
        self._genre_vectors: np.ndarray | None = None
        self._by_id = {e.node_id: e for e in self.lexicon.entries}
        self._films_by_first_word: dict[str, list[Entry]] = defaultdict(list)  # "matrix": The Matrix, … Reloaded
        for entry in self.lexicon.entries:
            words = bare_title(entry.name).split() if entry.label == "Item" else []
            if words:
                self._films_by_first_word[words[0]].append(entry)
        self.newest_year = max((e.year for e in self.lexicon.entries if e.year), default=None)

    @property
    def encoder(self) -> SentenceEncoder:
        """The sentence encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = SentenceEncoder()
        return self._encoder

    def year_of(self, node_id: str) -> int | None:
        """The release year of a named node, when the catalog gives one."""
        entry = self._by_id.get(node_id)
        return entry.year if entry else None

    def warm_up(self) -> None:
        """Load the sentence encoder and embed the genre descriptions now, not on the first lookup that needs them."""
        self._genre_descriptions()

    def _genre_descriptions(self) -> np.ndarray:
        if self._genre_vectors is None:
            self._genre_vectors = self.encoder.encode([GENRE_DESCRIPTIONS[g] for g in self._genre_ids])
        return self._genre_vectors

    # ---- one span, any label (used by the LLM backends to validate their proposals) ----
    def ground(self, span: str, label: str | None = None, k: int = 5) -> list[GroundedEntity]:
        """Nodes that `span` names, best first; empty when nothing in the graph matches well enough."""
        wanted = LABELS.get(label.lower(), label) if label else None
        span_key = key(span)
        if not span_key:
            return []
        exact = self.lexicon.lookup(span_key)[0] or self.lexicon.lookup(_toggle_article(span_key))[0]
        ranked = self._rank_exact([i for i in exact if wanted in (None, self.lexicon.entries[i].label)], span, span_key)
        if ranked:
            return ranked[:k]
        inside = [e for c in self.find(span, fuzzy=False) for e in c.entities if wanted in (None, e.label)]
        if inside:
            return inside[:k]
        fuzzy = self._rank_fuzzy(span, span_key, wanted)
        if fuzzy:
            return fuzzy[:k]
        if wanted in (None, "Genre"):
            return self.describe_genres(span)[:k]
        return []

    def _rank_exact(
        self, indices: list[int], context: str, name_key: str | None = None, year: int | None = None
    ) -> list[GroundedEntity]:
        """Nodes sharing a name, best first: the one of the `year` said beside the name ("Ghostbusters, the 2016
        one"), a full name before a shortened one unless the shortened is much more popular ("the lord of the rings"
        is the trilogy, not the 1978 cartoon), then by `_preference`. Where the context says which era, the full
        names come first: "the new iron man" is no Iron Man 2."""

        def full(i: int) -> bool:
            return name_key is None or self.lexicon.is_full_name(name_key, i)

        def whole(i: int) -> bool:  # a title typed without its article is typed whole ("the first hangover")
            return full(i) or (name_key is not None and self.lexicon.is_full_name(f"the {name_key}", i))

        # A movie beats a person or genre of the same name, but not one whose full name its title only shortens to
        # ("denis leary" is the actor, not "Denis Leary: No Cure for Cancer").
        named_other = any(self.lexicon.entries[i].label != "Item" and full(i) for i in indices)
        # ... nor a person of that very name more known than the film ("Emma Stone", not an obscure "Emma Stone (2017)")
        entries = self.lexicon.entries
        person = max((entries[i].prior for i in indices if entries[i].label == "Person" and full(i)), default=0.0)

        def rank(i: int) -> float:
            entry = self.lexicon.entries[i]
            movie = entry.label == "Item" and (full(i) or not named_other) and entry.prior >= person
            # "the original" is the oldest film of that name anybody rated or talked about ("the original scream" is
            # the 1996 film, not an unseen one of 1981)
            original = entry.popularity > 0 or not self.lexicon.has_usage
            return _preference(entry, context, movie, original) + (FULL_NAME_BONUS if full(i) else 0.0)

        era = bool(_OLDER.search(context) or _NEWER.search(context))
        order = sorted(
            indices, key=lambda i: (-(year is not None and entries[i].year == year), -(era and whole(i)), -rank(i))
        )
        return [_grounded(self.lexicon.entries[i], round(0.9 + 0.1 * self.lexicon.entries[i].prior, 4)) for i in order]

    def _rank_fuzzy(self, span: str, span_key: str, wanted: str | None) -> list[GroundedEntity]:
        rows = [r for r in fulltext_candidates(self.store, span, limit=20) if wanted in (None, r["label"])]
        if not rows:
            return []
        names = [r["name"] for r in rows]
        similarity = self.encoder.encode([span, *names])
        cosines = similarity[1:] @ similarity[0]
        scored = []
        for row, cosine in zip(rows, cosines, strict=True):
            string = max(fuzz.ratio(span_key, k) for k in _name_keys(row["name"], row["label"])) / 100
            entry = self._entry(row["id"])
            prior = entry.prior if entry else 0.0
            score = 0.6 * string + 0.3 * float(cosine) + 0.1 * prior
            if string >= 0.8 or (string >= 0.6 and cosine >= 0.8):
                scored.append((score, row))
        scored.sort(key=lambda pair: -pair[0])
        return [GroundedEntity(r["label"], r["id"], r["name"], round(s, 4)) for s, r in scored]

    def genre_named(self, word: str) -> GroundedEntity | None:
        """The genre a word names ("thriller", "comedies"), if any."""
        for i in self.lexicon.keys.get(key(word), []):
            entry = self.lexicon.entries[i]
            if entry.label == "Genre":
                return _grounded(entry, 1.0)
        return None

    def describe_genres(self, phrase: str, threshold: float = 0.58) -> list[GroundedEntity]:
        """Genres a descriptive phrase ("something scary", "makes me laugh") is about, by embedding similarity."""
        if not self._genre_ids or not phrase.strip():
            return []
        vector = self.encoder.encode([f"a movie: {phrase.strip()[:200]}"])[0]
        cosines = self._genre_descriptions() @ vector
        order = np.argsort(-cosines)
        out = []
        for i in order[:3]:
            if cosines[i] < threshold:
                break
            entry = self.lexicon.entries[self.lexicon.genres[self._genre_ids[i]]]
            out.append(_grounded(entry, round(float(cosines[i]), 4)))
        return out

    # ---- every mention of an utterance (used by the embedded parser) ----
    def find(
        self, text: str, tokens: list[Token] | None = None, fuzzy: bool = True, keep_rejected: bool = False
    ) -> list[Candidate]:
        """Grounded spans of `text`: lexicon matches, then full-text fallback around unknown words; with
        `keep_rejected`, also the lexicon matches judged no mention (confidence 0 or below 0.5: to learn from)."""
        tokens = tokenize(text) if tokens is None else tokens
        matches = [  # sentence by sentence: "Loved the original Star Wars. The Last Jedi though"
            replace(m, first=m.first + start, last=m.last + start)
            for start, end in _sentences(text, tokens)
            for m in self.lexicon.find(tokens[start:end])
        ]
        if fuzzy:
            matches = self._typo_matches(tokens, matches)
        found: list[Candidate] = []
        accepted: list[SpanMatch] = []
        message = _Message(
            named=frozenset(i for m in matches if self._names_on_its_own(tokens, m) for i in range(m.first, m.last)),
            about_movies=any(t.norm in _TITLE_CUES_AFTER for t in tokens),
            lower_case_writer=not any(t.capitalised for t in tokens),
            shouting=text.upper() == text,
            capitalises_names=any(
                self._names_on_its_own(tokens, m) and all(t.capitalised for t in tokens[m.first : m.last])
                for m in matches
                if m.first > 0 and not _ENDS_SENTENCE.search(text[tokens[m.first - 1].end : tokens[m.first].start])
            ),
        )
        pending = sorted(matches, key=lambda m: m.first)
        places = _place_ends(tokens)
        unsure: list[Candidate] = []  # the films of the matches not taken
        while pending:
            match = pending.pop(0)
            if match.last - match.first == 1 and match.first in places:
                continue  # "Hong Kong action": no Kong
            listed = any(_listed_together(text, tokens, other, match) for other in accepted)
            among_people = any(  # "tarantino and scorsese"
                _listed_together(text, tokens, other, match)
                and any(self.lexicon.entries[i].label == "Person" for i in other.entries)
                for other in accepted
            )
            films = [
                m for m in [*accepted, *pending] if all(self.lexicon.entries[i].label == "Item" for i in m.entries)
            ]
            taken_before = set(accepted)  # a set: a long message holds hundreds of matches
            among_films = (
                any(  # "walle and up", "up and inside out"; never "a Nolan fan, Memento", "her and Gary Oldman"
                    _listed_together(text, tokens, other, match)
                    if other.last <= match.first
                    else _listed_together(text, tokens, match, other)
                    # "up and inside out"; "et, close encounters" (never "a Nolan fan, Memento")
                    and (
                        other.first == match.last + 1
                        or (other.first == match.last and match.key in self.lexicon.abbreviations)
                    )
                    and (other.last - other.first > 1 or other.first in message.named)
                    for other in films
                    if other in taken_before or other.first >= match.last
                )
            )
            candidate, taken = self._from_match(text, tokens, match, (listed, among_films, among_people), message)
            if not taken and {self.lexicon.entries[i].label for i in match.entries} <= {"Item", "Person"}:
                unsure.append(candidate)  # "luc besson also did leon": Léon, not a Leon
            if taken:
                accepted.append(match)
            else:  # "a civil war movie" is no Captain America: Civil War, and still a war movie
                pending = sorted([*pending, *self._inside_rejected(tokens, match, pending)], key=lambda m: m.first)
            if taken or keep_rejected:
                found.append(candidate)
        if fuzzy:
            covered = [any(m.first <= i < m.last for m in accepted) for i in range(len(tokens))]
            found.extend(self._fuzzy_spans(text, tokens, covered))
        found = [*found, *self._credited(text, tokens, unsure, found), *self._franchise_parts(tokens, found)]
        found = [*found, *self._makers_named(tokens, found)]
        found = _beside_people(text, self._by_credits(text, sorted(found, key=lambda c: c.start)))
        found = self._makers(found)
        found = self._series_said(text, found)
        found = self._told_by_story(text, [*found, *self._first_ones(text, found)])
        return sorted(self._numbered_ones(text, found), key=lambda c: c.start)

    def _told_by_story(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """`found` with a film told by its story and someone in it ("whats the movie where bill murray lives the same
        day over n over", "the one w tom hanks stuck on the island"): of that person's films (all the people's named),
        the one whose title and plot the story is most like, by sentence embeddings and a little popularity, when it
        stands out from the next one; it takes the place of a title of everyday words in the story ("the island").
        None when a film is named in the story, or the story names no one."""
        told, replaced = [], set()
        for cue in _STORY.finditer(text):
            end = next((p.start() for p in PART_END.finditer(text, cue.end()) if text[p.start()] != ","), len(text))
            inside = [c for c in found if cue.start() <= c.start < end and c.confidence >= _ACCEPTED]
            people = [c for c in inside if c.entities[0].label == "Person"]
            films_named = [c for c in inside if c.entities[0].label == "Item"]
            everyday = [c for c in films_named if self._plain_words(tokenize(text[c.start : c.end]))]
            if not people or len(everyday) < len(films_named):
                continue
            chars = list(text[cue.end() : end])
            for c in people:  # the story without the names in it
                chars[c.start - cue.end() : c.end - cue.end()] = " " * (c.end - c.start)
            story = "".join(chars)
            if sum(not self.lexicon.is_stopword(t.norm) for t in tokenize(story)) < MIN_STORY_WORDS:
                continue
            films = plots_of_films_by(self.store, [c.entities[0].node_id for c in people])
            if len(films) < 2:
                continue
            vectors = self.encoder.encode([f"{f['name']}. {f['plot']}" for f in films])
            priors = np.array([(self._entry(f["id"]) or _NO_ENTRY).prior for f in films])
            scores = vectors @ self.encoder.encode([story])[0] + STORY_PRIOR_WEIGHT * priors
            best, second = np.argsort(-scores)[:2]
            if scores[best] >= MIN_STORY_SCORE and scores[best] - scores[second] >= MIN_STORY_MARGIN:
                film = GroundedEntity("Item", films[best]["id"], films[best]["name"], round(float(scores[best]), 4))
                told.append(Candidate(cue.start(), cue.end(), (film,), _RULES_CERTAIN if priors[best] else _ACCEPTED))
                replaced |= {id(c) for c in everyday}
        return [c for c in found if id(c) not in replaced] + told

    def _plain_words(self, tokens: list[Token]) -> bool:
        """Whether `tokens` are everyday words in lower case ("the island"), not a name as written."""
        return all(self.lexicon.is_common(t.norm) and not t.capitalised for t in tokens)

    def _first_ones(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """ "The first one" / "the original" after a sequel or a remake is the series' first film or the oldest of
        that name ("John Wick 2 was even better than the first", "Blade Runner 2049 … better than the original",
        "Ghostbusters, the 2016 one. The original is fine"); "the new one" / "the remake" after a film, the newest film
        of its title ("the old jumanji, not the new one")."""
        films = [c for c in found if c.confidence >= _ACCEPTED and c.entities[0].label == "Item"]
        added = []
        for n, film in enumerate(films):
            end = films[n + 1].start if n + 1 < len(films) else len(text)
            for pattern, pick in ((_FIRST_ONE, self._first_of), (_NEW_ONE, self._newest_of)):
                phrase = pattern.search(text, film.end, end)
                if phrase is None or _overlaps(found, phrase):
                    continue
                if pattern is _NEW_ONE and _CLARIFIED.search(text[: phrase.start()]):
                    continue  # "the original Titanic, not the remake" says which film, it names no other
                other = pick(film.entities[0])
                if other is not None:
                    added.append(Candidate(phrase.start(), phrase.end(), (other,), _RULES_CERTAIN))
        return added

    def _newest_of(self, film: GroundedEntity) -> GroundedEntity | None:
        """The newest film people know of `film`'s very title, made after it ("the old jumanji ... the new one")."""
        year = self.year_of(film.node_id)
        if year is None:
            return None
        title = key(split_year(display_title(film.name))[0])
        same = {title, _toggle_article(title)}
        later = [
            e
            for e in self._known_films(title)
            if (e.year or 0) > year and key(split_year(display_title(e.name))[0]) in same
        ]
        if not later:
            return None
        newest = max(later, key=lambda e: e.year or 0)
        return _grounded(newest, round(0.9 + 0.1 * newest.prior, 4))

    def _known_films(self, name_key: str) -> list[Entry]:
        """The films people rated or talked about that `name_key` names, with or without its leading article."""
        indices = {*self.lexicon.lookup(name_key)[0], *self.lexicon.lookup(_toggle_article(name_key))[0]}
        entries = (self.lexicon.entries[i] for i in indices)
        return [e for e in entries if e.label == "Item" and e.popularity > 0]

    def _numbered_ones(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """`found` with "Part 3" / "part III" after a film of a series read as that film of the series ("godfather and
        godfather 2 are perfect, part 3 not so much"); right after the film's name, in its place ("deathly hallows pt
        2"), as is a bare number after a series whose titles hold none: its film at that place ("harry potter 3",
        "thor 2")."""
        films = [c for c in found if c.confidence >= _ACCEPTED and c.entities[0].label == "Item"]
        added, named = [], set()
        for n, film in enumerate(films):
            end = films[n + 1].start if n + 1 < len(films) else len(text)
            placed = _BARE_NUMBER.match(text, film.end)
            if placed is not None and not _overlaps(found, placed):
                series = self._series_of(film.entities[0], text[film.start : film.end])
                number = int(placed.group(1))
                ordered = all(e.year for e in series)  # a film of no known year has no known place
                numbered = self._numbered_entries(film.entities[0], placed.group(1))  # "toy story 3" is its own title
                if ordered and len(series) >= number and not numbered:
                    added.append(Candidate(film.start, placed.end(), (_grounded(series[number - 1], 0.9),), 0.9))
                    named.add(id(film))
                    continue
            if re.search(r"\d$", text[film.start : film.end]):  # "toy story 2 and 3"
                added.extend(self._other_number(text, film.entities[0], film.end, found))
            for phrase in _PART_N.finditer(text, film.end, end):
                if _overlaps(found, phrase):
                    continue
                number = ROMAN.get(phrase.group(1).lower(), phrase.group(1))
                entries = [e for e in self._numbered_entries(film.entities[0], number) if e.label == "Item"]
                if entries:
                    best = max(entries, key=lambda e: e.prior)
                    whole = not text[film.end : phrase.start()].strip()
                    start = film.start if whole else phrase.start()
                    added.append(Candidate(start, phrase.end(), (_grounded(best, 0.9),), _RULES_CERTAIN))
                    named |= {id(film)} if whole else set()
                    added.extend(self._other_number(text, film.entities[0], phrase.end(), found))  # "vol 1 or 2"
        return [c for c in found if id(c) not in named] + added

    def _other_number(self, text: str, film: GroundedEntity, at: int, found: list[Candidate]) -> list[Candidate]:
        """The film of `film`'s series numbered by a number said as another choice right after its own ("kill bill
        vol 1 or 2?", "toy story 2 and 3")."""
        other = _OTHER_NUMBER.match(text, at)
        if other is None or _overlaps(found, other):
            return []
        entries = [e for e in self._numbered_entries(film, other.group(1)) if e.label == "Item"]
        if not entries:
            return []
        best = max(entries, key=lambda e: e.prior)
        return [Candidate(other.start(1), other.end(), (_grounded(best, 0.9),), _RULES_CERTAIN)]

    def _numbered_entries(self, film: GroundedEntity, number: str) -> list[Entry]:
        """The entries named by `film`'s series name with `number`, with or without "part" ("Toy Story 3", "The
        Godfather Part II")."""
        head = _series_head(film.name)
        keys = [f"{h} {w}{number}" for h in (head, _toggle_article(head)) for w in ("part ", "")]
        return [self.lexicon.entries[i] for k in keys for i in self.lexicon.lookup(k)[0]]

    def _first_of(self, film: GroundedEntity) -> GroundedEntity | None:
        """The first film of `film`'s series or name: the oldest film people know of its title cut before its
        sequel number or subtitle ("Terminator 2: Judgment Day" → The Terminator), made before it."""
        year = self.year_of(film.node_id)
        if year is None:
            return None
        earlier = [e for e in self._known_films(_series_head(film.name)) if (e.year or year) < year]
        if not earlier:
            return None
        oldest = min(earlier, key=lambda e: e.year or 0)
        return _grounded(oldest, round(0.9 + 0.1 * oldest.prior, 4))

    def _series_said(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """Films of a series or a title said by their place or year: "the third Harry Potter" (in place of the first),
        "the second one" after Toy Story, "the sequels" after The Hangover (each of them), "the 2019 Lion King" (in
        place of the most popular one), "the 1933 original" after King Kong (2005)."""
        films = [c for c in found if c.confidence >= _ACCEPTED and c.entities[0].label == "Item"]
        replaced: dict[int, Candidate] = {}
        added: list[Candidate] = []
        dropped: set[int] = set()
        for n, film in enumerate(films):
            typed = text[film.start : film.end]
            before = text[films[n - 1].end if n else 0 : film.start]
            said = _ORDINAL_BEFORE.search(before) or _YEAR_BEFORE.search(before)
            other = self._placed(film.entities[0], said, typed) if said is not None else None
            if other is not None:  # "the third harry potter", "the 2019 lion king"
                replaced[id(film)] = replace(film, entities=(other,), confidence=_RULES_CERTAIN)
            end = films[n + 1].start if n + 1 < len(films) else len(text)
            for pattern in (_ORDINAL_ONE, _YEAR_ONE, _SEQUELS):  # "the second one", "the 2016 remake", "the sequels"
                if pattern is _YEAR_ONE and _SAID_YEAR.match(text, film.end) is not None:
                    continue  # "Ghostbusters, the 2016 one" says which Ghostbusters, it names no other
                for phrase in pattern.finditer(text, film.end, end):
                    overlapping = [c for c in found if c.start < phrase.end() and phrase.start() < c.end]
                    tags = all(c.entities[0].label == "Tag" for c in overlapping)  # "sequals": the tag "sequel"
                    if overlapping and not (pattern is _SEQUELS and tags):
                        continue
                    if pattern is _SEQUELS:
                        right_after = not text[film.end : phrase.start()].strip()  # "the matrix sequels"
                        if not (right_after or phrase.group().lower().startswith("the")):
                            continue  # "Terminator 2 is one of the few sequels that's better"
                        others = self._sequels_of(film.entities[0], typed)
                        if others:  # they, not the tag "sequel"; and "the matrix sequels" are not The Matrix
                            dropped.update([id(c) for c in overlapping] + ([id(film)] if right_after else []))
                    else:
                        others = [e for e in [self._placed(film.entities[0], phrase, typed)] if e is not None]
                    added += [
                        Candidate(phrase.start(), phrase.end(), (e,), _RULES_CERTAIN)
                        for e in others
                        if e.node_id != film.entities[0].node_id
                    ]
        found = [replaced.get(id(c), c) for c in found if id(c) not in dropped]
        return [c for c in found if not _series_beside_its_film(text, c, found)] + added

    def _placed(self, film: GroundedEntity, said: re.Match[str], typed: str) -> GroundedEntity | None:
        """The film of `film`'s series (named `typed`) at the place `said` gives ("third", "3rd"), or of its title made
        in the year it gives ("2019", "84"); None if there is none."""
        place = said.groupdict().get("place")
        if place is not None:
            series = self._series_of(film, typed)
            number = _PLACES[place.lower()]
            return _grounded(series[number - 1], 0.9) if len(series) >= number else None
        year = int(said.groupdict()["year"].lstrip("'"))
        year = year if year > 999 else year + (1900 if year > 30 else 2000)
        title = bare_title(film.name)
        dated = [
            e
            for e in self._films_by_first_word.get(title.split()[0] if title else "", [])
            if e.year == year and bare_title(e.name) == title
        ]
        return _grounded(max(dated, key=lambda e: e.prior), 0.9) if dated else None

    def _sequels_of(self, film: GroundedEntity, typed: str) -> list[GroundedEntity]:
        """The films of `film`'s series (named `typed`) made after it (or with no year said)."""
        year = self.year_of(film.node_id) or 0
        return [_grounded(e, 0.9) for e in self._series_of(film, typed) if e.year is None or e.year > year]

    def _series_of(self, film: GroundedEntity, typed: str) -> list[Entry]:
        """The films people know of `film`'s series, oldest first: titles that start with its title cut before a
        sequel number or subtitle, or with the series name it was `typed` as ("harry potter"), made or played in by
        someone of `film` (never "Alien Nation" for Alien)."""
        head = ARTICLE.sub("", _series_head(film.name))
        # the title cut to as many words as were typed: "harry poter" (a typo corrected) is the series Harry Potter
        said = " ".join(bare_title(film.name).split()[: len(ARTICLE.sub("", key(typed)).split())])
        if said and f"{head} ".startswith(f"{said} "):
            head = said
        if not head:
            return []
        members = [
            e
            for e in self._films_by_first_word.get(head.split()[0], [])
            if e.popularity > 0 and f"{bare_title(e.name)} ".startswith(f"{head} ") and not _COMPILATION.search(e.name)
        ]
        if len(members) < 2:
            return []
        credits = credits_of(self.store, sorted({e.node_id for e in members} | {film.node_id}))
        shared = {i for person in credits if film.node_id in person["items"] for i in person["items"]}
        series = [e for e in members if e.node_id in shared or e.node_id == film.node_id]
        return sorted(series, key=lambda e: (e.year is None, e.year or 0))

    def _by_credits(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """Of films of one title, the one most of the people named in the same part of the message (else in all of it,
        unless its part says which) made or played in comes first: "Murder on the Orient Express with Albert Finney"
        is the 1974 film (never "the original Halloween but the Rob Zombie remake")."""
        people = [c for c in found if c.entities[0].label == "Person" and c.confidence >= _ACCEPTED]
        namesakes = {id(c): _namesakes(c) for c in found}
        if not people or not any(namesakes.values()):
            return found
        ids = [p.entities[0].node_id for p in people]
        credited = credited_items(self.store, [e.node_id for n in namesakes.values() for e in n], ids)
        reordered = []
        for c in found:
            same = namesakes[id(c)]
            near = {p.entities[0].node_id for p in people if not PART_END.search(_between(text, c, p))}
            counts = {e.node_id: len(credited.get(e.node_id, set()) & near) for e in same}
            part = _part_around(text, c)
            if not any(counts.values()) and not (_OLDER.search(part) or _NEWER.search(part)):
                # "mrs doubtfire, jumanji, hook.. we love robin williams": anyone the message names, unless the
                # film's own part says which ("the original Halloween but the Rob Zombie remake")
                everyone = {p.entities[0].node_id for p in people}
                counts = {e.node_id: len(credited.get(e.node_id, set()) & everyone) for e in same}
            if any(counts.values()):
                first = sorted(same, key=lambda e: -counts[e.node_id])
                c = replace(c, entities=(*first, *(e for e in c.entities if e not in same)))
            reordered.append(c)
        return reordered

    def _credited(
        self, text: str, tokens: list[Token], unsure: list[Candidate], found: list[Candidate]
    ) -> list[Candidate]:
        """A name the rules did not take is a film when a person named right after it, "with" them, made or played
        in it ("my mom asked for ghost, the one w patrick swayze", "Hero with Jet Li"), or, right after a verb of
        watching or making or written as a name before "was" after a person, anyone the message names did ("we
        watched big w the kids ... any other tom hanks movies", "Melissa McCarthy? Spy was hilarious")."""
        people = {c.start: c for c in found if c.entities[0].label == "Person" and c.confidence >= _ACCEPTED}
        pairs = []
        for c in unsure:
            word = key(text[c.start : c.end])
            if word in _PRONOUN_TITLES:
                continue
            person = self._said_with(text, c, people)
            stopword = self.lexicon.is_stopword(word)
            if person is not None and (word in _SUBJECT_TITLES or not stopword):
                pairs.append((c, person.entities[0].node_id))  # "her? the joaquin phoenix one"
                continue
            if stopword:
                continue
            verb = [t.norm for t in tokens if t.end <= c.start][-1:]
            following = [t.norm for t in tokens if t.start >= c.end][:1]
            # "Something with Melissa McCarthy? Spy was hilarious": a title written as one, said of, after the person
            told = text[c.start].isupper() and following and following[0] in _SUBJECT_VERBS
            told = told and any(p.end <= c.start for p in people.values())
            if (verb and verb[0] in _WATCH_VERBS | _MADE_VERBS) or told:
                pairs.extend((c, p.entities[0].node_id) for p in people.values())
        if not pairs:
            return []
        films = [e.node_id for c, _ in pairs for e in c.entities]
        credited = credited_items(self.store, films, [person for _, person in pairs])
        taken = []
        for c, person in pairs:
            theirs = [e for e in c.entities if person in credited.get(e.node_id, set())]
            if theirs:
                others = tuple(e for e in c.entities if e not in theirs)
                taken.append(replace(c, entities=(*theirs, *others), confidence=_RULES_CERTAIN))
        return taken

    @staticmethod
    def _said_with(text: str, film: Candidate, people: dict[int, Candidate]) -> Candidate | None:
        """The person named right after a film "with" them ("ghost, the one w patrick swayze", "drive? the one w ryan
        gosling") or as "the <person> one" ("her? the joaquin phoenix one"), if any."""
        said = _WITH_PERSON.match(text, film.end)
        if said is not None and said.end() in people:
            return people[said.end()]
        said = _THE_BEFORE_PERSON.match(text, film.end)
        person = people.get(said.end()) if said is not None else None
        return person if person is not None and _ONE_AFTER_PERSON.match(text, person.end) else None

    def _makers_named(self, tokens: list[Token], found: list[Candidate]) -> list[Candidate]:
        """Someone who made or played in films the message names, named by surname however typed: "scorcese is my fav
        director, seen goodfellas and taxi driver", "terminator 2 and aliens, cameron at his best", "pans labyrinth and
        shape of water ... does del toro have anything else", "anything by wong kar wai". An everyday word ("wilder")
        or a name of one of those films' credits only must be that person's for two of them."""
        films = {c.entities[0].node_id for c in found if c.entities[0].label == "Item" and c.confidence >= _ACCEPTED}
        if not films:
            return []
        taken_ids = {e.node_id for c in found for e in c.entities[:1]}
        covered = {i for c in found for i, t in enumerate(tokens) if c.start <= t.start < c.end}
        covered |= _place_ends(tokens)
        best: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {}
        for person in credits_of(self.store, sorted(films)):
            words = key(person["name"]).split()
            if len(words) < 2 or person["id"] in taken_ids:
                continue
            many = len(person["items"]) >= 2
            names = {(words[-1],)} | ({tuple(words[-2:])} if words[-2] in _SURNAME_PARTICLES else set())
            for first in range(len(tokens)):
                for name in names | {tuple(words)}:
                    last = first + len(name)
                    if last > len(tokens) or covered & set(range(first, last)):
                        continue
                    typed = tuple(t.norm for t in tokens[first:last])
                    if not self._names(typed, name, many):
                        continue
                    if (first, last) not in best or len(person["items"]) > best[(first, last)][0]:
                        best[(first, last)] = (len(person["items"]), person)
        return [
            Candidate(
                tokens[first].start,
                tokens[last - 1].end,
                (GroundedEntity("Person", person["id"], person["name"], 0.85),),
                0.85,
            )
            for (first, last), (_, person) in sorted(best.items())
        ]

    def _names(self, typed: tuple[str, ...], name: tuple[str, ...], many: bool) -> bool:
        """Whether words as typed name a person whose name (or surname) is `name`: the same words in any order ("wong
        kar wai"), or one word with one typo ("scorcese"); an everyday word only for someone of `many` films."""
        if len(typed) > 1:
            return sorted(typed) == sorted(name)
        word, surname = typed[0], name[0]
        if len(word) < 4 or word in _FUNCTION_WORDS or self.lexicon.is_stopword(word):
            return False
        if word == surname:
            return many or not self.lexicon.is_common(word)
        typo = min(len(word), len(surname)) >= 5 and not is_english(word) and not self.lexicon.is_common(word)
        return typo and DamerauLevenshtein.distance(word, surname, score_cutoff=1) <= 1

    def _franchise_parts(self, tokens: list[Token], found: list[Candidate]) -> list[Candidate]:
        """A film named by the everyday word after its franchise's name, beside a film of that franchise: "the first
        alien was so much better than covenant" (Alien: Covenant); or by the word its title adds to the film named,
        made by someone of that film: "the first matrix but reloaded was terrible" (never "home alone again")."""
        named = {c.entities[0].node_id: c.entities[0].name for c in found if c.entities[0].label == "Item"}
        heads = {_head(name) for name in named.values()} | {_series_head(name) for name in named.values()}
        firsts = {bare_title(name).rsplit(" ", 1)[0]: node_id for node_id, name in named.items()}
        firsts |= {bare_title(name): node_id for node_id, name in named.items()}
        firsts |= {
            series: node_id for node_id, name in named.items() if (series := series_after_opening(bare_title(name)))
        }
        taken = []
        for n, token in enumerate(tokens):
            if any(c.start <= token.start < c.end for c in found):
                continue
            if n + 1 < len(tokens) and tokens[n + 1].norm in {"of", "for"}:
                continue  # "the dawn of a new era": a phrase, no Dawn of the Planet of the Apes
            films = [self.lexicon.entries[i] for i in self.lexicon.franchise_parts.get(token.norm, ())]
            films = [e for e in films if _head(e.name) in heads or self._made_alike(e, firsts)]
            if films:
                best = max(films, key=lambda e: e.prior)
                taken.append(Candidate(token.start, token.end, (_grounded(best, 0.9),), _RULES_CERTAIN))
        return taken

    def _made_alike(self, film: Entry, firsts: dict[str, str]) -> bool:
        """Whether `film`'s title adds one word to that of a film named (`firsts`: title keys, also those of the films
        named cut by their last word, to their node ids), and someone made or played in both."""
        title = bare_title(film.name)
        other = firsts.get(title.rsplit(" ", 1)[0]) or firsts.get(series_after_opening(title) or "-")
        if other is None or other == film.node_id:
            return False
        return any(
            film.node_id in person["items"]
            for person in credits_of(self.store, sorted({film.node_id, other}))
            if other in person["items"]
        )

    def _makers(self, found: list[Candidate]) -> list[Candidate]:
        """A name of a film and of a person is the person when other films the message names are theirs: "love
        hitchcock, seen psycho and vertigo" (not the film "Hitchcock")."""
        films = {c.entities[0].node_id for c in found if c.entities[0].label == "Item" and c.confidence >= _ACCEPTED}
        both = [c for c in found if c.entities[0].label == "Item" and any(e.label == "Person" for e in c.entities)]
        if not both or len(films) < 2:
            return found
        people = [e.node_id for c in both for e in c.entities if e.label == "Person"]
        credited = credited_items(self.store, sorted(films), people)
        reordered = []
        for c in found:
            makers = set().union(*(credited.get(f, set()) for f in films - {c.entities[0].node_id}))
            if c in both and any(e.label == "Person" and e.node_id in makers for e in c.entities):
                ranked = sorted(c.entities, key=lambda e: not (e.label == "Person" and e.node_id in makers))
                c = replace(c, entities=tuple(ranked))
            reordered.append(c)
        return reordered

    def _inside_rejected(self, tokens: list[Token], rejected: SpanMatch, pending: list[SpanMatch]) -> list[SpanMatch]:
        """The names the longest match hid, that start inside a rejected one and cross no match still to judge:
        shorter ones from its first word ("a scary movie": the genre), then any from a later word ("a civil war
        movie": a war movie)."""
        if rejected.last - rejected.first < 2:
            return []

        def found(first: int, last: int) -> list[SpanMatch]:
            matches = self.lexicon.find(tokens[first:last])
            return [replace(m, first=m.first + first, last=m.last + first) for m in matches]

        inner = found(rejected.first, rejected.last - 1)
        start = max((m.last for m in inner), default=rejected.first + 1)
        end = min((m.first for m in pending), default=len(tokens))
        return inner + [m for m in found(start, end) if m.first < rejected.last]

    def _a_kind(self, word: str) -> bool:
        """Whether `word` or its plural names a genre or a tag ("zombie": zombies)."""
        found = (i for w in (word, f"{word}s") for i in self.lexicon.lookup(w)[0])
        return any(self.lexicon.entries[i].label in {"Genre", "Tag"} for i in found)

    def _talked_about(self, entries: list[Entry]) -> bool:
        """Whether one of `entries` is popular enough to be read from everyday words (any, in a catalog without
        ratings or conversations yet)."""
        return not self.lexicon.has_usage or max(e.prior for e in entries) >= MIN_EVERYDAY_PRIOR

    def _names_on_its_own(self, tokens: list[Token], match: SpanMatch) -> bool:
        """A match that is a name whatever stands around it: with its year, or with a word no dictionary has."""
        return match.with_year or any(not self.lexicon.is_common(t.norm) for t in tokens[match.first : match.last])

    @staticmethod
    def _surname_confidence(
        word: str, common: bool, capitalised: bool, before: frozenset[str], adjacent: str, after: str, cued: bool
    ) -> float:
        """A person named by their surname alone: a surname that is also an everyday word ("king", "story") needs
        a word that introduces their work right before it ("by", "with", "starring") or, capitalised, "fan" after it
        ("a Murray fan"); one the vocabulary holds as a name, no English word ("spielberg", "nolan"), any word that
        introduces their work (`cued`: "any spielberg films?", "an old Hitchcock film"); any other is near certain
        capitalised, and otherwise stronger when introduced. Never "with car chases", "with big battles"."""
        introduced = bool(before & _PERSON_CUES_BEFORE) or cued or after in _ROLE_VERBS_AFTER  # "did nolan direct"
        plural = word.endswith("s") and word[:-1] in gcide()  # "battles", "chases": a plural, no name
        if common and introduced and word not in gcide() and not plural:
            return 0.6
        if common:  # "with chase", "a Murray fan"; never "more story" or "from England"
            return 0.6 if adjacent in _ROLE_CUES_BEFORE or (capitalised and after == "fan") else 0.0
        return 0.85 if capitalised else 0.6 if introduced or before & _STRONG_CUES_BEFORE else 0.5

    def _typo_matches(self, tokens: list[Token], matches: list[SpanMatch]) -> list[SpanMatch]:
        """`matches` with names that have one typo in one word ("the matirx", "jim carey"): for each word of 4+
        letters that is not everyday English as it is, or that only a single-word or shortened name covers, the
        name words one edit away are tried in its place, best first; a correction counts when it completes a name
        over that word that is longer than what covered it (and it replaces the matches inside it)."""
        owner = {i: m for m in matches for i in range(m.first, m.last)}
        for i, token in enumerate(tokens):
            current = owner.get(i)
            obscure = current is not None and not self._talked_about([self.lexicon.entries[j] for j in current.entries])
            # "the dark night" may still be The Dark Knight ("Dark Night (2016)" is little known); a name of several
            # words people know gives way only to one two words longer ("what we do in the shadow")
            settled = current is not None and current.last - current.first > 1 and not (current.derived or obscure)
            everyday = self.lexicon.is_common(token.norm)
            # a function word is as typed: "is there something funny" holds no "There's Something (About Mary)"
            typed = len(token.norm) >= MIN_TYPO_WORD and token.norm not in _FUNCTION_WORDS
            # as typed ("schindlrs list"), and a possessive as its name's ("schwarzeneger's" is "schwarzenegger")
            corrections = []
            if typed:
                corrections = [replace(token, norm=c) for c in self.lexicon.corrections(token.norm)[:MAX_CORRECTIONS]]
            # "tarrantinos best", "shamalans other movies": a possessive typed without its apostrophe
            unmarked = token.norm.endswith("s") and len(token.norm) > MIN_ONE_WORD_TYPO
            unmarked = unmarked and not (everyday or token.capitalised)
            if typed and (token.possessive or unmarked):
                names = self.lexicon.corrections(token.norm[:-1])[:MAX_CORRECTIONS]
                corrections += [replace(token, norm=c, possessive=False) for c in names]
            if everyday:  # only into a word of a name, with its neighbour ("jim carey"), never "the whole" → "the hole"
                corrections = [c for c in corrections if self._continues_a_name(tokens, i, c.norm)]
            best: SpanMatch | None = None
            best_prior = 0.0
            for said in corrections:
                correction = said.norm
                first, last = max(0, i - TYPO_WINDOW), min(len(tokens), i + TYPO_WINDOW + 1)
                window = [said if j == i else t for j, t in enumerate(tokens[first:last], first)]
                for m in self.lexicon.find(window):
                    if m.key in self.lexicon.sibling_keys:
                        continue  # "Warner Bros" is no "garner bros"
                    hit = replace(m, first=m.first + first, last=m.last + first, typo=True)
                    size, prior = hit.last - hit.first, self._best_prior(hit)
                    longer = best is None or (size, prior) > (best.last - best.first, best_prior)
                    # An everyday word becomes another one only inside a name of 3+ words ("the dark night") or
                    # written as a name ("Wal Street", "Tor: Ragnarok"), never "the whole" → "the hole".
                    # ... and never over a genre: "the kind of comedy" is no King of Comedy
                    genre = any(self._is_genre(owner.get(j)) for j in range(hit.first, hit.last))
                    plausible = (size >= 3 and not genre) or not (everyday and self.lexicon.is_common(correction))
                    people = all(self.lexicon.entries[j].label == "Person" for j in hit.entries)  # "brad pit"
                    others = [tokens[j].norm for j in range(hit.first, hit.last) if j != i]
                    if everyday and size < 3 and all(o in _FUNCTION_WORDS for o in others):
                        continue  # "the big shootout" holds no "The BFG"
                    plausible = plausible or (size >= 2 and (token.capitalised or people))
                    # "citizen cane", "wonder women": a famous title of two words, the other one typed as it is
                    famous = size == 2 and prior >= MIN_FAMOUS_TYPO_PRIOR and not people
                    plain = any(self.lexicon.is_stopword(w) for w in [token.norm, *others])  # never "scary movie"
                    plausible = plausible or (famous and not plain)
                    if settled and current is not None and size < current.last - current.first + 2:
                        continue
                    if hit.first <= i < hit.last and longer and plausible and self._replaces(hit, owner, current):
                        best, best_prior = hit, prior  # the longest; among equals, the most popular
            # "tarantino and scorcese"; "kubrik" (a message of that name alone)
            alone = all(j == i or t.norm in _BARE_FILLERS for j, t in enumerate(tokens))
            beside = {label for label in ("Person", "Item") if self._listed_beside(tokens, i, owner, label)}
            if alone:
                beside.add("Person")
            one_word = best is not None and best.last - best.first < 2
            if best is not None and (not one_word or self._one_word_typo(tokens, i, best, beside, owner)):
                inside = {owner[j] for j in range(best.first, best.last) if j in owner}
                matches = [m for m in matches if m not in inside] + [best]
                owner.update(dict.fromkeys(range(best.first, best.last), best))
        return matches

    @staticmethod
    def _named_here(tokens: list[Token], i: int) -> bool:
        """Token `i` is written as a name or stands right after a verb of watching or liking."""
        return tokens[i].capitalised or (i > 0 and tokens[i - 1].norm in _STRONG_CUES_BEFORE)

    def _article_dropped(self, match: SpanMatch) -> bool:
        """Whether a match is a title typed without its leading article ("lobster" of The Lobster)."""
        return bool(set(self.lexicon.keys.get(f"the {match.key}", ())) & set(match.entries))

    def _is_genre(self, match: SpanMatch | None) -> bool:
        return match is not None and all(self.lexicon.entries[j].label == "Genre" for j in match.entries)

    def _best_prior(self, match: SpanMatch) -> float:
        """The popularity prior of the most popular entry a match names ("Stiler": Ben Stiller before Julia Stiles)."""
        return max(self.lexicon.entries[j].prior for j in match.entries)

    def _listed_beside(self, tokens: list[Token], i: int, owner: dict[int, SpanMatch], label: str) -> bool:
        """Whether token `i` is listed right beside a name of `label` ("tarantino and scorcese", "die hard or
        termnator")."""
        neighbours = []
        for step in (-1, 1):
            j = i + step
            if 0 <= j < len(tokens) and tokens[j].norm in {"and", "or"}:
                j += step
            neighbours.append(owner.get(j))
        return any(m is not None and any(self.lexicon.entries[k].label == label for k in m.entries) for m in neighbours)

    def _one_word_typo(
        self, tokens: list[Token], i: int, hit: SpanMatch, beside: set[str], owner: dict[int, SpanMatch]
    ) -> bool:
        """A word is corrected into a one-word name only when written as a name (a genre in any case: "a comdey"; a
        surname after "by", "with", "more" or listed beside a person: "by hitchcok", "tarantino and scorcese"; a
        title listed beside a film: "die hard or termnator"), long enough, not everyday English, and naming something
        people talk about ("I loved Titanc", "Arival is sci fi"); a long word no dictionary has is the surname of
        someone well known in any case ("spielburg is my fav director"); a title of a film made by someone the
        message names ("fincher never misses, zodaic is my favorite"); never "haha" or, in lower case, "gorry"
        (Gordy) or "snitched" (Snatched)."""
        token = tokens[i]
        entries = [self.lexicon.entries[j] for j in hit.entries]
        people = [e for e in entries if e.label == "Person"]
        # "Cruie", "Schumre": a surname is shorter than a title; it names someone with a few films; "by hitchcok"
        fan = hit.last < len(tokens) and tokens[hit.last].norm in _FAN_WORDS  # "hitchcok fan here"
        cued = bool(people) and (self._person_cued(tokens, hit) or "Person" in beside or fan)
        surname = cued or (bool(people) and all(e.label in {"Person", "Tag"} for e in entries))  # "Tarantino" a tag too
        # "a comdey", "thriler movies": the genres are a few words everyone types, in any case
        genre = all(e.label == "Genre" for e in entries)
        long_enough = len(token.norm) >= MIN_ONE_WORD_TYPO - (surname or genre)
        if genre:
            known = True
        elif surname:
            known = max(e.prior for e in people) >= MIN_TYPO_SURNAME_PRIOR
        else:
            known = self._talked_about(entries)
        # "There's", "Heres"; a genre's plural is no contraction ("comedys")
        contraction = not genre and token.norm.endswith("s") and self.lexicon.is_common(token.norm[:-1])
        everyday = self.lexicon.is_common(token.norm) or contraction
        # "loved shawshenk", "watched hereditery": a long word no dictionary has, where a title stands
        watched = i > 0 and tokens[i - 1].norm in _STRONG_CUES_BEFORE and len(token.norm) >= MIN_NAMED_WORD + 1
        listed = "Item" in beside and not surname  # "pulp fiction goodfelas and the departed"
        # "villenueve is the best", "speilbergs older stuff": no word of English, someone people name by surname
        famous = (
            surname
            and not any(e.label == "Item" for e in entries)
            and len(token.norm) >= MIN_ONE_WORD_TYPO
            and not is_english(token.norm)
            and max(e.prior for e in people) >= MIN_LONE_TYPO_SURNAME_PRIOR
        )
        written = token.capitalised or genre or cued or watched or listed or famous
        if not (long_enough and known and not everyday):
            return False
        return written or (not people and self._made_by_someone_named(hit, owner))

    def _made_by_someone_named(self, hit: SpanMatch, owner: dict[int, SpanMatch]) -> bool:
        """Whether a film `hit` names was made or played in by a person the message names."""
        entries = self.lexicon.entries
        people = sorted({entries[j].node_id for m in owner.values() for j in m.entries if entries[j].label == "Person"})
        films = [entries[j].node_id for j in hit.entries if entries[j].label == "Item"]
        return bool(people and films and credited_items(self.store, films, people))

    def _continues_a_name(self, tokens: list[Token], i: int, word: str) -> bool:
        """Whether `word` in place of token `i` makes two words of a name with the token before or after ("jim
        carey", "silence of the lamb")."""
        pairs = self.lexicon.pairs
        before = i > 0 and f"{tokens[i - 1].norm} {word}" in pairs
        return before or (i + 1 < len(tokens) and f"{word} {tokens[i + 1].norm}" in pairs)

    @staticmethod
    def _replaces(hit: SpanMatch, owner: dict[int, SpanMatch], current: SpanMatch | None) -> bool:
        """A corrected match may stand where only matches it wholly contains stood, and must be longer than the
        match it corrects."""
        for j in range(hit.first, hit.last):
            other = owner.get(j)
            if other is not None and not (hit.first <= other.first and other.last <= hit.last):
                return False
        return current is None or hit.last - hit.first > current.last - current.first

    def _from_match(
        self, text: str, tokens: list[Token], match: SpanMatch, listed: tuple[bool, bool, bool], message: _Message
    ) -> tuple[Candidate, bool]:
        """The candidate of a lexicon match, and whether it is taken for a mention (scored by the learned linker
        when it names a title the rules are unsure of, else by the rules)."""
        span = tokens[match.first : match.last]
        if match.last - match.first == 1 and any(self.lexicon.entries[i].label == "Genre" for i in match.entries):
            match = replace(match, entries=tuple(i for i in match.entries if self.lexicon.entries[i].label == "Genre"))
        labels = {self.lexicon.entries[i].label for i in match.entries}
        # "something with aliens", "nothing w aliens": an everyday word after what introduces a kind of film is the kind
        kind = "Tag" in labels and self._kind_said(tokens, match)
        if any(label != "Tag" for label in labels):  # a film, person or genre first
            keep = {"Tag"} if kind else labels - {"Tag"}
            match = replace(match, entries=tuple(i for i in match.entries if self.lexicon.entries[i].label in keep))
        if not match.derived and not any(self.lexicon.is_full_name(match.key, i) for i in match.entries):
            match = replace(match, derived=True)  # the full name was a tag's ("Tarantino"): a surname still
        people = tuple(i for i in match.entries if self.lexicon.entries[i].label == "Person")
        if (
            people
            and len(people) < len(match.entries)
            and (self._person_cued(tokens, match) or self._surname_alone(tokens, match, people))
        ):
            match = replace(match, entries=people, derived=True)  # "anything by hitchcock": not Hitchcock (2012)
        entries = [self.lexicon.entries[i] for i in match.entries]  # "romance" is the genre, not Romance (1920)
        around = self._surroundings(text, tokens, match, listed, message)
        confidence = self._confidence(match, entries, around)
        taken = confidence > 0
        features = None
        labels = {e.label for e in entries}  # never "Kevin Hart", a person and a film: the rules decide that
        title = labels == {"Item"} and 0 <= confidence < _RULES_CERTAIN
        surname = labels == {"Person"} and match.derived and 0 <= confidence < _RULES_CERTAIN  # "pitt", "hopkins"
        if title or surname:  # what the linker decides (and learns from)
            features = self._features(match, entries, around, max(confidence, 0.0), self.usage)
            if self.linker is not None:
                learned = self.linker.probability(features)
                # A surname the rules take stays taken: a small catalog's people have few films (a low prior) and
                # "more tarantino" is no less a name there; the linker adds the ones the rules refuse ("like hopkins").
                confidence = max(learned, confidence) if surname and confidence >= _ACCEPTED else learned
                taken = confidence >= _ACCEPTED
        # "the first jumanji", "jane eyre, the new one"; never "old film noir, The Maltese Falcon"
        before = PART_END.split(text[tokens[max(0, match.first - _NEAR_BEFORE)].start : span[0].start])[-1]
        after = text[span[-1].end : tokens[min(len(tokens), match.last + _NEAR_AFTER) - 1].end]
        said = _SAID_YEAR.match(after)
        year = int(said.group(1)) if said is not None else None
        ranked = self._rank_exact(list(match.entries), _era_cue(before, after), match.key, year)
        end = span[-1].end
        if match.with_year and text[end : end + 1] == ")":
            end += 1
        return Candidate(span[0].start, end, tuple(ranked), round(max(confidence, 0.0), 4), features), taken

    def _misspelt_everyday(self, word: str) -> bool:
        """Whether a word is one edit from an everyday dictionary word ("realy": "really"), not a name."""
        return any(self.lexicon.is_common(e) and e in gcide() for e in _one_edit(word) if len(e) >= MIN_TYPO_WORD)

    def _surname_alone(self, tokens: list[Token], match: SpanMatch, people: tuple[int, ...]) -> bool:
        """A message of one word, no everyday one, that is a film's title and the surname of someone more known than
        the film: "hitchcock" is Alfred Hitchcock, not Hitchcock (2012); "keanu" is Keanu Reeves."""
        if len(tokens) != 1 or match.key in gcide():
            return False
        entries = self.lexicon.entries
        films = [entries[i].prior for i in match.entries if entries[i].label == "Item"]
        return max(entries[i].prior for i in people) > max(films, default=1.0)

    def _person_cued(self, tokens: list[Token], match: SpanMatch) -> bool:
        """A name right after a word that introduces a person's work ("by", "with", "starring", "more"), or right
        before their films ("scorsese movies", "Hitchcock's films", "eastwood westerns")."""
        before = match.first > 0 and tokens[match.first - 1].norm in _PERSON_CUES_BEFORE
        following = tokens[match.last].norm if match.last < len(tokens) else ""
        # "a Hitchcock movie", "an old Hitchcock film" is one of his; "the Hitchcock movie" may be the film
        articles = {t.norm for t in tokens[max(0, match.first - 2) : match.first]}
        an = bool(articles & {"a", "an", "another"}) and following in _TITLE_CUES_AFTER | _FAN_WORDS  # "a nolan fan"
        the_one = match.first > 0 and tokens[match.first - 1].norm == "the" and following in {"one", "version"}
        genre = self.genre_named(following) is not None
        return before or following in _PERSON_CUES_AFTER or genre or an or the_one or tokens[match.last - 1].possessive

    @staticmethod
    def _features(
        match: SpanMatch, entries: list[Entry], around: _Surroundings, rule: float, usage: PlainUsage
    ) -> dict[str, float]:
        """What the learned linker reads of a title or surname match: the rules' verdict, how the words look
        (everyday, capitalised, how many, how often chat uses them as plain words), where they stand, how popular
        the films or people are, and the words around. A surname's features are named apart ("person:…"), so that
        one model holds both."""
        prior = max(e.prior for e in entries)
        count = len(around.words) or 1
        common = sum(around.common) / count
        capitalised = sum(around.capitalised) / count
        lower = float(not any(around.capitalised))
        one_word = float(count == 1)
        features = {
            "rule": rule,
            "with_year": float(match.with_year),
            "shortened": float(match.derived),
            "keyword": float(match.keyword),
            "typo": float(match.typo),
            "one_word": one_word,
            "two_words": float(count == 2),
            "letters": min(sum(len(w) for w in around.words), 30) / 30,
            "common_share": common,
            "all_common": float(common == 1),
            "capitalised_share": capitalised,
            "first_capitalised": float(bool(around.capitalised) and around.capitalised[0]),
            "lower_case_writer": float(around.message.lower_case_writer),
            "sentence_start": float(around.sentence_start),
            "whole_message": float(around.whole),
            "listed": float(around.listed),
            "leads": float(around.leads),
            "about_movies": float(around.message.about_movies),
            "prior": prior,
            "prior_all_common": prior * (common == 1),
            "prior_lower": prior * lower,
            "prior_one_word": prior * one_word,
            "lower_all_common": lower * (common == 1),
            "namesakes": math.log1p(len(entries) - 1),
            f"before:{around.adjacent or '^'}": 1.0,
            f"after:{around.after or '$'}": 1.0,
        }
        rate = usage.per_100k_words(match.key)
        # Counted in lower case, read unless written as a name: "The Help" is a title still, "Good morning" is not.
        as_name = all(around.capitalised) and not (around.sentence_start and count == 1)
        if rate is not None and not as_name:  # "bright", "click": often plain words in chat; "fargo": never
            plain = min(math.log1p(rate) / _PLAIN_SCALE, 1.0)
            cued = float(around.adjacent in _STRONG_CUES_BEFORE or around.after in _TITLE_CUES_AFTER)
            features |= {"plain": plain, "unused": float(rate == 0), "plain_one_word": plain * one_word}
            features |= {"plain_prior": plain * prior, "plain_cued": plain * cued, "plain_whole": plain * around.whole}
        features.update((f"near:{w}", 1.0) for w in around.before)
        if entries[0].label == "Person":
            return {"person": 1.0} | {f"person:{name}": value for name, value in features.items()}
        return features

    def _surroundings(
        self, text: str, tokens: list[Token], match: SpanMatch, listed: tuple[bool, bool, bool], message: _Message
    ) -> _Surroundings:
        """What stands in and around a lexicon match, as the rules and the learned linker read it."""
        span = tokens[match.first : match.last]
        words = [t for t in span if not is_year(t.norm)]
        sentence = max(
            (i + 1 for i in range(match.first) if _ENDS_SENTENCE.search(text[tokens[i].end : tokens[i + 1].start])),
            default=0,
        )
        # the word right after it, or joined to it by a hyphen ("family-friendly")
        follows = match.last < len(tokens) and not text[span[-1].end : tokens[match.last].start].strip(" -")
        outside = [(i, t) for i, t in enumerate(tokens) if not match.first <= i < match.last]
        rest = text[span[-1].end :].lstrip()
        adjacent = tokens[match.first - 1].norm if match.first > sentence else ""
        # "what should i watch next", "which scorsese should i see next": the verb's object is the question word
        asked = any(t.norm in {"what", "which"} for t in tokens[sentence : match.first - 1])
        if asked and adjacent in _STRONG_CUES_BEFORE and match.last - match.first == 1 and not follows:
            adjacent = ""
        return _Surroundings(
            words=tuple(t.norm for t in words),
            # a nickname is a name, whatever else the word means ("thought leo was amazing")
            common=tuple(self.lexicon.is_common(t.norm) and match.key not in self.lexicon.nicknames for t in words),
            capitalised=tuple(t.capitalised and not message.shouting for t in words),  # "I'M IN THE MOOD FOR …"
            sentence_start=match.first == 0 or text[: span[0].start].rstrip()[-1:] in {".", "!", "?", ""},
            before=frozenset(t.norm for t in tokens[max(sentence, match.first - 3) : match.first]),  # this sentence
            adjacent=adjacent,
            after=tokens[match.last].norm if follows else "",  # "alien movie", not "about life, movies like"
            after_capitalised=follows and tokens[match.last].capitalised,
            whole=all(t.norm in _BARE_FILLERS or i in message.named for i, t in outside),  # "jaws and alien"
            listed=listed[0],
            among_films=listed[1],
            among_people=listed[2],
            person_cued=self._person_cued(tokens, match),
            abbreviation=_DOTTED.fullmatch(text[span[0].start : span[-1].end].rstrip(".") + ".") is not None,
            leads=all(t.norm in _BARE_FILLERS | _INTERJECTIONS for t in tokens[: match.first]),
            ends_part=not rest or PART_END.match(rest) is not None,
            message=message,
        )

    def _confidence(self, match: SpanMatch, entries: list[Entry], around: _Surroundings) -> float:
        """How sure the rules are that a lexicon match is a mention. Titles written with their year are near
        certain; names made of everyday words must look like names (capitalised) or stand where a title stands: the
        whole message ("the godfather"), after a verb of watching or liking ("loved frozen"), in a list with another
        title ("jaws and alien"), before "movie"; a person's bare surname after "by", "with", "more" ("anything by
        nolan")."""
        labels = {e.label for e in entries}
        if labels == {"Genre"}:
            if around.words[:1] == ("action",) and around.adjacent == "live":
                return _NEVER  # "live action kids movies": filmed, not animated
            one_film = around.adjacent == "the" or (
                around.adjacent in _ERA_WORDS | {"og", "disney"} and "the" in around.before
            )
            if around.words == ("cartoon",) and one_film:
                return _NEVER  # "the og cartoon is way better", "the cartoon aladdin": one film, no kind asked for
            # "a family movie", "family comedies", "for the whole family"; never "a family favorite", "the whole
            # family loved it"
            if around.words != ("family",):
                return 0.9
            kind = around.after in _TAG_CUES_AFTER | {"friendly", "night"} or "for" in around.before
            kind = kind or ("whole" in around.before and around.after in _MODALS)  # "the whole family can watch"
            return 0.9 if kind or self.genre_named(around.after) is not None else _NEVER
        if labels == {"Tag"}:  # "time travel", "pixar"; an everyday word alone only as a kind of film
            kind = around.after in _TAG_CUES_AFTER or around.adjacent in _TAG_CUES_BEFORE  # "superhero movies"
            plain = len(around.words) == 1 and self.lexicon.is_common(around.words[0])
            judgment = _judgment(" ".join(around.words))
            return 0.0 if (plain and not kind) or not around.words or judgment else 0.85
        if not around.words:  # a year alone ("2012", "1917") is a film only where one is watched or named alone
            strongly = around.adjacent in _STRONG_CUES_BEFORE and labels == {"Item"}
            named = strongly or around.whole or around.listed  # "Dr. Strangelove, A Clockwork Orange, 2001"
            return 0.9 if named else _NEVER  # never "movies from 2016", "the 2016 one"
        if match.with_year:
            return 0.97
        texted = match.key in _TEXTED and not any(around.capitalised)
        if (match.key in _SAYINGS or texted) and labels == {"Item"} and not around.listed:
            return _NEVER  # "Good morning!", "rec me a thriller": a greeting, a word of a request
        common, capitalised, sentence_start = around.common, around.capitalised, around.sentence_start
        participle = len(around.words) == 1 and around.words[0].endswith(("en", "ed"))  # "has taken over the tv"
        negated_verb = (
            around.adjacent in _NEGATED_AUXILIARIES | _VERB_BEFORE
            or (around.adjacent in _PERFECT and participle)
            or (around.adjacent in {"not", "to"} and bool(around.before & _AUXILIARIES))
        )
        owned = around.adjacent in _POSSESSIVE_DETERMINERS  # "my brother is watching with me"
        if (negated_verb or owned) and labels == {"Item"} and all(common) and not any(capitalised):
            return _NEVER  # "it didn't click for me", "does not drive the plot": the verb, not the film
        before, after, whole = around.before, around.after, around.whole
        cued = bool(before & _TITLE_CUES_BEFORE) or after in _TITLE_CUES_AFTER or around.listed
        strongly_cued = around.adjacent in _STRONG_CUES_BEFORE or after in _TITLE_CUES_AFTER or around.listed
        person_cued = labels == {"Person"} and bool(before & _PERSON_CUES_BEFORE)
        cued = cued or person_cued
        scale = 0.95 if match.typo else 1.0
        unarticled = [w for w in around.words if w != "the"]
        demonym = len(unarticled) == 1 and unarticled[0] in _DEMONYMS
        if demonym and labels == {"Item"} and (match.derived or after in {"one", "version", "remake"}):
            return _NEVER  # "French or Italian", "the american one": a people or a language, no "The Italian"
        if len(around.words) == 1:
            word = around.words[0]
            if around.abbreviation and labels == {"Item"} and self._talked_about(entries):
                return scale * _RULES_CERTAIN  # "E.T."
            # "I haven't seen Fargo", "we loved Frozen", "I loved Up", "WALL-E and Up": written as a name, right where
            # a title stands
            listed = around.listed and not around.after_capitalised  # "WALL-E and Up", not "Wolfen and You Again"
            watched = (around.adjacent in _STRONG_CUES_BEFORE or listed) and not sentence_start
            # "I loved Hereditary"; a name that is no English word is the linker's to judge ("I like Liam")
            strong = around.adjacent in _STRONG_CUES_BEFORE and word in gcide() and word not in self.lexicon.stopwords
            strong = strong and len(word) >= MIN_NAMED_WORD  # never "LOVE TO WATCH"
            named = self._talked_about(entries) or strong
            if capitalised[0] and watched and labels == {"Item"} and not match.derived and named:
                return scale * 0.92  # before a short everyday word ("up", "her") is ruled out below
            # "hated hereditary, way too slow", "hated lobster": a lower-case writer's English word right after a verb
            # of watching or liking, ending its phrase, is a film of that title however few people rated it
            untitled = not match.derived or self._article_dropped(match)
            ends = around.ends_part or after in _PHRASE_ENDS
            lower = around.message.lower_case_writer and not sentence_start
            if lower and strong and ends and untitled and labels == {"Item"} and word not in _REQUEST_WORDS:
                return scale * 0.92
            # "Her was beautiful", "up made me cry", "the new It", "anything like up?": a pronoun or a particle where
            # a subject or a film stands is the film of that name
            if labels == {"Item"} and not match.derived and self._talked_about(entries):
                opens = sentence_start or around.leads or around.adjacent in _CLAUSE_OPENERS
                as_subject = word in _SUBJECT_TITLES | _PAST_FORM_TITLES and opens and after in _SUBJECT_VERBS
                after_era = word in _ERA_TITLES and around.adjacent in _ERA_WORDS and "the" in before
                compared = word in _PARTICLE_TITLES | _PAST_FORM_TITLES and around.adjacent in {"like", "than"}
                compared = compared and around.ends_part  # "anything like up?", "not like saw."
                if as_subject or after_era or compared:
                    return scale * _RULES_CERTAIN
            # "walle and up made me cry", "lost in translation and her", "up and inside out": an everyday word
            # listed among titles, standing alone in the list, is one too
            in_list = around.among_films and (after == "" or after in _LIST_GOES_ON)
            abbreviated = match.key in self.lexicon.abbreviations  # "raiders of the lost ark, et, close encounters"
            film = labels == {"Item"} and (abbreviated or not match.derived) and word not in _PRONOUN_TITLES
            if in_list and film and self._talked_about(entries):
                return scale * _RULES_CERTAIN
            # "Up.", "Her", "Up. Cried through the first ten minutes": the message's or a sentence's only word
            alone = whole or ((sentence_start or around.leads) and around.ends_part)
            if alone and word in _SUBJECT_TITLES | _ERA_TITLES and labels == {"Item"} and self._talked_about(entries):
                return scale * _RULES_CERTAIN
            if len(word) < 3 or word in _FUNCTION_WORDS or word in self.lexicon.stopwords:
                return _NEVER
            if around.adjacent == "from" and around.before & {"am", "im", "i'm", "are", "were"}:
                return _NEVER  # "I am from Brazil": a place, no Brazil (1985)
            if word in _CALENDAR and around.adjacent in _WHEN_WORDS:
                return _NEVER  # "something scary for friday", "her bday is sunday"
            plain = (self.usage.per_100k_words(word) or 0.0) >= PLAIN_IN_CHAT
            if plain and not capitalised[0] and around.message.capitalises_names and labels == {"Item"}:
                return _NEVER  # "I just finished Whiplash. What should I watch next?": who capitalises names
            if word in _TITLE_CUES_BEFORE | _PERSON_CUES_BEFORE and not whole:
                return _NEVER  # "loved jaws": the verb is not the film "Loved"
            if match.derived and labels == {"Person"}:
                known = max(e.prior for e in entries)  # the best known of those of that surname
                first_name = self.lexicon.first_name_prior.get(word, 0.0)
                typed = not capitalised[0] and around.adjacent not in _PERSON_CUES_BEFORE
                if match.typo and typed and self._misspelt_everyday(word):
                    return _NEVER  # "cary grant realy": "really" misspelt, not Michael Ealy
                uncued = not (capitalised[0] or person_cued or around.person_cued)
                dictionary_word = (
                    word in gcide()
                    and match.key not in self.lexicon.nicknames
                    and (known < MIN_DICTIONARY_SURNAME_PRIOR or around.message.capitalises_names)
                )
                if uncued and dictionary_word:
                    return _NEVER  # "a bunch of collage guys", "WALL-E is close": the word, not Bill Collage
                if (
                    not capitalised[0]
                    and known < MIN_LONE_TYPO_SURNAME_PRIOR
                    and first_name > FIRST_NAME_MARGIN * known
                ):
                    return _NEVER  # "big fan of edgar write": Edgar Wright's first name, not Justin Edgar's surname
                if (around.adjacent == "the" and after in {"one", "version"}) or (whole and not common[0]):
                    return scale * 0.6  # "halloween, the carpenter one"; "kubrik" alone
                if after in _PERSON_CUES_AFTER and (sentence_start or not capitalised[0]) and self._a_kind(word):
                    return _NEVER  # "zombie movies", "Zombie movies!": a kind of film, not Rob Zombie's
                unsure = known < MIN_LONE_TYPO_SURNAME_PRIOR or (sentence_start and capitalised[0])  # "Smart horror"
                if word in gcide() and unsure and self.genre_named(after) is not None:
                    return _NEVER  # "stoner comedies": a word before a genre tells its kind (no Sherri Stoner)
                if around.adjacent in {"a", "an", "the"} and common[0] and after not in _TITLE_CUES_AFTER | _FAN_WORDS:
                    return _NEVER  # "something with a story": a name takes no article
                return scale * self._surname_confidence(  # "tarantino and scorsese": listed beside another name
                    word,
                    common[0],
                    capitalised[0],
                    before,
                    around.adjacent,
                    after,
                    around.person_cued or around.among_people,
                )
            if common[0] and not capitalised[0] and around.adjacent in _EVERY and labels == {"Item"}:
                return _NEVER  # "every holiday": an everyday word after "every" names no film ("an inception guy" may)
            if match.derived and common[0] and not (whole or before & _WATCH_VERBS):
                return 0.0  # "a big fan" is not The Fan; "i loved matrix" is The Matrix
            # A lone everyday word is a title only for a film people talk about ("frozen", not "Fun (1994)").
            known = self._talked_about(entries) or not common[0]
            if capitalised[0] and labels == {"Item"} and known and watched:
                return scale * 0.92
            if capitalised[0]:
                if common[0]:
                    if not known or (sentence_start and not (whole or cued or around.message.about_movies)):
                        return 0.0
                    return scale * 0.7
                return scale * (0.6 if sentence_start and not whole else 0.85)
            if whole and known:
                return scale * 0.75
            if strongly_cued and known:
                return scale * 0.6
            return scale * (0.5 if not common[0] and len(word) >= 6 else 0.0)
        # "What's your opinion on Gone with the Wind?": a known title written as one (every word of note capitalised)
        # inside a sentence is one, whatever else its words mean
        content = [c for w, c in zip(around.words, capitalised, strict=True) if w not in _FUNCTION_WORDS]
        written = capitalised[0] and len(content) > 1 and all(content) and not (sentence_start or match.typo)
        written = written and not match.derived  # never "World War" (I) for World War Z
        if written and labels == {"Item"} and self._talked_about(entries):
            return scale * _RULES_CERTAIN
        if all(common):
            title_case = all(capitalised[1:]) and (capitalised[0] or sentence_start)
            known = self._talked_about(entries)
            if all(w in self.lexicon.stopwords or w in _REQUEST_WORDS for w in around.words):  # "get out"
                if not known:
                    return _NEVER  # "anything else?" asks for more, it is no obscure "Anything Else (2003)"
                return scale * 0.55 if whole or around.adjacent in _WATCH_VERBS else 0.0
            kind = after in _TITLE_CUES_AFTER | _SERIES_CUES_AFTER  # "a star wars movie"
            if around.adjacent in {"a", "an"} and not (title_case or kind) and labels == {"Item"}:
                return _NEVER  # "something for a dark night": everyday words after "a" name no film
            if whole and known:
                return scale * 0.8
            # "I watched the help", "have you seen the notebook", "the help movie was great", "all the Harry Potter
            # movies", "a Lord of the Rings marathon": what else is watched
            named_as_film = (
                around.adjacent in _SEEN_VERBS
                or (around.leads and after in {"movie", "film"})
                # "all the harry potter movies": a series; never "date night movies"
                or (after in _SERIES_CUES_AFTER and (title_case or match.key in self.lexicon.series))
            )
            if named_as_film and known and labels == {"Item"}:
                return scale * 0.92
            if title_case or labels != {"Item"}:
                return scale * (0.8 if title_case else 0.55)
            # Everyday words in lower case ("thanks for the help", "date night") are a title only where the
            # sentence talks about one: "loved the matrix", "seen it and the notebook", "old school movies", "what
            # about upstream color", "taxi driver is another good one" (names of people are typed in lower case
            # too often to ask that of them).
            talked_about = bool(before & _MULTI_CUES_BEFORE) or (
                after in _MULTI_CUES_AFTER and (sentence_start or around.leads)
            )
            return scale * (0.55 if (cued or talked_about) and known else 0.45)
        return scale * 0.9

    def _fuzzy_spans(self, text: str, tokens: list[Token], covered: list[bool]) -> list[Candidate]:
        """Full-text lookups around words the lexicon does not know (typos: "Forest Gump", "horroe"); never around
        the title of a film few know, which was judged as such, nor with a function word beside a name as a word of it
        ("for a sleepover" is no Sleepover, no Sleeper)."""
        triggers = [
            i
            for i, t in enumerate(tokens)
            if not covered[i]
            and len(t.norm) >= 4
            and t.norm.isalpha()
            and not self.lexicon.is_common(t.norm)
            and not self._obscure_title(t.norm)
        ]
        found: list[Candidate] = []
        used = list(covered)
        for i in triggers[:MAX_FUZZY_LOOKUPS]:
            if used[i]:
                continue
            first, last = max(0, i - FUZZY_BEFORE), min(len(tokens), i + 3)
            while used[first]:
                first += 1
            while used[last - 1]:
                last -= 1
            window = tokens[first:last]
            # the words of note around it: "momento was so confusing" asks for Memento, not "Faraway, So Close"
            words_of_note = [
                t.norm for j, t in enumerate(window, first) if not (used[j] or self.lexicon.is_stopword(t.norm))
            ] or [tokens[i].norm]  # the words of a name found beside it ask for that name again
            rows = fulltext_candidates(self.store, " ".join(words_of_note), limit=10)
            best: tuple[float, int, int, dict] | None = None
            for row in rows:
                if row["label"] == "Tag" and _judgment(key(row["name"])):
                    continue
                known = self._talked_about([self._entry(row["id"]) or _NO_ENTRY])
                for name_key in _name_keys(row["name"], row["label"]):
                    size = len(name_key.split())
                    # a title of everyday words is one only when people talk about it or it is named where a title
                    # stands, typed whole: "such a beatiful film" holds no Beautiful, "she's turning 70" no The Turning
                    bare = ARTICLE.sub("", name_key).split()
                    plain = row["label"] == "Item" and all(is_english(w) for w in bare)
                    for n in {size - 1, size, size + 1}:
                        for a in range(max(first, i - n + 1), min(i, last - n) + 1):
                            if n < 1 or (plain and not ((known or self._named_here(tokens, a)) and n == len(bare))):
                                continue
                            if n > size and {tokens[a].norm, tokens[a + n - 1].norm} & _FUNCTION_WORDS:
                                continue
                            words = " ".join(t.norm for t in tokens[a : a + n])
                            # "gory" is a word, not "Gordy" misspelt; "r my faves" no "Faces (1968)"; "i loved capotte"
                            if n == 1 and (is_english(words) or not (known or self._named_here(tokens, a))):
                                continue
                            ratio = fuzz.ratio(words, name_key) / 100
                            if ratio >= 0.85 or (ratio >= 0.8 and size == 1 and len(name_key) >= 5):
                                score = ratio + 0.01 * (self._entry(row["id"]) or _NO_ENTRY).prior
                                if best is None or score > best[0]:
                                    best = (score, a, a + n, row)
            if best is None:
                continue
            score, a, b, row = best
            if any(used[a:b]):
                continue
            used[a:b] = [True] * (b - a)
            entity = GroundedEntity(row["label"], row["id"], row["name"], round(score, 4))
            found.append(Candidate(tokens[a].start, tokens[b - 1].end, (entity,), round(min(score, 1.0) * 0.85, 4)))
        return found

    def _obscure_title(self, word: str) -> bool:
        """Whether `word` names films only, none of them one people talk about (judged as such: no typo of another)."""
        entries = [self.lexicon.entries[i] for i in self.lexicon.lookup(word)[0]]
        return bool(entries) and all(e.label == "Item" for e in entries) and not self._talked_about(entries)

    def _kind_said(self, tokens: list[Token], match: SpanMatch) -> bool:
        """Whether a match is everyday words in lower case right after a word that introduces a kind of film ("with",
        "about", "w") or listed after a word that names one ("magic n wizards")."""
        if match.first == 0 or not self._plain_words(tokens[match.first : match.last]):
            return False
        before = tokens[match.first - 1].norm
        if before in {"and", "or"} and match.first >= 2:
            kinds = self.lexicon.lookup(tokens[match.first - 2].norm)[0]
            return any(self.lexicon.entries[i].label == "Tag" for i in kinds)
        return before in _TAG_CUES_BEFORE

    def _entry(self, node_id: str) -> Entry | None:
        return self._by_id.get(node_id)


_FUNCTION_WORDS_TEXT = """a an the and or but of to in on at for with from by as is it its this that i me my you
    your he she
    him her we us they them be was were are am do did not no so up out all one what who why how when where there here"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
_TITLE_CUES_TEXT = """seen saw watched watch watching see love loved loves like liked enjoyed enjoy hated hate and or
    recommend try adore adored than stand"""
_TITLE_CUES_BEFORE = frozenset(_TITLE_CUES_TEXT.split())
_STRONG_CUES_BEFORE = _TITLE_CUES_BEFORE - {"and", "or"}  # what a lone everyday word needs to be a title
_MULTI_CUES_TEXT = "about is was thought think hear heard favorite favourite favorites suggest check than"
_MULTI_CUES_BEFORE = _TITLE_CUES_BEFORE | frozenset(_MULTI_CUES_TEXT.split())
_MULTI_CUES_AFTER = frozenset({"is", "was", "has", "had", "sounds", "looks"})  # "baby driver is good"
_ENDS_SENTENCE = re.compile(r"[.!?;]")
_WATCH_VERBS_TEXT = "seen saw watched watch watching loved hated enjoyed liked love"
_WATCH_VERBS = frozenset(_WATCH_VERBS_TEXT.split())
_MADE_VERBS = frozenset({"did", "made", "directed", "wrote"})  # "luc besson also did leon"
_SEEN_VERBS = frozenset({"seen", "saw", "watched", "watch", "watching", "rewatched"})
_ROLE_CUES_BEFORE = frozenset({"by", "with", "w", "starring", "director", "actor", "actress"})
_REQUEST_WORDS = frozenset({"anything", "something", "else", "other", "another", "nothing", "everything"})
# Everyday sayings and texted words that are also titles: never the film.
_SAYINGS = frozenset({"good morning", "good night", "good evening", "good afternoon"})
_TEXTED = frozenset({"rec", "recs"})  # "pls rec a thriller" (in lower case; "[REC]" is the film)
_FAN_WORDS = frozenset({"fan", "person", "guy", "girl"})  # "not really a spielberg person": who likes their work
_POSSESSIVE_DETERMINERS = frozenset({"my", "your", "his", "our", "their", "ur"})
# What a verb follows ("need to speed this up", "wanna shine at trivia", "my bro has taken over the tv", "im frozen")
_AUXILIARIES = frozenset(
    {"do", "does", "did", "will", "would", "can", "could", "should", "might", "need", "want", "going", "trying"}
)
_VERB_BEFORE = frozenset({"wanna", "gonna", "gotta", "im", "am", "let's", "lets"})
_PERFECT = frozenset({"has", "have", "had", "i've", "ive", "we've", "you've", "they've"})
_NEGATED_AUXILIARIES = frozenset({"dont", "doesnt", "didnt", "wont", "wouldnt", "cant", "couldnt", "shouldnt"})
_INTERJECTIONS = frozenset({"oh", "ohh", "ah", "yes", "yeah", "no", "nah", "hmm", "well", "ok", "okay", "wow", "lol"})
_PERSON_CUES_BEFORE = frozenset({"by", "with", "w", "starring", "more", "director", "actor", "actress", "from"})
_ROLE_VERBS_AFTER = frozenset({"direct", "directed", "directs", "wrote", "write", "star", "starred", "stars", "act"})
_PERSON_CUES_AFTER = frozenset({"movies", "films", "flicks"})  # "scorsese movies" (a film would be "the X movie")
# Words a message may hold besides a bare title and still be just that title ("the godfather", "what about jaws?").
_BARE_FILLERS_TEXT = "what about how and or nor maybe hmm ok okay oh um well also movie film please lol"
_BARE_FILLERS = frozenset(_BARE_FILLERS_TEXT.split())
_TITLE_CUES_AFTER = frozenset({"movie", "movies", "film", "films", "series", "franchise", "trilogy", "sequel"})
_SERIES_CUES_AFTER = frozenset({"movies", "films", "series", "franchise", "trilogy", "saga", "sequels", "marathon"})
# An everyday word is a tag only where it names a kind of film: "superhero movies", "something about zombies".
_TAG_CUES_AFTER = _TITLE_CUES_AFTER | {"flick", "flicks", "stuff", "ones", "story", "stories"}
_TAG_CUES_BEFORE = frozenset({"about", "abt", "with", "w", "involving", "featuring"})
# What may follow a title that ends a list: "walle and up made me cry", "jaws and her were great" (not "her acting")
_LIST_GOES_ON = frozenset({"and", "or", "made", "make", "makes", "is", "was", "are", "were", "both", "too", "also"})
_AFTER_FILM = r"\s*[,?.!:-]?\s*"  # what may stand between a film and the person said of it
_WITH_PERSON = re.compile(_AFTER_FILM + r"(?:the (?:one|version|movie|film) )?(?:with|w|starring)\s+", re.IGNORECASE)
_THE_BEFORE_PERSON = re.compile(_AFTER_FILM + r"the\s+", re.IGNORECASE)
_ONE_AFTER_PERSON = re.compile(r"\s+(?:one|version|movie|film)\b", re.IGNORECASE)
_SURNAME_PARTICLES = frozenset({"del", "de", "di", "da", "van", "von", "der", "le", "la", "du"})
_CALENDAR_TEXT = "monday tuesday wednesday thursday friday saturday sunday weekend tonight tomorrow christmas halloween"
_CALENDAR = frozenset(_CALENDAR_TEXT.split())
_WHEN_WORDS = frozenset({"for", "on", "this", "next", "last", "by", "until", "till", "every", "since", "is", "over"})
_PRONOUN_TITLES = frozenset({"it", "this", "that", "them", "me", "you", "we", "they", "he", "she"})  # "jaws and it was"
_SUBJECT_TITLES = frozenset({"her", "him", "us", "them", "up"})  # no subject of a sentence but as a title: "Her was"
# ... nor a verb's past form: "saw was way too much", "but split was great"
_OTHER_NUMBER = re.compile(r"\s*(?:or|and|&|,)\s*(\d)\b(?!\s*(?:stars?|times|hours|years|/|%))", re.IGNORECASE)
_PLACE_NAMES = frozenset({"hong kong", "new york", "new zealand", "new orleans", "los angeles", "las vegas"})
_DEMONYMS = frozenset(
    {"american", "british", "english", "french", "italian", "german", "spanish", "swedish", "danish", "russian"}
    | {"japanese", "korean", "chinese", "indian", "mexican", "irish", "scottish", "australian", "canadian"}
)
_EVERY = frozenset({"every", "each"})
_PAST_FORM_TITLES = frozenset({"saw", "split", "taken", "frozen", "tangled", "wanted", "enchanted", "unforgiven"})
_MODALS = frozenset({"can", "could", "will", "would", "should", "might", "cant", "wont"})
_CLAUSE_OPENERS = frozenset({"but", "and", "though", "although", "honestly", "also", "plus"})  # "n", "tho" too
_SUBJECT_VERBS = frozenset({"was", "is", "made", "makes", "has", "had", "broke", "got", "scared", "ruined", "blew"})
_ERA_TITLES = frozenset({"it", "her", "up", "us", "them"})  # "the new it": an article and an era word make it a name
_ERA_WORDS = frozenset({"new", "original", "old", "first", "newer", "older"})
_PARTICLE_TITLES = frozenset({"up"})  # "anything like up?"
_PHRASE_ENDS = frozenset({"and", "or", "but", "so", "way", "too", "tho", "though", "lol", "haha"})
# A year said right after a name shared by several films: "Ghostbusters, the 2016 one", "Dune (the 1984 version)"
_SAID_YEAR = re.compile(r"\W*(?:the\s+)?((?:19|20)\d\d)\s+(?:one|version|remake|film|movie)\b", re.IGNORECASE)
# What names a series' first film or a remake's original after a later one was named
_NEW_ONE = re.compile(r"\bthe (?:new|newer|newest|recent|latest)(?: one| version)\b|\bthe remake\b", re.IGNORECASE)
_CLARIFIED = re.compile(r"\b(?:not|no)\s*$", re.IGNORECASE)
_FIRST_ONE = re.compile(
    r"\bthe (?:first|1st|original|og)(?: one| movie| film)?\b(?! \w+ (?:movie|film))", re.IGNORECASE
)
_PLACE_WORDS = ["first", "1st", "second", "2nd", "third", "3rd", "fourth", "4th", "fifth", "5th"]
_PLACES = {word: 1 + n // 2 for n, word in enumerate(_PLACE_WORDS)}
_PLACE = r"(?P<place>" + "|".join(_PLACE_WORDS) + ")"
_YEAR_SAID = r"(?P<year>(?:19|20)\d\d|'?\d\d)"
_ORDINAL_BEFORE = re.compile(r"\bthe " + _PLACE + r"\s+$", re.IGNORECASE)  # "the third harry potter"
_YEAR_BEFORE = re.compile(r"\bthe " + _YEAR_SAID + r"\s+$", re.IGNORECASE)  # "the 2019 lion king"
_ORDINAL_ONE = re.compile(r"\bthe " + _PLACE + r" (?:one|movie|film)\b", re.IGNORECASE)  # "the second one"
_YEAR_ONE = re.compile(
    r"\bthe " + _YEAR_SAID + r" (?:[\w-]+ ){0,2}?(?:one|version|remake|original|og|film|movie)\b", re.IGNORECASE
)  # "the 1933 original", "the 1998 shot-for-shot remake"
_SERIES_TALK_BEFORE = re.compile(r"\b(?:best|worst|favou?rite|fave?|other|every|whole|entire)\s+$", re.IGNORECASE)
_SERIES_NOUN = re.compile(r"\s+(?:movie|film)\b", re.IGNORECASE)  # "the best Star Wars movie"
_COMPILATION = re.compile(r"\b(?:trilogy|collection|saga|anthology|box set)\b", re.IGNORECASE)
# A film told by what happens in it: "whats the movie where …", "the one w <someone> stuck on an island"
_STORY = re.compile(
    r"\b(?:the|that|this|a)\s+(?:one\s+)?(?:one|movie|film|flick)\s+"
    r"(?:where|when|in which|about|abt|with|w|who|that)\b",
    re.IGNORECASE,
)
_SEQUELS = re.compile(r"\b(?:the\s+)?seq(?:ue|ua|ui|eu|e)ls\b", re.IGNORECASE)  # "the sequels", "matrix sequals"
# A series' place said as a number right after its name: "harry potter 3", never "watched it 3 times"
_BARE_NUMBER = re.compile(
    r"\s+([2-9])\b(?!\s*(?:times|x\b|hours?|hrs?|mins?|minutes|stars?|/|out of|years?|yrs?|yo\b|and|or|&|-))",
    re.IGNORECASE,
)
_PART_N = re.compile(r"\b(?:part|pt|chapter|ch|volume|vol)\.? (\d|ii|iii|iv|v)\b", re.IGNORECASE)
_SEQUEL = re.compile(r" (?:[2-9]|\d{4}|ii|iii|iv|v|vi|vii|part \w+|chapter \w+|episode \w+)$")
_LIST_GAP = re.compile(r"\s*(?:,|,?\s*(?:and|or|&))\s*", re.IGNORECASE)  # between two names of one list
PART_END = re.compile(r"[,.;!?]|\bbut\b", re.IGNORECASE)  # what ends a part of a message
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")  # an abbreviation written with full stops: "E.T."
_NO_ENTRY = Entry("", "", "", None, 0)


def _judgment(tag_key: str) -> bool:
    """A tag that is a judgment ("too long", "overrated", "good soundtrack"): polarity reads it, it names nothing."""
    first = tag_key.split(" ", 1)[0]
    return first in POSITIVE or first in NEGATIVE


def _sentences(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """The token ranges of the sentences of `text`, which no name runs across ("Star Wars. The Last Jedi"; a full
    stop after a word of three letters or fewer may close an abbreviation: "Dr. Strangelove", "Vol. 1")."""
    ranges, start = [], 0
    for i in range(len(tokens) - 1):
        gap = text[tokens[i].end : tokens[i + 1].start]
        if gap.endswith("(") and is_year(tokens[i + 1].norm):
            continue  # "Who Framed Roger Rabbit? (1988)"
        if "?" in gap or ";" in gap or ("." in gap and len(tokens[i].norm) > 3):
            ranges.append((start, i + 1))
            start = i + 1
    return [*ranges, (start, len(tokens))] if tokens else []


def _beside_people(text: str, found: list[Candidate]) -> list[Candidate]:
    """A name of a film and a person listed beside another person is the person: "I've exhausted Hitchcock and Billy
    Wilder" (not the film "Hitchcock")."""
    people = [c for c in found if c.entities[0].label == "Person"]
    return [
        replace(c, entities=tuple(sorted(c.entities, key=lambda e: e.label != "Person")))
        if c.entities[0].label == "Item"
        and any(e.label == "Person" for e in c.entities)
        and any(_LIST_GAP.fullmatch(_between(text, c, p)) for p in people)
        else c
        for c in found
    ]


def _head(name: str) -> str:
    """The key of a film's title before its subtitle ("alien" of "Alien: Covenant (2017)")."""
    return ARTICLE.sub("", key(SUBTITLE.split(split_year(display_title(name))[0])[0]))


def _place_ends(tokens: list[Token]) -> set[int]:
    """The tokens that end a place's name ("kong" of "hong kong", "york" of "new york")."""
    return {i for i in range(1, len(tokens)) if f"{tokens[i - 1].norm} {tokens[i].norm}" in _PLACE_NAMES}


def _overlaps(found: list[Candidate], span: re.Match[str]) -> bool:
    """Whether a phrase found in the text overlaps a candidate already found."""
    return any(c.start < span.end() and span.start() < c.end for c in found)


def _one_edit(word: str) -> set[str]:
    """The words one edit (a letter dropped, added, changed or two swapped) from `word`."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    return edits - {word}


def _series_beside_its_film(text: str, candidate: Candidate, found: list[Candidate]) -> bool:
    """Whether `candidate` is a series' name ("Harry Potter" for its first film) said as the series ("the best", "my
    favorite") in a message that names a film of it: "Prisoner of Azkaban is the best Harry Potter"; or its first
    film's whole title said so before "movie" beside another film ("Empire is the best Star Wars movie"); or said
    right before the rest of another film's title ("thor dark world")."""
    said = ARTICLE.sub("", key(text[candidate.start : candidate.end]))
    film = candidate.entities[0]
    title = bare_title(film.name)
    following = next((o for o in found if o.start >= candidate.end), None)
    if film.label == "Item" and following is not None and not text[candidate.end : following.start].strip(" :-"):
        named = following.entities[0]  # "thor dark world", "harry potter chamber of secrets": one film of the series
        rest = ARTICLE.sub("", key(text[following.start : following.end]))  # not "toy story, toy story 2"
        if named.label == "Item" and named.node_id != film.node_id and not rest.startswith(said):
            return bare_title(named.name).startswith(f"{said} ")
    if film.label == "Item" and said == title:
        talk = _SERIES_TALK_BEFORE.search(text, 0, candidate.start) and _SERIES_NOUN.match(text, candidate.end)
        others = (o for o in found if o is not candidate and o.entities[0].label == "Item")
        return bool(talk) and any(o.entities[0].node_id != film.node_id for o in others)
    if film.label != "Item" or not f"{title} ".startswith(f"{said} "):
        return False
    if not _SERIES_TALK_BEFORE.search(text, 0, candidate.start):
        return False  # "Pirates of the Caribbean and At World's End", "the first Pirates of the Caribbean"
    return any(
        other is not candidate
        and other.entities[0].label == "Item"
        and other.entities[0].node_id != film.node_id
        and f"{bare_title(other.entities[0].name)} ".startswith(f"{said} ")
        for other in found
    )


def _series_head(name: str) -> str:
    """The key of a film's title cut before its sequel number or subtitle ("terminator" of "Terminator 2: Judgment
    Day (1991)")."""
    return _SEQUEL.sub("", key(SUBTITLE.split(split_year(display_title(name))[0])[0]))


def _part_around(text: str, candidate: Candidate) -> str:
    """The part of the message a candidate stands in (between the part ends around it)."""
    start = max((m.end() for m in PART_END.finditer(text, 0, candidate.start)), default=0)
    end = next((m.start() for m in PART_END.finditer(text, candidate.end)), len(text))
    return text[start:end]


def _between(text: str, one: Candidate, other: Candidate) -> str:
    """The text between two candidates."""
    return text[min(one.end, other.end) : max(one.start, other.start)]


def _namesakes(candidate: Candidate) -> list[GroundedEntity]:
    """The films of a candidate that bear its best film's title (none when that is the only one)."""
    top = candidate.entities[0]
    if top.label != "Item":
        return []
    title = split_year(top.name)[0]
    same = [e for e in candidate.entities if e.label == "Item" and split_year(e.name)[0] == title]
    return same if len(same) > 1 else []


def _listed_together(text: str, tokens: list[Token], earlier: SpanMatch, match: SpanMatch) -> bool:
    """`match` follows `earlier` in a list: "jaws and alien", "the matrix, inception or memento"."""
    between = tokens[earlier.last : match.first]
    if len(between) == 1:
        return between[0].norm in {"and", "or", "nor"}
    gap = text[tokens[earlier.last - 1].end : tokens[match.first].start]
    return not between and gap.strip() == ","


def _era_cue(before: str, after: str) -> str:
    """The cue nearest a name ("the first jumanji", "jane eyre, the new one"), or "" when there is none. A comparative
    picks a film only after "the" ("the newer one"): "newer than the shining", "ghostbusters but newer" and "older
    stuff like ocean's eleven" compare with the film named, they do not say which of its films."""

    def picks(text: str, match: re.Match[str]) -> bool:
        return match.group().lower() not in _COMPARATIVES or text[: match.start()].lower().rstrip().endswith("the")

    cues = [
        (len(before) - m.end(), m.group()) for r in (_OLDER, _NEWER) for m in r.finditer(before) if picks(before, m)
    ]
    cues += [(m.start(), m.group()) for r in (_OLDER, _NEWER) for m in r.finditer(after) if picks(after, m)]
    return min(cues)[1] if cues else ""


def _preference(entry: Entry, context: str, movie_first: bool, may_be_original: bool) -> float:
    """Rank among nodes sharing a name: an "original" asks for the oldest (of those that `may_be_original`), a
    "remake" for the newest, otherwise the most popular today, a Movie (`movie_first`) before a person or genre of the
    same name."""
    if entry.year and may_be_original and _OLDER.search(context):
        return 10_000 - entry.year + entry.prior
    if entry.year and _NEWER.search(context):
        return entry.year + entry.prior
    return entry.recent_prior + (0.5 if movie_first else 0.0) + (0.01 if entry.year else 0.0)


def _grounded(entry: Entry, score: float) -> GroundedEntity:
    return GroundedEntity(entry.label, entry.node_id, entry.name, score)


def _name_keys(name: str, label: str) -> set[str]:
    """The keys a full-text candidate is compared by: its name, with its year, and a title's part before its
    subtitle ("pirates of the carribean" is Pirates of the Caribbean: The Curse of the Black Pearl)."""
    if label != "Item":
        return {key(name)} - {""}
    title, year = split_year(display_title(name))
    keys = {key(title), key(SUBTITLE.split(title)[0])}
    if year is not None:
        keys.add(key(f"{title} {year}"))
    return keys - {""}


def _toggle_article(span_key: str) -> str:
    return span_key[4:] if span_key.startswith("the ") else f"the {span_key}"
