"""The learned title linker: a logistic regression over what a candidate title mention looks like and where it
stands (nlu.grounding's features), trained by `chatrec train-nlu` on dialogues whose movie mentions are written
the ways people type them (nlu.renderings). Beside its weights it keeps how often each name is used as plain words
in the chat it learned from (outside the titles: "bright", "it" often; "inception", "fargo" never), the feature that
tells a lower-case title from an everyday word best. Weights and counts are a small JSON file: the package ships one
trained on the ReDial dialogues, and a model directory may carry its own (`linker.json`), which then wins."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize, sparse

LINKER_FILE = "linker.json"
MIN_FEATURE_COUNT = 50  # a context word becomes a feature once it stands beside this many training candidates
L2 = 10.0  # ridge penalty on the weights (not the bias), in units of one training example
FORMAT = 2  # 2: the linker decides every title match the rules do not rule out, and carries `usage`
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlainUsage:
    """How many times each word and each name key stood as plain words (not as a title) in `words` words of chat
    (a name of several words that is not counted never stood there); while training, one dialogue's own counts are
    `left_out`, so that no example reads the words it is made of."""

    counts: Mapping[str, int] = field(default_factory=dict)
    words: int = 0
    left_out: Mapping[str, int] = field(default_factory=dict)
    left_out_words: int = 0

    def per_100k_words(self, name_key: str) -> float | None:
        """Plain uses of `name_key` per 100,000 words; None when there is no chat to go by."""
        words = self.words - self.left_out_words
        if words <= 0:
            return None
        return (self.counts.get(name_key, 0) - self.left_out.get(name_key, 0)) * 100_000 / words

    def without(self, counts: Mapping[str, int], words: int) -> PlainUsage:
        """These counts with one dialogue's own (`counts` in `words` words) left out."""
        return PlainUsage(self.counts, self.words, counts, words)


@dataclass(frozen=True)
class Linker:
    """Weights by feature name; `usage`: the plain-word counts of the chat it learned from, which its features
    read; `about` says what it was trained on and how it scored."""

    weights: Mapping[str, float]
    bias: float
    about: Mapping[str, Any] = field(default_factory=dict)
    usage: PlainUsage = field(default_factory=PlainUsage)

    def probability(self, features: Mapping[str, float]) -> float:
        """How likely the candidate is a mention of one of its titles (features it never saw weigh nothing)."""
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def save(self, path: Path) -> None:
        """Write the weights as JSON (sorted, so that a retrain shows as a readable diff)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "format": FORMAT,
            "bias": self.bias,
            "about": dict(self.about),
            "weights": dict(sorted(self.weights.items())),
            "usage": {"words": self.usage.words, "counts": dict(sorted(self.usage.counts.items()))},
        }
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Linker:
        """Read a linker written by `save`; ValueError for one of an older format."""
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("format") != FORMAT:
            raise ValueError(f"{path} is a linker of an older format: retrain it with `chatrec train-nlu`.")
        weights = {k: float(v) for k, v in body["weights"].items()}
        usage = PlainUsage({k: int(v) for k, v in body["usage"]["counts"].items()}, int(body["usage"]["words"]))
        return cls(weights, float(body["bias"]), body.get("about", {}), usage)


def fit(
    examples: Sequence[tuple[Mapping[str, float], int]],
    about: Mapping[str, Any] | None = None,
    usage: PlainUsage | None = None,
) -> Linker:
    """A logistic regression on (features, 0/1) pairs; context words seen fewer than `MIN_FEATURE_COUNT` times are
    left out. `usage` (the plain-word counts the features were read with) is kept with it."""
    if not examples or len({label for _, label in examples}) < 2:
        raise ValueError("Training the linker needs examples of both mentions and non-mentions.")
    counts = Counter(name for features, _ in examples for name in features)
    names = sorted(n for n, c in counts.items() if c >= MIN_FEATURE_COUNT or ":" not in n)
    column = {n: j for j, n in enumerate(names)}
    rows, cols, values = [], [], []
    for i, (features, _) in enumerate(examples):
        for name, value in features.items():
            if name in column and value:
                rows.append(i)
                cols.append(column[name])
                values.append(value)
    x = sparse.csr_matrix((values, (rows, cols)), shape=(len(examples), len(names)))
    y = np.array([label for _, label in examples], dtype=float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        nll = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * L2 * w @ w
        residual = p - y
        return float(nll), np.concatenate([x.T @ residual + L2 * w, [residual.sum()]])

    solution = optimize.minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B")
    weights = {n: round(float(w), 5) for n, w in zip(names, solution.x[:-1], strict=True) if abs(w) >= 1e-4}
    bias = round(float(solution.x[-1]), 5)
    return Linker(weights, bias, dict(about or {}) | {"examples": len(examples)}, usage or PlainUsage())


def load_linker(model_dir: Path | None = None) -> Linker | None:
    """The linker a model directory carries, else the packaged one; None when neither exists. A model directory's
    linker of an older format is passed over, with a warning."""
    if model_dir is not None and (own := model_dir / LINKER_FILE).is_file():
        try:
            return Linker.load(own)
        except ValueError as exc:
            _log.warning("%s Using the packaged linker meanwhile.", exc)
    packaged = Path(__file__).with_name(LINKER_FILE)
    return Linker.load(packaged) if packaged.is_file() else None


PACKAGED_LINKER = load_linker()
