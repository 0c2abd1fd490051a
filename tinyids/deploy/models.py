"""What ``tinyids deploy`` accepts as MODEL, and how each kind becomes a Deployable's C.

* A full-int8 ``.tflite`` (int8 input and output, only the code generator's operators):
  ``tflite-int8``; the C comes from :mod:`tinyids.codegen`, the host reference is LiteRT's
  reference kernels.
* A scikit-learn estimator saved with joblib, of a kind the srm2025 exporters handle
  (:mod:`tinyids.srm2025.export`): ``RandomForestClassifier`` and ``DecisionTreeClassifier``
  (emlearn's inline float trees, soft voting with 8-bit leaves), binary ``LogisticRegression``,
  ``LinearSVC`` and ``SVC(kernel="linear")`` (int8 weights over inputs clipped to [0, 1]),
  binary ``MLPClassifier`` with relu hidden layers and one logistic output (emlearn's float
  network): ``c-float``; the host reference is scikit-learn's own ``predict``.

Anything else raises :class:`DeployError` naming the operator or estimator and what is
supported. Loading a joblib file runs the pickle: only pass files you trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tinyids.errors import TinyidsError

SKLEARN_SUPPORTED = ("DecisionTreeClassifier", "RandomForestClassifier", "LogisticRegression (binary)",
                     "LinearSVC (binary)", "SVC(kernel='linear') (binary)",
                     "MLPClassifier (binary, relu hidden layers)")
INT8_HINT = (
    "convert it to full integer with tf.lite.TFLiteConverter: converter.optimizations = "
    "[tf.lite.Optimize.DEFAULT]; converter.representative_dataset = <a generator yielding [row[None]] "
    "for a few hundred float32 training rows>; converter.target_spec.supported_ops = "
    "[tf.lite.OpsSet.TFLITE_BUILTINS_INT8]; converter.inference_input_type = tf.int8; "
    "converter.inference_output_type = tf.int8 (tinyids.compress.to_tflite_int8 does exactly this)"
)


class DeployError(TinyidsError):
    """Bad input to ``tinyids deploy``: the model, the vectors or the preprocessing file."""


class DeployFailure(TinyidsError):
    """The input was valid but a stage after it failed (code generation, a host compile, the
    firmware stage's own checks): reported in one line, the details in ``deploy.log``."""


@dataclass
class Model:
    """A model ``tinyids deploy`` can build: its kind, shape and host reference."""

    path: Path
    name: str  # the Deployable / C name
    kind: str  # "tflite" | "sklearn"
    n_inputs: int
    n_classes: int
    class_names: list[str]
    estimator: str  # what it is, for the report
    # host reference: float model inputs -> class indices (LiteRT reference kernels / scikit-learn)
    reference: Callable[[np.ndarray], np.ndarray] = field(repr=False, default=None)  # type: ignore[assignment]
    input_low: np.ndarray | None = None  # per-feature range random vectors are drawn from
    input_high: np.ndarray | None = None
    # tflite
    tflite_bytes: bytes = b""
    input_scale: float = 0.0
    input_zero_point: int = 0
    output_scale: float = 0.0
    output_zero_point: int = 0
    n_outputs: int = 0
    # sklearn
    sk: Any = None  # the fitted estimator
    tiny: Any = None  # its srm2025.tiny wrapper (TinyForest, Int8Linear, TinyMLP)
    classes: np.ndarray | None = None  # the estimator's classes_ (labels -> indices)
    notes: list[str] = field(default_factory=list)


def c_name(path: Path) -> str:
    stem = Path(path).name.split(".")[0] or "model"
    name = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    return name if name[0].isalpha() else f"m_{name}"


def load(path: str | Path) -> Model:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DeployError(f"{path}: cannot read the model: {exc.strerror or exc}") from None
    if len(raw) >= 8 and raw[4:8] == b"TFL3":
        return _load_tflite(path, raw)
    if path.suffix == ".tflite":
        raise DeployError(f"{path}: not a TFLite flatbuffer (no 'TFL3' identifier at byte 4; the file is corrupt "
                          "or not a model)")
    return _load_sklearn(path)


# ------------------------------------------------------------------------------------ TFLite
def _load_tflite(path: Path, raw: bytes) -> Model:
    from tinyids import litert
    from tinyids.codegen import SUPPORTED_OPS, CodegenError, generate

    try:
        interp = litert.make_interpreter(raw)
    except Exception as exc:  # LiteRT raises ValueError / RuntimeError on a damaged flatbuffer
        raise DeployError(f"{path}: LiteRT cannot load the model ({_one_line(exc)}); the file is corrupt") from None
    inp, out = interp.get_input_details(), interp.get_output_details()
    if len(inp) != 1 or len(out) != 1:
        raise DeployError(f"{path}: {len(inp)} inputs and {len(out)} outputs; tinyids deploy takes one of each")
    din, dout = np.dtype(inp[0]["dtype"]), np.dtype(out[0]["dtype"])
    if din != np.int8 or dout != np.int8:
        raise DeployError(f"{path}: input {din}, output {dout}, but tinyids deploy needs a full-integer model "
                          f"(int8 input and output, int8 operators); {INT8_HINT}")
    iq, oq = litert.input_quantization(interp), litert.output_quantization(interp)
    if iq is None or oq is None:
        raise DeployError(f"{path}: int8 input/output without quantization parameters; {INT8_HINT}")
    name = c_name(path)
    try:
        generate(raw, name)
    except CodegenError as exc:
        raise DeployError(f"{path}: the code generator cannot compile it exactly: {_one_line(exc)} "
                          f"(supported operators: {', '.join(SUPPORTED_OPS)})") from None
    n_in = int(np.prod(inp[0]["shape"]))
    n_out = int(np.prod(out[0]["shape"]))
    n_classes = 2 if n_out == 1 else n_out
    classes = ["normal", "attack"] if n_out == 1 else [f"class{i}" for i in range(n_out)]
    # the representable input range of the int8 input (codes -128..127 dequantized)
    lo = np.full(n_in, (-128 - iq.zero_point) * iq.scale, np.float32)
    hi = np.full(n_in, (127 - iq.zero_point) * iq.scale, np.float32)
    model = Model(path=path, name=name, kind="tflite", n_inputs=n_in, n_classes=n_classes, class_names=classes,
                  estimator=f"int8 TFLite ({n_in} inputs, {n_out} output{'s' if n_out > 1 else ''})",
                  input_low=lo, input_high=hi, tflite_bytes=raw, input_scale=iq.scale,
                  input_zero_point=iq.zero_point, output_scale=oq.scale, output_zero_point=oq.zero_point,
                  n_outputs=n_out)
    return model


# ------------------------------------------------------------------------------- scikit-learn
def _load_sklearn(path: Path) -> Model:
    import joblib

    try:
        est = joblib.load(path)
    except Exception as exc:  # pickle raises anything on a damaged file: the message is the answer
        raise DeployError(f"{path}: neither a TFLite flatbuffer nor a joblib file joblib can load "
                          f"({type(exc).__name__}: {_one_line(exc)})") from None
    return from_estimator(est, path)


def from_estimator(est: Any, path: Path) -> Model:
    """Wrap a fitted estimator in the srm2025 exporter's model class (or refuse it)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC, LinearSVC
    from sklearn.tree import DecisionTreeClassifier

    from tinyids.srm2025.tiny import Int8Linear, TinyForest, TinyMLP

    kind = type(est).__name__
    supported = "; tinyids deploy exports " + ", ".join(SKLEARN_SUPPORTED) + ", or a full-int8 .tflite"
    if not hasattr(est, "predict") or not hasattr(est, "get_params"):
        raise DeployError(f"{path}: holds a {type(est).__module__}.{kind}, not a scikit-learn estimator{supported}")
    if type(est).__name__ == "Pipeline":
        raise DeployError(f"{path}: a scikit-learn Pipeline ({' -> '.join(type(s).__name__ for _, s in est.steps)}); "
                          "save its final estimator and pass its scaling as --preprocessing steps "
                          f"(standard / minmax){supported}")
    if not hasattr(est, "classes_"):
        raise DeployError(f"{path}: the {kind} is not fitted (no classes_){supported}")
    classes = np.asarray(est.classes_)
    n_in = int(getattr(est, "n_features_in_", 0))
    name = c_name(path)
    common = dict(path=path, name=name, kind="sklearn", n_inputs=n_in, n_classes=len(classes),
                  class_names=[str(c) for c in classes], sk=est, classes=classes)

    def ref(x: np.ndarray) -> np.ndarray:
        return np.searchsorted(classes, est.predict(np.asarray(x, np.float32))).astype(np.int64)

    if isinstance(est, (RandomForestClassifier, DecisionTreeClassifier)):
        if getattr(est, "n_outputs_", 1) != 1:
            raise DeployError(f"{path}: a multi-output {kind}; only single-output classifiers are exported{supported}")
        forest = est if isinstance(est, RandomForestClassifier) else _tree_as_forest(est)
        lo, hi = _tree_ranges(forest, n_in)
        trees = len(forest.estimators_)
        return Model(**common, estimator=f"{kind} ({trees} tree{'s' if trees > 1 else ''}, {n_in} features, "
                     f"{len(classes)} classes; emlearn inline C)", reference=ref, tiny=TinyForest(forest),
                     input_low=lo, input_high=hi)
    linear = isinstance(est, (LogisticRegression, LinearSVC)) or (isinstance(est, SVC) and est.kernel == "linear")
    if linear:
        if len(classes) != 2:
            raise DeployError(f"{path}: a {kind} with {len(classes)} classes; the int8 linear export is binary"
                              f"{supported}")
        probability = isinstance(est, LogisticRegression)
        coef = np.asarray(est.coef_.toarray() if hasattr(est.coef_, "toarray") else est.coef_).reshape(-1)
        tiny = Int8Linear(coef, float(np.asarray(est.intercept_).reshape(-1)[0]), probability)
        return Model(**common, estimator=f"{kind} ({n_in} features; int8 weights, inputs clipped to [0, 1])",
                     reference=ref, tiny=tiny, input_low=np.zeros(n_in, np.float32),
                     input_high=np.ones(n_in, np.float32),
                     notes=["the int8 linear export quantizes each input as round(255 * clip(x, 0, 1)): "
                            "scale the features to [0, 1] (a minmax --preprocessing step)"])
    if isinstance(est, SVC):
        raise DeployError(f"{path}: an SVC with kernel {est.kernel!r}; only kernel='linear' is exported{supported}")
    if isinstance(est, MLPClassifier):
        if len(classes) != 2 or est.out_activation_ != "logistic" or est.activation != "relu":
            raise DeployError(f"{path}: an MLPClassifier with {len(classes)} classes, activation {est.activation!r}, "
                              f"output {est.out_activation_!r}; the emlearn export takes binary relu networks "
                              f"(one logistic output){supported}")
        return Model(**common, estimator=f"MLPClassifier ({n_in}-{'-'.join(str(h) for h in est.hidden_layer_sizes)}-1, "
                     "relu; emlearn float C)", reference=ref, tiny=TinyMLP(est),
                     input_low=np.zeros(n_in, np.float32), input_high=np.ones(n_in, np.float32))
    raise DeployError(f"{path}: a scikit-learn {kind} is not exported{supported}")


def _tree_as_forest(tree):
    """A one-tree RandomForestClassifier around a fitted DecisionTreeClassifier: emlearn's and
    TinyForest's forest path (soft vote of one tree is that tree's class distribution)."""
    from sklearn.ensemble import RandomForestClassifier

    forest = RandomForestClassifier(n_estimators=1)
    forest.estimators_ = [tree]
    forest.estimator_ = tree
    forest.classes_ = tree.classes_
    forest.n_classes_ = int(tree.n_classes_)
    forest.n_features_in_ = int(tree.n_features_in_)
    forest.n_outputs_ = 1
    if hasattr(tree, "feature_names_in_"):
        forest.feature_names_in_ = tree.feature_names_in_
    return forest


def _tree_ranges(forest, n_in: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature range of the split thresholds, widened by a quarter each side (features no
    tree splits on: [0, 1]); random vectors drawn there reach every branch."""
    lo = np.full(n_in, np.inf)
    hi = np.full(n_in, -np.inf)
    for est in forest.estimators_:
        t = est.tree_
        for f, thr in zip(t.feature, t.threshold):
            if f >= 0:
                lo[f] = min(lo[f], thr)
                hi[f] = max(hi[f], thr)
    unused = ~np.isfinite(lo)
    lo[unused], hi[unused] = 0.0, 1.0
    pad = np.maximum((hi - lo) * 0.25, 1e-3)
    return (lo - pad).astype(np.float32), (hi + pad).astype(np.float32)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__
