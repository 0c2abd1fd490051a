"""One srm2025 protocol end to end: split, fit every model on the training rows, evaluate on each
test set. The tiny models, their selected test features and a calibration sample of training
rows are returned as a bundle (scaled and raw test features), which ``tinyids.srm2025.handover`` writes
as the declared files the export step reads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tinyids.srm2025 import models as full
from tinyids.srm2025 import tiny
from tinyids.srm2025.evaluate import metric_row, serialized_bytes, single_row_latency_us
from tinyids.srm2025.preprocessing import class_names, targets
from tinyids.srm2025.protocols import make_split


def _full_predict_one(name: str, model: Any) -> tuple[Callable, Callable]:
    """(prepare rows from a frame, predict one prepared row) for inference-only latency."""
    if name == "hybrid":
        rf_pre, rf_clf = model.rf.named_steps["pre"], model.rf.named_steps["clf"]
        svm_pre, svm_clf = model.svm.named_steps["pre"], model.svm.named_steps["clf"]

        def prepare(frame):
            return np.hstack([rf_pre.transform(frame), svm_pre.transform(frame)])

        n_rf = rf_pre.n_features_out_

        def predict_one(row):
            p_rf = rf_clf.predict_proba(row[:, :n_rf])
            d = np.asarray(svm_clf.decision_function(row[:, n_rf:]))
            p_svm = model.platt_.predict_proba(d.reshape(-1, 1) if d.ndim == 1 else d)
            return np.argmax(p_rf + p_svm, axis=1)

        return prepare, predict_one
    pre, clf = model.named_steps["pre"], model.named_steps["clf"]
    return pre.transform, clf.predict


def run_protocol(
    protocol: str,
    train_frame: pd.DataFrame,
    train_file: str,
    test_frames: dict[str, pd.DataFrame],
    cfg: dict[str, Any],
    seed: int,
    log: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Returns (metrics rows, per-row scores, tiny bundle) of one protocol."""
    target = cfg.get("target", "binary")
    sub = cfg.get("subsample") or {}
    split = make_split(
        protocol,
        train_frame,
        train_file,
        test_frames,
        test_size=float(cfg.get("thesis_test_size", 0.2)),
        seed=seed,
        subsample_train=sub.get("train"),
        subsample_test=sub.get("test"),
    )
    y_train = targets(split.train, target)
    if log:
        log.info("%s protocol: %d training rows from %s; test sets %s", protocol, len(split.train), train_file,
                 {k: len(v) for k, v in split.tests.items()})
    encoding = cfg.get("encoding", {"trees": "label", "linear": "onehot", "mlp": "onehot"})
    full_names = tuple(cfg.get("models", {}).get("enabled", full.FULL_MODELS))
    full_models, full_seconds, notes = full.fit_full_models(cfg.get("models", {}), encoding, split.train, y_train, seed, full_names, log)
    tiny_cfg = cfg.get("tiny", {})
    tiny_names = tuple(tiny_cfg.get("models", tiny.TINY_MODELS))
    if tiny_names:
        features, tiny_models, tiny_seconds, budget_rows = tiny.fit_tiny_models(tiny_cfg, split.train, y_train, seed, log)
    else:
        features, tiny_models, tiny_seconds, budget_rows = None, {}, {}, []
    latency_n = int(cfg.get("latency_samples", 200))

    rows: list[dict[str, Any]] = []
    scores: list[pd.DataFrame] = []
    bundle_tests: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    bundle_raw: dict[str, np.ndarray] = {}  # the same rows and columns before MinMax scaling
    latency: dict[str, float] = {}
    sizes = {name: serialized_bytes(m) for name, m in full_models.items()}
    sizes.update({name: serialized_bytes(m) for name, m in tiny_models.items()})
    for test_name, test_frame in split.tests.items():
        y_test = targets(test_frame, target)
        results: dict[str, tuple[np.ndarray, np.ndarray, str]] = {}
        for name, model in full_models.items():
            t0 = time.perf_counter()
            pred = np.asarray(model.predict(test_frame)).astype(np.int64)
            score = full.attack_score(model, test_frame)
            results[name] = (pred, score, "full")
            if name not in latency:
                prepare, predict_one = _full_predict_one(name, model)
                latency[name] = single_row_latency_us(predict_one, prepare(test_frame.iloc[:latency_n]), latency_n)
            if log:
                log.info("%s / %s: %s evaluated in %.1f s", protocol, test_name, name, time.perf_counter() - t0)
        if features is not None:
            x_test = features.transform(test_frame)
            bundle_tests[test_name] = (x_test, y_test)
            bundle_raw[test_name] = features.preprocessor_._encode(test_frame)[:, features.columns_].astype(np.float32)
            for name, model in tiny_models.items():
                results[name] = (model.predict(x_test), model.score(x_test), "tiny")
                if name not in latency:
                    latency[name] = single_row_latency_us(model.predict, x_test, latency_n)
        for name, (pred, score, family) in results.items():
            row = {
                "protocol": protocol,
                "train_file": train_file,
                "test_set": test_name,
                "model": name,
                "display_name": full.DISPLAY_NAMES.get(name, name),
                "family": family,
                "target": target,
                "n_train": len(split.train),
                "n_test": len(test_frame),
            }
            row.update(metric_row(y_test, pred, score, target))
            row["train_time_s"] = full_seconds.get(name, tiny_seconds.get(name))
            row["serialized_bytes"] = sizes[name]
            row["host_latency_us"] = latency[name]
            row["sklearn_agreement"] = tiny.sklearn_agreement(name, tiny_models[name], bundle_tests[test_name][0]) if family == "tiny" else np.nan
            row["notes"] = notes.get(name, "")
            rows.append(row)
            scores.append(
                pd.DataFrame(
                    {
                        "protocol": protocol,
                        "test_set": test_name,
                        "model": name,
                        "y_true": y_test.astype(np.int8),
                        "y_pred": np.asarray(pred).astype(np.int8),
                        "score": np.asarray(score, dtype=np.float32),
                    }
                )
            )
    rng = np.random.default_rng(seed)
    representative = None
    if features is not None:
        x_train = features.transform(split.train)
        take = rng.choice(len(x_train), size=min(len(x_train), int(tiny_cfg.get("calibration_rows", 500))), replace=False)
        representative = x_train[np.sort(take)]
    bundle = {
        "protocol": protocol,
        "train_file": train_file,
        "target": target,
        "class_names": list(class_names(target)),
        "features": features,
        "models": tiny_models,
        "train_seconds": tiny_seconds,
        "tests": bundle_tests,
        "raw_tests": bundle_raw,
        "representative": representative,
        "budget_rows": [{"protocol": protocol, **r} for r in budget_rows],
        "n_train": len(split.train),
        "seed": seed,
    }
    return pd.DataFrame(rows), pd.concat(scores, ignore_index=True), bundle
