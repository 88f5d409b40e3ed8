"""Real Neo4j for every test: NEO4J_URI when set, else testcontainers when a Docker engine answers, else the
local launcher (Maven-resolved Neo4j 5.26 under OpenJDK 17) on its own ports and data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.config import PROJECT_ROOT
from graph.db import GraphStore
from graph.schema import clear_database, ensure_schema
from graph.server import LocalNeo4j

DATA_DIR = Path(os.environ.get("CHATREC_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))
TEST_PASSWORD = os.environ.get("NEO4J_PASSWORD", "chatrec-test-password")


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # no client library, no socket, no engine: all mean "no Docker"
        return False
    return True


@pytest.fixture(scope="session")
def neo4j_connection() -> Iterator[tuple[str, str, str]]:
    """(uri, user, password) of a real Neo4j 5.26 server for the whole test session."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"), TEST_PASSWORD
    elif _docker_engine_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community", password=TEST_PASSWORD) as container:
            yield container.get_connection_url(), "neo4j", TEST_PASSWORD
    else:
        bolt_port = int(os.environ.get("CHATREC_TEST_BOLT_PORT", "17687"))
        http_port = int(os.environ.get("CHATREC_TEST_HTTP_PORT", str(bolt_port - 213)))
        server = LocalNeo4j(home=PROJECT_ROOT / ".neo4j" / f"test-{bolt_port}", password=TEST_PASSWORD,
                            bolt_port=bolt_port, http_port=http_port, heap="768m", pagecache="256m")
        server.start()
        try:
            yield server.bolt_uri, "neo4j", TEST_PASSWORD
        finally:
            server.stop()


@pytest.fixture(scope="session")
def session_store(neo4j_connection: tuple[str, str, str]) -> Iterator[GraphStore]:
    """One driver for the whole session."""
    with GraphStore(*neo4j_connection) as store:
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
