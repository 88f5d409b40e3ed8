"""Every knob of scoring a list, as one frozen, validated `ScoringConfig` that the model directory carries
(`scoring.json`, written with the checkpoint; the defaults below when it is absent)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.types import FeedbackSignal
from gnn.neighbours import SIGNALS

CONVERSATION_SIGNALS = ("embedding", "prior", "co_rated", *SIGNALS, "request")
# The tuned defaults (`bench/eval_redial.py --tune` writes them; shipped with the package, like the NLU's linker).
DEFAULTS_FILE = Path(__file__).with_name("scoring_defaults.json")
_DEFAULTS = json.loads(DEFAULTS_FILE.read_text())
DEFAULT_DIALOGUE_WEIGHTS: dict[str, float] = _DEFAULTS["dialogue_weights"]


class ScoringConfig(BaseModel):
    """How a list is scored. The conversation (cold-start) score is a weighted sum of signals, each scaled so that
    the best item has 1: the fold-in score ("embedding", scaled to [-1, 1]), the conversational popularity prior
    ("prior", log(1 + users who liked the item in a dialogue)), the EASE item model's evidence from the liked items
    ("co_rated": people who rated them highly also rated it, `gnn.ease.ItemToItem`), `gnn.neighbours` evidence from
    the liked items, genres, people and tags: items liked together in past conversations ("co_liked") and shared
    genres / directors / actors / writers / MovieLens tags; and the latest request ("request": the share of the
    genres, people and tags named by the latest turn that told a like that the item has, or the item itself when that
    turn asked about it unseen, `gnn.scoring.latest_request`; it counts for users the model knows too). The default
    weights come from a grid search on an inner split of the ReDial training fold (`bench/eval_redial.py --tune`,
    bench/results/redial_tuning.json), never on the evaluated fold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Fold-in: a dialogue 'like' pulls with its weight (at least `weight_floor`), a 'dislike' pushes; feedback too.
    accept_weight: float = Field(1.0, ge=0)
    reject_weight: float = Field(-0.5, le=0)
    weight_floor: float = Field(0.05, gt=0, le=1)
    # Share of the folded-in preferences next to a known user's own embedding: total / (total + prior).
    preference_prior: float = Field(2.0, gt=0)
    dialogue_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_DIALOGUE_WEIGHTS))
    # A like or dislike told n turns (that told any) before the latest weighs recency_decay ** n, in the fold-in and
    # in every conversation signal (tuned with the weights; 1: all turns alike).
    recency_decay: float = Field(_DEFAULTS.get("recency_decay", 1.0), gt=0, le=1)
    # A user the model knows (ratings): the embedding score (scaled to [-1, 1]) plus this weight times the item
    # model's evidence from the items they rated (chosen on validation by bench/eval_movielens.py).
    known_co_rated: float = Field(_DEFAULTS["known_co_rated"], ge=0)
    # Candidates read from the graph for a list of k: max(per_k * k, min); with hard constraints the filtered
    # sizes; widened `pool_growth` times while too few pass. The LLM rerank reorders at least `rerank_pool`.
    pool_min: int = Field(50, ge=1)
    pool_per_k: int = Field(4, ge=1)
    filtered_pool_min: int = Field(500, ge=1)
    filtered_pool_per_k: int = Field(20, ge=1)
    pool_growth: int = Field(8, ge=2)
    rerank_pool: int = Field(20, ge=2)

    @field_validator("dialogue_weights")
    @classmethod
    def _every_signal_weighted(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = set(weights) - set(CONVERSATION_SIGNALS)
        if unknown:
            raise ValueError(f"dialogue_weights has unknown signals {sorted(unknown)}: {list(CONVERSATION_SIGNALS)}")
        # A signal added after the file was written takes its default weight.
        weights = {name: weights.get(name, DEFAULT_DIALOGUE_WEIGHTS[name]) for name in CONVERSATION_SIGNALS}
        if any(w < 0 for w in weights.values()):
            raise ValueError("dialogue_weights must not be negative")
        return weights

    def feedback_weight(self, signal: FeedbackSignal) -> float:
        """How an accepted or rejected item counts in the fold-in."""
        return self.accept_weight if signal is FeedbackSignal.ACCEPT else self.reject_weight

    def pool(self, k: int, constrained: bool) -> int:
        """How many candidates to read first for a list of `k`."""
        if constrained:
            return max(self.filtered_pool_per_k * k, self.filtered_pool_min)
        return max(self.pool_per_k * k, self.pool_min)
