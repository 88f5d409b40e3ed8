"""Scale benchmark: how import, training, memory and serving grow from the demo graph's size (S = 1) to 10x and more.

For each scale factor S, on the Neo4j the CHATREC_* settings name (its database is emptied: use a server of its own,
e.g. CHATREC_NEO4J_HOME=.neo4j/scale), with the synthetic catalog of bench/synthetic.py:
1. import: `import_csv_catalog` into the emptied database (seconds, relationships/s, Neo4j store size on disk);
2. training: `chatrec train` in a process of its own (seconds per epoch, epochs and seconds to early stop, peak RSS,
   the embeddings' write-back to Neo4j and the vector indexes included);
3. top-k: for 200 raters, the unexplained list from the exact in-memory scores and from the vector index
   (`item_top_k`), in process: p50 / p99 ms and how much of the exact top 10 the index's list keeps; and where an
   explained list's time goes (context read, scores, selection with paths, ranking of the paths), one at a time;
4. serving: `chatrec serve`, then bench/load_bench.py against it (50 clients: explained and unexplained lists of
   synthetic raters, dialogue turns naming synthetic titles and people), and the peak RSS of its largest worker.
Writes bench/results/scale.json and scale.png (each cost against S, log-log).

Usage: python bench/scale_bench.py --scales 1,3,10 [--seconds 30] [--work .scale]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import synthetic  # bench/synthetic.py: scripts run with bench/ on the path, as eval_nlu_typed.py imports linking
import typer

from api.deps import open_store
from core.config import PROJECT_ROOT, Settings, get_settings
from gnn.model_store import TrainedModel, load
from graph.db import GraphStore
from graph.importers.csv_catalog import import_csv_catalog
from graph.schema import clear_database, ensure_schema
from graph.stats import total_counts

RESULTS = Path(__file__).resolve().parent / "results"


def run_measured(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run `command` to its end; returns its wall seconds and its peak RSS in MB. Exits when it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - started, usage.ru_maxrss // 1024


def store_megabytes(settings: Settings) -> float | None:
    """Size on disk of the local server's database folder (None for a server this machine does not run)."""
    folder = settings.neo4j_home / "data" / "databases" / settings.neo4j_database
    if not folder.is_dir():
        return None
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def import_catalog(store: GraphStore, folder: Path, settings: Settings) -> dict[str, Any]:
    """Empty the database and import the catalog; seconds, counts and throughput."""
    clear_database(store)
    ensure_schema(store)
    started = time.perf_counter()
    rows = import_csv_catalog(store, folder, settings.import_batch_size)
    seconds = time.perf_counter() - started
    nodes, relationships = total_counts(store)
    return {
        "seconds": round(seconds, 2),
        "nodes": nodes,
        "relationships": relationships,
        "relationships_per_s": round(relationships / seconds),
        "rows": rows,
    }


def top_k_timings(store: GraphStore, model: TrainedModel, users: list[str]) -> dict[str, Any]:
    """Unexplained lists of 10 in process, from the exact scores and from the vector index: ms per list and the
    share of the exact list the index's list keeps."""
    from api.services.recommender import Recommender

    exact, indexed = Recommender(store, model), Recommender(store, model, index_min_items=0)
    timings: dict[str, list[float]] = {"exact": [], "index": []}
    overlap = []
    for recommender in (exact, indexed):  # read the signals and plan the queries first
        recommender.warm_up(every_filter=False)
    for user_id in users:
        lists = {}
        for name, recommender in (("exact", exact), ("index", indexed)):
            started = time.perf_counter()
            lists[name] = [r.item_id for r in recommender.recommend(user_id, 10, explain=False).recommendations]
            timings[name].append((time.perf_counter() - started) * 1000)
        overlap.append(len(set(lists["exact"]) & set(lists["index"])) / max(len(lists["exact"]), 1))
    result: dict[str, Any] = {
        f"{name}_{q}_ms": round(float(np.percentile(values, p)), 2)
        for name, values in timings.items()
        for q, p in (("p50", 50), ("p99", 99))
    }
    return result | {"index_overlap_at_10": round(float(np.mean(overlap)), 4), "users": len(users)}


def explained_breakdown(store: GraphStore, model: TrainedModel, users: list[str]) -> dict[str, Any]:
    """Where an explained list of 10 spends its time, in process, one at a time: the user's context read, the
    scores, the selection with its paths (one read; co-rater paths when needed) and the ranking of the paths (ms,
    median and p99 over `users`), and how many ratings those users have."""
    from api.services.explainer import rank_paths
    from api.services.recommender import MAX_PATHS, Recommender
    from core.types import Constraints
    from graph.paths import select_explained_items

    recommender = Recommender(store, model)
    recommender.warm_up(every_filter=False)
    scorer = recommender.scorer()
    assert scorer is not None
    steps: dict[str, list[float]] = {"context": [], "scores": [], "selection_and_paths": [], "ranking": []}
    ratings = []
    for user_id in users:
        started = time.perf_counter()
        context = recommender.context(user_id)
        scored = time.perf_counter()
        scores = scorer.score(context)
        assert scores is not None
        selecting = time.perf_counter()
        top = np.argsort(-scores.values)[: recommender.scoring.pool(10, False)]
        ranked = model.index.ids["Item"][top].tolist()
        _, paths = select_explained_items(store, user_id, ranked, 10, Constraints())
        ranking = time.perf_counter()
        rank_paths(recommender.paths, scores.vector, paths, MAX_PATHS)
        done = time.perf_counter()
        spans = (scored - started, selecting - scored, ranking - selecting, done - ranking)
        for name, seconds in zip(steps, spans, strict=True):
            steps[name].append(seconds * 1000)
        ratings.append(len(context.rated))
    result: dict[str, Any] = {
        f"{name}_{q}_ms": round(float(np.percentile(values, p)), 2)
        for name, values in steps.items()
        for q, p in (("p50", 50), ("p99", 99))
    }
    return result | {"ratings_p50": float(np.median(ratings)), "ratings_max": int(max(ratings)), "users": len(users)}


def serve_and_load(scale_dir: Path, model_dir: Path, options: dict[str, Any]) -> dict[str, Any]:
    """`chatrec serve` on the model, bench/load_bench.py against it, and the peak RSS of the largest worker."""
    import psutil

    port = options["port"]
    env = {**os.environ, "CHATREC_MODEL_DIR": str(model_dir), "CHATREC_API_ACCESS_LOG": "false"}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(options["workers"])]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while not _ready(url):
            if server.poll() is not None or time.monotonic() - started > 600:
                sys.exit(f"chatrec serve did not become ready (exit code {server.poll()})")
            time.sleep(1)
        ready_s = time.monotonic() - started
        load_dir = scale_dir / "load"
        load = [sys.executable, "bench/load_bench.py", "--url", url, "--seconds", str(options["seconds"])]
        load += ["--unexplained", "--no-clients-100", "--out", str(load_dir)]
        load += ["--users", str(scale_dir / "users.txt"), "--utterances", str(scale_dir / "utterances.txt")]
        subprocess.run(load, cwd=PROJECT_ROOT, check=True, env=env)
        workers = psutil.Process(server.pid).children(recursive=True)
        peak = max((_peak_rss_mb(worker.pid) for worker in workers), default=0)
    finally:
        server.terminate()
        server.wait(60)
    measured = json.loads((load_dir / "load.json").read_text())
    return {
        "ready_s": round(ready_s, 1),
        "worker_peak_rss_mb": peak,
        "workers": options["workers"],
        "explained": {k: measured["recommendations"][k] for k in ("p50_ms", "p99_ms", "rps", "errors")},
        "unexplained": {k: measured["unexplained_recommendations"][k] for k in ("p50_ms", "p99_ms", "rps", "errors")},
        "turn": {k: measured["turns"][k] for k in ("p50_ms", "p99_ms", "rps", "errors")},
        "first_request_ms": measured["first_request_ms"],
    }


def _ready(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/health/ready", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _peak_rss_mb(pid: int) -> int:
    """VmHWM of a process (its peak resident set), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def write_load_inputs(catalog: synthetic.Catalog, folder: Path, seed: int) -> None:
    """users.txt (raters to ask lists for) and utterances.txt (what the dialogue clients say) of a catalog."""
    rng = np.random.default_rng(seed)
    raters = np.unique(catalog.ratings[0])
    users = [f"syn:u{u}" for u in rng.choice(raters, min(943, len(raters)), replace=False)]
    popular = np.argsort(-np.bincount(catalog.ratings[1], minlength=len(catalog.titles)))[:200]
    titles = [catalog.titles[i] for i in rng.choice(popular, 8, replace=False)]
    people = [catalog.people[p] for p in rng.choice(np.unique(catalog.credits[1]), 2, replace=False)]
    lines = [
        f"I loved {titles[0]} and {titles[1]}",
        f"something with {people[0]} please",
        "I like science fiction but I hate horror",
        "recommend me a comedy from the 90s",
        "why did you recommend that?",
        "no, not that one",
        f"I really enjoyed {titles[2]} and {titles[3]}",
        f"anything like {titles[4]}? no horror",
        f"{people[1]} is great",
        "any good thrillers?",
    ]
    (folder / "users.txt").write_text("\n".join(users) + "\n")
    (folder / "utterances.txt").write_text("\n".join(lines) + "\n")


def plot(results: list[dict[str, Any]], target: Path) -> None:
    """Each cost against the scale factor, log-log, with the line of linear growth from S = 1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def points(*keys: str, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """(S, value) of the results that have the value at `keys` (an import-only scale has no training)."""
        pairs = []
        for r in results:
            value: Any = r
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, int | float):
                pairs.append((r["scale"], value * scale))
        return np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=float)

    series = {
        "import s": points("import", "seconds"),
        "epoch s": points("training", "epoch_seconds"),
        "training to early stop s": points("training", "train_seconds"),
        "training peak RSS GB": points("training", "peak_rss_mb", scale=1 / 1024),
        "explained list p99 ms": points("serving", "explained", "p99_ms"),
        "unexplained list p99 ms": points("serving", "unexplained", "p99_ms"),
        "turn p99 ms": points("serving", "turn", "p99_ms"),
        "worker peak RSS GB": points("serving", "worker_peak_rss_mb", scale=1 / 1024),
    }
    figure, axes = plt.subplots(3, 3, figsize=(15, 11))
    for axis, (name, (x, values)) in zip(axes.ravel()[:8], series.items(), strict=True):
        axis.loglog(x, values, "o-", label="measured")
        if len(values):
            axis.loglog(x, values[0] * x / x[0], ":", color="grey", label="linear in S")
        axis.set_title(name)
        axis.set_xlabel("scale factor S")
        axis.legend(fontsize=7)
    steps = [r for r in results if "explained_steps" in r]
    axis = axes.ravel()[8]
    bottom = np.zeros(len(steps))
    for step in ("context", "scores", "selection_and_paths", "ranking"):
        heights = np.array([r["explained_steps"][f"{step}_p50_ms"] for r in steps])
        axis.bar([f"S={r['scale']:g}" for r in steps], heights, bottom=bottom, label=step.replace("_", " "))
        bottom += heights
    axis.set_title("explained list, one at a time: median ms per step")
    axis.legend(fontsize=7)
    figure.suptitle("Chat-Rec cost against catalog size (synthetic catalogs, 2 CPU cores)")
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def main(
    scales: Annotated[str, typer.Option(help="Comma-separated scale factors.")] = "1,3,10",
    seconds: Annotated[float, typer.Option(help="Seconds per load phase.")] = 30.0,
    workers: Annotated[int, typer.Option(help="API worker processes.")] = 4,
    threads: Annotated[int | None, typer.Option(help="Torch CPU threads of training (default: torch's).")] = None,
    serve: Annotated[bool, typer.Option(help="Also serve each scale and run the load benchmark.")] = True,
    import_only: Annotated[
        bool, typer.Option("--import-only", help="Only generate and import (e.g. S = 100, whose training takes hours).")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the API this script starts.")] = 8766,
    seed: int = 0,
    work: Annotated[Path, typer.Option(help="Folder for the catalogs and models.")] = PROJECT_ROOT / ".scale",
    out: Annotated[Path, typer.Option(help="Folder for scale.json and scale.png.")] = RESULTS,
) -> None:
    """Run the benchmark at every scale factor and write the results (earlier scales are kept as they finish)."""
    settings = get_settings()
    results: list[dict[str, Any]] = []
    options = {"seconds": seconds, "workers": workers, "port": port}
    for scale in (float(s) for s in scales.split(",")):
        scale_dir = work / f"s{scale:g}"
        catalog = synthetic.generate(scale, seed)
        synthetic.write(catalog, scale_dir / "csv")
        write_load_inputs(catalog, scale_dir, seed)
        entry: dict[str, Any] = {"scale": scale, "sizes": synthetic.Sizes.at(scale).__dict__}
        with open_store(settings) as store:
            store.verify()
            entry["import"] = import_catalog(store, scale_dir / "csv", settings)
        entry["store_mb"] = store_megabytes(settings)
        if import_only:
            results.append(entry)
            _write(results, out, settings)
            continue
        model_dir = scale_dir / "model"
        command = [sys.executable, "-m", "api.cli", "train", "--model-dir", str(model_dir)]
        command += ["--threads", str(threads)] if threads else []
        wall, peak = run_measured(command)
        metrics = json.loads((model_dir / "metrics.json").read_text())
        entry["training"] = {
            "command_seconds": round(wall, 1),
            "train_seconds": round(metrics["train_seconds"], 1),
            "epoch_seconds": round(metrics["epoch_seconds"], 2),
            "epochs": metrics["epochs"],
            "best_epoch": metrics["best_epoch"],
            "val_ndcg@10": round(metrics["val_ndcg@10"], 4),
            "train_pairs": metrics["num_train_pairs"],
            "peak_rss_mb": peak,
        }
        with open_store(settings) as store:
            raters = (scale_dir / "users.txt").read_text().split()[:200]
            model = load(model_dir)
            entry["top_k"] = top_k_timings(store, model, raters)
            entry["explained_steps"] = explained_breakdown(store, model, raters)
        if serve:
            entry["serving"] = serve_and_load(scale_dir, model_dir, options)
        results.append(entry)
        _write(results, out, settings)
        print(json.dumps(entry, indent=2))


def _write(results: list[dict[str, Any]], out: Path, settings: Settings) -> None:
    """scale.json and scale.png of the scales measured so far."""
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "results": results,
        "machine": f"{os.cpu_count()} CPU cores shared by Neo4j, training, the API and the load generator",
        "neo4j": {"heap": settings.neo4j_heap, "pagecache": settings.neo4j_pagecache},
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "scale.json").write_text(json.dumps(summary, indent=2))
    plot(results, out / "scale.png")


if __name__ == "__main__":
    typer.run(main)
