"""Test-split evaluation of every idrissi2022 variant: metrics, sizes, parameters, confusion.

Keras variants (OM, POM, POM7) are evaluated in float with tf_keras; .tflite variants (tM, tMO,
tMOP, tMO_QAT) through ai-edge-litert exactly as a device runs them: int8 models get their float
features quantized with the model's own input scale and zero point and their int8 outputs
dequantized (:func:`tinyids.litert.predict_float_features`). Variants on the chi-square subset
(POM7, tMOP) see only the 7 selected columns. Beside the multi-class figures each row has the
attack-vs-normal ``precision``, ``recall``, ``f1``, ``fpr`` and ``roc_auc`` of the same predictions
(:func:`attack_metrics`), the binary figures every study's ``metrics.csv`` shares.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.idrissi2022 import KERAS_VARIANTS
from tinyids.idrissi2022.protocols import Prepared
from tinyids.metrics import multiclass_metrics

log = logging.getLogger(__name__)

SELECTED_FEATURE_VARIANTS = ("POM7", "tMOP", "tMOP_float", "tMOP_dynamic")
NORMAL = "normal"  # the benign class of the data contract; every other class is an attack


def variant_features(variant: str) -> str:
    return "selected" if variant in SELECTED_FEATURE_VARIANTS else "all"


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(range(n_classes)))


def predict_tflite(path: str | Path, x: np.ndarray) -> np.ndarray:
    return np.argmax(tflite_outputs(path, x), axis=1)


def tflite_outputs(path: str | Path, x: np.ndarray) -> np.ndarray:
    """The class probabilities of a .tflite (dequantized for int8 models)."""
    from tinyids.litert import make_interpreter, predict_float_features

    interp = make_interpreter(path, threads=1)
    return predict_float_features(interp, np.asarray(x, dtype=np.float32))


def attack_metrics(y_true: np.ndarray, probabilities: np.ndarray, classes: list[str]) -> dict[str, float]:
    """Precision, recall, F1, FPR and ROC AUC of attack (any class but ``normal``) against
    normal, from the same predictions (argmax) and the score 1 - P(normal): the MetricsRow
    figures of a multi-class model."""
    from tinyids.metrics import binary_metrics

    if NORMAL not in classes:
        raise ValueError(f"class names {classes} lack {NORMAL!r}: attack-vs-normal metrics need it")
    normal = classes.index(NORMAL)
    y_pred = np.argmax(probabilities, axis=1)
    score = 1.0 - np.asarray(probabilities, dtype=np.float64)[:, normal]
    m = binary_metrics((np.asarray(y_true) != normal).astype(int), (y_pred != normal).astype(int), score)
    return {k: m[k] for k in ("precision", "recall", "f1", "fpr", "roc_auc")}


def tflite_io(path: str | Path) -> dict[str, str]:
    from tinyids.litert import make_interpreter

    interp = make_interpreter(path, threads=1)
    return {"input_dtype": np.dtype(interp.get_input_details()[0]["dtype"]).name,
            "output_dtype": np.dtype(interp.get_output_details()[0]["dtype"]).name}


def sizes(keras_file: str | Path | None, tflite_file: str | Path | None) -> dict[str, float]:
    """Bytes of the Keras file, of the .tflite, and of the deployable artifact after gzip -9."""
    from tinyids.compress import gzip_size

    out: dict[str, float] = {"keras_bytes": np.nan, "tflite_bytes": np.nan, "gzip_bytes": np.nan}
    if keras_file is not None:
        out["keras_bytes"] = Path(keras_file).stat().st_size
    if tflite_file is not None:
        out["tflite_bytes"] = Path(tflite_file).stat().st_size
    artifact = tflite_file if tflite_file is not None else keras_file
    if artifact is not None:
        out["gzip_bytes"] = gzip_size(artifact)
    return out


def evaluate_variant(
    variant: str,
    prepared: Prepared,
    *,
    keras_file: str | Path,
    tflite_file: str | Path | None = None,
) -> tuple[dict[str, Any], np.ndarray]:
    """One metrics row and the confusion matrix of ``variant`` on the test split.

    ``keras_file`` is the Keras model the variant is (OM/POM/POM7) or comes from (the OM for tM,
    the pruned and clustered model for tMO/tMOP); ``tflite_file`` is set for .tflite variants.
    """
    from tinyids import compress
    from tinyids.idrissi2022 import models

    features = variant_features(variant)
    x_test, y_test = prepared.split("test", features)
    keras_model = models.load(keras_file)
    if variant in KERAS_VARIANTS:
        # the call of models.predict_classes, keeping the probabilities it takes the argmax of
        probabilities = keras_model.predict(models.as_sequence(x_test), batch_size=1024, verbose=0)
        io = {"input_dtype": "float32", "output_dtype": "float32"}
    else:
        if tflite_file is None:
            raise ValueError(f"variant {variant} needs its .tflite file")
        probabilities = tflite_outputs(tflite_file, x_test)
        io = tflite_io(tflite_file)
    y_pred = np.argmax(probabilities, axis=1)
    row: dict[str, Any] = {
        "variant": variant,
        "n_features": int(x_test.shape[1]),
        "features": "chi2" if features == "selected" else "all",
        **multiclass_metrics(y_test, y_pred, prepared.classes),
        **attack_metrics(y_test, probabilities, list(prepared.classes)),
        "params": compress.count_parameters(keras_model),
        "nonzero_params": compress.count_nonzero(keras_model),
        **sizes(keras_file, tflite_file),
        **io,
    }
    log.info("%s: accuracy %.4f on %d test rows", variant, row["accuracy"], row["n"])
    return row, confusion(y_test, y_pred, len(prepared.classes))


def evaluate_all(prepared: Prepared, files: Mapping[str, Mapping[str, str | None]]) -> tuple[list[dict], dict[str, np.ndarray]]:
    """``files``: variant -> {"keras": path, "tflite": path or None}."""
    rows, matrices = [], {}
    for variant, paths in files.items():
        row, matrix = evaluate_variant(variant, prepared, keras_file=paths["keras"], tflite_file=paths.get("tflite"))
        rows.append(row)
        matrices[variant] = matrix
    return rows, matrices
