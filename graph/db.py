"""The Neo4j connection: managed read/write transactions through the official driver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction, NotificationDisabledClassification, RoutingControl
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired

from graph.errors import GraphUnavailableError

T = TypeVar("T")


class GraphStore:
    """One driver per process. Every access is a managed transaction (retried by the driver on transient
    errors) with the right access mode, so `neo4j://` routing URIs send reads to secondaries in a cluster."""

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j") -> None:
        self.uri = uri
        self.database = database
        # "Unrecognized" notifications (a relationship type no data has yet, e.g. FEEDBACK on a fresh graph) are
        # expected for a schema that grows with use; they would flood the logs, so the server does not send them.
        self.driver: Driver = GraphDatabase.driver(
            uri,
            auth=(user, password),
            notifications_disabled_classifications=[NotificationDisabledClassification.UNRECOGNIZED],
        )

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self.driver.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> None:
        """Raise GraphUnavailableError unless the server answers and accepts the credentials."""
        try:
            self.driver.verify_connectivity()
        except AuthError as exc:
            raise GraphUnavailableError(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise GraphUnavailableError(f"Neo4j at {self.uri} is unreachable: {exc}") from exc

    def read(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run a read query in a managed read transaction and return its records as dicts."""
        return self._query(query, params, RoutingControl.READ)

    def write(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run a write query in a managed write transaction and return its records as dicts."""
        return self._query(query, params, RoutingControl.WRITE)

    def run_autocommit(self, query: LiteralString, **params: Any) -> None:
        """Run a query that manages its own transactions (`CALL {…} IN TRANSACTIONS`) in an auto-commit one."""
        with self.driver.session(database=self.database) as session:
            self._guard(lambda: session.run(query, params).consume())

    def write_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed write transaction: all of its queries commit together or not at all."""
        with self.driver.session(database=self.database) as session:
            return self._guard(lambda: session.execute_write(work))

    def read_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed read transaction."""
        with self.driver.session(database=self.database) as session:
            return self._guard(lambda: session.execute_read(work))

    def _query(self, query: LiteralString, params: dict[str, Any], routing: RoutingControl) -> list[dict[str, Any]]:
        records, _, _ = self._guard(
            lambda: self.driver.execute_query(query, params, database_=self.database, routing_=routing)
        )
        return [record.data() for record in records]

    def _guard(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailableError(f"Neo4j at {self.uri} is unreachable: {exc}") from exc
        except AuthError as exc:
            raise GraphUnavailableError(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
