"""`chatrec chat`: a terminal REPL over the same services as the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from api.cli.common import console, report
from api.schemas import ConstraintsOut, Explanation, MessageOut
from api.services.container import build_services
from core.config import get_settings
from core.errors import ChatRecError, ErrorKind

QUIT = {"quit", "exit", "bye", ":q"}


def register(app: typer.Typer) -> None:
    """Add `chatrec chat` to `app`."""
    app.command("chat")(chat)


def chat(
    user: Annotated[str | None, typer.Option(help="Chat as this user (default: a fresh anonymous one).")] = None,
    k: Annotated[int, typer.Option(min=1, max=50, help="Recommendations per answer.")] = 5,
    paths: Annotated[int, typer.Option(min=0, max=3, help="Explanation paths shown per recommendation.")] = 1,
) -> None:
    """Talk to the recommender in the terminal (the API's code path); prints each list with its graph paths."""
    raise typer.Exit(run_chat(console, user, k, paths))


def run_chat(console: Console, user_id: str | None, k: int, paths: int = 1) -> int:
    """Run the chat until EOF or `quit`; returns the exit code: 0, or the code of the error that ended it
    (`core.errors.EXIT_CODE`: 2 unknown user, 3 Neo4j unreachable)."""
    services = build_services(get_settings())
    try:
        try:
            services.store.verify()
            with console.status("Warming up (names, signals, Neo4j query plans)…"):
                services.warm_up()  # as the API does before it is ready: no first answer pays for it
            session = services.conversation.start(user_id)
        except ChatRecError as exc:
            return report(exc)
        console.print(f"Session {session.session_id} as user {session.user_id}. Type 'quit' to leave.", soft_wrap=True)
        while True:
            try:
                text = console.input("[bold]you>[/bold] ")
            except (EOFError, KeyboardInterrupt):
                return 0
            if text.strip().lower() in QUIT:
                return 0
            if not text.strip():
                continue
            try:
                answer = services.conversation.message(session.session_id, text, k)
            except ChatRecError as exc:
                code = report(exc)
                if exc.kind is ErrorKind.UNAVAILABLE:
                    return code
                continue
            print_answer(console, answer, paths)
    finally:
        services.close()


def print_answer(console: Console, answer: MessageOut, paths: int = 1) -> None:
    """The reply, the parse in one line, each recommendation with its best `paths` explanation paths, and the paths
    of an item the user asked about."""
    console.print(f"[bold cyan]chatrec>[/bold cyan] {escape(answer.reply)}", soft_wrap=True)
    understood = ", ".join(f"{m.name} ({m.label}, {m.polarity})" for m in answer.parse.mentions) or "no entities"
    filters = _filters(answer.parse.constraints)
    console.print(
        f"[dim]  understood: {answer.parse.intent}; {escape(understood)}{'; ' + filters if filters else ''}[/dim]",
        soft_wrap=True,
    )
    for rank, item in enumerate(answer.recommendations, 1):
        console.print(f"  {rank}. [bold]{escape(item.name)}[/bold] [dim]score {item.score:.3f}[/dim]", soft_wrap=True)
        for explanation in (item.explanations or [])[:paths]:
            print_path(console, explanation)
    for asked in answer.explanations:
        title = asked.explanations[0].nodes[-1].name if asked.explanations else asked.item_id
        console.print(f"  why [bold]{escape(title)}[/bold]:", soft_wrap=True)
        for explanation in asked.explanations[: max(paths, 1)]:
            print_path(console, explanation)


def print_path(console: Console, explanation: Explanation) -> None:
    """One path as `(you) -[RATED]-> (Fargo (1996)) <-[DIRECTED]- (Joel Coen) …` and its sentence."""
    nodes = explanation.nodes
    text = "(you)"
    for position, rel in enumerate(explanation.relationships):
        arrow = f" -[{rel.type}]-> " if rel.start == position else f" <-[{rel.type}]- "
        text += arrow + f"({nodes[position + 1].name})"
    console.print(f"     [green]{escape(text)}[/green]", highlight=False, soft_wrap=True)
    console.print(f"     [dim]{escape(explanation.text)}[/dim]", highlight=False, soft_wrap=True)


def _filters(constraints: ConstraintsOut) -> str:
    """The parse's hard filters in words ("from 1995", "1990-1999", "not seen"); empty without any."""
    low, high = constraints.year_min, constraints.year_max
    years = f"{low}-{high}" if low and high else f"from {low}" if low else f"up to {high}" if high else ""
    words = [years] if years else []
    words += [f"only {genre}" for genre in constraints.genres_required]
    words += [f"no {genre}" for genre in constraints.genres_excluded]
    return ", ".join(words + (["not seen"] if constraints.not_seen else []))
