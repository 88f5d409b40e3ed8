"""Explanation paths: real paths of at most 3 hops in Neo4j from a user to an item, through what the user liked
(a rating of 4+, an accepted recommendation, a dialogue preference), shared people, genres and co-raters.

Every path comes straight out of a MATCH, so it exists in the graph. The queries are bounded: both ends are bound
by their ids, each pattern kind is cut with LIMIT, and the co-rater pattern only runs for items without any other
path. `display_query` writes the Cypher that shows exactly one path in the Neo4j Browser, with its ids inlined as
escaped string literals (for display only; every query run here takes parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from graph.db import GraphStore

PATH_LABELS = ("User", "Item", "Person", "Genre")
PATH_RELATIONSHIPS = ("RATED", "PREFERS", "FEEDBACK", "DIRECTED", "ACTED_IN", "WROTE", "IN_GENRE")
MIN_LIKED_RATING = 4

# The user's positive anchors: a rating of 4+, a dialogue 'like', an accepted recommendation.
_LIKED = "(a.rating >= $min_rating OR a.polarity = 'like' OR a.signal = 'accept')"

# One record for all paths: the driver's per-record overhead dominated the Python cost of a request.
_RETURN_PATH = """
WITH item_id, nodes(p) AS ns, relationships(p) AS rs
RETURN collect([item_id,
       [n IN ns | {label: [l IN labels(n) WHERE l IN $labels][0], id: n.id, name: coalesce(n.name, n.title, n.id)}],
       [i IN range(0, size(rs) - 1) | {type: type(rs[i]), forward: startNode(rs[i]) = ns[i], rating: rs[i].rating,
                                       polarity: rs[i].polarity, signal: rs[i].signal}]]) AS rows
"""

_KG_PATHS = (
    """
MATCH (u:User {id: $user_id})
CALL (u) {
    // Once per user, not per item: the best-liked anchors of each genre.
    MATCH (u)-[a:RATED|PREFERS|FEEDBACK]->(x:Item)-[xg:IN_GENRE]->(g:Genre)
    WHERE """
    + _LIKED
    + """
    WITH g, x, a, xg ORDER BY coalesce(a.rating, 5) DESC, a.ts DESC
    WITH g, collect({x: x, a: a, xg: xg})[..$per_kind] AS anchors
    RETURN collect({genre: g, anchors: anchors}) AS liked_by_genre
}
UNWIND $item_ids AS item_id
MATCH (t:Item {id: item_id})
CALL (u, t, liked_by_genre) {
    MATCH p = (u)-[a:RATED|PREFERS|FEEDBACK]->(x:Item)<-[:DIRECTED|ACTED_IN|WROTE]-(:Person)
              -[:DIRECTED|ACTED_IN|WROTE]->(t)
    WHERE x <> t AND """
    + _LIKED
    + """
    WITH p, a ORDER BY coalesce(a.rating, 5) DESC LIMIT $per_kind
    RETURN p
  UNION ALL
    MATCH p = (u)-[a:PREFERS]->(:Person|Genre)-[:DIRECTED|ACTED_IN|WROTE|IN_GENRE]-(t)
    WHERE a.polarity = 'like'
    WITH p LIMIT $per_kind
    RETURN p
  UNION ALL
    MATCH (t)-[tg:IN_GENRE]->(g:Genre)
    UNWIND [entry IN liked_by_genre WHERE entry.genre = g][0].anchors AS anchor
    WITH t, tg, g, anchor.x AS x, anchor.a AS a, anchor.xg AS xg
    WHERE x <> t
    MATCH p = (u)-[a]->(x)-[xg]->(g)<-[tg]-(t)
    WITH p, a ORDER BY coalesce(a.rating, 5) DESC, a.ts DESC LIMIT $per_kind
    RETURN p
}
"""
    + _RETURN_PATH
)

_CO_RATER_PATHS = (
    """
MATCH (u:User {id: $user_id})
UNWIND $item_ids AS item_id
MATCH (t:Item {id: item_id})
CALL (u, t) {
    MATCH p = (u)-[a:RATED]->(x:Item)<-[b:RATED]-(v:User)-[c:RATED]->(t)
    WHERE a.rating >= $min_rating AND b.rating >= $min_rating AND c.rating >= $min_rating AND v <> u AND x <> t
    WITH p LIMIT $per_kind
    RETURN p
}
"""
    + _RETURN_PATH
)


@dataclass(frozen=True)
class PathNode:
    """A node on a path: its label (one of PATH_LABELS), id and display name."""

    label: str
    id: str
    name: str


@dataclass(frozen=True)
class PathRelationship:
    """A relationship on a path between `nodes[start]` and `nodes[end]` (indexes into the path's nodes)."""

    type: str
    start: int
    end: int
    properties: dict[str, Any]


@dataclass(frozen=True)
class GraphPath:
    """A path from a user (first node) to an item (last node)."""

    nodes: tuple[PathNode, ...]
    relationships: tuple[PathRelationship, ...]

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        """The (label, id) sequence of the path: two paths with the same key are the same path."""
        return tuple((n.label, n.id) for n in self.nodes)


def _to_path(nodes_row: list[dict[str, Any]], rels_row: list[dict[str, Any]]) -> GraphPath:
    nodes = tuple(PathNode(n["label"], n["id"], n["name"]) for n in nodes_row)
    relationships = []
    for position, rel in enumerate(rels_row):
        start, end = (position, position + 1) if rel["forward"] else (position + 1, position)
        properties = {key: rel[key] for key in ("rating", "polarity", "signal") if rel[key] is not None}
        relationships.append(PathRelationship(rel["type"], start, end, properties))
    return GraphPath(nodes, tuple(relationships))


def _read_rows(store: GraphStore, query: LiteralString, params: dict[str, Any]) -> list[list[Any]]:
    """The `rows` list of the query's single record, read as plain values: it holds only maps, lists and
    scalars, so the driver's per-value `Record.data()` conversion is not needed."""
    records = store.read_tx(lambda tx: [record.values() for record in tx.run(query, params)])
    return records[0][0] if records else []


def _collect(rows: list[list[Any]], found: dict[str, list[GraphPath]]) -> None:
    seen = {item_id: {p.key for p in paths} for item_id, paths in found.items()}
    for item_id, nodes, rels in rows:
        path = _to_path(nodes, rels)
        if path.key not in seen[item_id]:
            seen[item_id].add(path.key)
            found[item_id].append(path)


def explanation_paths(
    store: GraphStore, user_id: str, item_ids: list[str], per_kind: int = 5
) -> dict[str, list[GraphPath]]:
    """Candidate paths from the user to each item (at most `per_kind` per pattern kind, deduplicated): through
    liked items and shared people or genres, through dialogue preferences, else through co-raters.
    Items without any path map to an empty list."""
    found: dict[str, list[GraphPath]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return found
    params: dict[str, Any] = {
        "user_id": user_id,
        "per_kind": per_kind,
        "min_rating": MIN_LIKED_RATING,
        "labels": list(PATH_LABELS),
    }
    _collect(_read_rows(store, _KG_PATHS, {**params, "item_ids": item_ids}), found)
    missing = [item_id for item_id, paths in found.items() if not paths]
    if missing:
        _collect(_read_rows(store, _CO_RATER_PATHS, {**params, "item_ids": missing}), found)
    return found


def _literal(value: str) -> str:
    """A Cypher string literal (single-quoted, backslashes and quotes escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def display_query(path: GraphPath) -> str:
    """The Cypher that shows exactly this path in the Neo4j Browser (ids inlined as escaped literals)."""
    parts = []
    for position, node in enumerate(path.nodes):
        if node.label not in PATH_LABELS:
            raise ValueError(f"Unexpected label {node.label!r} on a path")
        parts.append(f"(n{position}:{node.label} {{id: {_literal(node.id)}}})")
    pattern = parts[0]
    for position, rel in enumerate(path.relationships):
        if rel.type not in PATH_RELATIONSHIPS:
            raise ValueError(f"Unexpected relationship type {rel.type!r} on a path")
        arrow = f"-[:{rel.type}]->" if rel.start == position else f"<-[:{rel.type}]-"
        pattern += arrow + parts[position + 1]
    return f"MATCH path = {pattern} RETURN path"
