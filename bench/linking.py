"""What the NLU benchmarks share: micro precision, recall and F1 of a linker's counts, and the title linker they
score with (learned from the training fold only, so that the held-out fold stays unseen)."""

from __future__ import annotations

from pathlib import Path

from core.progress import Progress
from graph.db import GraphStore
from nlu.linker import Linker
from nlu.training import train_on_redial

LEARNED_FROM = 0  # the fold (of two, by conversation id) the benchmarks' linker learns from; fold 1 is held out


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Micro precision, recall, F1."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def benchmark_linker(
    store: GraphStore, redial_dir: Path, progress: Progress, path: Path | None = None, rules: bool = False
) -> Linker | None:
    """The linker a benchmark scores with: none (`rules`), the one in `path`, else one learned here from the ReDial
    dialogues of fold `LEARNED_FROM`."""
    if rules:
        return None
    if path is not None:
        return Linker.load(path)
    return train_on_redial(store, redial_dir, LEARNED_FROM, progress)
