"""The Neo4j Browser names every node: `graph/browser.grass` gives each label a caption and a colour, and the
launcher's neo4j.conf applies it on connect (`browser.post_connect_cmd=style <GraSS as JSON>`).

The last test drives the real Browser of the test server in Debian's Chromium (Playwright) and reads the captions
it draws."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.arrays import NODE_LABELS, RELATIONSHIPS
from graph.db import GraphStore
from graph.server import BROWSER_STYLE_FILE, LocalNeo4j, browser_post_connect_command, parse_grass
from tests.conftest import Neo4jConnection

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000
LABELS = (*NODE_LABELS, "Movie", "Book", "Session", "Turn")
# Each drawn node's caption and fill, each relationship's caption.
NODES_DRAWN = "gs => gs.map(g => [g.textContent.trim(), g.querySelector('circle.b-outline').getAttribute('fill')])"
RELATIONSHIPS_DRAWN = "gs => gs.map(g => g.textContent.trim())"


@pytest.fixture(scope="module")
def style() -> dict[str, dict[str, str]]:
    """The shipped GraSS, parsed as the Browser parses it."""
    return parse_grass(BROWSER_STYLE_FILE.read_text())


def _conf(home: Path) -> dict[str, str]:
    server = LocalNeo4j(home=home, password="not-used-here")
    (home / "data" / "dbms").mkdir(parents=True)
    (home / "data" / "dbms" / "auth.ini").touch()  # a password is set: configure() writes the conf, runs no Java
    server.configure()
    lines = (home / "conf" / "neo4j.conf").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_every_label_has_a_caption_and_its_own_colour(style: dict[str, dict[str, str]]) -> None:
    for label in LABELS:
        assert re.search(r"\{\w+\}", style[f"node.{label}"]["caption"]), label
    colours = [style[f"node.{label}"]["color"].upper() for label in LABELS if label != "Item"]
    assert len(set(colours)) == len(colours), "two labels share a colour"


def test_the_shared_entity_label_is_styled_first(style: dict[str, dict[str, str]]) -> None:
    # The Browser's legend styles each label alone; a label with no colour or caption of its own gets a default
    # rule appended (its caption the first property of some node: a User's zip), which then overrides the rules
    # before it. `Entity` is on users, items, people, genres and tags: styled, and first, so the others win.
    assert {"color", "caption"} <= style["node.Entity"].keys()
    node_rules = [selector for selector in style if selector.startswith("node.")]
    assert node_rules[0] == "node.Entity"


def test_users_are_named_by_id_and_items_by_name(style: dict[str, dict[str, str]]) -> None:
    assert style["node.User"]["caption"] == "{id}"
    for label in ("Item", "Movie", "Book", "Person", "Genre", "Tag"):
        assert style[f"node.{label}"]["caption"] == "{name}"
    assert not any(word in rule.get("caption", "") for rule in style.values() for word in ("zip", "age"))


def test_every_relationship_is_captioned(style: dict[str, dict[str, str]]) -> None:
    assert style["relationship"]["caption"] == "<type>"
    assert style["relationship.RATED"]["caption"] == "RATED {rating}"
    for rel_type in RELATIONSHIPS:
        caption = style.get(f"relationship.{rel_type}", style["relationship"])["caption"]
        assert caption == "<type>" or caption.startswith(rel_type)


def test_parser_refuses_what_the_browser_would_drop() -> None:
    with pytest.raises(ValueError, match="property: value"):
        parse_grass("node.Turn { caption: '{role}: {text}'; }")  # the Browser splits on ':' and drops it
    with pytest.raises(ValueError, match="unterminated"):
        parse_grass("node.Turn { caption: '{text}';")
    assert parse_grass("node.A {color: #fff} relationship {caption: '<type>'}") == {
        "node.A": {"color": "#fff"},
        "relationship": {"caption": "<type>"},
    }


def test_launcher_conf_applies_the_style_on_connect(tmp_path: Path, style: dict[str, dict[str, str]]) -> None:
    command = _conf(tmp_path)["browser.post_connect_cmd"]
    assert command == browser_post_connect_command()
    # The Browser splits the setting on ';' and runs each part as `:<part>`; `:style` takes JSON GraSS inline.
    assert ";" not in command and "\\" not in command and command.isascii()
    verb, grass = command.split(" ", 1)
    assert verb == "style"
    assert json.loads(grass) == style


def test_the_browser_draws_the_names(
    store: GraphStore, neo4j_connection: Neo4jConnection, style: dict[str, dict[str, str]]
) -> None:
    if not neo4j_connection.launched_here:
        pytest.skip("the style is set by graph.server.LocalNeo4j's neo4j.conf, not by this server's launcher")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        pytest.fail(f"Playwright is not installed ({exc}): pip install playwright (no browser download needed).")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: this test drives Debian's Chromium (apt-get install chromium).")
    store.write(
        """
        CREATE (u:User:Entity {id: 'ml:7', zip: '85711', age: 24})
        CREATE (m:Item:Movie:Entity {id: 'm:1', name: 'Heat (1995)', title: 'Heat'})
        CREATE (p:Person:Entity {id: 'p:1', name: 'Al Pacino'})
        CREATE (g:Genre:Entity {id: 'g:1', name: 'crime'})
        CREATE (t:Tag:Entity {id: 't:1', name: 'heist'})
        CREATE (s:Session {id: 's1', turn_count: 2})
        CREATE (turn:Turn {id: 's1:1', seq: 1, role: 'user', text: 'hi'})
        CREATE (u)-[:RATED {rating: 5}]->(m), (p)-[:ACTED_IN]->(m), (m)-[:IN_GENRE]->(g), (m)-[:TAGGED]->(t),
               (u)-[:HAS_SESSION]->(s), (s)-[:HAS_TURN]->(turn)
        """
    )
    server = neo4j_connection.server
    assert server is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{server.http_url}/browser/")
            page.locator("#url-input").fill(f"127.0.0.1:{server.bolt_port}")
            page.locator("[data-testid=username]").fill("neo4j")
            page.locator("[data-testid=password]").fill(neo4j_connection.password)
            page.locator("[data-testid=connect]").click()
            page.get_by_text("node.Turn {").first.wait_for()  # the `:style` frame of the post-connect command
            page.locator(".monaco-editor").first.click()
            page.keyboard.insert_text("MATCH p = ()-->() RETURN p")
            page.keyboard.press("Control+Enter")
            page.locator("svg g.node").nth(6).wait_for()  # seven nodes drawn
            page.wait_for_timeout(1500)  # the captions are drawn as the layout settles
            fills = dict(page.eval_on_selector_all("svg g.node", NODES_DRAWN))
            rels = set(page.eval_on_selector_all("svg g.relationship", RELATIONSHIPS_DRAWN))
        finally:
            browser.close()
    assert set(fills) == {"ml:7", "Heat (1995)", "Al Pacino", "crime", "heist", "session (2 turns)", "1. user - hi"}
    assert fills["Heat (1995)"].upper() == style["node.Movie"]["color"].upper()
    assert fills["ml:7"].upper() == style["node.User"]["color"].upper()
    assert {"RATED 5", "ACTED_IN", "IN_GENRE", "TAGGED", "HAS_SESSION", "HAS_TURN"} <= rels
