"""Explanation paths: real paths of at most 3 hops in Neo4j from a user to an item, through what the user liked
(a rating of 4+, an accepted recommendation, a dialogue preference), shared people, genres, tags and co-raters.

Every path comes straight out of a MATCH, so it exists in the graph. The queries are bounded: both ends are bound
by their ids, each pattern kind is cut with LIMIT, and the co-rater pattern only runs for items without any other
path. `display_query` writes the Cypher that shows exactly one path in the Neo4j Browser, with its ids inlined as
escaped string literals (for display only; every query run here takes parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from core.types import Constraints
from graph.db import STABLE_PLAN, GraphStore
from graph.recommend import LIKED_RATING, SELECT_ITEMS, ItemSummary, padded_ids, selection_params, summaries

PATH_LABELS = ("User", "Item", "Person", "Genre", "Tag")
PATH_RELATIONSHIPS = ("RATED", "PREFERS", "FEEDBACK", "DIRECTED", "ACTED_IN", "WROTE", "IN_GENRE", "TAGGED")
MIN_LIKED_RATING = LIKED_RATING
PER_KIND = 3  # candidate paths per pattern kind and item; the best 1-3 of them are shown

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

# Paths to the items of the list `item_ids` (a variable in scope): one `rows` record.
_KG_PATHS = (
    """
MATCH (u:User {id: $user_id})
CALL (u) {
    // Once per user, not per item: the liked items, and the best-liked anchors of each genre.
    MATCH (u)-[a:RATED|PREFERS|FEEDBACK]->(x:Item)
    WHERE """
    + _LIKED
    + """
    RETURN collect(x) AS liked_items
}
CALL (u) {
    MATCH (u)-[a:RATED|PREFERS|FEEDBACK]->(x:Item)-[xg:IN_GENRE]->(g:Genre)
    WHERE """
    + _LIKED
    + """
    WITH g, x, a, xg ORDER BY coalesce(a.rating, 5) DESC, a.ts DESC
    WITH g, collect({x: x, a: a, xg: xg})[..$per_kind] AS anchors
    RETURN collect({genre: g, anchors: anchors}) AS liked_by_genre
}
UNWIND item_ids AS item_id
MATCH (t:Item {id: item_id})
CALL (u, t, liked_items, liked_by_genre) {
    // From the item's people (or the MovieLens tags it was given) to their other liked items, people first:
    // checking each of those against the user's relationships cost twice the database hits. One branch for both
    // keeps the query's planning within a request's deadline.
    MATCH (t)-[tp:DIRECTED|ACTED_IN|WROTE|TAGGED]-(via:Person|Tag)-[xp:DIRECTED|ACTED_IN|WROTE|TAGGED]-(x:Item)
    WHERE x <> t AND x IN liked_items
    MATCH p = (u)-[a:RATED|PREFERS|FEEDBACK]->(x)-[xp]-(via)-[tp]-(t)
    WHERE """
    + _LIKED
    + """
    WITH p, a ORDER BY via:Tag, coalesce(a.rating, 5) DESC LIMIT $per_kind
    RETURN p
  UNION ALL
    MATCH p = (u)-[a:PREFERS]->(:Person|Genre|Tag)-[:DIRECTED|ACTED_IN|WROTE|IN_GENRE|TAGGED]-(t)
    WHERE a.polarity = 'like'
    WITH p, a ORDER BY coalesce(a.updated, 0) DESC LIMIT $per_kind  // the latest request first
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

_PATHS_TO_ITEMS = STABLE_PLAN + "WITH $item_ids AS item_ids" + _KG_PATHS
# One read for a whole explained list: graph.recommend.SELECT_ITEMS, then the paths to the items it kept.
_SELECTED_WITH_PATHS = (
    STABLE_PLAN
    + SELECT_ITEMS
    + "CALL (items) {\nWITH [row IN items | row[0]] AS item_ids"
    + _KG_PATHS
    + "}\nRETURN items, rows"
)

_CO_RATER_PATHS = (
    STABLE_PLAN
    + """
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
    """The values of the query's records (it returns one, holding only maps, lists and scalars: the driver's
    per-value `Record.data()` conversion is not needed)."""
    return store.read_tx(lambda tx: [record.values() for record in tx.run(query, params)])


def _collect(item_ids: list[str], rows: list[list[Any]]) -> dict[str, list[GraphPath]]:
    """The paths of `rows` by item, each path through the same nodes once: by the role its people are best known for
    (Martin Scorsese "directed", not "wrote", Casino); every item of `item_ids` is a key."""
    found: dict[str, dict[tuple[tuple[str, str], ...], GraphPath]] = {item_id: {} for item_id in item_ids}
    for item_id, nodes, rels in rows:
        path = _to_path(nodes, rels)
        kept = found[item_id].get(path.key)
        if kept is None or _roles_rank(path) < _roles_rank(kept):
            found[item_id][path.key] = path
    return {item_id: list(paths.values()) for item_id, paths in found.items()}


_ROLE_RANK = {"DIRECTED": 0, "ACTED_IN": 1, "WROTE": 2}


def _roles_rank(path: GraphPath) -> int:
    return sum(_ROLE_RANK.get(r.type, 0) for r in path.relationships)


def explanation_paths(
    store: GraphStore, user_id: str, item_ids: list[str], per_kind: int = PER_KIND
) -> dict[str, list[GraphPath]]:
    """Candidate paths from the user to each item (at most `per_kind` per pattern kind, deduplicated): through
    liked items and shared people or genres, through dialogue preferences, else through co-raters.
    Items without any path map to an empty list."""
    if not item_ids:
        return {}
    params = _path_params(user_id, per_kind)
    rows = _read_rows(store, _PATHS_TO_ITEMS, {**params, "item_ids": padded_ids(item_ids)})[0][0]
    found = _collect(item_ids, rows)
    return _with_co_raters(store, params, found)


def select_explained_items(
    store: GraphStore,
    user_id: str,
    ranked_ids: list[str],
    k: int,
    constraints: Constraints,
    per_kind: int = PER_KIND,
) -> tuple[list[ItemSummary], dict[str, list[GraphPath]]]:
    """`graph.recommend.select_items` and `explanation_paths` of the items it keeps, in one read (a second one only
    for kept items without a path but through co-raters)."""
    if not ranked_ids or k <= 0:
        return [], {}
    params = _path_params(user_id, per_kind)
    query_params = {**params, **selection_params(ranked_ids, k, constraints)}
    [(items, rows)] = _read_rows(store, _SELECTED_WITH_PATHS, query_params)
    selected = summaries(items)
    found = _collect([item.id for item in selected], rows)
    return selected, _with_co_raters(store, params, found)


def plan_path_queries(store: GraphStore, user_id: str, item_ids: list[str]) -> None:
    """Run every path query once (co-raters included, which a list needs only for items without another path), so
    that the server has planned them all before a request needs one."""
    params = {**_path_params(user_id, PER_KIND), "item_ids": padded_ids(item_ids)}
    for query in (_PATHS_TO_ITEMS, _CO_RATER_PATHS):
        _read_rows(store, query, params)


def _path_params(user_id: str, per_kind: int) -> dict[str, Any]:
    return {"user_id": user_id, "per_kind": per_kind, "min_rating": MIN_LIKED_RATING, "labels": list(PATH_LABELS)}


def _with_co_raters(
    store: GraphStore, params: dict[str, Any], found: dict[str, list[GraphPath]]
) -> dict[str, list[GraphPath]]:
    """`found`, with co-rater paths for the items that have no other path."""
    missing = [item_id for item_id, paths in found.items() if not paths]
    if missing:
        rows = _read_rows(store, _CO_RATER_PATHS, {**params, "item_ids": padded_ids(missing)})[0][0]
        found.update(_collect(missing, rows))
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
