"""Test vectors and preprocessing steps for ``tinyids deploy``.

``--vectors FILE.npz`` holds ``X`` (rows x features, float) and optionally ``y`` (labels), or a
Deployable's ``X_test`` / ``y_test`` (and ``X_raw``). Without ``--preprocessing`` the rows are
the model's input; with it they are raw features (``X``, else ``X_raw``) and the model input is
:func:`tinyids.study.preprocessing.apply` of the steps. Labels are class indices ``0..n-1`` or,
for a scikit-learn model, values of its ``classes_``. Without ``--vectors``, rows are drawn
uniformly in the model's input range (seeded), with no labels.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinyids.deploy.models import DeployError, Model
from tinyids.study.preprocessing import PreprocessingError, check_steps


@dataclass
class Vectors:
    x: np.ndarray  # model input, float32
    y: np.ndarray | None  # class indices, or None (no labels)
    x_raw: np.ndarray | None  # raw features when preprocessing is given with raw rows
    source: str  # where they came from, for the report


def load_steps(path: str | Path) -> list[dict[str, Any]]:
    """The steps of ``FILE.json``: a list of steps, ``{"steps": [...]}`` or a whole Deployable
    (``preprocessing.steps``)."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DeployError(f"{path}: cannot read the preprocessing file: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise DeployError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if isinstance(doc, dict) and isinstance(doc.get("preprocessing"), dict):
        doc = doc["preprocessing"]
    if isinstance(doc, dict) and "steps" in doc:
        doc = doc["steps"]
    if not isinstance(doc, list) or not all(isinstance(s, dict) for s in doc):
        raise DeployError(f"{path}: expected a list of preprocessing steps (objects with 'op'), "
                          "{\"steps\": [...]} or a Deployable JSON")
    return doc


def raw_width(steps: list[dict[str, Any]], source: str) -> int:
    """The raw feature count the first step implies (when no vectors say it)."""
    for step in steps:
        op = step.get("op")
        for key in ("min", "mean", "scale"):
            if op in ("offset_scale", "minmax", "standard", "pca") and isinstance(step.get(key), list):
                return len(step[key])
        if op == "encode":
            continue
        break
    raise DeployError(f"{source}: cannot tell the raw feature count from the first numeric step; "
                      "give --vectors with raw rows")


def check(steps: list[dict[str, Any]], n_raw: int, n_model: int, source: str) -> None:
    try:
        check_steps(steps, n_raw, n_model, source=source)
    except PreprocessingError as exc:
        raise DeployError(str(exc)) from None


def load(path: str | Path, model: Model, steps: list[dict[str, Any]] | None, source: str) -> Vectors:
    from tinyids.study.preprocessing import apply

    path = Path(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise DeployError(f"{path}: cannot read the vectors: {exc.strerror or exc}") from None
    if magic != b"PK\x03\x04":
        raise DeployError(f"{path}: not an npz file (no zip header); save the vectors with numpy.savez(path, X=..., y=...)")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: np.asarray(z[k]) for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DeployError(f"{path}: not an npz file numpy can read ({' '.join(str(exc).split())[:200]})") from None
    xkey = "X" if "X" in arrays else "X_test" if "X_test" in arrays else None
    ykey = "y" if "y" in arrays else "y_test" if "y_test" in arrays else None
    if xkey is None:
        raise DeployError(f"{path}: no 'X' (or Deployable 'X_test') array; it holds {', '.join(sorted(arrays)) or 'nothing'}")
    if steps:
        xkey = "X" if "X" in arrays else "X_raw" if "X_raw" in arrays else xkey
    x = arrays[xkey]
    if x.ndim != 2 or not np.issubdtype(x.dtype, np.number):
        raise DeployError(f"{path}: {xkey} must be a 2-D numeric array (rows x features), it is {x.dtype} {x.shape}")
    if len(x) == 0:
        raise DeployError(f"{path}: {xkey} has no rows")
    x = x.astype(np.float32)
    bad = np.argwhere(~np.isfinite(x))
    if len(bad):
        raise DeployError(f"{path}: {xkey}[{bad[0][0]}, {bad[0][1]}] is {x[bad[0][0], bad[0][1]]} (NaN/inf)")
    x_raw = None
    if steps:
        check(steps, x.shape[1], model.n_inputs, source)
        x_raw, x = x, apply(steps, x)
        if not np.all(np.isfinite(x)):
            row = int(np.argwhere(~np.isfinite(x))[0][0])
            raise DeployError(f"{path}: row {row} of {xkey} is NaN/inf after the preprocessing steps of {source}")
    elif x.shape[1] != model.n_inputs:
        raise DeployError(f"{path}: {xkey} has {x.shape[1]} features per row, the model takes {model.n_inputs}"
                          " (raw features need --preprocessing)")
    y = None
    if ykey is not None:
        y = _labels(arrays[ykey], model, f"{path}: {ykey}")
        if len(y) != len(x):
            raise DeployError(f"{path}: {len(x)} rows in {xkey} but {len(y)} labels in {ykey}")
    return Vectors(x=x, y=y, x_raw=x_raw, source=f"{path} ({xkey}{', ' + ykey if ykey else ', no labels'}, {len(x)} rows)")


def _labels(y: np.ndarray, model: Model, where: str) -> np.ndarray:
    y = y.reshape(-1)
    if model.classes is not None and not np.issubdtype(y.dtype, np.floating):
        classes = model.classes
        if np.isin(y, classes).all():
            return np.searchsorted(classes, y).astype(np.int64)
    if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_)
            or (np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0))):
        raise DeployError(f"{where}: labels must be class indices 0..{model.n_classes - 1} "
                          f"(or the estimator's classes), got {y.dtype}")
    y = y.astype(np.int64)
    out = np.flatnonzero((y < 0) | (y >= model.n_classes))
    if len(out):
        raise DeployError(f"{where}[{out[0]}] is {y[out[0]]}, not a class index 0..{model.n_classes - 1}")
    return y


def random(model: Model, rows: int, seed: int) -> Vectors:
    """``rows`` vectors uniform in the model's input range (int8 models: every int8 code)."""
    rng = np.random.default_rng(seed)
    if model.kind == "tflite":
        codes = rng.integers(-128, 128, size=(rows, model.n_inputs))
        x = ((codes - model.input_zero_point) * model.input_scale).astype(np.float32)
        what = f"{rows} random vectors, int8 codes uniform over -128..127 dequantized (seed {seed})"
    else:
        lo, hi = model.input_low, model.input_high
        x = (lo + rng.random((rows, model.n_inputs)) * (hi - lo)).astype(np.float32)
        what = f"{rows} random vectors uniform in [{float(lo.min()):.3g}, {float(hi.max()):.3g}] per feature (seed {seed})"
    return Vectors(x=x, y=None, x_raw=None, source=what)
