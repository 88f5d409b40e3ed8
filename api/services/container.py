"""Everything the API and the terminal chat share, built once per process from the Settings."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from api.deps import open_store
from api.services.conversation import Conversation
from api.services.recommender import Recommender, Reranker
from api.services.training import TrainingJobs
from core.config import Settings
from core.errors import UnavailableError
from core.types import Polarity, UserContext
from gnn.errors import GNNError
from gnn.model_store import TrainedModel, load
from graph.db import GraphStore
from graph.dialogue import user_preferences
from graph.recommend import ItemSummary, favourite_items
from graph.stats import warm_page_cache
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
from nlu.linker import load_linker
from nlu.llm import LLMConfig, LLMConfigError, create_llm, create_parser
from nlu.llm.rerank import rerank
from nlu.types import Parser

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The process's graph store, recommender (with the read-only model), conversations and training jobs."""

    settings: Settings
    store: GraphStore
    recommender: Recommender
    conversation: Conversation
    jobs: TrainingJobs
    warmed: bool = False  # the request queries are planned and the in-memory indexes built
    _warming: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.store.on_recovery(self._forget_warm_up)

    def warm_up(self, every_filter: bool = True) -> None:
        """Build what the first requests would otherwise build (the parser's name index and sentence encoder, the
        recommender's popularity and conversation signals), have Neo4j read the graph into its page cache and plan
        the request queries, so that no request pays for it. While Neo4j is unreachable it is left for later
        (`warm_up_in_background`, which the readiness probe starts once Neo4j answers): the process starts either
        way."""
        with self._warming:
            if self.warmed:
                return
            try:
                self.store.verify(self.settings.neo4j_probe_timeout_s)  # fail fast, not after the long deadline
                with self.store.long_calls():
                    warm_page_cache(self.store, self.settings.neo4j_warm_max_relationships)
                self.conversation.warm_up()
                self.recommender.warm_up(every_filter)
            except UnavailableError as exc:
                log.warning("Warm-up left for later, Neo4j is unavailable: %s", exc)
                return
            self.warmed = True

    def refuse_while_warming(self) -> None:
        """Raise UnavailableError (503) while a warm-up runs in the background: a Neo4j that just came back plans
        its first queries slowly (seconds each on a fresh server); requests that raced the warm-up would time out
        one by one and plan the same queries again beside it, so they are turned away until it is done."""
        if self._warming.locked():
            raise UnavailableError("Neo4j just came back: the service is warming up (planning its queries); retry.")

    def warm_up_in_background(self) -> bool:
        """Start the warm-up on a thread unless it is done or running; returns whether it is done."""
        if self.warmed:
            return True
        if not self._warming.locked():
            # Late (Neo4j was down at start) or after an outage: quick, to serve again soon (Recommender.plan_queries).
            threading.Thread(target=self.warm_up, args=(False,), name="warm-up", daemon=True).start()
        return False

    def _forget_warm_up(self) -> None:
        """Neo4j answers again after an outage, perhaps restarted with an empty query cache: warm up again, in the
        background (`/health/ready` says 503 until that is done)."""
        self.warmed = False
        self.warm_up_in_background()

    def close(self) -> None:
        """Release the driver and the job worker."""
        self.jobs.shutdown()
        self.store.close()


def load_model(settings: Settings) -> tuple[TrainedModel | None, str | None]:
    """The trained model from `settings.model_dir`, or None and the reason it could not be loaded."""
    try:
        return load(settings.model_dir), None
    except GNNError as exc:
        log.warning("No model loaded: %s", exc)
        return None, str(exc)


def llm_config(settings: Settings) -> LLMConfig:
    """The LLM backend described by the Settings."""
    return LLMConfig(
        backend=settings.llm_backend,
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        structured_output=settings.llm_structured_output,
        max_tokens=settings.llm_max_tokens,
        system_role=settings.llm_system_role,
    )


def build_parser(settings: Settings, store: GraphStore) -> Parser:
    """The configured NLU parser: the embedded one, or an LLM-backed one that falls back to it."""
    grounder = Grounder(store, linker=load_linker(settings.model_dir))
    return create_parser(llm_config(settings), EmbeddedParser(grounder), grounder)


def build_reranker(settings: Settings, store: GraphStore) -> Reranker | None:
    """The LLM rerank of the top candidates when `llm_rerank` is on (it needs an LLM backend), else None."""
    if not settings.llm_rerank:
        return None
    if settings.llm_backend == "embedded":
        raise LLMConfigError("CHATREC_LLM_RERANK needs an LLM backend: set CHATREC_LLM_BACKEND=openai.")
    llm = create_llm(llm_config(settings))

    def reorder(context: UserContext, items: list[ItemSummary]) -> list[str]:
        preferences = user_preferences(store, context.user_id)
        likes = [p.name for p in preferences if p.polarity is Polarity.LIKE]
        likes += favourite_items(store, context.user_id)
        dislikes = [p.name for p in preferences if p.polarity is Polarity.DISLIKE]
        return rerank(llm, likes, dislikes, [(item.id, item.name) for item in items])

    return reorder


def build_services(settings: Settings) -> Services:
    """Open the driver and load the model once (the model directory is a read-only artifact); the parser (it
    reads the graph's names) is built by `Services.warm_up` or on the first message. A finished training job's
    model goes straight to the recommender."""
    store = open_store(settings, serving=True)
    model, error = load_model(settings)
    recommender = Recommender(
        store, model, build_reranker(settings, store), model_error=error, index_min_items=settings.index_top_k_min_items
    )
    conversation = Conversation(store, recommender, lambda: build_parser(settings, store))
    jobs = TrainingJobs(store, settings.model_dir, on_model=recommender.set_model)
    return Services(settings, store, recommender, conversation, jobs)


async def get_services(request: Request) -> Services:
    """The application's shared services (built in the lifespan)."""
    return request.app.state.services


async def get_warm_services(request: Request) -> Services:
    """The shared services, once warm: 503 while a background warm-up runs (`Services.refuse_while_warming`)."""
    services: Services = request.app.state.services
    services.refuse_while_warming()
    return services


ServicesDep = Annotated[Services, Depends(get_warm_services)]  # every route that reads or writes the graph
ProbeServicesDep = Annotated[Services, Depends(get_services)]  # the probes
