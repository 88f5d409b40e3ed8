"""The OpenAI-compatible backend against a real HTTP server on localhost that speaks the chat-completions protocol
with scripted answers, grounding through a real Neo4j, falling back to the real embedded parser."""

from __future__ import annotations

import json
import logging
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from core.types import Intent, Polarity
from graph.db import GraphStore
from graph.stats import total_counts
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.llm import (
    FALLBACK_PARSER,
    LLMConfig,
    LLMConfigError,
    LLMDependencyError,
    LLMParser,
    create_llm,
    create_parser,
)
from nlu.llm.proposal import SYSTEM_PROMPT, proposal_schema
from tests.llm_server import API_KEY, MODEL, ScriptedServer, Step


def make_parser(server: ScriptedServer, grounder: Grounder, timeout_s: float = 5.0, retries: int = 0) -> LLMParser:
    config = LLMConfig(
        backend="openai",
        model=MODEL,
        base_url=server.base_url,
        api_key=API_KEY,
        timeout_s=timeout_s,
        max_retries=retries,
    )
    parser = create_parser(config, EmbeddedParser(grounder), grounder)
    assert isinstance(parser, LLMParser)
    return parser


def answer(intent: str = "preference", mentions: list[dict[str, Any]] | None = None, **constraints: Any) -> str:
    return json.dumps(
        {
            "intent": intent,
            "mentions": mentions or [],
            "constraints": {
                "year_min": None,
                "year_max": None,
                "genres_required": [],
                "genres_excluded": [],
                "not_seen": False,
                **constraints,
            },
        }
    )


def proposed(text: str, label: str, polarity: str = "like", confidence: float = 0.9) -> dict[str, Any]:
    return {"text": text, "label": label, "polarity": polarity, "confidence": confidence}


def embedded_fallback(grounder: Grounder, text: str) -> Any:
    return replace(EmbeddedParser(grounder).parse(text), parser=FALLBACK_PARSER)


def test_structured_answer_is_grounded_and_the_request_follows_the_protocol(
    llm_server: ScriptedServer, grounder: Grounder
) -> None:
    text = "I loved Fargo but no horror, something with Frances McDormand from after 1990?"
    llm_server.script(
        Step(
            answer(
                "recommend",
                [
                    proposed("Fargo", "Item", "like", 0.95),
                    proposed("horror", "Genre", "dislike", 0.9),
                    proposed("Frances McDormand", "Person", "neutral", 0.8),
                ],
                year_min=1990,
                genres_excluded=["Horror"],
            )
        )
    )
    parse = make_parser(llm_server, grounder).parse(text)

    assert parse.parser == "openai-compatible"
    assert parse.intent is Intent.RECOMMEND
    assert [(m.text, m.entity.label, m.entity.node_id, m.polarity, m.confidence) for m in parse.mentions] == [
        ("Fargo", "Item", "ml:100", Polarity.LIKE, 0.95),
        ("horror", "Genre", "horror", Polarity.DISLIKE, 0.9),
        ("Frances McDormand", "Person", "redial:1", Polarity.NEUTRAL, 0.8),
    ]
    assert all(text[m.start : m.end] == m.text for m in parse.mentions)
    assert (parse.constraints.year_min, parse.constraints.year_max) == (1990, None)
    assert parse.constraints.genres_excluded == ("horror",)

    (request,) = llm_server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["authorization"] == f"Bearer {API_KEY}"
    body = request["json"]
    assert body["model"] == MODEL
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"] == text
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"] == proposal_schema()


def test_invented_entities_are_dropped_and_typos_are_anchored(llm_server: ScriptedServer, grounder: Grounder) -> None:
    text = "Loved Forest Gump and Quantum Spaghetti Warriors"
    llm_server.script(
        Step(
            answer(
                mentions=[
                    proposed("Forrest Gump", "Item"),  # the model fixed the typo: anchored to the user's words
                    proposed("Quantum Spaghetti Warriors", "Item"),  # in the text, not in the graph
                    proposed("Steven Spielberg", "Person"),  # neither in the text nor in the graph
                    proposed("Jaws", "Item"),  # in the graph, but the user never said it
                ],
                genres_required=["Comedy", "Space Western Opera Noir"],
            )
        )
    )
    parse = make_parser(llm_server, grounder).parse(text)

    assert parse.parser == "openai-compatible"
    assert [(m.text, m.entity.node_id) for m in parse.mentions] == [("Forest Gump", "ml:69")]
    assert "comedy" in parse.constraints.genres_required
    assert set(parse.constraints.genres_required) <= {"horror", "comedy", "drama"}


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ('{"intent": "recommend", "mentions": [', "malformed JSON"),
        ("Sure! You would like Fargo.", "prose instead of JSON"),
        ('["recommend"]', "JSON that is not an object"),
        (answer("buy_popcorn"), "an intent outside the schema"),
        (answer(mentions=[proposed("Fargo", "Item", confidence=7.0)]), "a confidence above 1"),
        ('{"intent": "recommend", "mentions": []}', "missing constraints"),
        (answer(mentions=[{**proposed("Fargo", "Item"), "node_id": "ml:100"}]), "an extra property"),
    ],
)
def test_invalid_answers_fall_back_to_the_embedded_parser(
    llm_server: ScriptedServer, grounder: Grounder, caplog: pytest.LogCaptureFixture, content: str, what: str
) -> None:
    text = "I loved Fargo but I didn't like Jaws"
    llm_server.script(Step(content))
    with caplog.at_level(logging.WARNING, logger="nlu.llm.parser"):
        parse = make_parser(llm_server, grounder).parse(text)
    assert parse == embedded_fallback(grounder, text), what
    assert {m.entity.node_id for m in parse.mentions} == {"ml:100", "ml:234"}
    assert "embedded parser answers" in caplog.text
    assert len(llm_server.requests) == 1


def test_a_body_that_is_not_a_chat_completion_falls_back(llm_server: ScriptedServer, grounder: Grounder) -> None:
    llm_server.script(Step(body=b"<html>502 Bad Gateway</html>"))
    assert make_parser(llm_server, grounder).parse("Fargo please").parser == FALLBACK_PARSER


def test_a_timeout_falls_back_within_the_client_timeout(llm_server: ScriptedServer, grounder: Grounder) -> None:
    text = "Something like Jaws"
    llm_server.script(Step(answer("recommend", [proposed("Jaws", "Item")]), delay_s=3.0))
    parser = make_parser(llm_server, grounder, timeout_s=0.5, retries=0)
    began = time.perf_counter()
    parse = parser.parse(text)
    elapsed = time.perf_counter() - began
    assert parse == embedded_fallback(grounder, text)
    assert elapsed < 2.5
    assert len(llm_server.requests) == 1


def test_http_500_is_retried_then_succeeds(llm_server: ScriptedServer, grounder: Grounder) -> None:
    llm_server.script(
        Step(status=500, body=b'{"error": {"message": "overloaded"}}'),
        Step(status=500, body=b'{"error": {"message": "overloaded"}}'),
        Step(answer("preference", [proposed("Jaws", "Item", "dislike", 0.7)])),
    )
    parse = make_parser(llm_server, grounder, retries=2).parse("I did not enjoy Jaws")
    assert parse.parser == "openai-compatible"
    assert [(m.entity.node_id, m.polarity) for m in parse.mentions] == [("ml:234", Polarity.DISLIKE)]
    assert len(llm_server.requests) == 3


def test_http_errors_after_the_last_retry_fall_back(llm_server: ScriptedServer, grounder: Grounder) -> None:
    llm_server.script(*[Step(status=503, body=b'{"error": {"message": "down"}}')] * 2)
    parse = make_parser(llm_server, grounder, retries=1).parse("Jaws")
    assert parse.parser == FALLBACK_PARSER
    assert len(llm_server.requests) == 2


def test_an_unreachable_server_falls_back(grounder: Grounder) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = LLMConfig(
        backend="openai", model=MODEL, base_url=f"http://127.0.0.1:{port}/v1", timeout_s=1, max_retries=0
    )
    text = "I loved Fargo but I didn't like Jaws"
    parse = create_parser(config, EmbeddedParser(grounder), grounder).parse(text)
    assert parse == embedded_fallback(grounder, text)
    assert parse.parser == FALLBACK_PARSER and len(parse.mentions) == 2


def test_cypher_looking_text_is_only_text(llm_server: ScriptedServer, grounder: Grounder, store: GraphStore) -> None:
    text = "'}) DETACH DELETE n //"
    llm_server.script(Step(answer("chitchat", [proposed("DETACH DELETE n", "Item")])))
    before = total_counts(store)
    parse = make_parser(llm_server, grounder).parse(text)
    assert (parse.text, parse.mentions, parse.parser) == (text, (), "openai-compatible")
    assert total_counts(store) == before


def test_blank_input_never_reaches_the_server_and_long_input_is_capped(
    llm_server: ScriptedServer, grounder: Grounder
) -> None:
    parser = make_parser(llm_server, grounder)
    assert parser.parse("   ").intent is Intent.CHITCHAT
    assert llm_server.requests == []

    text = "I loved Fargo. " + "la " * 3_400
    llm_server.script(Step(answer(mentions=[proposed("Fargo", "Item")])))
    parse = parser.parse(text)
    assert len(llm_server.requests[0]["json"]["messages"][1]["content"]) == parser.max_input_chars
    assert (parse.text, [m.entity.node_id for m in parse.mentions]) == (text, ["ml:100"])


def test_the_schema_is_strict() -> None:
    def objects(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    found = list(objects(proposal_schema()))
    assert len(found) == 3  # the proposal, a mention, the constraints
    for node in found:
        assert node["additionalProperties"] is False
        assert sorted(node["required"]) == sorted(node["properties"])


def test_factory_and_configuration_errors(grounder: Grounder, monkeypatch: pytest.MonkeyPatch) -> None:
    embedded = EmbeddedParser(grounder)
    assert create_parser(LLMConfig(), embedded, grounder) is embedded
    with pytest.raises(LLMConfigError, match="Unknown LLM backend 'claude-by-carrier-pigeon'"):
        create_parser(LLMConfig(backend="claude-by-carrier-pigeon"), embedded, grounder)
    with pytest.raises(LLMConfigError, match="model name"):
        create_llm(LLMConfig(backend="openai", model=""))
    monkeypatch.setitem(sys.modules, "openai", None)  # as if the package were not installed
    with pytest.raises(LLMDependencyError, match=r"pip install 'chatrec\[llm\]'"):
        create_llm(LLMConfig(backend="openai"))


def test_every_request_caps_its_length(llm_server: ScriptedServer, grounder: Grounder) -> None:
    llm_server.script(Step(answer("preference", [proposed("Jaws", "Item", "like", 0.8)])))
    make_parser(llm_server, grounder).parse("Jaws")
    assert llm_server.requests[0]["json"]["max_tokens"] == LLMConfig().max_tokens


def test_instructions_open_the_user_message_for_templates_without_a_system_role(
    llm_server: ScriptedServer, grounder: Grounder
) -> None:
    llm_server.script(Step(answer("preference", [proposed("Jaws", "Item", "like", 0.8)])))
    config = LLMConfig(backend="openai", model=MODEL, base_url=llm_server.base_url, api_key=API_KEY, system_role=False)
    parse = create_parser(config, EmbeddedParser(grounder), grounder).parse("Jaws")
    assert [m.entity.node_id for m in parse.mentions] == ["ml:234"]
    (message,) = llm_server.requests[0]["json"]["messages"]
    assert message["role"] == "user" and message["content"].startswith(SYSTEM_PROMPT)
    assert message["content"].endswith("\n\nJaws")


def test_a_server_that_refuses_json_schema_is_asked_in_json_object_from_then_on(
    llm_server: ScriptedServer, grounder: Grounder
) -> None:
    refusal = b'{"error": {"message": "response_format.type: Input should be \'text\' or \'json_object\'"}}'
    llm_server.script(
        Step(status=500, body=refusal),  # llama-cpp-python's server: HTTP 500 for the json_schema type
        Step(answer("preference", [proposed("Jaws", "Item", "like", 0.8)])),
        Step(answer("preference", [proposed("Fargo", "Item", "like", 0.8)])),
    )
    parser = make_parser(llm_server, grounder)
    first, second = parser.parse("I liked Jaws"), parser.parse("I liked Fargo")
    assert (first.parser, second.parser) == ("openai-compatible", "openai-compatible")
    assert [m.entity.node_id for m in first.mentions + second.mentions] == ["ml:234", "ml:100"]
    formats = [r["json"]["response_format"] for r in llm_server.requests]
    assert [f["type"] for f in formats] == ["json_schema", "json_object", "json_object"]
    assert formats[1]["schema"] == proposal_schema()


@pytest.mark.parametrize("dialect", ["json_object", "ollama"])
def test_the_dialect_can_be_chosen(llm_server: ScriptedServer, grounder: Grounder, dialect: str) -> None:
    llm_server.script(Step(answer("preference", [proposed("Jaws", "Item", "like", 0.8)])))
    config = LLMConfig(backend="openai", model=MODEL, base_url=llm_server.base_url, structured_output=dialect)
    parse = create_parser(config, EmbeddedParser(grounder), grounder).parse("Jaws")
    assert parse.parser == "openai-compatible"
    body = llm_server.requests[0]["json"]
    if dialect == "ollama":
        assert body["format"] == proposal_schema() and "response_format" not in body
    else:
        assert body["response_format"] == {"type": "json_object", "schema": proposal_schema()}
