"""Typed preprocessing steps: from the raw float vector a device receives to the model input.

Each step is a JSON object ``{"op": <one of OPS>, <constants>}`` (schema:
``schemas/deployable.schema.yaml``). :func:`check_steps` verifies that the constants have the
length the running feature count demands and that the count ends at the model's input size;
:func:`apply` is the host reference (float32, the order the generated C uses) that codegen's C
``tinyids_<name>_preprocess`` is tested against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tinyids.errors import TinyidsError

OPS = ("select", "encode", "offset_scale", "minmax", "standard", "log1p", "l2", "pca")
# per-column constants of the width-preserving ops
_PER_COLUMN = {"offset_scale": ("min", "scale"), "minmax": ("scale", "min"), "standard": ("mean", "scale")}


class PreprocessingError(TinyidsError):
    """A preprocessing step is unknown, malformed, or its feature counts do not chain."""


def _where(source: str, index: int, step: Mapping[str, Any]) -> str:
    return f"{source}: preprocessing.steps[{index}] ({step.get('op', '?')})"


def check_steps(steps: Sequence[Mapping[str, Any]], n_raw: int, n_model: int, source: str = "deployable") -> list[int]:
    """Return the feature count after each step; raise naming ``source`` and the step at fault."""
    width = int(n_raw)
    widths: list[int] = []
    numeric_seen = False
    for i, step in enumerate(steps):
        op = step.get("op")
        where = _where(source, i, step)
        if op not in OPS:
            raise PreprocessingError(f"{where}: unknown op {op!r}; known: {', '.join(OPS)}")
        if op in _PER_COLUMN:
            for key in _PER_COLUMN[op]:
                values = step.get(key)
                if not isinstance(values, (list, tuple)) or len(values) != width:
                    got = len(values) if isinstance(values, (list, tuple)) else type(values).__name__
                    raise PreprocessingError(f"{where}: '{key}' has {got} values, the step receives {width} features")
                if not np.all(np.isfinite(np.asarray(values, dtype=float))):
                    raise PreprocessingError(f"{where}: '{key}' holds NaN or inf")
            if op == "standard" and np.any(np.asarray(step["scale"], dtype=float) == 0):
                raise PreprocessingError(f"{where}: 'scale' holds a zero (division by zero)")
        elif op == "select":
            idx = list(step.get("indices") or [])
            if not idx or min(idx) < 0 or max(idx) >= width:
                raise PreprocessingError(f"{where}: indices {idx} do not select from {width} features")
            width = len(idx)
        elif op == "log1p":
            cols = list(step.get("columns") or [])
            if any(c < 0 or c >= width for c in cols):
                raise PreprocessingError(f"{where}: columns {cols} are not all below {width}")
        elif op == "encode":
            if numeric_seen:
                raise PreprocessingError(f"{where}: encode must come before every numeric step")
            col = step.get("column")
            if not isinstance(col, int) or not 0 <= col < width:
                raise PreprocessingError(f"{where}: column {col!r} is not below {width}")
        elif op == "pca":
            mean = step.get("mean")
            comp = np.asarray(step.get("components"), dtype=float)
            if not isinstance(mean, (list, tuple)) or len(mean) != width:
                raise PreprocessingError(f"{where}: 'mean' has {len(mean) if isinstance(mean, (list, tuple)) else '?'} "
                                         f"values, the step receives {width} features")
            if comp.ndim != 2 or comp.shape[1] != width:
                raise PreprocessingError(f"{where}: 'components' has shape {comp.shape}, expected (outputs, {width})")
            width = int(comp.shape[0])
        numeric_seen = numeric_seen or op != "encode"
        widths.append(width)
    if width != int(n_model):
        raise PreprocessingError(f"{source}: preprocessing.steps map {n_raw} raw features to {width}, "
                                 f"the model takes {n_model}")
    return widths


def encode_column(values: Sequence[Any], step: Mapping[str, Any]) -> np.ndarray:
    """Host side of an ``encode`` step: categorical values to their codes (unknown -> ``default``)."""
    codes = step["codes"]
    default = step.get("default")
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        key = str(v)
        if key in codes:
            out[i] = codes[key]
        elif default is not None:
            out[i] = default
        else:
            raise PreprocessingError(f"encode column {step['column']}: unknown category {key!r}")
    return out


def apply(steps: Sequence[Mapping[str, Any]], x_raw: np.ndarray) -> np.ndarray:
    """The numeric steps on rows of raw float features, in float32 as the generated C computes
    them (``encode`` steps are applied where rows are read and are skipped here)."""
    x = np.array(x_raw, dtype=np.float32, copy=True)
    if x.ndim == 1:
        x = x[None, :]
    for step in steps:
        op = step["op"]
        if op == "encode":
            continue
        if op == "offset_scale":
            x = (x - np.asarray(step["min"], np.float32)) * np.asarray(step["scale"], np.float32)
        elif op == "minmax":
            x = x * np.asarray(step["scale"], np.float32) + np.asarray(step["min"], np.float32)
        elif op == "standard":
            x = (x - np.asarray(step["mean"], np.float32)) / np.asarray(step["scale"], np.float32)
        elif op == "log1p":
            cols = list(step["columns"])
            x[:, cols] = np.log1p(x[:, cols]).astype(np.float32)
        elif op == "l2":
            norm = np.sqrt(np.sum(x.astype(np.float32) ** 2, axis=1, dtype=np.float32)).astype(np.float32)
            x = np.where(norm[:, None] > 0, x / np.where(norm > 0, norm, 1)[:, None], x).astype(np.float32)
        elif op == "pca":
            x = ((x - np.asarray(step["mean"], np.float32)) @ np.asarray(step["components"], np.float32).T)
        elif op == "select":
            x = x[:, list(step["indices"])]
        else:  # pragma: no cover - check_steps rejects it first
            raise PreprocessingError(f"unknown op {op!r}")
        x = x.astype(np.float32)
    return x
