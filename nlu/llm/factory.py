"""The configured Parser: the embedded one by default, an LLM-backed one when a backend is configured."""

from __future__ import annotations

from nlu.llm.base import LLMConfig, LLMInterface
from nlu.llm.errors import LLMConfigError
from nlu.llm.parser import LLMParser, SpanGrounder
from nlu.types import Parser

EMBEDDED = "embedded"
BACKENDS = ("openai",)


def create_llm(config: LLMConfig) -> LLMInterface:
    """The LLM client of the configured provider, constructed directly (its module, and so its optional client
    package, is imported only here). Raises LLMConfigError (LLMDependencyError: package missing)."""
    if config.backend == "openai":
        from nlu.llm.openai_compatible import OpenAICompatibleLLM

        return OpenAICompatibleLLM(config)
    raise LLMConfigError(f"Unknown LLM backend {config.backend!r}; expected one of {list(BACKENDS)}.")


def create_parser(config: LLMConfig, embedded: Parser, grounder: SpanGrounder) -> Parser:
    """`embedded` itself for the embedded backend; otherwise an LLMParser that grounds through `grounder` and falls
    back to `embedded` on any LLM failure."""
    if config.backend == EMBEDDED:
        return embedded
    return LLMParser(create_llm(config), grounder, embedded)
