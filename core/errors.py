"""One error taxonomy for every layer: a root `ChatRecError` carrying a kind, subclasses per failure, and the two
tables that turn a kind into an HTTP status (api/) and into an exit code (`chatrec`, `chatrec chat`)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    """What went wrong, as the caller needs to know it."""

    INVALID = "invalid"  # the input (a file, a request, an utterance, a graph without data) cannot be used
    NOT_FOUND = "not_found"  # an id names nothing
    CONFLICT = "conflict"  # the request contradicts what is stored
    UNAVAILABLE = "unavailable"  # a dependency (Neo4j, an LLM server) cannot be reached now: retry later
    LAUNCHER = "launcher"  # the local Neo4j could not be resolved, started or stopped
    NO_MODEL = "no_model"  # no trained model (directory or file missing)
    MODEL_MISMATCH = "model_mismatch"  # a checkpoint that does not fit the graph or itself
    MODEL = "model"  # any other failure of the model layer (e.g. an unknown device)
    INTERNAL = "internal"  # a failure nobody could name better


HTTP_STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.LAUNCHER: 500,
    ErrorKind.NO_MODEL: 503,
    ErrorKind.MODEL_MISMATCH: 503,
    ErrorKind.MODEL: 503,
    ErrorKind.INTERNAL: 500,
}
EXIT_CODE: dict[ErrorKind, int] = {
    ErrorKind.INTERNAL: 1,
    ErrorKind.INVALID: 2,
    ErrorKind.NOT_FOUND: 2,
    ErrorKind.CONFLICT: 2,
    ErrorKind.UNAVAILABLE: 3,
    ErrorKind.LAUNCHER: 4,
    ErrorKind.NO_MODEL: 5,
    ErrorKind.MODEL_MISMATCH: 6,
    ErrorKind.MODEL: 7,
}


class ChatRecError(Exception):
    """The root of every error the project raises on purpose; its message is one sentence for a person. A subclass
    names its kind in its bases (`class GNNError(ChatRecError, kind=ErrorKind.MODEL)`) or inherits it."""

    kind: ClassVar[ErrorKind] = ErrorKind.INTERNAL

    def __init_subclass__(cls, kind: ErrorKind | None = None, **options: object) -> None:
        super().__init_subclass__(**options)
        if kind is not None:
            cls.kind = kind


class InvalidInputError(ChatRecError, kind=ErrorKind.INVALID):
    """A request, an utterance or a setting that cannot be used as it is."""


class NotFoundError(ChatRecError, kind=ErrorKind.NOT_FOUND):
    """An unknown user, item, session, job or other id."""


class ConflictError(ChatRecError, kind=ErrorKind.CONFLICT):
    """The request contradicts what is stored (e.g. a turn id reused in another session)."""


class UnavailableError(ChatRecError, kind=ErrorKind.UNAVAILABLE):
    """A dependency cannot be reached or refuses the credentials; the caller may retry later."""


class UnknownEntityError(InvalidInputError):
    """A (label, id) names no node the graph or the model knows, or a label that cannot be used there."""
