"""The graph as arrays: what graph/ exports and gnn/ learns from (gnn/ never sees a Neo4j session)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NODE_LABELS = ("User", "Item", "Genre", "Person", "Tag")
# Relationship type -> (source label, target label).
RELATIONSHIPS: dict[str, tuple[str, str]] = {
    "RATED": ("User", "Item"),
    "IN_GENRE": ("Item", "Genre"),
    "DIRECTED": ("Person", "Item"),
    "ACTED_IN": ("Person", "Item"),
    "WROTE": ("Person", "Item"),
    "TAGGED": ("Item", "Tag"),
    "PREFERS": ("User", "Item"),  # only the liked items: the dialogue's (and past conversations') positives
}


@dataclass(frozen=True)
class EdgeArrays:
    """One relationship type: source and target node ids (`src[k]` -> `dst[k]`), plus RATED's rating and ts."""

    src: np.ndarray
    dst: np.ndarray
    rating: np.ndarray | None = None
    ts: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.src)


@dataclass(frozen=True)
class GraphArrays:
    """The exported graph: node ids per label (sorted) and edges per relationship type."""

    nodes: dict[str, np.ndarray]
    edges: dict[str, EdgeArrays] = field(default_factory=dict)


@dataclass(frozen=True)
class EmbeddingBlock:
    """The embeddings of every node of one label, row k for `ids[k]`: what a trained model writes back."""

    label: str
    ids: np.ndarray
    vectors: np.ndarray
