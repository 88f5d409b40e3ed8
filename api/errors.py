"""Every error as a clear HTTP answer: a `ChatRecError` gets the status its kind maps to (`core.errors.HTTP_STATUS`;
503 with Retry-After), a request that does not validate gets 422 with one readable sentence."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.errors import HTTP_STATUS, ChatRecError

RETRY_AFTER_S = 5


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
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"detail": _readable(errors), "errors": errors}, status.HTTP_422_UNPROCESSABLE_ENTITY)
