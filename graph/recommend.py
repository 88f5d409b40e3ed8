"""Graph side of recommending: the user's context (ratings, feedback, dialogue preferences) in one read, candidate
filtering by hard constraints with item details in one read, popularity, item details, and feedback writes.

Scoring itself is not here (gnn/ ranks with embeddings); these functions only read and write the graph.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, LiteralString

from core.types import Constraints, FeedbackSignal, Polarity, PreferenceEdge, Seen, UserContext
from graph.db import STABLE_PLAN, GraphStore
from graph.errors import UnknownNodeError

ENTITY_LABELS = ("Item", "Person", "Genre", "Tag", "User")
LIKED_RATING = 4  # a rating that says "I liked it" (explanation anchors, the item model's evidence)


@dataclass(frozen=True)
class ItemSummary:
    """An item as a recommendation list shows it."""

    id: str
    name: str
    year: int | None
    genres: tuple[str, ...]


_CONTEXT_RETURN = """
RETURN u.id AS user_id,
       COLLECT { MATCH (u)-[:RATED]->(i:Item) RETURN i.id } AS rated,
       COLLECT { MATCH (u)-[r:RATED]->(i:Item) WHERE r.rating >= $liked_rating RETURN i.id } AS rated_highly,
       COLLECT { MATCH (u)-[f:FEEDBACK]->(i:Item) RETURN {id: i.id, signal: f.signal} } AS feedback,
       COLLECT { MATCH (u)-[p:PREFERS]->(e)
                 RETURN {label: [l IN labels(e) WHERE l IN $labels][0], id: e.id,
                         polarity: p.polarity, weight: coalesce(p.weight, 1.0),
                         seen: coalesce(p.seen, 'unknown'), updated: p.updated} } AS preferences"""


def _context(rows: list[dict[str, Any]]) -> UserContext | None:
    if not rows:
        return None
    row = rows[0]
    return UserContext(
        user_id=row["user_id"],
        rated=frozenset(row["rated"]),
        rated_highly=frozenset(row["rated_highly"]),
        feedback={f["id"]: FeedbackSignal(f["signal"]) for f in row["feedback"]},
        preferences=tuple(
            PreferenceEdge(
                p["label"], p["id"], Polarity(p["polarity"]), float(p["weight"]), Seen(p["seen"]), p["updated"]
            )
            for p in row["preferences"]
            if p["label"] is not None and p["id"] is not None
        ),
        session_started=row["session_started"],
    )


def user_context(store: GraphStore, user_id: str) -> UserContext | None:
    """The user's rated items, feedback and dialogue preferences, or None when the user does not exist."""
    query = STABLE_PLAN + "MATCH (u:User {id: $user_id})" + _CONTEXT_RETURN + ", null AS session_started"
    return _context(store.read(query, user_id=user_id, labels=list(ENTITY_LABELS), liked_rating=LIKED_RATING))


def session_context(store: GraphStore, session_id: str) -> UserContext | None:
    """The context of the user a session belongs to, or None when the session does not exist."""
    query = (
        STABLE_PLAN
        + "MATCH (u:User)-[:HAS_SESSION]->(s:Session {id: $session_id})"
        + _CONTEXT_RETURN
        + ", s.started AS session_started"
    )
    return _context(store.read(query, session_id=session_id, labels=list(ENTITY_LABELS), liked_rating=LIKED_RATING))


NO_GENRE = ""  # heads every genre list parameter (one parameter type); matches nothing, required of no item
NO_ITEM = ""  # pads the candidate ids (few list sizes): no item has this id


def padded_ids(ids: list[str]) -> list[str]:
    """`ids` padded with NO_ITEM to a power of two (16 at least): a list parameter of few size classes, each of
    which Neo4j plans once (see `selection_params`)."""
    size = max(16, 1 << max(len(ids) - 1, 0).bit_length())
    return ids + [NO_ITEM] * (size - len(ids))


# The first $k of $ids (best first) that exist and pass the filter, as `items` (rows of `summaries`). Also the first
# part of `graph.paths.select_explained_items`. Genres are read only for the rows the LIMIT pulls (the planner keeps
# the first sort's order and drops the second): 10 of 50 candidates, not all 50.
SELECT_ITEMS: LiteralString = """
UNWIND range(0, size($ids) - 1) AS pos
MATCH (i:Item {id: $ids[pos]})
WHERE ($year_min = 0 OR i.year >= $year_min) AND ($year_max = 0 OR i.year <= $year_max)
WITH i, pos ORDER BY pos
WITH i, pos, COLLECT { MATCH (i)-[:IN_GENRE]->(g:Genre) RETURN g.id } AS genres
WHERE all(g IN $required WHERE g = '' OR g IN genres) AND none(g IN $excluded WHERE g IN genres)
WITH i, pos, genres ORDER BY pos LIMIT $k
WITH collect([i.id, coalesce(i.name, i.title, i.id), i.year, genres]) AS items
"""


def selection_params(ranked_ids: list[str], k: int, constraints: Constraints) -> dict[str, Any]:
    """The parameters of SELECT_ITEMS. Neo4j caches a plan per query, parameter types and size class of each list
    (null and an integer, an empty list and a list of strings, 500 and 2,000 ids are planned apart: about half a
    second to a second each, which the first request with another kind of filter paid). So every parameter keeps
    one type and few sizes: an open year bound is 0, not null; the genre lists start with "" (no genre has that id);
    the candidate ids are padded with "" (no item) to a power of two, the sizes the warm-up plans."""
    return {
        "ids": padded_ids(ranked_ids),
        "k": k,
        "year_min": constraints.year_min or 0,
        "year_max": constraints.year_max or 0,
        "required": [NO_GENRE, *constraints.genres_required],
        "excluded": [NO_GENRE, *constraints.genres_excluded],
    }


def summaries(items: list[list[Any]]) -> list[ItemSummary]:
    """SELECT_ITEMS' `items` as ItemSummary objects."""
    return [ItemSummary(i, name, year, tuple(sorted(genres))) for i, name, year, genres in items]


def any_item_matches(store: GraphStore, constraints: Constraints) -> bool:
    """Whether any item passes `constraints` (a filter that leaves nothing is answered at once, not by a scan of
    the catalog in growing candidate pools)."""
    rows = store.read(
        """
        MATCH (i:Item)
        WHERE ($year_min = 0 OR i.year >= $year_min) AND ($year_max = 0 OR i.year <= $year_max)
          AND all(g IN $required WHERE g = '' OR EXISTS { (i)-[:IN_GENRE]->(:Genre {id: g}) })
          AND none(g IN $excluded WHERE EXISTS { (i)-[:IN_GENRE]->(:Genre {id: g}) })
        RETURN i.id AS id LIMIT 1
        """,
        **{k: v for k, v in selection_params([], 1, constraints).items() if k not in ("ids", "k")},
    )
    return bool(rows)


def select_items(store: GraphStore, ranked_ids: list[str], k: int, constraints: Constraints) -> list[ItemSummary]:
    """The first `k` of `ranked_ids` (best first) that exist and satisfy `constraints`, with their details."""
    if not ranked_ids or k <= 0:
        return []
    rows = store.read(STABLE_PLAN + SELECT_ITEMS + "RETURN items", **selection_params(ranked_ids, k, constraints))
    return summaries(rows[0]["items"])


def item_popularity(store: GraphStore) -> list[tuple[str, int, int]]:
    """Every item id with its number of ratings and of users who said they like it in a conversation, most
    interactions (ratings + likes) first, ties by id."""
    rows = store.read(
        """
        MATCH (i:Item)
        WITH i.id AS id, COUNT { (i)<-[:RATED]-(:User) } AS ratings,
             COUNT { (i)<-[:PREFERS {polarity: 'like'}]-(:User) } AS likes
        RETURN id, ratings, likes ORDER BY ratings + likes DESC, id
        """
    )
    return [(r["id"], r["ratings"], r["likes"]) for r in rows]


def co_liked_items(store: GraphStore) -> list[tuple[str, str, int]]:
    """Pairs of items (`a < b`) that users said they like in conversations, with the number of users who liked both
    (ReDial seekers and live dialogue users alike)."""
    rows = store.read(
        """
        MATCH (a:Item)<-[:PREFERS {polarity: 'like'}]-(u:User)-[:PREFERS {polarity: 'like'}]->(b:Item)
        WHERE a.id < b.id
        RETURN a.id AS a, b.id AS b, count(DISTINCT u) AS users
        """
    )
    return [(r["a"], r["b"], r["users"]) for r in rows]


def item_attributes(store: GraphStore) -> list[tuple[str, str, str]]:
    """Every (item id, relationship type, attribute id) of the catalog: genres, the people who directed, acted in or
    wrote it, and its tags."""
    rows = store.read(
        """
        MATCH (i:Item)-[r:IN_GENRE]->(g:Genre) RETURN i.id AS item, type(r) AS kind, g.id AS attribute
        UNION ALL
        MATCH (p:Person)-[r:DIRECTED|ACTED_IN|WROTE]->(i:Item) RETURN i.id AS item, type(r) AS kind, p.id AS attribute
        UNION ALL
        MATCH (i:Item)-[r:TAGGED]->(t:Tag) RETURN i.id AS item, type(r) AS kind, t.id AS attribute
        """
    )
    return [(r["item"], r["kind"], r["attribute"]) for r in rows]


def sample_users(store: GraphStore) -> list[str]:
    """Some user with ratings and some user who said in a conversation what they like (warm-up requests run for
    them: their paths go through other parts of the graph); fewer in a graph without such users."""
    rows = store.read(
        """
        CALL () {
          MATCH (u:User)-[:RATED]->(:Item) RETURN u.id AS id LIMIT 1
          UNION
          MATCH (u:User)-[:PREFERS {polarity: 'like'}]->(:Item) RETURN u.id AS id LIMIT 1
        }
        RETURN DISTINCT id
        """
    )
    return [row["id"] for row in rows]


def favourite_items(store: GraphStore, user_id: str, limit: int = 10) -> list[str]:
    """Names of the user's best-rated items (most recent first among equal ratings)."""
    rows = store.read(
        """
        MATCH (:User {id: $user_id})-[r:RATED]->(i:Item)
        RETURN coalesce(i.name, i.title, i.id) AS name ORDER BY r.rating DESC, r.ts DESC, i.id LIMIT $limit
        """,
        user_id=user_id,
        limit=limit,
    )
    return [row["name"] for row in rows]


def item_details(store: GraphStore, item_id: str) -> dict[str, Any] | None:
    """An item's properties, genres, people (with their role) and rating count, or None when it does not exist."""
    rows = store.read(
        STABLE_PLAN
        + """
        MATCH (i:Item {id: $id})
        RETURN i {.id, .name, .title, .year, .plot, .aliases, .ml_id, .redial_id, .imdb_id} AS item,
               COLLECT { MATCH (i)-[:IN_GENRE]->(g:Genre) RETURN g {.id, .name} ORDER BY g.id } AS genres,
               COLLECT { MATCH (p:Person)-[r:DIRECTED|ACTED_IN|WROTE]->(i)
                         RETURN {id: p.id, name: p.name, role: type(r)} ORDER BY type(r), p.name } AS people,
               COUNT { (i)<-[:RATED]-(:User) } AS ratings
        """,
        id=item_id,
    )
    if not rows:
        return None
    row = rows[0]
    return {**row["item"], "genres": row["genres"], "people": row["people"], "ratings": row["ratings"]}


def items_exist(store: GraphStore, item_ids: list[str]) -> set[str]:
    """The subset of `item_ids` that are Item nodes."""
    rows = store.read(STABLE_PLAN + "UNWIND $ids AS id MATCH (i:Item {id: id}) RETURN i.id AS id", ids=item_ids)
    return {r["id"] for r in rows}


def record_feedback(store: GraphStore, user_id: str, item_id: str, signal: FeedbackSignal) -> None:
    """Set `(User)-[:FEEDBACK {signal, ts}]->(Item)` (one per user and item; the latest signal wins).

    Raises UnknownNodeError when the user or the item does not exist (nothing is written then).
    """
    rows = store.write(
        STABLE_PLAN
        + """
        OPTIONAL MATCH (u:User {id: $user_id})
        OPTIONAL MATCH (i:Item {id: $item_id})
        FOREACH (_ IN CASE WHEN u IS NOT NULL AND i IS NOT NULL THEN [1] ELSE [] END |
            MERGE (u)-[f:FEEDBACK]->(i) SET f.signal = $signal, f.ts = $ts)
        RETURN u IS NOT NULL AS user_found, i IS NOT NULL AS item_found
        """,
        user_id=user_id,
        item_id=item_id,
        signal=str(signal),
        ts=int(time.time()),
    )
    if not rows[0]["user_found"]:
        raise UnknownNodeError("User", user_id)
    if not rows[0]["item_found"]:
        raise UnknownNodeError("Item", item_id)
