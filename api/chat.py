"""`chatrec chat`: a terminal REPL over the same services as the HTTP API."""

from __future__ import annotations

from rich.console import Console

from api.config import get_settings
from api.errors import APIError
from api.schemas import Explanation, MessageOut
from api.services.container import build_services
from graph.dialogue import DialogueError
from graph.errors import GraphError, GraphUnavailableError

QUIT = {"quit", "exit", "bye", ":q"}


def run_chat(console: Console, user_id: str | None, k: int) -> int:
    """Run the chat until EOF or `quit`; returns the exit code: 0, 2 unknown user, 3 Neo4j unreachable."""
    services = build_services(get_settings())
    try:
        try:
            services.store.verify()
            session = services.conversation.start(user_id)
        except GraphUnavailableError as exc:
            console.print(f"[red]Error:[/red] {exc}", soft_wrap=True)
            return 3
        except DialogueError as exc:
            console.print(f"[red]Error:[/red] {exc}", soft_wrap=True)
            return 2
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
            except (APIError, GraphError, ValueError) as exc:
                console.print(f"[red]Error:[/red] {getattr(exc, 'message', exc)}", soft_wrap=True)
                if isinstance(exc, GraphUnavailableError):
                    return 3
                continue
            print_answer(console, answer)
    finally:
        services.close()


def print_answer(console: Console, answer: MessageOut) -> None:
    """The reply, the parse in one line, each recommendation and its explanation paths."""
    console.print(f"[bold cyan]chatrec>[/bold cyan] {answer.reply}", soft_wrap=True)
    understood = ", ".join(f"{m.name} ({m.label}, {m.polarity})" for m in answer.parse.mentions) or "no entities"
    console.print(f"[dim]  understood: {answer.parse.intent}; {understood}[/dim]", soft_wrap=True)
    for rank, item in enumerate(answer.recommendations, 1):
        console.print(
            f"  {rank}. [bold]{item.name}[/bold] [dim]{item.item_id} score {item.score:.3f}[/dim]", soft_wrap=True
        )
        for explanation in item.explanations or []:
            print_path(console, explanation)
    for asked in answer.explanations:
        console.print(f"  [bold]{asked.item_id}[/bold]", soft_wrap=True)
        for explanation in asked.explanations:
            print_path(console, explanation)


def print_path(console: Console, explanation: Explanation) -> None:
    """One path as `(User ml:1) -[RATED]-> (Fargo (1996)) <-[DIRECTED]- (Joel Coen) …` and its sentence."""
    nodes = explanation.nodes
    text = f"({nodes[0].label} {nodes[0].id})"
    for position, rel in enumerate(explanation.relationships):
        arrow = f" -[{rel.type}]-> " if rel.start == position else f" <-[{rel.type}]- "
        text += arrow + f"({nodes[position + 1].name})"
    console.print(f"     [green]{text}[/green]", highlight=False, soft_wrap=True)
    console.print(f"     [dim]{explanation.text}[/dim]", highlight=False, soft_wrap=True)
