"""Grounding: text spans → nodes that exist in Neo4j. Exact names come from the in-memory lexicon (loaded once
from the graph); typos and unknown spellings fall back to the Neo4j full-text index, re-ranked by string similarity,
sentence-embedding similarity and popularity; descriptive phrases map to genres by embedding similarity."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from core.types import GroundedEntity
from graph.db import GraphStore
from graph.importers.titles import display_title, split_year
from graph.search import entity_catalog, fulltext_candidates
from nlu.encoder import SentenceEncoder
from nlu.lexicon import Entry, Lexicon, SpanMatch
from nlu.text import Token, is_year, key, tokenize

LABELS = {"item": "Item", "movie": "Item", "person": "Person", "genre": "Genre"}
# What each genre is about, for mapping descriptive phrases ("something scary") by embedding similarity.
GENRE_DESCRIPTIONS: dict[str, str] = {
    "action": "an action movie with fights, explosions and car chases",
    "adventure": "an adventure movie with a quest and exploration",
    "animation": "an animated cartoon movie",
    "biography": "a biographical movie about the life of a real person",
    "children": "a movie for kids and children",
    "comedy": "a funny comedy movie that makes you laugh",
    "crime": "a crime movie about gangsters, heists and detectives",
    "documentary": "a documentary film about real events",
    "drama": "a serious emotional drama movie",
    "family": "a family movie to watch with the whole family",
    "fantasy": "a fantasy movie with magic, wizards and dragons",
    "film-noir": "a dark black and white film noir",
    "history": "a historical movie about the past",
    "horror": "a scary horror movie with monsters, ghosts and gore",
    "music": "a movie about music, bands and musicians",
    "musical": "a musical with singing and dancing",
    "mystery": "a mystery movie with a puzzle to solve, a whodunit",
    "romance": "a romantic love story",
    "sci-fi": "a science fiction movie about space, aliens, robots and the future",
    "sport": "a sports movie about athletes and competition",
    "thriller": "a suspenseful, tense thriller",
    "war": "a war movie about soldiers and battles",
    "western": "a western with cowboys in the wild west",
}
# A descriptive phrase: a cue, then up to six words that say what the movie is like ("something scary").
DESCRIPTOR = re.compile(
    r"\b(?:something|anything|makes? me|made me|in the mood for|feel like)\b((?:\W+\w+){1,6})", re.IGNORECASE
)
_OLDER = re.compile(r"\b(original|first one|older|old one|classic)\b", re.IGNORECASE)
_NEWER = re.compile(r"\b(remake|reboot|new one|newer|latest|recent one)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A grounded span of an utterance: best node first, then the alternatives."""

    start: int
    end: int
    entities: tuple[GroundedEntity, ...]
    confidence: float


class Grounder:
    """Grounds spans to graph nodes. Construct once per process: it loads every name from the graph."""

    def __init__(self, store: GraphStore, encoder: SentenceEncoder | None = None) -> None:
        self.store = store
        self.lexicon = Lexicon(entity_catalog(store))
        self._encoder = encoder
        self._genre_ids = [g for g in GENRE_DESCRIPTIONS if g in self.lexicon.genres]
        self._genre_vectors: np.ndarray | None = None
        self._by_id = {e.node_id: e for e in self.lexicon.entries}

    @property
    def encoder(self) -> SentenceEncoder:
        """The sentence encoder, loaded on first use."""
        if self._encoder is None:
            self._encoder = SentenceEncoder()
        return self._encoder

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
        exact = self.lexicon.keys.get(span_key) or self.lexicon.keys.get(_toggle_article(span_key)) or []
        ranked = self._rank_exact([i for i in exact if wanted in (None, self.lexicon.entries[i].label)], span)
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

    def _rank_exact(self, indices: list[int], context: str) -> list[GroundedEntity]:
        entries = [self.lexicon.entries[i] for i in indices]
        order = sorted(entries, key=lambda e: -_preference(e, context))
        return [_grounded(e, round(0.9 + 0.1 * e.prior, 4)) for e in order]

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

    def describe_genres(self, phrase: str, threshold: float = 0.55) -> list[GroundedEntity]:
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
    def find(self, text: str, tokens: list[Token] | None = None, fuzzy: bool = True) -> list[Candidate]:
        """Grounded spans of `text`: lexicon matches, then full-text fallback around unknown words."""
        tokens = tokenize(text) if tokens is None else tokens
        found: list[Candidate] = []
        covered = [False] * len(tokens)
        for match in self.lexicon.find(tokens):
            candidate = self._from_match(text, tokens, match)
            if candidate is not None:
                found.append(candidate)
                covered[match.first : match.last] = [True] * (match.last - match.first)
        if fuzzy:
            found.extend(self._fuzzy_spans(text, tokens, covered))
        return sorted(found, key=lambda c: c.start)

    def _from_match(self, text: str, tokens: list[Token], match: SpanMatch) -> Candidate | None:
        span = tokens[match.first : match.last]
        entries = [self.lexicon.entries[i] for i in match.entries]
        confidence = self._confidence(text, tokens, match, entries)
        if confidence <= 0:
            return None
        ranked = self._rank_exact(list(match.entries), text)
        end = span[-1].end
        if match.with_year and text[end : end + 1] == ")":
            end += 1
        return Candidate(span[0].start, end, tuple(ranked), confidence)

    def _confidence(self, text: str, tokens: list[Token], match: SpanMatch, entries: list[Entry]) -> float:
        """How sure a lexicon match is a mention: titles written with their year are near certain; names made of
        everyday words must look like names (capitalised), single everyday words are never enough."""
        labels = {e.label for e in entries}
        if labels == {"Genre"}:
            return 0.9
        if match.with_year:
            return 0.97
        span = tokens[match.first : match.last]
        words = [t for t in span if not is_year(t.norm)]
        common = [self.lexicon.is_common(t.norm) for t in words]
        capitalised = [t.capitalised for t in words]
        sentence_start = match.first == 0 or text[: span[0].start].rstrip()[-1:] in {".", "!", "?", ""}
        if len(words) == 1:
            word = words[0].norm
            if not capitalised[0] or len(word) < 3 or word in _FUNCTION_WORDS or word in self.lexicon.stopwords:
                return 0.0
            if common[0]:
                return 0.0 if sentence_start else 0.7
            return 0.6 if sentence_start else 0.85
        if all(common):
            title_case = all(capitalised[1:]) and (capitalised[0] or sentence_start)
            if all(t.norm in self.lexicon.stopwords for t in words):
                return 0.0
            if title_case or labels != {"Item"}:
                return 0.8 if title_case else 0.55
            # Everyday words in lower case ("thanks for the help", "date night") are a title only where the
            # sentence talks about one: "loved the matrix", "seen it and the notebook", "old school movies" (names
            # of people are typed in lower case too often to ask that of them).
            before = {t.norm for t in tokens[max(0, match.first - 3) : match.first]}
            after = tokens[match.last].norm if match.last < len(tokens) else ""
            return 0.55 if before & _TITLE_CUES_BEFORE or after in _TITLE_CUES_AFTER else 0.45
        return 0.9

    def _fuzzy_spans(self, text: str, tokens: list[Token], covered: list[bool]) -> list[Candidate]:
        """Full-text lookups around words the lexicon does not know (typos: "Forest Gump", "horroe")."""
        triggers = [
            i
            for i, t in enumerate(tokens)
            if not covered[i] and len(t.norm) >= 4 and t.norm.isalpha() and not self.lexicon.is_common(t.norm)
        ]
        found: list[Candidate] = []
        used = list(covered)
        for i in triggers[:1]:
            if used[i]:
                continue
            first, last = max(0, i - 2), min(len(tokens), i + 3)
            while used[first]:
                first += 1
            while used[last - 1]:
                last -= 1
            window = tokens[first:last]
            rows = fulltext_candidates(self.store, " ".join(t.norm for t in window), limit=10)
            best: tuple[float, int, int, dict] | None = None
            for row in rows:
                for name_key in _name_keys(row["name"], row["label"]):
                    size = len(name_key.split())
                    for n in {size - 1, size, size + 1}:
                        for a in range(max(first, i - n + 1), min(i, last - n) + 1):
                            if n < 1:
                                continue
                            words = " ".join(t.norm for t in tokens[a : a + n])
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

    def _entry(self, node_id: str) -> Entry | None:
        return self._by_id.get(node_id)


_FUNCTION_WORDS_TEXT = """a an the and or but of to in on at for with from by as is it its this that i me my you
    your he she
    him her we us they them be was were are am do did not no so up out all one what who why how when where there here"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
_TITLE_CUES_TEXT = """seen saw watched watch watching see love loved like liked enjoyed enjoy hated hate and or
    recommend try"""
_TITLE_CUES_BEFORE = frozenset(_TITLE_CUES_TEXT.split())
_TITLE_CUES_AFTER = frozenset({"movie", "movies", "film", "films", "series", "franchise", "trilogy", "sequel"})
_NO_ENTRY = Entry("", "", "", None, 0)


def _preference(entry: Entry, context: str) -> float:
    """Rank among nodes sharing a name: an "original" asks for the oldest, a "remake" for the newest,
    otherwise the most popular; a Movie beats a person or genre of the same name."""
    if entry.year and _OLDER.search(context):
        return 10_000 - entry.year + entry.prior
    if entry.year and _NEWER.search(context):
        return entry.year + entry.prior
    return entry.prior + (0.5 if entry.label == "Item" else 0.0) + (0.01 if entry.year else 0.0)


def _grounded(entry: Entry, score: float) -> GroundedEntity:
    return GroundedEntity(entry.label, entry.node_id, entry.name, score)


def _name_keys(name: str, label: str) -> set[str]:
    if label != "Item":
        return {key(name)} - {""}
    title, year = split_year(display_title(name))
    keys = {key(title)}
    if year is not None:
        keys.add(key(f"{title} {year}"))
    return keys - {""}


def _toggle_article(span_key: str) -> str:
    return span_key[4:] if span_key.startswith("the ") else f"the {span_key}"
