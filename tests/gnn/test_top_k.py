"""Top-k through the Neo4j vector index: keys whose cosine ranks items by the model's dot product, and the index's
recall against the exact ranking."""

from __future__ import annotations

import numpy as np

from core.arrays import EmbeddingBlock
from gnn.foldin import inner_product_keys, inner_product_query
from graph.db import GraphStore
from graph.embeddings import OVERSAMPLE, nearest_items, write_back


def test_cosine_of_keys_ranks_items_as_the_dot_product() -> None:
    rng = np.random.default_rng(0)
    items = rng.normal(size=(500, 8)) * rng.uniform(0.1, 3.0, size=(500, 1))  # norms differ, as popularity does
    keys = inner_product_keys(items)
    assert np.allclose(np.linalg.norm(keys, axis=1), 1.0)
    for _ in range(20):
        user = rng.normal(size=8) * 5
        cosine = keys @ inner_product_query(user)  # both unit length
        assert np.array_equal(np.argsort(-cosine, kind="stable"), np.argsort(-(items @ user), kind="stable"))
        assert not np.array_equal(  # a plain cosine over the embeddings would rank otherwise
            np.argsort(-(items / np.linalg.norm(items, axis=1, keepdims=True)) @ user)[:20],
            np.argsort(-(items @ user))[:20],
        )


def test_vector_index_top_50_recalls_the_exact_top_50(store: GraphStore) -> None:
    rng = np.random.default_rng(1)
    n, dim = 3_000, 16
    ids = np.array([f"i{k}" for k in range(n)])
    store.write("UNWIND $ids AS id CREATE (:Item {id: id})", ids=ids.tolist())
    vectors = rng.normal(size=(n, dim)) * rng.uniform(0.2, 2.0, size=(n, 1))
    written = write_back(store, [EmbeddingBlock("Item", ids, vectors)], inner_product_keys(vectors))
    assert written == {"Item": n}
    recalls = []
    for _ in range(25):
        user = rng.normal(size=dim)
        exact = set(ids[np.argsort(-(vectors @ user))[:50]])
        found = nearest_items(store, inner_product_query(user), 50)
        assert len(found) == 50 * OVERSAMPLE and len(set(found)) == len(found)
        rows = np.array([int(item_id[1:]) for item_id in found])
        best = rows[np.argsort(-(vectors[rows] @ user))[:50]]  # as the recommender ranks the index's candidates
        recalls.append(len(exact & set(ids[best])) / 50)
    assert np.mean(recalls) >= 0.95, recalls
