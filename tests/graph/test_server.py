"""The local launcher serves Bolt with authentication and the Neo4j Browser over HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graph.db import GraphStore
from graph.errors import GraphUnavailableError, Neo4jLauncherError
from graph.server import LocalNeo4j
from tests.conftest import Neo4jConnection


def test_server_is_neo4j_5_26_community(store: GraphStore) -> None:
    row = store.read("CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition")[0]
    assert row["version"].startswith("5.26")
    assert row["edition"] == "community"


def test_launched_server_has_a_fixed_size_g1_heap(store: GraphStore, neo4j_connection: Neo4jConnection) -> None:
    if not neo4j_connection.launched_here:
        pytest.skip("the JVM flags under test are those of graph.server.LocalNeo4j, not of this server's launcher")
    heap = store.read(
        "CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
        "RETURN attributes.HeapMemoryUsage.value.properties AS heap"
    )[0]["heap"]
    assert heap["init"] == heap["committed"] == heap["max"] == 768 * 2**20
    collectors = store.read("CALL dbms.queryJmx('java.lang:type=GarbageCollector,*') YIELD name RETURN name")
    assert {row["name"] for row in collectors} >= {"java.lang:name=G1 Young Generation,type=GarbageCollector"}


def test_wrong_password_is_refused(neo4j_connection: Neo4jConnection) -> None:
    intruder = GraphStore(neo4j_connection.uri, neo4j_connection.user, "not-the-password")
    with intruder, pytest.raises(GraphUnavailableError, match="credentials"):
        intruder.verify()


def test_neo4j_browser_page_loads(neo4j_connection: Neo4jConnection) -> None:
    page = httpx.get(f"{neo4j_connection.http_url}/browser/", timeout=10)
    assert page.status_code == 200
    assert "<title>Neo4j Browser</title>" in page.text
    discovery = httpx.get(neo4j_connection.http_url, timeout=10).json()
    assert discovery["neo4j_version"].startswith("5.26")
    assert discovery["neo4j_edition"] == "community"


def test_unreachable_server_gives_a_clear_error() -> None:
    nowhere = GraphStore("bolt://127.0.0.1:1", "neo4j", "whatever1")
    with nowhere, pytest.raises(GraphUnavailableError, match="unreachable"):
        nowhere.verify()


def test_launcher_refuses_a_short_password(tmp_path: Path) -> None:
    server = LocalNeo4j(home=tmp_path, password="short", bolt_port=1, http_port=2)
    with pytest.raises(Neo4jLauncherError, match="at least 8 characters"):
        server.configure()


def test_launcher_refuses_a_port_taken_by_another_process(tmp_path: Path, neo4j_connection: Neo4jConnection) -> None:
    taken = int(neo4j_connection.uri.rsplit(":", 1)[1])
    server = LocalNeo4j(home=tmp_path, password="long-enough", bolt_port=taken, http_port=taken + 1)
    with pytest.raises(Neo4jLauncherError, match="already taken"):
        server.start(timeout_s=5)
    assert server.status()["running"] is False


def test_launcher_writes_a_loopback_only_config(tmp_path: Path) -> None:
    server = LocalNeo4j(home=tmp_path, password="long-enough", bolt_port=23456, http_port=23457)
    (tmp_path / "data" / "dbms").mkdir(parents=True)
    (tmp_path / "data" / "dbms" / "auth.ini").touch()  # password already set: no Java call needed
    server.configure()
    config = (tmp_path / "conf" / "neo4j.conf").read_text()
    assert "server.bolt.listen_address=127.0.0.1:23456" in config
    assert "server.http.listen_address=127.0.0.1:23457" in config
    assert "dbms.security.auth_enabled=true" in config
    assert "0.0.0.0" not in config


def test_launcher_resolves_its_jars_into_a_relative_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    server = LocalNeo4j(home=Path("relative/home"), password="long-enough", bolt_port=23458, http_port=23459)
    lib = server.resolve()  # from ~/.m2, as the session's own server was
    assert lib == Path("relative/home/lib") and any(lib.glob("neo4j-5.26*.jar"))
    assert not (tmp_path / "relative/home/relative").exists()
