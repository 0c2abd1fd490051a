"""The loss of every compression step of every ibrahim2025 model (issue 14 §1), in the one schema
of :mod:`tinyids.study.ablation`.

One row per (protocol, fold, model), ``model`` being ``full``, a pruning variant, or a robust
variant ``<model>_robust`` (:mod:`.robust`). Every step is measured on the same test rows:

- ``float``: the fold's full MLP in float (Keras) at the study's threshold, before any compression;
- ``compressed_float``: the pruned MLP, still float (NaN for ``full`` and ``full_robust``);
- ``input_quantized``: the model in float fed its int8 model's de-quantized inputs (for a robust
  variant: the clipped float model on its scaled inputs);
- ``dynamic_range``: TF's default dynamic-range ``.tflite`` (int8 weights, float activations);
- ``full_int8``: the int8 ``.tflite`` with its deployable's decision (the study's threshold for
  the paper-faithful models, the validation-chosen int8 threshold for a robust variant).

Bytes are the ``.tflite`` of each step (the float ``.tflite`` for the float steps). Extra columns
after the shared ones: ``f1_<step>`` (the attack class's F1, the figure the paper tabulates) and
``decision_probability`` of the int8 step. ``quantization_zero_point.csv`` has, per model input
feature, the share of non-zero test values that quantize to the int8 input zero point.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tinyids  # noqa: F401

import numpy as np
import pandas as pd

from tinyids.study import ablation as ab

log = logging.getLogger(__name__)

STUDY = "ibrahim2025"
TEST_SET = "test"


def ablation_runs(layout, keys, robust_keys) -> list[dict[str, Any]]:
    """The files of every ablation row: (protocol, fold, model) of every trained model in ``keys``
    and of every robust variant in ``robust_keys`` (``layout``: :data:`tinyids.study.layout.IBRAHIM2025`)."""
    from tinyids.ibrahim2025.robust import robust_name

    def one(p: str, f: int, m: str, robust: bool) -> dict[str, Any]:
        def rec(model: str, key: str) -> str:
            return layout.record_file(model, key, protocol=p, fold=f)

        name = robust_name(m) if robust else m
        pruned = m if m != "full" else None
        return {
            "protocol": p, "fold": f, "model": name, "data": layout.file("data.npz", protocol=p, fold=f),
            "full_keras": rec("full", "keras"), "full_float_tflite": rec("full", "tflite_float"),
            "compressed_keras": rec(pruned, "keras") if pruned else None,
            "compressed_float_tflite": rec(pruned, "tflite_float") if pruned else None,
            "model_keras": rec(name, "keras"), "int8": rec(name, "tflite_int8"), "eval": rec(name, "eval"),
        }

    return [one(p, f, m, False) for p, f, m in keys] + [one(p, f, m, True) for p, f, m in robust_keys]


def dynamic_range_tflite(model) -> bytes:
    """TF's default post-training optimisation without a representative dataset: int8 weights,
    float activations, float input and output."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return bytes(converter.convert())


def _step(y: np.ndarray, score: np.ndarray, pred: np.ndarray | None = None, threshold: float = 0.5) -> dict[str, float]:
    from tinyids.metrics import binary_metrics

    score = np.asarray(score, np.float64).reshape(-1)
    pred = (score >= threshold).astype(int) if pred is None else np.asarray(pred).astype(int)
    out = ab.scores(y, pred, score)
    out["f1"] = float(binary_metrics(y, pred)["f1"])
    return out


def run_row(run: Mapping[str, Any], threshold: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ablation row and zero-point rows of one model (``run``: paths from the rule)."""
    import tf_keras as keras

    from tinyids.ibrahim2025.evaluation import keras_scores, litert_scores
    from tinyids.ibrahim2025.protocols import load_arrays
    from tinyids.litert import input_quantization, make_interpreter, output_quantization, run_raw
    from tinyids.study.deployable import output_probability
    from tinyids.study.preprocessing import apply

    arrays = load_arrays(run["data"])
    y = arrays["y_test"].astype(int)
    x_test = np.asarray(arrays["x_test"], np.float32)
    ev = json.loads(Path(run["eval"]).read_text(encoding="utf-8"))
    x_in = apply(ev["input_steps"], x_test) if ev.get("input_steps") else x_test
    steps: dict[str, dict[str, float] | None] = {}
    sizes: dict[str, int | None] = {}

    full = keras.models.load_model(run["full_keras"])
    steps["float"] = _step(y, keras_scores(full, x_test), threshold=threshold)
    sizes["float"] = Path(run["full_float_tflite"]).stat().st_size
    if run.get("compressed_keras"):
        pruned = keras.models.load_model(run["compressed_keras"])
        steps["compressed_float"] = _step(y, keras_scores(pruned, x_test), threshold=threshold)
        sizes["compressed_float"] = Path(run["compressed_float_tflite"]).stat().st_size

    flat = Path(run["int8"]).read_bytes()
    interp = make_interpreter(flat, threads=1)
    iq, oq = input_quantization(interp), output_quantization(interp)
    model = keras.models.load_model(run["model_keras"], compile=False)
    decision = ev.get("decision")
    # a robust model's output is a clipped-logit score (decision.score): its probability meets the threshold
    probability_of = functools.partial(output_probability, decision or {})
    x_deq = ab.dequantize_inputs(x_in, iq.scale, iq.zero_point)
    steps["input_quantized"] = _step(y, probability_of(keras_scores(model, x_deq)), threshold=threshold)
    sizes["input_quantized"] = sizes.get("compressed_float") or sizes["float"]

    dyn = dynamic_range_tflite(model)
    steps["dynamic_range"] = _step(y, probability_of(litert_scores(dyn, x_in)), threshold=threshold)
    sizes["dynamic_range"] = len(dyn)

    raw = run_raw(interp, iq.quantize(x_in)).reshape(len(x_in), -1)[:, 0].astype(np.int32) if len(x_in) else np.zeros(0, np.int32)
    score8 = oq.dequantize(raw)
    if decision is not None:
        pred8 = (raw >= int(decision["int8"])).astype(int)
        probability = float(decision["probability"])
    else:
        pred8 = (score8 >= threshold).astype(int)
        probability = float(threshold)
    steps["full_int8"] = _step(y, score8, pred8)
    sizes["full_int8"] = len(flat)
    if not np.isclose(steps["full_int8"]["accuracy"], ev["metrics_int8"]["accuracy"], rtol=0, atol=1e-12):
        raise ValueError(f"{run['int8']}: int8 accuracy {steps['full_int8']['accuracy']} here but "
                         f"{ev['metrics_int8']['accuracy']} in {run['eval']}")

    keys = {"study": STUDY, "protocol": run["protocol"], "run": int(run["fold"]), "model": run["model"], "test_set": TEST_SET}
    row = ab.row(keys, steps, sizes)
    for s in ab.STEPS:
        row[f"f1_{s}"] = (steps.get(s) or {}).get("f1", float("nan"))
    row["decision_probability"] = probability
    row["input_scale"], row["input_zero_point"] = iq.scale, iq.zero_point
    names = [f"{'z' if ev.get('input_steps') else 'pc'}{i + 1}" for i in range(x_in.shape[1])]
    zero = [{**keys, **r} for r in ab.zero_point_share(x_in, iq.scale, iq.zero_point, names)]
    log.info("%s/%s fold %s: accuracy %s", run["protocol"], run["model"], run["fold"],
             ", ".join(f"{s} {row[f'accuracy_{s}']:.4f}" for s in ab.STEPS))
    return row, zero


def write_all(runs: Sequence[Mapping[str, Any]], settings, out_csv, out_zero_point, out_png) -> pd.DataFrame:
    from tinyids.fileio import atomic_path

    rows, zero = [], []
    for run in runs:
        r, z = run_row(run, settings.threshold)
        rows.append(r)
        zero.extend(z)
    table = ab.write(rows, out_csv)
    ab.write(zero, out_zero_point, ab.ZERO_POINT_COLUMNS)
    title = "ibrahim2025: test accuracy after each compression step" + (" (smoke run)" if settings.smoke else "")
    with atomic_path(out_png) as tmp:
        ab.plot(table, tmp, title)
    return table
