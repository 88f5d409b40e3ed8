"""The demo data in one call, for `chatrec import demo` and the benchmarks alike: MovieLens-100K, the ReDial catalog
merged into it, MovieLens latest-small's ratings and tags on those movies, and the past ReDial conversations (every
fold, or all but the held-out ones)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.movielens_latest import imdb_names, import_movielens_latest
from graph.importers.redial import import_redial
from graph.importers.redial_dialogues import import_redial_dialogues
from graph.schema import ensure_schema


@dataclass(frozen=True)
class DialogueFolds:
    """Which past conversations to import: the dialogues are split into `folds` by conversation id, and the
    `skipped` folds (held out for evaluation) are left out."""

    folds: int = 2
    skipped: tuple[int, ...] = ()


@dataclass
class DemoImport:
    """What was imported (counts per step, prefixed by the step) and how long each step took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    redial_found: bool = False


def import_demo(
    store: GraphStore,
    data_dir: Path,
    batch_size: int = 10_000,
    progress: Progress = no_progress,
    dialogues: DialogueFolds | None = DialogueFolds(),
) -> DemoImport:
    """The schema, MovieLens-100K and, when `data_dir/redial` has them, the ReDial catalog, its merge with MovieLens,
    MovieLens latest-small (when `data_dir/movielens-latest-small` has it) and the conversations `dialogues` selects
    (None: none). Idempotent, like every importer it calls."""
    result = DemoImport()

    def step(name: str, work: Callable[[], dict[str, int] | None]) -> None:
        started = time.perf_counter()
        counts = work() or {}
        result.seconds[name] = time.perf_counter() - started
        result.counts |= {f"{name}_{key}": value for key, value in counts.items()}

    step("schema", lambda: ensure_schema(store))
    step("movielens", lambda: import_movielens(store, data_dir / "movielens-100k", batch_size, progress=progress))
    redial = data_dir / "redial"
    if not (redial / "id2info.json").exists():
        return result
    result.redial_found = True
    latest = data_dir / "movielens-latest-small"
    has_latest = (latest / "ratings.csv").exists()
    names = imdb_names(latest) if has_latest else None  # which film an IMDb id ReDial entries dispute is
    step("redial", lambda: import_redial(store, redial, batch_size, progress=progress, imdb_names=names))
    step("merged", lambda: {"movies": link_catalogs(store, progress=progress)["merged_total"]})
    if has_latest:
        step("movielens_latest", lambda: import_movielens_latest(store, latest, batch_size, progress=progress))
    if dialogues is not None and (redial / "valid_data.jsonl").exists():
        step(
            "dialogue",
            lambda: import_redial_dialogues(
                store, redial / "valid_data.jsonl", dialogues.folds, dialogues.skipped, batch_size, progress
            ),
        )
    return result
