"""Import benchmark: MovieLens-100K + ReDial catalog + merge into an empty database.

Usage (Neo4j running, e.g. `chatrec neo4j start`; CHATREC_* settings pick the server and the data folder):
    python bench/import_bench.py [--runs 3] [--out bench/results/import.json]
Each run empties the database, then times the whole import. Writes JSON and a PNG of the step times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from api.config import get_settings
from api.deps import open_store
from graph.db import GraphStore
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.redial import import_redial
from graph.schema import clear_database, ensure_schema
from graph.stats import total_counts


def one_run(store: GraphStore, data_dir: Path, batch_size: int) -> dict[str, float]:
    """Empty the database, then time each import step; returns seconds per step and in total."""
    clear_database(store)
    steps: dict[str, float] = {}
    started = time.perf_counter()
    for name, step in (
        ("schema", lambda: ensure_schema(store)),
        ("movielens", lambda: import_movielens(store, data_dir / "movielens-100k", batch_size)),
        ("redial", lambda: import_redial(store, data_dir / "redial", batch_size)),
        ("merge", lambda: link_catalogs(store)),
    ):
        step_started = time.perf_counter()
        step()
        steps[name] = time.perf_counter() - step_started
    steps["total"] = time.perf_counter() - started
    return steps


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/import.json"))
    args = parser.parse_args()
    settings = get_settings()
    with open_store(settings) as store:
        store.verify()
        runs = [one_run(store, settings.data_dir, settings.import_batch_size) for _ in range(args.runs)]
        nodes, relationships = total_counts(store)
        merged = link_catalogs(store)["merged_total"]
    seconds = statistics.median(run["total"] for run in runs)
    result = {
        "seconds": round(seconds, 3),
        "nodes_per_s": round(nodes / seconds),
        "relationships_per_s": round(relationships / seconds),
        "nodes": nodes,
        "relationships": relationships,
        "merged_movies": merged,
        "runs": [{k: round(v, 3) for k, v in run.items()} for run in runs],
        "statistic": f"median of {args.runs} runs, each into an emptied database",
        "batch_size": settings.import_batch_size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "neo4j": {
            "version": settings.neo4j_version,
            "heap": settings.neo4j_heap,
            "pagecache": settings.neo4j_pagecache,
            "same_machine": True,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    _plot(runs, args.out.with_suffix(".png"))
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
    main()
