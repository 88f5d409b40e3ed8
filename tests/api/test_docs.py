"""The interactive docs work without internet: every asset the pages load is served by the app itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_assets_the_app_serves(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.text)
    assert assets and all(url.startswith("/docs/assets/") for url in assets), assets  # no CDN, no web fonts
    for url in assets:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 500, url
    assert "/openapi.json" in html.text


def test_the_schema_is_served_and_the_docs_are_no_part_of_it(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "Chat-Rec"
    assert client.get("/docs/oauth2-redirect").status_code == 200
    assert client.get("/docs/assets/nothing.js").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(path.startswith("/docs") for path in paths)  # the docs are no part of the API
