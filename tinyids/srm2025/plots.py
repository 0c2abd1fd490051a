"""srm2025 figures: a bar chart per metric, ROC curves and confusion matrices per test set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, roc_curve

from tinyids.fileio import atomic_path
from tinyids.srm2025.names import DISPLAY_NAMES, in_order


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)


def _models(metrics: pd.DataFrame) -> list[str]:
    return in_order(metrics["model"])


def bar_chart(metrics: pd.DataFrame, metric: str, path: str | Path, smoke: bool = False) -> None:
    """Grouped bars: one group per model, one bar per (protocol, test set)."""
    plt = _plt()
    models = _models(metrics)
    combos = list(dict.fromkeys(zip(metrics["protocol"], metrics["test_set"])))
    width = 0.8 / max(len(combos), 1)
    fig, ax = plt.subplots(figsize=(max(8, 0.9 * len(models) + 2), 4.5))
    x = np.arange(len(models))
    for i, (protocol, test_set) in enumerate(combos):
        sub = metrics[(metrics["protocol"] == protocol) & (metrics["test_set"] == test_set)].set_index("model")
        values = [float(sub.loc[m, metric]) if m in sub.index else np.nan for m in models]
        ax.bar(x + (i - (len(combos) - 1) / 2) * width, values, width, label=f"{protocol} / {test_set}")
    ax.set_xticks(x)
    ax.set_xticklabels([DISPLAY_NAMES.get(m, m) for m in models], rotation=35, ha="right", fontsize=8)
    ax.set_ylabel(metric)
    ax.set_ylim(0, 1.0 if metric != "fpr" else max(0.05, float(np.nanmax(metrics[metric])) * 1.15))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    train_file = ", ".join(sorted(set(metrics["train_file"])))
    ax.set_title(f"srm2025 {metric} (trained on {train_file}){' [smoke]' if smoke else ''}", fontsize=10)
    _save(fig, path)


def roc_plot(scores: pd.DataFrame, protocol: str, test_set: str, path: str | Path, smoke: bool = False) -> None:
    plt = _plt()
    sub = scores[(scores["protocol"] == protocol) & (scores["test_set"] == test_set)]
    fig, ax = plt.subplots(figsize=(6, 5.5))
    for model in _models(sub):
        rows = sub[sub["model"] == model]
        y = (rows["y_true"].to_numpy() != 0).astype(int)
        if np.unique(y).size < 2:
            continue
        fpr, tpr, _ = roc_curve(y, rows["score"].to_numpy(dtype=np.float64))
        ax.plot(fpr, tpr, lw=1.2, label=DISPLAY_NAMES.get(model, model))
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(f"ROC, {protocol} protocol, {test_set}{' [smoke]' if smoke else ''}", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    _save(fig, path)


def confusion_grid(scores: pd.DataFrame, protocol: str, test_set: str, path: str | Path, smoke: bool = False) -> None:
    plt = _plt()
    sub = scores[(scores["protocol"] == protocol) & (scores["test_set"] == test_set)]
    models = _models(sub)
    cols = 4
    rows_n = max(1, int(np.ceil(len(models) / cols)))
    fig, axes = plt.subplots(rows_n, cols, figsize=(3.2 * cols, 3.0 * rows_n), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, model in zip(axes.ravel(), models):
        rows = sub[sub["model"] == model]
        cm = confusion_matrix((rows["y_true"] != 0).astype(int), (rows["y_pred"] != 0).astype(int), labels=[0, 1])
        ax.axis("on")
        ax.imshow(cm, cmap="Blues")
        for (i, j), v in np.ndenumerate(cm):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=9, color="white" if v > cm.max() / 2 else "black")
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["normal", "attack"], fontsize=7)
        ax.set_yticks([0, 1])
        ax.set_yticklabels(["normal", "attack"], fontsize=7)
        ax.set_title(DISPLAY_NAMES.get(model, model), fontsize=8)
    fig.suptitle(f"Confusion matrices (rows true, columns predicted), {protocol} / {test_set}{' [smoke]' if smoke else ''}", fontsize=10)
    _save(fig, path)
