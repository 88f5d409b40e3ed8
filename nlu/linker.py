"""The learned title linker: a logistic regression over what a candidate title mention looks like and where it
stands (nlu.grounding's features), trained by `chatrec train-nlu` on dialogues whose movie mentions are written
the ways people type them (nlu.renderings). Its weights are a small JSON file: the package ships one trained on the
ReDial dialogues, and a model directory may carry its own (`linker.json`), which then wins."""

from __future__ import annotations

import json
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


@dataclass(frozen=True)
class Linker:
    """Weights by feature name; `about` says what it was trained on and how it scored."""

    weights: Mapping[str, float]
    bias: float
    about: Mapping[str, Any] = field(default_factory=dict)

    def probability(self, features: Mapping[str, float]) -> float:
        """How likely the candidate is a mention of one of its titles (features it never saw weigh nothing)."""
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def save(self, path: Path) -> None:
        """Write the weights as JSON (sorted, so that a retrain shows as a readable diff)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"bias": self.bias, "about": dict(self.about), "weights": dict(sorted(self.weights.items()))}
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Linker:
        """Read weights written by `save`."""
        body = json.loads(path.read_text(encoding="utf-8"))
        return cls({k: float(v) for k, v in body["weights"].items()}, float(body["bias"]), body.get("about", {}))


def fit(examples: Sequence[tuple[Mapping[str, float], int]], about: Mapping[str, Any] | None = None) -> Linker:
    """A logistic regression on (features, 0/1) pairs; context words seen fewer than `MIN_FEATURE_COUNT` times are
    left out."""
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
    return Linker(weights, round(float(solution.x[-1]), 5), dict(about or {}) | {"examples": len(examples)})


def load_linker(model_dir: Path | None = None) -> Linker | None:
    """The linker a model directory carries, else the packaged one; None when neither exists."""
    for path in (model_dir / LINKER_FILE if model_dir else None, Path(__file__).with_name(LINKER_FILE)):
        if path is not None and path.is_file():
            return Linker.load(path)
    return None


PACKAGED_LINKER = load_linker()
