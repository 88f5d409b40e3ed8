"""Import benchmark: MovieLens-100K + ReDial catalog + merge into an empty database.

Usage (Neo4j running, e.g. `chatrec neo4j start`; CHATREC_* settings pick the server and the data folder):
    python bench/import_bench.py [--runs 3] [--out bench/results/import.json]
Each run empties the database, then times the whole import (`graph.importers.demo.import_demo` without the
dialogues). Writes JSON and a PNG of the step times.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Annotated

import typer

from api.deps import open_store
from core.config import get_settings
from graph.db import GraphStore
from graph.importers.demo import import_demo
from graph.schema import clear_database
from graph.stats import total_counts


def one_run(store: GraphStore, data_dir: Path, batch_size: int) -> tuple[dict[str, float], int]:
    """Empty the database, then import and time each step; returns seconds per step and in total, and the number
    of merged movies."""
    clear_database(store)
    started = time.perf_counter()
    imported = import_demo(store, data_dir, batch_size, dialogues=None)
    steps = {**imported.seconds, "total": time.perf_counter() - started}
    return steps, imported.counts["merged_movies"]


def main(
    runs: Annotated[int, typer.Option(min=1, help="Imports into an emptied database.")] = 3,
    out: Annotated[Path, typer.Option(help="Results file.")] = Path("bench/results/import.json"),
) -> None:
    """Run the benchmark and write the results."""
    settings = get_settings()
    with open_store(settings) as store:
        store.verify()
        timed = [one_run(store, settings.data_dir, settings.import_batch_size) for _ in range(runs)]
        nodes, relationships = total_counts(store)
    runs_seconds = [steps for steps, _ in timed]
    merged = timed[-1][1]
    seconds = statistics.median(run["total"] for run in runs_seconds)
    result = {
        "seconds": round(seconds, 3),
        "nodes_per_s": round(nodes / seconds),
        "relationships_per_s": round(relationships / seconds),
        "nodes": nodes,
        "relationships": relationships,
        "merged_movies": merged,
        "runs": [{k: round(v, 3) for k, v in run.items()} for run in runs_seconds],
        "statistic": f"median of {runs} runs, each into an emptied database",
        "batch_size": settings.import_batch_size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "neo4j": {
            "version": settings.neo4j_version,
            "heap": settings.neo4j_heap,
            "pagecache": settings.neo4j_pagecache,
            "same_machine": True,
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    _plot(runs_seconds, out.with_suffix(".png"))
    print(json.dumps({k: result[k] for k in ("seconds", "nodes_per_s", "relationships_per_s", "merged_movies")}))


def _plot(runs: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [name for name in runs[0] if name != "total"]
    figure, axis = plt.subplots(figsize=(7, 3.5))
    bottom = [0.0] * len(runs)
    for step in steps:
        values = [run[step] for run in runs]
        axis.barh([f"run {i + 1}" for i in range(len(runs))], values, left=bottom, label=step)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axis.axvline(15, color="red", linestyle="--", label="target 15 s")
    axis.set_xlabel("seconds")
    axis.set_title("Import ML-100K + ReDial catalog + merge into an empty Neo4j 5.26")
    axis.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


if __name__ == "__main__":
    typer.run(main)
