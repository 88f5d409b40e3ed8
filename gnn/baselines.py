"""The models of the MovieLens top-K benchmark (ours, its ablation, PyG's LightGCN, BPR-MF, EASE, popularity) and how
each is tuned on a validation part of train and tested: arrays in, metrics out. The protocol and its report live in
bench/eval_movielens.py."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor, nn
from torch_geometric.nn.models import LightGCN

from core.progress import Progress, no_progress
from gnn.data import KGData
from gnn.ease import ItemToItem, ease_weights
from gnn.metrics import evaluate
from gnn.train import Pairs, TrainConfig, adjacency, build_model, evaluate_embeddings, fit, split_per_user

OURS, OURS_NO_ATTRIBUTES, LIGHTGCN, BPR_MF, EASE = (
    "KG-LightGCN (ours)",
    "KG-LightGCN (ours, no attribute edges)",
    "LightGCN (PyG, 3 layers)",
    "BPR-MF",
    "EASE (Steck 2019)",
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
    positives minus / only the validation part, `test` = the relevant held-out pairs; `liked` / `fit_liked` = the
    pairs of `train` / `fit` rated 4 or more (what the service's item model learns from and reads)."""

    seen: Pairs
    train: Pairs
    fit: Pairs
    val: Pairs
    test: Pairs
    liked: Pairs
    fit_liked: Pairs


def make_split(data: KGData, min_rating: float, seed: int, val_fraction: float, liked_rating: float = 4.0) -> Split:
    """Per-user random 80/20 split (seed), positives = ratings >= min_rating, validation carved from train."""
    test = split_per_user(data.rating_user, 0.2, np.random.default_rng(seed))
    users, items, ratings = data.rating_user, data.rating_item, data.rating
    seen: Pairs = (users[~test], items[~test])
    positive = ratings[~test] >= min_rating
    train: Pairs = (seen[0][positive], seen[1][positive])
    relevant = test & (ratings >= min_rating)
    held = split_per_user(train[0], val_fraction, np.random.default_rng(seed + 1))
    liked = ratings[~test][positive] >= liked_rating
    return Split(
        seen=seen,
        train=train,
        fit=(train[0][~held], train[1][~held]),
        val=(train[0][held], train[1][held]),
        test=(users[relevant], items[relevant]),
        liked=(train[0][liked], train[1][liked]),
        fit_liked=(train[0][liked & ~held], train[1][liked & ~held]),
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
        val_embeddings = model()
    return {
        "embeddings": {"val": val_embeddings.float().cpu(), "test": embeddings.float().cpu()},
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


def _positions(chosen: np.ndarray, size: int) -> np.ndarray:
    """Each of `size` indexes' position among `chosen` (-1 for the others)."""
    positions = np.full(size, -1, dtype=np.int64)
    positions[chosen] = np.arange(len(chosen))
    return positions


def _candidate_metrics(
    user_vectors: Tensor,
    item_vectors: Tensor,
    row_of: np.ndarray,
    column: np.ndarray,
    seen: Pairs,
    relevant: Pairs,
    ks: tuple[int, ...],
) -> dict[str, float]:
    """Top-K metrics of vectors with one row per relevant user (`row_of` numbers them) and one item vector per
    candidate (`column` numbers them), the `seen` pairs never ranked."""
    keep = (row_of[seen[0]] >= 0) & (column[seen[1]] >= 0)
    return evaluate(
        user_vectors,
        item_vectors,
        (row_of[relevant[0]], column[relevant[1]]),
        (row_of[seen[0][keep]], column[seen[1][keep]]),
        None,
        ks,
    )


def ease_tune_and_test(
    data: KGData, split: Split, candidates: np.ndarray, l2_grid: tuple[float, ...], val_k: int = 10
) -> dict[str, Any]:
    """EASE over the candidate items: λ chosen by validation NDCG@`val_k` (fit on the fit part, validation pairs
    held out), then B learned from the whole train part scores the test part."""
    column = _positions(candidates, data.num_items)

    def run(train: Pairs, seen: Pairs, relevant: Pairs, l2: float, ks: tuple[int, ...]) -> dict[str, float]:
        keep = column[train[1]] >= 0
        users, items = train[0][keep], column[train[1][keep]]
        weights = torch.from_numpy(ease_weights(users, items, len(candidates), l2))
        rows = np.unique(relevant[0])
        row_of = _positions(rows, data.num_users)
        history = torch.zeros(len(rows), len(candidates))
        mine = row_of[users] >= 0
        history[row_of[users[mine]], items[mine]] = 1.0
        return _candidate_metrics(history, weights.T.contiguous(), row_of, column, seen, relevant, ks)

    trials = []
    for l2 in l2_grid:
        started = time.perf_counter()
        val = run(split.fit, split.fit, split.val, l2, (val_k,))[f"ndcg@{val_k}"]
        trials.append({"l2": l2, "val_ndcg": val, "train_seconds": time.perf_counter() - started})
    best = max(trials, key=lambda t: t["val_ndcg"])
    started = time.perf_counter()
    metrics = run(split.train, split.seen, split.test, best["l2"], (5, 10, 20))
    return {
        "metrics": metrics,
        "config": {"l2": best["l2"]},
        "val_ndcg": best["val_ndcg"],
        "train_seconds": time.perf_counter() - started,
        "trials": trials,
    }


def blended_scores(
    embeddings: Tensor, data: KGData, users: np.ndarray, history: Pairs, item_model: ItemToItem, weight: float
) -> Tensor:
    """What the service ranks a known user's items by (`gnn.scoring.Scorer.score`): the embedding score scaled to
    [-1, 1] plus `weight` times the item model's evidence from the items in the user's `history`, scaled to [0, 1].
    One row per user of `users`, one column per item."""
    offset = data.index.offset("Item")
    scores = embeddings[torch.as_tensor(users)] @ embeddings[offset : offset + data.num_items].T
    scores = scores / scores.abs().amax(dim=1, keepdim=True).clamp_min(1e-9)
    if weight == 0:
        return scores
    row_of = _positions(users, data.num_users)
    mine = row_of[history[0]] >= 0
    rated = sp.csr_matrix(
        (np.ones(int(mine.sum()), np.float32), (row_of[history[0][mine]], history[1][mine])),
        shape=(len(users), data.num_items),
    )
    evidence = torch.from_numpy(np.asarray((rated @ item_model.matrix).todense(), dtype=np.float32)).clamp_min(0)
    evidence = evidence / evidence.amax(dim=1, keepdim=True).clamp_min(1e-9)
    return scores + weight * evidence


def blend_tune_and_test(
    data: KGData,
    split: Split,
    candidates: np.ndarray,
    embeddings: dict[str, Tensor],
    weights: tuple[float, ...],
    item_model_config: dict[str, float],
    val_k: int = 10,
) -> dict[str, Any]:
    """Ours as served: our embeddings (`tune_and_test`'s, validation and test) blended with the service's EASE item
    model (`gnn.ease.ItemToItem`, learned from and read on the ratings of 4+ of the fit part for validation, of the
    train part for test, as the service does); the blend weight is chosen on validation NDCG@`val_k`."""
    ids = data.index.ids["Item"]
    column = _positions(candidates, data.num_items)

    def run(part: str, liked: Pairs, seen: Pairs, relevant: Pairs, weight: float, ks: tuple[int, ...]):
        item_model = ItemToItem.fit(ids, liked[0], liked[1], **item_model_config)
        users = np.unique(relevant[0])
        scores = blended_scores(embeddings[part], data, users, liked, item_model, weight)[:, candidates]
        # The scores as user vectors against the identity: one column per candidate.
        row_of = _positions(users, data.num_users)
        return _candidate_metrics(scores.contiguous(), torch.eye(len(candidates)), row_of, column, seen, relevant, ks)

    trials = [
        {"weight": w, "val_ndcg": run("val", split.fit_liked, split.fit, split.val, w, (val_k,))[f"ndcg@{val_k}"]}
        for w in weights
    ]
    best = max(trials, key=lambda t: t["val_ndcg"])
    metrics = run("test", split.liked, split.seen, split.test, best["weight"], (5, 10, 20))
    return {
        "metrics": metrics,
        "config": {"weight": best["weight"], **item_model_config},
        "val_ndcg": best["val_ndcg"],
        "trials": trials,
    }


def device_name(device: str) -> str:
    """The torch device a run on `device` uses (auto: CUDA when available)."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(torch.device(device))


def torch_threads() -> int:
    """torch's CPU thread count."""
    return torch.get_num_threads()
