"""Batched UNWIND writes with one transaction per batch and a rich progress bar."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, LiteralString

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.db import GraphStore


def import_progress(disable: bool = False) -> Progress:
    """The progress bar every importer reports to."""
    return Progress(
        TextColumn("[bold]{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=disable,
    )


def chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of `rows` with at most `size` elements each."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def write_batches(
    store: GraphStore,
    query: LiteralString,
    rows: Sequence[dict[str, Any]],
    batch_size: int,
    progress: Progress | None = None,
    description: str = "",
) -> None:
    """Run `UNWIND $rows AS row …` once per batch, each batch in its own write transaction.

    A failure leaves whole batches only; the queries MERGE on ids, so running the import again resumes it.
    """
    task = progress.add_task(description, total=len(rows)) if progress is not None else None
    for batch in chunks(rows, batch_size):
        store.write_tx(lambda tx, batch=batch: tx.run(query, rows=list(batch)).consume())
        if progress is not None and task is not None:
            progress.advance(task, len(batch))
