"""The app under faults, on the real Neo4j: frozen and dead servers answer 503 within the deadline while the probes
stay fast, the same app recovers, and a message exchange is one retry-safe unit (a client turn id; a reply linked
to its turn; a failed or abandoned turn completed by its retry)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from core.config import get_settings
from core.types import Intent, Parse, Role
from graph.db import GraphStore
from graph.dialogue import TurnStatus, record_turn
from tests.conftest import Neo4jProcess

DEADLINE_S = 1.5  # the product's default


@pytest.fixture(scope="module")
def faulty(api_env: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The real app with the default Neo4j deadline and a one-second breaker; server errors come back as 500s."""
    api_env.setenv("CHATREC_NEO4J_TIMEOUT_S", str(DEADLINE_S))
    api_env.setenv("CHATREC_NEO4J_BREAKER_RESET_S", "1.0")
    get_settings.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    for name in ("CHATREC_NEO4J_TIMEOUT_S", "CHATREC_NEO4J_BREAKER_RESET_S"):
        api_env.delenv(name)
    get_settings.cache_clear()


def _timed(client: TestClient, method: str, url: str, **kwargs: Any) -> tuple[int, float]:
    started = time.monotonic()
    response = client.request(method, url, **kwargs)
    return response.status_code, time.monotonic() - started


def _recovers(client: TestClient, within_s: float) -> float:
    """Seconds until a list comes back 200 again (fails the test after `within_s`)."""
    started = time.monotonic()
    while client.get("/v1/users/ml:1/recommendations?k=3&explain=false").status_code != 200:
        assert time.monotonic() - started < within_s, f"no recovery within {within_s} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_frozen_neo4j_gives_503_within_the_deadline_and_probes_still_answer(
    faulty: TestClient, neo4j_process: Neo4jProcess
) -> None:
    assert faulty.get("/v1/users/ml:1/recommendations?k=3").status_code == 200
    results: list[tuple[int, float]] = []

    def request() -> None:
        results.append(_timed(faulty, "GET", "/v1/users/ml:1/recommendations?k=5"))

    with neo4j_process.frozen():
        threads = [threading.Thread(target=request) for _ in range(12)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        live = [_timed(faulty, "GET", "/health/live") for _ in range(5)]  # while every request waits on Neo4j
        metrics = _timed(faulty, "GET", "/metrics")
        for thread in threads:
            thread.join(timeout=10)
        ready = faulty.get("/health/ready")
        fast = _timed(faulty, "POST", "/v1/sessions", json={})  # the circuit is open now
    assert sorted({code for code, _ in results}) == [503], results
    assert max(wait for _, wait in results) < 2.0, results
    assert all(code == 200 and wait < 0.1 for code, wait in live), live
    assert metrics[0] == 200 and metrics[1] < 0.1
    assert ready.status_code == 503 and ready.headers["Retry-After"] == "5" and ready.json()["neo4j"] != "ok"
    assert fast[0] == 503 and fast[1] < 0.05, fast
    assert _recovers(faulty, within_s=5.0) < 5.0
    _ready_within(faulty, 20.0)  # the queries are planned again meanwhile


def _ready_within(client: TestClient, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (ready := client.get("/health/ready")).status_code != 200:
        assert time.monotonic() < deadline, ready.json()
        time.sleep(0.2)


def test_dead_neo4j_gives_503_fast_and_the_app_recovers_without_a_restart(
    faulty: TestClient, neo4j_process: Neo4jProcess
) -> None:
    neo4j_process.kill()
    try:
        answers = [_timed(faulty, "GET", "/v1/users/ml:1/recommendations?k=5") for _ in range(6)]
        turn = _timed(faulty, "POST", "/v1/sessions", json={})
        ready = _timed(faulty, "GET", "/health/ready")
    finally:
        neo4j_process.restart()
    assert {code for code, _ in answers} == {503} and turn[0] == 503 and ready[0] == 503
    assert max(wait for _, wait in answers) < 2.0, answers
    assert max(wait for _, wait in answers[3:]) < 0.05, answers  # refused by the open circuit
    assert ready[1] < 1.5
    # A restarted server answers its first queries slowly (a cold JVM and page cache; ~10 s once on a busy CI box):
    # each then misses the deadline and reopens the circuit until one is in time. Recovery is what this asserts.
    _recovers(faulty, within_s=30.0)
    _ready_within(faulty, 20.0)  # the queries are planned again meanwhile
    session_id = faulty.post("/v1/sessions", json={}).json()["session_id"]
    for text in ("I loved Fargo", "and Alien"):  # every call within its deadline, the second turn a warm one
        turn = _timed(faulty, "POST", f"/v1/sessions/{session_id}/messages", json={"text": text})
        assert turn[0] == 200, turn
    assert turn[1] < DEADLINE_S, turn


def _session(client: TestClient) -> str:
    return client.post("/v1/sessions", json={"user_id": "ml:2"}).json()["session_id"]


def _turns(client: TestClient, session_id: str) -> list[dict[str, Any]]:
    return client.get(f"/v1/sessions/{session_id}?limit=1000").json()["turns"]


def _assert_one_exchange(turns: list[dict[str, Any]], turn_id: str) -> None:
    """Exactly one user turn with this id, answered, and exactly one reply, linked to it."""
    users = [t for t in turns if t["turn_id"] == turn_id]
    replies = [t for t in turns if t["reply_to"] == turn_id]
    assert len(users) == 1 and users[0]["status"] == "answered", users
    assert len(replies) == 1 and replies[0]["role"] == "assistant" and replies[0]["seq"] > users[0]["seq"]


def test_the_same_turn_id_again_returns_the_stored_answer_and_writes_nothing(faulty: TestClient) -> None:
    session_id = _session(faulty)
    body = {"text": "I loved Fargo, something like it?", "turn_id": "turn-1"}
    first = faulty.post(f"/v1/sessions/{session_id}/messages", json=body)
    assert first.status_code == 200 and first.json()["recommendations"]
    again = faulty.post(f"/v1/sessions/{session_id}/messages", json=body)
    assert again.status_code == 200 and again.json() == first.json()
    turns = _turns(faulty, session_id)
    assert len(turns) == 2
    _assert_one_exchange(turns, "turn-1")
    other = faulty.post(f"/v1/sessions/{session_id}/messages", json={"text": "no, horror", "turn_id": "turn-1"})
    assert other.status_code == 409 and "another text" in other.json()["detail"]
    elsewhere = faulty.post(f"/v1/sessions/{_session(faulty)}/messages", json=body)
    assert elsewhere.status_code == 409 and "another session" in elsewhere.json()["detail"]
    assert len(_turns(faulty, session_id)) == 2
    bad = faulty.post(f"/v1/sessions/{session_id}/messages", json={"text": "hi", "turn_id": "a#reply"})
    assert bad.status_code == 422 and "turn_id" in bad.json()["detail"]


@contextmanager
def _recommender_crashes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Within the block, producing a list fails as a bug in the worker would (after the user turn is recorded)."""

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the worker lost its model mid-turn")

    with monkeypatch.context() as patch:
        patch.setattr(client.app.state.services.recommender, "recommend", crash)
        yield


def test_a_reply_that_failed_is_marked_and_its_retry_completes_the_turn(
    faulty: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = _session(faulty)
    body = {"text": "I loved Fargo", "turn_id": "turn-crash"}
    with _recommender_crashes(faulty, monkeypatch):
        assert faulty.post(f"/v1/sessions/{session_id}/messages", json=body).status_code == 500
    (half,) = _turns(faulty, session_id)
    assert half["status"] == "failed" and half["turn_id"] == "turn-crash"
    retried = faulty.post(f"/v1/sessions/{session_id}/messages", json=body)
    assert retried.status_code == 200 and retried.json()["turn"] == 1 and retried.json()["recommendations"]
    turns = _turns(faulty, session_id)
    assert len(turns) == 2
    _assert_one_exchange(turns, "turn-crash")


def test_a_turn_left_pending_by_a_dead_worker_is_completed_by_its_retry(
    faulty: TestClient, session_store: GraphStore
) -> None:
    session_id = _session(faulty)
    # What a worker killed between the two transactions leaves behind: the user turn, pending, and no reply.
    record_turn(
        session_store,
        session_id,
        Parse(text="anything with Frances McDormand?", intent=Intent.PREFERENCE),
        turn_id="turn-killed",
        role=Role.USER,
        status=TurnStatus.PENDING,
    )
    (pending,) = _turns(faulty, session_id)
    assert pending["status"] == "pending"
    body = {"text": "anything with Frances McDormand?", "turn_id": "turn-killed"}
    retried = faulty.post(f"/v1/sessions/{session_id}/messages", json=body)
    assert retried.status_code == 200 and retried.json()["turn"] == 1
    _assert_one_exchange(_turns(faulty, session_id), "turn-killed")


def test_concurrent_retries_of_one_turn_write_one_exchange_and_agree(faulty: TestClient) -> None:
    session_id = _session(faulty)
    body = {"text": "I loved Alien, more like it", "turn_id": "turn-raced"}
    answers: list[Any] = []

    def send() -> None:
        response = faulty.post(f"/v1/sessions/{session_id}/messages", json=body)
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [code for code, _ in answers] == [200] * 4
    assert all(answer == answers[0][1] for _, answer in answers)
    turns = _turns(faulty, session_id)
    assert len(turns) == 2
    _assert_one_exchange(turns, "turn-raced")


def test_session_reads_are_paginated(faulty: TestClient) -> None:
    session_id = _session(faulty)
    for n in range(5):
        assert faulty.post(f"/v1/sessions/{session_id}/messages", json={"text": f"hello {n}"}).status_code == 200
    seen, after, pages = [], 0, 0
    while after is not None:
        page = faulty.get(f"/v1/sessions/{session_id}?after_seq={after}&limit=3").json()
        assert page["turn_count"] == 10 and len(page["turns"]) <= 3
        seen += [turn["seq"] for turn in page["turns"]]
        after, pages = page["next_after_seq"], pages + 1
    assert seen == list(range(1, 11)) and pages == 4
    replies = {t["reply_to"] for t in _turns(faulty, session_id) if t["role"] == "assistant"}
    users = {t["turn_id"] for t in _turns(faulty, session_id) if t["role"] == "user"}
    assert replies == users  # every reply says which turn it answers
    assert faulty.get(f"/v1/sessions/{session_id}?after_seq=10").json()["turns"] == []
    assert faulty.get(f"/v1/sessions/{session_id}?limit=0").status_code == 422


def test_a_retry_answers_the_turn_as_it_was_recorded_not_against_a_newer_offer(
    faulty: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = _session(faulty)
    first = faulty.post(f"/v1/sessions/{session_id}/messages", json={"text": "I loved Fargo"}).json()
    offered = first["recommendations"][0]["item_id"]
    rejection = {"text": "no, not that one", "turn_id": "turn-reject"}
    with _recommender_crashes(faulty, monkeypatch):
        assert faulty.post(f"/v1/sessions/{session_id}/messages", json=rejection).status_code == 500
    newer = faulty.post(f"/v1/sessions/{session_id}/messages", json={"text": "I loved Alien"}).json()
    assert newer["recommendations"][0]["item_id"] != offered
    retried = faulty.post(f"/v1/sessions/{session_id}/messages", json=rejection).json()
    rejected = [m["node_id"] for m in retried["parse"]["mentions"]]
    assert rejected == [offered]  # the film offered before the turn, as recorded, not the newer list's top
    assert offered not in [r["item_id"] for r in retried["recommendations"]]
