"""Top-K on MovieLens-100K (GUIDE.md, protocol 1), the one implementation behind `chatrec eval movielens` and
bench/eval_movielens.py.

Per-user random 80/20 split with a fixed seed; a validation part carved from train (never the test part) picks
each trainable model's hyper-parameters from the same grid and decides early stopping; every model then ranks every
ML-100K item the user did not rate in train, with its embeddings propagated over the whole train part.
"""

from __future__ import annotations

import itertools
import json
import resource
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.progress import Progress
from torch import Tensor, nn
from torch_geometric.nn.models import LightGCN

from gnn.data import KGData, build_kg_data
from gnn.train import Pairs, TrainConfig, adjacency, build_model, evaluate_embeddings, fit, split_per_user
from graph.export import GraphArrays

OURS, OURS_NO_ATTRIBUTES, LIGHTGCN, BPR_MF = (
    "KG-LightGCN (ours)",
    "KG-LightGCN (ours, no attribute edges)",
    "LightGCN (PyG, 3 layers)",
    "BPR-MF",
)
PUBLISHED = {
    "LightGCN (published, split unknown)": (0.3030, 0.1455, 0.3425),
    "Chat-Rec (published, split unknown)": (0.3240, 0.1404, 0.3802),
}
# The grid every trainable model is tuned on (on the validation part): same budget for ours and the baselines.
# (lr 0.01, 8 candidate negatives per positive, dim 64 and batch 8192 are TrainConfig's defaults, fixed for all.)
GRID: dict[str, tuple[Any, ...]] = {"l2": (1e-4, 1e-3)}
# Extra knobs of our model only: the weight of the attribute edges (people and genres alike; 0.5 is in the shared
# runs), tried at the lr/l2 that our no-attribute variant chose.
OURS_GRID: dict[str, tuple[Any, ...]] = {"attribute_weight": (0.2, 1.0)}


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


def grid_configs(base: TrainConfig, grid: dict[str, tuple[Any, ...]]) -> list[TrainConfig]:
    """Every combination of the grid's values on top of `base`."""
    keys = list(grid)
    return [replace(base, **dict(zip(keys, values, strict=True))) for values in itertools.product(*grid.values())]


def tune_and_test(
    name: str,
    data: KGData,
    split: Split,
    configs: list[TrainConfig],
    candidates: np.ndarray,
    progress: Progress | None,
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


def run_variant(
    data: KGData, min_rating: float, base: TrainConfig, progress: Progress | None, quick: bool = False
) -> dict[str, Any]:
    """Split, tune every trainable model on the same grid, evaluate on the test part. `quick` = no grid (base
    values only), for smoke runs."""
    split = make_split(data, min_rating, base.seed, base.val_fraction)
    candidates = np.flatnonzero(np.char.startswith(data.index.ids["Item"], "ml:"))
    results: dict[str, Any] = {"models": {"Popularity": popularity_metrics(data, split, candidates)}, "runs": {}}
    shared = [base] if quick else grid_configs(base, GRID)
    for name in (BPR_MF, LIGHTGCN, OURS_NO_ATTRIBUTES, OURS):
        configs = [model_config(name, config) for config in shared]
        if name == OURS and not quick:
            # Same lr/l2 grid as everyone, plus the relation weights at the lr/l2 our no-attribute variant chose.
            chosen = results["runs"][OURS_NO_ATTRIBUTES]["config"]
            at_best = replace(model_config(OURS, base), lr=chosen["lr"], l2=chosen["l2"])
            extra = [replace(c, genre_weight=c.attribute_weight) for c in grid_configs(at_best, OURS_GRID)]
            configs += [c for c in extra if c not in configs]
        run = tune_and_test(name, data, split, configs, candidates, progress)
        results["models"][name] = run.pop("metrics")
        results["runs"][name] = run
    results["split"] = {
        "train_pairs": len(split.train[0]),
        "fit_pairs": len(split.fit[0]),
        "val_pairs": len(split.val[0]),
        "test_pairs": len(split.test[0]),
    }
    return results


def run_benchmark(
    arrays: GraphArrays,
    base: TrainConfig,
    variants: tuple[str, ...] = ("all", "rating>=4"),
    progress: Progress | None = None,
    quick: bool = False,
) -> dict[str, Any]:
    """The whole benchmark; returns the report written to movielens.json (first variant = headline numbers)."""
    started = time.perf_counter()
    data = build_kg_data(arrays, dialogue_likes=False)  # the protocol ranks by MovieLens ratings alone
    report: dict[str, Any] = {"seed": base.seed, "config": asdict(base), "grid": GRID, "ours_grid": OURS_GRID}
    report["variants"] = {
        variant: run_variant(data, 4.0 if variant == "rating>=4" else 0.0, base, progress, quick)
        for variant in variants
    }
    headline = report["variants"][variants[0]]
    report["models"] = headline["models"]
    report["ratio_ndcg@5_vs_lightgcn"] = headline["models"][OURS]["ndcg@5"] / headline["models"][LIGHTGCN]["ndcg@5"]
    report["train_seconds"] = headline["runs"][OURS]["train_seconds"]
    report["epoch_seconds_cpu"] = headline["runs"][OURS]["epoch_seconds"]
    report["device"] = str(torch.device("cuda" if base.device == "auto" and torch.cuda.is_available() else base.device))
    report["torch_threads"] = torch.get_num_threads()
    report["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["wall_seconds"] = time.perf_counter() - started
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return report


def markdown(report: dict[str, Any]) -> str:
    """The results as Markdown tables, with the published reference rows."""
    lines = [
        "# Top-K on MovieLens-100K",
        "",
        f"Split: per-user random 80/20, seed {report['seed']}; ranking every ML-100K item not rated in train. "
        "Hyper-parameters of every trainable model chosen on a validation part of train "
        f"(grid {report['grid']}; ours also {report['ours_grid']}); early stopping on validation NDCG@10.",
        "",
    ]
    for variant, block in report["variants"].items():
        lines += [
            f"## Positives: {variant}",
            "",
            "| model | P@5 | R@5 | NDCG@5 | P@10 | R@10 | NDCG@10 | P@20 | R@20 | NDCG@20 | val NDCG@10 | train s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, m in block["models"].items():
            cells = [f"{m[f'{metric}@{k}']:.4f}" for k in (5, 10, 20) for metric in ("precision", "recall", "ndcg")]
            run = block["runs"].get(name)
            extra = [f"{run['val_ndcg']:.4f}", f"{run['train_seconds']:.0f}"] if run else ["", ""]
            lines.append(f"| {name} | " + " | ".join(cells + extra) + " |")
        for name, (p, r, n) in PUBLISHED.items():
            lines.append(f"| {name} | {p:.4f} | {r:.4f} | {n:.4f} | | | | | | | | |")
        ratio = block["models"][OURS]["ndcg@5"] / block["models"][LIGHTGCN]["ndcg@5"]
        lines += ["", f"Ratio NDCG@5 ours / LightGCN: {ratio:.3f}", ""]
    lines += [
        f"Headline ratio NDCG@5 ours / LightGCN ({next(iter(report['variants']))}): "
        f"{report['ratio_ndcg@5_vs_lightgcn']:.3f}",
        f"Training ours to early stop: {report['train_seconds']:.1f} s; {report['epoch_seconds_cpu']:.2f} s per epoch "
        f"on {report['device']} ({report['torch_threads']} torch threads); "
        f"peak memory {report['peak_memory_mb']:.0f} MB; "
        f"whole benchmark {report['wall_seconds']:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def plot_comparison(report: dict[str, Any], path: Path) -> Path:
    """A grouped bar chart of NDCG@5/10/20 per model and variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = list(report["variants"])
    figure, axes = plt.subplots(1, len(variants), figsize=(6 * len(variants), 4), dpi=100, squeeze=False)
    for axis, variant in zip(axes[0], variants, strict=True):
        models = report["variants"][variant]["models"]
        width = 0.8 / len(models)
        for n, (name, m) in enumerate(models.items()):
            axis.bar(np.arange(3) + n * width, [m[f"ndcg@{k}"] for k in (5, 10, 20)], width, label=name)
        axis.set_xticks(np.arange(3) + 0.4 - width / 2, ["NDCG@5", "NDCG@10", "NDCG@20"])
        axis.set_title(f"MovieLens-100K, positives: {variant}")
    axes[0][0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def write_report(report: dict[str, Any], directory: Path) -> str:
    """Write movielens.json, movielens.md and movielens.png into `directory`; returns the Markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    slim = {
        **report,
        "variants": {
            variant: {
                **block,
                "runs": {name: {k: v for k, v in run.items() if k != "history"} for name, run in block["runs"].items()},
            }
            for variant, block in report["variants"].items()
        },
    }
    (directory / "movielens.json").write_text(json.dumps(slim, indent=2))
    text = markdown(report)
    (directory / "movielens.md").write_text(text)
    plot_comparison(report, directory / "movielens.png")
    return text
