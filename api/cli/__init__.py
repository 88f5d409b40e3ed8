"""The `chatrec` command line: one Typer app assembled from one module per concern."""

from __future__ import annotations

import typer

from api.cli import chat, data, imports, llm, model, neo4j, serve

app = typer.Typer(help="Chat-Rec: knowledge-graph conversational recommendation.", no_args_is_help=True)
app.add_typer(neo4j.app, name="neo4j")
app.add_typer(data.app, name="data")
app.add_typer(imports.app, name="import")
app.add_typer(llm.app, name="llm")
for module in (serve, chat, model):
    module.register(app)
