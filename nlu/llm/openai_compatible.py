"""OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio, …) with JSON-schema
structured output in each server's dialect. The `openai` package is imported lazily: install it with
`pip install 'chatrec[llm]'`."""

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
AUTO_FIRST = "json_schema"  # what `auto` asks for first


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
        self.max_tokens = config.max_tokens
        self.system_role = config.system_role
        self._auto = config.structured_output == "auto"
        self.dialect = AUTO_FIRST if self._auto else config.structured_output
        self.client = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key or _NO_KEY,
            timeout=config.timeout_s,
            max_retries=config.max_retries,
        )

    def invoke_json(self, system: str, user: str, schema: dict[str, Any], schema_name: str) -> dict[str, Any]:
        """One chat completion asking for JSON that follows `schema` in the server's dialect, at most `max_tokens`
        long; the answer's JSON object. With `auto`, a server that refuses OpenAI's `json_schema` (llama.cpp's
        server answers HTTP 500) is asked again, and from then on, with `json_object` and the schema."""
        try:
            return self._complete(system, user, schema, schema_name, self.dialect)
        except LLMUnavailableError as exc:
            if self.dialect != AUTO_FIRST or not self._auto or not _refuses_the_format(exc):
                raise
            self.dialect = "json_object"
            return self._complete(system, user, schema, schema_name, self.dialect)

    def _complete(
        self, system: str, user: str, schema: dict[str, Any], schema_name: str, dialect: str
    ) -> dict[str, Any]:
        openai = self._openai
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=_messages(system, user, self.system_role),
                temperature=0,
                max_tokens=self.max_tokens,
                **_structured_output(dialect, schema, schema_name),
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


def _messages(system: str, user: str, system_role: bool) -> list[dict[str, str]]:
    """The chat: instructions as a system message, or at the top of the user's for templates without one."""
    if system_role:
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return [{"role": "user", "content": f"{system}\n\n{user}"}]


def _structured_output(dialect: str, schema: dict[str, Any], schema_name: str) -> dict[str, Any]:
    """The request fields that ask for schema-following JSON, as each kind of server spells them."""
    if dialect == "json_object":  # llama.cpp (llama-cpp-python's server, llama-server)
        return {"response_format": {"type": "json_object", "schema": schema}}
    if dialect == "ollama":  # Ollama's own field, accepted on its OpenAI-compatible endpoint too
        return {"extra_body": {"format": schema}}
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema_name, "schema": schema, "strict": True},
        }
    }


def _refuses_the_format(exc: LLMUnavailableError) -> bool:
    """Whether an HTTP error says the server does not take the `json_schema` response format."""
    said = str(exc).lower()
    return exc.status_code in (400, 422) or "response_format" in said or "json_schema" in said
