"""Figures of one protocol (fold 0): ROC curves, training curves, confusion matrices.

They mirror the paper's Figures 2-7 (accuracy and loss per epoch, AUC, confusion matrices) for
the full model and every pruning variant.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve  # noqa: E402

from tinyids.fileio import atomic_path  # noqa: E402


def _save(fig, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)


def roc_figure(predictions: Mapping[str, Mapping[str, np.ndarray]], title: str, path: str | Path) -> None:
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, p in predictions.items():
        y, score = p["y_test"], p["score"]
        if np.unique(y).size < 2:
            continue
        fpr, tpr, _ = roc_curve(y, score)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, score):.4f})")
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title=title)
    ax.legend(loc="lower right", fontsize=8)
    _save(fig, path)


def training_figure(histories: Mapping[str, pd.DataFrame], title: str, path: str | Path) -> None:
    fig, axes = plt.subplots(len(histories), 2, figsize=(10, 3 * len(histories)), squeeze=False)
    for row, (name, hist) in enumerate(histories.items()):
        for col, metric in enumerate(("accuracy", "loss")):
            ax = axes[row][col]
            if metric in hist:
                ax.plot(hist["epoch"], hist[metric], marker=".", label="training")
            if f"val_{metric}" in hist:
                ax.plot(hist["epoch"], hist[f"val_{metric}"], marker=".", label="validation")
            ax.set(xlabel="epoch", ylabel=metric, title=f"{name}: {metric}")
            ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)


def confusion_figure(predictions: Mapping[str, Mapping[str, np.ndarray]], title: str, path: str | Path) -> None:
    fig, axes = plt.subplots(1, len(predictions), figsize=(4 * len(predictions), 4), squeeze=False)
    for ax, (name, p) in zip(axes[0], predictions.items()):
        cm = confusion_matrix(p["y_test"], p["pred"], labels=[0, 1])
        ax.imshow(cm, cmap="Blues")
        for (i, j), v in np.ndenumerate(cm):
            ax.text(j, i, str(v), ha="center", va="center", color="black", fontsize=11)
        ax.set_xticks([0, 1], ["normal", "attack"])
        ax.set_yticks([0, 1], ["normal", "attack"])
        ax.set(xlabel="predicted", ylabel="true", title=name)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, path)
