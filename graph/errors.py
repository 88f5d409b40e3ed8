"""Typed errors raised by graph/, each a kind of `core.errors.ChatRecError`."""

from __future__ import annotations

from pathlib import Path

from core.errors import ChatRecError, ConflictError, ErrorKind, InvalidInputError, NotFoundError, UnavailableError


class GraphUnavailableError(UnavailableError):
    """Neo4j cannot be reached, cannot serve now (stopped, frozen, overloaded) or refuses the credentials."""


class GraphUnreachableError(GraphUnavailableError):
    """No answer from Neo4j at all: refused or broken connections, or a call past its deadline. Only these open the
    circuit breaker (a server that answers "not now" is up)."""


class GraphTimeoutError(GraphUnreachableError):
    """A call to Neo4j ran past its deadline on the client's clock (the server is frozen, partitioned or overloaded)."""


class GraphQueryError(ChatRecError, kind=ErrorKind.INTERNAL):
    """Neo4j rejected a query as wrong (syntax, types, a constraint): a defect, not a state to wait out."""


class Neo4jLauncherError(ChatRecError, kind=ErrorKind.LAUNCHER):
    """The local Neo4j server could not be resolved, configured, started or stopped."""


class DataFileError(InvalidInputError):
    """An input file is missing, unreadable or malformed; names the file and, when known, the line."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


class UnknownNodeError(NotFoundError):
    """A user, item or session id does not exist in the graph."""

    def __init__(self, label: str, node_id: str) -> None:
        self.label = label
        self.node_id = node_id
        super().__init__(f"{label} {node_id!r} does not exist.")


class TurnConflictError(ConflictError):
    """A turn id is reused in a different session than the one it was first recorded in."""


class EmbeddingWriteError(ChatRecError, kind=ErrorKind.MODEL_MISMATCH):
    """Embeddings could not be written: unknown label, shape mismatch or nodes missing from the graph."""
