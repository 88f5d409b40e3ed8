"""A real HTTP server on localhost that speaks the OpenAI chat-completions protocol with scripted answers (for the
LLM parser and the LLM rerank tests): not a mock object in-process, a server the official client talks to."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MODEL = "test-model"
API_KEY = "sk-test-key"


@dataclass
class Step:
    """One scripted answer: the assistant message content (or a raw HTTP body), an HTTP status, a delay."""

    content: str | None = None
    status: int = 200
    body: bytes | None = None
    delay_s: float = 0.0


@dataclass
class ScriptedServer:
    """A chat-completions server on a free localhost port answering requests with the scripted steps, in order."""

    base_url: str = ""
    steps: deque[Step] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def script(self, *steps: Step) -> None:
        self.steps.extend(steps)


def _completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


@pytest.fixture
def llm_server() -> Iterator[ScriptedServer]:
    state = ScriptedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(
                {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": json.loads(body),
                }
            )
            step = state.steps.popleft() if state.steps else Step(status=500, body=b'{"error": "unscripted"}')
            time.sleep(step.delay_s)
            payload = step.body if step.body is not None else _completion(step.content or "")
            try:
                self.send_response(step.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("retry-after-ms", "20")  # the official client honours it: fast retries
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
