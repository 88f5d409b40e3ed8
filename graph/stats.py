"""Node counts per label and relationship counts per type; the store read once into the page cache."""

from __future__ import annotations

from graph.db import GraphStore


def graph_counts(store: GraphStore) -> dict[str, dict[str, int]]:
    """`{"nodes": {label: count}, "relationships": {type: count}}`, read from Neo4j's count store."""
    nodes = store.read(
        "CALL db.labels() YIELD label CALL (label) { MATCH (n:$(label)) RETURN count(n) AS count } "
        "RETURN label, count ORDER BY label"
    )
    relationships = store.read(
        "CALL db.relationshipTypes() YIELD relationshipType AS type "
        "CALL (type) { MATCH ()-[r:$(type)]->() RETURN count(r) AS count } RETURN type, count ORDER BY type"
    )
    return {
        "nodes": {r["label"]: r["count"] for r in nodes if r["count"]},
        "relationships": {r["type"]: r["count"] for r in relationships if r["count"]},
    }


def total_counts(store: GraphStore) -> tuple[int, int]:
    """Total numbers of nodes and of relationships."""
    row = store.read(
        "CALL () { MATCH (n) RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } RETURN nodes, relationships"
    )[0]
    return row["nodes"], row["relationships"]


def warm_page_cache(store: GraphStore, max_relationships: int) -> bool:
    """Read every node and relationship with a property once, so that Neo4j's page cache holds the store before
    the first request reads it (a freshly started server reads each page from disk, ~1 s for a first dialogue
    turn on the demo graph); skipped on a graph with more than `max_relationships`. Returns whether it ran."""
    if total_counts(store)[1] > max_relationships:
        return False
    store.read("MATCH (a)-[r]->(b) RETURN count(a.id) + count(b.id) + count(r.rating) AS touched")
    return True
