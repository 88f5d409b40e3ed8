"""Typed API errors and the handlers that turn every known error into a clear HTTP answer."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gnn.errors import GNNError
from graph.dialogue import DialogueError, TurnConflictError, UnknownSessionError, UnknownUserError
from graph.errors import GraphUnavailableError
from graph.recommend import UnknownNodeError
from nlu.embedded import UtteranceError

RETRY_AFTER_S = 5


class APIError(Exception):
    """An error with an HTTP status and a one-sentence message."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFoundError(APIError):
    """An unknown user, item, session or job."""

    status_code = status.HTTP_404_NOT_FOUND


class ServiceUnavailableError(APIError):
    """A dependency (Neo4j, the model, the vector index) is not ready; the client may retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


def _message(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _unavailable(message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": message}, status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


def _readable(errors: list[dict[str, object]]) -> str:
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "request"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: 404 for unknown nodes, 422 with a readable sentence, 503 + Retry-After for Neo4j."""

    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> JSONResponse:
        if isinstance(exc, ServiceUnavailableError):
            return _unavailable(exc.message)
        return JSONResponse({"detail": exc.message}, exc.status_code)

    @app.exception_handler(UnknownNodeError)
    async def unknown_node(_: Request, exc: UnknownNodeError) -> JSONResponse:
        return JSONResponse({"detail": f"{exc}."}, status.HTTP_404_NOT_FOUND)

    @app.exception_handler(DialogueError)
    async def dialogue_error(_: Request, exc: DialogueError) -> JSONResponse:
        if isinstance(exc, UnknownSessionError | UnknownUserError):
            return JSONResponse({"detail": _message(exc)}, status.HTTP_404_NOT_FOUND)
        code = status.HTTP_409_CONFLICT if isinstance(exc, TurnConflictError) else status.HTTP_422_UNPROCESSABLE_ENTITY
        return JSONResponse({"detail": _message(exc)}, code)

    @app.exception_handler(UtteranceError)
    async def utterance_error(_: Request, exc: UtteranceError) -> JSONResponse:
        return JSONResponse({"detail": f"Cannot parse the message: {exc}."}, status.HTTP_422_UNPROCESSABLE_ENTITY)

    @app.exception_handler(GraphUnavailableError)
    async def graph_unavailable(_: Request, exc: GraphUnavailableError) -> JSONResponse:
        return _unavailable(_message(exc))

    @app.exception_handler(GNNError)
    async def gnn_error(_: Request, exc: GNNError) -> JSONResponse:
        return _unavailable(f"The model cannot serve this request: {_message(exc)}")

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"detail": _readable(errors), "errors": errors}, status.HTTP_422_UNPROCESSABLE_ENTITY)
