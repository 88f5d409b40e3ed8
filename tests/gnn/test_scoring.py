"""The scoring model on a hand-made checkpoint (no graph needed): the validated ScoringConfig, the strategies a
context implies, dislikes and feedback through the fold-in, the conversation weights, and seen items excluded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from core.types import FeedbackSignal, Polarity, PreferenceEdge, Strategy, UserContext
from gnn.data import NodeIndex
from gnn.model_store import TrainedModel
from gnn.scoring import Scorer
from gnn.scoring_config import ScoringConfig

# Items a, b (one taste) and c, d (another); genre g1 is a's and b's, g2 is c's and d's.
IDS = {"User": ["u1"], "Item": ["a", "b", "c", "d"], "Genre": ["g1", "g2"], "Person": []}
VECTORS = np.array(
    [[1.0, 0.0], [1.0, 0.1], [0.9, 0.0], [0.0, 1.0], [0.1, 1.0], [1.0, 0.05], [0.05, 1.0]], dtype=np.float32
)
ATTRIBUTES = [("a", "IN_GENRE", "g1"), ("b", "IN_GENRE", "g1"), ("c", "IN_GENRE", "g2"), ("d", "IN_GENRE", "g2")]


def model(scoring: ScoringConfig | None = None) -> TrainedModel:
    return TrainedModel({}, NodeIndex.from_lists(IDS), VECTORS, {}, scoring or ScoringConfig())


def scorer(scoring: ScoringConfig | None = None, likes: dict[str, int] | None = None) -> Scorer:
    return Scorer.from_graph_reads(model(scoring), likes or {}, [("c", "d", 3)], ATTRIBUTES)


def top(values: np.ndarray) -> list[str]:
    order = [i for i in np.argsort(-values, kind="stable") if np.isfinite(values[i])]
    return [IDS["Item"][i] for i in order]


def test_the_config_is_validated_and_frozen() -> None:
    with pytest.raises(ValidationError, match="unknown signals"):
        ScoringConfig(dialogue_weights={"priors": 1.0})
    # A file written before a signal existed scores it with its default weight.
    older = ScoringConfig(dialogue_weights={"prior": 2.0})
    assert older.dialogue_weights == {**ScoringConfig().dialogue_weights, "prior": 2.0}
    with pytest.raises(ValidationError, match="not be negative"):
        ScoringConfig(dialogue_weights={**ScoringConfig().dialogue_weights, "prior": -1.0})
    with pytest.raises(ValidationError):
        ScoringConfig(reject_weight=0.5)  # a rejection never pulls
    with pytest.raises(ValidationError):
        ScoringConfig(pool_growth=1)
    with pytest.raises(ValidationError):
        ScoringConfig().model_copy(update={"pool_min": 3}).pool_min = 4  # frozen
    assert ScoringConfig().pool(10, constrained=False) == 50 and ScoringConfig().pool(30, constrained=True) == 600


def test_strategies_and_seen_items() -> None:
    assert scorer().score(UserContext("nobody")) is None  # nothing known: the caller ranks by popularity
    known = scorer().score(UserContext("u1", rated=frozenset({"a"})))
    assert known is not None and known.strategy is Strategy.EMBEDDING
    assert top(known.values) == ["b", "d", "c"]  # a was rated: never offered again; b is nearest u1
    liked_genre = UserContext("anon", preferences=(PreferenceEdge("Genre", "g2", Polarity.LIKE, 0.9),))
    dialogue = scorer().score(liked_genre)
    assert dialogue is not None and dialogue.strategy is Strategy.DIALOGUE
    assert sorted(top(dialogue.values)[:2]) == ["c", "d"]  # the liked genre's items first


def test_dislikes_and_rejections_push_and_the_weights_come_from_the_config() -> None:
    disliked = UserContext("anon", preferences=(PreferenceEdge("Item", "d", Polarity.DISLIKE, 0.9),))
    vector, strategy = scorer().user_vector(disliked)
    assert strategy is Strategy.DIALOGUE and vector is not None and vector[1] < 0  # away from c and d
    rated = UserContext("u1", rated=frozenset({"a"}))
    rejected = UserContext("u1", rated=frozenset({"a"}), feedback={"b": FeedbackSignal.REJECT})
    before, after = scorer().user_vector(rated)[0], scorer().user_vector(rejected)[0]
    assert before is not None and after is not None and after[0] < before[0]  # pushed away from b's direction
    with_rejection = scorer().score(rejected)
    assert with_rejection is not None and "b" not in top(with_rejection.values)
    # Only the popularity prior counts: the most liked item wins whatever the user said.
    prior_only = ScoringConfig(dialogue_weights={**dict.fromkeys(ScoringConfig().dialogue_weights, 0.0), "prior": 1.0})
    liked_a = UserContext("anon", preferences=(PreferenceEdge("Item", "a", Polarity.LIKE, 0.9),))
    scores = scorer(prior_only, likes={"d": 10, "b": 1}).score(liked_a)
    assert scores is not None and top(scores.values)[:2] == ["d", "b"]


def test_a_checkpoint_carries_its_config(tmp_path: Path) -> None:
    from gnn.model_store import SCORING_FILE, load_scoring

    tuned = ScoringConfig(weight_floor=0.2, rerank_pool=30)
    (tmp_path / SCORING_FILE).write_text(tuned.model_dump_json())
    assert load_scoring(tmp_path) == tuned


def test_tags_count_when_named_not_when_shared_by_liked_items() -> None:
    from gnn.neighbours import ItemNeighbours

    tagged = [("a", "TAGGED", "classic"), ("b", "TAGGED", "classic"), ("c", "TAGGED", "superhero")]
    neighbours = ItemNeighbours(["a", "b", "c", "d"], [], tagged + ATTRIBUTES)
    from_items = neighbours.evidence({"a": 1.0})
    assert not from_items["TAGGED"].any()  # "classic" on a and b says little about b
    assert from_items["IN_GENRE"].tolist() == [0.0, 1.0, 0.0, 0.0]  # genres do: b shares a's genre
    named = neighbours.evidence({}, {"superhero": 1.0})
    assert named["TAGGED"].tolist() == [0.0, 0.0, 1.0, 0.0]
