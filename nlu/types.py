"""The one interface of every NLU backend; what it returns (`core.types.Parse`) is shared with every layer."""

from __future__ import annotations

from typing import Protocol

from core.types import Parse


class Parser(Protocol):
    """The embedded default and the LLM providers alike: `nlu` never writes, `api` records what it returns."""

    def warm_up(self) -> None:
        """Load what the first parse would otherwise load, so that no request pays for it."""
        ...

    def parse(self, text: str) -> Parse:
        """Parse one utterance into grounded mentions, polarity, intent and constraints."""
        ...
