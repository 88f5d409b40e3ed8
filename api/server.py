"""Run the API under uvicorn: one process, or a supervisor with several worker processes sharing one socket."""

from __future__ import annotations

import os
import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from api import workers as worker_marks
from api.metrics import MULTIPROC_ENV, prepare_multiprocess_dir, remove_multiprocess_dir

APP = "api.main:app"


class _TcpConfig(uvicorn.Config):
    """uvicorn's Config whose pre-bound socket (the one `--workers N` shares) says it is TCP.

    uvicorn binds it with `proto` 0, and asyncio sets TCP_NODELAY only on connections of a socket whose `proto` is
    IPPROTO_TCP: with Nagle on, every keep-alive response waited ~40 ms for the client's delayed ACK (uvicorn issue
    #3149; measured here: 60 ms instead of 13 ms per request with 2 workers)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def serve(host: str, port: int, workers: int = 1, access_log: bool = True) -> None:
    """Serve the API until interrupted; exits with uvicorn's startup-failure code when the single process could
    not start. Several workers count their metrics in one folder (`api.metrics`), so any worker's `/metrics`
    answers for all of them, and any worker's `/health/ready` waits for all of them to warm up (`api.workers`)."""
    config = _TcpConfig(APP, host=host, port=port, workers=workers, access_log=access_log)
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            created = not os.environ.get(MULTIPROC_ENV)
            folder, marks = prepare_multiprocess_dir(), worker_marks.prepare(workers)
            try:
                Multiprocess(config, sockets=[config.bind_socket()]).run()
            finally:
                remove_multiprocess_dir(folder, created)
                worker_marks.remove(marks)
        else:
            config.load_app()
            server.run()
    except KeyboardInterrupt:
        pass
    if workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)
