"""Accuracy against model size, one panel and one Pareto front per study: accuracies of different
studies come from different datasets, so no point is compared with another study's model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.errors import ConfigError
from tinyids.study import metrics as metrics_file

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

POINT_COLUMNS = ("study", "model", "protocol", "accuracy", "size_bytes")


def collect_points(sources: Mapping[str, Mapping[str, Any]], base: Path = Path(".")) -> pd.DataFrame:
    """Read each study's metrics (a MetricsRow file) with the column mapping from config
    ``report.pareto``.

    A source names ``metrics`` (csv path), ``model``, ``accuracy`` and ``size`` columns (``size``
    may list several: the first with a value counts), an optional ``protocol`` column and an
    optional ``where`` (column -> allowed values) filter.
    """
    frames = []
    for study, spec in sources.items():
        metrics = metrics_file.read(base / spec["metrics"])
        size_columns = [spec["size"]] if isinstance(spec["size"], str) else list(spec["size"])
        for key, column in [("model", spec["model"]), ("accuracy", spec["accuracy"])] + [("size", c) for c in size_columns]:
            if column not in metrics.columns:
                raise ConfigError(f"report.pareto.{study}.{key}: column '{column}' not in {spec['metrics']}")
        for column, allowed in (spec.get("where") or {}).items():
            metrics = metrics[metrics[column].astype(str).isin([str(a) for a in allowed])]
        protocol = metrics[spec["protocol"]].astype(str) if spec.get("protocol") else ""
        frames.append(pd.DataFrame({
            "study": study,
            "model": metrics[spec["model"]].astype(str),
            "protocol": protocol,
            "accuracy": metrics[spec["accuracy"]].astype(float),
            # the first size column that has a value: e.g. .tflite bytes, else the Keras file
            "size_bytes": metrics[size_columns].astype(float).bfill(axis=1).iloc[:, 0],
        }))
    points = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POINT_COLUMNS)
    points = points[np.isfinite(points["size_bytes"]) & (points["size_bytes"] > 0)]
    return points.reset_index(drop=True)


def pareto_front(points: pd.DataFrame) -> pd.Series:
    """True for points no other point beats on both size (smaller) and accuracy (larger)."""
    sizes = points["size_bytes"].to_numpy()
    accs = points["accuracy"].to_numpy()
    front = np.ones(len(points), dtype=bool)
    for i in range(len(points)):
        dominated = (sizes <= sizes[i]) & (accs >= accs[i]) & ((sizes < sizes[i]) | (accs > accs[i]))
        front[i] = not dominated.any()
    return pd.Series(front, index=points.index)


def plot_pareto(points: pd.DataFrame, path: str | Path, title: str, columns: int = 2) -> None:
    """One panel per study (in study order), each with its own front; models are labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    studies = list(dict.fromkeys(points["study"])) if len(points) else []
    ncols = max(1, min(columns, len(studies)))
    nrows = max(1, -(-len(studies) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.0 * nrows + 0.4), dpi=110, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= len(studies):
            ax.set_axis_off()
            if not studies:
                ax.text(0.5, 0.5, "no accuracy/size points", ha="center", va="center", transform=ax.transAxes)
            continue
        study = studies[i]
        group = points[points["study"] == study]
        ax.scatter(group["size_bytes"], group["accuracy"], marker=MARKERS[i % len(MARKERS)], alpha=0.8, s=18)
        for row in group.itertuples():
            ax.annotate(row.model, (row.size_bytes, row.accuracy), fontsize=6, xytext=(3, 2), textcoords="offset points")
        front = group[pareto_front(group)].sort_values("size_bytes")
        ax.step(front["size_bytes"], front["accuracy"], where="post", color="black", lw=1, label="Pareto front")
        protocols = ", ".join(sorted(set(group["protocol"].astype(str)) - {""}))
        ax.set_title(f"{study}" + (f" ({protocols})" if protocols else ""), fontsize=9)
        ax.set_xscale("log")
        ax.set_xlabel("model size (bytes, log scale)", fontsize=8)
        ax.set_ylabel("test accuracy", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6, loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
