"""Recommendations: the user's context from the graph (one read), scores from the in-memory item matrix of the
trained model, then hard constraints, item details and (when asked for) explanation paths from the graph (one read;
one more only for items explained by co-raters alone)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from api.errors import NotFoundError
from api.schemas import Explanation, Recommendation, Strategy
from api.services.explainer import PathScorer, rank_paths
from gnn.foldin import fold_in, score_items
from gnn.model_store import TrainedModel
from gnn.neighbours import ItemNeighbours
from graph.db import GraphStore
from graph.paths import GraphPath, explanation_paths, select_explained_items
from graph.recommend import (
    ItemFilter,
    ItemSummary,
    UserContext,
    co_liked_items,
    item_attributes,
    item_popularity,
    items_exist,
    select_items,
    user_context,
)
from nlu.llm import LLMError

log = logging.getLogger(__name__)
# Items that passed the filters, and their candidate explanation paths when asked for.
Selection = tuple[list[ItemSummary], dict[str, list[GraphPath]]]
# An optional reorderer of the candidates (the LLM rerank): context + candidates → candidate ids, best first.
Reranker = Callable[[UserContext, list[ItemSummary]], list[str]]
RERANK_POOL = 20

# Fold-in weights: a dialogue 'like' pulls with its weight, a 'dislike' pushes; feedback counts like this.
FEEDBACK_WEIGHTS = {"accept": 1.0, "reject": -0.5}
# Share of the folded-in preferences next to a known user's own embedding: total / (total + PRIOR).
PREFERENCE_PRIOR = 2.0
MAX_PATHS = 3
# Conversation (cold-start) scoring: a weighted sum of signals, each scaled so that the best item has 1 — the fold-in
# score ("embedding", scaled to [-1, 1]), the conversational popularity prior ("prior", log(1 + users who liked the
# item in a dialogue)), and `gnn.neighbours` evidence from the liked items, genres and people: items liked together in
# past conversations ("co_liked") and shared genres / directors / actors / writers. Weights from a grid search on an
# inner split of the ReDial training fold (`bench/eval_redial.py --tune`, bench/results/redial_tuning.json), never on
# the evaluated fold; best there (ties counted against the gold): these weights, inner Recall@10 / @50 0.142 / 0.295
# (the fold-in at 0.1: 0.144 / 0.290; at 0: 0.138 / 0.271). The fold-in is also the signal through which dislikes push.
DIALOGUE_WEIGHTS: dict[str, float] = {
    "embedding": 0.2,
    "prior": 1.0,
    "co_liked": 0.5,
    "IN_GENRE": 1.0,
    "DIRECTED": 0.5,
    "ACTED_IN": 0.5,
    "WROTE": 0.5,
}


@dataclass(frozen=True)
class Ranked:
    """A ranked list before it is turned into API objects."""

    strategy: Strategy
    recommendations: list[Recommendation]
    user_vector: np.ndarray | None


class Recommender:
    """Scores with a read-only model held in memory; everything else lives in Neo4j (the process is stateless)."""

    def __init__(self, store: GraphStore, model: TrainedModel | None, reranker: Reranker | None = None) -> None:
        self.store = store
        self.model = model
        self.reranker = reranker
        self.scorer = PathScorer(model)
        self._popular: list[str] | None = None
        self.popular_rank: dict[str, int] = {}
        self._dialogue_prior: np.ndarray | None = None
        self._neighbours: ItemNeighbours | None = None
        self._building = threading.RLock()  # the lazily read popularity and neighbours are read once

    @property
    def popular(self) -> list[str]:
        """Item ids by number of ratings and dialogue likes, read from the graph on first use (and again after a
        model swap)."""
        if self._popular is None:
            self._read_popularity()
        assert self._popular is not None
        return self._popular

    def dialogue_prior(self) -> np.ndarray:
        """log(1 + dialogue likes) of every item scaled to [0, 1], in the served model's item order (re-read after a
        model swap)."""
        if self._dialogue_prior is None:
            self._read_popularity()
        assert self._dialogue_prior is not None
        return self._dialogue_prior

    def neighbours(self) -> ItemNeighbours:
        """Co-likes and shared attributes over the served model's items, read from the graph on first use (once,
        however many requests arrive together)."""
        with self._building:
            if self._neighbours is None:
                assert self.model is not None
                ids = self.model.index.ids["Item"].tolist()
                self._neighbours = ItemNeighbours(ids, co_liked_items(self.store), item_attributes(self.store))
            return self._neighbours

    def _read_popularity(self) -> None:
        with self._building:
            if self._popular is not None and (self.model is None or self._dialogue_prior is not None):
                return  # another request read it meanwhile
            counts = item_popularity(self.store)
            self._popular = [item_id for item_id, _, _ in counts]
            self.popular_rank = {item_id: rank for rank, item_id in enumerate(self._popular)}
            if self.model is not None:
                likes = {item_id: n for item_id, _, n in counts}
                ids = self.model.index.ids["Item"].tolist()
                prior = np.log1p(np.array([likes.get(i, 0) for i in ids], dtype=np.float32))
                self._dialogue_prior = prior / max(float(prior.max()), 1e-9)

    def dialogue_signals(self, context: UserContext, vector: np.ndarray) -> dict[str, np.ndarray]:
        """The conversation scoring signals of every item (see `DIALOGUE_WEIGHTS`), in the model's item order."""
        assert self.model is not None
        embedding = score_items(self.model, vector)
        liked = {p.id: max(p.weight, 0.05) for p in context.preferences if p.label == "Item" and p.polarity == "like"}
        for item_id, signal in context.feedback.items():
            if signal == "accept":
                liked[item_id] = liked.get(item_id, 0.0) + FEEDBACK_WEIGHTS["accept"]
        attributes = {
            p.id: max(p.weight, 0.05) for p in context.preferences if p.label != "Item" and p.polarity == "like"
        }
        return {
            "embedding": embedding / max(float(np.abs(embedding).max()), 1e-9),
            "prior": self.dialogue_prior(),
            **self.neighbours().evidence(liked, attributes),
        }

    def set_model(self, model: TrainedModel | None) -> None:
        """Serve a new model (e.g. after a training job); popularity is re-read on next use."""
        self.scorer = PathScorer(model)
        self.model = model
        self._popular = None
        self._dialogue_prior = None
        self._neighbours = None

    def context(self, user_id: str) -> UserContext:
        """The user's graph context; raises NotFoundError for an unknown user."""
        context = user_context(self.store, user_id)
        if context is None:
            raise NotFoundError(f"User {user_id!r} does not exist.")
        return context

    def user_vector(self, context: UserContext) -> tuple[np.ndarray | None, Strategy]:
        """The user's embedding folded in with dialogue preferences and feedback, and the strategy it implies."""
        if self.model is None:
            return None, Strategy.POPULARITY
        positions = self.model.index.positions
        weights: dict[tuple[str, str], float] = {}
        for pref in context.preferences:
            sign = {"like": 1.0, "dislike": -1.0}.get(pref.polarity, 0.0)
            if sign and pref.id in positions.get(pref.label, {}):
                weights[(pref.label, pref.id)] = sign * max(pref.weight, 0.05)
        for item_id, signal in context.feedback.items():
            if item_id in positions["Item"] and signal in FEEDBACK_WEIGHTS:
                weights[("Item", item_id)] = weights.get(("Item", item_id), 0.0) + FEEDBACK_WEIGHTS[signal]
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
            preference_share=total / (total + PREFERENCE_PRIOR),
        )
        return vector, Strategy.EMBEDDING if known else Strategy.DIALOGUE

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        item_filter: ItemFilter | None = None,
        explain: bool = True,
        context: UserContext | None = None,
    ) -> Ranked:
        """The `k` best items the user has not rated, given feedback on or mentioned, that pass `item_filter`."""
        context = context or self.context(user_id)
        item_filter = item_filter or ItemFilter()
        vector, strategy = self.user_vector(context)
        seen = context.seen
        pool = max(k, RERANK_POOL) if self.reranker else k
        explain_for = user_id if explain else None
        if vector is not None and self.model is not None:
            if strategy is Strategy.DIALOGUE:
                signals = self.dialogue_signals(context, vector)
                scores = sum(DIALOGUE_WEIGHTS[name] * values for name, values in signals.items())
            else:
                scores = score_items(self.model, vector)
            seen_rows = [self.model.index.positions["Item"][i] for i in seen if i in self.model.index.positions["Item"]]
            scores[seen_rows] = -np.inf
            items, paths = self._select(self.model.index.ids["Item"], scores, pool, item_filter, explain_for)
            rows = self.model.index.positions["Item"]
            score_of = {item.id: float(scores[rows[item.id]]) for item in items}
        else:
            ranked = [item_id for item_id in self.popular if item_id not in seen]
            items, paths = self._select_ids(ranked, pool, item_filter, explain_for)
            score_of = {item.id: 1.0 / (self.popular_rank[item.id] + 1) for item in items}
        items = self._reranked(context, items)[:k]
        recommendations = [
            Recommendation(
                item_id=item.id, name=item.name, year=item.year, genres=list(item.genres), score=score_of[item.id]
            )
            for item in items
        ]
        if explain:
            explained = rank_paths(
                self.scorer, vector, {r.item_id: paths[r.item_id] for r in recommendations}, MAX_PATHS
            )
            for recommendation in recommendations:
                recommendation.explanations = explained[recommendation.item_id]
        return Ranked(strategy, recommendations, vector)

    def _reranked(self, context: UserContext, items: list[ItemSummary]) -> list[ItemSummary]:
        """The candidates in the reranker's order; the scorer's order when there is none or it fails."""
        if self.reranker is None or len(items) < 2:
            return items
        try:
            order = self.reranker(context, items)
        except LLMError as exc:
            log.warning("LLM rerank failed, keeping the GNN order: %s", exc)
            return items
        by_id = {item.id: item for item in items}
        return [by_id[item_id] for item_id in order if item_id in by_id]

    def explanations(
        self, user_id: str, item_ids: list[str], user_vector: np.ndarray | None, limit: int = MAX_PATHS
    ) -> dict[str, list[Explanation]]:
        """The best `limit` real paths from the user to each item (one graph read for all items)."""
        return rank_paths(self.scorer, user_vector, explanation_paths(self.store, user_id, item_ids), limit)

    def explain(self, user_id: str, item_id: str) -> list[Explanation]:
        """Why `item_id` suits `user_id`; raises NotFoundError for an unknown user or item."""
        context = self.context(user_id)
        if not items_exist(self.store, [item_id]):
            raise NotFoundError(f"Item {item_id!r} does not exist.")
        vector, _ = self.user_vector(context)
        return self.explanations(user_id, [item_id], vector)[item_id]

    def _select(
        self, ids: np.ndarray, scores: np.ndarray, k: int, item_filter: ItemFilter, explain_for: str | None
    ) -> Selection:
        """Top candidates in memory, then the graph filters them; widen the candidate set when too few pass."""
        finite = int(np.isfinite(scores).sum())
        size = min(finite, max(4 * k, 50) if not item_filter.active else max(20 * k, 500))
        while True:
            top = np.argpartition(-scores, size - 1)[:size] if 0 < size < len(scores) else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            top = top[np.isfinite(scores[top])]
            selection = self._read_selection(ids[top].tolist(), k, item_filter, explain_for)
            if len(selection[0]) >= k or size >= finite:
                return selection
            size = min(finite, size * 8)

    def _select_ids(self, ranked: list[str], k: int, item_filter: ItemFilter, explain_for: str | None) -> Selection:
        size = max(4 * k, 50) if not item_filter.active else max(20 * k, 500)
        while True:
            selection = self._read_selection(ranked[:size], k, item_filter, explain_for)
            if len(selection[0]) >= k or size >= len(ranked):
                return selection
            size *= 8

    def _read_selection(self, ranked: list[str], k: int, item_filter: ItemFilter, explain_for: str | None) -> Selection:
        """The first `k` of `ranked` that pass the filter, with explanation paths from `explain_for` (one read)."""
        if explain_for is None:
            return select_items(self.store, ranked, k, item_filter), {}
        return select_explained_items(self.store, explain_for, ranked, k, item_filter)
