"""Health probes through the real app and the real Neo4j."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.config import get_settings


def test_live_and_ready_without_a_model(app_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from api.main import app

    monkeypatch.setenv("CHATREC_MODEL_DIR", str(tmp_path / "no-model"))
    get_settings.cache_clear()
    with TestClient(app) as client:
        assert client.get("/health/live").json() == {"status": "ok"}
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
        assert ready.json()["neo4j"] == "ok" and "train a model first" in ready.json()["model"]


def test_ready_is_503_with_retry_after_when_neo4j_is_down(app_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.main import app

    monkeypatch.setenv("CHATREC_NEO4J_URI", "bolt://127.0.0.1:1")
    get_settings.cache_clear()
    with TestClient(app) as client:
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.headers["Retry-After"] == "5"
        assert "unreachable" in ready.json()["neo4j"]
        assert client.get("/health/live").status_code == 200


def test_stats_endpoint_counts_the_graph(app_env: None, store) -> None:
    from api.main import app

    store.write("CREATE (:User {id: 'u1'})-[:RATED {rating: 5}]->(:Item {id: 'i1', name: 'X'})")
    with TestClient(app) as client:
        body = client.get("/v1/stats").json()
    assert body == {"nodes": {"Item": 1, "User": 1}, "relationships": {"RATED": 1}}
