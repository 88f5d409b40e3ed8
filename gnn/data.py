"""From exported arrays to index arrays: stable id maps and the unified homogeneous graph.

Unified layout: node indexes are users, then items, then genres, then people, each block in sorted-id order, so
the same graph always gives the same indexes. Relation ids: 0 = RATED, then the attribute relations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from core.arrays import NODE_LABELS, RELATIONSHIPS, EdgeArrays, GraphArrays
from core.errors import UnknownEntityError
from gnn.errors import EmptyGraphError

ATTRIBUTE_RELATIONS = ("IN_GENRE", "DIRECTED", "ACTED_IN", "WROTE", "TAGGED")
# User-item interactions the model learns from; a liked PREFERS counts as this rating.
INTERACTIONS = ("RATED", "PREFERS")
LIKE_RATING = 5.0
RELATION_IDS = {"RATED": 0, **{rel: i + 1 for i, rel in enumerate(ATTRIBUTE_RELATIONS)}}


@dataclass(frozen=True)
class NodeIndex:
    """Stable id maps: node ids per label in sorted order, and each label's offset in the unified layout."""

    ids: dict[str, np.ndarray]
    positions: dict[str, dict[str, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions = {label: {node_id: i for i, node_id in enumerate(self.ids[label].tolist())} for label in NODE_LABELS}
        object.__setattr__(self, "positions", positions)

    @classmethod
    def from_lists(cls, ids: dict[str, list[str]]) -> NodeIndex:
        """Rebuild from `to_lists()` output (e.g. a checkpoint's id_maps.json)."""
        return cls({label: np.array(sorted(ids.get(label, [])), dtype=str) for label in NODE_LABELS})

    def to_lists(self) -> dict[str, list[str]]:
        """JSON-ready id lists per label."""
        return {label: self.ids[label].tolist() for label in NODE_LABELS}

    def count(self, label: str) -> int:
        """Number of nodes with `label`."""
        return len(self.ids[label])

    def offset(self, label: str) -> int:
        """Index of the label's first node in the unified layout."""
        start = 0
        for other in NODE_LABELS:
            if other == label:
                return start
            start += self.count(other)
        raise UnknownEntityError(f"Unknown label {label!r}; known: {', '.join(NODE_LABELS)}")

    @property
    def num_nodes(self) -> int:
        """Total number of nodes in the unified layout."""
        return sum(self.count(label) for label in NODE_LABELS)

    def local(self, label: str, ids: np.ndarray | list[str]) -> np.ndarray:
        """Per-label indexes of `ids`; raises UnknownEntityError naming the first unknown id."""
        positions = self.positions[label]
        try:
            return np.fromiter((positions[str(node_id)] for node_id in ids), dtype=np.int64, count=len(ids))
        except KeyError as exc:
            raise UnknownEntityError(f"{label} {exc.args[0]!r} is not in the model's graph") from exc

    def unified(self, label: str, ids: np.ndarray | list[str]) -> np.ndarray:
        """Unified-layout indexes of `ids`."""
        return self.local(label, ids) + self.offset(label)


@dataclass(frozen=True)
class KGData:
    """The graph as index arrays: ratings (per-label user/item indexes) and attribute edges (unified indexes)."""

    index: NodeIndex
    rating_user: np.ndarray
    rating_item: np.ndarray
    rating: np.ndarray
    ts: np.ndarray
    attr_src: np.ndarray
    attr_dst: np.ndarray
    attr_type: np.ndarray

    @property
    def num_users(self) -> int:
        """Number of users."""
        return self.index.count("User")

    @property
    def num_items(self) -> int:
        """Number of items."""
        return self.index.count("Item")


def check_not_empty(arrays: GraphArrays) -> None:
    """Raise EmptyGraphError unless the graph has users, items and at least one rating or liked item."""
    missing = [label for label in ("User", "Item") if len(arrays.nodes.get(label, ())) == 0]
    if missing:
        raise EmptyGraphError(f"The graph has no {' and no '.join(missing)} nodes: import a catalog and ratings first.")
    if not any(len(arrays.edges[rel]) for rel in INTERACTIONS if rel in arrays.edges):
        raise EmptyGraphError(
            "The graph has users and items but no RATED relationships (nor liked PREFERS): nothing to learn from."
        )


def build_kg_data(arrays: GraphArrays, dialogue_likes: bool = True) -> KGData:
    """Index the exported graph; raises EmptyGraphError for a graph without users, items or interactions.

    Interactions are the RATED edges plus, with `dialogue_likes`, the liked items of PREFERS (rating
    `LIKE_RATING`, time 0): what users said in conversations teaches the model as ratings do.
    """
    check_not_empty(arrays)
    index = NodeIndex({label: np.sort(np.asarray(arrays.nodes.get(label, []), dtype=str)) for label in NODE_LABELS})
    rated = _interactions(arrays, dialogue_likes)
    src, dst, types = [], [], []
    for rel in ATTRIBUTE_RELATIONS:
        edges = arrays.edges.get(rel)
        if edges is None or len(edges) == 0:
            continue
        source_label, target_label = RELATIONSHIPS[rel]
        items, attrs = (edges.src, edges.dst) if source_label == "Item" else (edges.dst, edges.src)
        attr_label = target_label if source_label == "Item" else source_label
        src.append(index.unified("Item", items))
        dst.append(index.unified(attr_label, attrs))
        types.append(np.full(len(edges), RELATION_IDS[rel], dtype=np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return KGData(
        index=index,
        rating_user=index.local("User", rated.src),
        rating_item=index.local("Item", rated.dst),
        rating=np.asarray(rated.rating, dtype=np.float32),
        ts=np.asarray(rated.ts, dtype=np.int64),
        attr_src=np.concatenate(src) if src else empty,
        attr_dst=np.concatenate(dst) if dst else empty,
        attr_type=np.concatenate(types) if types else empty,
    )


def _interactions(arrays: GraphArrays, dialogue_likes: bool) -> EdgeArrays:
    """RATED, followed by the liked PREFERS edges when asked for."""
    empty = EdgeArrays(np.zeros(0, dtype=str), np.zeros(0, dtype=str), np.zeros(0, np.float32), np.zeros(0, np.int64))
    rated = arrays.edges.get("RATED", empty)
    rated = EdgeArrays(
        rated.src,
        rated.dst,
        rated.rating if rated.rating is not None else np.ones(len(rated), dtype=np.float32),
        rated.ts if rated.ts is not None else np.zeros(len(rated), dtype=np.int64),
    )
    liked = arrays.edges.get("PREFERS")
    if not dialogue_likes or liked is None or len(liked) == 0:
        return rated
    return EdgeArrays(
        np.concatenate([rated.src, liked.src]),
        np.concatenate([rated.dst, liked.dst]),
        np.concatenate([rated.rating, np.full(len(liked), LIKE_RATING, dtype=np.float32)]),
        np.concatenate([rated.ts, np.zeros(len(liked), dtype=np.int64)]),
    )


def unified_edges(
    data: KGData,
    users: np.ndarray,
    items: np.ndarray,
    use_attributes: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Undirected unified edge list (both directions, deduplicated, sorted) and its relation ids, from the given
    (user, item) interactions plus, when `use_attributes`, every item-attribute edge."""
    offset = data.index.offset("Item")
    src = [users.astype(np.int64)]
    dst = [items.astype(np.int64) + offset]
    kind = [np.zeros(len(users), dtype=np.int64)]
    if use_attributes and len(data.attr_src):
        src.append(data.attr_src)
        dst.append(data.attr_dst)
        kind.append(data.attr_type)
    a, b, t = np.concatenate(src), np.concatenate(dst), np.concatenate(kind)
    row, col, rel = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([t, t])
    key = row * data.index.num_nodes + col
    key, first = np.unique(key, return_index=True)
    return torch.from_numpy(np.stack([row[first], col[first]])), torch.from_numpy(rel[first])
