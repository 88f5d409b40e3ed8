"""EASE in closed form: the weights of a tiny co-rating pattern, the sparse item model, its file, and its evidence in
conversation scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.types import Polarity, PreferenceEdge, UserContext
from gnn.data import NodeIndex
from gnn.ease import ItemToItem, ease_weights
from gnn.model_store import TrainedModel
from gnn.scoring import Scorer
from gnn.scoring_config import ScoringConfig

# Users 0-4 rate items 0 and 1 together; users 5-9 rate items 2 and 3 together; user 10 rates 1 and 3.
USERS = np.array([u for u in range(5) for _ in (0, 1)] + [u for u in range(5, 10) for _ in (0, 1)] + [10, 10])
ITEMS = np.array([0, 1] * 5 + [2, 3] * 5 + [1, 3])


def test_ease_learns_which_items_go_together() -> None:
    weights = ease_weights(USERS, ITEMS, 4, l2=1.0)
    assert weights.shape == (4, 4) and np.allclose(np.diag(weights), 0.0)
    assert weights[0, 1] > 0.5 and weights[2, 3] > 0.5  # rated together: strong
    assert weights[0, 1] > 3 * weights[0, 2] and weights[2, 3] > 3 * weights[2, 0]  # never together: weak
    # A larger λ shrinks every weight toward zero.
    assert ease_weights(USERS, ITEMS, 4, l2=100.0)[0, 1] < weights[0, 1]
    # G = XᵀX + λI, B = I - P / diag(P): check against the formula in numpy.
    x = np.zeros((11, 4))
    x[USERS, ITEMS] = 1.0
    p = np.linalg.inv(x.T @ x + np.eye(4))
    expected = -p / np.diag(p)
    np.fill_diagonal(expected, 0.0)
    assert np.allclose(weights, expected, atol=1e-5)


def test_the_item_model_keeps_the_strongest_neighbours_and_round_trips(tmp_path: Path) -> None:
    ids = np.array(["a", "b", "c", "d", "unrated"])
    model = ItemToItem.fit(ids, USERS, ITEMS, l2=1.0, max_items=10, neighbours=1)
    dense = model.matrix.toarray()
    assert dense.shape == (5, 5) and (dense > 0).sum(axis=1).tolist() == [1, 1, 1, 1, 0]
    assert dense[0, 1] > 0 and dense[2, 3] > 0 and not dense[4].any()
    only_two = ItemToItem.fit(ids, USERS, ITEMS, l2=1.0, max_items=2)  # the two most rated items: b and d
    assert set(np.nonzero(only_two.matrix.toarray().any(axis=1))[0]) <= {1, 3}
    model.save(tmp_path)
    loaded = ItemToItem.load(tmp_path)
    assert loaded is not None and loaded.item_ids.tolist() == ids.tolist()
    assert np.allclose(loaded.matrix.toarray(), dense)
    assert ItemToItem.load(tmp_path / "nowhere") is None


def test_co_rated_evidence_lifts_what_people_rated_with_the_liked_film() -> None:
    ids = {"User": [], "Item": ["a", "b", "c", "d"], "Genre": [], "Person": []}
    vectors = np.ones((4, 2), dtype=np.float32)  # the embedding says nothing: every item alike
    item_model = ItemToItem.fit(np.array(ids["Item"]), USERS, ITEMS, l2=1.0)
    only_co_rated = ScoringConfig(
        dialogue_weights={**dict.fromkeys(ScoringConfig().dialogue_weights, 0.0), "co_rated": 1.0}
    )
    trained = TrainedModel({}, NodeIndex.from_lists(ids), vectors, {}, only_co_rated, item_model)
    liked_c = UserContext("anon", preferences=(PreferenceEdge("Item", "c", Polarity.LIKE, 1.0),))
    scorer = Scorer.from_graph_reads(trained, {}, [], [])
    signals = scorer.dialogue_signals(liked_c, np.ones(2, dtype=np.float32))
    assert signals["co_rated"].argmax() == 3 and signals["co_rated"].max() == 1.0
    scores = scorer.score(liked_c)
    assert scores is not None
    order = [ids["Item"][i] for i in np.argsort(-scores.values) if np.isfinite(scores.values[i])]
    assert order[0] == "d" and "c" not in order  # d goes with c; c itself was named
    without = TrainedModel({}, NodeIndex.from_lists(ids), vectors, {}, only_co_rated)
    assert not Scorer.from_graph_reads(without, {}, [], []).dialogue_signals(liked_c, np.ones(2)).get("co_rated").any()


def test_a_known_users_list_blends_the_item_model_as_configured() -> None:
    ids = {"User": ["u1"], "Item": ["a", "b", "c", "d"], "Genre": [], "Person": []}
    vectors = np.array([[1.0, 0.0], [0.5, 0.5], [0.6, 0.4], [0.55, 0.45], [0.5, 0.5]], dtype=np.float32)
    item_model = ItemToItem.fit(np.array(ids["Item"]), USERS, ITEMS, l2=1.0)
    rated_c = UserContext("u1", rated=frozenset({"c", "a"}), rated_highly=frozenset({"c"}))  # a: rated 2 stars

    def order(weight: float) -> list[str]:
        config = ScoringConfig(known_co_rated=weight)
        trained = TrainedModel({}, NodeIndex.from_lists(ids), vectors, {}, config, item_model)
        scores = Scorer.from_graph_reads(trained, {}, [], []).score(rated_c)
        assert scores is not None
        return [ids["Item"][i] for i in np.argsort(-scores.values, kind="stable") if np.isfinite(scores.values[i])]

    assert order(0.0)[0] == "b"  # the embedding alone: b is nearest
    assert order(2.0)[0] == "d"  # people who rated c highly rated d (a's low rating says nothing about b)
