"""`chatrec data fetch NAME`: public data sets, downloaded and checksum-verified."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import console, fail_cleanly
from core.config import get_settings
from graph.datasets import DATASETS, fetch

app = typer.Typer(help="Download public data sets.", no_args_is_help=True)


@app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(DATASETS)}")],
    data_dir: Annotated[Path | None, typer.Option(help="Target folder (default: CHATREC_DATA_DIR).")] = None,
) -> None:
    """Download a public data set and verify its checksums."""
    if name not in DATASETS:
        console.print(f"[red]Error:[/red] unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
        raise typer.Exit(2)
    target = fail_cleanly(lambda: fetch(name, data_dir or get_settings().data_dir))
    console.print(f"{name} is in {target} (checksums verified).")
