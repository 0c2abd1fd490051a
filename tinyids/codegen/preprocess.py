"""``tinyids_<m>_preprocess(const float *raw, float *x)`` from a Deployable's typed steps.

The steps (``Deployable.steps``, the closed set of :mod:`tinyids.study.preprocessing`) run in
the order given, each one a call of its kernel (``kernels/tinyids_pre_<op>.h``) from one float
buffer to another: width-preserving ops (``offset_scale``, ``minmax``, ``standard``, ``log1p``,
``l2``) work in place once the row is in a writable buffer; ``select`` and ``pca`` change the
width and write a different buffer. The caller's ``x`` (the model input) is used whenever the
width fits, so most chains need one stack buffer or none; a final copy is emitted only when
the last step cannot write ``x`` directly.

``encode`` steps are host-side (a categorical value becomes its code where the row is read;
the device receives the code): they emit no C and are documented in the header.

Float32 semantics, compared with :func:`tinyids.study.preprocessing.apply` (the host
reference): ``offset_scale``, ``minmax``, ``standard`` and ``select`` are the same float32
operations in the same order, so they match exactly (without FMA contraction, which ``-std=c99``
turns off in gcc; avr-libc's software float rounds the same way, tested under simavr).
``log1p`` calls libm's ``log1pf`` (a few ulps from numpy's), ``l2`` sums the squares in index
order (numpy sums pairwise) and takes a Newton square root, and ``pca`` sums in index order
(numpy's matmul does not): those agree to within the float32 rounding error bound of their
sums. Only ``log1p`` needs libm (``<math.h>``, ``-lm``); the int8 path never
uses float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tinyids.codegen.cformat import MAX_ELEMENTS, ConstantPool, c_comment
from tinyids.codegen.model import CodegenError
from tinyids.study.preprocessing import PreprocessingError, check_steps

if TYPE_CHECKING:
    from tinyids.study.deployable import Deployable

WIDTH_PRESERVING = ("offset_scale", "minmax", "standard", "log1p", "l2")
WIDTH_CHANGING = ("select", "pca")
EXACT_OPS = ("offset_scale", "minmax", "standard", "select")  # bit-exact with apply() in float32


@dataclass
class Step:
    index: int  # position in the deployable's preprocessing.steps
    op: str
    width_in: int
    width_out: int
    constants: dict[str, Any]


@dataclass
class Preprocessing:
    """The numeric steps of a deployable (what the C computes) and its host-side encodings."""

    steps: list[Step]
    encodes: list[dict[str, Any]] = field(default_factory=list)
    raw_names: list[str] = field(default_factory=list)
    n_raw: int = 0
    n_in: int = 0

    @property
    def emits_function(self) -> bool:
        return bool(self.steps)

    @property
    def needs_libm(self) -> bool:
        return any(s.op == "log1p" for s in self.steps)

    def describe(self) -> str:
        """One line per numeric step, derived from the steps (never from prose)."""
        return ", then ".join(_describe(s) for s in self.steps) if self.steps else "none"


def _describe(s: Step) -> str:
    if s.op == "offset_scale":
        return f"per-column (x - min) * scale over {s.width_in} features"
    if s.op == "minmax":
        return f"per-column x * scale + min over {s.width_in} features"
    if s.op == "standard":
        return f"per-column (x - mean) / scale over {s.width_in} features"
    if s.op == "log1p":
        return f"log1p of {len(s.constants['columns'])} of {s.width_in} features"
    if s.op == "l2":
        return f"row L2 normalisation of {s.width_in} features (an all-zero row stays zero)"
    if s.op == "pca":
        return f"PCA projection of {s.width_in} features onto {s.width_out} components"
    if s.op == "select":
        return f"selection of {s.width_out} of {s.width_in} features"
    raise CodegenError(f"no description for preprocessing op {s.op!r}")  # pragma: no cover


def from_deployable(dep: Deployable | None, n_in: int, source: str) -> Preprocessing:
    """The deployable's steps, checked to chain from its raw features to the model's ``n_in``
    inputs. No deployable: no preprocessing."""
    if dep is None:
        return Preprocessing(steps=[], n_raw=n_in, n_in=n_in)
    steps = dep.steps
    raw_names = [str(n) for n in dep.raw_feature_names]
    n_raw = len(raw_names)
    try:
        widths = check_steps(steps, n_raw, n_in, source=source)
    except PreprocessingError as exc:
        raise CodegenError(str(exc)) from exc
    out: list[Step] = []
    encodes: list[dict[str, Any]] = []
    width = n_raw
    for i, (step, w_out) in enumerate(zip(steps, widths)):
        op = step["op"]
        if max(width, w_out) > MAX_ELEMENTS:
            raise CodegenError(f"{source}: preprocessing.steps[{i}] ({op}) works on {max(width, w_out)} "
                               f"features; the generated preprocess() handles at most {MAX_ELEMENTS}")
        if op == "encode":
            encodes.append(dict(step))
        elif op == "log1p":
            cols = sorted({int(c) for c in step["columns"]})  # apply() transforms each column once
            if cols:
                out.append(Step(i, op, width, w_out, {"columns": cols}))
        elif op in WIDTH_PRESERVING or op in WIDTH_CHANGING:
            out.append(Step(i, op, width, w_out, {k: v for k, v in step.items() if k != "op"}))
        else:  # pragma: no cover - check_steps knows the closed set
            raise CodegenError(f"{source}: preprocessing.steps[{i}]: op {op!r} has no C kernel")
        width = w_out
    return Preprocessing(steps=out, encodes=encodes, raw_names=raw_names, n_raw=n_raw, n_in=n_in)


def emit_function(pre: Preprocessing, consts: ConstantPool, ident: str) -> tuple[str, list[str]]:
    """The C definition of ``tinyids_<ident>_preprocess`` and the kernel keys it calls."""
    n_in = pre.n_in
    temps: list[int] = []  # capacity of t0, t1, ...
    kernels: list[str] = []
    calls: list[str] = []

    def pick(width: int, avoid: str) -> str:
        """A writable buffer other than ``avoid`` that holds ``width`` floats (``x`` first)."""
        if avoid != "x" and width <= n_in:
            return "x"
        for k in range(len(temps)):
            if f"t{k}" != avoid:
                temps[k] = max(temps[k], width)
                return f"t{k}"
        temps.append(width)
        return f"t{len(temps) - 1}"

    cur = "raw"
    last = len(pre.steps) - 1
    for k, s in enumerate(pre.steps):
        consts.note_elements(max(s.width_in, s.width_out))
        if s.op in WIDTH_PRESERVING:
            if cur == "raw":
                dst = pick(s.width_out, "raw")
            elif k == last and cur != "x":
                dst = "x"
            else:
                dst = cur
        else:
            dst = pick(s.width_out, cur)
        c = s.constants
        what = f"preprocessing.steps[{s.index}] {s.op}"
        n = s.width_in
        if s.op == "offset_scale":
            a = consts.array("float", c["min"], f"{what}: min", section="float")
            b = consts.array("float", c["scale"], f"{what}: scale", section="float")
            call = f"tinyids_pre_offset_scale({cur}, {dst}, {n}, {a}, {b});"
        elif s.op == "minmax":
            a = consts.array("float", c["scale"], f"{what}: scale", section="float")
            b = consts.array("float", c["min"], f"{what}: min", section="float")
            call = f"tinyids_pre_minmax({cur}, {dst}, {n}, {a}, {b});"
        elif s.op == "standard":
            a = consts.array("float", c["mean"], f"{what}: mean", section="float")
            b = consts.array("float", c["scale"], f"{what}: scale", section="float")
            call = f"tinyids_pre_standard({cur}, {dst}, {n}, {a}, {b});"
        elif s.op == "log1p":
            a = consts.array("int16_t", c["columns"], f"{what}: columns", section="float")
            call = f"tinyids_pre_log1p({cur}, {dst}, {n}, {a}, {len(c['columns'])});"
        elif s.op == "l2":
            call = f"tinyids_pre_l2({cur}, {dst}, {n});"
        elif s.op == "pca":
            comp = np.asarray(c["components"], dtype=np.float64)
            a = consts.array("float", c["mean"], f"{what}: mean", section="float")
            b = consts.array("float", comp, f"{what}: components ({s.width_out} x {n}, row-major)", section="float")
            call = f"tinyids_pre_pca({cur}, {dst}, {n}, {s.width_out}, {a}, {b});"
        else:  # select
            a = consts.array("int16_t", c["indices"], f"{what}: indices", section="float")
            call = f"tinyids_pre_select({cur}, {dst}, {s.width_out}, {a});"
        calls.append(f"    {call} /* step {s.index}: {s.op} */")
        key = f"pre_{s.op}"
        if key not in kernels:
            kernels.append(key)
        cur = dst
    body = [f"void tinyids_{ident}_preprocess(const float *raw, float *x)", "{"]
    body += [f"    float t{k}[{cap}];" for k, cap in enumerate(temps)]
    if cur != "x":
        body.append("    tinyids_index_t i;")
    body += calls
    if cur != "x":
        body += [f"    for (i = 0; i < {n_in}; ++i) {{", f"        x[i] = {cur}[i];", "    }"]
    body.append("}\n")
    return "\n".join(body), kernels


def header_comment(pre: Preprocessing, ident: str) -> list[str]:
    """Header lines documenting the preprocessing (steps and host-side encodings)."""
    macro = ident.upper()
    lines: list[str] = []
    if pre.encodes:
        lines += ["/* Host-side encoding (preprocessing encode steps): these raw columns arrive as the",
                  " * code of their category, looked up where the row is read; the device receives the code.",
                  " * An unknown category takes the default code, or is refused when there is none."]
        for e in pre.encodes:
            col = int(e["column"])
            name = pre.raw_names[col] if col < len(pre.raw_names) else f"raw{col}"
            codes = ", ".join(f"{c_comment(k)} = {_num(v)}" for k, v in e["codes"].items())
            default = e.get("default")
            tail = f"; unknown = {_num(default)}" if default is not None else "; unknown: refused"
            lines.append(f" *   raw[{col}] {c_comment(name)}: {codes}{tail}")
        lines.append(" */")
    if pre.steps:
        lines += [f"/* Preprocessing: tinyids_{ident}_preprocess maps the TINYIDS_{macro}_RAW_SIZE raw features",
                  f" * (raw order above) to the TINYIDS_{macro}_INPUT_SIZE model inputs in float32, by the",
                  " * deployable's preprocessing.steps:"]
        lines += [f" *   step {s.index}: {_describe(s)}" for s in pre.steps]
        inexact = sorted({s.op for s in pre.steps} - set(EXACT_OPS))
        lines.append(" * offset_scale, minmax, standard and select equal tinyids.study.preprocessing.apply bit for bit;"
                     if not inexact else
                     f" * {', '.join(inexact)} agree with tinyids.study.preprocessing.apply to float32 rounding (libm,")
        if inexact:
            lines.append(" * summation order); offset_scale, minmax, standard and select bit for bit.")
        if pre.needs_libm:
            lines.append(" * log1p uses libm's log1pf (link with -lm; on AVR a log()-based log1p).")
        lines.append(" */")
    return lines


def _num(v: Any) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else repr(f)
