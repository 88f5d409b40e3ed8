"""The scoring model on a hand-made checkpoint (no graph needed): the validated ScoringConfig, the strategies a
context implies, dislikes and feedback through the fold-in, the conversation weights, and seen items excluded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from core.types import FeedbackSignal, Polarity, PreferenceEdge, Seen, Strategy, UserContext
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


def test_matching_is_the_share_of_the_named_attributes_an_item_has() -> None:
    from gnn.neighbours import ItemNeighbours

    people = [("a", "DIRECTED", "p1"), ("b", "ACTED_IN", "p1"), ("b", "WROTE", "p1"), ("c", "TAGGED", "superhero")]
    neighbours = ItemNeighbours(["a", "b", "c", "d"], [], [*people, ("a", "TAGGED", "g2"), *ATTRIBUTES])
    assert neighbours.matching({("Person", "p1")}).tolist() == [1.0, 1.0, 0.0, 0.0]  # any role, counted once
    assert neighbours.matching({("Person", "p1"), ("Genre", "g2")}).tolist() == [0.5, 0.5, 0.5, 0.5]
    # the genre g2, not a's tag of the same id; an unknown entity counts as missing
    wanted = {("Tag", "superhero"), ("Genre", "g2"), ("Person", "nobody")}
    assert neighbours.matching(wanted).tolist() == pytest.approx([0, 0, 2 / 3, 1 / 3])
    assert not neighbours.matching(set()).any()
    # An item has itself: asked about together with a person, it matches fully and the person's other films half.
    assert neighbours.matching({("Item", "a"), ("Person", "p1")}).tolist() == [1.0, 0.5, 0.0, 0.0]


def told(label: str, node_id: str, updated: float | None, polarity: Polarity = Polarity.LIKE) -> PreferenceEdge:
    return PreferenceEdge(label, node_id, polarity, 0.9, updated=updated)


def in_session(*preferences: PreferenceEdge, user: str = "anon", started: float | None = 0.5) -> UserContext:
    return UserContext(user, preferences=preferences, session_started=started)


def test_the_latest_request_is_what_the_latest_turn_of_the_session_with_a_like_named() -> None:
    from gnn.scoring import latest_request

    godfather_then_genres = (told("Item", "a", 1.0), told("Genre", "g2", 2.0), told("Genre", "g1", 2.0))
    assert latest_request(in_session(*godfather_then_genres)) == {("Genre", "g1"), ("Genre", "g2")}
    # A later turn that only disliked something leaves the request standing.
    then_a_dislike = (*godfather_then_genres, told("Genre", "g3", 3.0, Polarity.DISLIKE))
    assert latest_request(in_session(*then_a_dislike)) == {("Genre", "g1"), ("Genre", "g2")}
    # A later like of items only ends it; imported preferences (no turn) never make one.
    assert latest_request(in_session(*godfather_then_genres, told("Item", "b", 3.0))) == set()
    # An item the latest like-turn asked about without having seen it ("who is in b?") is what it asks for.
    asked = PreferenceEdge("Item", "b", Polarity.LIKE, 0.3, seen=Seen.NO, updated=3.0)
    assert latest_request(in_session(*godfather_then_genres, asked)) == {("Item", "b")}
    assert latest_request(in_session(told("Genre", "g2", None))) == set()
    # Outside a session, or told in an earlier session of the user, it asks nothing.
    assert latest_request(in_session(*godfather_then_genres, started=None)) == set()
    assert latest_request(in_session(*godfather_then_genres, started=2.5)) == set()


def test_the_latest_request_leads_the_list_for_new_and_known_users() -> None:
    asking = ScoringConfig(dialogue_weights={"request": 4.0})
    # a was liked first: b (a's genre) would lead; then the user asks for g2 (c and d).
    context = in_session(told("Item", "a", 1.0), told("Genre", "g2", 2.0))
    before = scorer(asking).score(in_session(*context.preferences[:1]))
    after = scorer(asking).score(context)
    assert before is not None and top(before.values)[0] == "b"
    assert after is not None and sorted(top(after.values)[:2]) == ["c", "d"]
    unweighted = scorer(ScoringConfig(dialogue_weights={"request": 0.0})).score(context)
    assert unweighted is not None and (after.values[2:] - unweighted.values[2:] == pytest.approx(4.0))
    # A user the model knows (u1 leans towards a and b) gets the request too, in the session only.
    known = UserContext("u1", rated=frozenset({"a"}), preferences=(told("Genre", "g2", 2.0),), session_started=0.5)
    scores = scorer(asking).score(known)
    assert scores is not None and sorted(top(scores.values)[:2]) == ["c", "d"]
    later = scorer(asking).score(UserContext("u1", rated=frozenset({"a"}), preferences=known.preferences))
    assert later is not None and top(later.values)[0] == "b"


def test_earlier_turns_weigh_less_by_the_recency_decay() -> None:
    from gnn.scoring import turns_back

    said = (told("Item", "a", 1.0), told("Item", "c", 2.0), told("Genre", "g1", 3.0, Polarity.DISLIKE))
    context = UserContext("anon", preferences=(*said, told("Item", "b", None), told("Item", "d", 2.0)))
    assert turns_back(context) == {
        ("Item", "a"): 2,
        ("Item", "c"): 1,
        ("Genre", "g1"): 0,
        ("Item", "b"): 0,
        ("Item", "d"): 1,
    }
    # a liked first, c in the next turn: alike, their genre mates b and d tie; decayed, c's mate d leads.
    two_turns = UserContext("anon", preferences=(told("Item", "a", 1.0), told("Item", "c", 2.0)))
    alike = scorer(ScoringConfig(recency_decay=1.0))
    decayed = alike.with_scoring(ScoringConfig(recency_decay=0.5))
    alike_vector, decayed_vector = alike.user_vector(two_turns)[0], decayed.user_vector(two_turns)[0]
    assert alike_vector is not None and decayed_vector is not None
    assert decayed_vector[1] > alike_vector[1]  # folded in nearer c's taste
    genre_alike = alike.dialogue_signals(two_turns, alike_vector)["IN_GENRE"]
    genre_decayed = decayed.dialogue_signals(two_turns, decayed_vector)["IN_GENRE"]
    assert genre_alike[1] == genre_alike[3] == 1.0
    assert genre_decayed[3] == 1.0 and genre_decayed[1] == pytest.approx(0.5)
