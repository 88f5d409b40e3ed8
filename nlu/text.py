"""Text normalisation shared by the lexicon, the span finder and the rules: lower-case ASCII word tokens with
their character offsets in the original utterance."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|&", re.UNICODE)
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


@dataclass(frozen=True)
class Token:
    """One word of the utterance: its normalised form and where it is."""

    norm: str
    start: int
    end: int
    capitalised: bool


def fold(text: str) -> str:
    """Lower-case ASCII with accents dropped; `&` reads as "and"."""
    if text == "&":
        return "and"
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def tokenize(text: str) -> list[Token]:
    """Word tokens of `text` with offsets into it (apostrophes stay inside words: "didn't", "schindler's")."""
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        norm = fold(word).replace("'", "").replace("\u2019", "")
        if norm:
            tokens.append(Token(norm, match.start(), match.end(), word[:1].isupper()))
    return tokens


def key(text: str) -> str:
    """Matching key of a name: its normalised tokens joined by single spaces (`%3F`-style escapes decoded)."""
    return " ".join(t.norm for t in tokenize(unquote(text) if "%" in text else text))


def is_year(norm: str) -> bool:
    """A plausible release year token."""
    return _YEAR.match(norm) is not None
