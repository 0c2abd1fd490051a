"""Quantization-robust int8 variants of the ibrahim2025 MLPs (issue 14), beside the paper-faithful ones.

The paper-faithful int8 model of a trained MLP (:mod:`.evaluation`) keeps the study's fixed
0.5 threshold on a shifted int8 score and calibrates every activation range on the min/max of
500 training rows. A robust variant ``<model>_robust`` takes the same trained Keras model and
changes only what the int8 conversion sees; every constant comes from training rows, every
choice from validation rows (the rows Keras' ``validation_split`` held out of the weight
updates; under the ``sound`` order only the real ones, as the test split has no SMOTE rows):

1. **Input transform.** ``robust.input_scaling`` maps each PCA output with an affine ``standard``
   step (``(x - mean) / scale``), folded into the first Dense layer (``W' = diag(scale) W``,
   ``b' = b + mean W``), so in float the model is the same function of the PCA outputs:
   ``minmax`` takes each component's training range (or its ``[100 - p, p]`` percentiles with
   ``robust.input_percentile``) to ``[-1, 1]``, so one per-tensor int8 scale gives every component
   all 256 levels; ``standard`` uses the training mean and sd; ``none`` keeps the PCA outputs,
   whose per-tensor range is set by the widest component (measured on the default run's paper
   pruned model, numpy simulation on validation rows: the int8 input alone cost 0.009 ROC AUC,
   0.0003 with ``minmax``, 0.015 with ``standard``). With ``robust.input_percentile`` the
   calibration rows are clipped to that range: rarer values saturate at the int8 limits.
2. **Output and activation ranges.** The int8 model's output is the logit clipped to ``[-L, L]``
   (``robust.logit_clip``; the sigmoid is within 0.0004 of 0 or 1 beyond L = 8) and scaled to
   ``[0, 1]``, with no sigmoid: the Deployable's ``decision.score`` (kind ``clipped_logit``) says
   so, and the probability it stands for is ``sigmoid(-L + 2 L s)``. Unclipped, the logit's int8
   range is set by the calibration rows' most extreme logits (the int8 sigmoid took a dozen distinct
   values, measured on the full data); behind an int8 sigmoid (fixed scale 1/256), every
   probability above 0.98 lands on five levels, where the sound protocol's validation-chosen
   threshold lies (measured on the default run's full model: test ROC AUC 0.9241 with the sigmoid,
   0.9270 without; the float model clipped as the int8 one, 0.9269). Each hidden layer's output range may be clipped at a percentile of
   each row's largest activation on the calibration rows (``robust.activation_percentiles``,
   candidates, one percentile for every layer; ``null`` = no clip). With
   ``robust.layer_search_sweeps`` a per-layer choice joins them: coordinate ascent over each
   layer's percentile (same candidates) on a numpy simulation of the int8 model's validation ROC
   AUC (:func:`search_layer_percentiles`; measured on the full data's 100-epoch model: its hidden
   row maxima span 0.5 to 3,000, so a clip at the 99th percentile leaves most rows on a few int8
   levels). The clip is built without a new op: the layer is rescaled
   by ``6 / c`` and uses ReLU6 (fused into the int8 FULLY_CONNECTED), the next layer's weights
   by ``c / 6``; in float that is exactly ``min(relu(x), c)``. The candidate with the best
   validation ROC AUC of the real int8 model wins (ties: the earliest candidate).
3. **Decision threshold.** The int8 output value ``q`` with the best validation attack F1 or
   accuracy (``robust.threshold_criterion``; ties: the probability nearest the study's threshold)
   becomes the Deployable's decision (``threshold`` with ``probability`` the one between the
   dequantized ``q - 1`` and ``q``, and ``int8: q``). Accuracy-optimal thresholds on a 12.5 %
   attack share favour the normal class, and attack F1 moves with the threshold more than
   accuracy does; the record keeps both criteria's figures (:func:`threshold_choices`).

The float counterpart a robust variant is judged against is its source model at the study's
threshold (its ``<model>_eval.json``), and the same source model with a threshold chosen on the
same validation rows by the same criterion; the clipped float model's figures are kept too.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tinyids  # noqa: F401

import numpy as np

from tinyids.errors import DataError
from tinyids.ibrahim2025.settings import ROBUST_SUFFIX, Settings

log = logging.getLogger(__name__)

RELU6_MAX = 6.0


def robust_name(model: str) -> str:
    return f"{model}{ROBUST_SUFFIX}"


def validation_rows(n_rows: int, validation_split: float, train_source_row: np.ndarray, order: str) -> np.ndarray:
    """Indices of the training rows Keras held out (``validation_split`` takes the last rows,
    ``split_at = floor(n * (1 - split))``); real rows only under the ``sound`` order."""
    split_at = int(math.floor(n_rows * (1.0 - float(validation_split))))
    idx = np.arange(split_at, n_rows)
    if order == "sound":
        idx = idx[np.asarray(train_source_row)[idx] >= 0]
    return idx


SCALINGS = ("none", "standard", "minmax")


@dataclass(frozen=True)
class InputTransform:
    mean: np.ndarray
    scale: np.ndarray
    low: np.ndarray  # clip range of the transformed calibration rows
    high: np.ndarray

    def step(self) -> dict[str, Any]:
        return {"op": "standard", "mean": [float(v) for v in self.mean], "scale": [float(v) for v in self.scale]}

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Float32, as :func:`tinyids.study.preprocessing.apply` (the device's reference)."""
        from tinyids.study.preprocessing import apply

        return apply([self.step()], x)


def fit_input_transform(x_train: np.ndarray, percentile: float | None, scaling: str = "standard") -> InputTransform:
    """The affine input step of ``scaling`` (:data:`SCALINGS`) and the clip range of its outputs,
    every constant from ``x_train``; ``none`` is the identity (mean 0, scale 1)."""
    x = np.asarray(x_train, np.float64)
    if percentile is None:
        lo, hi = x.min(axis=0), x.max(axis=0)
    else:
        lo, hi = np.percentile(x, 100.0 - percentile, axis=0), np.percentile(x, percentile, axis=0)
    if scaling == "standard":
        mean, scale = x.mean(axis=0), x.std(axis=0)
    elif scaling == "minmax":
        mean, scale = (lo + hi) / 2.0, (hi - lo) / 2.0
    elif scaling == "none":
        mean, scale = np.zeros(x.shape[1]), np.ones(x.shape[1])
    else:
        raise ValueError(f"robust.input_scaling {scaling!r}: one of {', '.join(SCALINGS)}")
    scale = np.where(scale > 0, scale, 1.0)
    mean32, scale32 = mean.astype(np.float32), scale.astype(np.float32)
    return InputTransform(mean32, scale32, (lo - mean32) / scale32, (hi - mean32) / scale32)


def dense_weights(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """(kernel, bias) of every Dense layer, input to output."""
    layers = [layer for layer in model.layers if layer.get_weights()]
    return [(np.asarray(w, np.float64), np.asarray(b, np.float64)) for w, b in (layer.get_weights() for layer in layers)]


def fold_standardisation(weights: list[tuple[np.ndarray, np.ndarray]], t: InputTransform) -> list[tuple[np.ndarray, np.ndarray]]:
    """The first layer fed ``(x - mean) / scale`` computes what it computed on ``x``."""
    (w, b), rest = weights[0], weights[1:]
    mean, scale = t.mean.astype(np.float64), t.scale.astype(np.float64)
    return [(w * scale[:, None], b + mean @ w), *rest]


def hidden_row_max(weights: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> list[np.ndarray]:
    """Each row's largest activation of every hidden (ReLU) layer, in float64."""
    h = np.asarray(x, np.float64)
    out = []
    for w, b in weights[:-1]:
        h = np.maximum(h @ w + b, 0.0)
        out.append(h.max(axis=1))
    return out


def clip_values(weights, x: np.ndarray, percentile: float | None | Sequence[float | None]) -> list[float | None]:
    """Each hidden layer's clip: the ``percentile`` of each row's largest (unclipped) activation on
    ``x``; one percentile for every layer, or one per layer (``None`` = no clip)."""
    n_hidden = len(weights) - 1
    pcts = list(percentile) if isinstance(percentile, (list, tuple)) else [percentile] * n_hidden
    if len(pcts) != n_hidden:
        raise ValueError(f"{len(pcts)} percentiles for {n_hidden} hidden layers")
    if all(p is None for p in pcts):
        return [None] * n_hidden
    return _clips(hidden_row_max(weights, x), pcts)


def _clips(row_max: Sequence[np.ndarray], pcts: Sequence[float | None]) -> list[float | None]:
    """Each layer's ``pct`` percentile of its row maxima; ``None`` where no clip or a clip <= 0."""
    clips = []
    for m, pct in zip(row_max, pcts):
        c = None if pct is None else float(np.percentile(m, pct))
        clips.append(c if c is not None and c > 0 else None)
    return clips


def _fake_quant(a: np.ndarray, low: float, high: float) -> np.ndarray:
    """Per-tensor asymmetric int8 (TFLite's range rule: the range holds 0)."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    if high - low <= 0:
        return np.zeros_like(a)
    s = (high - low) / 255.0
    zp = np.round(-128.0 - low / s)
    return (np.clip(np.round(a / s) + zp, -128, 127) - zp) * s


def simulated_int8_logit(weights, clips: Sequence[float | None], calibration: np.ndarray, x: np.ndarray,
                         logit_clip: float | None) -> np.ndarray:
    """A numpy stand-in for the int8 model's score (monotone in its output): every activation
    fake-quantized per tensor on its calibration range (a clipped layer on ``[0, c]``), float
    weights (measured: weight quantization moves the full model's ROC AUC by 0.0002), the logit
    clipped to ``[-L, L]`` on 256 levels. Used only to rank per-layer clips; the candidate it picks
    is converted and judged by the real int8 model like every other."""
    cal = np.asarray(calibration, np.float64)
    h_cal, h = cal, _fake_quant(np.asarray(x, np.float64), cal.min(), cal.max())
    for (w, b), c in zip(weights[:-1], clips):
        h_cal = np.maximum(h_cal @ w + b, 0.0)
        high = float(h_cal.max()) if c is None else float(c)
        h_cal = np.minimum(h_cal, high)
        h = _fake_quant(np.minimum(np.maximum(h @ w + b, 0.0), high), 0.0, high)
    logit = (h @ weights[-1][0] + weights[-1][1]).reshape(-1)
    if logit_clip is not None:
        logit = _fake_quant(np.clip(logit, -logit_clip, logit_clip), -logit_clip, logit_clip)
    return logit


def search_layer_percentiles(weights, calibration: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
                             candidates: Sequence[float | None], sweeps: int,
                             logit_clip: float | None) -> tuple[list[float | None], float]:
    """Coordinate ascent over each hidden layer's clip percentile (from ``candidates``) on the
    simulated int8 model's validation ROC AUC, starting from no clip; ``sweeps`` passes over the
    layers. Returns the per-layer percentiles and their simulated validation ROC AUC."""
    from tinyids.metrics import roc_auc_or_nan

    n_hidden = len(weights) - 1
    row_max = hidden_row_max(weights, calibration)

    def auc(pcts):
        clips = _clips(row_max, pcts)
        return float(roc_auc_or_nan(y_val, simulated_int8_logit(weights, clips, calibration, x_val, logit_clip)))

    current: list[float | None] = [None] * n_hidden
    best = auc(current)
    for _ in range(int(sweeps)):
        improved = False
        for layer in range(n_hidden):
            for pct in candidates:
                trial = list(current)
                trial[layer] = pct
                score = auc(trial)
                if score > best + 1e-9:
                    best, current, improved = score, trial, True
        if not improved:
            break
    return current, best


def clipped_weights(weights, clips: Sequence[float | None]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Layer ``i`` scaled by ``6 / c_i`` (then ReLU6), layer ``i + 1``'s kernel by ``c_i / 6``."""
    out = [(w.copy(), b.copy()) for w, b in weights]
    for i, c in enumerate(clips):
        if c is None:
            continue
        k = RELU6_MAX / c
        out[i] = (out[i][0] * k, out[i][1] * k)
        out[i + 1] = (out[i + 1][0] / k, out[i + 1][1])
    return out


def logit_clip_weights(weights, limit: float | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """The score ``s = (clip(logit, -L, L) + L) / (2 L)`` without a new op: the output layer
    computes ``u = relu6((logit + L) * 3 / L)`` and a 1 -> 1 layer ``s = u / 6``. The int8 output
    then spans ``[0, 1]`` evenly in the logit instead of the calibration rows' extremes."""
    if limit is None:
        return [(w.copy(), b.copy()) for w, b in weights]
    w, b = weights[-1]
    k = 3.0 / float(limit)
    return [*[(a.copy(), c.copy()) for a, c in weights[:-1]], (w * k, b * k + 3.0),
            (np.array([[1.0 / RELU6_MAX]]), np.array([0.0]))]


def score_of(limit: float | None) -> dict[str, Any] | None:
    """The Deployable's ``decision.score`` of a robust model (``None``: a sigmoid output)."""
    return None if limit is None else {"kind": "clipped_logit", "low": -float(limit), "high": float(limit)}


def build_model(weights, clips: Sequence[float | None], logit_clip: float | None = None):
    """The MLP with the given weights (from :func:`logit_clip_weights` when ``logit_clip``: then
    the output is the score, linear; else the sigmoid); a hidden layer with a clip uses ReLU6."""
    import tensorflow as tf
    import tf_keras as keras

    n_in = weights[0][0].shape[0]
    n_hidden = len(clips)
    layers = [keras.layers.InputLayer(input_shape=(n_in,), name="features")]
    for i, (w, _) in enumerate(weights[:n_hidden]):
        act = tf.nn.relu6 if clips[i] is not None else "relu"
        layers.append(keras.layers.Dense(w.shape[1], activation=act, name=f"dense_{i}"))
    if logit_clip is not None:
        layers.append(keras.layers.Dense(1, activation=tf.nn.relu6, name="logit_clipped"))
        layers.append(keras.layers.Dense(1, activation="linear", name="attack_score"))
    else:
        layers.append(keras.layers.Dense(1, activation="sigmoid", name="attack_probability"))
    model = keras.Sequential(layers, name="pca_dnn_robust")
    for layer, (w, b) in zip(model.layers, weights):
        layer.set_weights([w.astype(np.float32), b.astype(np.float32)])
    return model


CRITERIA = ("accuracy", "attack_f1")


def _criterion_scores(raw: np.ndarray, y: np.ndarray, criterion: str) -> np.ndarray:
    """The criterion's value of the rule ``raw >= q`` for every int8 ``q`` (index ``q + 128``)."""
    raw, y = np.asarray(raw, np.int32).reshape(-1), np.asarray(y).reshape(-1).astype(bool)
    q = np.arange(-128, 128)
    pred = raw[None, :] >= q[:, None]
    if criterion == "accuracy":
        return np.mean(pred == y[None, :], axis=1)
    if criterion == "attack_f1":
        tp = np.sum(pred & y[None, :], axis=1)
        fp = np.sum(pred & ~y[None, :], axis=1)
        fn = np.sum(~pred & y[None, :], axis=1)
        denom = 2 * tp + fp + fn
        return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    raise ValueError(f"threshold criterion {criterion!r}: one of {', '.join(CRITERIA)}")


def choose_threshold(raw_val: np.ndarray, y_val: np.ndarray, scale: float, zero_point: int,
                     preferred: float, criterion: str = "accuracy") -> tuple[int, float, float]:
    """(int8 value ``q``, the dequantized output halfway between ``q - 1`` and ``q``, the
    criterion's validation value) of the best rule ``raw >= q``; ties: the threshold nearest
    ``preferred``, then the largest ``q``."""
    values = _criterion_scores(raw_val, y_val, criterion)
    best: tuple[float, float, int] | None = None
    for q in range(-128, 128):
        key = (float(values[q + 128]), -abs((q - zero_point - 0.5) * float(scale) - preferred), -q)
        if best is None or key > best:
            best = key
    value, _, neg_q = best
    q = -neg_q
    return q, (q - zero_point - 0.5) * float(scale), value


def threshold_choices(raw_val, y_val, output_q, score: dict[str, Any] | None, float_val: np.ndarray,
                      preferred: float) -> dict[str, dict[str, Any]]:
    """For each criterion: the int8 decision (``int8``, ``probability``) chosen on the validation
    rows, and the float source model's probability threshold chosen the same way (its scores on
    the int8 sigmoid's grid, 1/256)."""
    from tinyids.litert import Quantization
    from tinyids.study.deployable import output_probability, output_threshold

    grid = Quantization(1.0 / 256.0, -128)
    preferred_output = output_threshold({"probability": preferred, "score": score})  # tie-breaking only
    out = {}
    for criterion in CRITERIA:
        q, t, value = choose_threshold(raw_val, y_val, output_q.scale, output_q.zero_point,
                                       preferred_output, criterion)
        prob = float(output_probability({"score": score}, np.float64(t))) if score is not None else _unit(t)
        _, ft, fvalue = choose_threshold(grid.quantize(float_val), y_val, grid.scale, grid.zero_point, preferred,
                                         criterion)
        out[criterion] = {"int8": int(q), "probability": prob, "validation_value_int8": value,
                          "float_probability": _unit(ft), "validation_value_float": fvalue}
    return out


def _unit(t: float) -> float:
    return min(1.0, max(0.0, float(t)))


def convert(weights, clips, calibration: np.ndarray, settings: Settings, seed: int) -> tuple[Any, bytes]:
    from tinyids import compress

    limit = settings.robust.logit_clip
    model = build_model(logit_clip_weights(weights, limit), clips, limit)
    flat = compress.to_tflite_int8(model, calibration, n_samples=None, seed=seed)
    return model, flat


def int8_raw(flatbuffer: bytes, x: np.ndarray):
    from tinyids.litert import input_quantization, make_interpreter, output_quantization, run_raw

    interp = make_interpreter(flatbuffer, threads=1)
    iq, oq = input_quantization(interp), output_quantization(interp)
    raw = run_raw(interp, iq.quantize(x)).reshape(len(x), -1)[:, 0] if len(x) else np.zeros(0, np.int8)
    return raw.astype(np.int32), iq, oq


def make_robust(model, arrays: dict[str, np.ndarray], settings: Settings, *, order: str, seed: int) -> dict[str, Any]:
    """Build the robust variant of ``model``; returns the float model, the int8 flatbuffer, the
    input transform, the decision and what was measured on validation rows to choose them."""
    from tinyids.metrics import roc_auc_or_nan

    rb = settings.robust
    x_train = np.asarray(arrays["x_train"], np.float32)
    y_train = np.asarray(arrays["y_train"]).astype(np.int64)
    val = validation_rows(len(x_train), settings.training.validation_split, arrays["train_source_row"], order)
    if val.size == 0 or np.unique(y_train[val]).size < 2:
        raise DataError(f"robust variant: the {val.size} validation rows do not hold both classes")
    transform = fit_input_transform(x_train, rb.input_percentile, rb.input_scaling)
    rng = np.random.default_rng(seed)
    n_cal = min(rb.calibration_samples, len(x_train))
    cal_idx = np.sort(rng.choice(len(x_train), size=n_cal, replace=False))
    z_cal = np.clip(transform.apply(x_train[cal_idx]), transform.low, transform.high).astype(np.float32)
    z_val = transform.apply(x_train[val])
    base = fold_standardisation(dense_weights(model), transform)
    candidates = []
    best = None
    trials: list[float | None | list[float | None]] = list(rb.activation_percentiles)
    if rb.layer_search_sweeps > 0:
        per_layer, sim_auc = search_layer_percentiles(base, z_cal, z_val, y_train[val], rb.activation_percentiles,
                                                      rb.layer_search_sweeps, rb.logit_clip)
        log.info("per-layer clip search: percentiles %s, simulated validation ROC AUC %.4f", per_layer, sim_auc)
        if len(set(per_layer)) > 1:  # a uniform result is already a candidate
            trials.append(per_layer)
    for pct in trials:
        clips = clip_values(base, z_cal, pct)
        weights = clipped_weights(base, clips)
        fmodel, flat = convert(weights, clips, z_cal, settings, seed)
        raw, iq, oq = int8_raw(flat, z_val)
        auc = float(roc_auc_or_nan(y_train[val], oq.dequantize(raw)))
        candidates.append({"activation_percentile": pct, "clips": clips, "validation_roc_auc_int8": auc})
        log.info("activation percentile %s: clips %s, validation ROC AUC (int8) %.4f", pct,
                 [None if c is None else round(c, 3) for c in clips], auc)
        if best is None or auc > best["auc"] + 1e-12:
            best = {"auc": auc, "pct": pct, "clips": clips, "model": fmodel, "flat": flat, "raw": raw, "oq": oq, "iq": iq}
    score = score_of(rb.logit_clip)
    fscore_val = np.asarray(model.predict(x_train[val], batch_size=4096, verbose=0)).reshape(-1)
    choices = threshold_choices(best["raw"], y_train[val], best["oq"], score, fscore_val, settings.threshold)
    chosen = choices[rb.threshold_criterion]
    decision = {"rule": "threshold", "output": 0, "probability": chosen["probability"], "int8": chosen["int8"]}
    if score is not None:
        decision["score"] = score
    val_acc = float(np.mean((best["raw"] >= chosen["int8"]) == y_train[val]))
    return {
        "model": best["model"], "flatbuffer": best["flat"], "transform": transform if rb.input_scaling != "none" else None,
        "float_threshold": chosen["float_probability"], "decision": decision, "threshold_choices": choices,
        "choice": {
            "activation_percentile": best["pct"], "clips": best["clips"], "candidates": candidates,
            "input_scaling": rb.input_scaling, "input_percentile": rb.input_percentile, "input_clip_low": transform.low.tolist(),
            "input_clip_high": transform.high.tolist(), "calibration_rows": int(n_cal),
            "validation_rows": int(val.size), "validation_attack_share": float(np.mean(y_train[val])),
            "validation_accuracy_int8": val_acc, "validation_roc_auc_int8": best["auc"],
            "input_quantization": {"scale": best["iq"].scale, "zero_point": best["iq"].zero_point},
            "logit_clip": rb.logit_clip, "threshold_criterion": rb.threshold_criterion,
            "distinct_int8_outputs_validation": int(np.unique(best["raw"]).size),
        },
    }
