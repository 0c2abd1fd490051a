"""The Deployable: what a study hands to codegen and firmware for one model.

A deployable is three files side by side in ``results/<study>/deploy/``: ``<name>.json`` (this
record), the model (``<name>.tflite`` for ``tflite-int8``, ``<name>.c``/``.h`` for ``c-float``)
and the test vectors ``<name>.npz``. The JSON is validated against
``schemas/deployable.schema.yaml`` and its preprocessing steps are checked to chain
(:func:`tinyids.study.preprocessing.check_steps`) when it is written and when it is read; any
failure names the file and the key or step. ``description`` fields are prose for readers and
are never read by code.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tinyids.errors import TinyidsError
from tinyids.study.preprocessing import check_steps

SCHEMA_ID = "tinyids.deployable/1"
SCHEMA_FILE = Path(__file__).parent / "schemas" / "deployable.schema.yaml"
FORMATS = ("tflite-int8", "c-float")


class DeployableError(TinyidsError):
    """A deployable's JSON does not satisfy the contract."""


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))


def validate(doc: Mapping[str, Any], source: str = "deployable") -> None:
    """Raise :class:`DeployableError` naming ``source`` and every key at fault."""
    from tinyids.config import schema_errors

    errors = schema_errors(dict(doc), schema())
    if errors:
        raise DeployableError(f"{source}: not a valid deployable:\n  " + "\n  ".join(errors))
    steps = doc["preprocessing"]["steps"]
    check_steps(steps, len(doc["raw_feature_names"]), len(doc["feature_names"]), source=source)
    fmt = doc["model"]["format"]
    if fmt == "tflite-int8" and (doc["input_quantization"] is None or doc["output_quantization"] is None):
        raise DeployableError(f"{source}: a tflite-int8 deployable needs input_quantization and output_quantization")
    dec = doc["decision"]
    if dec["rule"] == "threshold" and fmt == "tflite-int8" and dec["int8"] is None:
        raise DeployableError(f"{source}: decision.int8 is required for a tflite-int8 threshold rule")
    score = dec.get("score")
    if score is not None and not float(score["high"]) > float(score["low"]):
        raise DeployableError(f"{source}: decision.score: high ({score['high']}) must be above low ({score['low']})")


def output_probability(decision: Mapping[str, Any], output: np.ndarray) -> np.ndarray:
    """The probability of class 1 that a threshold decision's dequantized output stands for:
    the output itself, or with ``score`` (kind ``clipped_logit``) ``sigmoid(low + output * (high - low))``."""
    out = np.asarray(output, np.float64)
    score = decision.get("score")
    if score is None:
        return out
    low, high = float(score["low"]), float(score["high"])
    return 1.0 / (1.0 + np.exp(-(low + out * (high - low))))


def output_threshold(decision: Mapping[str, Any]) -> float:
    """The dequantized output at which a threshold decision's ``probability`` is reached (the
    inverse of :func:`output_probability`)."""
    p = float(decision["probability"])
    score = decision.get("score")
    if score is None:
        return p
    low, high = float(score["low"]), float(score["high"])
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return (math.log(p / (1.0 - p)) - low) / (high - low)


def threshold_int8(scale: float, zero_point: int, probability: float) -> int:
    """Smallest int8 output whose dequantized value is >= ``probability`` (128 when none is); for
    a decision with ``score``, pass :func:`output_threshold`."""
    for q in range(-128, 128):
        if (q - zero_point) * float(scale) >= float(probability):
            return q
    return 128


def quantization(scale: float, zero_point: int) -> dict[str, Any]:
    return {"scale": float(scale), "zero_point": int(zero_point)}


@dataclass(frozen=True)
class Deployable:
    """One model as the shared stages see it. Build with :meth:`create`, read with :func:`read`."""

    doc: dict[str, Any]
    path: Path | None = field(default=None, compare=False)

    # ------------------------------------------------------------------ building
    @classmethod
    def create(
        cls,
        *,
        name: str,
        study: str,
        protocol: str,
        variant: str,
        seed: int,
        class_names: Sequence[str],
        raw_feature_names: Sequence[str],
        feature_names: Sequence[str],
        model_format: str,
        input_quantization: Mapping[str, Any] | None,
        output_quantization: Mapping[str, Any] | None,
        decision: Mapping[str, Any],
        test_rows: int,
        metrics: Mapping[str, Any],
        steps: Sequence[Mapping[str, Any]],
        has_raw: bool = False,
        has_predictions: bool = False,
        include_dirs: Sequence[str] | None = None,
        compile_flags: Sequence[str] | None = None,
        preprocessing_description: str = "",
        description: str = "",
        extra: Mapping[str, Any] | None = None,
    ) -> Deployable:
        model = {"format": model_format, "file": f"{name}.tflite" if model_format == "tflite-int8" else f"{name}.c"}
        if model_format == "c-float":
            model["header"] = f"{name}.h"
            if include_dirs:
                model["include_dirs"] = [str(d) for d in include_dirs]
            if compile_flags:
                model["compile_flags"] = [str(f) for f in compile_flags]
        elif include_dirs or compile_flags:
            raise DeployableError(f"deployable {name}: include_dirs and compile_flags belong to c-float models")
        doc = {
            "schema": SCHEMA_ID, "name": name, "study": study, "protocol": protocol, "variant": variant,
            "seed": int(seed), "class_names": [str(c) for c in class_names],
            "raw_feature_names": [str(n) for n in raw_feature_names],
            "feature_names": [str(n) for n in feature_names], "model": model,
            "input_quantization": dict(input_quantization) if input_quantization else None,
            "output_quantization": dict(output_quantization) if output_quantization else None,
            "decision": dict(decision),
            "test_vectors": {"file": f"{name}.npz", "rows": int(test_rows), "has_raw": bool(has_raw),
                             "has_predictions": bool(has_predictions)},
            "metrics": {k: _plain(v) for k, v in metrics.items()},
            "preprocessing": {"steps": [_plain_step(s) for s in steps], "description": preprocessing_description},
            "description": description, "extra": _plain(dict(extra or {})),
        }
        validate(doc, source=f"deployable {name}")
        return cls(doc)

    # ------------------------------------------------------------------ reading
    def __getattr__(self, key: str) -> Any:  # name, study, protocol, variant, seed, class_names, ...
        try:
            return self.__dict__["doc"][key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def steps(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.doc["preprocessing"]["steps"])

    @property
    def n_inputs(self) -> int:
        return len(self.doc["feature_names"])

    @property
    def n_raw(self) -> int:
        return len(self.doc["raw_feature_names"])

    @property
    def accuracy(self) -> float | None:
        return self.doc["metrics"].get("accuracy")

    def file(self, role: str) -> Path:
        """``model``, ``header`` or ``test_vectors``, resolved beside the JSON."""
        base = self.path.parent if self.path is not None else Path(".")
        if role == "test_vectors":
            return base / self.doc["test_vectors"]["file"]
        key = {"model": "file", "header": "header"}.get(role)
        if key is None or key not in self.doc["model"]:
            raise DeployableError(f"deployable {self.doc['name']}: no {role!r} file (format {self.doc['model']['format']})")
        return base / self.doc["model"][key]

    def test_vectors(self) -> tuple[np.ndarray, np.ndarray | None]:
        with np.load(self.file("test_vectors"), allow_pickle=False) as z:
            return np.asarray(z["X_test"], np.float32), (np.asarray(z["y_test"]).astype(np.int64) if "y_test" in z else None)

    def test_array(self, key: str) -> np.ndarray | None:
        """One array of the test vectors npz (``X_raw`` when ``has_raw``, ``y_pred`` when
        ``has_predictions``); None when the deployable does not declare it."""
        flag = {"X_raw": "has_raw", "y_pred": "has_predictions"}.get(key)
        if flag is not None and not self.doc["test_vectors"].get(flag, False):
            return None
        with np.load(self.file("test_vectors"), allow_pickle=False) as z:
            if key not in z:
                raise DeployableError(f"{self.file('test_vectors')}: no array {key!r} (has {', '.join(z.files)})")
            return np.asarray(z[key])

    def with_description(self, text: str) -> Deployable:
        doc = copy.deepcopy(self.doc)
        doc["description"] = text
        doc["preprocessing"]["description"] = text
        return Deployable(doc, self.path)

    def to_json(self) -> str:
        return json.dumps(self.doc, indent=2, sort_keys=True, allow_nan=False) + "\n"


def write(dep: Deployable, path: str | Path) -> Path:
    """Validate, then write ``path`` atomically (named ``<name>.json``)."""
    from tinyids.fileio import write_text_atomic

    path = Path(path)
    validate(dep.doc, source=str(path))
    if path.name != f"{dep.doc['name']}.json":
        raise DeployableError(f"{path}: a deployable named {dep.doc['name']!r} must be written as {dep.doc['name']}.json")
    write_text_atomic(path, dep.to_json())
    return path


def read(path: str | Path) -> Deployable:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DeployableError(f"{path}: cannot read the deployable: {exc}") from exc
    if not isinstance(doc, dict):
        raise DeployableError(f"{path}: a deployable is a JSON object")
    validate(doc, source=str(path))
    return Deployable(doc, path)


def from_dict(doc: Mapping[str, Any], source: str = "deployable") -> Deployable:
    doc = json.loads(json.dumps(doc))
    validate(doc, source=source)
    return Deployable(doc)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        v = float(value)
        return None if not np.isfinite(v) else v
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _plain_step(step: Mapping[str, Any]) -> dict[str, Any]:
    return _plain(dict(step))
