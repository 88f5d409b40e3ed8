"""Serving: `chatrec serve` with several workers (TCP_NODELAY on every connection), and the app starts warm."""

from __future__ import annotations

import asyncio
import gc
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.server import APP, _TcpConfig
from tests.api.conftest import serving


def test_the_shared_worker_socket_turns_nagle_off_on_every_connection() -> None:
    sock = _TcpConfig(APP, host="127.0.0.1", port=0).bind_socket()
    assert sock.proto == socket.IPPROTO_TCP
    flags: list[int] = []

    async def exchange() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            flags.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            await reader.read()
            writer.close()

    asyncio.run(exchange())
    assert flags and flags[0] != 0


def test_startup_builds_the_parser_and_scorer_and_freezes_them_out_of_the_gc(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.conversation._parser is not None
    assert services.conversation._parser.grounder._genre_vectors is not None  # the sentence encoder ran
    assert services.recommender._scorer is not None
    assert gc.get_freeze_count() > 100_000


def test_chatrec_serve_with_two_workers_answers_without_delay_and_counts_metrics_for_both(
    api_env: pytest.MonkeyPatch,
) -> None:
    with serving(workers=2, timeout_s=5) as client:
        latencies = []
        for _ in range(20):  # one keep-alive connection: with Nagle on, each answer waited ~40 ms for an ACK
            started = time.perf_counter()
            assert client.get("/health/live").status_code == 200
            latencies.append(time.perf_counter() - started)
        for _ in range(12):  # new connections: the workers share them
            with httpx.Client(base_url=client.base_url, timeout=5) as fresh:
                assert fresh.get("/v1/items", params={"q": "fargo"}).status_code == 200
        scrapes = []
        for _ in range(6):
            with httpx.Client(base_url=client.base_url, timeout=5) as fresh:
                scrapes.append(fresh.get("/metrics").text)
    assert sorted(latencies)[10] < 0.03
    searches = [
        _sample(text, 'chatrec_http_requests_total{method="GET",route="/v1/items",status="200"}') for text in scrapes
    ]
    assert searches == [12.0] * 6  # every scrape, whichever worker answers it, counts both workers' requests
    assert all(re.search(r'^chatrec_model_info\{version="[0-9a-f]{12}"\} 1\.0$', t, re.M) for t in scrapes)


def _sample(exposition: str, name: str) -> float | None:
    """The value of one sample of a Prometheus text exposition."""
    for line in exposition.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def test_readiness_waits_for_every_worker_to_warm_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from api import workers

    monkeypatch.setenv(workers.READY_DIR_ENV, str(tmp_path))  # as `chatrec serve --workers 3` exports them
    monkeypatch.setenv(workers.COUNT_ENV, "3")
    assert workers.still_warming() == 3
    workers.mark_warm()  # this process
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / str(dead.pid)).touch()  # a worker that warmed up and died: its successor has not yet
    assert workers.still_warming() == 2
    monkeypatch.delenv(workers.READY_DIR_ENV)
    assert workers.still_warming() == 0  # a single process
