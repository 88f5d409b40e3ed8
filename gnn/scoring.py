"""The scoring model of a list: the user's vector (the GNN embedding folded in with dialogue preferences and
feedback) and the conversation signals, weighted as the served model's `ScoringConfig` says; arrays in, arrays
out."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.types import FeedbackSignal, Polarity, Seen, Strategy, UserContext
from gnn.foldin import fold_in, score_items
from gnn.model_store import TrainedModel
from gnn.neighbours import ItemNeighbours, scaled
from gnn.scoring_config import ScoringConfig


@dataclass(frozen=True)
class Scores:
    """Every item's score in the model's item order (excluded items at -inf), the strategy and the user's vector."""

    values: np.ndarray
    strategy: Strategy
    vector: np.ndarray


def latest_request(context: UserContext) -> set[tuple[str, str]]:
    """The genres, people and tags (label, id) the latest turn of this session that told a like asked for
    ("something with jim carrey" after "i loved the godfather"), and the items it asked about without having seen
    them ("who is in jupiter ascending?": that film is the answer); empty when that turn liked seen items only, and
    outside a session (a known user's earlier sessions ask nothing of today's lists)."""
    started = context.session_started
    if started is None:
        return set()
    told = [p.updated for p in context.preferences if p.polarity is Polarity.LIKE and p.updated is not None]
    latest = max(told, default=None)
    if latest is None or latest < started:
        return set()
    return {
        (p.label, p.id)
        for p in context.preferences
        if p.updated == latest and p.polarity is Polarity.LIKE and (p.label != "Item" or p.seen is Seen.NO)
    }


def turns_back(context: UserContext) -> dict[tuple[str, str], int]:
    """Per preference (label, id), how many later turns last told another like or dislike (a turn whose every
    preference a later turn told again no longer counts): 0 for the latest turn's and for imported preferences."""
    told = {p.updated for p in context.preferences if p.polarity is not Polarity.NEUTRAL and p.updated is not None}
    back = {updated: n for n, updated in enumerate(sorted(told, reverse=True))}
    return {(p.label, p.id): back.get(p.updated, 0) for p in context.preferences}


class Scorer:
    """Scores the served model's items for a user context; the conversation prior and neighbours come as arrays
    built from graph reads."""

    def __init__(self, model: TrainedModel, dialogue_likes: Mapping[str, int], neighbours: ItemNeighbours) -> None:
        self.model = model
        self.config = model.scoring
        self.neighbours = neighbours
        ids = model.index.ids["Item"].tolist()
        prior = np.log1p(np.array([dialogue_likes.get(i, 0) for i in ids], dtype=np.float32))
        self.dialogue_prior = prior / max(float(prior.max()) if len(prior) else 0.0, 1e-9)

    @classmethod
    def from_graph_reads(
        cls,
        model: TrainedModel,
        dialogue_likes: Mapping[str, int],
        co_liked: Sequence[tuple[str, str, int]],
        attributes: Sequence[tuple[str, str, str]],
    ) -> Scorer:
        """A scorer over the model's items from the rows graph/ reads (likes per item, co-likes, attributes)."""
        neighbours = ItemNeighbours(model.index.ids["Item"].tolist(), co_liked, attributes)
        return cls(model, dialogue_likes, neighbours)

    def with_scoring(self, config: ScoringConfig) -> Scorer:
        """This scorer under another `ScoringConfig` (the same model, prior and neighbours): a benchmark's grid."""
        other = copy.copy(self)
        other.config = config
        return other

    def user_vector(self, context: UserContext) -> tuple[np.ndarray | None, Strategy]:
        """The user's embedding folded in with dialogue preferences and feedback, and the strategy it implies
        (None and POPULARITY when nothing about the user is known to the model)."""
        config, positions = self.config, self.model.index.positions
        weights: dict[tuple[str, str], float] = {}
        back = turns_back(context)
        for pref in context.preferences:
            sign = {Polarity.LIKE: 1.0, Polarity.DISLIKE: -1.0}.get(pref.polarity, 0.0)
            if sign and pref.id in positions.get(pref.label, {}):
                recency = config.recency_decay ** back[(pref.label, pref.id)]
                weights[(pref.label, pref.id)] = sign * max(pref.weight, config.weight_floor) * recency
        for item_id, signal in context.feedback.items():
            if item_id in positions["Item"]:
                weights[("Item", item_id)] = weights.get(("Item", item_id), 0.0) + config.feedback_weight(signal)
        weights = {key: w for key, w in weights.items() if w != 0.0}
        # Only users the model learned from ratings have a meaningful own embedding.
        known = bool(context.rated) and context.user_id in positions["User"]
        if not known and not weights:
            return None, Strategy.POPULARITY
        total = sum(abs(w) for w in weights.values())
        vector = fold_in(
            self.model,
            weights,
            user_id=context.user_id if known else None,
            preference_share=total / (total + config.preference_prior),
        )
        return vector, Strategy.EMBEDDING if known else Strategy.DIALOGUE

    def dialogue_signals(self, context: UserContext, vector: np.ndarray) -> dict[str, np.ndarray]:
        """The conversation signals of every item (see `ScoringConfig`), in the model's item order."""
        floor, decay, back = self.config.weight_floor, self.config.recency_decay, turns_back(context)
        embedding = score_items(self.model, vector)
        liked: dict[str, float] = {}
        attributes: dict[str, float] = {}
        for p in context.preferences:
            if p.polarity is Polarity.LIKE:
                told = liked if p.label == "Item" else attributes
                told[p.id] = max(p.weight, floor) * decay ** back[(p.label, p.id)]
        for item_id, signal in context.feedback.items():
            if signal is FeedbackSignal.ACCEPT:
                liked[item_id] = liked.get(item_id, 0.0) + self.config.accept_weight
        return {
            "embedding": embedding / max(float(np.abs(embedding).max()), 1e-9),
            "prior": self.dialogue_prior,
            "co_rated": self._co_rated(liked),
            **self.neighbours.evidence(liked, attributes),
            "request": self.neighbours.matching(latest_request(context)),
        }

    def _co_rated(self, liked: dict[str, float]) -> np.ndarray:
        """The item model's evidence from the liked items ("people who rated these highly also rated …"), scaled
        so that the best item has 1; zeros without an item model."""
        if self.model.item_to_item is None:
            return np.zeros(self.model.index.count("Item"), dtype=np.float32)
        return scaled(self.model.item_to_item.matrix.T @ self.neighbours.item_weights(liked))

    def score(self, context: UserContext, candidates: np.ndarray | None = None) -> Scores | None:
        """Every item's score for the user, the items they have seen at -inf; None when the model knows nothing of
        the user (the caller ranks by popularity). With `candidates` (item rows, e.g. the vector index's nearest
        items), a known user's list is scored on those rows only and every other item is at -inf."""
        vector, strategy = self.user_vector(context)
        if vector is None:
            return None
        if strategy is Strategy.DIALOGUE:
            weights = self.config.dialogue_weights
            signals = self.dialogue_signals(context, vector)
            values = sum(weights[name] * signal for name, signal in signals.items())
        else:
            rows = slice(None) if candidates is None else np.asarray(candidates)  # a slice: no copy of the matrix
            known = score_items(self.model, vector, rows)
            request = latest_request(context)
            co_rated = self.config.known_co_rated > 0 and self.model.item_to_item is not None
            if len(known) and (co_rated or request):
                known = known / max(float(np.abs(known).max()), 1e-9)
                if co_rated:
                    liked = dict.fromkeys(context.rated_highly, 1.0)  # as the item model learned: ratings of 4+
                    known = known + self.config.known_co_rated * self._co_rated(liked)[rows]
                if request:
                    known = known + self.config.dialogue_weights["request"] * self.neighbours.matching(request)[rows]
            values = np.full(self.model.index.count("Item"), -np.inf, dtype=np.float32)
            values[rows] = known
        rows = self.model.index.positions["Item"]
        values[[rows[i] for i in context.seen if i in rows]] = -np.inf
        return Scores(values, strategy, vector)
