"""The one way long work reports how far it got: a callback, so that library code never draws anything itself
(`api.progress.RichProgress` draws it as rich progress bars)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called with a task's name, how much of it is done so far (absolute), its total when known, and a short note
    (e.g. the current loss)."""

    def __call__(self, task: str, done: int, total: int | None = None, note: str = "") -> None: ...


def no_progress(task: str, done: int, total: int | None = None, note: str = "") -> None:
    """A Progress that reports nowhere."""
