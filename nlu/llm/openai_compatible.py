"""OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio, …) with JSON-schema
structured output. The `openai` package is imported lazily: install it with `pip install 'chatrec[llm]'`."""

from __future__ import annotations

from typing import Any

from nlu.llm.base import LLMConfig, LLMInterface, load_json_object
from nlu.llm.errors import (
    LLMConfigError,
    LLMDependencyError,
    LLMResponseError,
    LLMTimeoutError,
    LLMUnavailableError,
)

# Local servers ignore the key, but the client refuses to start without one.
_NO_KEY = "not-needed"


class OpenAICompatibleLLM(LLMInterface):
    """A chat model behind `POST {base_url}/chat/completions`; timeouts and retries (with backoff, honouring
    `Retry-After`) are the official client's."""

    provider = "openai-compatible"

    def __init__(self, config: LLMConfig) -> None:
        try:
            import openai
        except ImportError as exc:
            raise LLMDependencyError(
                "The OpenAI-compatible backend needs the `openai` package: pip install 'chatrec[llm]'."
            ) from exc
        if not config.model:
            raise LLMConfigError("The OpenAI-compatible backend needs a model name (CHATREC_LLM_MODEL).")
        self._openai = openai
        self.model = config.model
        self.client = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key or _NO_KEY,
            timeout=config.timeout_s,
            max_retries=config.max_retries,
        )

    def invoke_json(self, system: str, user: str, schema: dict[str, Any], schema_name: str) -> dict[str, Any]:
        """One chat completion with `response_format: json_schema` (strict); the answer's JSON object."""
        openai = self._openai
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema_name, "schema": schema, "strict": True},
                },
                temperature=0,
            )
        except openai.APITimeoutError as exc:
            raise LLMTimeoutError(f"{self.client.base_url} did not answer within {self.client.timeout} s.") from exc
        except openai.APIStatusError as exc:
            raise LLMUnavailableError(
                f"{self.client.base_url} answered HTTP {exc.status_code}: {exc.message}", exc.status_code
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailableError(f"{self.client.base_url} is unreachable: {exc}") from exc
        except (openai.OpenAIError, ValueError) as exc:  # e.g. an HTTP body that is not JSON
            raise LLMResponseError(f"{self.client.base_url} sent an unreadable response: {exc}") from exc
        if not getattr(response, "choices", None):
            raise LLMResponseError(f"{self.client.base_url} sent a response without choices.")
        return load_json_object(response.choices[0].message.content)
