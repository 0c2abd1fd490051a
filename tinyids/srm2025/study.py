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
    encoding = cfg["encoding"]
    full_names = tuple(cfg.get("models", {}).get("enabled", full.FULL_MODELS))
    full_models, full_seconds, notes = full.fit_full_models(cfg.get("models", {}), encoding, split.train, y_train, seed, full_names, log)
    tiny_cfg = cfg.get("tiny", {})
    tiny_names = tuple(tiny_cfg.get("models", tiny.TINY_MODELS))
    if tiny_names:
        features, tiny_models, tiny_seconds, budget_rows = tiny.fit_tiny_models(
            tiny_cfg, split.train, y_train, seed, log, encoding=encoding["tiny"])
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
    encodings = encoding_comparison(protocol, train_file, split, y_train, target, cfg, seed, pd.DataFrame(rows),
                                    full_models, bool(tiny_names), log)
    bundle = {
        "encodings": encodings,
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


# ---------------------------------------------------------------------------------------------
# Label vs one-hot: the thesis says label encoding (the default of every model family); the
# alternative (config ``compare_encoding.encoding``) is fitted again for the models it changes.
FAMILIES = {"rf": ("trees",), "svm": ("linear",), "lr": ("linear",), "mlp": ("mlp",), "hybrid": ("trees", "linear")}
ENCODING_METRICS = ("accuracy", "precision_weighted", "recall_weighted", "fpr", "roc_auc")
ENCODING_COLUMNS = ("protocol", "train_file", "test_set", "model", "encoding", "default", *ENCODING_METRICS)


def model_encoding(model: str, encoding: dict[str, str]) -> str:
    """The encoding of one model under ``encoding`` (``trees+linear`` spelled out for the hybrid)."""
    families = ("tiny",) if model.startswith("tiny_") else FAMILIES[model]
    return "+".join(dict.fromkeys(encoding[f] for f in families))


def encoding_comparison(protocol: str, train_file: str, split: Any, y_train: np.ndarray, target: str,
                        cfg: dict[str, Any], seed: int, default_rows: pd.DataFrame, fitted: dict[str, Any],
                        with_tiny: bool, log: Any = None) -> pd.DataFrame:
    """Both encodings of every model the alternative encoding changes, on every test set:
    ``ENCODING_COLUMNS`` (``default`` marks the configured encoding, whose figures are the
    metrics rows). Empty when ``compare_encoding.encoding`` is null or changes no model."""
    alternative = cfg["compare_encoding"]["encoding"]
    if alternative is None:
        return pd.DataFrame(columns=list(ENCODING_COLUMNS))
    encoding = cfg["encoding"]
    alt_encoding = {family: alternative for family in encoding}
    changed = [f for f in encoding if encoding[f] != alternative]
    full_names = tuple(fitted)
    refit_full = [n for n in full_names if n != "hybrid" and set(FAMILIES[n]) & set(changed)]
    hybrid = "hybrid" in full_names and bool(set(FAMILIES["hybrid"]) & set(changed))
    models, _, _ = full.fit_full_models(cfg.get("models", {}), alt_encoding, split.train, y_train, seed, tuple(refit_full), log)
    if hybrid:  # the hybrid's unchanged half is the fitted default model
        rf, svm = models.get("rf", fitted["rf"]), models.get("svm", fitted["svm"])
        models["hybrid"] = full.HybridSoftVote(rf, svm, fitted["hybrid"].weights).fit(split.train, y_train)
    tiny_features, tiny_models = None, {}
    if "tiny" in changed and with_tiny:
        tiny_features, tiny_models, _, _ = tiny.fit_tiny_models(cfg.get("tiny", {}), split.train, y_train, seed, log, encoding=alternative)
    out: list[dict[str, Any]] = []
    for test_name, test_frame in split.tests.items():
        y_test = targets(test_frame, target)
        results = {name: (np.asarray(m.predict(test_frame)).astype(np.int64), full.attack_score(m, test_frame))
                   for name, m in models.items()}
        if tiny_features is not None:
            x_test = tiny_features.transform(test_frame)
            results.update({name: (m.predict(x_test), m.score(x_test)) for name, m in tiny_models.items()})
        for name, (pred, score) in results.items():
            mine = default_rows[(default_rows["test_set"] == test_name) & (default_rows["model"] == name)]
            if mine.empty:
                continue
            measured = metric_row(y_test, pred, score, target)
            common = {"protocol": protocol, "train_file": train_file, "test_set": test_name, "model": name}
            out.append({**common, "encoding": model_encoding(name, encoding), "default": True,
                        **{m: float(mine.iloc[0][m]) for m in ENCODING_METRICS}})
            out.append({**common, "encoding": model_encoding(name, alt_encoding), "default": False,
                        **{m: float(measured[m]) for m in ENCODING_METRICS}})
            if log:
                log.info("%s / %s: %s accuracy %.4f (%s) vs %.4f (%s)", protocol, test_name, name,
                         out[-2]["accuracy"], out[-2]["encoding"], out[-1]["accuracy"], out[-1]["encoding"])
    return pd.DataFrame(out, columns=list(ENCODING_COLUMNS))
