"""Real Neo4j for every test: NEO4J_URI when set, else testcontainers when a Docker engine answers, else the
local launcher (Maven-resolved Neo4j 5.26 under OpenJDK 17) on its own ports and data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
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
    launched_here: bool = False  # started by graph.server.LocalNeo4j (not a container or an external server)


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
            yield Neo4jConnection(server.bolt_uri, "neo4j", TEST_PASSWORD, server.http_url, launched_here=True)
        finally:
            server.stop()


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
