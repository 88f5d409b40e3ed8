"""`chatrec serve` and `chatrec stats`: the HTTP API and the graph's counts."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from api.cli.common import console, fail_cleanly, open_checked_store
from core.config import get_settings
from graph.stats import graph_counts, total_counts


def register(app: typer.Typer) -> None:
    """Add the serving commands to `app`."""
    app.command("stats")(stats)
    app.command("serve")(serve)


def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False) -> None:
    """Print node counts per label and relationship counts per type."""
    with open_checked_store() as store:
        counts = fail_cleanly(lambda: graph_counts(store))
        nodes, relationships = fail_cleanly(lambda: total_counts(store))
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


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: settings).")] = None,
) -> None:
    """Serve the HTTP API with uvicorn (the process is stateless: several workers share the graph and model)."""
    from api.server import serve as run_server

    settings = get_settings()
    run_server(
        host or settings.api_host,
        port or settings.api_port,
        workers or settings.api_workers,
        access_log=settings.api_access_log,
    )
