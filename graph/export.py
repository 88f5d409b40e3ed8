"""Export the recommendation graph as numpy arrays for training, paged by id so graphs of any size fit.

Every page is one read transaction that continues after the last id seen (`WHERE n.id > $after ORDER BY n.id
LIMIT $page`), served by the unique-id constraints' indexes: no SKIP, no result set larger than one page.
Relationships are paged by their source node: each page reads the relationships of the next `page` sources.
"""

from __future__ import annotations

from typing import LiteralString

import numpy as np

from core.arrays import NODE_LABELS, RELATIONSHIPS, EdgeArrays, GraphArrays
from graph.db import GraphStore

_NODE_QUERIES: dict[str, LiteralString] = {
    "User": "MATCH (n:User) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $page",
    "Item": "MATCH (n:Item) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $page",
    "Genre": "MATCH (n:Genre) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $page",
    "Person": "MATCH (n:Person) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $page",
    "Tag": "MATCH (n:Tag) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $page",
}
# Each query pages over source ids and returns the last source id of the page, so the next page starts after it
# even when a source has no relationship of that type.
_EDGE_QUERIES: dict[str, LiteralString] = {
    "RATED": """
        MATCH (s:User) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[r:RATED]->(t:Item)
        RETURN last, collect([s.id, t.id, r.rating, r.ts]) AS rows""",
    "IN_GENRE": """
        MATCH (s:Item) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[:IN_GENRE]->(t:Genre)
        RETURN last, collect([s.id, t.id]) AS rows""",
    "TAGGED": """
        MATCH (s:Item) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[:TAGGED]->(t:Tag)
        RETURN last, collect([s.id, t.id]) AS rows""",
    "DIRECTED": """
        MATCH (s:Person) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[:DIRECTED]->(t:Item)
        RETURN last, collect([s.id, t.id]) AS rows""",
    "ACTED_IN": """
        MATCH (s:Person) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[:ACTED_IN]->(t:Item)
        RETURN last, collect([s.id, t.id]) AS rows""",
    "WROTE": """
        MATCH (s:Person) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[:WROTE]->(t:Item)
        RETURN last, collect([s.id, t.id]) AS rows""",
    "PREFERS": """
        MATCH (s:User) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $page
        WITH collect(s) AS sources, max(s.id) AS last
        UNWIND sources AS s OPTIONAL MATCH (s)-[:PREFERS {polarity: 'like'}]->(t:Item)
        RETURN last, collect(DISTINCT [s.id, t.id]) AS rows""",
}


def export_node_ids(store: GraphStore, label: str, page_size: int = 50_000) -> np.ndarray:
    """All ids of the nodes with `label`, sorted, as a numpy string array."""
    query = _NODE_QUERIES[label]
    ids: list[str] = []
    after = ""
    while True:
        rows = store.read(query, after=after, page=page_size)
        ids.extend(row["id"] for row in rows)
        if len(rows) < page_size:
            return np.array(ids, dtype=str)
        after = rows[-1]["id"]


def export_edges(store: GraphStore, rel_type: str, page_size: int = 5_000) -> EdgeArrays:
    """All relationships of `rel_type` (see RELATIONSHIPS), paged by `page_size` source nodes at a time."""
    query = _EDGE_QUERIES[rel_type]
    rows: list[list[object]] = []
    after = ""
    while True:
        page = store.read(query, after=after, page=page_size)
        if not page or page[0]["last"] is None:
            break
        rows.extend(row for row in page[0]["rows"] if row[1] is not None)
        after = page[0]["last"]
    src = np.array([row[0] for row in rows], dtype=str)
    dst = np.array([row[1] for row in rows], dtype=str)
    if rel_type != "RATED":
        return EdgeArrays(src, dst)
    rating = np.array([row[2] for row in rows], dtype=np.float32)
    ts = np.array([row[3] if row[3] is not None else 0 for row in rows], dtype=np.int64)
    return EdgeArrays(src, dst, rating, ts)


def export_graph(store: GraphStore, node_page_size: int = 50_000, edge_page_size: int = 5_000) -> GraphArrays:
    """Every node id of NODE_LABELS and every relationship of RELATIONSHIPS, as arrays."""
    nodes = {label: export_node_ids(store, label, node_page_size) for label in NODE_LABELS}
    edges = {rel: export_edges(store, rel, edge_page_size) for rel in RELATIONSHIPS}
    return GraphArrays(nodes=nodes, edges=edges)
