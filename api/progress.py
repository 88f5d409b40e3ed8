"""Progress bars for the command line and the benchmarks: the rich side of `core.progress.Progress`."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBars


class RichProgress:
    """A `core.progress.Progress` drawing one bar per task; use it as a context manager around the work."""

    def __init__(self, console: Console | None = None, disable: bool = False) -> None:
        self.bars = RichBars(
            TextColumn("[bold]{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=disable,
        )
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, task: str, done: int, total: int | None = None, note: str = "") -> None:
        description = f"{task} {note}".rstrip()
        if task not in self._tasks:
            self._tasks[task] = self.bars.add_task(description, total=total)
        self.bars.update(self._tasks[task], completed=done, total=total, description=description)

    def __enter__(self) -> RichProgress:
        self.bars.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.bars.stop()
