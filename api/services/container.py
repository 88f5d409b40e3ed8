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
from core.errors import ChatRecError
from core.types import Polarity, UserContext
from gnn.errors import GNNError
from gnn.model_store import TrainedModel, load
from graph.db import GraphStore
from graph.dialogue import user_preferences
from graph.errors import GraphUnavailableError
from graph.recommend import ItemSummary, favourite_items
from nlu.embedded import EmbeddedParser
from nlu.grounding import Grounder
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
    warming: threading.Event = field(default_factory=threading.Event)  # set while queries are being planned again

    def __post_init__(self) -> None:
        self.store.on_recovery(self._plan_again)

    def _plan_again(self) -> None:
        """Neo4j answers again after an outage, perhaps restarted with an empty query cache: plan the request
        queries in the background; `/health/ready` says 503 until that is done."""
        if self.warming.is_set():
            return
        self.warming.set()

        def plan() -> None:
            try:
                self.conversation.plan_queries()
                self.recommender.plan_queries()
            except ChatRecError as exc:
                log.warning("Planning the request queries again failed: %s", exc)
            finally:
                self.warming.clear()

        threading.Thread(target=plan, name="plan-again", daemon=True).start()

    def warm_up(self) -> None:
        """Build what the first requests would otherwise build (the parser's name index and sentence encoder, the
        recommender's popularity and conversation signals), so that no request pays for it; skipped while Neo4j is
        unreachable (built on first use then)."""
        try:
            self.store.verify()
        except GraphUnavailableError as exc:
            log.warning("Not warming up, Neo4j is unreachable: %s", exc)
            return
        self.conversation.warm_up()
        self.recommender.warm_up()

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
    )


def build_parser(settings: Settings, store: GraphStore) -> Parser:
    """The configured NLU parser: the embedded one, or an LLM-backed one that falls back to it."""
    grounder = Grounder(store)
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
    recommender = Recommender(store, model, build_reranker(settings, store), model_error=error)
    conversation = Conversation(store, recommender, lambda: build_parser(settings, store))
    jobs = TrainingJobs(store, settings.model_dir, on_model=recommender.set_model)
    return Services(settings, store, recommender, conversation, jobs)


async def get_services(request: Request) -> Services:
    """The application's shared services (built in the lifespan)."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
