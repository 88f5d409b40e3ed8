"""The configured Parser: the embedded one by default, an LLM-backed one when a backend is configured."""

from __future__ import annotations

import importlib

from nlu.llm.base import LLMConfig, LLMInterface
from nlu.llm.errors import LLMConfigError
from nlu.llm.parser import LLMParser, SpanGrounder
from nlu.types import Parser

# One module per provider, imported only when configured (its client package is optional).
PROVIDERS: dict[str, str] = {"openai": "nlu.llm.openai_compatible:OpenAICompatibleLLM"}
EMBEDDED = "embedded"


def create_llm(config: LLMConfig) -> LLMInterface:
    """The LLM client of the configured provider. Raises LLMConfigError (LLMDependencyError: package missing)."""
    if config.backend not in PROVIDERS:
        raise LLMConfigError(f"Unknown LLM backend {config.backend!r}; expected one of {sorted(PROVIDERS)}.")
    module_name, class_name = PROVIDERS[config.backend].split(":")
    provider: type[LLMInterface] = getattr(importlib.import_module(module_name), class_name)
    return provider(config)


def create_parser(config: LLMConfig, embedded: Parser, grounder: SpanGrounder) -> Parser:
    """`embedded` itself for the embedded backend; otherwise an LLMParser that grounds through `grounder` and falls
    back to `embedded` on any LLM failure."""
    if config.backend == EMBEDDED:
        return embedded
    return LLMParser(create_llm(config), grounder, embedded)
