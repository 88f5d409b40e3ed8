"""`chatrec train` and `chatrec write-back`: the GNN model (gnn/ is imported lazily: torch takes seconds to load)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from api.cli.common import Device, Threads, console, fail_cleanly, open_checked_store
from api.progress import RichProgress
from core.config import get_settings

Sampling = Literal["auto", "always", "never"]


def register(app: typer.Typer) -> None:
    """Add the model commands to `app`."""
    app.command("train")(train)
    app.command("write-back")(write_back)
    app.command("train-nlu")(train_nlu)


def train(
    model_dir: Annotated[Path | None, typer.Option(help="Checkpoint folder (default: settings).")] = None,
    device: Device = "auto",
    threads: Threads = None,
    max_epochs: Annotated[int | None, typer.Option(min=1, help="Epoch limit (early stopping ends sooner).")] = None,
    patience: Annotated[int | None, typer.Option(min=1, help="Epochs without validation gain before stopping.")] = None,
    dim: Annotated[int | None, typer.Option(min=2, help="Embedding size.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    sampling: Annotated[
        Sampling,
        typer.Option(help="Neighbour-sampled batches: auto = when full-graph training exceeds the memory budget."),
    ] = "auto",
    write_back: Annotated[bool, typer.Option(help="Write the embeddings to Neo4j + vector index.")] = True,
) -> None:
    """Train the knowledge-aware GNN on the graph, checkpoint it, and write every embedding back to Neo4j."""
    from api.services.training import train_and_publish, train_config
    from gnn.train import resolve_device, use_threads

    overrides = {"device": device, "max_epochs": max_epochs, "patience": patience, "dim": dim, "seed": seed}
    config = train_config({**overrides, "sampling": sampling})
    target = model_dir or get_settings().model_dir
    fail_cleanly(lambda: (resolve_device(device), use_threads(threads)))
    with open_checked_store() as store, RichProgress(console) as progress:
        metrics, model = fail_cleanly(lambda: train_and_publish(store, config, target, progress, write_back))
    console.print(
        f"Best epoch {metrics['best_epoch']} of {metrics['epochs']}: validation NDCG@{config.val_k} "
        f"{metrics[f'val_ndcg@{config.val_k}']:.4f}; {metrics['train_seconds']:.1f} s "
        f"({metrics['epoch_seconds']:.2f} s per epoch on {metrics['device']}). Checkpoint and plot in {target}."
    )
    if write_back:
        written = {block.label: len(block.ids) for block in model.blocks()}
        console.print(f"Embeddings written to Neo4j (vector index entity_embedding): {written}")


def write_back(
    model_dir: Annotated[Path | None, typer.Option(help="Checkpoint folder (default: settings).")] = None,
) -> None:
    """Write a trained checkpoint's embeddings to Neo4j + vector index (the graph must still match it)."""
    from gnn.foldin import inner_product_keys
    from gnn.model_store import load
    from graph.embeddings import write_back as write_embeddings
    from graph.export import export_graph

    target = model_dir or get_settings().model_dir
    with open_checked_store() as store:
        model = fail_cleanly(lambda: load(target, export_graph(store)))
        keys = inner_product_keys(model.block("Item"))
        written = fail_cleanly(lambda: write_embeddings(store, model.blocks(), keys))
    console.print(f"Embeddings written to Neo4j (vector index entity_embedding): {written}")


def train_nlu(
    model_dir: Annotated[
        Path | None, typer.Option(help="Model folder to write the linker to (default: settings).")
    ] = None,
    fold: Annotated[
        int | None, typer.Option(min=0, max=1, help="Learn from this fold of the dialogues only (benchmarks).")
    ] = None,
) -> None:
    """Train the NLU's title linker on the ReDial dialogues written the ways people type, against the graph's
    catalog; the parser of every process that reads this model folder uses it."""
    from nlu.linker import LINKER_FILE
    from nlu.training import train_on_redial

    settings = get_settings()
    redial = settings.data_dir / "redial"
    if not (redial / "valid_data.jsonl").is_file() or not (redial / "id2info.json").is_file():
        console.print(f"[red]No ReDial dialogues in {redial}: set CHATREC_DATA_DIR to the data folder.[/red]")
        raise typer.Exit(2)
    target = (model_dir or settings.model_dir) / LINKER_FILE
    with open_checked_store() as store, RichProgress(console) as progress:
        linker = fail_cleanly(lambda: train_on_redial(store, redial, fold, progress))
    linker.save(target)
    console.print(
        f"Linker learned from {linker.about['examples']:,} candidate mentions ({linker.about['positives']:,} real) of "
        f"{linker.about['messages']:,} messages; {len(linker.weights)} weights written to {target}."
    )
