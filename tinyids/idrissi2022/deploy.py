"""Deployable int8 models of idrissi2022 (tMO, tMOP per protocol), per the deployables contract.

Names: ``tMO`` / ``tMOP`` for the deploy protocol (config ``deploy_protocol``, default ``dedup``:
what codegen and firmware read), ``tMO_paper`` / ``tMOP_paper`` for the other protocol.
``results/idrissi2022/deploy/<name>.tflite`` (full-integer, int8 in/out), ``<name>.npz``
(``X_test`` float32 rows exactly as fed to the model: unit-norm features, the chi-square subset
for tMOP, shape (n, features); ``y_test`` int labels) and ``<name>.json`` (class names, feature
names, preprocessing constants, input/output quantization, protocol, measured accuracy). The
model's input tensor is (1, features, 1): a row of ``X_test`` reshaped, nothing else.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.errors import TinyidsError
from tinyids.fileio import atomic_path, write_json_atomic
from tinyids.idrissi2022.evaluation import variant_features
from tinyids.idrissi2022.protocols import IANA_PROTOCOLS, Prepared


def deploy_name(protocol: str, variant: str, deploy_protocol: str = "dedup") -> str:
    """``tMO`` for the deploy protocol (the name codegen and firmware read), ``tMO_paper`` otherwise."""
    return variant if protocol == deploy_protocol else f"{variant}_{protocol}"


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
) -> dict[str, Any]:
    from tinyids.litert import input_quantization, make_interpreter, output_quantization

    interp = make_interpreter(tflite_file, threads=1)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if np.dtype(inp["dtype"]) != np.int8 or np.dtype(out["dtype"]) != np.int8:
        raise TinyidsError(f"{tflite_file}: a deployable must have int8 input and output, has "
                           f"{np.dtype(inp['dtype'])} / {np.dtype(out['dtype'])}")
    features = variant_features(variant)
    x_test, y_test = prepared.split("test", features)
    names = prepared.selected_names if features == "selected" else list(prepared.feature_names)
    with atomic_path(out_tflite) as tmp:
        shutil.copyfile(tflite_file, tmp)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, X_test=np.asarray(x_test, dtype=np.float32), y_test=np.asarray(y_test, dtype=np.int64))
    in_q, out_q = input_quantization(interp), output_quantization(interp)
    meta = {
        "name": name or deploy_name(protocol, variant),
        "study": "idrissi2022",
        "variant": variant,
        "protocol": protocol,
        "seed": seed,
        "source": source,
        "class_names": list(prepared.classes),
        "feature_names": names,
        "input_shape": [int(s) for s in inp["shape"]],
        "input_quantization": {"scale": in_q.scale, "zero_point": in_q.zero_point},
        "output_quantization": {"scale": out_q.scale, "zero_point": out_q.zero_point},
        "preprocessing": {
            "dropped_identifiers": prepared.report.get("dropped_identifiers", {}),
            "encoding": {"proto": IANA_PROTOCOLS},
            "scaling": "x / ||x||_2 over the 16 encoded features (all-zero rows stay zero)",
            "feature_selection": ("chi-square on the training split, applied after scaling"
                                  if features == "selected" else "none (all 16 features)"),
            "all_features": list(prepared.feature_names),
            "selected_indices": list(prepared.selected) if features == "selected" else None,
            "reshape": "(n, features) -> (n, features, 1)",
        },
        "n_test": int(y_test.size),
        "accuracy": metrics.get("accuracy"),
        "metrics": metrics,
    }
    write_json_atomic(out_json, meta)
    return meta
