"""ibrahim2025 step functions that need no training: table reading, metrics rows, deployables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401
from tinyids.ibrahim2025 import steps


def test_read_table_accepts_the_raw_gz_csv_and_strips_padded_text(data_mirror):
    frame = steps.read_table(data_mirror / "wustl-ehms-2020" / "wustl-ehms-2020_with_attacks_categories.csv.gz")
    assert len(frame) == 16318
    assert set(frame["Dir"]) == {"->"} and all(f == f.strip() for f in frame["Flgs"].unique())


def test_metrics_rows_are_written_sorted_with_derived_columns(tmp_path):
    def record(protocol, model, tp, fn):
        m = {"accuracy": 0.9, "precision": 0.9, "recall": 0.9, "f1": 0.9, "roc_auc": 0.95, "fpr": 0.1,
             "tp": tp, "tn": 50, "fp": 5, "fn": fn, "n": tp + fn + 55}
        return {"protocol": protocol, "model": model, "fold": 0, "metrics": m, "metrics_int8": m,
                "int8_agreement": 1.0, "weight_sparsity": 0.0, "kernel_sparsity": {"a": 0.1, "b": 0.3},
                "sizes": {"parameters": 10, "nonzero_parameters": 9}, "latency_int8": {"median_us": 3.0, "p95_us": 4.0},
                "latency_float": {"median_us": 5.0}, "train": {"seconds": 2.0, "steps_per_second": 50.0}}

    paths = []
    for i, (p, m) in enumerate([("sound", "full"), ("paper", "pruned_x"), ("paper", "full")]):
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps(record(p, m, 40, 10)))
        paths.append(path)
    frame = steps.collect_metrics(paths, tmp_path / "metrics.csv")
    assert list(zip(frame["protocol"], frame["model"])) == [("paper", "full"), ("paper", "pruned_x"), ("sound", "full")]
    assert frame["attack_share"].iloc[0] == pytest.approx(50 / 105)
    assert frame["kernel_sparsity_min"].iloc[0] == 0.1 and frame["kernel_sparsity_max"].iloc[0] == 0.3
    assert pd.read_csv(tmp_path / "metrics.csv").shape == frame.shape


def test_statistics_step_writes_mcnemar_per_fold_and_a_fold_t_test(tmp_path):
    config = {"seed": 1, "ibrahim2025": {"split": {"cv_folds": 3}, "evaluation": {"bootstrap_resamples": 200},
                                         "pruning": {"variants": {"pruned_paper": 100}},
                                         "deploy": {"models": ["full", "pruned_paper"]}}}
    rng = np.random.default_rng(0)
    predictions = {}
    for protocol in ("paper", "sound"):
        for fold in range(3):
            y = rng.integers(0, 2, 60)
            for model, noise in (("full", 0.05), ("pruned_paper", 0.2)):
                pred = np.where(rng.random(60) < noise, 1 - y, y)
                path = tmp_path / f"{protocol}{fold}{model}.npz"
                np.savez(path, y_test=y, pred=pred)
                predictions[(protocol, fold, model)] = path
    frame = steps.statistics(predictions, config, tmp_path / "stats.csv", tmp_path / "ttest.csv")
    assert len(frame) == 6 and frame["p_value"].between(0, 1).all()
    ttest = pd.read_csv(tmp_path / "ttest.csv")
    assert set(ttest["protocol"]) == {"paper", "sound"} and (ttest["folds"] == 3).all()
    sel = frame[frame["protocol"] == "sound"]
    assert ttest[ttest["protocol"] == "sound"]["mean_a"].iloc[0] == pytest.approx(sel["accuracy_a"].mean())
