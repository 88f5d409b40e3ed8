"""Recommendations: the user's context from the graph (one read), scores from the served model (`gnn.scoring`),
then the candidates that pass the hard constraints with their details and (when asked for) explanation paths from
the graph (one read; one more only for items explained by co-raters alone)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from api.metrics import EMPTY_LISTS, LISTS, serve_model
from api.schemas import Explanation, Recommendation
from api.services.explainer import PathScorer, rank_paths
from core.errors import NotFoundError
from core.types import Constraints, Strategy, UserContext
from gnn.foldin import inner_product_query
from gnn.model_store import TrainedModel
from gnn.scoring import Scorer, latest_request
from gnn.scoring_config import ScoringConfig
from graph.db import GraphStore
from graph.embeddings import nearest_items
from graph.paths import GraphPath, explanation_paths, plan_path_queries, select_explained_items
from graph.recommend import (
    ItemSummary,
    any_item_matches,
    co_liked_items,
    item_attributes,
    item_popularity,
    items_exist,
    sample_users,
    select_items,
    user_context,
)
from graph.search import search_items
from nlu.llm import LLMError

log = logging.getLogger(__name__)
# Items that passed the filters, and their candidate explanation paths when asked for.
Selection = tuple[list[ItemSummary], dict[str, list[GraphPath]]]
# An optional reorderer of the candidates (the LLM rerank): context + candidates → candidate ids, best first.
Reranker = Callable[[UserContext, list[ItemSummary]], list[str]]
MAX_PATHS = 3


@dataclass(frozen=True)
class Ranked:
    """A ranked list before it is turned into API objects."""

    strategy: Strategy
    recommendations: list[Recommendation]
    user_vector: np.ndarray | None


# The kinds of filter a request may carry (none, a year range, an excluded or required genre, all of them): the
# warm-up has Neo4j plan the list queries for each, which it otherwise does on the first request with one.
_FILTER_SHAPES = (
    Constraints(),
    Constraints(year_min=1990, year_max=1999),
    Constraints(genres_excluded=("horror",)),
    Constraints(genres_required=("drama",)),
    Constraints(1990, 1999, ("drama",), ("horror",)),
)


class Recommender:
    """Scores with a read-only model held in memory; everything else lives in Neo4j (the process is stateless).
    The popularity ranking and the scorer's conversation signals are read from the graph once (`warm_up`, or the
    first request) and again after a model swap. From `index_min_items` catalog items on (None: never), a known
    user's candidates come from the Neo4j vector index `item_top_k` instead of a score for every item."""

    def __init__(
        self,
        store: GraphStore,
        model: TrainedModel | None,
        reranker: Reranker | None = None,
        model_error: str | None = None,
        index_min_items: int | None = None,
    ) -> None:
        self.store = store
        self.reranker = reranker
        self.index_min_items = index_min_items
        self._building = threading.RLock()
        self.set_model(model, model_error)

    def set_model(self, model: TrainedModel | None, error: str | None = None) -> None:
        """Serve `model` (e.g. a training job's); what was read for the previous one is read again on next use.
        `error` says why there is none."""
        with self._building:
            self.model = model
            serve_model(model.version if model is not None else None)
            self.model_error = error if model is None else None
            self.paths = PathScorer(model)
            self._popular: list[str] | None = None
            self._popular_rank: dict[str, int] = {}
            self._scorer: Scorer | None = None

    @property
    def scoring(self) -> ScoringConfig:
        """The served model's scoring configuration (the defaults without a model)."""
        return self.model.scoring if self.model is not None else ScoringConfig()

    def warm_up(self, every_filter: bool = True) -> None:
        """Read the popularity ranking, build the scorer and run the list and path queries once now, so that no
        request pays for it: neither the catalog-wide reads nor the server's planning of those queries (seconds on
        a freshly started server, more than a request's deadline)."""
        self._read_signals()
        self.plan_queries(every_filter)

    def plan_queries(self, every_filter: bool = True) -> None:
        """Read what a list needs (context, filtered and explained candidates, "why?" paths) for a user with
        ratings and for a dialogue user, and an item search, under the long deadline, so that Neo4j has planned
        those queries and holds the pages they read before a request needs them (the reranker's LLM is not
        called)."""
        with self.store.long_calls():
            search_items(self.store, "warm up", 1)
            if self._popular is None:
                return
            users = sample_users(self.store)  # a rater and a dialogue user: their paths differ
            for user_id in users:
                self.context(user_id)
                plan_path_queries(self.store, user_id, self._popular[:2])
            # Each kind of filter is planned apart (~1 s each on a cold server); after an outage only the plain list,
            # so that the service is back within seconds and the other kinds are planned by their first request.
            for constraints in _FILTER_SHAPES if every_filter else _FILTER_SHAPES[:1]:
                for explain_for in (*users[-1:], None):  # at the pool size of a list of 10 (graph.recommend)
                    self._select_ids(self._popular, 10, constraints, explain_for)

    def _read_signals(self) -> None:
        """The popularity ranking and the scorer's conversation signals, read once per model (catalog-wide reads:
        the long deadline)."""
        with self._building, self.store.long_calls():
            if self._popular is not None:
                return
            counts = item_popularity(self.store)
            self._popular = [item_id for item_id, _, _ in counts]
            self._popular_rank = {item_id: rank for rank, item_id in enumerate(self._popular)}
            if self.model is not None:
                likes = {item_id: n for item_id, _, n in counts}
                self._scorer = Scorer.from_graph_reads(
                    self.model, likes, co_liked_items(self.store), item_attributes(self.store)
                )

    def scorer(self) -> Scorer | None:
        """The served model's scorer (None without a model)."""
        self._read_signals()
        return self._scorer

    def context(self, user_id: str) -> UserContext:
        """The user's graph context; raises NotFoundError for an unknown user."""
        context = user_context(self.store, user_id)
        if context is None:
            raise NotFoundError(f"User {user_id!r} does not exist.")
        return context

    def user_vector(self, context: UserContext) -> np.ndarray | None:
        """The user's vector (embedding folded in with preferences and feedback), None when the model has none."""
        scorer = self.scorer()
        return scorer.user_vector(context)[0] if scorer is not None else None

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        constraints: Constraints | None = None,
        explain: bool = True,
        context: UserContext | None = None,
        offset: int = 0,
    ) -> Ranked:
        """The `k` best items (after the first `offset`: paging) the user has not rated, given feedback on or
        mentioned, that pass `constraints`."""
        context = context or self.context(user_id)
        constraints = constraints or Constraints()
        scorer = self.scorer()
        wanted = offset + k
        pool = max(wanted, self.scoring.rerank_pool) if self.reranker else wanted
        explain_for = user_id if explain and not offset else None  # a later page reads the paths of its items only
        candidates = self._index_candidates(scorer, context, pool, constraints)
        scores = scorer.score(context, candidates) if scorer is not None else None
        if scores is not None and self.model is not None:
            items, paths = self._select(self.model.index.ids["Item"], scores.values, pool, constraints, explain_for)
            if candidates is not None and len(items) < pool:  # the filters kept too few of the index's items
                scores = scorer.score(context)
                items, paths = self._select(self.model.index.ids["Item"], scores.values, pool, constraints, explain_for)
            rows = self.model.index.positions["Item"]
            score_of = {item.id: float(scores.values[rows[item.id]]) for item in items}
            strategy, vector = scores.strategy, scores.vector
        else:
            seen = context.seen
            assert self._popular is not None
            ranked = [item_id for item_id in self._popular if item_id not in seen]
            items, paths = self._select_ids(ranked, pool, constraints, explain_for)
            score_of = {item.id: 1.0 / (self._popular_rank[item.id] + 1) for item in items}
            strategy, vector = Strategy.POPULARITY, None
        items = self._reranked(context, items)[offset:wanted]
        recommendations = [
            Recommendation(
                item_id=item.id, name=item.name, year=item.year, genres=list(item.genres), score=score_of[item.id]
            )
            for item in items
        ]
        if explain:
            if offset:
                paths = explanation_paths(self.store, user_id, [r.item_id for r in recommendations])
            found = {r.item_id: paths[r.item_id] for r in recommendations}
            explained = rank_paths(self.paths, vector, found, MAX_PATHS, requested=latest_request(context))
            for recommendation in recommendations:
                recommendation.explanations = explained[recommendation.item_id]
        LISTS.labels(str(strategy)).inc()
        if not recommendations:
            EMPTY_LISTS.inc()
        return Ranked(strategy, recommendations, vector)

    def _index_candidates(
        self, scorer: Scorer | None, context: UserContext, pool: int, constraints: Constraints
    ) -> np.ndarray | None:
        """The item rows nearest to a known user's vector through the vector index, as many as the list's first
        candidate pool plus the items the user has seen (times `graph.embeddings.OVERSAMPLE`); None (score every item)
        below `index_min_items`, for a user the model knows otherwise, or while a request stands (what the user asks
        for may lie far from their vector)."""
        if scorer is None or self.model is None or self.index_min_items is None or latest_request(context):
            return None
        if self.model.index.count("Item") < self.index_min_items:
            return None
        vector, strategy = scorer.user_vector(context)
        if vector is None or strategy is not Strategy.EMBEDDING:
            return None
        size = self.scoring.pool(pool, constraints.active) + len(context.seen)  # the first pool, past the seen ones
        ids = nearest_items(self.store, inner_product_query(vector), min(size, self.model.index.count("Item")))
        rows = self.model.index.positions["Item"]
        return np.array([rows[item_id] for item_id in ids if item_id in rows], dtype=np.int64)

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
        self,
        user_id: str,
        item_ids: list[str],
        user_vector: np.ndarray | None,
        limit: int = MAX_PATHS,
        requested: Collection[tuple[str, str]] = (),
    ) -> dict[str, list[Explanation]]:
        """The best `limit` real paths from the user to each item (one graph read for all items), those from what
        the user just asked for (`gnn.scoring.latest_request`) first."""
        found = explanation_paths(self.store, user_id, item_ids)
        return rank_paths(self.paths, user_vector, found, limit, requested=requested)

    def explain(self, user_id: str, item_id: str) -> list[Explanation]:
        """Why `item_id` suits `user_id`; raises NotFoundError for an unknown user or item."""
        context = self.context(user_id)
        if not items_exist(self.store, [item_id]):
            raise NotFoundError(f"Item {item_id!r} does not exist.")
        return self.explanations(user_id, [item_id], self.user_vector(context))[item_id]

    def _select(
        self, ids: np.ndarray, scores: np.ndarray, k: int, constraints: Constraints, explain_for: str | None
    ) -> Selection:
        """Top candidates in memory, then the graph filters them; widen the candidate set when too few pass."""
        finite = int(np.isfinite(scores).sum())
        size = min(finite, self.scoring.pool(k, constraints.active))
        while True:
            top = np.argpartition(-scores, size - 1)[:size] if 0 < size < len(scores) else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            top = top[np.isfinite(scores[top])]
            selection = self._read_selection(ids[top].tolist(), k, constraints, explain_for)
            if len(selection[0]) >= k or size >= finite or self._nothing_passes(selection, constraints):
                return selection
            size = min(finite, size * self.scoring.pool_growth)

    def _select_ids(self, ranked: list[str], k: int, constraints: Constraints, explain_for: str | None) -> Selection:
        size = self.scoring.pool(k, constraints.active)
        while True:
            selection = self._read_selection(ranked[:size], k, constraints, explain_for)
            if len(selection[0]) >= k or size >= len(ranked) or self._nothing_passes(selection, constraints):
                return selection
            size *= self.scoring.pool_growth

    def _nothing_passes(self, selection: Selection, constraints: Constraints) -> bool:
        """Whether a pool that kept nothing was empty because no item at all passes the constraints: then the
        answer is an empty list at once, not the whole catalog read in growing pools."""
        return not selection[0] and constraints.active and not any_item_matches(self.store, constraints)

    def _read_selection(
        self, ranked: list[str], k: int, constraints: Constraints, explain_for: str | None
    ) -> Selection:
        """The first `k` of `ranked` that pass the filter, with explanation paths from `explain_for` (one read)."""
        if explain_for is None:
            return select_items(self.store, ranked, k, constraints), {}
        return select_explained_items(self.store, explain_for, ranked, k, constraints)
