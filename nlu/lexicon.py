"""The in-memory name index: every movie title (with and without year), person name, genre name and genre
inflection, loaded once from the graph; finds candidate spans in an utterance in one left-to-right pass."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.importers.titles import display_title, split_year
from nlu.text import Token, is_year, key

# Inflections and everyday names of the genres (the graph's genre ids on the right). A "romantic comedy" is read as
# its two genres ("romantic" → romance, "comedy"), so it has no entry of its own.
GENRE_ALIASES: dict[str, str] = {
    "comedies": "comedy",
    "comedic": "comedy",
    "romcom": "comedy",
    "rom com": "comedy",
    "romantic": "romance",
    "romances": "romance",
    "thrillers": "thriller",
    "horrors": "horror",
    "horror movies": "horror",
    "scarier": "scary",
    "scariest": "scary",
    "dramas": "drama",
    "dramatic": "drama",
    "documentaries": "documentary",
    "docs": "documentary",
    "musicals": "musical",
    "westerns": "western",
    "mysteries": "mystery",
    "animated": "animation",
    "cartoon": "animation",
    "cartoons": "animation",
    "anime": "animation",
    "sci fi": "sci-fi",
    "scifi": "sci-fi",
    "science fiction": "sci-fi",
    "kids movie": "children",
    "kids movies": "children",
    "childrens": "children",
    "biopic": "biography",
    "biopics": "biography",
    "biographical": "biography",
    "historical": "history",
    "sports": "sport",
    "war movies": "war",
    "war films": "war",
    "war movie": "war",
    "war film": "war",
    "crime movies": "crime",
    "fantasies": "fantasy",
    "film noir": "film-noir",
    "noir": "film-noir",
    "short films": "short",
    "short film": "short",
    "action movies": "action",
    "musical films": "musical",
}
# Genre names too common as plain words to be read as a genre on their own ("a short wait", "the news").
GENRE_NAME_BLOCKLIST = {"short", "news", "game show", "talk show", "reality tv"}
_STOPWORDS_TEXT = """a an the and or but of to in on at for with from by as is it its it's this that these
    those be been was were
    are am i im me my we our you your he she him her his they them their what which who whom when where why how
    not no nor so than too very can will just do does did done have has had having if then there here up down out
    over under again once all any both each few more most other some such only own same also one two new old
    movie movies film films show shows series like love good great best bad ok okay yes yeah hi hello hey thanks
    thank bye lol dont didnt doesnt havent hasnt isnt wasnt arent werent cant couldnt wont wouldnt ive youve id
    ill youll youre theyre thats whats lets let go get got see seen saw watch watched really much well"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Entry:
    """One nameable node."""

    label: str
    node_id: str
    name: str
    year: int | None
    popularity: int

    @property
    def prior(self) -> float:
        """Popularity as a 0..1 prior (log-scaled; 1,000+ links saturate)."""
        return min(1.0, math.log1p(self.popularity) / math.log1p(1000))


@dataclass(frozen=True)
class SpanMatch:
    """A run of tokens [first, last) whose text is a name key, and the entries it names."""

    first: int
    last: int
    key: str
    entries: tuple[int, ...]
    with_year: bool


def _vocabulary() -> frozenset[str]:
    """Common English words: the whole words of the MiniLM WordPiece vocabulary (no model load needed)."""
    from nlu.encoder import model_path

    path = Path(model_path()) / "vocab.txt"
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and w.islower())


class Lexicon:
    """Name keys → entries, with every token prefix of a key for a fast longest-match scan."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.entries: list[Entry] = []
        self.keys: dict[str, list[int]] = defaultdict(list)
        self.stopwords = STOPWORDS
        self.common = _vocabulary() | STOPWORDS
        genre_rows: dict[str, int] = {}
        for row in rows:
            if not row.get("name") or not row.get("id"):
                continue
            index = len(self.entries)
            entry = Entry(row["label"], row["id"], row["name"], row.get("year"), int(row.get("popularity") or 0))
            self.entries.append(entry)
            for name_key in self._keys_of(entry, row.get("aliases") or []):
                if index not in self.keys[name_key]:
                    self.keys[name_key].append(index)
            if entry.label == "Genre":
                genre_rows[entry.node_id] = index
        for alias, genre in GENRE_ALIASES.items():
            if genre in genre_rows:
                self.keys[key(alias)].append(genre_rows[genre])
        for blocked in GENRE_NAME_BLOCKLIST:
            self.keys.pop(blocked, None)
        self.prefixes = {" ".join(k.split()[:n]) for k in self.keys for n in range(1, len(k.split()) + 1)}
        self.genres = {self.entries[i].node_id: i for i in genre_rows.values()}

    @staticmethod
    def _keys_of(entry: Entry, aliases: list[str]) -> set[str]:
        names = {entry.name, *aliases}
        keys: set[str] = set()
        for name in names:
            if entry.label != "Item":
                keys.add(key(name))
                continue
            shown = display_title(name)
            title, year = split_year(shown)
            keys.add(key(title))
            if year is not None:
                keys.add(key(f"{title} {year}"))
        return {k for k in keys if k}

    def find(self, tokens: list[Token]) -> list[SpanMatch]:
        """Longest non-overlapping key matches, left to right."""
        norms = [t.norm for t in tokens]
        found: list[SpanMatch] = []
        i = 0
        while i < len(norms):
            best: tuple[int, str] | None = None
            text = ""
            for j in range(i, len(norms)):
                text = norms[j] if j == i else f"{text} {norms[j]}"
                if text not in self.prefixes:
                    break
                if text in self.keys:
                    best = (j + 1, text)
            if best is None:
                i += 1
                continue
            last, name_key = best
            found.append(SpanMatch(i, last, name_key, tuple(self.keys[name_key]), is_year(norms[last - 1])))
            i = last
        return found

    def is_stopword(self, norm: str) -> bool:
        """A function word or chat filler ("the", "movie", "lol")."""
        return norm in self.stopwords

    def is_common(self, norm: str) -> bool:
        """A plain English word (or a stopword) rather than a name."""
        return norm in self.common
