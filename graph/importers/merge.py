"""Merge catalogs: one Item node per movie, found by normalised title + year across MovieLens and ReDial."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.progress import Progress, no_progress
from graph.db import GraphStore
from graph.importers.batches import write_batches


def link_catalogs(store: GraphStore, batch_size: int = 1_000, progress: Progress = no_progress) -> dict[str, int]:
    """Fold each ReDial movie into the MovieLens movie with the same title key; idempotent.

    The ReDial node's relationships move to the MovieLens node, which takes its `redial_id`, name and plot
    (the MovieLens title stays as an alias); then the ReDial node is deleted. Where a key is shared by several
    movies on one side, they pair up in id order and the rest stay separate.
    """
    candidates = store.read(
        "MATCH (m:Item) WHERE m.title_key IS NOT NULL AND (m.ml_id IS NULL) <> (m.redial_id IS NULL) "
        "RETURN m.id AS id, m.title_key AS key, m.ml_id IS NOT NULL AS from_movielens ORDER BY m.id"
    )
    sides: dict[str, dict[bool, list[str]]] = defaultdict(lambda: {True: [], False: []})
    for row in candidates:
        sides[row["key"]][row["from_movielens"]].append(row["id"])
    pairs: list[dict[str, Any]] = [
        {"target": target, "source": source}
        for side in sides.values()
        for target, source in zip(side[True], side[False], strict=False)
    ]
    write_batches(store, LINK_QUERY, pairs, batch_size, progress, "Merge MovieLens ↔ ReDial")
    merged = store.read("MATCH (m:Item) WHERE m.ml_id IS NOT NULL AND m.redial_id IS NOT NULL RETURN count(m) AS n")
    return {"merged_now": len(pairs), "merged_total": merged[0]["n"]}


LINK_QUERY = """
UNWIND $rows AS row
MATCH (m:Item {id: row.target}), (r:Item {id: row.source})
CALL (m, r) {
  MATCH (r)-[rel]->(x) WHERE x <> m
  MERGE (m)-[copy:$(type(rel))]->(x) SET copy += properties(rel)
}
CALL (m, r) {
  MATCH (x)-[rel]->(r) WHERE x <> m
  MERGE (x)-[copy:$(type(rel))]->(m) SET copy += properties(rel)
}
WITH m, r, properties(r) AS props
DETACH DELETE r
SET m.aliases = [a IN coalesce(m.aliases, []) WHERE a <> m.name] + m.name
SET m.redial_id = props.redial_id, m.name = props.name, m.plot = props.plot, m.imdb_id = props.imdb_id
"""
