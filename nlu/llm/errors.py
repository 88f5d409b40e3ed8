"""Typed errors of the LLM backends. The LLM parser turns every one of them into a fallback to the embedded parser."""

from __future__ import annotations

from core.errors import ErrorKind, UnavailableError


class LLMError(UnavailableError):
    """Base class of every LLM backend error."""


class LLMConfigError(LLMError, kind=ErrorKind.INVALID):
    """The backend is unknown or misconfigured (no model, bad base URL)."""


class LLMDependencyError(LLMConfigError):
    """The provider's optional client package is not installed; the message says what to install."""


class LLMUnavailableError(LLMError):
    """The server could not be reached, timed out, or answered with an HTTP error (after the retries)."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class LLMTimeoutError(LLMUnavailableError):
    """The server did not answer within the configured timeout."""


class LLMResponseError(LLMError):
    """The server answered, but not with JSON that matches the requested schema."""
