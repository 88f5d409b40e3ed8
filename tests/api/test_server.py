"""Serving: the socket several workers share gives every connection TCP_NODELAY, and the app starts warm."""

from __future__ import annotations

import asyncio
import gc
import socket

from fastapi.testclient import TestClient

from api.server import APP, _TcpConfig


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


def test_startup_builds_the_parser_and_neighbours_and_freezes_them_out_of_the_gc(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.conversation._parser is not None
    assert services.recommender._neighbours is not None
    assert gc.get_freeze_count() > 100_000
