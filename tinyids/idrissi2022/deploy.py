"""Deployable int8 models of idrissi2022 (tMO, tMOP per protocol), written as
:class:`tinyids.study.deployable.Deployable` records.

Names: ``tMO`` / ``tMOP`` for the deploy protocol (config ``deploy_protocol``, default ``dedup``:
what codegen and firmware read), ``tMO_paper`` / ``tMOP_paper`` for the other protocol.
``results/idrissi2022/deploy/<name>.tflite`` (full-integer, int8 in/out), ``<name>.npz``
(``X_test`` float32 rows exactly as fed to the model: unit-norm features, the chi-square subset
for tMOP, shape (n, features); ``y_test`` int labels) and ``<name>.json`` (the Deployable).

The raw vector a device receives is the 16 encoded uniflow features of
:mod:`tinyids.idrissi2022.protocols` (``proto`` already its IANA number). The typed steps are
what ``protocols.prepare`` does to it: ``encode`` (the IANA code table of ``proto``, applied where
the row is read), ``l2`` (``unit_normalize``: every row to unit L2 norm, all-zero rows stay zero)
and, for tMOP, ``select`` (the chi-square indices, chosen on the unit-norm training rows, so
applied after scaling). The model's input tensor is (1, features, 1): a row of ``X_test``
reshaped, nothing else.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.errors import TinyidsError
from tinyids.fileio import atomic_path
from tinyids.idrissi2022.evaluation import variant_features
from tinyids.idrissi2022.protocols import IANA_PROTOCOLS, Prepared
from tinyids.study import deployable

ENCODED_COLUMN = "proto"  # the one categorical uniflow column, encoded as its IANA protocol number


def deploy_name(protocol: str, variant: str, deploy_protocol: str = "dedup") -> str:
    """``tMO`` for the deploy protocol (the name codegen and firmware read), ``tMO_paper`` otherwise."""
    return variant if protocol == deploy_protocol else f"{variant}_{protocol}"


def preprocessing_steps(prepared: Prepared, features: str) -> list[dict[str, Any]]:
    """The typed steps from the 16 encoded features to the model input (see the module docstring)."""
    steps: list[dict[str, Any]] = []
    if ENCODED_COLUMN in prepared.feature_names:
        steps.append({"op": "encode", "column": prepared.feature_names.index(ENCODED_COLUMN),
                      "codes": {name: float(code) for name, code in IANA_PROTOCOLS.items()}})
    steps.append({"op": "l2"})
    if features == "selected":
        steps.append({"op": "select", "indices": [int(i) for i in prepared.selected]})
    return steps


def _metrics(row: dict[str, Any]) -> dict[str, Any]:
    """The numeric figures of the evaluation row (the int8 model on this test split)."""
    return {k: v for k, v in row.items()
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and k != "seed"}


def write(
    *,
    name: str | None = None,
    tflite_file: str | Path,
    prepared: Prepared,
    variant: str,
    protocol: str,
    seed: int,
    source: str,
    metrics: dict[str, Any],
    out_tflite: str | Path,
    out_npz: str | Path,
    out_json: str | Path,
) -> deployable.Deployable:
    from tinyids.litert import input_quantization, make_interpreter, output_quantization

    name = name or deploy_name(protocol, variant)
    interp = make_interpreter(tflite_file, threads=1)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if np.dtype(inp["dtype"]) != np.int8 or np.dtype(out["dtype"]) != np.int8:
        raise TinyidsError(f"{tflite_file}: a deployable must have int8 input and output, has "
                           f"{np.dtype(inp['dtype'])} / {np.dtype(out['dtype'])}")
    n_outputs = int(np.prod(out["shape"]))
    if n_outputs != len(prepared.classes):
        raise TinyidsError(f"{tflite_file}: {n_outputs} outputs for {len(prepared.classes)} classes (argmax needs one per class)")
    if "accuracy" not in metrics:
        raise TinyidsError(f"deployable {name}: the evaluation row of {variant} has no 'accuracy'")
    features = variant_features(variant)
    x_test, y_test = prepared.split("test", features)
    names = prepared.selected_names if features == "selected" else list(prepared.feature_names)
    in_q, out_q = input_quantization(interp), output_quantization(interp)
    dep = deployable.Deployable.create(
        name=name, study="idrissi2022", protocol=protocol, variant=variant, seed=seed,
        class_names=list(prepared.classes), raw_feature_names=list(prepared.feature_names), feature_names=names,
        model_format="tflite-int8",
        input_quantization=deployable.quantization(in_q.scale, in_q.zero_point),
        output_quantization=deployable.quantization(out_q.scale, out_q.zero_point),
        decision={"rule": "argmax"},
        test_rows=int(y_test.size),
        metrics={**_metrics(metrics), "model_bytes": Path(tflite_file).stat().st_size},
        steps=preprocessing_steps(prepared, features),
        preprocessing_description=(
            "proto as its IANA protocol number (numeric codes pass through), every row scaled to unit "
            "L2 norm over the 16 encoded features (all-zero rows stay zero)"
            + (", then the chi-square features chosen on the unit-norm training split" if features == "selected" else "")
            + "; the model's input tensor is the row reshaped to (1, features, 1)"),
        description=f"idrissi2022 {variant} ({protocol} protocol, seed {seed}): int8 1-D CNN over the uniflow features",
        extra={
            "source": source,
            "input_shape": [int(s) for s in inp["shape"]],
            "dropped_identifiers": prepared.report.get("dropped_identifiers", {}),
            "feature_selection": "chi2" if features == "selected" else "none",
            "evaluation": {k: v for k, v in metrics.items() if k not in _metrics(metrics)},
        },
    )
    with atomic_path(out_tflite) as tmp:
        shutil.copyfile(tflite_file, tmp)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, X_test=np.asarray(x_test, dtype=np.float32), y_test=np.asarray(y_test, dtype=np.int64))
    deployable.write(dep, out_json)
    return dep


def write_robust(
    *,
    name: str,
    tflite_file: str | Path,
    robust_npz: str | Path,
    prepared: Prepared,
    variant: str,
    protocol: str,
    seed: int,
    metrics: dict[str, Any],
    float_metrics: dict[str, Any] | None,
    out_tflite: str | Path,
    out_npz: str | Path,
    out_json: str | Path,
) -> deployable.Deployable:
    """A quantization-robust variant (:mod:`tinyids.idrissi2022.robust`) as a Deployable: the steps
    are ``encode`` (proto), ``log1p`` and ``offset_scale`` fitted on the training rows, so the device
    runs them from the raw vector; the npz holds ``X_raw`` (the 16 encoded features) beside
    ``X_test`` (the model input) and ``y_test``."""
    import json

    from tinyids.litert import input_quantization, make_interpreter, output_quantization

    interp = make_interpreter(tflite_file, threads=1)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if np.dtype(inp["dtype"]) != np.int8 or np.dtype(out["dtype"]) != np.int8:
        raise TinyidsError(f"{tflite_file}: a deployable must have int8 input and output")
    if "accuracy" not in metrics:
        raise TinyidsError(f"deployable {name}: the evaluation row of {variant} has no 'accuracy'")
    with np.load(robust_npz, allow_pickle=False) as z:
        x_test, y_test, x_raw = z["x_test"], z["y_test"], z["x_raw_test"]
        numeric_steps = json.loads(str(z["steps"]))
    steps = [s for s in preprocessing_steps(prepared, "all") if s["op"] == "encode"] + numeric_steps
    in_q, out_q = input_quantization(interp), output_quantization(interp)
    dep = deployable.Deployable.create(
        name=name, study="idrissi2022", protocol=protocol, variant=variant, seed=seed,
        class_names=list(prepared.classes), raw_feature_names=list(prepared.feature_names),
        feature_names=list(prepared.feature_names), model_format="tflite-int8",
        input_quantization=deployable.quantization(in_q.scale, in_q.zero_point),
        output_quantization=deployable.quantization(out_q.scale, out_q.zero_point),
        decision={"rule": "argmax"}, test_rows=int(y_test.size),
        metrics={**_metrics(metrics), "model_bytes": Path(tflite_file).stat().st_size},
        steps=steps, has_raw=True,
        preprocessing_description=(
            "proto as its IANA protocol number, log1p of all 16 encoded features, then (x - min) * scale "
            "with min and 1 / (max - min) of the log1p features over the training rows only (the project's "
            "quantization-robust transform, not the paper's); the model's input tensor is the row reshaped "
            "to (1, 16, 1)"),
        description=f"idrissi2022 {variant} ({protocol} protocol, seed {seed}): the project's quantization-robust "
                    "int8 variant (not in the paper)",
        extra={
            "source": prepared.report.get("source", "unknown"),
            "input_shape": [int(s) for s in inp["shape"]],
            "float_accuracy": None if float_metrics is None else float_metrics.get("accuracy"),
            "robust_steps": metrics.get("robust_steps"),
        },
    )
    with atomic_path(out_tflite) as tmp:
        shutil.copyfile(tflite_file, tmp)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, X_test=np.asarray(x_test, dtype=np.float32), y_test=np.asarray(y_test, dtype=np.int64),
                     X_raw=np.asarray(x_raw, dtype=np.float32))
    deployable.write(dep, out_json)
    return dep
