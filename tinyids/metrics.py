"""Classification metrics shared by the three studies.

One function computes every figure the papers report, so the studies cannot drift apart in how
they define precision, FPR or AUC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn import metrics as skm


def false_positive_rate(y_true_binary: np.ndarray, y_pred_binary: np.ndarray) -> float:
    """FP / (FP + TN) with 1 = attack (positive) and 0 = normal."""
    y_true_binary = np.asarray(y_true_binary).astype(int)
    y_pred_binary = np.asarray(y_pred_binary).astype(int)
    negatives = y_true_binary == 0
    if not negatives.any():
        return float("nan")
    return float(np.mean(y_pred_binary[negatives] == 1))


def binary_metrics(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    y_score: Sequence[float] | np.ndarray | None = None,
) -> dict[str, Any]:
    """Accuracy, precision, recall, F1 (positive class = attack = 1), FPR, ROC AUC, counts.

    Also reports the support-weighted precision/recall/F1 over both classes, which is what the
    srm2025 thesis tabulates.
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    out: dict[str, Any] = {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision": float(skm.precision_score(y_true, y_pred, zero_division=0)),
        "recall": float(skm.recall_score(y_true, y_pred, zero_division=0)),
        "f1": float(skm.f1_score(y_true, y_pred, zero_division=0)),
        "precision_weighted": float(skm.precision_score(y_true, y_pred, average="weighted", zero_division=0)),
        "recall_weighted": float(skm.recall_score(y_true, y_pred, average="weighted", zero_division=0)),
        "f1_weighted": float(skm.f1_score(y_true, y_pred, average="weighted", zero_division=0)),
        "fpr": false_positive_rate(y_true, y_pred),
        "tp": int(tp),
        "tn": int(tn),
        "fp": int(fp),
        "fn": int(fn),
        "n": int(y_true.size),
    }
    out["roc_auc"] = roc_auc_or_nan(y_true, y_score) if y_score is not None else float("nan")
    return out


def roc_auc_or_nan(y_true: np.ndarray, y_score: Sequence[float] | np.ndarray) -> float:
    """ROC AUC, or NaN when the test set holds a single class (AUC is undefined there)."""
    y_true = np.asarray(y_true)
    if np.unique(y_true).size < 2:
        return float("nan")
    return float(skm.roc_auc_score(y_true, np.asarray(y_score)))


def multiclass_metrics(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
) -> dict[str, Any]:
    """Accuracy, macro and weighted precision/recall/F1, and recall per named class."""
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    labels = list(range(len(class_names)))
    out: dict[str, Any] = {"accuracy": float(skm.accuracy_score(y_true, y_pred)), "n": int(y_true.size)}
    for average in ("macro", "weighted"):
        out[f"precision_{average}"] = float(
            skm.precision_score(y_true, y_pred, labels=labels, average=average, zero_division=0)
        )
        out[f"recall_{average}"] = float(
            skm.recall_score(y_true, y_pred, labels=labels, average=average, zero_division=0)
        )
        out[f"f1_{average}"] = float(skm.f1_score(y_true, y_pred, labels=labels, average=average, zero_division=0))
    per_class = skm.recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    for name, value in zip(class_names, per_class):
        out[f"recall_{name}"] = float(value)
    return out
