"""Checkpoints: a model directory with config.json, weights.pt, id_maps.json, embeddings.npy, metrics.json,
scoring.json (the `ScoringConfig` lists are scored with), item_to_item.npz (the EASE item model, when trained) and
training.png. Loading needs no graph; passing the
current graph (as arrays) checks that the checkpoint still fits it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import ValidationError
from torch import nn

from core.arrays import NODE_LABELS, EmbeddingBlock, GraphArrays
from gnn.data import NodeIndex
from gnn.ease import ItemToItem
from gnn.errors import CheckpointMismatchError, ModelNotFoundError
from gnn.plot import plot_history
from gnn.scoring_config import ScoringConfig

FORMAT_VERSION = 1
SCORING_FILE = "scoring.json"
FILES = ("config.json", "weights.pt", "id_maps.json", "embeddings.npy", "metrics.json")


@dataclass(frozen=True)
class TrainedModel:
    """A loaded checkpoint: final embeddings of every node (unified layout), the id maps, config and metrics."""

    config: dict[str, Any]
    index: NodeIndex
    embeddings: np.ndarray
    metrics: dict[str, Any]
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    item_to_item: ItemToItem | None = None

    @property
    def version(self) -> str:
        """A short fingerprint of this checkpoint (its configuration and training metrics): what metrics and logs
        name the served model by."""
        text = json.dumps({"config": self.config, "metrics": self.metrics}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def block(self, label: str) -> np.ndarray:
        """The embeddings of every `label` node, in `index.ids[label]` order."""
        start = self.index.offset(label)
        return self.embeddings[start : start + self.index.count(label)]

    def vectors(self, label: str, ids: list[str]) -> np.ndarray:
        """Embeddings of the given `label` nodes; raises UnknownEntityError for an id the model does not know."""
        return self.embeddings[self.index.unified(label, ids)]

    def blocks(self) -> list[EmbeddingBlock]:
        """The embeddings of every label that has nodes, as graph/ writes them back."""
        return [
            EmbeddingBlock(label, self.index.ids[label], self.block(label))
            for label in NODE_LABELS
            if self.index.count(label)
        ]


def save(
    model_dir: Path,
    config: dict[str, Any],
    model: nn.Module,
    index: NodeIndex,
    embeddings: torch.Tensor,
    metrics: dict[str, Any],
    scoring: ScoringConfig | None = None,
    item_to_item: ItemToItem | None = None,
) -> Path:
    """Write the checkpoint files, the scoring configuration, the item model (when given) and the training plot
    into `model_dir` (created when missing)."""
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
    (model_dir / SCORING_FILE).write_text((scoring or ScoringConfig()).model_dump_json(indent=2))
    if item_to_item is not None:
        item_to_item.save(model_dir)
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
    item_to_item = ItemToItem.load(model_dir)
    if item_to_item is not None and not np.array_equal(item_to_item.item_ids, index.ids["Item"]):
        raise CheckpointMismatchError(f"{model_dir}: {ItemToItem.FILE} and id_maps.json list different items.")
    return TrainedModel(header["train"], index, embeddings, metrics, load_scoring(model_dir), item_to_item)


def load_scoring(model_dir: Path) -> ScoringConfig:
    """The model directory's scoring configuration (the defaults when it has none); CheckpointMismatchError when
    the file does not validate."""
    path = model_dir / SCORING_FILE
    if not path.is_file():
        return ScoringConfig()
    try:
        return ScoringConfig.model_validate_json(path.read_text())
    except ValidationError as exc:
        raise CheckpointMismatchError(
            f"{path} is not a valid scoring configuration: {exc.errors()[0]['msg']}."
        ) from exc


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
