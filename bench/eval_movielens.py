"""Top-K on MovieLens-100K (GUIDE.md, protocol 1). Reads the graph from the Neo4j the CHATREC_* settings point at;
writes bench/results/movielens.json, .md and .png.

Per-user random 80/20 split with a fixed seed; a validation part carved from train (never the test part) picks
each trainable model's hyper-parameters from the same grid and decides early stopping; every model then ranks every
ML-100K item the user did not rate in train, with its embeddings propagated over the whole train part (the models
and their tuning: gnn/baselines.py).

    OMP_NUM_THREADS=1 python bench/eval_movielens.py --threads 1
"""

from __future__ import annotations

import itertools
import json
import resource
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from api.cli.common import console, fail_cleanly, open_checked_store
from api.progress import RichProgress
from core.arrays import EdgeArrays, GraphArrays
from core.progress import Progress, no_progress
from gnn.baselines import (
    BPR_MF,
    EASE,
    LIGHTGCN,
    OURS,
    OURS_NO_ATTRIBUTES,
    blend_tune_and_test,
    device_name,
    ease_tune_and_test,
    make_split,
    model_config,
    popularity_metrics,
    torch_threads,
    tune_and_test,
)
from gnn.data import KGData, build_kg_data
from gnn.train import TrainConfig, resolve_device, use_threads
from graph.export import export_graph

RESULTS = Path(__file__).resolve().parent / "results"

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
# EASE's one knob, λ, on the same validation part.
EASE_GRID: tuple[float, ...] = (50.0, 100.0, 200.0, 300.0, 500.0, 1000.0, 2000.0)
BASELINES = ("Popularity", BPR_MF, LIGHTGCN, EASE)
# The weight of the item model beside our embeddings for a known user (`ScoringConfig.known_co_rated`).
BLEND_WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
SERVED = "KG-LightGCN + EASE item model (ours, as served)"


def grid_configs(base: TrainConfig, grid: dict[str, tuple[Any, ...]]) -> list[TrainConfig]:
    """Every combination of the grid's values on top of `base`."""
    keys = list(grid)
    return [replace(base, **dict(zip(keys, values, strict=True))) for values in itertools.product(*grid.values())]


def run_variant(
    data: KGData, min_rating: float, base: TrainConfig, progress: Progress = no_progress, quick: bool = False
) -> dict[str, Any]:
    """Split, tune every trainable model on the same grid, evaluate on the test part. `quick` = no grid (base
    values only), for smoke runs."""
    split = make_split(data, min_rating, base.seed, base.val_fraction, base.item_to_item_min_rating)
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
        embeddings = run.pop("embeddings")
        results["runs"][name] = run
    run = ease_tune_and_test(data, split, candidates, EASE_GRID[:1] if quick else EASE_GRID, base.val_k)
    results["models"][EASE] = run.pop("metrics")
    results["runs"][EASE] = run
    # Ours as the service ranks a known user's list: the last embeddings (ours, with attributes) + the item model.
    item_model = {"l2": base.item_to_item_l2, "max_items": base.item_to_item_items}
    run = blend_tune_and_test(
        data, split, candidates, embeddings, BLEND_WEIGHTS[-1:] if quick else BLEND_WEIGHTS, item_model, base.val_k
    )
    results["models"][SERVED] = run.pop("metrics")
    results["runs"][SERVED] = run
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
    progress: Progress = no_progress,
    quick: bool = False,
) -> dict[str, Any]:
    """The whole benchmark; returns the report written to movielens.json (first variant = headline numbers)."""
    started = time.perf_counter()
    # The protocol ranks by MovieLens-100K's ratings alone: not those of other users the graph holds (MovieLens
    # latest-small's), nor dialogue likes; the rest of the knowledge graph stays.
    rated = arrays.edges["RATED"]
    ml_users = np.char.startswith(rated.src.astype(str), "ml:")
    assert rated.rating is not None and rated.ts is not None
    edges = arrays.edges | {
        "RATED": EdgeArrays(rated.src[ml_users], rated.dst[ml_users], rated.rating[ml_users], rated.ts[ml_users])
    }
    nodes = arrays.nodes | {"User": arrays.nodes["User"][np.char.startswith(arrays.nodes["User"].astype(str), "ml:")]}
    data = build_kg_data(GraphArrays(nodes=nodes, edges=edges), dialogue_likes=False)
    report: dict[str, Any] = {"seed": base.seed, "config": asdict(base), "grid": GRID, "ours_grid": OURS_GRID}
    report["ease_grid"] = EASE_GRID
    report["variants"] = {
        variant: run_variant(data, 4.0 if variant == "rating>=4" else 0.0, base, progress, quick)
        for variant in variants
    }
    headline = report["variants"][variants[0]]
    report["models"] = headline["models"]
    ours = headline["models"][SERVED]["ndcg@5"]
    report["ratio_ndcg@5_vs_lightgcn"] = ours / headline["models"][LIGHTGCN]["ndcg@5"]
    best = max(BASELINES, key=lambda name: headline["models"][name]["ndcg@5"])
    report["best_baseline"] = best
    report["ratio_ndcg@5_vs_best_baseline"] = ours / headline["models"][best]["ndcg@5"]
    report["ratio_ndcg@5_gnn_alone_vs_lightgcn"] = (
        headline["models"][OURS]["ndcg@5"] / headline["models"][LIGHTGCN]["ndcg@5"]
    )
    report["train_seconds"] = headline["runs"][OURS]["train_seconds"]
    report["epoch_seconds_cpu"] = headline["runs"][OURS]["epoch_seconds"]
    report["device"] = device_name(base.device)
    report["torch_threads"] = torch_threads()
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
        f"(grid {report['grid']}; ours also {report['ours_grid']}; EASE λ in {report['ease_grid']}); early stopping "
        "on validation NDCG@10.",
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
            seconds = f"{run['train_seconds']:.0f}" if run and "train_seconds" in run else ""
            extra = [f"{run['val_ndcg']:.4f}", seconds] if run else ["", ""]
            lines.append(f"| {name} | " + " | ".join(cells + extra) + " |")
        for name, (p, r, n) in PUBLISHED.items():
            lines.append(f"| {name} | {p:.4f} | {r:.4f} | {n:.4f} | | | | | | | | |")
        ratio = block["models"][SERVED]["ndcg@5"] / block["models"][LIGHTGCN]["ndcg@5"]
        lines += ["", f"Ratio NDCG@5 ours (as served) / LightGCN: {ratio:.3f}", ""]
    lines += [
        f"Headline ratio NDCG@5 ours (as served) / LightGCN ({next(iter(report['variants']))}): "
        f"{report['ratio_ndcg@5_vs_lightgcn']:.3f}; ours / the best baseline ({report['best_baseline']}): "
        f"{report['ratio_ndcg@5_vs_best_baseline']:.3f}",
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


def main(
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 split and of every model.")] = 2024,
    variants: Annotated[str, typer.Option(help="Comma-separated: all, rating>=4 (first = headline).")] = (
        "all,rating>=4"
    ),
    device: Annotated[str, typer.Option(help="auto (CUDA when available), cpu or cuda.")] = "auto",
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch.")] = None,
    quick: Annotated[bool, typer.Option(help="No hyper-parameter grid (smoke run).")] = False,
    out: Annotated[Path, typer.Option(help="Results folder.")] = RESULTS,
) -> None:
    """Popularity, BPR-MF, PyG LightGCN, EASE and ours on one split of MovieLens-100K."""
    fail_cleanly(lambda: (resolve_device(device), use_threads(threads)))
    chosen = tuple(v.strip() for v in variants.split(",") if v.strip())
    unknown = [v for v in chosen if v not in ("all", "rating>=4")]
    if unknown or not chosen:
        console.print(f"[red]Error:[/red] unknown variant(s) {unknown or variants!r}; use all and/or rating>=4.")
        raise typer.Exit(2)
    with open_checked_store() as store:
        arrays = fail_cleanly(lambda: export_graph(store))
    with RichProgress(console) as progress:
        base = TrainConfig(seed=seed, device=device)
        report = fail_cleanly(lambda: run_benchmark(arrays, base, chosen, progress, quick))
    console.print(write_report(report, out))


if __name__ == "__main__":
    typer.run(main)
