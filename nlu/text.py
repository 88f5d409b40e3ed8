"""Text normalisation shared by the lexicon, the span finder and the rules: lower-case ASCII word tokens with
their character offsets in the original utterance."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from rapidfuzz.distance import DamerauLevenshtein

# A word; initials written with dots are one ("E.T.", "L.A. Confidential": "et", "la").
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_](?:\.[^\W\d_])+|[^\W_]+(?:['\u2019][^\W_]+)*|&", re.UNICODE)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_APOSTROPHE = re.compile("['\u2019]")


@dataclass(frozen=True)
class Token:
    """One word of the utterance: its normalised form and where it is."""

    norm: str
    start: int
    end: int
    capitalised: bool
    possessive: bool = False  # written with "'s" ("Spielberg's"): the name may be the word without it


def fold(text: str) -> str:
    """Lower-case ASCII with accents dropped; `&` reads as "and"."""
    if text == "&":
        return "and"
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


# The verbs people say what they think of a film with: a word no dictionary has that is one of them with a letter
# dropped, doubled or swapped ("lovd", "likd", "hatted", "enjoyd", "wacthed") reads as that verb.
_OPINION_VERBS = frozenset(
    {
        *("love", "loved", "loves", "loving", "like", "liked", "likes", "hate", "hated", "hates"),
        *("enjoy", "enjoyed", "enjoys", "adore", "adored", "dislike", "disliked", "despise", "despised"),
        *("watch", "watched", "watching"),
    }
)


@cache
def vocabulary() -> frozenset[str]:
    """Common English words: the whole words of the MiniLM WordPiece vocabulary (no model load needed)."""
    from nlu.encoder import model_path

    path = Path(model_path()) / "vocab.txt"
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w.isalpha() and w.islower())


_INFLECTIONS = ("s", "es", "ed", "d", "ing", "er", "ers")


@cache
def dictionary() -> frozenset[str]:
    """A full English dictionary (GCIDE, 114k lower-case words, from the `english-words` package) with `vocabulary`:
    wider than `vocabulary`, for telling a rare name ("shawshank", "lebowski") from any English word ("pineapple")."""
    return gcide() | vocabulary()


@cache
def gcide() -> frozenset[str]:
    """GCIDE's words alone: no famous names, which `vocabulary` holds ("spielberg", "nolan", "hitchcock")."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide"], alpha=True, lower=True))


def is_english(norm: str) -> bool:
    """Whether `norm` is an English word, inflected or not ("lambs", "reloaded", "awakens"), or its -ing form
    typed without the g ("amazin", "talkin")."""
    words = dictionary()
    stems = (norm[: -len(end)] for end in _INFLECTIONS if norm.endswith(end) and len(norm) - len(end) >= 3)
    dropped_g = norm.endswith("in") and len(norm) >= 5 and f"{norm}g" in words
    return norm in words or dropped_g or any(stem in words for stem in stems)


_ORDINAL_WORDS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth"
_ORDINALS = {
    f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'}": word
    for n, word in enumerate(_ORDINAL_WORDS.split(), 1)
}  # "6th": "sixth"
# Words people shorten when they text, read as the words they stand for ("how to train ur dragon", "saving pvt ryan").
_TEXTING = {
    **{"u": "you", "ur": "your", "pvt": "private", "pt": "part", "thru": "through", "nite": "night"},
    **{"yr": "year", "yrs": "years", "bros": "brothers"},  # "step bros", "coen bros"
    **{"st": "street", "rd": "road"},  # "nightmare on elm st", "mad max fury rd"
    **dict.fromkeys(["smth", "smthg", "smthn", "sth"], "something"),
    **{"pls": "please", "plz": "please", "tho": "though", "n": "and"},  # "the good the bad n the ugly"
    **{"eleven": "11", "twelve": "12", "thirteen": "13"},  # "Ocean's Eleven" and "oceans 11" read alike
}


@cache
def _spelled(norm: str) -> str:
    """The opinion verb `norm` is a slip of the keyboard for (an insertion, a deletion or two letters swapped),
    else `norm` itself."""
    if not 3 <= len(norm) <= 10 or not norm.isalpha() or norm in _OPINION_VERBS or norm in vocabulary():
        return norm
    for verb in _OPINION_VERBS:
        near = verb[0] == norm[0] and DamerauLevenshtein.distance(norm, verb, score_cutoff=1) <= 1
        if near and (len(verb) != len(norm) or sorted(verb) == sorted(norm)):  # no substitution: "lowe" ≠ love
            return verb
    return norm


# "'s" that stands for "is" (or "has", "us"): no possessive ("There's Something About Mary" is no "there something").
_IS_CONTRACTIONS = frozenset(
    ["there's", "here's", "it's", "that's", "what's", "who's", "where's", "when's", "how's", "he's", "she's", "let's"]
)


def tokenize(text: str) -> list[Token]:
    """Word tokens of `text` with offsets into it (apostrophes stay inside words: "didn't", "schindler's"); an
    opinion verb with a typo reads as that verb ("i lovd fargo"), texting shorthand as the word it stands for."""
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        norm = _spelled(fold(word).replace("'", "").replace("\u2019", "").replace(".", ""))
        norm = _ORDINALS.get(norm, norm)  # "the 6th sense" and "The Sixth Sense" read alike
        norm = _TEXTING.get(norm, norm)
        if norm:
            lowered = _APOSTROPHE.sub("'", word.lower())
            possessive = lowered.endswith("'s") and lowered not in _IS_CONTRACTIONS
            tokens.append(Token(norm, match.start(), match.end(), word[:1].isupper(), possessive))
    return tokens


def title_words(title: str) -> list[str]:
    """The normalised words of a title as people cut it down to one: a possessive without its "'s" ("Kiki's" →
    "kiki"), a contraction left out ("You've" is nobody's name for You've Got Mail)."""
    words = []
    for token in tokenize(title):
        if token.possessive:
            words.append(token.norm[:-1])
        elif not _APOSTROPHE.search(title[token.start : token.end]):
            words.append(token.norm)
    return [w for w in words if w]


def key(text: str) -> str:
    """Matching key of a name: its normalised tokens joined by single spaces (`%3F`-style escapes decoded)."""
    return " ".join(t.norm for t in tokenize(unquote(text) if "%" in text else text))


def is_year(norm: str) -> bool:
    """A plausible release year token."""
    return _YEAR.match(norm) is not None
