"""The models of the MovieLens top-K benchmark (ours, its ablation, PyG's LightGCN, BPR-MF, popularity) and how
each is tuned on a validation part of train and tested: arrays in, metrics out. The protocol and its report live in
bench/eval_movielens.py."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch_geometric.nn.models import LightGCN

from core.progress import Progress, no_progress
from gnn.data import KGData
from gnn.train import Pairs, TrainConfig, adjacency, build_model, evaluate_embeddings, fit, split_per_user

OURS, OURS_NO_ATTRIBUTES, LIGHTGCN, BPR_MF = (
    "KG-LightGCN (ours)",
    "KG-LightGCN (ours, no attribute edges)",
    "LightGCN (PyG, 3 layers)",
    "BPR-MF",
)


class PygLightGCN(LightGCN):
    """PyG's LightGCN over a fixed, pre-normalised sparse adjacency (PyG's sparse-matrix path: LGConv with
    normalize=False multiplies by the matrix), callable like KGLightGCN (returns every final embedding)."""

    def __init__(self, num_nodes: int, dim: int, num_layers: int, adjacency: Tensor) -> None:
        super().__init__(num_nodes, dim, num_layers, normalize=False)
        self.register_buffer("adjacency", adjacency, persistent=False)

    def forward(self, adjacency: Tensor | None = None) -> Tensor:
        """Final embeddings of every node."""
        return self.get_embedding(self.adjacency if adjacency is None else adjacency)


@dataclass(frozen=True)
class Split:
    """One variant's split: `seen` = train part (never ranked), `train` = its positives, `fit`/`val` = train
    positives minus / only the validation part, `test` = the relevant held-out pairs."""

    seen: Pairs
    train: Pairs
    fit: Pairs
    val: Pairs
    test: Pairs


def make_split(data: KGData, min_rating: float, seed: int, val_fraction: float) -> Split:
    """Per-user random 80/20 split (seed), positives = ratings >= min_rating, validation carved from train."""
    test = split_per_user(data.rating_user, 0.2, np.random.default_rng(seed))
    users, items, ratings = data.rating_user, data.rating_item, data.rating
    seen: Pairs = (users[~test], items[~test])
    positive = ratings[~test] >= min_rating
    train: Pairs = (seen[0][positive], seen[1][positive])
    relevant = test & (ratings >= min_rating)
    held = split_per_user(train[0], val_fraction, np.random.default_rng(seed + 1))
    return Split(
        seen=seen,
        train=train,
        fit=(train[0][~held], train[1][~held]),
        val=(train[0][held], train[1][held]),
        test=(users[relevant], items[relevant]),
    )


def model_config(name: str, base: TrainConfig) -> TrainConfig:
    """The fixed part of each model's configuration."""
    if name == BPR_MF:
        return replace(base, num_layers=0, use_attributes=False)
    if name in (LIGHTGCN, OURS_NO_ATTRIBUTES):
        return replace(base, num_layers=3, use_attributes=False)
    return replace(base, num_layers=3, use_attributes=True)


def build(name: str, data: KGData, pairs: Pairs, config: TrainConfig) -> nn.Module:
    """A fresh, seeded model of the given kind over the given interactions."""
    if name == LIGHTGCN:
        torch.manual_seed(config.seed)
        return PygLightGCN(data.index.num_nodes, config.dim, config.num_layers, adjacency(data, pairs, config))
    return build_model(data, pairs, config)


def tune_and_test(
    name: str,
    data: KGData,
    split: Split,
    configs: list[TrainConfig],
    candidates: np.ndarray,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Train one model per config with early stopping on validation NDCG, keep the best on validation, and
    evaluate it on the test part with embeddings propagated over the whole train part."""
    best: tuple[float, TrainConfig, nn.Module, Any] | None = None
    trials = []
    for config in configs:
        model = build(name, data, split.fit, config)
        result = fit(
            model, data, split.fit, split.val, config, candidates, progress, f"{name} lr={config.lr} l2={config.l2}"
        )
        trials.append(
            {
                "lr": config.lr,
                "l2": config.l2,
                "attribute_weight": config.attribute_weight,
                "genre_weight": config.genre_weight,
                "val_ndcg": result.best_val_ndcg,
                "best_epoch": result.best_epoch,
                "train_seconds": result.train_seconds,
            }
        )
        if best is None or result.best_val_ndcg > best[0]:
            best = (result.best_val_ndcg, config, model, result)
    assert best is not None
    _, config, model, result = best
    model.eval()
    with torch.no_grad():
        embeddings = model(adjacency(data, split.train, config).to(model.embedding.weight.device))
    return {
        "metrics": evaluate_embeddings(embeddings, data, split.seen, split.test, candidates),
        "config": asdict(config),
        "val_ndcg": result.best_val_ndcg,
        "train_seconds": result.train_seconds,
        "epoch_seconds": result.epoch_seconds,
        "epochs": len(result.history),
        "best_epoch": result.best_epoch,
        "trials": trials,
        "history": result.history,
    }


def popularity_metrics(data: KGData, split: Split, candidates: np.ndarray) -> dict[str, float]:
    """Rank by the number of train positives: every user's vector is 1, every item's is its count."""
    counts = np.bincount(split.train[1], minlength=data.num_items).astype(np.float32)
    offset = data.index.offset("Item")
    vectors = torch.zeros(data.index.num_nodes, 1)
    vectors[: data.num_users] = 1.0
    vectors[offset : offset + data.num_items, 0] = torch.from_numpy(counts)
    return evaluate_embeddings(vectors, data, split.seen, split.test, candidates)


def device_name(device: str) -> str:
    """The torch device a run on `device` uses (auto: CUDA when available)."""
    return str(torch.device("cuda" if device == "auto" and torch.cuda.is_available() else device))


def torch_threads() -> int:
    """torch's CPU thread count."""
    return torch.get_num_threads()
