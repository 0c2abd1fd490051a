"""Tiny models of srm2025, each computed in Python exactly as its C export computes it.

All tiny models read the same ``k`` selected, MinMax-scaled features (``TinyFeatures``) as float32,
so one test-vector file serves every C export. Each model's ``predict`` is the arithmetic of its C
code, so the host parity check (gcc) compares like with like; ``sklearn_agreement`` reports how
often that deployed arithmetic agrees with the scikit-learn estimator it was made from.

- ``Int8Linear`` (Tiny SVM = ``LinearSVC``, Tiny LR = ``LogisticRegression``): weights quantized
  symmetrically to int8 (scale = max|w| / 127); inputs clipped to [0, 1] and quantized to uint8
  (q = floor(255 x + 0.5)); the bias to int32 in the product scale. The decision is the exact int32 sum
  ``bias_q + sum(w_q * x_q) > 0``.
- ``TinyForest`` (Tiny RF): emlearn's soft-voting forest (``leaf_bits=8``): leaf class
  proportions quantized to bytes as emlearn stores them, summed in float32 in tree order.
  Thresholds are exported as the float32 value ``t'`` for which ``x < t'`` (emlearn) equals
  ``x <= t`` (scikit-learn) for every float32 ``x``, so the tree paths are identical.
- ``TinyMLP`` (Tiny NN): a small scikit-learn MLP exported by emlearn (``dtype='float'``); the
  weights are the float32 values of the literals emlearn writes, summed in C loop order.
  The same weights also become the int8 TFLite model (``export.tiny_nn_to_tflite``).
- ``TinyHybrid``: soft vote of the Tiny RF probability and the Platt-scaled Tiny SVM decision.

Budgets (config ``srm2025.tiny.budgets``): ``max_features``, ``max_trees``, ``max_depth``,
``max_nodes``, ``max_params`` are checked on the fitted model; ``max_bytes`` (compiled C object,
or the .tflite flatbuffer) when the export is built. A model over budget raises ``BudgetError``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.svm import LinearSVC

from tinyids.errors import ConfigError, TinyidsError
from tinyids.srm2025.preprocessing import TinyFeatures

TINY_MODELS = ("tiny_rf", "tiny_svm", "tiny_lr", "tiny_nn", "tiny_hybrid")
BUDGET_KEYS = ("max_features", "max_trees", "max_depth", "max_nodes", "max_params", "max_bytes")
F32 = np.float32


def import_emlearn():
    """``import emlearn`` without its side effect: ``emlearn.bayes`` calls
    ``numpy.seterr(all='raise')`` at import, which breaks scikit-learn's MLP training (underflow)."""
    saved = np.geterr()
    try:
        import emlearn
        import emlearn.trees  # noqa: F401
        import emlearn.net  # noqa: F401
    finally:
        np.seterr(**saved)
    return emlearn


class BudgetError(TinyidsError):
    """A tiny model exceeds its configured budget (features, trees, depth, nodes, params, bytes)."""


def _sigmoid32(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=F32)
    with np.errstate(over="ignore"):
        return (F32(1.0) / (F32(1.0) + np.exp(-z))).astype(F32)


# ---------------------------------------------------------------------------------------------
class Int8Linear:
    """A binary linear model with int8 weights and uint8-quantized inputs (exact int32 sum)."""

    kind = "linear"

    def __init__(self, coef: np.ndarray, intercept: float, probability: bool):
        coef = np.asarray(coef, dtype=np.float64).reshape(-1)
        max_abs = float(np.max(np.abs(coef))) if coef.size else 0.0
        self.w_scale = max_abs / 127.0 if max_abs > 0 else 1.0
        self.weights_q = np.clip(np.rint(coef / self.w_scale), -127, 127).astype(np.int8)
        self.x_scale = 1.0 / 255.0
        # float32 constant the C code multiplies the int32 sum by to get the float decision
        self.out_scale = F32(self.w_scale * self.x_scale)
        self.bias_q = int(np.rint(float(intercept) / (self.w_scale * self.x_scale)))
        self.probability = probability
        self.n_features = coef.size

    @staticmethod
    def quantize_inputs(x: np.ndarray) -> np.ndarray:
        """uint8 codes of the inputs: ``(int)(clip(x, 0, 1) * 255 + 0.5)`` in float32 steps, the
        C expression (no libm rounding function, so any C library computes the same)."""
        x = np.clip(np.asarray(x, dtype=F32), F32(0.0), F32(1.0))
        scaled = (x * F32(255.0)).astype(F32)
        return np.floor((scaled + F32(0.5)).astype(F32)).astype(np.int32)

    def accumulate(self, x: np.ndarray) -> np.ndarray:
        q = self.quantize_inputs(x).astype(np.int64)
        acc = q @ self.weights_q.astype(np.int64) + self.bias_q
        if np.any(np.abs(acc) >= 2**31):
            raise BudgetError("int32 accumulator overflow in an int8 linear model")
        return acc.astype(np.int32)

    def decision(self, x: np.ndarray) -> np.ndarray:
        return (self.accumulate(x).astype(F32) * self.out_scale).astype(F32)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.accumulate(x) > 0).astype(np.int64)

    def score(self, x: np.ndarray) -> np.ndarray:
        d = self.decision(x)
        return _sigmoid32(d) if self.probability else d

    def measures(self) -> dict[str, int]:
        return {"features": self.n_features, "params": self.n_features + 1}


# ---------------------------------------------------------------------------------------------
def float32_threshold_for_lt(t: float) -> np.float32:
    """The float32 ``t'`` with ``x < t'`` exactly when ``x <= t`` for every float32 ``x``."""
    down = F32(t)
    if float(down) > t:  # rounded up: step down to the largest float32 <= t
        down = np.nextafter(down, F32(-np.inf))
    return np.nextafter(down, F32(np.inf))


class TinyForest:
    """scikit-learn forest evaluated like emlearn's inline soft-voting C (leaf_bits=8)."""

    kind = "forest"

    def __init__(self, forest: RandomForestClassifier):
        quantize_probabilities_into_byte = import_emlearn().trees.quantize_probabilities_into_byte

        self.forest = forest
        self.n_features = int(forest.n_features_in_)
        self.n_classes = int(forest.n_classes_)
        self.leaf_bytes = []
        for est in forest.estimators_:
            tree = est.tree_
            table = np.zeros((tree.node_count, self.n_classes), dtype=np.uint8)
            leaves = np.flatnonzero(tree.children_left == -1)
            for node in leaves:
                table[node] = quantize_probabilities_into_byte(tree.value[node][0], bits=8)
            self.leaf_bytes.append(table)

    def _sums(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=F32)
        acc = np.zeros((x.shape[0], self.n_classes), dtype=F32)
        for est, table in zip(self.forest.estimators_, self.leaf_bytes):
            leaf = est.tree_.apply(x)
            acc = (acc + table[leaf].astype(F32) / F32(255.0)).astype(F32)
        return acc

    def proba(self, x: np.ndarray) -> np.ndarray:
        return (self._sums(x) / F32(len(self.leaf_bytes))).astype(F32)

    def predict(self, x: np.ndarray) -> np.ndarray:
        # emlearn's argmax: first class whose sum beats the running max (ties keep the lower class)
        return np.argmax(self._sums(x), axis=1).astype(np.int64)

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.proba(x)[:, 1]

    def measures(self) -> dict[str, int]:
        trees = [e.tree_ for e in self.forest.estimators_]
        return {
            "features": self.n_features,
            "trees": len(trees),
            "depth": max(int(t.max_depth) for t in trees),
            "nodes": sum(int(t.node_count) for t in trees),
        }


# ---------------------------------------------------------------------------------------------
def emlearn_float(value: float) -> np.float32:
    """The float32 a C compiler makes of the literal emlearn writes for ``value``."""
    cgen = import_emlearn().cgen
    return F32(float(cgen.constant(float(value), dtype="float")[:-1]))


class TinyMLP:
    """scikit-learn MLP evaluated like emlearn's inline float C network."""

    kind = "mlp"

    def __init__(self, mlp: MLPClassifier):
        if mlp.n_outputs_ != 1 or mlp.out_activation_ != "logistic":
            raise ConfigError("srm2025.tiny.nn: the tiny NN is a binary classifier (one logistic output)")
        if mlp.activation != "relu":
            raise ConfigError("srm2025.tiny.nn: the tiny NN uses relu hidden layers")
        self.mlp = mlp
        self.weights = [np.vectorize(emlearn_float, otypes=[F32])(w).astype(F32) for w in mlp.coefs_]
        self.biases = [np.vectorize(emlearn_float, otypes=[F32])(b).astype(F32) for b in mlp.intercepts_]
        self.n_features = int(mlp.coefs_[0].shape[0])

    def output(self, x: np.ndarray) -> np.ndarray:
        a = np.asarray(x, dtype=F32)
        last = len(self.weights) - 1
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            s = np.zeros((a.shape[0], w.shape[1]), dtype=F32)
            for i in range(w.shape[0]):  # C loop order: sum += w * in[i], then + bias
                s = (s + (a[:, i : i + 1] * w[i]).astype(F32)).astype(F32)
            s = (s + b).astype(F32)
            a = _sigmoid32(s) if layer == last else np.where(s <= F32(0.0), F32(0.0), s).astype(F32)
        return a[:, 0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.output(x) > F32(0.5)).astype(np.int64)

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.output(x)

    def measures(self) -> dict[str, int]:
        params = sum(w.size for w in self.weights) + sum(b.size for b in self.biases)
        return {"features": self.n_features, "params": int(params)}


# ---------------------------------------------------------------------------------------------
class TinyHybrid:
    """Soft vote: ``w_rf * P_rf(attack) + w_svm * sigmoid(a * d_svm + b) > 0.5`` in float32."""

    kind = "hybrid"

    def __init__(self, forest: TinyForest, svm: Int8Linear, platt_a: float, platt_b: float, weights=(0.5, 0.5)):
        total = float(weights[0]) + float(weights[1])
        self.forest = forest
        self.svm = svm
        self.platt_a = F32(platt_a)
        self.platt_b = F32(platt_b)
        self.w_rf = F32(float(weights[0]) / total)
        self.w_svm = F32(float(weights[1]) / total)
        self.n_features = forest.n_features

    def score(self, x: np.ndarray) -> np.ndarray:
        p_rf = self.forest.proba(x)[:, 1]
        z = ((self.platt_a * self.svm.decision(x)).astype(F32) + self.platt_b).astype(F32)
        p_svm = _sigmoid32(z)
        return ((self.w_rf * p_rf).astype(F32) + (self.w_svm * p_svm).astype(F32)).astype(F32)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.score(x) > F32(0.5)).astype(np.int64)

    def measures(self) -> dict[str, int]:
        m = dict(self.forest.measures())
        m["params"] = self.svm.measures()["params"] + 2
        return m


# ---------------------------------------------------------------------------------------------
def check_budget(name: str, measured: dict[str, Any], budget: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows (model, budget key, limit, measured, within) for every budget key that was measured;
    raises ``BudgetError`` naming each exceeded limit."""
    rows = []
    over = []
    for key, limit in sorted(budget.items()):
        if key not in BUDGET_KEYS:
            raise ConfigError(f"srm2025.tiny.budgets.{name}.{key}: unknown budget (known: {', '.join(BUDGET_KEYS)})")
        what = key.removeprefix("max_")
        if what not in measured or limit is None:
            continue
        ok = measured[what] <= limit
        rows.append({"model": name, "budget": key, "limit": limit, "measured": measured[what], "within": bool(ok)})
        if not ok:
            over.append(f"{what} {measured[what]} > {key} {limit}")
    if over:
        raise BudgetError(f"{name} is over its budget (srm2025.tiny.budgets.{name}): " + "; ".join(over))
    return rows


def check_config_budgets(tiny_cfg: dict[str, Any]) -> None:
    """Refuse, before any training, tiny hyperparameters that cannot fit their budgets."""
    budgets = tiny_cfg.get("budgets", {})
    k = int(tiny_cfg.get("feature_selection", {}).get("k", 16))
    errors = []
    rf = tiny_cfg.get("rf", {})
    nn_hidden = list(tiny_cfg.get("nn", {}).get("hidden_layer_sizes", [16, 8]))
    sizes = [k, *nn_hidden, 1]
    nn_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    planned = {
        "tiny_rf": {"features": k, "trees": int(rf.get("n_estimators", 10)), "depth": int(rf.get("max_depth", 8))},
        "tiny_svm": {"features": k, "params": k + 1},
        "tiny_lr": {"features": k, "params": k + 1},
        "tiny_nn": {"features": k, "params": nn_params},
        "tiny_nn_int8": {"features": k, "params": nn_params},
        "tiny_hybrid": {"features": k, "trees": int(rf.get("n_estimators", 10)), "depth": int(rf.get("max_depth", 8)), "params": k + 3},
    }
    for name, budget in budgets.items():
        if name not in planned:
            errors.append(f"srm2025.tiny.budgets.{name}: unknown tiny model (known: {', '.join(planned)})")
            continue
        for key, limit in budget.items():
            what = key.removeprefix("max_")
            if limit is not None and what in planned[name] and planned[name][what] > limit:
                errors.append(f"srm2025.tiny: {name} is configured with {what} {planned[name][what]} > budget {key} {limit}")
    if errors:
        raise ConfigError("; ".join(errors))


# ---------------------------------------------------------------------------------------------
def fit_tiny_models(
    tiny_cfg: dict[str, Any], frame: pd.DataFrame, y: np.ndarray, seed: int, log: Any = None, *,
    encoding: str,
) -> tuple[TinyFeatures, dict[str, Any], dict[str, float], list[dict[str, Any]]]:
    """Fit the feature selection and the tiny models; check their budgets. ``encoding`` is the
    categorical encoding of the columns the selection chooses from (config ``encoding.tiny``).

    Returns (features, models by name, training seconds, budget rows)."""
    if np.unique(y).size > 2 or y.max() > 1:
        raise ConfigError("srm2025.tiny: tiny models are binary (normal/attack); with target five_class set srm2025.tiny.models: []")
    check_config_budgets(tiny_cfg)
    names = tuple(tiny_cfg.get("models", TINY_MODELS))
    fs = tiny_cfg.get("feature_selection", {})
    start = time.perf_counter()
    features = TinyFeatures(k=int(fs.get("k", 16)), method=fs.get("method", "chi2"), encoding=encoding,
                            random_state=seed).fit(frame, y)
    fs_seconds = time.perf_counter() - start
    x = features.transform(frame)
    models: dict[str, Any] = {}
    seconds: dict[str, float] = {}

    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        seconds[name] = fs_seconds + time.perf_counter() - t0
        if log:
            log.info("fitted %s in %.1f s", name, seconds[name])
        return out

    rf_cfg = tiny_cfg.get("rf", {})
    need_rf = "tiny_rf" in names or "tiny_hybrid" in names
    need_svm = "tiny_svm" in names or "tiny_hybrid" in names
    if need_rf:
        models["tiny_rf"] = timed(
            "tiny_rf",
            lambda: TinyForest(
                RandomForestClassifier(
                    n_estimators=int(rf_cfg.get("n_estimators", 10)),
                    max_depth=int(rf_cfg.get("max_depth", 8)),
                    n_jobs=1,
                    random_state=seed,
                ).fit(x, y)
            ),
        )
    if need_svm:
        svm = timed(
            "tiny_svm",
            lambda: LinearSVC(C=float(tiny_cfg.get("svm", {}).get("C", 1.0)), random_state=seed, max_iter=5000).fit(x, y),
        )
        models["tiny_svm"] = Int8Linear(svm.coef_[0], float(svm.intercept_[0]), probability=False)
        models["tiny_svm"].sklearn = svm
    if "tiny_lr" in names:
        lr = timed("tiny_lr", lambda: LogisticRegression(C=float(tiny_cfg.get("lr", {}).get("C", 1.0)), max_iter=1000).fit(x, y))
        models["tiny_lr"] = Int8Linear(lr.coef_[0], float(lr.intercept_[0]), probability=True)
        models["tiny_lr"].sklearn = lr
    if "tiny_nn" in names:
        nn_cfg = tiny_cfg.get("nn", {})
        models["tiny_nn"] = timed(
            "tiny_nn",
            lambda: TinyMLP(
                MLPClassifier(
                    hidden_layer_sizes=tuple(nn_cfg.get("hidden_layer_sizes", [16, 8])),
                    max_iter=int(nn_cfg.get("max_iter", 300)),
                    early_stopping=bool(nn_cfg.get("early_stopping", False)),
                    random_state=seed,
                ).fit(x, y)
            ),
        )
    if "tiny_hybrid" in names:
        t0 = time.perf_counter()
        d = models["tiny_svm"].decision(x).astype(np.float64).reshape(-1, 1)
        platt = LogisticRegression().fit(d, y)
        weights = tuple(tiny_cfg.get("hybrid", {}).get("weights", [0.5, 0.5]))
        models["tiny_hybrid"] = TinyHybrid(
            models["tiny_rf"], models["tiny_svm"], float(platt.coef_[0, 0]), float(platt.intercept_[0]), weights
        )
        seconds["tiny_hybrid"] = seconds["tiny_rf"] + seconds["tiny_svm"] + time.perf_counter() - t0
    models = {name: models[name] for name in names}
    seconds = {name: seconds[name] for name in names}
    budget_rows = []
    budgets = tiny_cfg.get("budgets", {})
    for name, model in models.items():
        budget_rows += check_budget(name, model.measures(), budgets.get(name, {}))
    return features, models, seconds, budget_rows


def sklearn_agreement(name: str, model: Any, x: np.ndarray) -> float:
    """Share of rows where the deployed arithmetic predicts what its scikit-learn source predicts."""
    if isinstance(model, TinyForest):
        ref = model.forest.predict(x)
    elif isinstance(model, TinyMLP):
        ref = model.mlp.predict(x)
    elif isinstance(model, Int8Linear):
        ref = model.sklearn.predict(x)
    else:
        return float("nan")
    return float(np.mean(np.asarray(ref).astype(np.int64) == model.predict(x)))
