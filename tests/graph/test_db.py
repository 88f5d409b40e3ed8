"""The store's deadlines, circuit breaker and error types, against the real server: frozen, dead and back."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from core.errors import ConflictError
from graph.db import BreakerPolicy, CircuitBreaker, Deadlines, GraphStore
from graph.errors import GraphQueryError, GraphUnavailableError
from tests.conftest import Neo4jConnection, Neo4jProcess

REQUEST = Deadlines(call_s=1.0, long_s=5.0, retry_s=0.5, connect_s=0.5, acquire_s=1.0)


@pytest.fixture
def bounded(neo4j_connection: Neo4jConnection) -> Iterator[GraphStore]:
    """A store configured as the API's: one-second calls, a breaker after three failures, one second open."""
    with GraphStore(
        neo4j_connection.uri,
        neo4j_connection.user,
        neo4j_connection.password,
        deadlines=REQUEST,
        breaker=BreakerPolicy(failures=3, reset_s=1.0),
    ) as store:
        with store.long_calls():  # a freshly started server plans its first query in over a second
            store.read("RETURN 1 AS one")
        yield store


def test_breaker_opens_after_the_threshold_probes_once_and_closes_on_success() -> None:
    breaker = CircuitBreaker(BreakerPolicy(failures=2, reset_s=0.2))
    assert breaker.admit()
    breaker.failed()
    assert breaker.admit() and not breaker.is_open  # one failure is below the threshold
    breaker.failed()
    assert breaker.is_open and not breaker.admit()
    time.sleep(0.25)
    assert breaker.admit()  # the probe
    assert not breaker.admit()  # everyone else waits for the probe's outcome
    breaker.failed()  # the probe failed: open again for a full reset period
    assert not breaker.admit()
    time.sleep(0.25)
    assert breaker.admit()
    breaker.succeeded()
    assert not breaker.is_open and breaker.admit() and breaker.admit()


def test_a_query_error_is_typed_and_does_not_open_the_circuit(bounded: GraphStore) -> None:
    for _ in range(5):
        with pytest.raises(GraphQueryError, match="rejected a query"):
            bounded.read("RETURN 1 +")  # type: ignore[arg-type]
    assert not bounded.breaker.is_open  # type: ignore[union-attr]
    assert bounded.read("RETURN 1 AS one") == [{"one": 1}]


def test_a_slow_query_is_cut_at_its_deadline(bounded: GraphStore) -> None:
    started = time.monotonic()
    with pytest.raises(GraphUnavailableError):
        # A Cartesian product that runs for minutes: the server's transaction timeout (or, failing that, the
        # client's deadline) stops it at one second.
        bounded.read("UNWIND range(1, 100000000) AS x WITH x WHERE x = -1 RETURN count(*) AS n")
    assert time.monotonic() - started < 2.0
    with bounded.long_calls():  # the long deadline lets the same kind of work finish
        assert bounded.read("UNWIND range(1, 300000) AS x RETURN count(*) AS n") == [{"n": 300000}]


def test_a_constraint_violation_is_a_conflict(store: GraphStore) -> None:
    store.write("CREATE (:Session {id: 'twice'})")
    with pytest.raises(ConflictError, match="conflicts"):
        store.write("CREATE (:Session {id: 'twice'})")


def _failing_waits(store: GraphStore, calls: int) -> list[float]:
    """Seconds each of `calls` reads took to fail with GraphUnavailableError."""
    waits = []
    for _ in range(calls):
        started = time.monotonic()
        with pytest.raises(GraphUnavailableError):
            store.read("RETURN 1 AS one")
        waits.append(time.monotonic() - started)
    return waits


def _answers_within(store: GraphStore, seconds: float) -> None:
    """The store reads again within `seconds` (fails the test otherwise)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            assert store.read("RETURN 1 AS one") == [{"one": 1}]
            return
        except GraphUnavailableError:
            assert time.monotonic() < deadline, f"no recovery within {seconds} s of the server answering"
            time.sleep(0.1)


def test_a_server_that_accepts_but_never_answers_costs_one_deadline_then_fails_fast() -> None:
    """A partition after the TCP handshake: the listener accepts, nothing ever answers."""
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(64)
        port = hole.getsockname()[1]
        store = GraphStore(
            f"bolt://127.0.0.1:{port}", "neo4j", "whatever1", deadlines=REQUEST, breaker=BreakerPolicy(2, 5.0)
        )
        with store:
            waits = _failing_waits(store, 4)
        assert all(wait < 1.5 for wait in waits[:2]), waits
        assert all(wait < 0.01 for wait in waits[2:]), waits  # the circuit is open: refused at once


def test_frozen_server_gives_unavailable_within_the_deadline_and_recovers(
    bounded: GraphStore, neo4j_process: Neo4jProcess
) -> None:
    outcomes: list[tuple[str, float]] = []

    def call() -> None:
        started = time.monotonic()
        try:
            bounded.read("RETURN 1 AS one")
            outcomes.append(("ok", time.monotonic() - started))
        except GraphUnavailableError:
            outcomes.append(("unavailable", time.monotonic() - started))

    with neo4j_process.frozen():
        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        assert len(outcomes) == 8 and all(kind == "unavailable" for kind, _ in outcomes), outcomes
        assert max(wait for _, wait in outcomes) < 1.5
        started = time.monotonic()
        with pytest.raises(GraphUnavailableError, match="refused until a probe"):
            bounded.read("RETURN 1 AS one")  # the circuit is open
        assert time.monotonic() - started < 0.01
    _answers_within(bounded, 5.0)  # after the reset period a probe finds the server answering again


def test_dead_server_gives_unavailable_fast_and_the_same_store_recovers_after_a_restart(
    bounded: GraphStore, neo4j_process: Neo4jProcess
) -> None:
    neo4j_process.kill()
    try:
        waits = _failing_waits(bounded, 5)
        assert max(waits) < 1.5, waits  # connection refused: no 30 s retry budget
        assert max(waits[3:]) < 0.01, waits  # refused by the open circuit
    finally:
        neo4j_process.restart()
    _answers_within(bounded, 5.0)
