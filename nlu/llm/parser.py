"""The LLM-backed parser: the model proposes intent, mentions and constraints; the graph decides. Each proposed
mention must be found in the utterance and grounded to an existing node, or it is dropped. Any failure of the model
(unreachable, timeout, HTTP error, malformed or schema-invalid JSON) falls back to the embedded parser."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Protocol

from pydantic import ValidationError
from rapidfuzz import fuzz

from core.types import Constraints, GroundedEntity, Mention, Parse
from nlu.llm.base import LLMInterface
from nlu.llm.errors import LLMError
from nlu.llm.proposal import SCHEMA_NAME, SYSTEM_PROMPT, Proposal, ProposedConstraints, proposal_schema
from nlu.types import Parser

logger = logging.getLogger(__name__)

FALLBACK_PARSER = "embedded-fallback"  # Parse.parser when the LLM failed and the embedded parser answered
MIN_SPAN_SIMILARITY = 85  # rapidfuzz score for a proposed text that is not verbatim in the utterance
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")


class SpanGrounder(Protocol):
    """What the LLM parser needs from grounding (nlu.grounding.Grounder provides it)."""

    def ground(self, span: str, label: str | None = None, k: int = 5) -> list[GroundedEntity]:
        """Existing nodes that `span` names, best first; empty when none matches well enough."""
        ...


class LLMParser:
    """A Parser whose proposals come from an LLM and whose entities come from the graph."""

    def __init__(
        self,
        llm: LLMInterface,
        grounder: SpanGrounder,
        fallback: Parser,
        *,
        max_input_chars: int = 4000,
        alternatives: int = 4,
    ) -> None:
        self.llm = llm
        self.grounder = grounder
        self.fallback = fallback
        self.max_input_chars = max_input_chars
        self.alternatives = alternatives
        self._schema = proposal_schema()

    @property
    def name(self) -> str:
        """The value of `Parse.parser` for parses this backend produced itself."""
        return self.llm.provider

    def warm_up(self) -> None:
        """Warm the fallback parser (the LLM itself is never called to warm up)."""
        self.fallback.warm_up()

    def parse(self, text: str) -> Parse:
        """Parse one utterance with the LLM; on any LLM failure, with the embedded parser (`parser` says which)."""
        if not text.strip():
            return self.fallback.parse(text)
        try:
            answer = self.llm.invoke_json(SYSTEM_PROMPT, text[: self.max_input_chars], self._schema, SCHEMA_NAME)
            proposal = Proposal.model_validate(answer)
        except (LLMError, ValidationError) as exc:
            reason = f"{len(exc.errors())} schema violation(s)" if isinstance(exc, ValidationError) else str(exc)
            logger.warning("LLM backend %s failed (%s); the embedded parser answers.", self.name, reason)
            return replace(self.fallback.parse(text), parser=FALLBACK_PARSER)
        return Parse(
            text=text,
            intent=proposal.intent,
            mentions=self._mentions(text, proposal),
            constraints=self._constraints(proposal.constraints),
            parser=self.name,
        )

    def _mentions(self, text: str, proposal: Proposal) -> tuple[Mention, ...]:
        mentions: dict[tuple[int, int], Mention] = {}
        search_from: dict[str, int] = {}
        for proposed in proposal.mentions:
            needle = proposed.text.strip()
            span = locate(text, needle, search_from.get(needle.lower(), 0))
            if span is None:
                logger.info("Dropped LLM mention %r: not in the utterance.", needle)
                continue
            start, end = span
            search_from[needle.lower()] = end
            words = text[start:end]
            candidates = self.grounder.ground(words, label=proposed.label, k=1 + self.alternatives)
            if not candidates:
                logger.info("Dropped LLM mention %r (%s): no such node in the graph.", words, proposed.label)
                continue
            mentions.setdefault(
                (start, end),
                Mention(
                    text=words,
                    start=start,
                    end=end,
                    entity=candidates[0],
                    polarity=proposed.polarity,
                    confidence=proposed.confidence,
                    alternatives=tuple(candidates[1:]),
                ),
            )
        return tuple(sorted(mentions.values(), key=lambda m: (m.start, m.end)))

    def _constraints(self, proposed: ProposedConstraints) -> Constraints:
        year_min, year_max = proposed.year_min, proposed.year_max
        if year_min is not None and year_max is not None and year_min > year_max:
            year_min, year_max = year_max, year_min
        return Constraints(
            year_min=year_min,
            year_max=year_max,
            genres_required=self._genre_ids(proposed.genres_required),
            genres_excluded=self._genre_ids(proposed.genres_excluded),
            not_seen=proposed.not_seen,
        )

    def _genre_ids(self, names: list[str]) -> tuple[str, ...]:
        """Genre ids of the names that ground to a Genre node; the others are dropped."""
        ids: dict[str, None] = {}
        for name in names:
            found = self.grounder.ground(name, label="Genre", k=1) if name.strip() else []
            if found and found[0].label == "Genre":
                ids[found[0].node_id] = None
            else:
                logger.info("Dropped LLM genre %r: no such genre in the graph.", name)
        return tuple(ids)


def locate(text: str, needle: str, start: int = 0) -> tuple[int, int] | None:
    """Character offsets of `needle` in `text`: verbatim (case-insensitive, first occurrence from `start`, else
    from the beginning), else the run of words most similar
    to it (rapidfuzz ratio at least MIN_SPAN_SIMILARITY); None when absent."""
    if not needle:
        return None
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    match = pattern.search(text, start) or pattern.search(text)
    if match:
        return match.start(), match.end()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    size = len(_WORD.findall(needle))
    best: tuple[float, int, int] | None = None
    for n in sorted({max(size - 1, 1), size, size + 1}):
        for i in range(len(words) - n + 1):
            a, b = words[i][0], words[i + n - 1][1]
            score = fuzz.ratio(needle.lower(), text[a:b].lower())
            if score >= MIN_SPAN_SIMILARITY and (best is None or score > best[0]):
                best = (score, a, b)
    return None if best is None else (best[1], best[2])
