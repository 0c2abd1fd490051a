"""Test-set evaluation of one trained model: Keras, float and int8 LiteRT, sizes, host latency.

Writes, for model ``m`` of a (protocol, fold): ``m.keras``, ``m_float.tflite``,
``m_int8.tflite``, ``m_history.csv``, ``m_predictions.npz`` (test labels and scores of the
Keras and int8 models) and ``m_eval.json`` (metrics, sizes, latency, training info).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import tinyids  # noqa: F401

import numpy as np
import pandas as pd

from tinyids import compress
from tinyids.fileio import atomic_path, write_csv_atomic, write_json_atomic
from tinyids.ibrahim2025.sizes import model_size_table
from tinyids.metrics import binary_metrics

log = logging.getLogger(__name__)


def keras_scores(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(x, batch_size=4096, verbose=0)).reshape(-1).astype(np.float64)


def litert_scores(flatbuffer: bytes, x: np.ndarray) -> np.ndarray:
    from tinyids.litert import make_interpreter, predict_float_features

    interp = make_interpreter(flatbuffer, threads=1)
    return predict_float_features(interp, x).reshape(-1).astype(np.float64)


def host_latency_us(flatbuffer: bytes, x: np.ndarray, n_samples: int) -> dict[str, float]:
    """Per-sample ``invoke`` latency of a .tflite on this host (1 thread), in microseconds."""
    from tinyids.litert import input_quantization, make_interpreter

    interp = make_interpreter(flatbuffer, threads=1)
    inp = interp.get_input_details()[0]
    rows = np.asarray(x[: max(1, n_samples)], dtype=np.float32)
    q = input_quantization(interp) if inp["dtype"] == np.int8 else None
    raw = q.quantize(rows) if q else rows.astype(inp["dtype"])
    shape = list(inp["shape"])
    for row in raw[: min(20, len(raw))]:  # warm-up
        interp.set_tensor(inp["index"], row.reshape(shape))
        interp.invoke()
    times = []
    for row in raw:
        interp.set_tensor(inp["index"], row.reshape(shape))
        start = time.perf_counter_ns()
        interp.invoke()
        times.append((time.perf_counter_ns() - start) / 1000.0)
    arr = np.asarray(times)
    return {"median_us": float(np.median(arr)), "p95_us": float(np.percentile(arr, 95)), "samples": int(arr.size)}


def evaluate_and_export(
    model, name: str, out_dir: str | Path, arrays: dict[str, np.ndarray], *, history: dict[str, list[float]],
    train_info: dict[str, Any], settings, protocol: str, fold: int,
) -> dict[str, Any]:
    """Evaluate ``model`` on the test rows, export it in three formats, write its records."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    x_test, y_test = arrays["x_test"], arrays["y_test"].astype(int)
    threshold = settings.threshold

    with atomic_path(out_dir / f"{name}.keras") as tmp:
        keras_path = tmp.with_suffix(".keras")
        model.save(keras_path)
        keras_bytes = keras_path.read_bytes()
        keras_path.replace(tmp)
    float_tfl = compress.to_tflite_float(model)
    int8_tfl = compress.to_tflite_int8(
        model, arrays["x_train"], n_samples=settings.calibration_samples, seed=settings.protocol_seed(protocol, fold)
    )
    in_dtype, out_dtype = compress.tflite_io_dtypes(int8_tfl)
    for suffix, data in (("float", float_tfl), ("int8", int8_tfl)):
        with atomic_path(out_dir / f"{name}_{suffix}.tflite") as tmp:
            tmp.write_bytes(data)

    score = keras_scores(model, x_test)
    pred = (score >= threshold).astype(int)
    score_int8 = litert_scores(int8_tfl, x_test)
    pred_int8 = (score_int8 >= threshold).astype(int)
    score_float = litert_scores(float_tfl, x_test)
    m = binary_metrics(y_test, pred, score)
    m8 = binary_metrics(y_test, pred_int8, score_int8)
    sizes = model_size_table(model, {"keras": keras_bytes, "tflite_float": float_tfl, "tflite_int8": int8_tfl})
    latency_int8 = host_latency_us(int8_tfl, x_test, settings.latency_samples)
    latency_float = host_latency_us(float_tfl, x_test, settings.latency_samples)
    record: dict[str, Any] = {
        "protocol": protocol,
        "fold": int(fold),
        "model": name,
        "smoke": bool(settings.smoke),
        "threshold": threshold,
        "test_rows": int(y_test.size),
        "test_attack_rows": int(y_test.sum()),
        "metrics": m,
        "metrics_int8": m8,
        "float_tflite_max_abs_diff": float(np.max(np.abs(score_float - score))) if score.size else 0.0,
        "int8_agreement": float(np.mean(pred_int8 == pred)) if pred.size else float("nan"),
        "int8_io_dtypes": [str(in_dtype), str(out_dtype)],
        "sizes": sizes,
        "weight_sparsity": compress.weight_sparsity(model),
        "kernel_sparsity": compress.kernel_sparsity(model),
        "latency_int8": latency_int8,
        "latency_float": latency_float,
        "train": {**train_info},
    }
    log.info("%s/%s fold %d: accuracy %.4f (int8 %.4f), F1 %.4f, AUC %.4f, non-zero %d of %d",
             protocol, name, fold, m["accuracy"], m8["accuracy"], m["f1"], m["roc_auc"],
             sizes["nonzero_parameters"], sizes["parameters"])
    hist = pd.DataFrame(history)
    hist.insert(0, "epoch", np.arange(1, len(hist) + 1))
    write_csv_atomic(out_dir / f"{name}_history.csv", hist)
    with atomic_path(out_dir / f"{name}_predictions.npz") as tmp:
        with open(tmp, "wb") as handle:
            np.savez_compressed(handle, y_test=y_test, score=score, pred=pred, score_int8=score_int8, pred_int8=pred_int8)
    write_json_atomic(out_dir / f"{name}_eval.json", record)
    return record
