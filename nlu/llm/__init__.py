"""LLM backends of the NLU behind one interface: `create_parser(config, embedded, grounder)` gives the configured
Parser; every provider lives in its own module and imports its client package lazily."""

from nlu.llm.base import LLMConfig, LLMInterface
from nlu.llm.errors import (
    LLMConfigError,
    LLMDependencyError,
    LLMError,
    LLMResponseError,
    LLMTimeoutError,
    LLMUnavailableError,
)
from nlu.llm.factory import create_llm, create_parser
from nlu.llm.parser import FALLBACK_PARSER, LLMParser

__all__ = [
    "FALLBACK_PARSER",
    "LLMConfig",
    "LLMConfigError",
    "LLMDependencyError",
    "LLMError",
    "LLMInterface",
    "LLMParser",
    "LLMResponseError",
    "LLMTimeoutError",
    "LLMUnavailableError",
    "create_llm",
    "create_parser",
]
