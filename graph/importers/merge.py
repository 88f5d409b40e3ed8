"""One Item node per movie: folding one node into another, and the MovieLens ↔ ReDial merge by title + year."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.importers.batches import write_batches


def fold_items(
    store: GraphStore,
    folds: list[dict[str, Any]],
    batch_size: int = 1_000,
    progress: Progress = no_progress,
    description: str = "Merge items",
) -> None:
    """Fold each `source` Item into its `target` (rows `{target, source, props}`, one row per target): the source's
    relationships move to the target (where the target has one of that type to the same node already, the target's
    stays as it is), which keeps its own properties, takes those it lacks from the source, then `props`; every name
    of both that is not the target's name becomes an alias; the source node is deleted."""
    write_batches(store, FOLD_QUERY, folds, batch_size, progress, description)


def link_catalogs(store: GraphStore, batch_size: int = 1_000, progress: Progress = no_progress) -> dict[str, int]:
    """Fold each ReDial movie into the MovieLens movie with the same title key; idempotent.

    The MovieLens node takes the ReDial node's relationships, ids, plot and name (the MovieLens title stays as an
    alias). Where a key is shared by several movies on one side, they pair up in id order and the rest stay apart.
    """
    candidates = store.read(
        "MATCH (m:Item) WHERE m.title_key IS NOT NULL AND (m.ml_id IS NULL) <> (m.redial_id IS NULL) "
        "RETURN m.id AS id, m.name AS name, m.title_key AS key, m.ml_id IS NOT NULL AS from_movielens ORDER BY m.id"
    )
    sides: dict[str, dict[bool, list[dict[str, Any]]]] = defaultdict(lambda: {True: [], False: []})
    for row in candidates:
        sides[row["key"]][row["from_movielens"]].append(row)
    folds: list[dict[str, Any]] = [
        {"target": target["id"], "source": source["id"], "props": {"name": source["name"]}}
        for side in sides.values()
        for target, source in zip(side[True], side[False], strict=False)
    ]
    fold_items(store, folds, batch_size, progress, "Merge MovieLens ↔ ReDial")
    merged = store.read("MATCH (m:Item) WHERE m.ml_id IS NOT NULL AND m.redial_id IS NOT NULL RETURN count(m) AS n")
    return {"merged_now": len(folds), "merged_total": merged[0]["n"]}


FOLD_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {id: row.target}), (r:Item {id: row.source})
CALL (m, r) {
  MATCH (r)-[rel]->(x) WHERE x <> m
  MERGE (m)-[copy:$(type(rel))]->(x) ON CREATE SET copy = properties(rel)
}
CALL (m, r) {
  MATCH (x)-[rel]->(r) WHERE x <> m
  MERGE (x)-[copy:$(type(rel))]->(m) ON CREATE SET copy = properties(rel)
}
WITH m, r, row, properties(r) AS theirs, properties(m) AS own
DETACH DELETE r
SET m += theirs
SET m += own
SET m += row.props
WITH m, coalesce(own.aliases, []) + coalesce(theirs.aliases, []) + [own.name, theirs.name] AS names
SET m.aliases = reduce(kept = [], a IN names |
                       CASE WHEN a IS NULL OR a = m.name OR a IN kept THEN kept ELSE kept + a END)
"""
