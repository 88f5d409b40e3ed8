"""Write GNN embeddings back to Neo4j and query them through a vector index.

Design: every embedded node gets the extra label `Entity` and the property `embedding` (list of floats), and one
vector index, `entity_embedding`, covers `(:Entity).embedding`: a single index answers "nearest users, items,
genres and people" alike, and the node's other labels say what each hit is. Ids are unique per label only
(`ml:1` is a User and an Item), so every write and read names the label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

import numpy as np

from core.arrays import EmbeddingBlock
from graph.db import STABLE_PLAN, GraphStore
from graph.errors import EmbeddingWriteError

VECTOR_INDEX = "entity_embedding"
ENTITY_LABEL = "Entity"
# Items also carry `top_k_key`, a vector whose cosine ranks them by the model's dot-product score
# (gnn.foldin.inner_product_keys): the index over it gives a user's top items without scoring the whole catalog.
ITEM_TOP_K_INDEX = "item_top_k"
OVERSAMPLE = 4  # candidates read from the index per item wanted

_WRITE_QUERIES: dict[str, LiteralString] = {
    "User": "UNWIND $rows AS row MATCH (n:User {id: row.id}) SET n:Entity, n.embedding = row.embedding "
    "RETURN count(n) AS written",
    "Item": "UNWIND $rows AS row MATCH (n:Item {id: row.id}) SET n:Entity, n.embedding = row.embedding "
    "RETURN count(n) AS written",
    "Genre": "UNWIND $rows AS row MATCH (n:Genre {id: row.id}) SET n:Entity, n.embedding = row.embedding "
    "RETURN count(n) AS written",
    "Person": "UNWIND $rows AS row MATCH (n:Person {id: row.id}) SET n:Entity, n.embedding = row.embedding "
    "RETURN count(n) AS written",
    "Tag": "UNWIND $rows AS row MATCH (n:Tag {id: row.id}) SET n:Entity, n.embedding = row.embedding "
    "RETURN count(n) AS written",
}


@dataclass(frozen=True)
class SimilarEntity:
    """One hit of a vector-index query."""

    label: str
    id: str
    score: float


_WRITE_ITEM_KEYS: LiteralString = (
    "UNWIND $rows AS row MATCH (n:Item {id: row.id}) SET n.top_k_key = row.embedding RETURN count(n) AS written"
)

_CREATE_INDEX: dict[str, LiteralString] = {
    VECTOR_INDEX: "CREATE VECTOR INDEX entity_embedding IF NOT EXISTS FOR (n:Entity) ON (n.embedding) "
    "OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}",
    # Full-precision vectors (no quantization) and a denser HNSW graph than the defaults (m 16, ef 100): the recall
    # of a list matters more here than the index's size.
    ITEM_TOP_K_INDEX: "CREATE VECTOR INDEX item_top_k IF NOT EXISTS FOR (n:Item) ON (n.top_k_key) "
    "OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine', "
    "`vector.quantization.enabled`: false, `vector.hnsw.m`: 32, `vector.hnsw.ef_construction`: 200}}",
}
_INDEX_CONFIG: dict[str, dict[str, object]] = {  # what each index's CREATE sets beside its dimension
    ITEM_TOP_K_INDEX: {"vector.quantization.enabled": False, "vector.hnsw.m": 32, "vector.hnsw.ef_construction": 200},
}
_DROP_INDEX: dict[str, LiteralString] = {
    VECTOR_INDEX: "DROP INDEX entity_embedding IF EXISTS",
    ITEM_TOP_K_INDEX: "DROP INDEX item_top_k IF EXISTS",
}


def ensure_vector_index(store: GraphStore, dimensions: int, name: str = VECTOR_INDEX) -> None:
    """Create the cosine vector index `name` (`entity_embedding` over `(:Entity).embedding`, or `item_top_k`);
    recreate it when its dimension or configuration differs."""
    rows = store.read("SHOW VECTOR INDEXES YIELD name, options WHERE name = $name RETURN options", name=name)
    wanted = {"vector.dimensions": dimensions, **_INDEX_CONFIG.get(name, {})}
    if rows and any(rows[0]["options"]["indexConfig"].get(key) != value for key, value in wanted.items()):
        store.write(_DROP_INDEX[name])
    store.write(_CREATE_INDEX[name], dimensions=dimensions)
    store.write("CALL db.awaitIndexes(300)")


def write_embeddings(
    store: GraphStore,
    label: str,
    ids: np.ndarray | list[str],
    vectors: np.ndarray,
    batch_size: int = 2_000,
) -> int:
    """Set `embedding` (and the `Entity` label) on the `label` nodes with `ids`, batch by batch; returns the count.

    Raises EmbeddingWriteError when the label is unknown, the shapes disagree or a node does not exist.
    """
    if label not in _WRITE_QUERIES:
        raise EmbeddingWriteError(f"Cannot write embeddings for label {label!r}; known: {sorted(_WRITE_QUERIES)}")
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise EmbeddingWriteError(f"{len(ids)} ids but an embedding matrix of shape {matrix.shape}")
    return _write_vectors(store, _WRITE_QUERIES[label], label, ids, matrix, batch_size)


def _write_vectors(
    store: GraphStore,
    query: LiteralString,
    label: str,
    ids: np.ndarray | list[str],
    matrix: np.ndarray,
    batch_size: int,
) -> int:
    """Run `query` (rows of `id` and `embedding`, returning `written`) batch by batch; returns the count. Raises
    EmbeddingWriteError when a node does not exist."""
    written = 0
    for start in range(0, len(ids), batch_size):
        rows: list[dict[str, Any]] = [
            {"id": str(node_id), "embedding": vector.tolist()}
            for node_id, vector in zip(ids[start : start + batch_size], matrix[start : start + batch_size], strict=True)
        ]
        count = store.write(query, rows=rows)[0]["written"]
        if count != len(rows):
            raise EmbeddingWriteError(f"{len(rows) - count} of {len(rows)} {label} ids are not in the graph")
        written += count
    return written


def write_back(
    store: GraphStore, blocks: list[EmbeddingBlock], item_keys: np.ndarray | None = None, batch_size: int = 2_000
) -> dict[str, int]:
    """Write every node's embedding (one block per label) to Neo4j and make sure the vector index exists; with
    `item_keys` (rows in the Item block's order), the items' top-k keys and their index too. Returns the count
    written per label."""
    if not blocks:
        return {}
    ensure_vector_index(store, int(blocks[0].vectors.shape[1]))
    written = {
        block.label: write_embeddings(store, block.label, block.ids, block.vectors, batch_size)
        for block in blocks
        if len(block.ids)
    }
    items = next((block for block in blocks if block.label == "Item"), None)
    if item_keys is not None and items is not None:
        ensure_vector_index(store, int(item_keys.shape[1]), ITEM_TOP_K_INDEX)
        _write_vectors(store, _WRITE_ITEM_KEYS, "Item", items.ids, np.asarray(item_keys, np.float64), batch_size)
        store.write("CALL db.awaitIndexes(300)")
    return written


def nearest_items(store: GraphStore, query: np.ndarray, k: int) -> list[str]:
    """The ids of the `OVERSAMPLE * k` items whose top-k keys are nearest to `query` (gnn.foldin.inner_product_query),
    best first, through the `item_top_k` index: candidates for an exact ranking of the best `k` (of 3,000 random
    items, Neo4j's default index found 63 % of the true top 50 alone and 93 % as the best 50 of its 200 nearest;
    `tests/gnn/test_top_k.py` asks 95 % of this index's best 50 of 200)."""
    rows = store.read(
        STABLE_PLAN + "CALL db.index.vector.queryNodes($index, $k, $key) YIELD node RETURN node.id AS id",
        index=ITEM_TOP_K_INDEX,
        k=k * OVERSAMPLE,
        key=[float(x) for x in np.asarray(query).ravel()],
    )
    return [row["id"] for row in rows]


def similar_entities(store: GraphStore, vector: np.ndarray | list[float], k: int = 10) -> list[SimilarEntity]:
    """The `k` embedded nodes nearest to `vector` by cosine similarity, through the vector index."""
    rows = store.read(
        STABLE_PLAN + "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score "
        "RETURN [label IN labels(node) WHERE label IN ['User', 'Item', 'Genre', 'Person', 'Tag']][0] AS label, "
        "node.id AS id, score",
        index=VECTOR_INDEX,
        k=k,
        vector=[float(x) for x in np.asarray(vector).ravel()],
    )
    return [SimilarEntity(label=row["label"], id=row["id"], score=row["score"]) for row in rows]
