"""The optional LLM rerank of the top candidates, against a real OpenAI-compatible HTTP server on localhost: the
model's order is used, invented ids are dropped, failures keep the GNN order, a missing backend is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from core.config import get_settings
from nlu.llm import LLMConfigError
from tests.api.conftest import Planted
from tests.llm_server import MODEL, ScriptedServer, Step

USER = "ml:100"  # a crime-group user with ratings


def recommended(client: TestClient, k: int = 5) -> list[str]:
    response = client.get(f"/v1/users/{USER}/recommendations", params={"k": k, "explain": "false"})
    assert response.status_code == 200, response.text
    return [r["item_id"] for r in response.json()["recommendations"]]


@pytest.fixture
def reranking(api_env: pytest.MonkeyPatch, llm_server: ScriptedServer) -> Iterator[TestClient]:
    settings = {
        "CHATREC_LLM_BACKEND": "openai",
        "CHATREC_LLM_BASE_URL": llm_server.base_url,
        "CHATREC_LLM_MODEL": MODEL,
        "CHATREC_LLM_API_KEY": "sk-test",
        "CHATREC_LLM_MAX_RETRIES": "0",
        "CHATREC_LLM_TIMEOUT_S": "2",
        "CHATREC_LLM_RERANK": "true",
    }
    for name, value in settings.items():
        api_env.setenv(name, value)
    get_settings.cache_clear()
    with TestClient(create_app()) as client:
        yield client
    for name in settings:
        api_env.delenv(name)
    get_settings.cache_clear()


def test_the_llm_order_is_used_and_validated(
    client: TestClient, reranking: TestClient, llm_server: ScriptedServer, planted: Planted
) -> None:
    gnn_order = recommended(client)
    last = gnn_order[-1]
    llm_server.script(Step(json.dumps({"order": ["ml:99999", last, last, "'}) DETACH DELETE n //"]})))
    assert recommended(reranking) == [last, *gnn_order[:-1]]  # the rest keep the GNN order

    (request,) = llm_server.requests
    prompt = json.loads(request["json"]["messages"][-1]["content"])
    assert [c["id"] for c in prompt["candidates"]][:5] == gnn_order  # the top 20 go to the model
    assert len(prompt["candidates"]) == 20
    assert {c["title"] for c in prompt["candidates"][:5]} == {planted.names[i] for i in gnn_order}
    assert any(name in prompt["likes"] for name in ("Fargo (1996)", "The Big Lebowski (1998)", "Blood Simple (1984)"))


def test_a_failing_llm_keeps_the_gnn_order(
    client: TestClient, reranking: TestClient, llm_server: ScriptedServer
) -> None:
    gnn_order = recommended(client)
    llm_server.script(Step(status=500, body=b'{"error": {"message": "down"}}'))
    assert recommended(reranking) == gnn_order
    llm_server.script(Step("not json at all"))
    assert recommended(reranking) == gnn_order


def test_rerank_without_an_llm_backend_is_refused(api_env: pytest.MonkeyPatch) -> None:
    api_env.setenv("CHATREC_LLM_RERANK", "true")
    get_settings.cache_clear()
    try:
        with pytest.raises(LLMConfigError, match="needs an LLM backend"), TestClient(create_app()):
            pass
    finally:
        api_env.delenv("CHATREC_LLM_RERANK")
        get_settings.cache_clear()
