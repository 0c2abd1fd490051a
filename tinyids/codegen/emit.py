"""Emitting C99 for an int8 graph: one source and one header per model.

The C reproduces TFLite's reference kernels (``BUILTIN_REF``) bit for bit: int32
accumulation, per-channel or per-tensor requantization through ``MultiplyByQuantizedMultiplier``
with TFLite's rounding, fused activation clamping, zero points; the logistic table and the
softmax exponentials are computed here exactly as TFLite computes them in ``Prepare()``.

The parts: the kernels are C files (``kernels/tinyids_*.h``, tested in ``tests/c``); one
emitter per operator (:mod:`tinyids.codegen.ops`) checks it and writes its call; the buffer
planner (:mod:`tinyids.codegen.buffers`) places the tensors; :mod:`tinyids.codegen.preprocess`
turns the Deployable's typed steps into ``preprocess()``; :mod:`tinyids.codegen.source`
inlines the kernels and assembles the two files. :class:`Emitter` (here) walks the graph.

Portability (avr-gcc, where ``int`` is 16 bits; arm-none-eabi; xtensa-lx106; host gcc):
every 32-bit quantity is ``int32_t``; indices are ``tinyids_index_t`` (``int``, or ``int32_t``
when a tensor or array has 32768 elements or more); shifts of negative numbers and signed
overflow are avoided (UB-free C99). Constant arrays are ``static const T name[N]
TINYIDS_CONST``, read through ``TINYIDS_READ_I8/I16/I32/F32(ptr)`` (``kernels/tinyids_platform.h``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import tinyids
from tinyids.codegen import preprocess, source
from tinyids.codegen.buffers import plan_buffers
from tinyids.codegen.cformat import MAX_ELEMENTS, ConstantPool, c_identifier
from tinyids.codegen.model import RESHAPE_OPS, CodegenError, Graph, Operator, Tensor
from tinyids.codegen.ops import EMITTERS, common

if TYPE_CHECKING:
    from tinyids.study.deployable import Deployable

SUPPORTED_OPS = tuple(EMITTERS) + RESHAPE_OPS

__all__ = ["MAX_ELEMENTS", "SUPPORTED_OPS", "Emitter", "Generated", "c_identifier", "generate",
           "positive_threshold_q"]


@dataclass
class Generated:
    """The generated model: C source, header and the facts a firmware build needs."""
    name: str
    ident: str
    source: str
    header: str
    scratch_bytes: int
    const_bytes: int
    input_size: int
    output_size: int
    input_scale: float
    input_zero_point: int
    output_scale: float
    output_zero_point: int
    operators: list[str]
    positive_threshold: int | None = None
    preprocessing: str = "none"
    info: dict = field(default_factory=dict)


def positive_threshold_q(scale: float, zero_point: int, threshold: float | None = None) -> int:
    """Smallest int8 output whose dequantized value is > 0.5, or >= ``threshold`` when given
    (128 when none is)."""
    for q in range(-128, 128):
        v = (q - zero_point) * float(scale)
        if (threshold is None and v > 0.5) or (threshold is not None and v >= float(threshold)):
            return q
    return 128


def _source_name(dep: Deployable) -> str:
    return str(dep.path) if dep.path is not None else f"deployable {dep.name}"


def _check_quantization(dep: Deployable, role: str, t: Tensor, where: str) -> None:
    q = dep.doc[f"{role}_quantization"]
    if q is None:
        raise CodegenError(f"{where}: {role}_quantization is null; a tflite-int8 model needs it")
    if int(q["zero_point"]) != t.zero_point or not np.isclose(float(q["scale"]), t.scale, rtol=1e-6, atol=0.0):
        raise CodegenError(f"{where}: {role}_quantization {q} differs from the model's {role} tensor "
                           f"(scale {t.scale!r}, zero point {t.zero_point}): is the model file the right one?")


class Emitter:
    """Walks one graph and collects what the generated files are assembled from."""

    def __init__(self, graph: Graph, name: str, deployable: Deployable | None, sha256: str):
        self.g = graph
        self.name = name
        self.ident = c_identifier(name)
        self.macro = self.ident.upper()
        self.deployable = deployable
        self.where = _source_name(deployable) if deployable is not None else f"model {name}"
        self.sha256 = sha256
        self.consts = ConstantPool(self.ident)
        self.kernels: list[str] = []  # kernel keys of predict(), in first-use order
        self.calls: list[str] = []  # the body of predict()
        self.dims: list[tuple[str, list[int], str]] = []  # (placeholder, values, what)
        self.need_dims = 0  # length of predict()'s stack array of dimensions
        self.need_k = False  # predict() needs its loop counter
        self.tin, self.tout = self._io_tensors()
        self.class_names: list[str] = []
        self.feature_names: list[str] = []
        self.positive_threshold: int | None = None
        self.decision = "argmax"
        self._read_deployable()
        # the preprocessing, computed once from the deployable's typed steps
        self.preprocessing = preprocess.from_deployable(deployable, self.tin.size, self.where)

    # ---- inputs -------------------------------------------------------------------------
    def _io_tensors(self) -> tuple[Tensor, Tensor]:
        tin, tout = self.t(self.g.input), self.t(self.g.output)
        for what, t in (("input", tin), ("output", tout)):
            if t.dtype != "INT8":
                raise CodegenError(f"model {what} {t.name!r} is {t.dtype}; convert with "
                                   f"inference_{what}_type=tf.int8 (full-integer model expected)")
            if t.scales is None or len(t.scales) != 1:
                raise CodegenError(f"model {what} {t.name!r} is not per-tensor quantized")
        return tin, tout

    def _read_deployable(self) -> None:
        """Names, quantization and the decision rule from the Deployable (no deployable: no
        names, and a one-output model decides class 1 when its dequantized output is > 0.5)."""
        dep, n_in, n_out, where = self.deployable, self.tin.size, self.tout.size, self.where
        if dep is None:
            if n_out == 1:
                self.positive_threshold = positive_threshold_q(self.tout.scale, self.tout.zero_point)
                self.decision = "> 0.5"
            return
        if dep.model["format"] != "tflite-int8":
            raise CodegenError(f"{where}: model.format is {dep.model['format']!r}; codegen compiles tflite-int8 models")
        _check_quantization(dep, "input", self.tin, where)
        _check_quantization(dep, "output", self.tout, where)
        self.class_names = [str(c) for c in dep.class_names]
        self.feature_names = [str(f) for f in dep.feature_names]
        if len(self.feature_names) != n_in:
            raise CodegenError(f"{where}: {len(self.feature_names)} feature_names for a model input of {n_in}")
        rule = dep.decision
        if rule["rule"] == "threshold":
            if n_out != 1:
                raise CodegenError(f"{where}: decision rule threshold (on output 0) needs a one-output model; "
                                   f"this one has {n_out} outputs")
            if rule["int8"] is None:
                raise CodegenError(f"{where}: decision.int8 is null; a tflite-int8 threshold rule needs it")
            if len(self.class_names) != 2:
                raise CodegenError(f"{where}: a threshold rule decides between two classes, "
                                   f"class_names has {len(self.class_names)}")
            self.positive_threshold = int(rule["int8"])
            self.decision = f">= {float(rule['probability'])!r}, the deployable's decision.probability"
        else:
            if n_out < 2:
                raise CodegenError(f"{where}: decision rule argmax over a one-output model always gives "
                                   "class 0; declare a threshold rule")
            if len(self.class_names) != n_out:
                raise CodegenError(f"{where}: {len(self.class_names)} class_names for {n_out} outputs (argmax)")

    # ---- what operator emitters use -----------------------------------------------------
    def t(self, index: int) -> Tensor:
        return self.g.tensors[index]

    def kernel(self, key: str) -> None:
        if key not in self.kernels:
            self.kernels.append(key)

    def ram_dims(self, values: list[int], what: str) -> str:
        """Kernels read their small dimension vectors from RAM: copy them from flash into a
        stack array first (a few bytes) so the kernel stays free of flash readers. The array
        type (16 or 32 bit) is chosen once every size is known."""
        token = f"@DIMS{len(self.dims)}@"
        self.dims.append((token, [int(v) for v in values], what))
        n = len(values)
        self.calls.append(f"    for (k = 0; k < {n}; ++k) {{\n        dims[k] = @READ_IDX@({token} + k);\n    }}")
        self.need_dims = max(self.need_dims, n)
        return "dims"

    # ---- the graph ----------------------------------------------------------------------
    def build(self) -> Generated:
        for op in self.g.operators:
            if op.name not in SUPPORTED_OPS:
                types = "/".join(sorted({self.t(i).dtype for i in op.inputs + op.outputs if i >= 0}))
                raise CodegenError(f"unsupported operator {op.name} (index {op.index}, tensors {types})")
        plan = plan_buffers(self.g, self._require_int8)
        ops_desc = []
        for op in plan.operators:
            ops_desc.append(op.name)
            self.calls.append(f"    /* {op.index}: {op.name} {self.t(op.inputs[0]).shape} -> {self.t(op.outputs[0]).shape} */")
            EMITTERS[op.name](self, op, plan.pointer(op.inputs[0], True), plan.pointer(op.outputs[0], False))
        for src, dst in plan.copies:
            self.need_k = True
            self.calls.append(f"    for (k = 0; k < {self.t(dst).size}; ++k) {{\n        out[k] = {plan.pointer(src, True)}[k];\n    }}")

        pre = self.preprocessing
        float_kernels = ["quantize"]
        pre_c = ""
        if pre.emits_function:
            pre_c, pre_kernels = preprocess.emit_function(pre, self.consts, self.ident)
            float_kernels += pre_kernels
        self._place_dims()
        parts = source.Parts(
            name=self.name, ident=self.ident, version=tinyids.__version__, sha256=self.sha256,
            operators=ops_desc, input_size=self.tin.size, output_size=self.tout.size,
            scratch_bytes=plan.arena_bytes, const_bytes=self.consts.const_bytes,
            input_scale=self.tin.scale, input_zero_point=self.tin.zero_point,
            output_scale=self.tout.scale, output_zero_point=self.tout.zero_point,
            positive_threshold=self.positive_threshold, decision=self.decision,
            class_names=self.class_names, feature_names=self.feature_names, preprocessing=pre,
            preprocess_c=pre_c, int8_kernels=list(self.kernels), float_kernels=float_kernels,
            constants=list(self.consts.sections["int8"]), float_constants=list(self.consts.sections["float"]),
            predict_body=self._predict(plan.arena_bytes),
            wide_index=self.consts.wide, max_elements=self.consts.max_elements)
        return Generated(
            name=self.name, ident=self.ident, source=source.source(parts), header=source.header(parts),
            scratch_bytes=plan.arena_bytes, const_bytes=self.consts.const_bytes,
            input_size=self.tin.size, output_size=self.tout.size, input_scale=self.tin.scale,
            input_zero_point=self.tin.zero_point, output_scale=self.tout.scale,
            output_zero_point=self.tout.zero_point, operators=ops_desc,
            positive_threshold=self.positive_threshold, preprocessing=pre.describe(),
            info={"kernels": list(self.kernels), "float_kernels": float_kernels,
                  "needs_libm": pre.needs_libm})

    def _require_int8(self, op: Operator, index: int, role: str) -> Tensor:
        return common.require_int8(self, op, index, role)

    def _place_dims(self) -> None:
        """Declare the dimension arrays with the index width every size now determines."""
        for _token, values, _what in self.dims:
            self.consts.note_elements(max(abs(v) for v in values))
        wide = self.consts.wide
        for token, values, what in self.dims:
            name = self.consts.array("int32_t" if wide else "int16_t", values, what)
            self.calls = [c.replace(token, name) for c in self.calls]
        read = "TINYIDS_READ_I32" if wide else "TINYIDS_READ_I16"
        self.calls = [c.replace("@READ_IDX@", read) for c in self.calls]

    def _predict(self, arena: int) -> list[str]:
        m, n_out = self.ident, self.tout.size
        body = [f"int tinyids_{m}_predict(const int8_t *in, int8_t *out)", "{"]
        if arena:
            body.append(f"    int8_t *const arena = tinyids_{m}_arena;")
        if self.need_dims:
            body.append(f"    tinyids_index_t dims[{self.need_dims}];")
        if self.need_dims or self.need_k:
            body.append("    int k;")
        body += self.calls
        if self.positive_threshold is not None:
            body.append(f"    return out[0] >= {self.positive_threshold} ? 1 : 0;")
        else:
            body += ["    {", "        int i, best = 0;",
                     f"        for (i = 1; i < {n_out}; ++i) {{",
                     "            if (out[i] > out[best]) {", "                best = i;", "            }",
                     "        }", "        return best;", "    }"]
        body.append("}\n")
        return body


def generate(model, name: str, deployable: Deployable | None = None) -> Generated:
    """Compile an int8 .tflite (path or bytes) to C. ``deployable`` (a
    :class:`tinyids.study.deployable.Deployable`, optional) gives the names, the decision rule
    and the typed preprocessing steps; its prose ``description`` fields are never read.

    Raises :class:`tinyids.codegen.CodegenError` naming the operator, option or tensor that
    cannot be compiled exactly, or the deployable and the key that does not fit the model."""
    from tinyids.codegen.model import load_graph
    from tinyids.study.deployable import Deployable

    if deployable is not None and not isinstance(deployable, Deployable):
        raise CodegenError(f"generate() takes a tinyids.study.deployable.Deployable, got {type(deployable).__name__}")
    raw = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
    graph = load_graph(raw)
    return Emitter(graph, name, deployable, hashlib.sha256(raw).hexdigest()).build()
