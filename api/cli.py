"""The `chatrec` command line: local Neo4j, data download and import, statistics, serving."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api.config import get_settings
from api.deps import local_neo4j, open_store
from graph.datasets import DATASETS, fetch
from graph.db import GraphStore
from graph.errors import DataFileError, GraphError, GraphUnavailableError, Neo4jLauncherError
from graph.importers.batches import import_progress
from graph.importers.csv_catalog import import_csv_catalog
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.redial import import_redial
from graph.importers.redial_dialogues import import_redial_dialogues
from graph.schema import ensure_schema
from graph.stats import graph_counts, total_counts

app = typer.Typer(help="Chat-Rec: knowledge-graph conversational recommendation.", no_args_is_help=True)
neo4j_app = typer.Typer(help="Run a local Neo4j 5.26 Community server without Docker.", no_args_is_help=True)
data_app = typer.Typer(help="Download public data sets.", no_args_is_help=True)
import_app = typer.Typer(help="Load catalogs into Neo4j (idempotent: rerun to resume).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(data_app, name="data")
app.add_typer(import_app, name="import")
console = Console(soft_wrap=True)  # sentences are never broken mid-path; terminals wrap them
T = TypeVar("T")

# Exit codes: 1 unexpected graph error, 2 bad input data, 3 Neo4j unreachable, 4 launcher failure.
EXIT_CODES: dict[type[GraphError], int] = {DataFileError: 2, GraphUnavailableError: 3, Neo4jLauncherError: 4}

BatchSize = Annotated[int | None, typer.Option(min=1, help="Rows per transaction (default: settings).")]


def _fail_cleanly(action: Callable[[], T]) -> T:
    """Run `action`; a GraphError becomes one red sentence and an exit code instead of a trace."""
    try:
        return action()
    except GraphError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(EXIT_CODES.get(type(exc), 1)) from None


@contextmanager
def _store() -> Iterator[GraphStore]:
    store = open_store()
    try:
        _fail_cleanly(store.verify)
        yield store
    finally:
        store.close()


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Resolve Neo4j from Maven Central (cached in ~/.m2), start it on 127.0.0.1 and wait until Bolt answers."""
    server = local_neo4j()
    started = time.monotonic()
    with console.status("Starting Neo4j (the first run downloads the jars with Maven)…"):
        _fail_cleanly(lambda: server.start(get_settings().neo4j_start_timeout_s))
    console.print(
        f"Neo4j is up on {server.bolt_uri} after {time.monotonic() - started:.1f} s; "
        f"Browser: {server.http_url}/browser/"
    )


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j server."""
    stopped = local_neo4j().stop()
    console.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Print whether the local server runs, and where. Exit code 1 when it does not."""
    info = local_neo4j().status()
    console.print_json(json.dumps(info))
    if not info["running"]:
        raise typer.Exit(1)


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(DATASETS)}")],
    data_dir: Annotated[Path | None, typer.Option(help="Target folder (default: CHATREC_DATA_DIR).")] = None,
) -> None:
    """Download a public data set and verify its checksums."""
    if name not in DATASETS:
        console.print(f"[red]Error:[/red] unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
        raise typer.Exit(2)
    target = _fail_cleanly(lambda: fetch(name, data_dir or get_settings().data_dir))
    console.print(f"{name} is in {target} (checksums verified).")


def _run_import(description: str, work: Callable[[GraphStore, Progress], dict[str, int]]) -> None:
    with _store() as store:
        started = time.monotonic()
        _fail_cleanly(lambda: ensure_schema(store))
        with import_progress() as progress:
            result = _fail_cleanly(lambda: work(store, progress))
        console.print(f"{description}: {result} in {time.monotonic() - started:.1f} s")


def _data_path(directory: Path | None, default_name: str) -> Path:
    return directory if directory is not None else get_settings().data_dir / default_name


@import_app.command("movielens")
def import_movielens_command(
    directory: Annotated[Path | None, typer.Argument(help="Folder with u.data, u.item, u.user, u.genre.")] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of the files.")] = "latin-1",
    batch_size: BatchSize = None,
) -> None:
    """Import MovieLens-100K: users, movies, genres, ratings."""
    folder, size = _data_path(directory, "movielens-100k"), batch_size or get_settings().import_batch_size
    _run_import("MovieLens-100K", lambda s, p: import_movielens(s, folder, size, encoding, p))


@import_app.command("redial")
def import_redial_command(
    directory: Annotated[Path | None, typer.Argument(help="Folder with id2info.json, entity2id.json, kg.json.")] = None,
    batch_size: BatchSize = None,
) -> None:
    """Import the ReDial catalog: movies, genres, directors, writers, stars."""
    folder, size = _data_path(directory, "redial"), batch_size or get_settings().import_batch_size
    _run_import("ReDial catalog", lambda s, p: import_redial(s, folder, size, p))


@import_app.command("redial-dialogues")
def import_redial_dialogues_command(
    path: Annotated[Path | None, typer.Argument(help="ReDial dialogues (valid_data.jsonl).")] = None,
    folds: Annotated[int, typer.Option(min=1, help="Number of folds the conversations are split into.")] = 2,
    holdout_fold: Annotated[int | None, typer.Option(help="Skip this fold (held out for evaluation).")] = None,
    batch_size: BatchSize = None,
) -> None:
    """Import past ReDial conversations: one user per seeker, PREFERS edges from their liked / disliked answers."""
    file, size = path or _data_path(None, "redial") / "valid_data.jsonl", batch_size or get_settings().import_batch_size
    if holdout_fold is not None and not 0 <= holdout_fold < folds:
        console.print(f"[red]Error:[/red] --holdout-fold must be between 0 and {folds - 1}.")
        raise typer.Exit(2)
    _run_import("ReDial dialogues", lambda s, p: import_redial_dialogues(s, file, folds, holdout_fold, size, p))


@import_app.command("merge")
def import_merge_command() -> None:
    """Merge MovieLens and ReDial movies with the same normalised title and year."""
    _run_import("Merge", lambda s, p: link_catalogs(s, progress=p))


@import_app.command("csv")
def import_csv_command(
    directory: Annotated[Path, typer.Argument(help="Folder with items.csv [users.csv interactions.csv triples.csv].")],
    encoding: Annotated[str, typer.Option(help="Text encoding of the files.")] = "utf-8",
    batch_size: BatchSize = None,
) -> None:
    """Import your own catalog in the CSV format of docs/csv-format.md."""
    size = batch_size or get_settings().import_batch_size
    _run_import("CSV catalog", lambda s, p: import_csv_catalog(s, directory, size, encoding, p))


@import_app.command("demo")
def import_demo_command(batch_size: BatchSize = None) -> None:
    """Import MovieLens-100K and (when present) the ReDial catalog and dialogues from CHATREC_DATA_DIR, merged."""
    data_dir, size = get_settings().data_dir, batch_size or get_settings().import_batch_size

    def work(store: GraphStore, progress: Progress) -> dict[str, int]:
        movielens = import_movielens(store, data_dir / "movielens-100k", size, progress=progress)
        result = {f"movielens_{k}": v for k, v in movielens.items()}
        if not (data_dir / "redial" / "id2info.json").exists():
            console.print(f"[yellow]No ReDial catalog in {data_dir / 'redial'}: MovieLens only.[/yellow]")
            return result
        redial = import_redial(store, data_dir / "redial", size, progress=progress)
        merge = link_catalogs(store, progress=progress)
        result |= {**{f"redial_{k}": v for k, v in redial.items()}, "merged_movies": merge["merged_total"]}
        dialogues = data_dir / "redial" / "valid_data.jsonl"
        if dialogues.exists():
            seekers = import_redial_dialogues(store, dialogues, batch_size=size, progress=progress)
            result |= {f"dialogue_{k}": v for k, v in seekers.items()}
        return result

    _run_import("Demo data", work)


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Print node counts per label and relationship counts per type."""
    with _store() as store:
        counts = _fail_cleanly(lambda: graph_counts(store))
        nodes, relationships = _fail_cleanly(lambda: total_counts(store))
    if as_json:
        console.print_json(json.dumps({**counts, "total_nodes": nodes, "total_relationships": relationships}))
        return
    for title, key in (("Nodes", "nodes"), ("Relationships", "relationships")):
        table = Table(title=title)
        table.add_column("label" if key == "nodes" else "type")
        table.add_column("count", justify="right")
        for name, count in counts[key].items():
            table.add_row(name, f"{count:,}")
        console.print(table)
    console.print(f"Total: {nodes:,} nodes, {relationships:,} relationships")


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Bind address (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: settings).")] = None,
) -> None:
    """Serve the HTTP API with uvicorn (the process is stateless: several workers share the graph and model)."""
    from api.server import serve

    settings = get_settings()
    serve(
        host or settings.api_host,
        port or settings.api_port,
        workers or settings.api_workers,
        access_log=settings.api_access_log,
    )


@app.command("chat")
def chat_command(
    user: Annotated[str | None, typer.Option(help="Chat as this user (default: a fresh anonymous one).")] = None,
    k: Annotated[int, typer.Option(min=1, max=50, help="Recommendations per answer.")] = 5,
) -> None:
    """Talk to the recommender in the terminal (the API's code path); prints each list with its graph paths."""
    from api.chat import run_chat

    raise typer.Exit(run_chat(console, user, k))


# GNN commands (gnn/ is imported lazily: torch takes seconds to load). Exit codes: 2 empty or edge-less graph,
# 5 missing model directory or file, 6 checkpoint that does not match the graph, 7 other GNN errors.
eval_app = typer.Typer(help="Benchmarks that write bench/results/*.json, .md and .png.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
Device = Annotated[str, typer.Option(help="auto (CUDA when available), cpu or cuda.")]
Threads = Annotated[int | None, typer.Option(min=1, help="CPU threads for torch (1 is fastest on a busy machine).")]


def _gnn_fail_cleanly(action: Callable[[], T]) -> T:
    """Like _fail_cleanly, for gnn/ errors too."""
    from gnn.errors import CheckpointMismatchError, EmptyGraphError, GNNError, ModelNotFoundError

    codes = {EmptyGraphError: 2, ModelNotFoundError: 5, CheckpointMismatchError: 6}
    try:
        return _fail_cleanly(action)
    except GNNError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(codes.get(type(exc), 7)) from None


@app.command("train")
def train_command(
    model_dir: Annotated[Path | None, typer.Option(help="Checkpoint folder (default: settings).")] = None,
    device: Device = "auto",
    threads: Threads = None,
    max_epochs: Annotated[int | None, typer.Option(min=1, help="Epoch limit (early stopping ends sooner).")] = None,
    patience: Annotated[int | None, typer.Option(min=1, help="Epochs without validation gain before stopping.")] = None,
    dim: Annotated[int | None, typer.Option(min=2, help="Embedding size.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    write_back: Annotated[bool, typer.Option(help="Write the embeddings to Neo4j + vector index.")] = True,
) -> None:
    """Train the knowledge-aware GNN on the graph, checkpoint it, and write every embedding back to Neo4j."""
    from dataclasses import replace

    from gnn.model_store import load
    from gnn.model_store import write_back as write_embeddings_back
    from gnn.train import TrainConfig, resolve_device, train, use_threads

    overrides = {"device": device, "max_epochs": max_epochs, "patience": patience, "dim": dim, "seed": seed}
    config = replace(TrainConfig(), **{k: v for k, v in overrides.items() if v is not None})
    target = model_dir or get_settings().model_dir
    _gnn_fail_cleanly(lambda: (resolve_device(device), use_threads(threads)))
    with _store() as store:
        with Progress(console=console) as progress:
            metrics = _gnn_fail_cleanly(lambda: train(store, config, target, progress))
        console.print(
            f"Best epoch {metrics['best_epoch']} of {metrics['epochs']}: validation NDCG@{config.val_k} "
            f"{metrics[f'val_ndcg@{config.val_k}']:.4f}; {metrics['train_seconds']:.1f} s "
            f"({metrics['epoch_seconds']:.2f} s per epoch on {metrics['device']}). Checkpoint and plot in {target}."
        )
        if write_back:
            written = _gnn_fail_cleanly(lambda: write_embeddings_back(store, load(target)))
            console.print(f"Embeddings written to Neo4j (vector index entity_embedding): {written}")


@app.command("write-back")
def write_back_command(
    model_dir: Annotated[Path | None, typer.Option(help="Checkpoint folder (default: settings).")] = None,
) -> None:
    """Write a trained checkpoint's embeddings to Neo4j + vector index (the graph must still match it)."""
    from gnn.model_store import load, write_back
    from graph.export import export_graph

    target = model_dir or get_settings().model_dir
    with _store() as store:
        model = _gnn_fail_cleanly(lambda: load(target, export_graph(store)))
        written = _gnn_fail_cleanly(lambda: write_back(store, model))
    console.print(f"Embeddings written to Neo4j (vector index entity_embedding): {written}")


@eval_app.command("movielens")
def eval_movielens_command(
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split and of every model.")] = 2024,
    variants: Annotated[
        str, typer.Option(help="Comma-separated: all, rating>=4 (first = headline).")
    ] = "all,rating>=4",
    device: Device = "auto",
    threads: Threads = None,
    quick: Annotated[bool, typer.Option(help="No hyper-parameter grid (smoke run).")] = False,
    out: Annotated[Path | None, typer.Option(help="Results folder (default: bench/results).")] = None,
) -> None:
    """Top-K on MovieLens-100K (GUIDE.md protocol 1): Popularity, BPR-MF, PyG LightGCN and ours on one split."""
    from gnn.benchmark import run_benchmark, write_report
    from gnn.train import TrainConfig, resolve_device, use_threads
    from graph.export import export_graph

    _gnn_fail_cleanly(lambda: (resolve_device(device), use_threads(threads)))
    chosen = tuple(v.strip() for v in variants.split(",") if v.strip())
    unknown = [v for v in chosen if v not in ("all", "rating>=4")]
    if unknown or not chosen:
        console.print(f"[red]Error:[/red] unknown variant(s) {unknown or variants!r}; use all and/or rating>=4.")
        raise typer.Exit(2)
    with _store() as store:
        arrays = _fail_cleanly(lambda: export_graph(store))
    with Progress(console=console) as progress:
        report = _gnn_fail_cleanly(
            lambda: run_benchmark(arrays, TrainConfig(seed=seed, device=device), chosen, progress, quick)
        )
    target = out or Path(__file__).resolve().parent.parent / "bench" / "results"
    console.print(write_report(report, target))


if __name__ == "__main__":
    app()
