"""Metric rows, host latency and sizes for srm2025 models.

Definitions (every row of ``metrics.csv``; the MetricsRow columns of :mod:`tinyids.study.metrics`
come first, ``run`` = the study seed, ``model_bytes`` = ``serialized_bytes``):

- accuracy; precision / recall / F1 ``_weighted`` (support-weighted over normal and attack, what
  the thesis tabulates) and for the attack class alone; FPR = FP / (FP + TN) with attack positive;
  ROC AUC of the model's attack score (``tinyids.metrics.binary_metrics``). For the five-class
  target the same figures are computed on attack = any class but normal, plus ``mc_`` columns.
- ``train_time_s``: wall time of ``fit`` on one core (the hybrid: its members' plus calibration;
  tiny models: including the feature selection).
- ``serialized_bytes``: ``pickle`` size of the fitted Python model (pipeline incl. preprocessing).
- ``host_latency_us``: median wall time of one single-row prediction on this machine, model
  inference only (features already preprocessed), over ``latency_samples`` test rows.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tinyids.metrics import binary_metrics, multiclass_metrics
from tinyids.srm2025.names import MODEL_ORDER
from tinyids.srm2025.preprocessing import attack_indicator, class_names
from tinyids.study import metrics as metrics_file

STUDY = "srm2025"

METRICS = ("accuracy", "precision_weighted", "recall_weighted", "f1_weighted", "precision", "recall", "f1", "fpr", "roc_auc")


def metric_row(y_true: np.ndarray, y_pred: np.ndarray, score: np.ndarray, target: str) -> dict[str, Any]:
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    row = binary_metrics(attack_indicator(y_true, target), attack_indicator(y_pred, target), np.asarray(score, dtype=np.float64))
    if target != "binary":
        mc = multiclass_metrics(y_true, y_pred, class_names(target))
        row.update({f"mc_{k}": v for k, v in mc.items() if k != "n"})
    return row


def serialized_bytes(obj: Any) -> int:
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def single_row_latency_us(predict_one: Callable[[np.ndarray], Any], rows: np.ndarray, n: int) -> float:
    """Median microseconds of ``predict_one`` on one row (2-D, shape (1, k)) over ``n`` rows."""
    rows = np.asarray(rows)
    n = min(int(n), rows.shape[0])
    if n <= 0:
        return float("nan")
    predict_one(rows[:1])  # warm-up (lazy imports, caches)
    times = []
    for i in range(n):
        row = rows[i : i + 1]
        start = time.perf_counter()
        predict_one(row)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e6)


EXPORT_COLUMNS = (
    "c_source_bytes", "c_object_bytes", "c_text_bytes", "c_data_bytes", "c_bss_bytes", "c_latency_us",
    "c_parity_mismatches", "c_parity_rows", "c_vs_sklearn_mismatches", "plain_emlearn_vs_sklearn_mismatches",
)


def merge_metrics(run_metrics: list[pd.DataFrame], export_records: list[pd.DataFrame], int8_metrics: list[pd.DataFrame],
                  seed: int) -> pd.DataFrame:
    """One table: every (protocol, test set, model) row, with the C export figures of the tiny
    models (measured on the protocol's deploy test set) beside them. The MetricsRow columns
    (:mod:`tinyids.study.metrics`) come first: ``run`` is the study seed every model was fitted
    with, ``model_bytes`` the ``serialized_bytes`` of the evaluated model."""
    metrics = pd.concat([m for m in [*run_metrics, *int8_metrics] if len(m)], ignore_index=True)
    records = pd.concat([r for r in export_records if len(r)], ignore_index=True) if any(len(r) for r in export_records) else pd.DataFrame()
    if len(records):
        records = records.rename(columns={"n_test": "c_parity_rows"})
        if "c_parity_mismatches" in records.columns:
            records.loc[records["c_parity_mismatches"].isna(), "c_parity_rows"] = np.nan
        keep = ["protocol", "model", *[c for c in EXPORT_COLUMNS if c in records.columns]]
        metrics = metrics.merge(records[keep], on=["protocol", "model"], how="left")
    for column in EXPORT_COLUMNS:
        if column not in metrics.columns:
            metrics[column] = np.nan
    order = {"thesis": 0, "standard": 1}
    metrics["_p"] = metrics["protocol"].map(order).fillna(9)
    model_order = {m: i for i, m in enumerate(MODEL_ORDER)}
    metrics["_m"] = metrics["model"].map(model_order).fillna(99)
    metrics = metrics.sort_values(["_p", "test_set", "_m"], kind="stable").drop(columns=["_p", "_m"])
    metrics = metrics.reset_index(drop=True)
    metrics.insert(0, "study", STUDY)
    metrics["run"] = int(seed)
    metrics["model_bytes"] = metrics["serialized_bytes"]
    return metrics_file.order(metrics, "srm2025 metrics")

