"""Every study's metrics.csv writer puts the MetricsRow columns first (seed or fold as ``run``,
the evaluated model's bytes as ``model_bytes``) and keeps its own numbers; the MetricsRow reader
names the file, row and column of a malformed cell; idrissi2022's attack-vs-normal figures come
from the same predictions as its multi-class ones."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401
from tinyids.errors import DataError
from tinyids.study import metrics


def _srm_run_rows() -> pd.DataFrame:
    rows = []
    for protocol, test_set in (("standard", "KDDTest+"), ("thesis", "holdout")):
        for model, family in (("tiny_rf", "tiny"), ("rf", "full")):
            rows.append({"protocol": protocol, "train_file": "KDDTrain+_20Percent", "test_set": test_set, "model": model,
                         "family": family, "accuracy": 0.91, "precision": 0.9, "recall": 0.8, "f1": 0.85, "fpr": 0.05,
                         "roc_auc": 0.97, "precision_weighted": 0.9, "serialized_bytes": 1234 + len(model)})
    return pd.DataFrame(rows)


def test_srm2025_metrics_start_with_the_shared_columns_and_keep_every_number():
    from tinyids.srm2025.evaluate import merge_metrics

    runs = _srm_run_rows()
    out = merge_metrics([runs], [pd.DataFrame()], [pd.DataFrame()], seed=42)
    assert tuple(out.columns[: len(metrics.COLUMNS)]) == metrics.COLUMNS
    assert set(out["study"]) == {"srm2025"} and set(out["run"]) == {42}
    assert (out["model_bytes"] == out["serialized_bytes"]).all()
    assert list(out["protocol"]) == ["thesis", "thesis", "standard", "standard"]  # the study's order, unchanged
    merged = out.merge(runs, on=["protocol", "test_set", "model"], suffixes=("", "_in"))
    for column in ("accuracy", "precision", "recall", "f1", "fpr", "roc_auc", "precision_weighted"):
        assert (merged[column] == merged[f"{column}_in"]).all(), column


def test_ibrahim2025_metrics_name_the_fold_run_and_the_keras_file_model_bytes(tmp_path):
    from tinyids.ibrahim2025 import steps

    m = {"accuracy": 0.9, "precision": 0.8, "recall": 0.7, "f1": 0.75, "roc_auc": 0.95, "fpr": 0.1,
         "tp": 40, "tn": 50, "fp": 5, "fn": 10, "n": 105}
    paths = []
    for fold in (1, 0):
        record = {"protocol": "sound", "model": "full", "fold": fold, "metrics": m, "metrics_int8": m,
                  "int8_agreement": 1.0, "weight_sparsity": 0.0, "kernel_sparsity": {"a": 0.1},
                  "sizes": {"parameters": 10, "nonzero_parameters": 9, "keras_bytes": 5000, "tflite_int8_bytes": 900},
                  "latency_int8": {"median_us": 3.0, "p95_us": 4.0}, "latency_float": {"median_us": 5.0},
                  "train": {"seconds": 2.0, "steps_per_second": 50.0}}
        paths.append(tmp_path / f"{fold}.json")
        paths[-1].write_text(json.dumps(record))
    frame = steps.collect_metrics(paths, tmp_path / "metrics.csv")
    back = metrics.read(tmp_path / "metrics.csv")
    assert tuple(back.columns[: len(metrics.COLUMNS)]) == metrics.COLUMNS and back.shape == frame.shape
    assert list(back["run"]) == [0, 1] and set(back["test_set"]) == {"test"} and "fold" not in back
    assert (back["model_bytes"] == 5000).all() and (back["tflite_int8_bytes"] == 900).all()
    assert (back["fpr"] == 0.1).all() and (back["tp"] == 40).all()


def test_idrissi2022_metrics_rows_rename_variant_and_seed_and_take_the_evaluated_file_size():
    from tinyids.idrissi2022.steps import metrics_rows

    frame = pd.DataFrame({"protocol": ["dedup", "dedup"], "variant": ["OM", "tMO"], "seed": [3, 3],
                          "accuracy": [0.9, 0.8], "precision": [0.9, 0.8], "recall": [0.9, 0.8], "f1": [0.9, 0.8],
                          "fpr": [0.01, 0.02], "roc_auc": [0.99, 0.98], "keras_bytes": [300_000, 15_000],
                          "tflite_bytes": [np.nan, 4_000], "source": ["testbed", "testbed"]})
    out = metrics_rows(frame, "metrics.csv")
    assert tuple(out.columns[: len(metrics.COLUMNS)]) == metrics.COLUMNS
    assert list(out["model"]) == ["OM", "tMO"] and list(out["run"]) == [3, 3] and "variant" not in out
    assert list(out["model_bytes"]) == [300_000, 4_000]
    assert list(out["accuracy"]) == [0.9, 0.8] and list(out["source"]) == ["testbed", "testbed"]


def test_idrissi2022_attack_metrics_treat_every_class_but_normal_as_attack():
    from tinyids.idrissi2022.evaluation import attack_metrics

    classes = ["normal", "scan_A", "sparta"]
    y_true = np.array([0, 0, 1, 2, 2])
    probabilities = np.array([[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.6, 0.1, 0.3], [0.3, 0.3, 0.4]])
    m = attack_metrics(y_true, probabilities, classes)
    # predicted attack: rows 1, 2, 4 (sparta predicted as scan_A still counts as a detected attack)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["fpr"] == pytest.approx(0.5) and m["f1"] == pytest.approx(2 / 3)
    assert m["roc_auc"] == pytest.approx(4 / 6)  # attack score 1 - P(normal)
    with pytest.raises(ValueError, match="lack 'normal'"):
        attack_metrics(y_true, probabilities, ["benign", "a", "b"])


def _metrics_row(**over):
    row = dict(zip(metrics.COLUMNS, ["toy", "sound", "m", 0, "test", 0.9, 0.8, 0.7, 0.75, 0.1, 0.95, 100]))
    row.update(over)
    return row


def test_a_malformed_metrics_file_is_an_error_naming_file_row_and_column(tmp_path):
    path = tmp_path / "metrics.csv"
    pd.DataFrame([_metrics_row(), _metrics_row(), _metrics_row(f1="high")]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"metrics\.csv: row 4, column f1: 'high' is not a number"):
        metrics.read(path)
    pd.DataFrame([_metrics_row(), _metrics_row(model="")]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"metrics\.csv: row 3, column model is empty"):
        metrics.read(path)
    pd.DataFrame([_metrics_row()]).drop(columns=["fpr", "run"]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"metrics\.csv: metrics lack column\(s\) run, fpr"):
        metrics.read(path)
    path.write_text("")
    with pytest.raises(DataError, match=r"metrics\.csv: cannot read the metrics"):
        metrics.read(path)
