"""Every error as a clear HTTP answer: a `ChatRecError` gets the status its kind maps to (`core.errors.HTTP_STATUS`;
503 with Retry-After), a request that does not validate gets 422 with one readable sentence; and the OpenAPI
schema documents exactly these bodies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from api.metrics import NEO4J_ERRORS
from api.schemas import ErrorOut, ValidationErrorOut
from core.errors import HTTP_STATUS, ChatRecError
from graph.errors import GraphUnavailableError

RETRY_AFTER_S = 5
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
# The answers any route may give, in every operation of the schema.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The request body could not be read (e.g. not UTF-8)"},
    413: {"model": ErrorOut, "description": "Request body larger than the limit (max_request_bytes)"},
    422: {"model": ValidationErrorOut, "description": "The request does not validate"},
    503: {"model": ErrorOut, "description": "Neo4j or the model is unavailable: retry later", "headers": _RETRY_AFTER},
}


def error_response(exc: ChatRecError) -> JSONResponse:
    """The answer to `exc`: its sentence under `detail`, the status of its kind, Retry-After on 503."""
    code = HTTP_STATUS[exc.kind]
    headers = {"Retry-After": str(RETRY_AFTER_S)} if code == status.HTTP_503_SERVICE_UNAVAILABLE else None
    return JSONResponse({"detail": str(exc) or type(exc).__name__}, code, headers=headers)


def _readable(errors: list[dict[str, object]]) -> str:
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "request"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    """Register the two handlers."""

    @app.exception_handler(ChatRecError)
    async def chatrec_error(_: Request, exc: ChatRecError) -> JSONResponse:
        if isinstance(exc, GraphUnavailableError):
            NEO4J_ERRORS.labels(type(exc).__name__).inc()
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"detail": _readable(errors), "errors": errors}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def install_openapi(app: FastAPI) -> None:
    """Document every error response a route names (401, 404, 409, …) with the body it really has (ErrorOut)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for code, response in operation.get("responses", {}).items():
                        if code[0] in "45" and "content" not in response:
                            response["content"] = {
                                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
