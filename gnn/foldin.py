"""Fold-in: an embedding for a new user from weighted liked/disliked entities, or for a known user with new
preferences, without retraining; scoring of every item for such an embedding; and the vectors with which a cosine
vector index ranks items by that same score."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gnn.errors import GNNError
from gnn.model_store import TrainedModel

EntityKey = tuple[str, str]  # (label, id), e.g. ("Person", "redial:person:42") or ("Item", "ml:1")


def fold_in(
    model: TrainedModel,
    preferences: Mapping[EntityKey, float],
    user_id: str | None = None,
    preference_share: float = 0.5,
) -> np.ndarray:
    """A user embedding: the weighted mean of the entities' embeddings (positive weight = liked, negative =
    disliked); for a known `user_id`, its embedding blended with that mean (`preference_share` of the new part).

    Raises UnknownEntityError for an entity or user the model does not know, GNNError when there is nothing to
    fold in.
    """
    if not preferences and user_id is None:
        raise GNNError("Fold-in needs at least one preference or a known user id.")
    user = model.vectors("User", [user_id])[0] if user_id is not None else None
    if not preferences:
        return np.asarray(user, dtype=np.float32)
    vectors = np.stack([model.vectors(label, [node_id])[0] for label, node_id in preferences])
    weights = np.array(list(preferences.values()), dtype=np.float32)
    total = float(np.abs(weights).sum())
    if total == 0:
        raise GNNError("Every preference weight is zero.")
    folded = (weights[:, None] * vectors).sum(axis=0) / total
    if user is None:
        return folded.astype(np.float32)
    return ((1 - preference_share) * user + preference_share * folded).astype(np.float32)


def score_items(model: TrainedModel, user_vector: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The score (dot product) of every item, in `model.index.ids["Item"]` order, or of the item rows `rows` only
    (a slice takes no copy of the item matrix)."""
    return model.block("Item")[rows] @ np.asarray(user_vector, dtype=model.embeddings.dtype)


def inner_product_keys(items: np.ndarray) -> np.ndarray:
    """Unit vectors one dimension longer than the item embeddings x, [x, sqrt(M^2 - |x|^2)] / M with M the largest
    norm: the cosine between a key and `inner_product_query(q)` is q.x / (M |q|), so a cosine index over the keys
    ranks items exactly as the dot product of `score_items` does (Bachrach et al., 2014)."""
    items = np.asarray(items, dtype=np.float64)
    norms = np.linalg.norm(items, axis=1)
    largest = max(float(norms.max()) if len(norms) else 0.0, 1e-12)
    extra = np.sqrt(np.maximum(largest**2 - norms**2, 0.0))
    return np.hstack([items, extra[:, None]]) / largest


def inner_product_query(vector: np.ndarray) -> np.ndarray:
    """The query of `inner_product_keys`: the user vector, unit length, with a zero appended."""
    vector = np.asarray(vector, dtype=np.float64).ravel()
    return np.r_[vector / max(float(np.linalg.norm(vector)), 1e-12), 0.0]
