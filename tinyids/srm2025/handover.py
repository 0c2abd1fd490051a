"""The files ``srm2025_fit`` hands to ``srm2025_export`` for one protocol (no pickle).

Folder ``results/srm2025/runs/<protocol>/tiny/``:

- ``facts.json``: protocol, training file and rows, target, class names, seed, the tiny model
  names in order, their training seconds, the test-set names in order, the selected features
  (names and the per-column ``min``/``scale`` constants of ``TinyFeatures.constants``) and the
  hybrid's float32 Platt constants and vote weights.
- ``arrays.npz``: per test set ``i`` (the order of ``facts.json:test_sets``) ``x_<i>`` (float32,
  the selected MinMax-scaled features), ``x_raw_<i>`` (float32, the same columns before scaling:
  raw numeric values, 1/0 for a one-hot column) and ``y_<i>`` (int labels); ``representative``
  (float32 training rows that calibrate the int8 TFLite tiny NN).
- ``<estimator>.joblib``: one fitted scikit-learn estimator each, nothing else:
  ``tiny_rf`` (RandomForestClassifier, also the hybrid's forest), ``tiny_svm`` (LinearSVC, also
  the hybrid's SVM), ``tiny_lr`` (LogisticRegression), ``tiny_nn`` (MLPClassifier).

:func:`load` rebuilds the tiny models (``tinyids.srm2025.tiny``) from the estimators; their
constructors are deterministic, so the rebuilt models compute exactly what the fitted ones did.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.errors import TinyidsError

FACTS = "facts.json"
ARRAYS = "arrays.npz"


def estimators(tiny_models: Sequence[str]) -> list[str]:
    """The scikit-learn estimators the tiny models ``tiny_models`` are built from."""
    names = set(tiny_models)
    need = []
    if names & {"tiny_rf", "tiny_hybrid"}:
        need.append("tiny_rf")
    if names & {"tiny_svm", "tiny_hybrid"}:
        need.append("tiny_svm")
    need += [n for n in ("tiny_lr", "tiny_nn") if n in names]
    return need


def files(folder: str, tiny_models: Sequence[str]) -> list[str]:
    """Every file of the hand-over in ``folder`` (the outputs of ``srm2025_fit``)."""
    return [f"{folder}/{FACTS}", f"{folder}/{ARRAYS}", *[f"{folder}/{e}.joblib" for e in estimators(tiny_models)]]


def _estimator(models: dict[str, Any], name: str) -> Any:
    from tinyids.srm2025.tiny import Int8Linear, TinyForest, TinyMLP

    if name == "tiny_rf":
        model = models.get("tiny_rf") or models["tiny_hybrid"].forest
        if not isinstance(model, TinyForest):
            raise TinyidsError(f"srm2025 hand-over: tiny_rf is a {type(model).__name__}, not a TinyForest")
        return model.forest
    if name == "tiny_svm":
        model = models.get("tiny_svm") or models["tiny_hybrid"].svm
    else:
        model = models[name]
    if isinstance(model, Int8Linear):
        return model.sklearn
    if isinstance(model, TinyMLP):
        return model.mlp
    raise TinyidsError(f"srm2025 hand-over: no estimator for {name} ({type(model).__name__})")


def save(bundle: dict[str, Any], folder: str | Path) -> list[Path]:
    """Write ``bundle`` (``study.run_protocol``'s third result) as the hand-over files."""
    import joblib

    from tinyids.fileio import atomic_path, write_json_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    models = bundle["models"]
    features = bundle["features"]
    test_sets = list(bundle["tests"])
    facts: dict[str, Any] = {
        "protocol": bundle["protocol"], "train_file": bundle["train_file"], "target": bundle["target"],
        "class_names": list(bundle["class_names"]), "n_train": int(bundle["n_train"]), "seed": int(bundle["seed"]),
        "models": list(models), "train_seconds": {k: float(v) for k, v in bundle["train_seconds"].items()},
        "test_sets": test_sets,
        "features": None if features is None else {"names": features.feature_names(), "constants": features.constants()},
        "hybrid": None,
    }
    if "tiny_hybrid" in models:
        h = models["tiny_hybrid"]
        # the float32 constants the C export prints (exact in JSON as float64)
        facts["hybrid"] = {"platt_a": float(h.platt_a), "platt_b": float(h.platt_b),
                           "w_rf": float(h.w_rf), "w_svm": float(h.w_svm)}
    arrays: dict[str, np.ndarray] = {}
    for i, name in enumerate(test_sets):
        x, y, x_raw = bundle["tests"][name][0], bundle["tests"][name][1], bundle["raw_tests"][name]
        arrays.update({f"x_{i}": np.asarray(x, np.float32), f"x_raw_{i}": np.asarray(x_raw, np.float32),
                       f"y_{i}": np.asarray(y, np.int64)})
    if bundle["representative"] is not None:
        arrays["representative"] = np.asarray(bundle["representative"], np.float32)
    written = []
    with atomic_path(folder / ARRAYS) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
    written.append(folder / ARRAYS)
    for name in estimators(list(models)):
        with atomic_path(folder / f"{name}.joblib") as tmp:
            joblib.dump(_estimator(models, name), tmp)
        written.append(folder / f"{name}.joblib")
    write_json_atomic(folder / FACTS, facts)
    written.append(folder / FACTS)
    return written


class HandoverFeatures:
    """The selected features as ``export`` needs them: names and per-column constants."""

    def __init__(self, names: list[str], constants: list[dict[str, Any]]):
        self._names = list(names)
        self._constants = [dict(c) for c in constants]

    def feature_names(self) -> list[str]:
        return list(self._names)

    def constants(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self._constants]


def load(folder: str | Path) -> dict[str, Any]:
    """The bundle ``export.export_protocol`` reads, rebuilt from the hand-over files."""
    import joblib

    from tinyids.srm2025.tiny import Int8Linear, TinyForest, TinyHybrid, TinyMLP

    folder = Path(folder)
    try:
        facts = json.loads((folder / FACTS).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TinyidsError(f"{folder / FACTS}: cannot read the srm2025 hand-over: {exc}") from exc
    names = list(facts["models"])
    est = {name: joblib.load(folder / f"{name}.joblib") for name in estimators(names)}
    built: dict[str, Any] = {}
    if "tiny_rf" in est:
        built["tiny_rf"] = TinyForest(est["tiny_rf"])
    if "tiny_svm" in est:
        svm = est["tiny_svm"]
        built["tiny_svm"] = Int8Linear(svm.coef_[0], float(svm.intercept_[0]), probability=False)
        built["tiny_svm"].sklearn = svm
    if "tiny_lr" in est:
        lr = est["tiny_lr"]
        built["tiny_lr"] = Int8Linear(lr.coef_[0], float(lr.intercept_[0]), probability=True)
        built["tiny_lr"].sklearn = lr
    if "tiny_nn" in est:
        built["tiny_nn"] = TinyMLP(est["tiny_nn"])
    if "tiny_hybrid" in names:
        h = facts["hybrid"]
        hybrid = TinyHybrid(built["tiny_rf"], built["tiny_svm"], h["platt_a"], h["platt_b"], (h["w_rf"], h["w_svm"]))
        got = {k: float(getattr(hybrid, k)) for k in ("platt_a", "platt_b", "w_rf", "w_svm")}
        if got != {k: float(h[k]) for k in got}:
            raise TinyidsError(f"{folder / FACTS}: hybrid constants {h} do not rebuild exactly (got {got})")
        built["tiny_hybrid"] = hybrid
    tests, raw_tests = {}, {}
    with np.load(folder / ARRAYS, allow_pickle=False) as z:
        for i, name in enumerate(facts["test_sets"]):
            tests[name] = (np.asarray(z[f"x_{i}"]), np.asarray(z[f"y_{i}"]))
            raw_tests[name] = np.asarray(z[f"x_raw_{i}"])
        representative = np.asarray(z["representative"]) if "representative" in z.files else None
    feats = facts["features"]
    return {
        "protocol": facts["protocol"], "train_file": facts["train_file"], "target": facts["target"],
        "class_names": facts["class_names"], "n_train": facts["n_train"], "seed": facts["seed"],
        "features": None if feats is None else HandoverFeatures(feats["names"], feats["constants"]),
        "models": {name: built[name] for name in names},
        "train_seconds": facts["train_seconds"], "tests": tests, "raw_tests": raw_tests,
        "representative": representative,
    }
