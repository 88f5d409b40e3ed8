"""EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-to-item weight matrix in closed
form, B = I - P / diag(P) with P = (XᵀX + λI)⁻¹ over the binary user-by-item matrix X. Arrays in, arrays out.

It is the strongest simple baseline of the MovieLens benchmark and, as `ItemToItem`, the "people who rated this
also rated" evidence of conversation scoring: rows of B restricted to each item's strongest neighbours."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch


def ease_weights(users: np.ndarray, items: np.ndarray, num_items: int, l2: float) -> np.ndarray:
    """The EASE matrix B (num_items by num_items, zero diagonal, float32) of the interactions `users[i]`→`items[i]`
    (user indexes need not be dense). Computed in float64 with torch (several threads; a GPU is not needed at the
    sizes it is used for, a few thousand items)."""
    if num_items == 0:
        return np.zeros((0, 0), np.float32)
    _, dense_users = np.unique(users, return_inverse=True)
    matrix = sp.csr_matrix(
        (np.ones(len(items), np.float64), (dense_users, items)), shape=(int(dense_users.max(initial=-1)) + 1, num_items)
    )
    matrix.data[:] = 1.0  # repeated pairs count once
    gram = torch.from_numpy((matrix.T @ matrix).toarray())
    gram.diagonal().add_(l2)
    inverse = torch.linalg.inv(gram)
    weights = -inverse / inverse.diagonal()
    weights.diagonal().zero_()
    return weights.float().numpy()


@dataclass(frozen=True)
class ItemToItem:
    """The strongest `neighbours` weights of each item's EASE row (positive weights only), as a sparse items-by-items
    matrix over `item_ids`: what a liked item says about every other item."""

    item_ids: np.ndarray
    matrix: sp.csr_matrix

    FILE = "item_to_item.npz"

    @classmethod
    def fit(
        cls,
        item_ids: np.ndarray,
        users: np.ndarray,
        items: np.ndarray,
        l2: float = 300.0,
        max_items: int = 5_000,
        neighbours: int = 200,
    ) -> ItemToItem:
        """EASE over the `max_items` items with the most interactions (`items` index `item_ids`), each row cut to
        its `neighbours` largest positive weights."""
        counts = np.bincount(items, minlength=len(item_ids))
        kept = np.sort(np.argsort(-counts, kind="stable")[: min(max_items, int((counts > 0).sum()))])
        local = np.full(len(item_ids), -1, np.int64)
        local[kept] = np.arange(len(kept))
        mask = local[items] >= 0
        weights = ease_weights(users[mask], local[items[mask]], len(kept), l2)
        weights = np.maximum(weights, 0.0)
        top = min(neighbours, max(len(kept) - 1, 0))
        rows, cols, values = [], [], []
        if top > 0:
            best = np.argpartition(-weights, top - 1, axis=1)[:, :top]
            for row in range(len(kept)):
                chosen = best[row][weights[row, best[row]] > 0]
                rows.append(np.full(len(chosen), kept[row]))
                cols.append(kept[chosen])
                values.append(weights[row, chosen])
        n = len(item_ids)
        matrix = sp.csr_matrix(
            (np.concatenate(values or [[]]), (np.concatenate(rows or [[]]), np.concatenate(cols or [[]]))),
            shape=(n, n),
            dtype=np.float32,
        )
        return cls(np.asarray(item_ids, dtype=str), matrix)

    def save(self, model_dir: Path) -> None:
        """Write into the model directory."""
        m = self.matrix.tocoo()
        np.savez_compressed(model_dir / self.FILE, ids=self.item_ids, rows=m.row, cols=m.col, values=m.data)

    @classmethod
    def load(cls, model_dir: Path) -> ItemToItem | None:
        """Read from the model directory; None when it has none (a checkpoint from before it existed)."""
        path = model_dir / cls.FILE
        if not path.is_file():
            return None
        with np.load(path) as saved:
            n = len(saved["ids"])
            matrix = sp.csr_matrix((saved["values"], (saved["rows"], saved["cols"])), shape=(n, n), dtype=np.float32)
            return cls(saved["ids"].astype(str), matrix)
