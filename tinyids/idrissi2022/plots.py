"""Figures of idrissi2022: confusion matrices per variant and accuracy versus model size."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tinyids.fileio import atomic_path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_png(matrix: np.ndarray, classes: Sequence[str], title: str, path: str | Path) -> None:
    plt = _plt()
    matrix = np.asarray(matrix)
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape, dtype=float), where=totals > 0)
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=35, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(j, i, f"{matrix[i, j]}", ha="center", va="center", fontsize=7,
                    color="white" if share[i, j] > 0.5 else "black")
    fig.colorbar(im, ax=ax, label="share of true class")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)


def accuracy_vs_size_png(metrics: pd.DataFrame, path: str | Path, paper: dict | None = None) -> None:
    """Test accuracy against the deployable size (.tflite bytes, else Keras file), log x axis."""
    plt = _plt()
    from tinyids.idrissi2022.comparison import UNIT_BYTES

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    markers = {"paper": "o", "dedup": "s"}
    # model_bytes: the .tflite where the variant is one, else the Keras file (metrics.csv)
    agg = metrics.groupby(["protocol", "model"], sort=False).agg(acc=("accuracy", "mean"), size=("model_bytes", "mean")).reset_index()
    for protocol, sub in agg.groupby("protocol", sort=False):
        ax.scatter(sub["size"], sub["acc"] * 100, marker=markers.get(protocol, "^"), label=f"ours ({protocol})")
        for _, r in sub.iterrows():
            ax.annotate(r["model"], (r["size"], r["acc"] * 100), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if paper:
        xs, ys, names = [], [], []
        for variant, spec in paper["table2"].items():
            xs.append(spec["size"]["value"] * UNIT_BYTES[spec["size"]["unit"]])
            ys.append(spec["accuracy_percent"])
            names.append(variant)
        ax.scatter(xs, ys, marker="x", color="black", label="paper (Table II)")
        for x, y, n in zip(xs, ys, names):
            ax.annotate(n, (x, y), fontsize=7, xytext=(3, -9), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("model size, bytes (.tflite; Keras .h5 for OM/POM/POM7)")
    ax.set_ylabel("test accuracy, %")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
