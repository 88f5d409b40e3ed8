"""The Neo4j connection: managed read/write transactions through the official driver, each call bounded by a
deadline, and a circuit breaker that answers at once while the server is known to be down."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, LiteralString, TypeVar

from neo4j import (
    Driver,
    GraphDatabase,
    ManagedTransaction,
    NotificationDisabledClassification,
    Query,
    RoutingControl,
    Transaction,
    unit_of_work,
)
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    DriverError,
    Neo4jError,
    ResultError,
    TransientError,
)

from core.errors import ConflictError
from graph.errors import GraphQueryError, GraphTimeoutError, GraphUnavailableError, GraphUnreachableError

T = TypeVar("T")
log = logging.getLogger(__name__)

# Heads the queries a request runs. Neo4j plans a query again when the counts it was planned with have drifted
# (Turn, Session and anonymous User nodes grow by hundreds a minute under dialogue load): each of those replans
# took 0.5-1 s on two cores, under load, the request's whole deadline. These queries find their start nodes by
# unique ids, so their plans do not depend on the counts; a bulk import clears the server's query cache instead
# (`clear_query_plans`).
STABLE_PLAN: LiteralString = "CYPHER replan=skip\n"

# Server-side failures that say "not now" rather than "this query is wrong": the transaction timed out or was
# terminated, the database is stopped or being started, the cluster changed leader.
_UNAVAILABLE_CLIENT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.ClientError.Transaction.Terminated",
    "Neo.ClientError.Transaction.LockClientStopped",
    "Neo.ClientError.Database.DatabaseNotFound",
    "Neo.ClientError.Cluster.NotALeader",
)


@dataclass(frozen=True)
class Deadlines:
    """How long one call to Neo4j may take. `call_s` bounds a whole call (connection, retries, query, reading the
    result) on the client's clock and is also the server's transaction timeout; None leaves calls unbounded (bulk
    work). The others are the driver's own limits."""

    call_s: float | None = None
    long_s: float | None = None  # calls inside `GraphStore.long_calls()` (None: `call_s`)
    retry_s: float = 30.0  # the driver's budget for retrying a managed transaction on transient errors
    connect_s: float = 30.0  # opening a TCP/TLS connection and its Bolt handshake
    acquire_s: float = 60.0  # waiting for a pooled connection (includes opening one)


@dataclass(frozen=True)
class BreakerPolicy:
    """After `failures` unavailability errors in a row the circuit opens: calls fail at once for `reset_s`, then
    one call probes the server (the others still fail at once) and its success closes the circuit again."""

    failures: int = 3
    reset_s: float = 2.0


class CircuitBreaker:
    """A thread-safe circuit breaker over unavailability errors (a query's own errors do not count)."""

    def __init__(self, policy: BreakerPolicy) -> None:
        self.policy = policy
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        """Whether calls are being refused now (an open circuit, or a probe in flight)."""
        with self._lock:
            return self._opened_at is not None

    def admit(self) -> bool:
        """Whether a call may go to the server now; a True while open makes that call the probe."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._probing or time.monotonic() - self._opened_at < self.policy.reset_s:
                return False
            self._probing = True
            return True

    def succeeded(self) -> bool:
        """A call reached the server: close the circuit. Returns whether it was open (the server is back)."""
        with self._lock:
            recovered = self._opened_at is not None
            self._failures, self._opened_at, self._probing = 0, None, False
            return recovered

    def abandoned(self) -> None:
        """A call admitted as the probe never reached the server (it waited for a worker past its deadline): let
        the next call probe instead."""
        with self._lock:
            self._probing = False

    def failed(self) -> bool:
        """A call found the server unavailable: count it, open (or reopen) the circuit at the threshold. Returns
        whether this failure opened a closed circuit."""
        with self._lock:
            self._failures += 1
            opened = self._opened_at is None and self._failures >= self.policy.failures
            if self._probing or self._failures >= self.policy.failures:
                self._opened_at, self._probing = time.monotonic(), False
            return opened


class GraphStore:
    """One driver per process. Every access is a managed transaction (retried by the driver on transient
    errors) with the right access mode, so `neo4j://` routing URIs send reads to secondaries in a cluster.

    With `deadlines.call_s` set (the API), each call runs on a worker thread and the caller waits at most that
    long: a frozen or partitioned server costs a request its deadline, never a hang. With a `breaker`, calls are
    refused in microseconds while the server is known to be down. Every driver failure becomes a typed error:
    GraphUnavailableError for "retry later" (GraphUnreachableError when nothing answered, GraphTimeoutError for a
    deadline: only these open the circuit), GraphQueryError for a query the server rejected."""

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        deadlines: Deadlines = Deadlines(),
        breaker: BreakerPolicy | None = None,
        max_pool_size: int = 100,
    ) -> None:
        self.uri = uri
        self.database = database
        self.deadlines = deadlines
        self.breaker = CircuitBreaker(breaker) if breaker else None
        self._recovery_listeners: list[Callable[[], None]] = []
        self._local = threading.local()
        # "Unrecognized" notifications (a relationship type no data has yet, e.g. FEEDBACK on a fresh graph) are
        # expected for a schema that grows with use; they would flood the logs, so the server does not send them.
        self.driver: Driver = GraphDatabase.driver(
            uri,
            auth=(user, password),
            notifications_disabled_classifications=[NotificationDisabledClassification.UNRECOGNIZED],
            connection_timeout=deadlines.connect_s,
            connection_acquisition_timeout=deadlines.acquire_s,
            max_transaction_retry_time=deadlines.retry_s,
            max_connection_pool_size=max_pool_size,
        )
        # Calls stuck on a frozen server hold their worker until it answers; the pool is as large as the driver's
        # so that a free worker never waits behind them (an open circuit keeps new calls away meanwhile).
        self._workers = (
            ThreadPoolExecutor(max_workers=max_pool_size, thread_name_prefix="neo4j")
            if deadlines.call_s is not None or deadlines.long_s is not None
            else None
        )

    def close(self) -> None:
        """Close the driver and its connection pool."""
        if self._workers is not None:
            self._workers.shutdown(wait=False, cancel_futures=True)
        self.driver.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_recovery(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the calling thread: it must not block) when a call succeeds after the circuit was
        open, e.g. to plan the request queries again on a server that restarted with an empty query cache."""
        self._recovery_listeners.append(listener)

    @contextmanager
    def long_calls(self) -> Iterator[None]:
        """Within the block, this thread's calls get `deadlines.long_s` instead of `call_s`: catalog-wide reads
        (names, popularity, conversation signals) and training, which take longer than a request may."""
        previous = getattr(self._local, "deadline_s", None)
        self._local.deadline_s = self.deadlines.long_s
        try:
            yield
        finally:
            self._local.deadline_s = previous

    def verify(self, deadline_s: float | None = None) -> None:
        """Raise GraphUnavailableError unless the server answers (within `deadline_s`, default the call deadline)
        and accepts the credentials."""
        self._guard(lambda _: self.driver.verify_connectivity(), deadline_s)

    def read(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run a read query in a managed read transaction and return its records as dicts."""
        return self._query(query, params, RoutingControl.READ)

    def write(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run a write query in a managed write transaction and return its records as dicts."""
        return self._query(query, params, RoutingControl.WRITE)

    def run_autocommit(self, query: LiteralString, **params: Any) -> None:
        """Run a query that manages its own transactions (`CALL {…} IN TRANSACTIONS`) in an auto-commit one."""

        def call(timeout: float | None) -> None:
            with self.driver.session(database=self.database) as session:
                session.run(Query(query, timeout=timeout), params).consume()

        self._guard(call)

    def write_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed write transaction: all of its queries commit together or not at all."""

        def call(timeout: float | None) -> T:
            with self.driver.session(database=self.database) as session:
                return session.execute_write(unit_of_work(timeout=timeout)(work))

        return self._guard(call)

    def read_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed read transaction."""

        def call(timeout: float | None) -> T:
            with self.driver.session(database=self.database) as session:
                return session.execute_read(unit_of_work(timeout=timeout)(work))

        return self._guard(call)

    def rehearse(self, work: Callable[[Transaction], object]) -> None:
        """Run `work` in a write transaction that is always rolled back: the server plans and runs every statement,
        nothing is written (warm-up)."""

        def call(timeout: float | None) -> None:
            with (
                self.driver.session(database=self.database) as session,
                session.begin_transaction(timeout=timeout) as tx,
            ):
                work(tx)
                tx.rollback()

        self._guard(call)

    def _query(self, query: LiteralString, params: dict[str, Any], routing: RoutingControl) -> list[dict[str, Any]]:
        def call(timeout: float | None) -> list[dict[str, Any]]:
            records, _, _ = self.driver.execute_query(
                Query(query, timeout=timeout), params, database_=self.database, routing_=routing
            )
            return [record.data() for record in records]

        return self._guard(call)

    def _guard(self, call: Callable[[float | None], T], deadline_s: float | None = None) -> T:
        """Run `call` (given the server-side timeout) within the deadline, through the breaker, with every driver
        error made typed."""
        deadline_s = deadline_s or getattr(self._local, "deadline_s", None) or self.deadlines.call_s
        breaker = self.breaker
        if breaker is not None and not breaker.admit():
            raise GraphUnavailableError(
                f"Neo4j at {self.uri} is unreachable: its last calls failed, so calls are refused until a probe "
                f"(due within {breaker.policy.reset_s:g} s) finds it answering."
            )
        try:
            result = self._within_deadline(lambda: call(deadline_s), deadline_s)
        except _NeverRan as never:
            if breaker is not None:
                breaker.abandoned()
            raise never.error from None
        except GraphUnreachableError as exc:
            if breaker is not None and breaker.failed():
                log.warning(
                    "Circuit to Neo4j open for %g s after %d failures; the last: %s",
                    breaker.policy.reset_s,
                    breaker.policy.failures,
                    exc,
                )
            raise
        except BaseException:
            self._answered()  # the server answered ("not now", or the call itself failed)
            raise
        self._answered()
        return result

    def _answered(self) -> None:
        if self.breaker is not None and self.breaker.succeeded():
            log.warning("Circuit to Neo4j closed: it answers again.")
            for listener in self._recovery_listeners:
                listener()

    def _within_deadline(self, call: Callable[[], T], deadline_s: float | None) -> T:
        if self._workers is None or deadline_s is None:
            return self._typed(call)
        future = self._workers.submit(self._typed, call)
        try:
            return future.result(timeout=deadline_s)
        except FutureTimeout:
            error = GraphTimeoutError(f"Neo4j at {self.uri} did not answer within {deadline_s:g} s.")
            if future.cancel():  # it waited for a worker all along (every one stuck on a frozen server)
                raise _NeverRan(error) from None
            raise error from None

    def _typed(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except AuthError as exc:
            raise GraphUnavailableError(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
        except ConstraintError as exc:  # e.g. two requests creating the same id at once
            raise ConflictError(f"The write conflicts with what is stored: {exc.message}") from exc
        except ClientError as exc:
            if exc.code in _UNAVAILABLE_CLIENT_CODES:
                raise GraphUnavailableError(f"Neo4j at {self.uri} cannot serve now: {exc.message}") from exc
            raise GraphQueryError(f"Neo4j rejected a query: {exc.message}") from exc
        except ResultError as exc:  # a result used wrongly by our code, not the server's state
            raise GraphQueryError(f"A Neo4j result was misread: {exc}") from exc
        except (TransientError, Neo4jError) as exc:  # transient after the retries, or a database error
            raise GraphUnavailableError(f"Neo4j at {self.uri} cannot serve now: {exc.message}") from exc
        except (DriverError, OSError) as exc:  # unreachable, connection pool exhausted, session expired, …
            raise GraphUnreachableError(f"Neo4j at {self.uri} is unreachable: {exc}") from exc


class _NeverRan(Exception):
    """A call that timed out before any worker took it up (carries the error to raise)."""

    def __init__(self, error: GraphTimeoutError) -> None:
        super().__init__(str(error))
        self.error = error
