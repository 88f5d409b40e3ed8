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


def test_every_endpoint_shows_a_request_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                described = parameter.get("examples") or parameter["schema"].get("examples")
                assert described or "default" in parameter["schema"], (method, path, parameter["name"])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                refs = [body, *body.get("anyOf", [])]
                names = [ref["$ref"].rsplit("/", 1)[-1] for ref in refs if "$ref" in ref]
                assert names and all(components[name].get("examples") for name in names), (method, path)
