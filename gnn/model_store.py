"""Checkpoints: a model directory with config.json, weights.pt, id_maps.json, embeddings.npy, metrics.json and
training.png. Loading needs no graph; passing the current graph checks that the checkpoint still fits it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gnn.data import NodeIndex
from gnn.errors import CheckpointMismatchError, ModelNotFoundError
from gnn.plot import plot_history
from graph.db import GraphStore
from graph.embeddings import ensure_vector_index, write_embeddings
from graph.export import NODE_LABELS, GraphArrays

FORMAT_VERSION = 1
FILES = ("config.json", "weights.pt", "id_maps.json", "embeddings.npy", "metrics.json")


@dataclass(frozen=True)
class TrainedModel:
    """A loaded checkpoint: final embeddings of every node (unified layout), the id maps, config and metrics."""

    config: dict[str, Any]
    index: NodeIndex
    embeddings: np.ndarray
    metrics: dict[str, Any]

    def block(self, label: str) -> np.ndarray:
        """The embeddings of every `label` node, in `index.ids[label]` order."""
        start = self.index.offset(label)
        return self.embeddings[start : start + self.index.count(label)]

    def vectors(self, label: str, ids: list[str]) -> np.ndarray:
        """Embeddings of the given `label` nodes; raises UnknownEntityError for an id the model does not know."""
        return self.embeddings[self.index.unified(label, ids)]


def save(
    model_dir: Path,
    config: dict[str, Any],
    model: nn.Module,
    index: NodeIndex,
    embeddings: torch.Tensor,
    metrics: dict[str, Any],
) -> Path:
    """Write the checkpoint files and the training plot into `model_dir` (created when missing)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    matrix = embeddings.detach().float().cpu().numpy()
    header = {
        "format_version": FORMAT_VERSION,
        "num_nodes": index.num_nodes,
        "dim": int(matrix.shape[1]),
        "counts": {label: index.count(label) for label in NODE_LABELS},
        "train": config,
    }
    (model_dir / "config.json").write_text(json.dumps(header, indent=2))
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, model_dir / "weights.pt")
    (model_dir / "id_maps.json").write_text(json.dumps(index.to_lists()))
    np.save(model_dir / "embeddings.npy", matrix)
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    plot_history(metrics.get("history", []), model_dir / "training.png")
    return model_dir


def load(model_dir: Path, graph: GraphArrays | None = None) -> TrainedModel:
    """Load a checkpoint. Raises ModelNotFoundError when the directory or a file is missing, and
    CheckpointMismatchError when its files disagree or, given `graph`, its nodes are not exactly the graph's."""
    if not model_dir.is_dir():
        raise ModelNotFoundError(f"Model directory {model_dir} does not exist: train a model first.")
    missing = [name for name in FILES if not (model_dir / name).is_file()]
    if missing:
        raise ModelNotFoundError(f"Model directory {model_dir} lacks {', '.join(missing)}: retrain the model.")
    header = json.loads((model_dir / "config.json").read_text())
    index = NodeIndex.from_lists(json.loads((model_dir / "id_maps.json").read_text()))
    embeddings = np.load(model_dir / "embeddings.npy")
    expected = (header["num_nodes"], header["dim"])
    if embeddings.shape != expected or index.num_nodes != header["num_nodes"]:
        raise CheckpointMismatchError(
            f"{model_dir}: embeddings.npy has shape {embeddings.shape} and id_maps.json {index.num_nodes} nodes, "
            f"but config.json says {expected}: the files come from different runs."
        )
    if graph is not None:
        check_matches(index, graph)
    metrics = json.loads((model_dir / "metrics.json").read_text())
    return TrainedModel(config=header["train"], index=index, embeddings=embeddings, metrics=metrics)


def check_matches(index: NodeIndex, graph: GraphArrays) -> None:
    """Raise CheckpointMismatchError unless the graph has exactly the checkpoint's nodes, label by label."""
    problems = []
    for label in NODE_LABELS:
        saved = set(index.ids[label].tolist())
        current = set(np.asarray(graph.nodes.get(label, []), dtype=str).tolist())
        if saved != current:
            problems.append(f"{label}: {len(current - saved)} new, {len(saved - current)} gone")
    if problems:
        raise CheckpointMismatchError(
            "The checkpoint does not match the graph (" + "; ".join(problems) + "): retrain the model."
        )


def write_back(store: GraphStore, model: TrainedModel, batch_size: int = 2_000) -> dict[str, int]:
    """Write every node's embedding to Neo4j (graph/embeddings.py) and make sure the vector index exists."""
    ensure_vector_index(store, int(model.embeddings.shape[1]))
    return {
        label: write_embeddings(store, label, model.index.ids[label], model.block(label), batch_size)
        for label in NODE_LABELS
        if model.index.count(label)
    }
