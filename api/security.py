"""API-key authentication for writes and admin calls (off when no key is configured)."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

API_KEY_HEADER = "X-API-Key"
_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="Needed for writes and admin calls.")


def require_api_key(request: Request, key: str | None = Security(_header)) -> None:
    """Reject the request with 401 unless it carries the configured API key (no key configured: open)."""
    expected = request.app.state.services.settings.api_key
    if expected is None:
        return
    if key is None or not hmac.compare_digest(key.encode(), expected.get_secret_value().encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"Missing or wrong API key: send it in the {API_KEY_HEADER} header.",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )
