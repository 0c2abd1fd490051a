"""Model adapters: turn any deployable C model into a firmware model folder.

A model folder (``TINYIDS_MODEL_DIR`` of the PlatformIO build) holds the model's own C, an
adapter ``tinyids_adapter.c`` with ``int tinyids_model_infer(const void *in)``, the test vectors
and labels in flash (``tinyids_vectors.c``) and ``tinyids_model_config.h``. Two C interfaces
are recognised from the model's header:

Everything about the model comes from its Deployable (``tinyids.study.deployable``): class
names, feature count, measured accuracy, quantization, decision rule, include folders. The C
interface is recognised from the model's header and must match the Deployable's format:

* ``tflite-int8`` -> ``int8``: the code generator's
  ``int tinyids_<name>_predict(const int8_t *in, int8_t *out)`` (or a hand-written model with the
  same interface). Vectors are stored as int8, quantized on the host with the Deployable's input
  scale and zero point (``tinyids.litert.Quantization``, exactly as the host reference feeds
  LiteRT); the class is what predict returns; the host decodes LiteRT's outputs by the
  Deployable's decision (argmax, or ``out[0] >= decision.int8``; a header's
  ``TINYIDS_<M>_POSITIVE_THRESHOLD`` must equal it).
* ``c-float`` -> ``float``: a classical model exported as C (emlearn, linear arrays, the fixture):
  ``<int type> <fn>(const float *x[, <int type> n])`` returning the class index. Vectors are
  stored as float32 bytes.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tinyids.errors import TinyidsError
from tinyids.fileio import write_text_atomic
from tinyids.study.deployable import Deployable


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
    positive_threshold: int | None = None  # int8 threshold rule: class 1 iff out[0] >= this (decision.int8)
    class_names: list[str] = field(default_factory=list)
    decision: dict = field(default_factory=lambda: {"rule": "argmax"})
    class_fn: str | None = None  # int8: ``<predict>_class(const int8_t *in)`` when the header declares it

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

    def classes_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """Host decoding of raw int8 outputs (LiteRT) by the Deployable's decision rule."""
        raw = np.asarray(raw).reshape(len(raw), -1)
        if self.decision["rule"] == "threshold":
            if self.positive_threshold is None:
                raise FirmwareError(f"{self.name}: a threshold decision without its int8 value")
            return (raw[:, 0].astype(np.int32) >= self.positive_threshold).astype(np.int64)
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


# the C interface each Deployable model format is built through
_KIND_OF_FORMAT = {"tflite-int8": "int8", "c-float": "float"}


def spec_from_deployable(dep: Deployable, c_dir: Path, tflite: Path | None = None) -> ModelSpec:
    """A ModelSpec from a Deployable and the folder holding its C (``<name>.h``, ``<name>.c``).

    Class names, feature count, accuracy, quantization and decision come from the Deployable
    only; the header gives the predict function. ``tflite`` (codegen models) is read only to
    check that it is the model the Deployable describes and for the LiteRT reference."""
    name = dep.name
    c_dir = Path(c_dir)
    header = c_dir / f"{name}.h"
    if not header.is_file():
        raise FirmwareError(f"{header}: model header missing")
    sources = [p for p in [c_dir / f"{name}.c"] if p.is_file()]
    text = header.read_text(errors="replace")
    kind, fn = detect_interface(text + "\n" + "\n".join(s.read_text(errors="replace") for s in sources))
    fmt = dep.model["format"]
    if _KIND_OF_FORMAT[fmt] != kind:
        raise FirmwareError(f"{dep.path or name}: a {fmt} deployable, but {header} has the {kind} interface ({fn})")
    decision = dict(dep.decision)
    spec = ModelSpec(
        name=name, kind=kind, header=header, sources=sources, predict_fn=fn,
        n_features=dep.n_inputs, n_classes=len(dep.class_names), accuracy=dep.accuracy,
        class_names=list(dep.class_names), decision=decision,
    )
    if kind == "int8" and re.search(rf"\bint\s+{re.escape(fn)}_class\s*\(\s*const\s+int8_t\s*\*", text):
        spec.class_fn = f"{fn}_class"  # the class alone: the generator skips the softmax where it can
    base = dep.path.parent if dep.path is not None else c_dir
    spec.extra_includes += [base / d for d in dep.model.get("include_dirs", [])]
    if kind == "int8":
        iq, oq = dep.input_quantization, dep.output_quantization
        spec.input_scale, spec.input_zero_point = float(iq["scale"]), int(iq["zero_point"])
        spec.output_scale, spec.output_zero_point = float(oq["scale"]), int(oq["zero_point"])
        spec.n_outputs = 1 if decision["rule"] == "threshold" else spec.n_classes
        if decision["rule"] == "threshold":
            spec.positive_threshold = int(decision["int8"])
        m = re.search(r"#define\s+TINYIDS_\w+_POSITIVE_THRESHOLD\s+(-?\d+)", text)
        if m and (spec.positive_threshold is None or int(m.group(1)) != spec.positive_threshold):
            raise FirmwareError(f"{header}: POSITIVE_THRESHOLD {m.group(1)} but the deployable's decision is {decision}")
        if tflite is not None:
            _check_tflite(spec, Path(tflite))
    spec._float_len_arg = kind == "float" and _float_has_length_arg(text, fn)  # type: ignore[attr-defined]
    return spec


def _check_tflite(spec: ModelSpec, tflite: Path) -> None:
    """The .tflite is the model the Deployable describes: same quantization, inputs, outputs."""
    from tinyids.litert import input_quantization, make_interpreter, output_quantization

    if not tflite.is_file():
        raise FirmwareError(f"{tflite}: the deployable's model file is missing")
    interp = make_interpreter(tflite)
    iq, oq = input_quantization(interp), output_quantization(interp)
    if iq is None or oq is None:
        raise FirmwareError(f"{tflite}: not a full-integer model (no input/output quantization)")
    got = (iq.scale, iq.zero_point, oq.scale, oq.zero_point)
    want = (spec.input_scale, spec.input_zero_point, spec.output_scale, spec.output_zero_point)
    if got != want:
        raise FirmwareError(f"{tflite}: quantization {got} differs from the deployable's {want}")
    n_in = int(np.prod(interp.get_input_details()[0]["shape"]))
    n_out = int(np.prod(interp.get_output_details()[0]["shape"]))
    if (n_in, n_out) != (spec.n_features, spec.n_outputs):
        raise FirmwareError(f"{tflite}: {n_in} inputs and {n_out} outputs, the deployable declares "
                            f"{spec.n_features} features and {spec.n_outputs} outputs ({spec.decision['rule']})")
    spec.tflite = tflite


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
        # the generated predict returns the class (argmax, or the positive threshold for one output);
        # the firmware only needs the class, so it calls the class-only entry point where there is one
        if spec.class_fn:
            return head + ("int tinyids_model_infer(const void *in)\n{\n"
                           f"    return {spec.class_fn}((const int8_t *)in);\n}}\n")
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
