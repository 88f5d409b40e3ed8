"""Item-to-item evidence for conversations, beside the embeddings: items that people liked together in past
conversations, and genres, people or tags shared with the items the user likes. Sparse matrices in the model's item
order, built once from two graph reads (`graph.recommend.co_liked_items`, `graph.recommend.item_attributes`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

ATTRIBUTE_KINDS = ("IN_GENRE", "DIRECTED", "ACTED_IN", "WROTE", "TAGGED")
# Kinds whose evidence comes only from the attributes the user names ("superhero movies"), not from those the liked
# items share: MovieLens tags are sparse and loose ("classic", "atmospheric"); as item-to-item likeness they cost
# ReDial recall (bench/eval_redial.py Recall@10 0.157 with them, 0.164 named only).
NAMED_ONLY = frozenset({"TAGGED"})
SIGNALS = ("co_liked", *ATTRIBUTE_KINDS)
# The attribute kinds through which an item has an entity of each label (a genre and a tag may share an id).
LABEL_KINDS = {"Genre": ("IN_GENRE",), "Person": ("DIRECTED", "ACTED_IN", "WROTE"), "Tag": ("TAGGED",)}


class ItemNeighbours:
    """Co-like counts (symmetric, items by items) and one binary items-by-attributes matrix per attribute kind."""

    def __init__(
        self,
        item_ids: Sequence[str],
        co_liked: Sequence[tuple[str, str, int]],
        attributes: Sequence[tuple[str, str, str]],
    ) -> None:
        self.position = {item_id: row for row, item_id in enumerate(item_ids)}
        n = len(self.position)
        pairs = [
            (self.position[a], self.position[b], w) for a, b, w in co_liked if a in self.position and b in self.position
        ]
        a, b, w = (np.array(column) for column in zip(*pairs, strict=True)) if pairs else ([], [], [])
        counts = sp.coo_matrix((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n), dtype=np.float32).tocsr()
        liked_with = np.asarray(counts.sum(axis=1)).ravel()
        # P(b liked | a liked) among the people who liked a with anything else: popular items do not swamp the rest.
        self.co_liked = (sp.diags(1.0 / np.maximum(liked_with, 1.0)) @ counts).tocsr()
        self.attributes: dict[str, sp.csr_matrix] = {}
        self.columns: dict[str, dict[str, int]] = {}
        for kind in ATTRIBUTE_KINDS:
            edges = [(self.position[i], attr) for i, k, attr in attributes if k == kind and i in self.position]
            columns = {attr: c for c, attr in enumerate(sorted({attr for _, attr in edges}))}
            rows = np.array([r for r, _ in edges], dtype=np.int64)
            cols = np.array([columns[attr] for _, attr in edges], dtype=np.int64)
            matrix = sp.coo_matrix((np.ones(len(edges), np.float32), (rows, cols)), shape=(n, max(len(columns), 1)))
            self.attributes[kind] = (matrix.tocsr() > 0).astype(np.float32)
            self.columns[kind] = columns
        self._attribute_counts = {k: np.asarray(m.sum(axis=1)).ravel() for k, m in self.attributes.items()}

    def evidence(
        self, liked: Mapping[str, float], liked_attributes: Mapping[str, float] | None = None
    ) -> dict[str, np.ndarray]:
        """Per signal, every item's evidence from the liked items (id → weight) and liked genres, people or tags (id →
        weight), scaled so that the best item has 1; an item's likeness to itself does not count; the `NAMED_ONLY`
        kinds count the named attributes only. Unknown ids are ignored."""
        weights = self.item_weights(liked)
        out = {"co_liked": self.co_liked.T @ weights}
        for kind, matrix in self.attributes.items():
            profile = matrix.T @ weights if kind not in NAMED_ONLY else np.zeros(matrix.shape[1], np.float32)
            for attribute, weight in (liked_attributes or {}).items():
                if attribute in self.columns[kind] and weight > 0:
                    profile[self.columns[kind][attribute]] += weight
            shared = matrix @ profile
            if kind not in NAMED_ONLY:
                shared -= weights * self._attribute_counts[kind]
            out[kind] = shared
        return {signal: scaled(values) for signal, values in out.items()}

    def matching(self, attributes: Collection[tuple[str, str]]) -> np.ndarray:
        """Every item's share of `attributes` ((label, id) of genres, people, tags or items: an item has itself) that
        it has, a person in any role: 1 for an item with all of them; an unknown one counts as missing; all zeros for
        none."""
        wanted = set(attributes)
        share = np.zeros(len(self.position), dtype=np.float32)
        for label, attribute in wanted:
            has = np.zeros(len(self.position), dtype=bool)
            if label == "Item" and attribute in self.position:
                has[self.position[attribute]] = True
            for kind in LABEL_KINDS.get(label, ()):
                column = self.columns[kind].get(attribute)
                if column is not None:
                    has |= self.attributes[kind][:, [column]].toarray().ravel() > 0
            share += has
        return share / max(len(wanted), 1)

    def item_weights(self, liked: Mapping[str, float]) -> np.ndarray:
        """The positive weights of `liked` (item id → weight) as a vector in the item order; unknown ids ignored."""
        weights = np.zeros(len(self.position), dtype=np.float32)
        for item_id, weight in liked.items():
            if item_id in self.position and weight > 0:
                weights[self.position[item_id]] = weight
        return weights


def scaled(values: np.ndarray) -> np.ndarray:
    """Non-negative values over their maximum (all zeros stay zeros)."""
    values = np.maximum(np.asarray(values, dtype=np.float32), 0.0)
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else values
