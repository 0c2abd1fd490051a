"""Full-size classifiers of srm2025 (scikit-learn), each a pipeline from the raw frame.

Every model is ``Pipeline([KddPreprocessor(encoding), estimator])`` so that encoding and scaling
are fitted on the training rows of the protocol and nothing else.

- Random Forest, Logistic Regression, MLP: scikit-learn defaults unless the config says otherwise
  (the thesis gives no hyperparameters; it used scikit-learn defaults on Colab).
- SVM with an RBF kernel. Exact ``SVC`` scales quadratically in the training rows; ``method:
  auto`` uses it up to ``exact_max_rows`` training rows (the 25,192-row KDDTrain+_20Percent fits
  in about a minute on one core) and otherwise the documented approximation: a Nystroem map of
  the RBF kernel (``nystroem_components`` landmarks, same gamma) followed by a linear SVM
  (``LinearSVC``), which scales linearly (KDDTrain+'s 125,973 rows in seconds).
- Hybrid RF+SVM: soft voting. The SVM's decision value is turned into a probability by Platt
  scaling (a one-feature logistic regression) fitted on the training rows' decision values; the
  hybrid's attack probability is the weighted mean of that and the RF's probability. Both members
  are the already-fitted RF and SVM of the same protocol, so its training time is theirs plus the
  calibration.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, LinearSVC

from tinyids.errors import ConfigError
from tinyids.srm2025.names import DISPLAY_NAMES  # noqa: F401  (re-exported)
from tinyids.srm2025.preprocessing import KddPreprocessor

FULL_MODELS = ("rf", "svm", "lr", "mlp", "hybrid")


def svm_method(cfg: dict[str, Any], n_train: int) -> str:
    method = cfg.get("method", "auto")
    if method == "auto":
        return "exact" if n_train <= int(cfg.get("exact_max_rows", 30000)) else "nystroem"
    if method not in ("exact", "nystroem"):
        raise ConfigError(f"srm2025.models.svm.method: {method!r} is not auto, exact or nystroem")
    return method


def _gamma(value: Any) -> Any:
    return value if isinstance(value, str) else float(value)


def build_full_model(name: str, cfg: dict[str, Any], encoding: dict[str, str], seed: int, n_train: int) -> Pipeline:
    """An unfitted pipeline for one full model (not the hybrid, which combines fitted ones)."""
    m = cfg.get(name, {})
    if name == "rf":
        est = RandomForestClassifier(
            n_estimators=int(m.get("n_estimators", 100)),
            max_depth=m.get("max_depth"),
            n_jobs=1,
            random_state=seed,
        )
        enc = encoding.get("trees", "label")
    elif name == "svm":
        method = svm_method(m, n_train)
        gamma = _gamma(m.get("gamma", "scale"))
        if method == "exact":
            est = SVC(kernel="rbf", C=float(m.get("C", 1.0)), gamma=gamma, cache_size=500, random_state=seed)
        else:
            if gamma == "scale":
                # SVC's "scale" is 1 / (n_features * X.var()); Nystroem needs a number: the
                # pipeline step below resolves it on the training rows at fit time.
                gamma = None
            est = Pipeline(
                [
                    ("rbf_map", Nystroem(kernel="rbf", gamma=gamma, n_components=int(m.get("nystroem_components", 500)), random_state=seed)),
                    ("linear_svm", LinearSVC(C=float(m.get("C", 1.0)), random_state=seed)),
                ]
            )
        enc = encoding.get("linear", "onehot")
    elif name == "lr":
        est = LogisticRegression(C=float(m.get("C", 1.0)), max_iter=int(m.get("max_iter", 1000)))
        enc = encoding.get("linear", "onehot")
    elif name == "mlp":
        est = MLPClassifier(
            hidden_layer_sizes=tuple(m.get("hidden_layer_sizes", [100])),
            max_iter=int(m.get("max_iter", 200)),
            early_stopping=bool(m.get("early_stopping", True)),
            random_state=seed,
        )
        enc = encoding.get("mlp", "onehot")
    else:
        raise ConfigError(f"srm2025.models: unknown full model {name!r}")
    return Pipeline([("pre", KddPreprocessor(enc)), ("clf", est)])


def fit_full_model(pipe: Pipeline, frame: pd.DataFrame, y: np.ndarray) -> Pipeline:
    svm_step = pipe.named_steps["clf"]
    if isinstance(svm_step, Pipeline) and svm_step.named_steps["rbf_map"].gamma is None:
        x = pipe.named_steps["pre"].fit(frame).transform(frame)
        svm_step.named_steps["rbf_map"].set_params(gamma=1.0 / (x.shape[1] * float(x.var()) or 1.0))
    return pipe.fit(frame, y)


def attack_score(model: Any, frame: Any) -> np.ndarray:
    """A score that grows with the belief in "attack" (for ROC curves): P(attack), or minus the
    normal-class score for multi-class models, or the signed distance for SVMs."""
    if hasattr(model, "predict_proba") and _has_proba(model):
        proba = np.asarray(model.predict_proba(frame))
        return 1.0 - proba[:, 0]
    decision = np.asarray(model.decision_function(frame))
    return decision if decision.ndim == 1 else -decision[:, 0]


def _has_proba(model: Any) -> bool:
    last = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if isinstance(last, Pipeline):
        last = last.steps[-1][1]
    if isinstance(last, SVC):
        return bool(last.probability)
    if isinstance(last, LinearSVC):
        return False
    return True


class HybridSoftVote(ClassifierMixin, BaseEstimator):
    """Soft voting of a fitted RF pipeline and a Platt-scaled fitted SVM pipeline."""

    def __init__(self, rf: Any, svm: Any, weights: tuple[float, float] = (0.5, 0.5)):
        self.rf = rf
        self.svm = svm
        self.weights = weights

    def fit(self, frame: pd.DataFrame, y: np.ndarray) -> HybridSoftVote:
        decision = np.asarray(self.svm.decision_function(frame))
        self.classes_ = np.asarray(self.rf.classes_)
        if decision.ndim == 1:
            self.platt_ = LogisticRegression().fit(decision.reshape(-1, 1), y)
        else:
            self.platt_ = LogisticRegression(max_iter=1000).fit(decision, y)
        return self

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        decision = np.asarray(self.svm.decision_function(frame))
        p_svm = self.platt_.predict_proba(decision.reshape(-1, 1) if decision.ndim == 1 else decision)
        w_rf, w_svm = self.weights
        return (w_rf * np.asarray(self.rf.predict_proba(frame)) + w_svm * p_svm) / (w_rf + w_svm)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(frame), axis=1)]


def fit_full_models(
    cfg: dict[str, Any], encoding: dict[str, str], frame: pd.DataFrame, y: np.ndarray, seed: int, names: tuple[str, ...] = FULL_MODELS, log: Any = None
) -> tuple[dict[str, Any], dict[str, float], dict[str, str]]:
    """Fit the full models; returns (models, training seconds, notes)."""
    models: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    notes: dict[str, str] = {}
    for name in names:
        if name == "hybrid":
            continue
        pipe = build_full_model(name, cfg, encoding, seed, len(frame))
        start = time.perf_counter()
        models[name] = fit_full_model(pipe, frame, y)
        seconds[name] = time.perf_counter() - start
        if name == "svm":
            notes[name] = f"rbf {svm_method(cfg.get('svm', {}), len(frame))}"
        if log:
            log.info("fitted %s on %d rows in %.1f s", name, len(frame), seconds[name])
    if "hybrid" in names:
        if "rf" not in models or "svm" not in models:
            raise ConfigError("srm2025.models: the hybrid needs rf and svm")
        weights = tuple(cfg.get("hybrid", {}).get("weights", [0.5, 0.5]))
        start = time.perf_counter()
        models["hybrid"] = HybridSoftVote(models["rf"], models["svm"], weights).fit(frame, y)
        seconds["hybrid"] = seconds["rf"] + seconds["svm"] + time.perf_counter() - start
        notes["hybrid"] = f"soft vote rf+svm(platt) weights {list(weights)}; svm {notes['svm']}"
    return models, seconds, notes
