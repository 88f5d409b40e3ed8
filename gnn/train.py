"""Training: BPR loss with sampled negatives, early stopping on validation NDCG, checkpoint and plot.

Seeded and deterministic on CPU; runs on CUDA when available (or where `TrainConfig.device` says), with bfloat16
autocast there.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.arrays import GraphArrays
from core.progress import Progress, no_progress
from gnn.data import ATTRIBUTE_RELATIONS, KGData, build_kg_data, unified_edges
from gnn.ease import ItemToItem
from gnn.errors import GNNError
from gnn.metrics import evaluate
from gnn.model import KGLightGCN, normalized_adjacency, propagate
from gnn.model_store import save
from gnn.sampling import NeighbourSampler, full_graph_megabytes
from gnn.scoring_config import ScoringConfig

Pairs = tuple[np.ndarray, np.ndarray]


@dataclass
class TrainConfig:
    """Every hyper-parameter of a training run; saved as the checkpoint's config.json.

    `attribute_weight` / `genre_weight`: relation weights of the person (DIRECTED, ACTED_IN, WROTE) and IN_GENRE
    edges relative to RATED (1.0); `num_negatives`: candidate negatives per positive, of which the currently
    highest-scored one is used (dynamic negative sampling; 1 = uniform sampling); `max_batches_per_epoch`: each batch
    propagates over the whole graph, so on a larger graph the batches grow instead of their number (an epoch then
    costs time linear in the edges, not quadratic; 0 = always `batch_size`); `sampling`: `auto` trains on sampled
    computation graphs (`fanout` neighbours per node and hop, batches of `sampled_batch_size`, gnn.sampling) when
    full-graph training would take more than `memory_budget_mb`, `always` / `never` force it; `max_seconds`:
    optional cap.
    """

    dim: int = 64
    num_layers: int = 3
    use_attributes: bool = True
    attribute_weight: float = 0.5
    genre_weight: float = 0.5
    min_rating: float = 0.0
    lr: float = 1e-2
    l2: float = 1e-4
    batch_size: int = 8192
    max_batches_per_epoch: int = 24
    sampling: str = "auto"
    fanout: int = 10
    sampled_batch_size: int = 2048
    memory_budget_mb: float = 6_000.0
    num_negatives: int = 8
    max_epochs: int = 200
    patience: int = 10
    eval_every: int = 2
    val_fraction: float = 0.1
    val_k: int = 10
    seed: int = 0
    device: str = "auto"
    amp: bool = True
    max_seconds: float | None = None
    item_to_item_l2: float = 300.0
    item_to_item_min_rating: float = 4.0
    item_to_item_items: int = 5_000

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Build from a dict, ignoring unknown keys."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass
class FitResult:
    """What `fit` learned: per-epoch history, the best epoch and its validation NDCG, and the time spent."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_val_ndcg: float = 0.0
    train_seconds: float = 0.0
    sampled: bool = False

    @property
    def epoch_seconds(self) -> float:
        """Mean training seconds per epoch (evaluation excluded)."""
        return float(np.mean([h["seconds"] for h in self.history])) if self.history else 0.0


def resolve_device(name: str = "auto") -> torch.device:
    """`auto` = CUDA when available, else CPU; `cpu`, `cuda` or `cuda:N` force one. Raises GNNError for an
    unknown name or CUDA without a GPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise GNNError(f"Unknown device {name!r}: use auto, cpu or cuda.") from None
    if device.type not in ("cpu", "cuda"):
        raise GNNError(f"Unsupported device {name!r}: use auto, cpu or cuda.")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise GNNError(f"Device {name!r} was requested but torch sees no CUDA GPU here: use --device cpu or auto.")
    return device


def use_threads(threads: int | None) -> None:
    """Set torch's CPU thread count (None keeps the default). On a busy machine 1 thread avoids OpenMP
    oversubscription, which can make every kernel many times slower."""
    if threads is not None:
        torch.set_num_threads(threads)


def split_per_user(users: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of a per-user random holdout: round(fraction * n) of each user's n rows, keeping at least one
    row per user on the other side."""
    order = np.lexsort((rng.random(len(users)), users))
    counts = np.bincount(users)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(users), dtype=np.int64)
    rank[order] = np.arange(len(users)) - starts[users[order]]
    held = np.minimum(np.rint(counts * fraction).astype(np.int64), np.maximum(counts - 1, 0))
    return rank < held[users]


def evaluate_embeddings(
    embeddings: Tensor,
    data: KGData,
    seen: Pairs,
    relevant: Pairs,
    candidates: np.ndarray | None = None,
    ks: tuple[int, ...] = (5, 10, 20),
) -> dict[str, float]:
    """Top-K metrics of final embeddings for the users that have relevant items, never ranking `seen` items."""
    users = np.unique(relevant[0])
    row_of = np.full(data.num_users, -1, dtype=np.int64)
    row_of[users] = np.arange(len(users))
    keep = row_of[seen[0]] >= 0
    offset = data.index.offset("Item")
    return evaluate(
        embeddings[torch.as_tensor(users, device=embeddings.device)],
        embeddings[offset : offset + data.num_items],
        (row_of[relevant[0]], relevant[1]),
        (row_of[seen[0][keep]], seen[1][keep]),
        candidates,
        ks,
    )


def sample_negatives(
    users: np.ndarray,
    positive_keys: np.ndarray,
    candidates: np.ndarray,
    num_items: int,
    rng: np.random.Generator,
    per_user: int = 1,
) -> np.ndarray:
    """`per_user` candidate items per user (shape (len(users), per_user)) that are not among its positives
    (`positive_keys` = sorted user*num_items+item)."""
    rows = np.repeat(users, per_user)
    negatives = candidates[rng.integers(0, len(candidates), len(rows))]
    for _ in range(20):
        clash = np.isin(rows * num_items + negatives, positive_keys, assume_unique=False)
        if not clash.any():
            break
        negatives[clash] = candidates[rng.integers(0, len(candidates), int(clash.sum()))]
    return negatives.reshape(len(users), per_user)


def hardest(final: Tensor, users: Tensor, negatives: Tensor) -> Tensor:
    """Dynamic negative sampling (Zhang et al., 2013): of each row's candidate negatives, the one the model
    currently scores highest."""
    with torch.no_grad():
        scores = (final[users][:, None, :] * final[negatives]).sum(dim=-1)
        return negatives.gather(1, scores.argmax(dim=1, keepdim=True)).squeeze(1)


def neighbour_sampler(model: nn.Module, config: TrainConfig) -> NeighbourSampler | None:
    """The sampler of sampled training when the configuration asks for it (or `auto` and full-graph training would
    not fit `memory_budget_mb`), else None. Raises GNNError for an unknown `sampling`, or `always` for a model that
    does not propagate over a graph."""
    if config.sampling not in ("auto", "always", "never"):
        raise GNNError(f"Unknown sampling {config.sampling!r}: use auto, always or never.")
    if not isinstance(model, KGLightGCN) or model.num_layers == 0:
        if config.sampling == "always":
            raise GNNError("Sampled training needs a model that propagates over the graph (num_layers >= 1).")
        return None
    weight = model.embedding.weight
    needed = full_graph_megabytes(weight.shape[0], weight.shape[1], model.num_layers, model.adjacency.values().numel())
    if config.sampling == "never" or (config.sampling == "auto" and needed <= config.memory_budget_mb):
        return None
    return NeighbourSampler(model.adjacency, [config.fanout] * model.num_layers, config.seed)


def epoch_batch_size(num_pairs: int, config: TrainConfig) -> int:
    """`batch_size`, or larger where the pairs would otherwise make more than `max_batches_per_epoch` batches."""
    if config.max_batches_per_epoch <= 0:
        return config.batch_size
    return max(config.batch_size, -(-num_pairs // config.max_batches_per_epoch))


def fit(
    model: nn.Module,
    data: KGData,
    train_pairs: Pairs,
    val_pairs: Pairs,
    config: TrainConfig,
    candidates: np.ndarray | None = None,
    progress: Progress = no_progress,
    description: str = "Training",
) -> FitResult:
    """Train `model` (a module whose call returns the final embeddings of every node in the unified layout and
    whose `embedding` holds the layer-0 ones) with BPR; restores the weights of the best validation epoch."""
    device = resolve_device(config.device)
    model.to(device)
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    users, items = train_pairs
    candidates = np.unique(items) if candidates is None else np.asarray(candidates, dtype=np.int64)
    positive_keys = np.unique(users * data.num_items + items)
    offset = data.index.offset("Item")
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=config.lr, fused=True)
    use_amp = config.amp and device.type == "cuda"
    sampler = neighbour_sampler(model, config)
    batch_size = config.sampled_batch_size if sampler is not None else epoch_batch_size(len(users), config)
    result = FitResult(sampled=sampler is not None)
    best_state: dict[str, Tensor] = copy.deepcopy(model.state_dict())
    stale = 0
    started = time.perf_counter()
    for epoch in range(1, config.max_epochs + 1):
        epoch_started = time.perf_counter()
        model.train()
        order = rng.permutation(len(users))
        negatives = sample_negatives(
            users[order], positive_keys, candidates, data.num_items, rng, max(config.num_negatives, 1)
        )
        total_loss = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            u = torch.as_tensor(users[batch], device=device)
            i = torch.as_tensor(items[batch] + offset, device=device)
            j = torch.as_tensor(negatives[start : start + batch_size] + offset, device=device)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                if sampler is None:
                    final, ego = model(), model.embedding.weight
                else:  # the batch's computation graph only: u, i, j become positions in it
                    graph = sampler.sample(torch.cat([u, i, j.ravel()]).cpu().numpy(), device)
                    ego = model.embedding.weight[graph.nodes]
                    final = propagate(ego, graph.matrix, model.num_layers, graph.transposed)
                    u, i, j = graph.local(u), graph.local(i), graph.local(j)
                j = hardest(final.detach(), u, j) if j.shape[1] > 1 else j[:, 0]
                margin = (final[u] * (final[i] - final[j])).sum(dim=1)
                l2 = (ego[u].square().sum() + ego[i].square().sum() + ego[j].square().sum()) / (2 * len(batch))
                loss = nn.functional.softplus(-margin.float()).mean() + config.l2 * l2.float()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total_loss += float(loss.detach()) * len(batch)
        entry = {"epoch": float(epoch), "loss": total_loss / len(order), "seconds": time.perf_counter() - epoch_started}
        if epoch % config.eval_every == 0 or epoch == config.max_epochs:
            model.eval()
            with torch.no_grad():
                val = evaluate_embeddings(model(), data, train_pairs, val_pairs, candidates, (config.val_k,))
            entry["val_ndcg"] = val[f"ndcg@{config.val_k}"]
            if entry["val_ndcg"] > result.best_val_ndcg:
                result.best_val_ndcg, result.best_epoch, stale = entry["val_ndcg"], epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                stale += config.eval_every
        result.history.append(entry)
        note = f"loss {entry['loss']:.4f} val ndcg@{config.val_k} {result.best_val_ndcg:.4f}"
        progress(description, epoch, config.max_epochs, note)
        out_of_time = config.max_seconds is not None and time.perf_counter() - started > config.max_seconds
        if stale >= config.patience or out_of_time:
            break
    progress(description, len(result.history), len(result.history))
    result.train_seconds = time.perf_counter() - started
    model.load_state_dict(best_state)
    return result


def build_model(data: KGData, train_pairs: Pairs, config: TrainConfig) -> KGLightGCN:
    """A KGLightGCN over the training interactions (plus the attribute edges when configured)."""
    torch.manual_seed(config.seed)
    return KGLightGCN(data.index.num_nodes, config.dim, config.num_layers, adjacency(data, train_pairs, config))


def relation_weights(config: TrainConfig) -> list[float]:
    """The weight of each relation id (RATED first, see gnn.data.RELATION_IDS)."""
    return [1.0] + [
        config.genre_weight if rel in ("IN_GENRE", "TAGGED") else config.attribute_weight for rel in ATTRIBUTE_RELATIONS
    ]


def adjacency(data: KGData, pairs: Pairs, config: TrainConfig) -> Tensor:
    """The normalised sparse adjacency over the given interactions (plus the attribute edges when configured)."""
    edge_index, edge_type = unified_edges(data, pairs[0], pairs[1], config.use_attributes)
    return normalized_adjacency(edge_index, edge_type, relation_weights(config), data.index.num_nodes)


def final_embeddings(model: KGLightGCN, data: KGData, pairs: Pairs, config: TrainConfig) -> Tensor:
    """Embeddings propagated over the given interactions (e.g. train + validation), not only the training ones."""
    model.eval()
    with torch.no_grad():
        return model(adjacency(data, pairs, config).to(model.embedding.weight.device))


def train(
    arrays: GraphArrays,
    config: TrainConfig,
    model_dir: Path,
    progress: Progress = no_progress,
    scoring: ScoringConfig | None = None,
) -> dict[str, Any]:
    """Train on the exported graph with early stopping on a per-user validation holdout, and save the checkpoint
    (config, weights, id maps, final embeddings, metrics, scoring configuration, training plot) into `model_dir`.

    Returns the metrics written to metrics.json. Raises EmptyGraphError for a graph without users, items or ratings.
    """
    data = build_kg_data(arrays)
    positive = data.rating >= config.min_rating
    users, items = data.rating_user[positive], data.rating_item[positive]
    held = split_per_user(users, config.val_fraction, np.random.default_rng(config.seed))
    train_pairs, val_pairs = (users[~held], items[~held]), (users[held], items[held])
    model = build_model(data, train_pairs, config)
    result = fit(model, data, train_pairs, val_pairs, config, progress=progress)
    embeddings = final_embeddings(model, data, (users, items), config)
    metrics: dict[str, Any] = {
        "best_epoch": result.best_epoch,
        f"val_ndcg@{config.val_k}": result.best_val_ndcg,
        "epochs": len(result.history),
        "train_seconds": result.train_seconds,
        "sampled": result.sampled,
        "epoch_seconds": result.epoch_seconds,
        "device": str(resolve_device(config.device)),
        "num_train_pairs": len(train_pairs[0]),
        "num_val_pairs": len(val_pairs[0]),
        "relation_weights": dict(zip(("RATED", *ATTRIBUTE_RELATIONS), relation_weights(config), strict=True)),
        "history": result.history,
    }
    item_to_item = None
    if config.item_to_item_items > 0:
        started = time.perf_counter()
        liked = data.rating >= config.item_to_item_min_rating
        progress("Item-to-item model (EASE)", 0, 1)
        item_to_item = ItemToItem.fit(
            data.index.ids["Item"],
            data.rating_user[liked],
            data.rating_item[liked],
            config.item_to_item_l2,
            config.item_to_item_items,
        )
        progress("Item-to-item model (EASE)", 1, 1)
        metrics["item_to_item_seconds"] = time.perf_counter() - started
    save(model_dir, asdict(config), model, data.index, embeddings, metrics, scoring, item_to_item)
    return metrics
