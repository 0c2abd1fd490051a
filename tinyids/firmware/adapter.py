"""Model adapters: turn any deployable C model into a firmware model folder.

A model folder (``TINYIDS_MODEL_DIR`` of the PlatformIO build) holds the model's own C, an
adapter ``tinyids_adapter.c`` with ``int tinyids_model_infer(const void *in)``, the test vectors
and labels in flash (``tinyids_vectors.c``) and ``tinyids_model_config.h``. Two C interfaces
are recognised from the model's header:

* ``int8``: the code generator's ``int tinyids_<name>_predict(const int8_t *in, int8_t *out)``.
  Vectors are stored as int8, quantized on the host with the model's own input scale and zero
  point (``tinyids.litert.Quantization``, exactly as the host reference feeds LiteRT); the class
  is what the generated predict returns (argmax of the int8 outputs; for a single output,
  ``out[0] >= TINYIDS_<M>_POSITIVE_THRESHOLD`` from the header, else dequantized > 0.5).
* ``float``: a classical model exported as C (emlearn, linear arrays, the fixture):
  ``<int type> <fn>(const float *x[, <int type> n])`` returning the class index. Vectors are
  stored as float32 bytes.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyids.errors import TinyidsError
from tinyids.fileio import write_text_atomic


class FirmwareError(TinyidsError):
    """A firmware build, adapter or emulation step failed in a way the user must fix."""


_INT8_RE = re.compile(
    r"\bint\s+(tinyids_\w+_predict)\s*\(\s*const\s+int8_t\s*\*\s*\w*\s*,\s*int8_t\s*\*\s*\w*\s*\)"
)
_FLOAT_RE = re.compile(
    r"\b(?:static\s+)?(?:inline\s+)?(?:int|int32_t|int16_t|int8_t|uint8_t|long)\s+(\w+_predict\w*)"
    r"\s*\(\s*const\s+float\s*\*\s*\w*\s*(,\s*(?:const\s+)?(?:int|int32_t|int16_t|size_t|uint16_t|uint32_t)\s+\w*\s*)?\)"
)


@dataclass
class ModelSpec:
    """Everything the firmware needs to know about one deployable model."""

    name: str
    kind: str  # "int8" | "float"
    header: Path
    sources: list[Path]
    predict_fn: str
    n_features: int
    n_classes: int
    extra_includes: list[Path] = field(default_factory=list)
    n_outputs: int = 0  # int8: length of the output tensor
    input_scale: float = 0.0
    input_zero_point: int = 0
    output_scale: float = 0.0
    output_zero_point: int = 0
    accuracy: float | None = None
    tflite: Path | None = None
    positive_threshold: int | None = None  # int8, one output: class 1 iff q >= this (header macro)

    @property
    def feature_bytes(self) -> int:
        return 1 if self.kind == "int8" else 4

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Float feature rows -> the raw rows the device is fed (int8 or float32)."""
        x = np.asarray(x, dtype=np.float32)
        if self.kind == "float":
            return x
        from tinyids.litert import Quantization

        return Quantization(self.input_scale, self.input_zero_point).quantize(x, np.dtype(np.int8))

    def binary_threshold(self) -> int:
        """Single-output int8 models: class 1 iff q >= this. The header's
        POSITIVE_THRESHOLD when it has one, else the smallest q dequantized > 0.5."""
        if self.positive_threshold is not None:
            return self.positive_threshold
        return math.floor(self.output_zero_point + 0.5 / self.output_scale) + 1

    def classes_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """Host decoding of raw int8 outputs (LiteRT), the rule of the generated predict."""
        raw = np.asarray(raw).reshape(len(raw), -1)
        if raw.shape[1] == 1:
            return (raw[:, 0].astype(np.int32) >= self.binary_threshold()).astype(np.int64)
        return np.argmax(raw, axis=1).astype(np.int64)


def detect_interface(header_text: str) -> tuple[str, str]:
    """(kind, function name) of the model's predict function, from its header."""
    m = _INT8_RE.search(header_text)
    if m:
        return "int8", m.group(1)
    m = _FLOAT_RE.search(header_text)
    if m:
        return "float", m.group(1)
    raise FirmwareError(
        "no known predict function in the model header: expected "
        "`int tinyids_<name>_predict(const int8_t *in, int8_t *out)` (code generator) or "
        "`int <name>_predict(const float *x[, int n])` (classical C export)"
    )


def _float_has_length_arg(header_text: str, fn: str) -> bool:
    m = re.search(rf"\b{re.escape(fn)}\s*\(([^)]*)\)", header_text)
    return bool(m and "," in m.group(1))


def spec_from_deployable(
    name: str,
    c_dir: Path,
    meta_json: Path | None = None,
    tflite: Path | None = None,
    n_features: int | None = None,
    n_classes: int | None = None,
) -> ModelSpec:
    """Build a ModelSpec from a folder holding ``<name>.h`` (and ``<name>.c`` if any)."""
    c_dir = Path(c_dir)
    header = c_dir / f"{name}.h"
    if not header.is_file():
        raise FirmwareError(f"{header}: model header missing")
    sources = [p for p in [c_dir / f"{name}.c"] if p.is_file()]
    text = header.read_text(errors="replace")
    kind, fn = detect_interface(text + "\n" + "\n".join(s.read_text(errors="replace") for s in sources))
    meta = json.loads(Path(meta_json).read_text()) if meta_json and Path(meta_json).is_file() else {}
    spec = ModelSpec(
        name=name, kind=kind, header=header, sources=sources, predict_fn=fn,
        n_features=int(n_features or len(meta.get("feature_names", []) or meta.get("features", []))),
        n_classes=int(n_classes or len(meta.get("class_names", []) or meta.get("classes", [])) or 2),
        accuracy=_accuracy(meta),
    )
    if "emlearn" in text or "eml_" in text:
        try:
            import emlearn

            spec.extra_includes.append(Path(emlearn.includedir))
        except (ImportError, AttributeError):
            pass
    if kind == "int8" and (tflite is None or not Path(tflite).is_file()):
        # quantization parameters written beside the model (hand-written fixtures)
        qmeta = meta.get("quantization")
        if not isinstance(qmeta, dict):
            raise FirmwareError(f"{name}: int8 C model needs its .tflite for the quantization parameters")
        spec.input_scale, spec.input_zero_point = float(qmeta["input_scale"]), int(qmeta["input_zero_point"])
        spec.output_scale, spec.output_zero_point = float(qmeta["output_scale"]), int(qmeta["output_zero_point"])
        spec.n_outputs = int(qmeta["n_outputs"])
    elif kind == "int8":
        from tinyids.litert import input_quantization, make_interpreter, output_quantization

        interp = make_interpreter(tflite)
        iq, oq = input_quantization(interp), output_quantization(interp)
        if iq is None or oq is None:
            raise FirmwareError(f"{tflite}: not a full-integer model (no input/output quantization)")
        spec.tflite = Path(tflite)
        spec.input_scale, spec.input_zero_point = iq.scale, iq.zero_point
        spec.output_scale, spec.output_zero_point = oq.scale, oq.zero_point
        spec.n_outputs = int(np.prod(interp.get_output_details()[0]["shape"]))
        in_feat = int(np.prod(interp.get_input_details()[0]["shape"]))
        if spec.n_features and spec.n_features != in_feat:
            raise FirmwareError(f"{name}: json lists {spec.n_features} features, the model takes {in_feat}")
        spec.n_features = in_feat
    if spec.n_features <= 0:
        raise FirmwareError(f"{name}: number of features unknown (no feature_names in its .json)")
    m = re.search(r"#define\s+TINYIDS_\w+_POSITIVE_THRESHOLD\s+(-?\d+)", text)
    if m:
        spec.positive_threshold = int(m.group(1))
    spec._float_len_arg = kind == "float" and _float_has_length_arg(text, fn)  # type: ignore[attr-defined]
    return spec


def _accuracy(meta: dict) -> float | None:
    for key in ("accuracy", "accuracy_int8", "test_accuracy", "measured_accuracy"):
        if isinstance(meta.get(key), (int, float)):
            return float(meta[key])
    for block in ("metrics", "measured", "test"):
        sub = meta.get(block)
        if isinstance(sub, dict) and isinstance(sub.get("accuracy"), (int, float)):
            return float(sub["accuracy"])
    return None


def _c_bytes(data: bytes, per_line: int = 24) -> str:
    if not data:
        return "0"
    lines = []
    for i in range(0, len(data), per_line):
        lines.append(", ".join(str(b) for b in data[i : i + per_line]))
    return ",\n    ".join(lines)


def adapter_source(spec: ModelSpec) -> str:
    head = f'/* generated by tinyids.firmware.adapter for model {spec.name} ({spec.kind}) */\n'
    head += f'#include "tinyids_model.h"\n#include "{spec.header.name}"\n\n'
    if spec.kind == "int8":
        # the generated predict returns the class (argmax, or the positive threshold for one output)
        return head + (
            "int tinyids_model_infer(const void *in)\n{\n"
            f"    int8_t out[{max(spec.n_outputs, 1)}];\n"
            f"    return {spec.predict_fn}((const int8_t *)in, out);\n}}\n"
        )
    call = (
        f"{spec.predict_fn}((const float *)in, {spec.n_features})"
        if getattr(spec, "_float_len_arg", False)
        else f"{spec.predict_fn}((const float *)in)"
    )
    return head + f"int tinyids_model_infer(const void *in)\n{{\n    return (int){call};\n}}\n"


def write_model_folder(
    spec: ModelSpec,
    x: np.ndarray,
    y: np.ndarray,
    folder: Path,
) -> Path:
    """Write a complete model folder for the firmware: model C, adapter, vectors, config."""
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    raw = spec.encode(x) if len(x) else np.zeros((0, spec.n_features), np.float32)
    if raw.shape[1:] != (spec.n_features,):
        raise FirmwareError(f"{spec.name}: vectors have shape {raw.shape}, model takes {spec.n_features} features")
    y = np.asarray(y).astype(np.int64)
    if len(y) != len(raw):
        raise FirmwareError(f"{spec.name}: {len(raw)} vectors but {len(y)} labels")
    if len(y) and (y.min() < 0 or y.max() > 255):
        raise FirmwareError(f"{spec.name}: labels must be 0..255")
    dtype = np.dtype("<i1") if spec.kind == "int8" else np.dtype("<f4")
    blob = np.ascontiguousarray(raw.astype(dtype)).tobytes()
    for src in [spec.header, *spec.sources]:
        shutil.copy2(src, folder / src.name)
    n = max(len(raw), 0)
    write_text_atomic(
        folder / "tinyids_model_config.h",
        "/* generated by tinyids.firmware.adapter */\n#ifndef TINYIDS_MODEL_CONFIG_H\n"
        "#define TINYIDS_MODEL_CONFIG_H\n"
        f'#define TINYIDS_MODEL_NAME "{spec.name}"\n'
        f"#define TINYIDS_N_FEATURES {spec.n_features}\n"
        f"#define TINYIDS_FEATURE_BYTES {spec.feature_bytes}\n"
        f"#define TINYIDS_N_VECTORS {n}\n"
        f"#define TINYIDS_N_CLASSES {spec.n_classes}\n#endif\n",
    )
    write_text_atomic(
        folder / "tinyids_vectors.c",
        "/* generated by tinyids.firmware.adapter: test vectors and labels, in flash */\n"
        '#include "tinyids_model.h"\n\n'
        f"const uint8_t tinyids_vectors[] TINYIDS_FLASH __attribute__((aligned(4))) = {{\n    {_c_bytes(blob)}\n}};\n"
        f"const uint8_t tinyids_labels[] TINYIDS_FLASH = {{\n    {_c_bytes(bytes(y.astype(np.uint8).tolist()))}\n}};\n",
    )
    write_text_atomic(folder / "tinyids_adapter.c", adapter_source(spec))
    return folder


def write_null_folder(n_features: int, feature_bytes: int, folder: Path) -> Path:
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "tinyids_model_config.h").write_text(
        "#ifndef TINYIDS_MODEL_CONFIG_H\n#define TINYIDS_MODEL_CONFIG_H\n"
        '#define TINYIDS_MODEL_NAME "null"\n'
        f"#define TINYIDS_N_FEATURES {n_features}\n#define TINYIDS_FEATURE_BYTES {feature_bytes}\n"
        "#define TINYIDS_N_VECTORS 1\n#define TINYIDS_N_CLASSES 2\n#endif\n"
    )
    (folder / "tinyids_vectors.c").write_text(
        '#include "tinyids_model.h"\n'
        f"const uint8_t tinyids_vectors[{n_features * feature_bytes}] TINYIDS_FLASH = {{0}};\n"
        "const uint8_t tinyids_labels[1] TINYIDS_FLASH = {0};\n"
    )
    (folder / "tinyids_adapter.c").write_text(
        '#include "tinyids_model.h"\n'
        "int tinyids_model_infer(const void *in) { return ((const volatile uint8_t *)in)[0] & 1; }\n"
    )
    return folder
