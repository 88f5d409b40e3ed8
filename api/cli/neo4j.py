"""`chatrec neo4j start|stop|status`: the local Neo4j 5.26 Community server, without Docker."""

from __future__ import annotations

import json
import time

import typer

from api.cli.common import console, fail_cleanly
from api.deps import local_neo4j
from core.config import get_settings

app = typer.Typer(help="Run a local Neo4j 5.26 Community server without Docker.", no_args_is_help=True)


@app.command("start")
def start() -> None:
    """Resolve Neo4j from Maven Central (cached in ~/.m2), start it on 127.0.0.1 and wait until Bolt answers."""
    server = local_neo4j()
    started = time.monotonic()
    with console.status("Starting Neo4j (the first run downloads the jars with Maven)…"):
        fail_cleanly(lambda: server.start(get_settings().neo4j_start_timeout_s))
    console.print(
        f"Neo4j is up on {server.bolt_uri} after {time.monotonic() - started:.1f} s; "
        f"Browser: {server.http_url}/browser/"
    )


@app.command("stop")
def stop() -> None:
    """Stop the local Neo4j server."""
    stopped = local_neo4j().stop()
    console.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@app.command("status")
def status() -> None:
    """Print whether the local server runs, and where. Exit code 1 when it does not."""
    info = local_neo4j().status()
    console.print_json(json.dumps(info))
    if not info["running"]:
        raise typer.Exit(1)
