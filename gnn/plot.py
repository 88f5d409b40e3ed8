"""The training plot: BPR loss and validation NDCG per epoch, rendered headless (Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after use("Agg"): the backend must be chosen before pyplot loads


def plot_history(history: list[dict[str, float]], path: Path, val_label: str = "validation NDCG") -> Path:
    """Write a PNG with the loss (left axis) and validation NDCG (right axis) per epoch; returns its path."""
    figure, loss_axis = plt.subplots(figsize=(7, 4), dpi=100)
    epochs = [h["epoch"] for h in history]
    loss_axis.plot(epochs, [h["loss"] for h in history], color="tab:blue", label="BPR loss")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("BPR loss", color="tab:blue")
    val_axis = loss_axis.twinx()
    evaluated = [h for h in history if "val_ndcg" in h]
    val_axis.plot(
        [h["epoch"] for h in evaluated],
        [h["val_ndcg"] for h in evaluated],
        color="tab:orange",
        marker="o",
        markersize=3,
        label=val_label,
    )
    val_axis.set_ylabel(val_label, color="tab:orange")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
