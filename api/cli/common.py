"""What every command shares: the console, one way to turn an error into a sentence and an exit code, and a
verified connection to Neo4j."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from api.deps import open_store
from core.errors import EXIT_CODE, ChatRecError
from graph.db import GraphStore

console = Console(soft_wrap=True)  # sentences are never broken mid-path; terminals wrap them
T = TypeVar("T")
BatchSize = Annotated[int | None, typer.Option(min=1, help="Rows per transaction (default: settings).")]
Device = Annotated[str, typer.Option(help="auto (CUDA when available), cpu or cuda.")]
Threads = Annotated[int | None, typer.Option(min=1, help="CPU threads for torch (1 is fastest on a busy machine).")]


def report(exc: ChatRecError) -> int:
    """Print the error as one red sentence; returns the exit code of its kind (`core.errors.EXIT_CODE`)."""
    console.print(f"[red]Error:[/red] {exc}", highlight=False)
    return EXIT_CODE[exc.kind]


def fail_cleanly(action: Callable[[], T]) -> T:
    """Run `action`; a ChatRecError becomes one red sentence and its exit code instead of a trace."""
    try:
        return action()
    except ChatRecError as exc:
        raise typer.Exit(report(exc)) from None


@contextmanager
def open_checked_store() -> Iterator[GraphStore]:
    """A store whose server answered (else exit with a sentence), closed afterwards."""
    store = open_store()
    try:
        fail_cleanly(store.verify)
        yield store
    finally:
        store.close()
