"""Deployable int8 models (docs/DEVELOPING.md, "Deployable models contract").

For each configured (protocol, model), from fold 0: ``deploy/<name>.tflite`` (full-integer,
int8 in/out), ``deploy/<name>.npz`` (``X_test`` float32 as fed to the model, i.e. after
one-hot, MinMax and PCA; ``y_test`` int), ``deploy/<name>.json`` (class and feature names, the
preprocessing constants, protocol, measured accuracy of the int8 model).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.errors import TinyidsError
from tinyids.fileio import atomic_path, write_json_atomic


def deploy_name(protocol: str, model: str) -> str:
    return f"ibrahim2025_{protocol}_{model}"


def write_deployable(
    *, name: str, int8_tflite: str | Path, data_npz: str | Path, preprocess_json: str | Path,
    eval_json: str | Path, out_tflite: str | Path, out_npz: str | Path, out_json: str | Path,
) -> dict[str, Any]:
    from tinyids.litert import input_quantization, make_interpreter, output_quantization

    flatbuffer = Path(int8_tflite).read_bytes()
    interp = make_interpreter(flatbuffer)
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    if inp["dtype"] != np.int8 or out["dtype"] != np.int8:
        raise TinyidsError(f"{int8_tflite}: deployables must have int8 input and output, got {inp['dtype']} / {out['dtype']}")
    with np.load(data_npz) as data:
        x_test = np.asarray(data["x_test"], dtype=np.float32)
        y_test = np.asarray(data["y_test"]).astype(np.int64)
    pre = json.loads(Path(preprocess_json).read_text(encoding="utf-8"))
    ev = json.loads(Path(eval_json).read_text(encoding="utf-8"))
    iq, oq = input_quantization(interp), output_quantization(interp)
    meta = {
        "name": name,
        "study": "ibrahim2025",
        "protocol": ev["protocol"],
        "model": ev["model"],
        "fold": ev["fold"],
        "smoke": ev.get("smoke", False),
        "class_names": ["normal", "attack"],
        "output": "one int8 value: dequantized, the sigmoid probability of 'attack'; attack if >= threshold",
        "threshold": ev["threshold"],
        "feature_names": [f"pc{i + 1}" for i in range(x_test.shape[1])],
        "raw_feature_names": pre["scaled_feature_names"],
        "input_quantization": {"scale": iq.scale, "zero_point": iq.zero_point} if iq else None,
        "output_quantization": {"scale": oq.scale, "zero_point": oq.zero_point} if oq else None,
        "preprocessing": pre,
        "test_rows": int(y_test.size),
        "accuracy_int8": ev["metrics_int8"]["accuracy"],
        "accuracy_keras": ev["metrics"]["accuracy"],
        "metrics_int8": ev["metrics_int8"],
        "parameters": ev["sizes"]["parameters"],
        "nonzero_parameters": ev["sizes"]["nonzero_parameters"],
        "tflite_bytes": len(flatbuffer),
    }
    with atomic_path(out_tflite) as tmp:
        tmp.write_bytes(flatbuffer)
    with atomic_path(out_npz) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, X_test=x_test, y_test=y_test)
    write_json_atomic(out_json, meta)
    return meta
