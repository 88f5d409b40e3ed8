"""The service around the routes: auth, limits, CORS, metrics, readiness, 503s, admin training, and schemathesis
over the whole OpenAPI schema (no 5xx)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from core.config import get_settings
from tests.api.conftest import Planted

KEY = "test-key-123"
READ_KEY = "read-key-456"


@pytest.fixture
def secured(api_env: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app with an API key, CORS for one origin and a small body limit."""
    api_env.setenv("CHATREC_API_KEY", KEY)
    api_env.setenv("CHATREC_API_READ_KEY", READ_KEY)
    api_env.setenv("CHATREC_CORS_ORIGINS", '["http://localhost:3000"]')
    api_env.setenv("CHATREC_MAX_REQUEST_BYTES", "2048")
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        yield client
    for name in ("CHATREC_API_KEY", "CHATREC_API_READ_KEY", "CHATREC_CORS_ORIGINS", "CHATREC_MAX_REQUEST_BYTES"):
        api_env.delenv(name)
    get_settings.cache_clear()


def test_writes_and_admin_need_the_api_key_and_personal_reads_a_key(secured: TestClient, planted: Planted) -> None:
    item_id = planted.items_by_group["crime"][3]
    feedback = {"user_id": "ml:1", "item_id": item_id, "signal": "reject"}
    for headers in ({}, {"X-API-Key": "wrong"}):
        denied = secured.post("/v1/feedback", json=feedback, headers=headers)
        assert denied.status_code == 401 and "X-API-Key" in denied.json()["detail"]
        assert secured.post("/v1/sessions", json={}, headers=headers).status_code == 401
        assert secured.post("/v1/admin/train", headers=headers).status_code == 401
        assert secured.get("/v1/admin/jobs/x", headers=headers).status_code == 401
    assert secured.post("/v1/feedback", json=feedback, headers={"X-API-Key": KEY}).status_code == 201
    assert secured.get("/v1/users/ml:1/recommendations?k=2").status_code == 200
    assert secured.get("/v1/admin/jobs/x", headers={"X-API-Key": KEY}).status_code == 404
    session_id = secured.post("/v1/sessions", json={}, headers={"X-API-Key": KEY}).json()["session_id"]
    for url in (f"/v1/sessions/{session_id}", "/v1/stats", "/metrics"):  # a transcript, counts, metrics
        assert secured.get(url).status_code == 401, url
        assert secured.get(url, headers={"X-API-Key": "wrong"}).status_code == 401, url
        assert secured.get(url, headers={"X-API-Key": KEY}).status_code == 200, url
        assert secured.get(url, headers={"X-API-Key": READ_KEY}).status_code == 200, url
        assert secured.get(url, headers={"Authorization": f"Bearer {READ_KEY}"}).status_code == 200, url
    # the read key reads, never writes
    assert secured.post("/v1/feedback", json=feedback, headers={"X-API-Key": READ_KEY}).status_code == 401
    assert secured.get("/health/live").status_code == secured.get("/health/ready").status_code == 200


def test_reads_can_be_opened_with_a_key_set(api_env: pytest.MonkeyPatch) -> None:
    api_env.setenv("CHATREC_API_KEY", KEY)
    api_env.setenv("CHATREC_PROTECT_READS", "false")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            assert client.get("/v1/stats").status_code == client.get("/metrics").status_code == 200
            assert client.post("/v1/sessions", json={}).status_code == 401
    finally:
        api_env.delenv("CHATREC_API_KEY")
        api_env.delenv("CHATREC_PROTECT_READS")
        get_settings.cache_clear()


def test_body_limit_and_cors(secured: TestClient) -> None:
    huge = {"text": "x" * 5000}
    response = secured.post("/v1/sessions/s/messages", json=huge, headers={"X-API-Key": KEY})
    assert response.status_code == 413 and "2048" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body arrives in pieces
        yield b'{"text": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    chunked = secured.post(
        "/v1/sessions/s/messages", content=chunks(), headers={"X-API-Key": KEY, "Content-Type": "application/json"}
    )
    assert chunked.status_code == 413 and "2048" in chunked.json()["detail"]

    def small() -> Iterator[bytes]:
        yield b"{}"

    json_headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    assert secured.post("/v1/sessions", content=small(), headers=json_headers).status_code == 201
    preflight = secured.options(
        "/v1/feedback",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = secured.get("/health/live", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_ready_reports_model_and_metrics_count_requests(client: TestClient) -> None:
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "neo4j": "ok", "model": "loaded", "workers": "ok"}
    client.get("/v1/users/ml:1/recommendations?k=1")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    line = next(
        line
        for line in metrics.text.splitlines()
        if line.startswith("chatrec_http_requests_total{")
        and 'route="/v1/users/{user_id}/recommendations"' in line
        and 'status="200"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) >= 1


def test_without_a_model_ready_is_503_and_lists_fall_back_to_popularity(
    api_env: pytest.MonkeyPatch, tmp_path, planted: Planted
) -> None:
    api_env.setenv("CHATREC_MODEL_DIR", str(tmp_path / "none"))
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            ready = client.get("/health/ready")
            assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
            assert "does not exist" in ready.json()["model"]
            listing = client.get("/v1/users/ml:1/recommendations?k=3").json()
            assert listing["strategy"] == "popularity" and len(listing["recommendations"]) == 3
            assert client.get(f"/v1/items/{planted.items_by_group['crime'][0]}/similar").status_code == 503
    finally:
        api_env.setenv("CHATREC_MODEL_DIR", str(planted.model_dir))
        get_settings.cache_clear()


def test_neo4j_unreachable_is_503_with_retry_after(api_env: pytest.MonkeyPatch, planted: Planted) -> None:
    reachable = os.environ["CHATREC_NEO4J_URI"]
    api_env.setenv("CHATREC_NEO4J_URI", "bolt://127.0.0.1:1")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as client:
            for method, url, body in (
                ("GET", "/v1/users/ml:1/recommendations", None),
                ("GET", f"/v1/items/{planted.items_by_group['crime'][0]}", None),
                ("POST", "/v1/sessions", {}),
                ("POST", "/v1/feedback", {"user_id": "ml:1", "item_id": "ml:2", "signal": "accept"}),
            ):
                response = client.request(method, url, json=body)
                assert response.status_code == 503, (url, response.text)
                assert response.headers["Retry-After"] == "5" and "unreachable" in response.json()["detail"]
            assert client.get("/health/live").status_code == 200
    finally:
        api_env.setenv("CHATREC_NEO4J_URI", reachable)
        get_settings.cache_clear()


def test_admin_training_job_replaces_the_served_model(client: TestClient, planted: Planted) -> None:
    before = client.app.state.services.recommender.model
    queued = client.post("/v1/admin/train", json={"dim": 8, "num_layers": 1, "max_epochs": 5, "seed": 1})
    assert queued.status_code == 202
    job_id = queued.json()["job_id"]
    deadline = time.monotonic() + 120
    while (job := client.get(f"/v1/admin/jobs/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert job["status"] == "succeeded", job
    assert job["metrics"]["epochs"] <= 5 and job["finished"] >= job["started"]
    after = client.app.state.services.recommender.model
    assert after is not before and after.embeddings.shape[1] == 8
    assert client.get("/v1/users/ml:100/recommendations?k=3").json()["strategy"] == "embedding"
    assert client.post("/v1/admin/train", json={"dim": 0}).status_code == 422
    assert client.get("/v1/admin/jobs/unknown").status_code == 404


CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
APP = create_app()  # its schema is read now; its lifespan runs in `started_app`
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def started_app(api_env: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """APP with its lifespan run (driver open, model loaded) on the planted graph."""
    with TestClient(APP):
        yield APP


def test_invalid_requests_get_the_documented_422_and_booleans_are_strict(client: TestClient) -> None:
    session_id = client.post("/v1/sessions", json={}).json()["session_id"]
    for body in ({"text": "hi", "explain": 0}, {"text": "hi", "k": "10"}, {"text": ""}, {"text": "hi", "x": 1}):
        response = client.post(f"/v1/sessions/{session_id}/messages", json=body)
        assert response.status_code == 422, body
        payload = response.json()
        assert payload["detail"].startswith("Invalid request: ") and isinstance(payload["detail"], str)
        assert all(set(issue) == {"loc", "msg", "type"} for issue in payload["errors"])
    beyond_64_bits = client.get(f"/v1/sessions/{session_id}?after_seq={2**63}")  # Neo4j integers are 64-bit
    assert beyond_64_bits.status_code == 422 and "after_seq" in beyond_64_bits.text
    operation = client.get("/openapi.json").json()["paths"]["/v1/sessions/{session_id}/messages"]["post"]
    documented = operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert documented.endswith("/ValidationErrorOut")
    assert {"400", "401", "404", "409", "413", "503"} <= set(operation["responses"])


@SCHEMA.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_makes_the_server_fail_or_break_its_schema(case: schemathesis.Case, started_app: FastAPI) -> None:
    if case.path == "/v1/admin/train":
        return  # a training run per example would take minutes; covered by its own test above
    case.call_and_validate(checks=CONFORMANCE)
