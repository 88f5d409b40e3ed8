"""Which worker processes of `chatrec serve --workers N` have warmed up. Each worker warms up before it serves;
`/health/ready` turns 200 only once every worker has (one worker ready while the others still warm up would get
the first requests while the others' warm-up took the CPU). The server names a folder where each warmed-up
worker leaves a file named by its process id."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

READY_DIR_ENV = "CHATREC_WORKERS_READY_DIR"
COUNT_ENV = "CHATREC_WORKERS_EXPECTED"


def prepare(workers: int) -> Path:
    """Before the workers start: a fresh folder for their marks, and how many to wait for, exported to them."""
    folder = Path(tempfile.mkdtemp(prefix="chatrec-workers-"))
    os.environ[READY_DIR_ENV] = str(folder)
    os.environ[COUNT_ENV] = str(workers)
    return folder


def remove(folder: Path) -> None:
    """After the workers stopped."""
    shutil.rmtree(folder, ignore_errors=True)


def mark_warm() -> None:
    """This worker has warmed up (nothing to do in a single process)."""
    if folder := os.environ.get(READY_DIR_ENV):
        (Path(folder) / str(os.getpid())).touch()


def still_warming() -> int:
    """How many workers have not warmed up yet (a worker that died and was replaced counts until its successor
    has); 0 in a single process."""
    folder, expected = os.environ.get(READY_DIR_ENV), int(os.environ.get(COUNT_ENV, "0") or 0)
    if not folder or not expected:
        return 0
    warm = sum(1 for mark in Path(folder).iterdir() if mark.name.isdigit() and _alive(int(mark.name)))
    return max(expected - warm, 0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    return True
