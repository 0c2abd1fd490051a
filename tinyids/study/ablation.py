"""The cost of every compression step, in one schema for every study
(``results/<study>/quantization_ablation.csv`` and ``..._zero_point.csv``).

One row per (protocol, run, model): the float model before any compression, after pruning and
clustering (still float), the float model fed de-quantized int8 inputs (the input quantization
alone), the dynamic-range ``.tflite``, the full-int8 ``.tflite``; accuracy and macro F1 of each,
ROC AUC where the task is binary, and the bytes of each model file. A step a model does not have
(no pruning, say) is NaN, never a copy of the previous step. The second file has, per input
feature, the share of the non-zero test values that quantize to the input zero point (the
information int8 rounds away before the first layer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.errors import DataError

STEPS = ("float", "compressed_float", "input_quantized", "dynamic_range", "full_int8")
KEYS = ("study", "protocol", "run", "model", "test_set")
COLUMNS = KEYS + tuple(f"{m}_{s}" for s in STEPS for m in ("accuracy", "macro_f1", "roc_auc")) + \
    tuple(f"bytes_{s}" for s in STEPS)
ZERO_POINT_COLUMNS = KEYS + ("feature", "nonzero_values", "to_zero_point", "share_to_zero_point")


def dequantize_inputs(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """What the int8 model sees of ``x``, back in float: round to the int8 grid, clip, dequantize."""
    q = np.clip(np.round(np.asarray(x, np.float64) / scale) + zero_point, -128, 127)
    return ((q - zero_point) * scale).astype(np.float32)


def zero_point_share(x: np.ndarray, scale: float, zero_point: int, names: Sequence[str]) -> list[dict[str, Any]]:
    """Per feature: non-zero test values, how many quantize to the zero point, and the share."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    if x.shape[1] != len(names):
        raise DataError(f"zero_point_share: {x.shape[1]} feature columns but {len(names)} names")
    q = np.clip(np.round(x / scale) + zero_point, -128, 127)
    rows = []
    for j, name in enumerate(names):
        nz = x[:, j] != 0
        n = int(nz.sum())
        z = int(np.sum(q[nz, j] == zero_point))
        rows.append({"feature": name, "nonzero_values": n, "to_zero_point": z,
                     "share_to_zero_point": z / n if n else float("nan")})
    return rows


def scores(y_true: np.ndarray, y_pred: np.ndarray, y_score: np.ndarray | None = None) -> dict[str, float]:
    """accuracy, macro F1 and (binary tasks with a score) ROC AUC of one step."""
    from sklearn.metrics import f1_score

    from tinyids.metrics import roc_auc_or_nan

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    out = {"accuracy": float(np.mean(y_true == y_pred)) if len(y_true) else float("nan"),
           "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
           "roc_auc": float("nan")}
    if y_score is not None and len(np.unique(y_true)) == 2:
        out["roc_auc"] = float(roc_auc_or_nan(y_true, np.asarray(y_score).reshape(-1)))
    return out


def row(keys: Mapping[str, Any], steps: Mapping[str, Mapping[str, float] | None],
        sizes: Mapping[str, int | None]) -> dict[str, Any]:
    """One ablation row from per-step ``scores`` (None: the model has no such step) and bytes."""
    unknown = set(steps) - set(STEPS) | set(sizes) - set(STEPS)
    if unknown:
        raise DataError(f"ablation row: unknown step(s) {sorted(unknown)}; steps are {', '.join(STEPS)}")
    out: dict[str, Any] = {k: keys[k] for k in KEYS}
    for s in STEPS:
        sc = steps.get(s) or {}
        for m in ("accuracy", "macro_f1", "roc_auc"):
            out[f"{m}_{s}"] = sc.get(m, float("nan"))
        size = sizes.get(s)
        out[f"bytes_{s}"] = float("nan") if size is None else int(size)
    return out


def write(rows: Iterable[Mapping[str, Any]], path: str | Path, columns: Sequence[str] = COLUMNS) -> pd.DataFrame:
    from tinyids.fileio import atomic_path

    table = pd.DataFrame(list(rows))
    missing = [c for c in columns if c not in table.columns] if not table.empty else []
    if missing:
        raise DataError(f"{path}: ablation rows lack column(s) {', '.join(missing)}")
    table = table if not table.empty else pd.DataFrame(columns=list(columns))
    table = table[list(columns) + [c for c in table.columns if c not in columns]]
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)
    return table


def plot(table: pd.DataFrame, path: str | Path, title: str) -> None:
    """Accuracy after each step, one line per (protocol, model), mean over runs with sd bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = np.arange(len(STEPS))
    for (protocol, model), g in table.groupby(["protocol", "model"], sort=True):
        acc = g[[f"accuracy_{s}" for s in STEPS]].astype(float)
        mean, sd = acc.mean().to_numpy(), acc.std(ddof=1).fillna(0).to_numpy()
        ok = ~np.isnan(mean)
        ax.errorbar(xs[ok], mean[ok], yerr=sd[ok], marker="o", capsize=3, label=f"{model} ({protocol})")
    ax.set_xticks(xs, [s.replace("_", "\n") for s in STEPS])
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)
