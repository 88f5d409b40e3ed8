"""Typed errors raised by graph/: callers turn them into HTTP statuses or CLI exit codes."""

from __future__ import annotations

from pathlib import Path


class GraphError(Exception):
    """Base class of every error raised by graph/."""


class GraphUnavailableError(GraphError):
    """Neo4j cannot be reached or refuses the credentials."""


class Neo4jLauncherError(GraphError):
    """The local Neo4j server could not be resolved, configured, started or stopped."""


class DataFileError(GraphError):
    """An input file is missing, unreadable or malformed; names the file and, when known, the line."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")
