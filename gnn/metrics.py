"""Top-K ranking metrics over all candidate items: Precision, Recall and NDCG at several cut-offs."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def top_k_items(
    user_vectors: Tensor,
    item_vectors: Tensor,
    k: int,
    exclude: tuple[np.ndarray, np.ndarray] | None = None,
    candidates: np.ndarray | None = None,
    batch_size: int = 1024,
) -> np.ndarray:
    """The `k` best items (by dot product) of each user row; `exclude` = (rows, items) pairs never recommended,
    `candidates` = the only items allowed (all when None)."""
    num_users, num_items = user_vectors.shape[0], item_vectors.shape[0]
    allowed = torch.ones(num_items, dtype=torch.bool, device=item_vectors.device)
    if candidates is not None:
        allowed = torch.zeros_like(allowed)
        allowed[torch.as_tensor(candidates, device=allowed.device)] = True
    ex_rows = torch.as_tensor(exclude[0] if exclude is not None else np.zeros(0, np.int64), device=allowed.device)
    ex_items = torch.as_tensor(exclude[1] if exclude is not None else np.zeros(0, np.int64), device=allowed.device)
    result = []
    with torch.no_grad():
        for start in range(0, num_users, batch_size):
            stop = min(start + batch_size, num_users)
            scores = (user_vectors[start:stop] @ item_vectors.T).float()
            scores[:, ~allowed] = -torch.inf
            in_batch = (ex_rows >= start) & (ex_rows < stop)
            scores[ex_rows[in_batch] - start, ex_items[in_batch]] = -torch.inf
            result.append(scores.topk(min(k, num_items), dim=1).indices.cpu().numpy())
    return np.concatenate(result) if result else np.zeros((0, k), dtype=np.int64)


def ranking_metrics(
    top: np.ndarray,
    relevant: tuple[np.ndarray, np.ndarray],
    num_items: int,
    ks: tuple[int, ...] = (5, 10, 20),
) -> dict[str, float]:
    """Mean precision@k, recall@k and ndcg@k over the rows of `top` that have at least one relevant item;
    `relevant` = (rows, items) pairs."""
    rows, items = relevant
    relevant_count = np.bincount(rows, minlength=top.shape[0])
    relevant_keys = np.unique(rows.astype(np.int64) * num_items + items)  # not a users x items mask: 100 k x 650 k
    hits = np.isin(np.arange(top.shape[0], dtype=np.int64)[:, None] * num_items + top, relevant_keys)
    evaluated = relevant_count > 0
    discounts = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    metrics: dict[str, float] = {}
    for k in ks:
        hit_k = hits[evaluated, :k]
        count = relevant_count[evaluated]
        dcg = (hit_k * discounts[:k]).sum(axis=1)
        ideal = np.cumsum(discounts[:k])[np.minimum(count, k) - 1]
        metrics[f"precision@{k}"] = float((hit_k.sum(axis=1) / k).mean())
        metrics[f"recall@{k}"] = float((hit_k.sum(axis=1) / count).mean())
        metrics[f"ndcg@{k}"] = float((dcg / ideal).mean())
    return metrics


def evaluate(
    user_vectors: Tensor,
    item_vectors: Tensor,
    relevant: tuple[np.ndarray, np.ndarray],
    exclude: tuple[np.ndarray, np.ndarray] | None = None,
    candidates: np.ndarray | None = None,
    ks: tuple[int, ...] = (5, 10, 20),
) -> dict[str, float]:
    """Rank every candidate item for every user and score the ranking against the relevant (user, item) pairs."""
    top = top_k_items(user_vectors, item_vectors, max(ks), exclude, candidates)
    return ranking_metrics(top, relevant, item_vectors.shape[0], ks)
