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
from tinyids.codegen import classonly, preprocess, source
from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.buffers import plan_buffers
from tinyids.codegen.cformat import MAX_ELEMENTS, ConstantPool, c_identifier
from tinyids.codegen.model import RESHAPE_OPS, CodegenError, Graph, Operator, Tensor
from tinyids.codegen.ops import EMITTERS, common, fast

if TYPE_CHECKING:
    from tinyids.study.deployable import Deployable

SUPPORTED_OPS = tuple(EMITTERS) + RESHAPE_OPS
VARIANTS = ("reference", "fast")
DEFAULT_VARIANT = "fast"
DEFAULT_UNROLL_LIMIT = 4096  # multiply-accumulates one operator may unroll into straight-line C

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

    def __init__(self, graph: Graph, name: str, deployable: Deployable | None, sha256: str, *,
                 variant: str = DEFAULT_VARIANT, unroll_limit: int = DEFAULT_UNROLL_LIMIT):
        if variant not in VARIANTS:
            raise CodegenError(f"unknown kernel variant {variant!r}; known: {', '.join(VARIANTS)}")
        self.variant = variant
        self.unroll_limit = int(unroll_limit)
        self.specialised: list[str] = []  # what the fast variant did, operator by operator
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
        self.last_op_call = None  # index in self.calls where the final SOFTMAX/LOGISTIC starts
        ops = plan.operators
        skip: set[int] = set()
        for n, op in enumerate(ops):
            ops_desc.append(op.name)
            if n in skip:  # fused into the operator before it
                continue
            if n == len(ops) - 1 and op.name in ("SOFTMAX", "LOGISTIC") and not plan.copies \
                    and plan.root[op.outputs[0]] == plan.graph_output:
                self.last_op_call = len(self.calls)
                self.logits = plan.pointer(op.inputs[0], True)
                self.last_op = op
            self.calls.append(f"    /* {op.index}: {op.name} {self.t(op.inputs[0]).shape} -> {self.t(op.outputs[0]).shape} */")
            src, dst = plan.pointer(op.inputs[0], True), plan.pointer(op.outputs[0], False)
            if self.variant == "fast" and self._emit_fast(plan, n, src, dst, skip):
                continue
            if self.variant == "fast" and op.name in ("FULLY_CONNECTED", "CONV_2D"):
                self.specialised.append(f"{op.name} {op.index}: reference kernel (over the unroll limit "
                                        "or outside the 32-bit form's bounds)")
            EMITTERS[op.name](self, op, src, dst)
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
                  "needs_libm": pre.needs_libm, "variant": self.variant,
                  "unroll_limit": self.unroll_limit, "specialised": list(self.specialised),
                  "class_gap": self.class_gap})

    def _emit_fast(self, plan, n: int, src: str, dst: str, skip: set[int]) -> bool:
        """The fast kernel of ``plan.operators[n]``, when it has one and it applies; a
        CONV_2D whose only reader is the next operator, a MAX_POOL_2D, is fused with it."""
        ops = plan.operators
        op = ops[n]
        if op.name == "FULLY_CONNECTED":
            if fast.fully_connected(self, op, src, dst, self.unroll_limit):
                self.specialised.append(f"FULLY_CONNECTED {op.index}: unrolled")
                return True
            return False
        if op.name != "CONV_2D":
            return False
        out_root = plan.root[op.outputs[0]]
        readers = [m for m, o in enumerate(ops) if any(t >= 0 and plan.root.get(t) == out_root for t in o.inputs)]
        if (readers == [n + 1] and ops[n + 1].name == "MAX_POOL_2D" and out_root != plan.graph_output
                and not any(plan.root[s] == out_root for s, _ in plan.copies)):
            pool = ops[n + 1]
            pdst = plan.pointer(pool.outputs[0], False)
            if fast.conv_2d(self, op, src, pdst, self.unroll_limit, pool=pool):
                skip.add(n + 1)
                self.calls[-1] = (f"    /* {pool.index}: MAX_POOL_2D fused into {op.name} {op.index} */\n"
                                  + self.calls[-1])
                self.specialised.append(f"CONV_2D {op.index} + MAX_POOL_2D {pool.index}: fused, unrolled")
                return True
        if fast.conv_2d(self, op, src, dst, self.unroll_limit):
            self.specialised.append(f"CONV_2D {op.index}: unrolled")
            return True
        return False

    def _class_only(self) -> list[str]:
        """The body of ``predict_class`` after the layers ran: the class from the logits when
        :mod:`tinyids.codegen.classonly` proves it equals predict()'s, else through the final
        operator (written into a local output)."""
        m, n_out = self.ident, self.tout.size
        op = self.last_op
        tin = self.t(op.inputs[0])
        full = [f"        int8_t out[{n_out}];", *[c.replace("\n", "\n    ") for c in self._final_calls()],
                f"        return tinyids_{m}_argmax(out);"]
        if op.name == "LOGISTIC":
            table = fx.logistic_table(tin.scale, tin.zero_point, self.tout.scale, self.tout.zero_point)
            q = classonly.logistic_logit_threshold(table, self.positive_threshold)
            if q is None:
                self.class_gap = None
                return ["    {", f"        int8_t out[{n_out}];", *self._final_calls_indented(),
                        f"        return out[0] >= {self.positive_threshold} ? 1 : 0;", "    }"]
            self.class_gap = 1
            if q <= -128:
                return ["    return 1; /* every logit reaches the threshold (LOGISTIC is non-decreasing) */"]
            if q >= 128:
                return ["    return 0; /* no logit reaches the threshold (LOGISTIC is non-decreasing) */"]
            return [f"    /* LOGISTIC is non-decreasing: out[0] >= {self.positive_threshold} iff the logit >= {q} */",
                    f"    return {self.logits}[0] >= {q} ? 1 : 0;"]
        p = fx.softmax_params(op.options.get("beta", 1.0), tin.scale)
        depth = tin.shape[-1] if tin.shape else 1
        if tin.size != depth:
            self.class_gap = None
            return ["    {", *full, "    }"]
        gap = classonly.softmax_gap(p["exp_table"], p["diff_min"], depth)
        self.class_gap = gap
        lines = ["    {", f"        const int8_t *l = {self.logits};", "        int i, best = 0;"]
        if gap <= 1:
            lines += [f"        /* proved for this model (tinyids.codegen.classonly): argmax of the int8",
                      "         * softmax = first argmax of the logits, ties included */",
                      f"        for (i = 1; i < {depth}; ++i) {{",
                      "            if (l[i] > l[best]) {", "                best = i;", "            }", "        }",
                      "        return best;", "    }"]
            return lines
        lines += ["        int second = -129;",
                  f"        for (i = 1; i < {depth}; ++i) {{",
                  "            if (l[i] > l[best]) {", "                best = i;", "            }", "        }",
                  f"        for (i = 0; i < {depth}; ++i) {{",
                  "            if (i != best && l[i] > second) {", "                second = l[i];", "            }",
                  "        }",
                  f"        /* proved (tinyids.codegen.classonly): a gap of {gap} or more keeps the argmax */",
                  f"        if (l[best] - second >= {gap}) {{", "            return best;", "        }",
                  "    }", "    {", *full, "    }"]
        return lines

    def _final_calls(self) -> list[str]:
        """The final operator's calls (they write ``out``, a local output in predict_class)."""
        return list(self.calls[self.last_op_call:])

    def _final_calls_indented(self) -> list[str]:
        return ["    " + c for c in self._final_calls()]

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

    def _locals(self, arena: int, with_dims: bool = True) -> list[str]:
        body = []
        if arena:
            body.append(f"    int8_t *const arena = tinyids_{self.ident}_arena;")
        if self.need_dims and with_dims:
            body.append(f"    tinyids_index_t dims[{self.need_dims}];")
        if (self.need_dims and with_dims) or self.need_k:
            body.append("    int k;")
        return body

    def _decide(self) -> list[str]:
        if self.positive_threshold is not None:
            return [f"    return out[0] >= {self.positive_threshold} ? 1 : 0;"]
        return [f"    return tinyids_{self.ident}_argmax(out);"]

    def _argmax(self) -> list[str]:
        n_out = self.tout.size
        return [f"static int tinyids_{self.ident}_argmax(const int8_t *out)", "{",
                "    int i, best = 0;",
                f"    for (i = 1; i < {n_out}; ++i) {{",
                "        if (out[i] > out[best]) {", "            best = i;", "        }",
                "    }", "    return best;", "}", ""]

    def _predict(self, arena: int) -> list[str]:
        m, n_out = self.ident, self.tout.size
        self.class_gap = None
        uses_argmax = self.positive_threshold is None
        if self.variant != "fast" or self.last_op_call is None:
            # predict_class: predict() into a local output
            body = self._argmax() if uses_argmax else []
            body += [f"int tinyids_{m}_predict(const int8_t *in, int8_t *out)", "{", *self._locals(arena),
                     *self.calls, *self._decide(), "}", "",
                     f"int tinyids_{m}_predict_class(const int8_t *in)", "{", f"    int8_t out[{n_out}];",
                     f"    return tinyids_{m}_predict(in, out);", "}", ""]
            return body
        layers = self.calls[:self.last_op_call]
        final = self.calls[self.last_op_call:]
        body = self._argmax() if uses_argmax else []
        body += [f"/* every operator but the final {self.last_op.name}: the logits land in {self.logits} */",
                 f"static void tinyids_{m}_layers(const int8_t *in)", "{"]
        layer_locals = self._locals(arena)
        if self.logits == "in" or not any("arena" in c for c in layers):
            layer_locals = [ln for ln in layer_locals if "arena" not in ln]
        body += [*layer_locals, *(layers if layers else ["    (void)in;"]), "}", ""]
        final_uses_arena = any("arena" in c for c in final) or "arena" in self.logits
        body += [f"int tinyids_{m}_predict(const int8_t *in, int8_t *out)", "{"]
        if arena and final_uses_arena:
            body.append(f"    int8_t *const arena = tinyids_{m}_arena;")
        body += [f"    tinyids_{m}_layers(in);", *final, *self._decide(), "}", ""]
        cls = self._class_only()
        needs_arena = arena and "arena" in "\n".join(cls)
        body += [f"int tinyids_{m}_predict_class(const int8_t *in)", "{"]
        if needs_arena:
            body.append(f"    int8_t *const arena = tinyids_{m}_arena;")
        body += [f"    tinyids_{m}_layers(in);", *cls, "}", ""]
        return body


def generate(model, name: str, deployable: Deployable | None = None, *, variant: str = DEFAULT_VARIANT,
             unroll_limit: int = DEFAULT_UNROLL_LIMIT) -> Generated:
    """Compile an int8 .tflite (path or bytes) to C. ``deployable`` (a
    :class:`tinyids.study.deployable.Deployable`, optional) gives the names, the decision rule
    and the typed preprocessing steps; its prose ``description`` fields are never read.

    Raises :class:`tinyids.codegen.CodegenError` naming the operator, option or tensor that
    cannot be compiled exactly, or the deployable and the key that does not fit the model.

    ``variant``: ``"fast"`` (default: FULLY_CONNECTED / CONV_2D specialised and unrolled up to
    ``unroll_limit`` multiply-accumulates per operator, conv + max-pool fused, 32-bit
    requantization, :mod:`tinyids.codegen.ops.fast`) or ``"reference"`` (the generic kernels of
    ``kernels/``); both are bit-exact with LiteRT's reference kernels."""
    from tinyids.codegen.model import load_graph
    from tinyids.study.deployable import Deployable

    if deployable is not None and not isinstance(deployable, Deployable):
        raise CodegenError(f"generate() takes a tinyids.study.deployable.Deployable, got {type(deployable).__name__}")
    raw = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
    graph = load_graph(raw)
    return Emitter(graph, name, deployable, hashlib.sha256(raw).hexdigest(), variant=variant,
                   unroll_limit=unroll_limit).build()
