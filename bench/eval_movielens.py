"""Top-K on MovieLens-100K (GUIDE.md, protocol 1): per-user random 80/20 split with a fixed seed, every model
trained in the same run on the same split, ranking every ML-100K item the user did not rate in train.

Reads the graph from Neo4j through graph/export.py (settings from CHATREC_* variables); writes
bench/results/movielens.json and movielens.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.progress import Progress
from torch import Tensor
from torch_geometric.nn.models import LightGCN

from api.config import get_settings
from gnn.data import KGData, build_kg_data, unified_edges
from gnn.train import Pairs, TrainConfig, build_model, evaluate_embeddings, final_embeddings, fit, split_per_user
from graph.db import GraphStore
from graph.export import export_graph

RESULTS = Path(__file__).resolve().parent / "results"
PUBLISHED = {
    "LightGCN (published, split unknown)": (0.3030, 0.1455, 0.3425),
    "Chat-Rec (published, split unknown)": (0.3240, 0.1404, 0.3802),
}


class PygLightGCN(LightGCN):
    """PyG's LightGCN over a fixed user-item edge list, callable like KGLightGCN (returns every final embedding)."""

    def __init__(self, num_nodes: int, dim: int, num_layers: int, edge_index: Tensor) -> None:
        super().__init__(num_nodes, dim, num_layers)
        self.register_buffer("edge_index", edge_index, persistent=False)

    def forward(self, edge_index: Tensor | None = None) -> Tensor:
        """Final embeddings of every node."""
        return self.get_embedding(self.edge_index if edge_index is None else edge_index)


def run_variant(data: KGData, min_rating: float, base: TrainConfig, progress: Progress) -> dict[str, Any]:
    """Split, train every model, evaluate on the test part; returns metrics per model and timings."""
    rng = np.random.default_rng(base.seed)
    test = split_per_user(data.rating_user, 0.2, rng)
    users, items, ratings = data.rating_user, data.rating_item, data.rating
    seen: Pairs = (users[~test], items[~test])
    positive = ratings[~test] >= min_rating
    train_pairs: Pairs = (seen[0][positive], seen[1][positive])
    relevant_mask = test & (ratings >= min_rating)
    relevant: Pairs = (users[relevant_mask], items[relevant_mask])
    held = split_per_user(train_pairs[0], base.val_fraction, np.random.default_rng(base.seed + 1))
    fit_pairs, val_pairs = (train_pairs[0][~held], train_pairs[1][~held]), (train_pairs[0][held], train_pairs[1][held])
    candidates = np.flatnonzero(np.char.startswith(data.index.ids["Item"], "ml:"))
    results: dict[str, Any] = {"models": {}, "timings": {}}

    counts = np.bincount(train_pairs[1], minlength=data.num_items).astype(np.float32)
    offset = data.index.offset("Item")
    popularity = torch.zeros(data.index.num_nodes, 1)
    popularity[: data.num_users] = 1.0
    popularity[offset : offset + data.num_items, 0] = torch.from_numpy(counts)
    results["models"]["Popularity"] = evaluate_embeddings(popularity, data, seen, relevant, candidates)

    specs: dict[str, TrainConfig] = {
        "BPR-MF": replace(base, num_layers=0, use_attributes=False, learn_relation_weights=False),
        "LightGCN (PyG, 3 layers)": replace(base, use_attributes=False),
        "KG-LightGCN (ours, no attribute edges)": replace(base, use_attributes=False),
        "KG-LightGCN (ours)": base,
    }
    for name, config in specs.items():
        if name.startswith("LightGCN"):
            edge_index, _ = unified_edges(data, *fit_pairs, use_attributes=False)
            torch.manual_seed(config.seed)
            model: torch.nn.Module = PygLightGCN(data.index.num_nodes, config.dim, config.num_layers, edge_index)
        else:
            model = build_model(data, fit_pairs, config)
        result = fit(model, data, fit_pairs, val_pairs, config, candidates, progress, name)
        with torch.no_grad():
            if isinstance(model, PygLightGCN):
                full_edges, _ = unified_edges(data, *train_pairs, use_attributes=False)
                embeddings = model(full_edges.to(model.edge_index.device))
            else:
                embeddings = final_embeddings(model, data, train_pairs, config)
        results["models"][name] = evaluate_embeddings(embeddings, data, seen, relevant, candidates)
        results["timings"][name] = {
            "train_seconds": result.train_seconds,
            "epoch_seconds": result.epoch_seconds,
            "epochs": len(result.history),
            "best_epoch": result.best_epoch,
        }
    return results


def markdown(report: dict[str, Any]) -> str:
    """The results as Markdown tables, with the published reference rows."""
    lines = [
        "# Top-K on MovieLens-100K",
        "",
        f"Split: per-user random 80/20, seed {report['seed']}; ranking every ML-100K item not rated in train.",
        "",
    ]
    for variant, block in report["variants"].items():
        lines += [
            f"## Positives: {variant}",
            "",
            "| model | P@5 | R@5 | NDCG@5 | P@10 | R@10 | NDCG@10 | P@20 | R@20 | NDCG@20 |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, m in block["models"].items():
            cells = [f"{m[f'{metric}@{k}']:.4f}" for k in (5, 10, 20) for metric in ("precision", "recall", "ndcg")]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        for name, (p, r, n) in PUBLISHED.items():
            lines.append(f"| {name} | {p:.4f} | {r:.4f} | {n:.4f} | | | | | | |")
        lines.append("")
    lines += [
        "Ratio NDCG@5 ours / LightGCN (all ratings): " + f"{report['ratio_ndcg@5_vs_lightgcn']:.3f}",
        f"Training to early stop (ours): {report['train_seconds']:.1f} s; "
        f"{report['epoch_seconds_cpu']:.2f} s per epoch; peak memory {report['peak_memory_mb']:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="training budget per model")
    parser.add_argument("--variants", default="all,rating>=4")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    settings = get_settings()
    with GraphStore(
        settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password.get_secret_value(), settings.neo4j_database
    ) as store:
        data = build_kg_data(export_graph(store))
    base = TrainConfig(seed=args.seed, max_seconds=args.max_seconds, device=args.device)
    report: dict[str, Any] = {"seed": args.seed, "config": base.__dict__, "variants": {}}
    with Progress() as progress:
        for variant in args.variants.split(","):
            report["variants"][variant] = run_variant(data, 4.0 if variant == "rating>=4" else 0.0, base, progress)
    main_variant = report["variants"][args.variants.split(",")[0]]
    ours, lightgcn = "KG-LightGCN (ours)", "LightGCN (PyG, 3 layers)"
    report["models"] = main_variant["models"]
    models = main_variant["models"]
    report["ratio_ndcg@5_vs_lightgcn"] = models[ours]["ndcg@5"] / models[lightgcn]["ndcg@5"]
    report["train_seconds"] = main_variant["timings"][ours]["train_seconds"]
    report["epoch_seconds_cpu"] = main_variant["timings"][ours]["epoch_seconds"]
    report["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "movielens.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "movielens.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
