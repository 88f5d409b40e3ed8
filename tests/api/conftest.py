"""A small movie graph with real-looking names and a tiny model trained on it, served by the real app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.services.training import train_and_publish
from core.config import get_settings
from gnn.train import TrainConfig
from graph.db import GraphStore
from graph.schema import clear_database, ensure_schema
from tests.conftest import Neo4jConnection

# Four taste groups: each has a genre, a director and movies; users of a group love that group's movies.
GROUPS: dict[str, dict[str, Any]] = {
    "crime": {
        "director": ("p:coen", "Joel Coen"),
        "movies": ["Fargo (1996)", "The Big Lebowski (1998)", "Blood Simple (1984)", "Miller's Crossing (1990)"],
    },
    "horror": {
        "director": ("p:carpenter", "John Carpenter"),
        "movies": ["Halloween (1978)", "The Thing (1982)", "The Fog (1980)", "Christine (1983)"],
    },
    "sci-fi": {
        "director": ("p:scott", "Ridley Scott"),
        "movies": ["Alien (1979)", "Blade Runner (1982)", "Prometheus (2012)", "The Martian (2015)"],
    },
    "comedy": {
        "director": ("p:ramis", "Harold Ramis"),
        "movies": ["Groundhog Day (1993)", "Caddyshack (1980)", "Analyze This (1999)", "Multiplicity (1996)"],
    },
}
FILLERS_PER_GROUP = 8
USERS_PER_GROUP = 12
RATED_PER_USER = 9
FAST = TrainConfig(
    dim=16, num_layers=2, lr=0.05, batch_size=512, max_epochs=40, patience=10, eval_every=5, device="cpu", seed=3
)


@dataclass(frozen=True)
class Planted:
    """What the fixture built: item ids per group, names, the trained model folder."""

    items_by_group: dict[str, list[str]]
    names: dict[str, str]
    model_dir: Path

    def group_of(self, item_id: str) -> str:
        return next(g for g, ids in self.items_by_group.items() if item_id in ids)


def build_graph(store: GraphStore) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Movies, genres, directors, an actress across two crime movies, a writer with an apostrophe, and users."""
    rng = np.random.default_rng(11)
    items, items_by_group, names = [], {}, {}
    number = 1
    for group, spec in GROUPS.items():
        titles = spec["movies"] + [f"{group.title()} Story {n} ({1985 + n})" for n in range(FILLERS_PER_GROUP)]
        ids = []
        for title in titles:
            item_id = f"ml:{number}"
            number += 1
            year = int(title[-5:-1])
            items.append({"id": item_id, "name": title, "title": title[:-7], "year": year, "genre": group})
            ids.append(item_id)
            names[item_id] = title
        items_by_group[group] = ids
    store.write(
        "UNWIND $items AS row MERGE (i:Item:Movie {id: row.id}) SET i.name = row.name, i.title = row.title, "
        "i.year = row.year MERGE (g:Genre {id: row.genre}) SET g.name = row.genre MERGE (i)-[:IN_GENRE]->(g)",
        items=items,
    )
    directed = [
        {"person": spec["director"][0], "name": spec["director"][1], "item": item_id}
        for group, spec in GROUPS.items()
        for item_id in items_by_group[group]
    ]
    store.write(
        "UNWIND $rows AS row MERGE (p:Person {id: row.person}) SET p.name = row.name "
        "WITH p, row MATCH (i:Item {id: row.item}) MERGE (p)-[:DIRECTED]->(i)",
        rows=directed,
    )
    fargo, blood_simple, alien = items_by_group["crime"][0], items_by_group["crime"][2], items_by_group["sci-fi"][0]
    store.write(
        "MERGE (p:Person {id: 'p:mcdormand'}) SET p.name = 'Frances McDormand' "
        "WITH p UNWIND $acted AS item_id MATCH (i:Item {id: item_id}) MERGE (p)-[:ACTED_IN]->(i)",
        acted=[fargo, blood_simple],
    )
    store.write(
        "MERGE (p:Person {id: $id}) SET p.name = $name WITH p MATCH (i:Item {id: $item}) MERGE (p)-[:WROTE]->(i)",
        id="p:o'bannon\\x",
        name="Dan O'Bannon",
        item=alien,
    )
    ratings = []
    for group_index, ids in enumerate(items_by_group.values()):
        for n in range(USERS_PER_GROUP):
            user_id = f"ml:{100 + group_index * USERS_PER_GROUP + n}"
            for position in rng.choice(len(ids), RATED_PER_USER, replace=False):
                ratings.append({"user": user_id, "item": ids[position], "rating": int(rng.integers(4, 6))})
            other = items_by_group[list(items_by_group)[(group_index + 1) % len(items_by_group)]]
            ratings.append({"user": user_id, "item": other[int(rng.integers(4, len(other)))], "rating": 2})
    store.write(
        "UNWIND $rows AS row MERGE (u:User {id: row.user}) WITH u, row MATCH (i:Item {id: row.item}) "
        "MERGE (u)-[r:RATED]->(i) SET r.rating = row.rating, r.ts = 1000",
        rows=ratings,
    )
    # The demo user: loved Fargo (the only Coen movie they saw) and liked two comedies.
    store.write(
        "MERGE (u:User {id: 'ml:1'}) WITH u UNWIND $rows AS row MATCH (i:Item {id: row.item}) "
        "MERGE (u)-[r:RATED]->(i) SET r.rating = row.rating, r.ts = 2000",
        rows=[
            {"item": fargo, "rating": 5},
            {"item": items_by_group["comedy"][4], "rating": 4},
            {"item": items_by_group["comedy"][5], "rating": 4},
        ],
    )
    store.write("MERGE (:User {id: 'ml:2'})")  # exists, has done nothing: cold start
    return items_by_group, names


@pytest.fixture(scope="module")
def planted(session_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Planted:
    """The small graph plus a model trained on it (embeddings written back for the vector index)."""
    clear_database(session_store)
    ensure_schema(session_store)
    items_by_group, names = build_graph(session_store)
    model_dir = tmp_path_factory.mktemp("model") / "current"
    train_and_publish(session_store, FAST, model_dir)  # trained, written back, published
    return Planted(items_by_group, names, model_dir)


@pytest.fixture(scope="module")
def api_env(planted: Planted, neo4j_connection: Neo4jConnection) -> Iterator[pytest.MonkeyPatch]:
    """Settings pointing at the test server and the trained model."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHATREC_NEO4J_URI", neo4j_connection.uri)
        patch.setenv("CHATREC_NEO4J_USER", neo4j_connection.user)
        patch.setenv("CHATREC_NEO4J_PASSWORD", neo4j_connection.password)
        patch.setenv("CHATREC_MODEL_DIR", str(planted.model_dir))
        patch.delenv("CHATREC_API_KEY", raising=False)
        get_settings.cache_clear()
        yield patch
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def client(api_env: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The real app (lifespan run: driver opened, model loaded) on the planted graph."""
    from api.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def assert_real_path(store: GraphStore, user_id: str, item_id: str, explanation: dict[str, Any]) -> None:
    """The explanation is a path from the user to the item that exists in Neo4j, hop by hop, and its Browser
    query returns exactly that path."""
    nodes, rels = explanation["nodes"], explanation["relationships"]
    assert (nodes[0]["label"], nodes[0]["id"]) == ("User", user_id)
    assert (nodes[-1]["label"], nodes[-1]["id"]) == ("Item", item_id)
    assert len(rels) == len(nodes) - 1 <= 4
    for position, rel in enumerate(rels):
        assert {rel["start"], rel["end"]} == {position, position + 1}
        start, end = nodes[rel["start"]], nodes[rel["end"]]
        found = store.read(
            "MATCH (a {id: $a})-[r]->(b {id: $b}) WHERE $a_label IN labels(a) AND $b_label IN labels(b) "
            "AND type(r) = $type RETURN coalesce(a.name, a.id) AS a_name, coalesce(b.name, b.id) AS b_name, "
            "properties(r) AS props",
            a=start["id"],
            b=end["id"],
            a_label=start["label"],
            b_label=end["label"],
            type=rel["type"],
        )
        assert len(found) == 1, f"no {rel['type']} from {start} to {end}"
        assert found[0]["a_name"] == start["name"] and found[0]["b_name"] == end["name"]
        for key, value in rel["properties"].items():
            assert found[0]["props"][key] == value
    shown = store.read(explanation["cypher"])  # what the Neo4j Browser would run
    assert len(shown) == 1
    path = shown[0]["path"]  # as plain data: node properties, relationship type, node properties, …
    assert [n["id"] for n in path[0::2]] == [n["id"] for n in nodes]
    assert path[1::2] == [r["type"] for r in rels]


@contextmanager
def serving(workers: int, timeout_s: float = 10.0) -> Iterator[httpx.Client]:
    """`chatrec serve --workers N` on a free port with the current settings (access log off), once /health/ready
    answers 200, and a client of it; stopped at the end."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "CHATREC_API_ACCESS_LOG": "false"}
    process = subprocess.Popen(command, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout_s) as client:
            deadline = time.monotonic() + 120
            while not _ready(client):
                assert process.poll() is None and time.monotonic() < deadline, "chatrec serve did not become ready"
                time.sleep(0.5)
            yield client
    finally:
        process.terminate()
        process.wait(30)


def _ready(client: httpx.Client) -> bool:
    try:
        return client.get("/health/ready").status_code == 200
    except httpx.HTTPError:
        return False
