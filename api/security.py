"""API keys. Writes and admin calls need `api_key`. Reads of personal or operational data (transcripts, user
preferences, stats, metrics) need `api_key` or `api_read_key` as soon as either is set, unless `protect_reads` is
off; with no key configured the API is open (a development setup). A key goes in the X-API-Key header or as
`Authorization: Bearer <key>` (what Prometheus scrape configs send)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

API_KEY_HEADER = "X-API-Key"
_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="The API key (or the read key for reads).")
_bearer = HTTPBearer(auto_error=False, description="The same key as a bearer token.")


async def given_key(
    key: str | None = Security(_header), bearer: HTTPAuthorizationCredentials | None = Security(_bearer)
) -> str | None:
    """The key the request carries, from X-API-Key or a bearer token."""
    return key or (bearer.credentials if bearer else None)


GivenKey = Annotated[str | None, Depends(given_key)]


async def require_api_key(request: Request, key: GivenKey) -> None:
    """Reject the request with 401 unless it carries the configured API key (no key configured: open)."""
    _check(key, [request.app.state.services.settings.api_key], "writes and admin calls")


async def require_read_key(request: Request, key: GivenKey) -> None:
    """Reject the request with 401 unless it carries the API key or the read key, when reads are protected."""
    settings = request.app.state.services.settings
    if settings.protect_reads:
        _check(key, [settings.api_key, settings.api_read_key], "reads")


def _check(given: str | None, configured: list[SecretStr | None], what: str) -> None:
    expected = [secret.get_secret_value().encode() for secret in configured if secret is not None]
    if not expected:
        return
    if given is None or not any(hmac.compare_digest(given.encode(), key) for key in expected):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"Missing or wrong API key for {what}: send it in the {API_KEY_HEADER} header.",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )
