"""The Neo4j schema: unique constraints on ids, the full-text index over entity names, the vector index."""

from __future__ import annotations

from typing import LiteralString

from graph.db import GraphStore

ENTITY_LABELS = ("User", "Item", "Genre", "Person", "Tag")
FULLTEXT_LABELS = ["Genre", "Item", "Person", "Tag"]
FULLTEXT_INDEX = "entity_names"

CONSTRAINTS: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT item_id IF NOT EXISTS FOR (n:Item) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT item_ml_id IF NOT EXISTS FOR (n:Item) REQUIRE n.ml_id IS UNIQUE",
    "CREATE CONSTRAINT item_redial_id IF NOT EXISTS FOR (n:Item) REQUIRE n.redial_id IS UNIQUE",
    "CREATE CONSTRAINT item_ml_latest_id IF NOT EXISTS FOR (n:Item) REQUIRE n.ml_latest_id IS UNIQUE",
    "CREATE CONSTRAINT genre_id IF NOT EXISTS FOR (n:Genre) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT tag_id IF NOT EXISTS FOR (n:Tag) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT session_id IF NOT EXISTS FOR (n:Session) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT turn_id IF NOT EXISTS FOR (n:Turn) REQUIRE n.id IS UNIQUE",
)
INDEXES: tuple[LiteralString, ...] = (
    "CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Item|Person|Genre|Tag) ON EACH [n.name, n.aliases]",
    "CREATE INDEX item_year IF NOT EXISTS FOR (n:Item) ON (n.year)",
    "CREATE INDEX item_title_key IF NOT EXISTS FOR (n:Item) ON (n.title_key)",
    "CREATE INDEX item_imdb_id IF NOT EXISTS FOR (n:Item) ON (n.imdb_id)",
)


def ensure_schema(store: GraphStore) -> None:
    """Create every constraint and index that does not exist yet (idempotent), then wait for them to be online. A
    full-text index from an older release that covers fewer labels is dropped and built again."""
    existing = store.read(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes WHERE name = $name RETURN labelsOrTypes AS labels",
        name=FULLTEXT_INDEX,
    )
    if existing and sorted(existing[0]["labels"]) != FULLTEXT_LABELS:
        store.write("DROP INDEX entity_names IF EXISTS")
    for statement in (*CONSTRAINTS, *INDEXES):
        store.write(statement)
    store.write("CALL db.awaitIndexes(300)")


def clear_query_plans(store: GraphStore) -> None:
    """Drop the server's cached query plans, so that the next request plans against the imported graph (request
    queries keep a cached plan however far the counts drift: `graph.db.STABLE_PLAN`)."""
    store.write("CALL db.clearQueryCaches()")


def clear_database(store: GraphStore) -> None:
    """Delete every relationship, then every node, in batches (the schema stays). Relationships go first so that
    no batch holds a dense node's thousands of relationships (DETACH DELETE by node batches ran out of the
    transaction memory pool after load benchmarks)."""
    store.run_autocommit("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS")
    store.run_autocommit("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS")
