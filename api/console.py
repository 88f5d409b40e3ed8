"""The web console at `/`: one static page (no build step, no CDN) that talks to the HTTP API, with its assets
served by the app itself under `/console/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

CONSOLE_DIR = Path(__file__).parent / "console"  # index.html, console.js, console.css (package data)
ASSETS = "/console"
REVALIDATE = {"Cache-Control": "no-cache"}  # revalidated before each use (304 when unchanged): never stale


class _Revalidated(StaticFiles):
    """Static files the browser revalidates before each use."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(REVALIDATE)
        return response


def install_console(app: FastAPI) -> None:
    """Serve the console page at `GET /` and its assets under `/console/` (no part of the OpenAPI schema)."""
    page = CONSOLE_DIR / "index.html"
    if not page.is_file():
        raise RuntimeError(f"The console's files are missing from {CONSOLE_DIR} (package data api/console/*).")
    app.mount(ASSETS, _Revalidated(directory=CONSOLE_DIR), name="console-assets")

    @app.get("/", include_in_schema=False)
    async def console() -> FileResponse:
        return FileResponse(page, media_type="text/html", headers=REVALIDATE)
