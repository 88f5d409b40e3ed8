"""`chatrec import …`: load catalogs into Neo4j (idempotent: rerun to resume)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import BatchSize, console, fail_cleanly, open_checked_store
from api.progress import RichProgress
from core.config import get_settings
from core.progress import Progress
from graph.db import GraphStore
from graph.importers.csv_catalog import import_csv_catalog
from graph.importers.demo import import_demo
from graph.importers.merge import link_catalogs
from graph.importers.movielens import import_movielens
from graph.importers.movielens_latest import imdb_names, import_movielens_latest
from graph.importers.redial import import_redial
from graph.importers.redial_dialogues import import_redial_dialogues
from graph.schema import clear_query_plans, ensure_schema

app = typer.Typer(help="Load catalogs into Neo4j (idempotent: rerun to resume).", no_args_is_help=True)


def _run(description: str, work: Callable[[GraphStore, Progress], dict[str, int]]) -> None:
    with open_checked_store() as store:
        started = time.monotonic()
        fail_cleanly(lambda: ensure_schema(store))
        with RichProgress(console) as progress:
            result = fail_cleanly(lambda: work(store, progress))
        fail_cleanly(lambda: clear_query_plans(store))
        console.print(f"{description}: {result} in {time.monotonic() - started:.1f} s")


def _folder(directory: Path | None, default_name: str) -> Path:
    return directory if directory is not None else get_settings().data_dir / default_name


def _batch(size: int | None) -> int:
    return size or get_settings().import_batch_size


@app.command("movielens")
def movielens(
    directory: Annotated[Path | None, typer.Argument(help="Folder with u.data, u.item, u.user, u.genre.")] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of the files.")] = "latin-1",
    batch_size: BatchSize = None,
) -> None:
    """Import MovieLens-100K: users, movies, genres, ratings."""
    folder, size = _folder(directory, "movielens-100k"), _batch(batch_size)
    _run("MovieLens-100K", lambda s, p: import_movielens(s, folder, size, encoding, p))


@app.command("movielens-latest")
def movielens_latest(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder with movies.csv, links.csv, ratings.csv, tags.csv.")
    ] = None,
    min_taggers: Annotated[int, typer.Option(min=1, help="Keep tags that at least this many users gave.")] = 2,
    batch_size: BatchSize = None,
) -> None:
    """Import MovieLens latest-small on the catalog's movies (IMDb id, then title + year): users, ratings, tags."""
    folder, size = _folder(directory, "movielens-latest-small"), _batch(batch_size)
    _run("MovieLens latest-small", lambda s, p: import_movielens_latest(s, folder, size, min_taggers, p))


@app.command("redial")
def redial(
    directory: Annotated[Path | None, typer.Argument(help="Folder with id2info.json, entity2id.json, kg.json.")] = None,
    batch_size: BatchSize = None,
    imdb_names_from: Annotated[
        Path | None,
        typer.Option(help="MovieLens latest folder whose IMDb links say which film a disputed IMDb id is."),
    ] = None,
) -> None:
    """Import the ReDial catalog: movies, genres, directors, writers, stars."""
    folder, size = _folder(directory, "redial"), _batch(batch_size)
    latest = _folder(imdb_names_from, "movielens-latest-small")
    linked = (latest / "links.csv").exists()
    if imdb_names_from is not None and not linked:
        console.print(f"[red]Error:[/red] {latest} has no links.csv (MovieLens latest's IMDb links).")
        raise typer.Exit(2)
    names = imdb_names(latest) if linked else None
    _run("ReDial catalog", lambda s, p: import_redial(s, folder, size, p, names))


@app.command("redial-dialogues")
def redial_dialogues(
    path: Annotated[Path | None, typer.Argument(help="ReDial dialogues (valid_data.jsonl).")] = None,
    folds: Annotated[int, typer.Option(min=1, help="Number of folds the conversations are split into.")] = 2,
    holdout_fold: Annotated[int | None, typer.Option(help="Skip this fold (held out for evaluation).")] = None,
    batch_size: BatchSize = None,
) -> None:
    """Import past ReDial conversations: one user per seeker, PREFERS edges from their liked / disliked answers."""
    file, size = path or _folder(None, "redial") / "valid_data.jsonl", _batch(batch_size)
    if holdout_fold is not None and not 0 <= holdout_fold < folds:
        console.print(f"[red]Error:[/red] --holdout-fold must be between 0 and {folds - 1}.")
        raise typer.Exit(2)
    _run("ReDial dialogues", lambda s, p: import_redial_dialogues(s, file, folds, holdout_fold, size, p))


@app.command("merge")
def merge() -> None:
    """Merge MovieLens and ReDial movies with the same normalised title and year."""
    _run("Merge", lambda s, p: link_catalogs(s, progress=p))


@app.command("csv")
def csv(
    directory: Annotated[
        Path, typer.Argument(help="Folder with items.csv [users.csv interactions.csv triples.csv preferences.csv].")
    ],
    encoding: Annotated[str, typer.Option(help="Text encoding of the files.")] = "utf-8",
    batch_size: BatchSize = None,
) -> None:
    """Import your own catalog in the CSV format of docs/csv-format.md."""
    size = _batch(batch_size)
    _run("CSV catalog", lambda s, p: import_csv_catalog(s, directory, size, encoding, p))


@app.command("demo")
def demo(batch_size: BatchSize = None) -> None:
    """Import MovieLens-100K and (when present) the ReDial catalog, MovieLens latest-small and the ReDial dialogues
    from CHATREC_DATA_DIR, one node per movie."""
    data_dir, size = get_settings().data_dir, _batch(batch_size)

    def work(store: GraphStore, progress: Progress) -> dict[str, int]:
        result = import_demo(store, data_dir, size, progress)
        if not result.redial_found:
            console.print(f"[yellow]No ReDial catalog in {data_dir / 'redial'}: MovieLens only.[/yellow]")
        return result.counts

    _run("Demo data", work)
