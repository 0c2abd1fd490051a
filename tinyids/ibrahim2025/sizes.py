"""Model sizes, including the paper's formula (7)-(8).

Formula (7)-(8) (Section 3.8.5): Model size = sum over layers of S[i], S[i] = (N[i] + 1) * 4,
with N[i] "the total number of weights and biases in layer i". Taken literally this counts
4 bytes per parameter plus 4 bytes per layer. It ignores sparsity, so it gives the same size
for the pruned model; :func:`formula_size_nonzero` applies it to the non-zero parameters, the
only reading under which pruning changes the figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def layer_parameter_counts(weights_by_layer: Sequence[Sequence[np.ndarray]]) -> list[int]:
    return [int(sum(np.asarray(w).size for w in ws)) for ws in weights_by_layer]


def layer_nonzero_counts(weights_by_layer: Sequence[Sequence[np.ndarray]]) -> list[int]:
    return [int(sum(np.count_nonzero(w) for w in ws)) for ws in weights_by_layer]


def formula_size(layer_counts: Sequence[int], bytes_per_value: int = 4) -> int:
    """Equations (7)-(8): sum_i (N[i] + 1) * 4 over the layers with parameters."""
    return int(sum((int(n) + 1) * bytes_per_value for n in layer_counts if n > 0))


def formula_size_nonzero(nonzero_counts: Sequence[int], bytes_per_value: int = 4) -> int:
    """Equations (7)-(8) with N[i] = the non-zero weights and biases of layer i."""
    return formula_size(nonzero_counts, bytes_per_value)


def weights_by_layer(model) -> list[list[np.ndarray]]:
    return [[np.asarray(w) for w in layer.get_weights()] for layer in model.layers if layer.get_weights()]


def model_size_table(model, files: Mapping[str, bytes]) -> dict[str, Any]:
    """Every size a reader may mean by "model size", in bytes.

    ``files`` maps a format name (``keras``, ``tflite_float``, ``tflite_int8``) to its bytes;
    each is reported raw and after ``gzip -9``.
    """
    from tinyids.compress import gzip_size

    wbl = weights_by_layer(model)
    counts = layer_parameter_counts(wbl)
    nonzero = layer_nonzero_counts(wbl)
    out: dict[str, Any] = {
        "parameters": int(sum(counts)),
        "nonzero_parameters": int(sum(nonzero)),
        "formula78_bytes": formula_size(counts),
        "formula78_nonzero_bytes": formula_size_nonzero(nonzero),
        "nonzero_int8_bytes": int(sum(nonzero)),
    }
    for name, data in files.items():
        out[f"{name}_bytes"] = len(data)
        out[f"{name}_gzip_bytes"] = gzip_size(data)
    return out


SIZE_MEASURES = (
    ("parameters", "parameter count (not bytes)"),
    ("nonzero_parameters", "non-zero parameter count (not bytes)"),
    ("formula78_bytes", "formula (7)-(8), all parameters, float32"),
    ("formula78_nonzero_bytes", "formula (7)-(8), non-zero parameters only, float32"),
    ("keras_bytes", ".keras file"),
    ("keras_gzip_bytes", ".keras file, gzip -9"),
    ("tflite_float_bytes", "float32 .tflite"),
    ("tflite_float_gzip_bytes", "float32 .tflite, gzip -9"),
    ("tflite_int8_bytes", "int8 .tflite"),
    ("tflite_int8_gzip_bytes", "int8 .tflite, gzip -9"),
)


def closest_measure(row: Mapping[str, Any], target_bytes: float) -> tuple[str, float]:
    """The size measure of ``row`` nearest to ``target_bytes`` on a log scale, and its ratio."""
    best, best_ratio = "", float("nan")
    best_dist = float("inf")
    for key, _ in SIZE_MEASURES:
        value = row.get(key)
        if value is None or not np.isfinite(value) or value <= 0:
            continue
        dist = abs(np.log(float(value) / target_bytes))
        if dist < best_dist:
            best, best_dist, best_ratio = key, dist, float(value) / target_bytes
    return best, best_ratio
