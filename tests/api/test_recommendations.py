"""Recommendations, explanations, feedback and items through the real app on a real Neo4j with a trained model."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from graph.db import GraphStore
from tests.api.conftest import Planted, assert_real_path


def rated_by(store: GraphStore, user_id: str) -> set[str]:
    rows = store.read("MATCH (:User {id: $id})-[:RATED]->(i:Item) RETURN i.id AS id", id=user_id)
    return {row["id"] for row in rows}


def test_known_user_gets_unseen_items_of_their_taste_each_explained_by_real_paths(
    client: TestClient, planted: Planted, session_store: GraphStore
) -> None:
    user_id = "ml:100"  # a crime fan
    response = client.get(f"/v1/users/{user_id}/recommendations", params={"k": 6})
    assert response.status_code == 200
    body = response.json()
    assert body["strategy"] == "embedding"
    items = body["recommendations"]
    assert len(items) == 6
    ids = [item["item_id"] for item in items]
    assert len(set(ids)) == 6 and not set(ids) & rated_by(session_store, user_id)
    assert [item["score"] for item in items] == sorted((item["score"] for item in items), reverse=True)
    groups = Counter(planted.group_of(item_id) for item_id in ids[:3])
    assert groups["crime"] >= 2, groups  # the unseen crime movies come first
    for item in items:
        assert len(item["explanations"]) <= 3
        if planted.group_of(item["item_id"]) == "crime":  # the user's taste: paths through their liked movies
            assert item["explanations"]
        scores = [e["score"] for e in item["explanations"]]
        assert scores == sorted(scores, reverse=True)
        for explanation in item["explanations"]:
            assert_real_path(session_store, user_id, item["item_id"], explanation)
            assert explanation["text"].startswith("You ") and item["name"] in explanation["text"]


def test_explain_renders_the_director_path_in_one_sentence(
    client: TestClient, planted: Planted, session_store: GraphStore
) -> None:
    lebowski = planted.items_by_group["crime"][1]
    response = client.get("/v1/explain", params={"user_id": "ml:1", "item_id": lebowski})
    assert response.status_code == 200
    explanations = response.json()["explanations"]
    texts = [e["text"] for e in explanations]
    assert "You rated Fargo (1996) 5/5, directed by Joel Coen, who also directed The Big Lebowski (1998)." in texts
    for explanation in explanations:
        assert_real_path(session_store, "ml:1", lebowski, explanation)


def test_display_query_escapes_quotes_and_backslashes(
    client: TestClient, planted: Planted, session_store: GraphStore
) -> None:
    alien = planted.items_by_group["sci-fi"][0]
    session_store.write(
        "MATCH (u:User {id: 'ml:1'}), (i:Item {id: $alien}) MERGE (u)-[:FEEDBACK {signal: 'accept', ts: 1}]->(i)",
        alien=alien,
    )
    prometheus = planted.items_by_group["sci-fi"][2]
    session_store.write(
        "MATCH (p:Person {id: $person}), (i:Item {id: $item}) MERGE (p)-[:WROTE]->(i)",
        person="p:o'bannon\\x",
        item=prometheus,
    )
    try:
        explanations = client.get("/v1/explain", params={"user_id": "ml:1", "item_id": prometheus}).json()
        writer = [e for e in explanations["explanations"] if "Dan O'Bannon" in e["text"]]
        assert writer, explanations
        assert "{id: 'p:o\\'bannon\\\\x'}" in writer[0]["cypher"]
        assert writer[0]["text"] == (
            "You accepted Alien (1979), written by Dan O'Bannon, who also wrote Prometheus (2012)."
        )
        assert_real_path(session_store, "ml:1", prometheus, writer[0])
    finally:
        session_store.write("MATCH (:User {id: 'ml:1'})-[f:FEEDBACK]->() DELETE f")
        session_store.write(
            "MATCH (:Person {id: $person})-[w:WROTE]->(:Item {id: $item}) DELETE w",
            person="p:o'bannon\\x",
            item=prometheus,
        )


def test_constraints_filter_by_genre_and_year(client: TestClient, planted: Planted) -> None:
    only_horror = client.get("/v1/users/ml:100/recommendations", params={"k": 5, "genre": "horror", "explain": False})
    assert only_horror.status_code == 200
    items = only_horror.json()["recommendations"]
    assert len(items) == 5 and all(item["genres"] == ["horror"] for item in items)
    assert all(item["explanations"] is None for item in items)
    no_crime = client.get(
        "/v1/users/ml:100/recommendations", params={"k": 10, "exclude_genre": "crime", "explain": False}
    ).json()["recommendations"]
    assert no_crime and all("crime" not in item["genres"] for item in no_crime)
    eighties = client.get(
        "/v1/users/ml:100/recommendations", params={"k": 10, "year_min": 1980, "year_max": 1989, "explain": False}
    ).json()["recommendations"]
    assert eighties and all(1980 <= item["year"] <= 1989 for item in eighties)


def test_reject_and_accept_change_the_very_next_answer(
    client: TestClient, planted: Planted, session_store: GraphStore
) -> None:
    user_id = "ml:112"  # a horror fan
    first = [
        i["item_id"]
        for i in client.get(f"/v1/users/{user_id}/recommendations?k=5&explain=false").json()["recommendations"]
    ]
    rejected, accepted = first[0], first[1]
    for item_id, signal in ((rejected, "reject"), (accepted, "accept")):
        response = client.post("/v1/feedback", json={"user_id": user_id, "item_id": item_id, "signal": signal})
        assert response.status_code == 201
        assert response.json() == {"user_id": user_id, "item_id": item_id, "signal": signal}
    second = [
        i["item_id"]
        for i in client.get(f"/v1/users/{user_id}/recommendations?k=5&explain=false").json()["recommendations"]
    ]
    assert len(second) == 5 and rejected not in second and accepted not in second
    stored = session_store.read(
        "MATCH (:User {id: $u})-[f:FEEDBACK]->(i:Item) RETURN i.id AS id, f.signal AS signal, f.ts AS ts", u=user_id
    )
    assert {(r["id"], r["signal"]) for r in stored} == {(rejected, "reject"), (accepted, "accept")}
    # Changing one's mind overwrites the signal instead of adding a second relationship.
    client.post("/v1/feedback", json={"user_id": user_id, "item_id": rejected, "signal": "accept"})
    count = session_store.read("MATCH (:User {id: $u})-[f:FEEDBACK]->() RETURN count(f) AS n", u=user_id)
    assert count[0]["n"] == 2


def test_feedback_errors(client: TestClient, planted: Planted) -> None:
    item_id = planted.items_by_group["crime"][0]
    unknown_user = client.post("/v1/feedback", json={"user_id": "ml:9999", "item_id": item_id, "signal": "reject"})
    assert unknown_user.status_code == 404 and "ml:9999" in unknown_user.json()["detail"]
    unknown_item = client.post("/v1/feedback", json={"user_id": "ml:1", "item_id": "ml:9999", "signal": "reject"})
    assert unknown_item.status_code == 404 and "Item" in unknown_item.json()["detail"]
    bad_signal = client.post("/v1/feedback", json={"user_id": "ml:1", "item_id": item_id, "signal": "love"})
    assert bad_signal.status_code == 422
    assert bad_signal.json()["detail"].startswith("Invalid request: signal:")


def test_cold_start_users(client: TestClient, planted: Planted, session_store: GraphStore) -> None:
    popular = client.get("/v1/users/ml:2/recommendations?k=3").json()
    assert popular["strategy"] == "popularity"
    most_rated = session_store.read(
        "MATCH (i:Item) RETURN i.id AS id, COUNT { (i)<-[:RATED]-() } AS n ORDER BY n DESC, id LIMIT 3"
    )
    assert [i["item_id"] for i in popular["recommendations"]] == [r["id"] for r in most_rated]
    # A dialogue preference alone (no ratings) steers the list: a liked director pulls his movies up.
    session_store.write(
        "MERGE (u:User {id: 'anon:test'}) WITH u MATCH (p:Person {id: 'p:scott'}) "
        "MERGE (u)-[:PREFERS {polarity: 'like', weight: 0.9, source: 'dialogue'}]->(p)"
    )
    steered = client.get("/v1/users/anon:test/recommendations?k=4").json()
    assert steered["strategy"] == "dialogue"
    ids = [i["item_id"] for i in steered["recommendations"]]
    assert Counter(planted.group_of(i) for i in ids)["sci-fi"] >= 3
    for item in steered["recommendations"]:
        for explanation in item["explanations"]:
            assert_real_path(session_store, "anon:test", item["item_id"], explanation)
    assert any(
        "You said you like Ridley Scott, who directed" in e["text"]
        for e in steered["recommendations"][0]["explanations"]
    )


def test_unknown_user_and_item_are_404_and_bad_parameters_422(client: TestClient) -> None:
    assert client.get("/v1/users/ml:9999/recommendations").status_code == 404
    assert client.get("/v1/items/ml:9999").status_code == 404
    assert client.get("/v1/items/ml:9999/similar").status_code == 404
    assert client.get("/v1/explain", params={"user_id": "ml:1", "item_id": "ml:9999"}).status_code == 404
    assert client.get("/v1/explain", params={"user_id": "ml:9999", "item_id": "ml:1"}).status_code == 404
    bad = client.get("/v1/users/ml:1/recommendations", params={"k": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"] == "Invalid request: query.k: Input should be greater than or equal to 1."


def test_item_details_and_similar_items(client: TestClient, planted: Planted) -> None:
    fargo = planted.items_by_group["crime"][0]
    details = client.get(f"/v1/items/{fargo}").json()
    assert details["name"] == "Fargo (1996)" and details["year"] == 1996
    assert details["genres"] == [{"id": "crime", "name": "crime"}]
    assert {(p["name"], p["role"]) for p in details["people"]} == {
        ("Joel Coen", "DIRECTED"),
        ("Frances McDormand", "ACTED_IN"),
    }
    similar = client.get(f"/v1/items/{fargo}/similar", params={"k": 5})
    assert similar.status_code == 200
    hits = similar.json()
    assert len(hits) == 5 and fargo not in [h["item_id"] for h in hits]
    assert all(h["name"] == planted.names[h["item_id"]] for h in hits)
    assert Counter(planted.group_of(h["item_id"]) for h in hits)["crime"] >= 4


def test_lists_from_the_vector_index_equal_the_exact_lists(planted: Planted, session_store: GraphStore) -> None:
    from api.services.recommender import Recommender
    from core.types import Constraints
    from gnn.model_store import load

    model = load(planted.model_dir)
    exact, indexed = Recommender(session_store, model), Recommender(session_store, model, index_min_items=0)
    never = Recommender(session_store, model, index_min_items=model.index.count("Item") + 1)
    for user_id in ("ml:100", "ml:113", "ml:130"):
        for constraints in (Constraints(), Constraints(genres_excluded=("crime",))):
            lists = [
                [r.item_id for r in recommender.recommend(user_id, 6, constraints, explain=False).recommendations]
                for recommender in (exact, indexed, never)
            ]
            assert len(lists[0]) == 6 and lists[0] == lists[1] == lists[2], (user_id, constraints, lists)
    assert indexed._index_candidates(indexed.scorer(), indexed.context("ml:100"), 6, Constraints()) is not None
    assert never._index_candidates(never.scorer(), never.context("ml:100"), 6, Constraints()) is None
