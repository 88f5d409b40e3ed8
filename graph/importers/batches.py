"""Batched UNWIND writes with one transaction per batch, reporting progress."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, LiteralString

from core.progress import Progress, no_progress
from graph.db import GraphStore


def chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of `rows` with at most `size` elements each."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def write_batches(
    store: GraphStore,
    query: LiteralString,
    rows: Sequence[dict[str, Any]],
    batch_size: int,
    progress: Progress = no_progress,
    description: str = "",
) -> None:
    """Run `UNWIND $rows AS row …` once per batch, each batch in its own write transaction.

    A failure leaves whole batches only; the queries MERGE on ids, so running the import again resumes it.
    """
    done = 0
    progress(description, done, len(rows))
    for batch in chunks(rows, batch_size):
        store.write_tx(lambda tx, batch=batch: tx.run(query, rows=list(batch)).consume())
        done += len(batch)
        progress(description, done, len(rows))
