"""What API users expect beyond a list: the other speaker's words recorded, item search, pages that page,
many users in one call, "why 2", and the typed client that does all of it (real app, real Neo4j)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.client import ChatRecClient, ChatRecHTTPError
from graph.db import GraphStore
from tests.api.conftest import Planted


@pytest.fixture
def api(client: TestClient) -> ChatRecClient:
    return ChatRecClient(http=client)


def test_an_agents_words_are_recorded_unanswered_and_the_user_replies_to_its_offer(
    api: ChatRecClient, planted: Planted, session_store: GraphStore
) -> None:
    session = api.start_session()
    alien, blade_runner = planted.items_by_group["sci-fi"][:2]
    offer = api.record(session.session_id, "Hi! Have you seen Alien or Blade Runner?", role="assistant")
    assert offer.role == "assistant" and offer.turn == 1
    assert [m.node_id for m in offer.parse.mentions] == [alien, blade_runner]
    reply = api.record(session.session_id, "I loved the second one", role="user")
    assert reply.turn == 2 and (blade_runner, "like") in {(m.node_id, m.polarity) for m in reply.parse.mentions}
    detail = api.session(session.session_id)
    assert [(t.role, t.status) for t in detail.turns] == [("assistant", None), ("user", None)]  # nothing answered
    liked = session_store.read(
        "MATCH (:User {id: $user})-[p:PREFERS {polarity: 'like'}]->(i:Item) RETURN i.id AS id", user=session.user_id
    )
    assert [row["id"] for row in liked] == [blade_runner]  # the agent's words changed no preference of the user
    answer = api.send(session.session_id, "recommend me something", k=3)
    assert answer.turn == 3 and answer.recommendations


def test_agent_is_an_alias_of_assistant_and_a_reused_turn_id_is_idempotent(client: TestClient) -> None:
    session_id = client.post("/v1/sessions", json={}).json()["session_id"]
    body = {"text": "How about Fargo?", "role": "agent", "turn_id": "agent-1"}
    first = client.post(f"/v1/sessions/{session_id}/messages", json=body)
    again = client.post(f"/v1/sessions/{session_id}/messages", json=body)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["role"] == "assistant"
    other = client.post(f"/v1/sessions/{session_id}/messages", json={**body, "text": "How about Alien?"})
    assert other.status_code == 409
    assert client.get(f"/v1/sessions/{session_id}").json()["turn_count"] == 1
    bad = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "hi", "role": "narrator"})
    assert bad.status_code == 422 and "role" in bad.json()["detail"]


def test_why_2_explains_the_second_item_of_the_list(api: ChatRecClient, planted: Planted) -> None:
    session = api.start_session()
    listed = api.send(session.session_id, "I loved Fargo", k=3)
    second = listed.recommendations[1].item_id
    why = api.send(session.session_id, "why 2")
    assert why.parse.intent == "explain" and [e.item_id for e in why.explanations] == [second]
    assert why.explanations[0].explanations and why.reply == why.explanations[0].explanations[0].text


def test_search_finds_items_by_lower_case_and_misspelled_words_and_pages_on(
    api: ChatRecClient, planted: Planted
) -> None:
    fargo, lebowski = planted.items_by_group["crime"][:2]
    assert api.search_items("fargo").items[0].item_id == fargo
    assert api.search_items("big lebowsky").items[0].item_id == lebowski  # one letter off
    first = api.search_items("story", limit=5)
    assert len(first.items) == 5 and first.next_offset == 5
    second = api.search_items("story", limit=5, offset=5)
    assert not {i.item_id for i in first.items} & {i.item_id for i in second.items}
    whole = api.search_items("story", limit=100)
    assert [i.item_id for i in whole.items[:10]] == [i.item_id for i in first.items + second.items]
    assert whole.next_offset is None and len(whole.items) == 4 * 8  # every filler, nothing else
    assert api.search_items("???").items == []


def test_search_and_pages_reject_bad_parameters(client: TestClient) -> None:
    for query in ("/v1/items", "/v1/items?q=", "/v1/items?q=x&limit=0", "/v1/users/ml:1/recommendations?offset=-1"):
        answer = client.get(query)
        assert answer.status_code == 422, query
        assert answer.json()["detail"].startswith("Invalid request")


def test_recommendation_pages_continue_the_ranking(api: ChatRecClient) -> None:
    whole = api.recommendations("ml:1", k=6, explain=False)
    first = api.recommendations("ml:1", k=3)
    second = api.recommendations("ml:1", k=3, offset=3)
    assert [r.item_id for r in first.recommendations + second.recommendations] == [
        r.item_id for r in whole.recommendations
    ]
    assert (first.offset, first.next_offset, second.offset) == (0, 3, 3)
    assert all(r.explanations for r in second.recommendations)  # a later page is explained too
    similar = api.similar(whole.recommendations[0].item_id, k=4)
    paged = api.similar(whole.recommendations[0].item_id, k=2, offset=2)
    assert [s.item_id for s in paged] == [s.item_id for s in similar[2:]]


def test_batch_recommendations_answer_each_user_and_list_unknown_ones_apart(api: ChatRecClient) -> None:
    batch = api.batch_recommendations(["ml:112", "ml:1", "nobody"], k=3)
    assert [r.user_id for r in batch.results] == ["ml:112", "ml:1"]
    assert batch.unknown_user_ids == ["nobody"]
    single = api.recommendations("ml:112", k=3, explain=False)
    assert [r.item_id for r in batch.results[0].recommendations] == [r.item_id for r in single.recommendations]
    assert all(r.explanations is None for r in batch.results[0].recommendations)
    with pytest.raises(ChatRecHTTPError) as repeated:
        api.batch_recommendations(["ml:1", "ml:1"])
    assert repeated.value.status == 422 and "distinct" in repeated.value.detail


def test_the_client_reports_errors_with_the_servers_sentence(api: ChatRecClient) -> None:
    with pytest.raises(ChatRecHTTPError) as missing:
        api.send("no-such-session", "hello")
    assert missing.value.status == 404 and "no-such-session" in missing.value.detail
    assert api.ready()
