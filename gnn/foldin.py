"""Fold-in: an embedding for a new user from weighted liked/disliked entities, or for a known user with new
preferences, without retraining; and scoring of every item for such an embedding."""

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


def score_items(model: TrainedModel, user_vector: np.ndarray) -> np.ndarray:
    """The score of every item (dot product), in `model.index.ids["Item"]` order."""
    return model.block("Item") @ np.asarray(user_vector, dtype=model.embeddings.dtype)
