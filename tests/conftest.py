"""Real Neo4j for every test: NEO4J_URI when set, else testcontainers when a Docker engine answers, else the
local launcher (Maven-resolved Neo4j 5.26 under OpenJDK 17) on its own ports and data folder."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT
from graph.db import GraphStore
from graph.schema import clear_database, ensure_schema
from graph.server import LocalNeo4j

pytest_plugins = ["tests.llm_server"]  # the scripted OpenAI-compatible server fixture `llm_server`

DATA_DIR = Path(os.environ.get("CHATREC_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))
TEST_PASSWORD = os.environ.get("NEO4J_PASSWORD", "chatrec-test-password")


@dataclass(frozen=True)
class Neo4jConnection:
    """Where the test server answers."""

    uri: str
    user: str
    password: str
    http_url: str
    server: LocalNeo4j | None = None  # the local server when started here (not a container or an external server)

    @property
    def launched_here(self) -> bool:
        """Started by graph.server.LocalNeo4j in this test session."""
        return self.server is not None


def _wait_until_stopped(pid: int, within_s: float = 5.0) -> None:
    """Until every thread of `pid` is stopped: a signal reaches the threads of a running JVM a moment later, and a
    query sent in that moment would still be answered."""
    deadline = time.monotonic() + within_s
    tasks = Path(f"/proc/{pid}/task")
    while time.monotonic() < deadline:
        states = []
        for task in tasks.iterdir():
            try:
                states.append((task / "stat").read_text().rsplit(")", 1)[1].split()[0])
            except (FileNotFoundError, ProcessLookupError):
                continue
        if states and all(state in ("T", "t") for state in states):
            return
        time.sleep(0.01)
    raise AssertionError(f"Neo4j (pid {pid}) did not stop within {within_s} s of SIGSTOP")


class Neo4jProcess:
    """Faults on the test server's real process: freeze it (SIGSTOP, as a stalled VM or a GC pause would), kill it
    (SIGKILL) and start it again."""

    def __init__(self, server: LocalNeo4j) -> None:
        self.server = server

    def _pid(self) -> int:
        pid = self.server.pid()
        assert pid is not None, "the test Neo4j is not running"
        return pid

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """The server process stopped for the duration of the block, then continued (whatever happens inside)."""
        pid = self._pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            _wait_until_stopped(pid)
            yield
        finally:
            os.kill(pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, connections refused."""
        pid = self._pid()
        os.kill(pid, signal.SIGKILL)
        self.server.stop()  # reaps the process and removes its pid file

    def restart(self) -> None:
        """Start the server again on the same data and ports, until Bolt accepts a login."""
        self.server.start()


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # no client library, no socket, no engine: all mean "no Docker"
        return False
    return True


@pytest.fixture(scope="session")
def neo4j_connection() -> Iterator[Neo4jConnection]:
    """A real Neo4j 5.26 server for the whole test session."""
    if os.environ.get("NEO4J_URI"):
        http_url = os.environ.get("NEO4J_HTTP_URL", "http://127.0.0.1:7474")
        yield Neo4jConnection(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"), TEST_PASSWORD, http_url)
    elif _docker_engine_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community", password=TEST_PASSWORD) as container:
            http_url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(7474)}"
            yield Neo4jConnection(container.get_connection_url(), "neo4j", TEST_PASSWORD, http_url)
    else:
        bolt_port = int(os.environ.get("CHATREC_TEST_BOLT_PORT", "17687"))
        http_port = int(os.environ.get("CHATREC_TEST_HTTP_PORT", str(bolt_port - 213)))
        server = LocalNeo4j(
            home=PROJECT_ROOT / ".neo4j" / f"test-{bolt_port}",
            password=TEST_PASSWORD,
            bolt_port=bolt_port,
            http_port=http_port,
            heap="768m",
            pagecache="256m",
        )
        server.start()
        try:
            yield Neo4jConnection(server.bolt_uri, "neo4j", TEST_PASSWORD, server.http_url, server=server)
        finally:
            server.stop()


@pytest.fixture
def neo4j_process(neo4j_connection: Neo4jConnection) -> Neo4jProcess:
    """Control of the test server's process, for fault tests (it must have been started here to be signalled)."""
    if neo4j_connection.server is None:
        pytest.skip("fault tests signal the Neo4j process: they need the local launcher (no NEO4J_URI, no Docker)")
    return Neo4jProcess(neo4j_connection.server)


@pytest.fixture(scope="session")
def session_store(neo4j_connection: Neo4jConnection) -> Iterator[GraphStore]:
    """One driver for the whole session."""
    with GraphStore(neo4j_connection.uri, neo4j_connection.user, neo4j_connection.password) as store:
        store.verify()
        yield store


@pytest.fixture
def store(session_store: GraphStore) -> GraphStore:
    """The store with an empty database and the schema in place: each test starts from a clean state."""
    clear_database(session_store)
    ensure_schema(session_store)
    return session_store


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data sets (../shared/data unless CHATREC_DATA_DIR says otherwise)."""
    if not (DATA_DIR / "movielens-100k" / "u.data").is_file():
        pytest.fail(f"The test data sets are missing from {DATA_DIR}; set CHATREC_DATA_DIR.")
    return DATA_DIR


@pytest.fixture
def app_env(store: GraphStore, neo4j_connection: Neo4jConnection, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the Settings (and so the CLI and the API) at the test server, with a clean database."""
    from core.config import get_settings

    monkeypatch.setenv("CHATREC_NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("CHATREC_NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("CHATREC_NEO4J_PASSWORD", neo4j_connection.password)
    monkeypatch.setenv("CHATREC_DATA_DIR", str(DATA_DIR))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
