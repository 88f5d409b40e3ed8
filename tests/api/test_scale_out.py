"""Beyond one machine: API replicas share nothing but Neo4j (one session served by two `chatrec serve` processes in
turn loses no turn), and the driver works through a `neo4j://` routing URI."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from api.deps import open_store
from core.config import get_settings
from tests.api.conftest import Planted, serving
from tests.conftest import Neo4jConnection


def test_two_replicas_serve_one_session_in_turn_without_losing_a_turn(
    api_env: pytest.MonkeyPatch, planted: Planted
) -> None:
    fargo = planted.names[planted.items_by_group["crime"][0]]
    utterances = [f"I loved {fargo}", "something with Frances McDormand", "no horror please", "any comedies?"]
    with ExitStack() as stack:
        first, second = (stack.enter_context(serving(workers=1)) for _ in range(2))
        created = first.post("/v1/sessions", json={})
        assert created.status_code == 201
        session_id = created.json()["session_id"]
        answers = []
        for n, text in enumerate(utterances):
            server = (first, second)[n % 2]
            response = server.post(f"/v1/sessions/{session_id}/messages", json={"text": text, "k": 5})
            assert response.status_code == 200, response.text
            answers.append(response.json())
        assert [answer["turn"] for answer in answers] == [1, 3, 5, 7]  # each user turn and its reply, in order
        # The second replica's list knows what the user told the first: Fargo is liked, so never offered again.
        assert all(fargo not in [r["name"] for r in answer["recommendations"]] for answer in answers[1:])
        for server in (first, second):
            detail = server.get(f"/v1/sessions/{session_id}").json()
            users = [turn["text"] for turn in detail["turns"] if turn["role"] == "user"]
            assert users == utterances and detail["turn_count"] == 8


def test_the_driver_routes_through_a_neo4j_uri(
    neo4j_connection: Neo4jConnection, api_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATREC_NEO4J_URI", neo4j_connection.uri.replace("bolt://", "neo4j://"))
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.neo4j_uri.startswith("neo4j://")
    with open_store(settings) as store:  # writes go to the leader, reads to a follower: here the one server
        store.write("MERGE (n:RoutingProbe {id: 'probe'}) SET n.seen = coalesce(n.seen, 0) + 1")
        assert store.read("MATCH (n:RoutingProbe {id: 'probe'}) RETURN n.seen AS seen")[0]["seen"] >= 1
        store.write("MATCH (n:RoutingProbe) DELETE n")
    get_settings.cache_clear()
