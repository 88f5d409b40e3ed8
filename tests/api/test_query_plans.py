"""Every query a request runs keeps its cached plan (`graph.db.STABLE_PLAN`): Neo4j would otherwise plan it again
whenever the counts it was planned with drift, which dialogue traffic does within a minute (0.5-1 s a replan)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import neo4j
import pytest
from fastapi.testclient import TestClient

from api.services.recommender import Recommender
from gnn.model_store import load
from graph.db import STABLE_PLAN, GraphStore
from tests.api.conftest import Planted


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The text of every query sent to Neo4j while the test runs (the queries still run on the real server)."""
    sent: list[str] = []

    def recorded(original: Any) -> Any:
        def run(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(query.text if isinstance(query, neo4j.Query) else str(query))
            return original(self, query, *args, **kwargs)

        return run

    monkeypatch.setattr(neo4j.ManagedTransaction, "run", recorded(neo4j.ManagedTransaction.run))
    monkeypatch.setattr(neo4j.Driver, "execute_query", recorded(neo4j.Driver.execute_query))
    yield sent


def test_lists_turns_explanations_and_feedback_run_only_stable_plan_queries(
    client: TestClient, planted: Planted, queries: list[str]
) -> None:
    crime = planted.items_by_group["crime"]
    assert client.get("/v1/users/ml:1/recommendations?k=5").status_code == 200
    assert client.get("/v1/users/ml:1/recommendations?k=5&offset=5").status_code == 200
    filtered = "/v1/users/ml:1/recommendations?k=5&genre=drama&exclude_genre=horror&year_min=1990"
    assert client.get(filtered).status_code == 200
    assert client.get(f"/v1/explain?user_id=ml:1&item_id={crime[0]}").status_code == 200
    assert client.get(f"/v1/items/{crime[0]}/similar", params={"k": 3}).status_code == 200
    feedback = {"user_id": "ml:1", "item_id": crime[1], "signal": "accept"}
    assert client.post("/v1/feedback", json=feedback).status_code == 201
    assert client.get("/v1/items", params={"q": planted.names[crime[2]].lower()[:-1]}).status_code == 200  # a typo
    session_id = client.post("/v1/sessions", json={}).json()["session_id"]
    for text in (f"I loved {planted.names[crime[0]]}", "why?", "not that one", "hello"):
        assert client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).status_code == 200, text
    assert len(queries) > 20
    unstable = [query.strip()[:80] for query in queries if not query.startswith(STABLE_PLAN)]
    assert unstable == []


def test_lists_from_the_vector_index_run_only_stable_plan_queries(
    planted: Planted, session_store: GraphStore, queries: list[str]
) -> None:
    model = load(planted.model_dir)
    indexed = Recommender(session_store, model, index_min_items=0)
    indexed.warm_up(every_filter=False)  # the catalog-wide reads of a model, once, as the service does at start
    queries.clear()
    assert len(indexed.recommend("ml:100", 5).recommendations) == 5
    assert any("db.index.vector.queryNodes" in query for query in queries)  # the list came from the index
    assert [query.strip()[:80] for query in queries if not query.startswith(STABLE_PLAN)] == []
