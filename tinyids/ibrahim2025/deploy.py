"""Deployable int8 models of ibrahim2025, written as :class:`tinyids.study.deployable.Deployable`
records (docs/DEVELOPING.md, "The study contract").

For each configured (protocol, model), from fold 0: ``deploy/<name>.tflite`` (full-integer,
int8 in/out), ``deploy/<name>.npz`` (``X_test`` float32 as fed to the model, i.e. after
one-hot, MinMax and PCA; ``y_test`` int) and ``deploy/<name>.json`` (the Deployable).

The raw vector a device receives is the encoded WUSTL row (``scaled_feature_names``: the
categorical columns already one-hot). The typed steps are the fitted preprocessing of
:mod:`tinyids.ibrahim2025.protocols`: ``minmax`` (scikit-learn's ``MinMaxScaler.transform``,
``x * scale + min``) then ``pca`` (``(x - mean) @ components.T``, no whitening). The model has one
output: the sigmoid's probability, or for a robust variant the clipped logit scaled to [0, 1]
(``decision.score``); the decision is ``threshold`` at the eval's probability (the study's
``threshold``, or the robust variant's validation-chosen one) with the int8 value that reproduces
the evaluation's rule on the dequantized output exactly (checked on every int8 output value when
written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.errors import TinyidsError
from tinyids.fileio import atomic_path
from tinyids.study import deployable


def deploy_name(protocol: str, model: str) -> str:
    return f"ibrahim2025_{protocol}_{model}"


def preprocessing_steps(pre: dict[str, Any]) -> list[dict[str, Any]]:
    """``minmax`` then ``pca`` from a ``preprocess.json`` (``Prepared.preprocess_json``)."""
    scaler, pca = pre["scaler"], pre["pca"]
    return [
        {"op": "minmax", "scale": [float(v) for v in scaler["scale"]], "min": [float(v) for v in scaler["min"]]},
        {"op": "pca", "mean": [float(v) for v in pca["mean"]], "components": [[float(v) for v in row] for row in pca["components"]]},
    ]


def threshold_decision(output_q, probability: float, source: str,
                       score: dict[str, Any] | None = None) -> dict[str, Any]:
    """``threshold`` on output 0: the int8 value ``q`` with ``q >= int8`` exactly where the
    evaluation's rule ``P(dequantize(q)) >= probability`` (float32 dequantization, as
    ``tinyids.litert``; ``P`` the identity, or with ``score`` the probability a clipped-logit
    score stands for) holds, for every int8 ``q``."""
    rule = {"rule": "threshold", "output": 0, "probability": float(probability)}
    if score is not None:
        rule["score"] = dict(score)
    q = np.arange(-128, 128)
    evaluation = deployable.output_probability(rule, output_q.dequantize(q)) >= float(probability)
    value = deployable.threshold_int8(output_q.scale, output_q.zero_point, deployable.output_threshold(rule))
    if not np.array_equal(evaluation, q >= value):
        raise TinyidsError(f"{source}: the int8 threshold {value} does not reproduce 'P(score) >= {probability}' on "
                           f"every int8 output (scale {output_q.scale}, zero point {output_q.zero_point})")
    return {**rule, "int8": int(value)}


def write_deployable(
    *, name: str, int8_tflite: str | Path, data_npz: str | Path, preprocess_json: str | Path,
    eval_json: str | Path, out_tflite: str | Path, out_npz: str | Path, out_json: str | Path,
) -> deployable.Deployable:
    from tinyids.litert import input_quantization, make_interpreter, output_quantization, run_raw

    flatbuffer = Path(int8_tflite).read_bytes()
    interp = make_interpreter(flatbuffer)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if inp["dtype"] != np.int8 or out["dtype"] != np.int8:
        raise TinyidsError(f"{int8_tflite}: deployables must have int8 input and output, got {inp['dtype']} / {out['dtype']}")
    if int(np.prod(out["shape"])) != 1:
        raise TinyidsError(f"{int8_tflite}: ibrahim2025 models have one output, this one has shape {list(out['shape'])}")
    with np.load(data_npz) as data:
        x_test = np.asarray(data["x_test"], dtype=np.float32)
        y_test = np.asarray(data["y_test"]).astype(np.int64)
    pre = json.loads(Path(preprocess_json).read_text(encoding="utf-8"))
    ev = json.loads(Path(eval_json).read_text(encoding="utf-8"))
    iq, oq = input_quantization(interp), output_quantization(interp)
    decision = threshold_decision(oq, ev["threshold"], str(int8_tflite), (ev.get("decision") or {}).get("score"))
    if ev.get("decision") is not None and decision["int8"] != int(ev["decision"]["int8"]):
        raise TinyidsError(f"{eval_json}: decision.int8 {ev['decision']['int8']} but probability {ev['threshold']} "
                           f"gives {decision['int8']} on this model's output quantization")
    input_steps = list(ev.get("input_steps") or [])  # a robust variant scales the PCA outputs
    if input_steps:
        from tinyids.study.preprocessing import apply

        x_test = apply(input_steps, x_test)
    raw_out = run_raw(interp, iq.quantize(x_test)).reshape(len(x_test), -1)[:, 0] if len(x_test) else np.zeros(0, np.int8)
    accuracy = float(np.mean((raw_out.astype(np.int32) >= decision["int8"]) == y_test)) if len(y_test) else None
    if accuracy is not None and not np.isclose(accuracy, ev["metrics_int8"]["accuracy"], rtol=0, atol=1e-12):
        raise TinyidsError(f"{eval_json}: int8 accuracy {ev['metrics_int8']['accuracy']} but the deployable's decision "
                           f"gives {accuracy} on the same {len(y_test)} test rows")
    dep = deployable.Deployable.create(
        name=name, study="ibrahim2025", protocol=ev["protocol"], variant=ev["model"], seed=int(ev["fold"]),
        class_names=["normal", "attack"],
        raw_feature_names=pre["scaled_feature_names"],
        feature_names=[f"{'z' if input_steps else 'pc'}{i + 1}" for i in range(x_test.shape[1])],
        model_format="tflite-int8",
        input_quantization=deployable.quantization(iq.scale, iq.zero_point),
        output_quantization=deployable.quantization(oq.scale, oq.zero_point),
        decision=decision,
        test_rows=int(y_test.size),
        metrics={**ev["metrics_int8"], "model_bytes": len(flatbuffer)},
        steps=preprocessing_steps(pre) + input_steps,
        preprocessing_description=(
            "the WUSTL row with its categorical columns one-hot encoded (extra.encoder), MinMax scaled "
            "with the constants fitted on " + str(pre.get("info", {}).get("fitted_on", "the protocol's rows"))
            + ", then projected on the PCA components"
            + (", then scaled per component by the robust variant's 'standard' step (constants from training "
               "rows)" if input_steps else "")),
        description=(f"ibrahim2025 {ev['model']} ({ev['protocol']} protocol, fold {ev['fold']}): int8 MLP with one "
                     + ("output, the logit of 'attack' clipped and scaled to [0, 1] (decision.score)"
                        if decision.get("score") else "sigmoid output, the probability of 'attack'")
                     + ("; quantization-robust variant (inputs scaled per component, clipped activation ranges, "
                        "int8 threshold chosen on validation rows)" if "choice" in ev else "; the paper-faithful conversion")),
        extra={
            "fold": int(ev["fold"]),
            "smoke": bool(ev.get("smoke", False)),
            "encoder": pre.get("encoder"),
            "explained_variance_ratio": pre.get("pca", {}).get("explained_variance_ratio"),
            "preprocessing_info": pre.get("info", {}),
            "metrics_keras": ev["metrics"],
            "parameters": ev["sizes"]["parameters"],
            "nonzero_parameters": ev["sizes"]["nonzero_parameters"],
            "tflite_bytes": len(flatbuffer),
            **({"robust_choice": ev["choice"], "source_model": ev["source_model"]} if "choice" in ev else {}),
        },
    )
    with atomic_path(out_tflite) as tmp:
        tmp.write_bytes(flatbuffer)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, X_test=x_test, y_test=y_test)
    deployable.write(dep, out_json)
    return dep
