"""The error taxonomy: every kind has an HTTP status and an exit code, kinds are inherited or named in the bases,
and the API's answer to an error follows the table (Retry-After on 503)."""

from __future__ import annotations

import json

import pytest

from api.errors import error_response
from core.errors import EXIT_CODE, HTTP_STATUS, ChatRecError, ErrorKind, NotFoundError, UnknownEntityError
from gnn.errors import CheckpointMismatchError, EmptyGraphError, GNNError
from graph.errors import DataFileError, GraphUnavailableError, UnknownNodeError
from nlu.embedded import UtteranceError
from nlu.llm.errors import LLMConfigError, LLMTimeoutError


def test_every_kind_has_a_status_and_an_exit_code() -> None:
    assert set(HTTP_STATUS) == set(ErrorKind) == set(EXIT_CODE)
    assert EXIT_CODE[ErrorKind.INVALID] == 2 and EXIT_CODE[ErrorKind.UNAVAILABLE] == 3


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (GNNError("x"), ErrorKind.MODEL),
        (EmptyGraphError("x"), ErrorKind.INVALID),
        (CheckpointMismatchError("x"), ErrorKind.MODEL_MISMATCH),
        (DataFileError("u.data", "bad", 3), ErrorKind.INVALID),
        (GraphUnavailableError("x"), ErrorKind.UNAVAILABLE),
        (UnknownNodeError("User", "ml:0"), ErrorKind.NOT_FOUND),
        (UnknownEntityError("x"), ErrorKind.INVALID),
        (UtteranceError("x"), ErrorKind.INVALID),
        (LLMTimeoutError("x"), ErrorKind.UNAVAILABLE),
        (LLMConfigError("x"), ErrorKind.INVALID),
    ],
)
def test_each_layer_error_is_a_chatrec_error_of_its_kind(error: ChatRecError, kind: ErrorKind) -> None:
    assert isinstance(error, ChatRecError) and error.kind is kind


def test_the_http_answer_follows_the_table() -> None:
    missing = error_response(NotFoundError("User 'ml:0' does not exist."))
    assert missing.status_code == 404 and json.loads(missing.body) == {"detail": "User 'ml:0' does not exist."}
    assert "retry-after" not in missing.headers
    down = error_response(GraphUnavailableError("Neo4j at bolt://x is unreachable."))
    assert down.status_code == 503 and down.headers["retry-after"] == "5"
