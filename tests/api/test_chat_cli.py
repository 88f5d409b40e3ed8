"""`chatrec chat`: the terminal REPL over the API's code path, on the planted graph."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from core.config import get_settings
from graph.db import GraphStore
from tests.api.conftest import Planted

runner = CliRunner()


def test_chat_prints_recommendations_with_their_paths(
    api_env: pytest.MonkeyPatch, planted: Planted, session_store: GraphStore
) -> None:
    result = runner.invoke(
        app,
        ["chat", "--k", "3"],
        input="I loved Fargo and The Big Lebowski\nwhy did you recommend that?\n"
        "anything newer than fargo, no horror?\nquit\n",
    )
    assert result.exit_code == 0, result.output
    assert "Session " in result.output and "as user anon:" in result.output
    assert "understood: preference; Fargo (1996) (Item, like), The Big Lebowski (1998) (Item, like)" in result.output
    assert "1. " in result.output and "(you) -[PREFERS]-> (" in result.output
    assert "anon:" not in result.output.split("Type 'quit'")[1]  # no user id in the paths
    first_two = result.output.split("; from 1997")[0]  # the paths of a turn follow its "understood" line
    assert first_two.count("(you) -[") <= 3 + 1  # one path per recommendation, one for the item asked about
    assert "understood: explain" in result.output and "why " in result.output
    assert "; from 1997, no horror" in result.output  # the filters understood, in words
    sessions = session_store.read("MATCH (u:User)-[:HAS_SESSION]->(s)-[:HAS_TURN]->(t) RETURN count(t) AS turns")
    assert sessions[0]["turns"] >= 4


def test_chat_with_an_unknown_user_exits_2(api_env: pytest.MonkeyPatch, planted: Planted) -> None:
    result = runner.invoke(app, ["chat", "--user", "ml:9999"], input="quit\n")
    assert result.exit_code == 2 and "User 'ml:9999' does not exist" in result.output


def test_chat_without_neo4j_exits_3(api_env: pytest.MonkeyPatch) -> None:
    api_env.setenv("CHATREC_NEO4J_URI", "bolt://127.0.0.1:1")
    get_settings.cache_clear()
    result = runner.invoke(app, ["chat"], input="quit\n")
    api_env.delenv("CHATREC_NEO4J_URI")
    get_settings.cache_clear()
    assert result.exit_code == 3 and "unreachable" in result.output


def test_names_that_look_like_console_markup_are_printed_as_they_are() -> None:
    from rich.console import Console

    from api.cli.chat import print_answer
    from api.schemas import ConstraintsOut, MessageOut, ParseOut, Recommendation

    console = Console(record=True, width=200)
    answer = MessageOut(
        session_id="s",
        user_id="u",
        turn=1,
        reply="Since you like [/red] films, here are my picks.",
        parse=ParseOut(intent="recommend", mentions=[], constraints=ConstraintsOut(), parser="embedded"),
        recommendations=[Recommendation(item_id="i", name="[rec] 2 (2009)", score=0.5)],
    )
    print_answer(console, answer)  # raised MarkupError on "[/red]"; "[rec]" vanished as a style tag
    text = console.export_text()
    assert "Since you like [/red] films" in text and "1. [rec] 2 (2009)" in text
