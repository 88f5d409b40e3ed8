"""The one interface every LLM provider implements (in the style of neo4j-graphrag's `LLMInterface`), and its
configuration as plain data (api/ builds it from the Settings; nlu/ never reads them)."""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from nlu.llm.errors import LLMResponseError


@dataclass(frozen=True)
class LLMConfig:
    """Which backend to use and how to reach it."""

    backend: str = "embedded"  # "embedded" | "openai"
    model: str = "gpt-4o-mini"
    base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1 for Ollama; None: the provider's default
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 10.0
    max_retries: int = 2
    structured_output: str = "auto"  # "auto" | "json_schema" | "json_object" | "ollama"
    max_tokens: int = 512
    system_role: bool = True  # False: the instructions open the user message (templates without one, e.g. Gemma)


class LLMInterface(ABC):
    """A chat model that answers one prompt with a JSON object that follows a given JSON schema."""

    provider: str

    @abstractmethod
    def invoke_json(self, system: str, user: str, schema: dict[str, Any], schema_name: str) -> dict[str, Any]:
        """Ask for structured output. Raises LLMUnavailableError (network, timeout, HTTP) or LLMResponseError."""


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def load_json_object(content: str | None) -> dict[str, Any]:
    """The JSON object in a model's answer (a Markdown code fence around it is tolerated); LLMResponseError else."""
    if not content or not content.strip():
        raise LLMResponseError("The model returned an empty answer.")
    fenced = _FENCE.match(content)
    try:
        value = json.loads(fenced.group(1) if fenced else content)
    except json.JSONDecodeError as exc:
        raise LLMResponseError(f"The model's answer is not valid JSON: {exc.msg} at position {exc.pos}.") from exc
    if not isinstance(value, dict):
        raise LLMResponseError(f"The model's answer is JSON but not an object (got {type(value).__name__}).")
    return value
