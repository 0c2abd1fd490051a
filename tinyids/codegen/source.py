"""Source assembly: the C kernels under ``kernels/`` inlined into one self-contained source.

Every kernel is a C99 header of ``static`` functions (``kernels/tinyids_<family>.h``), tested
on its own in ``tests/c/``. A generated ``<name>.c`` must build with nothing but itself and its
``<name>.h`` (a board build gets only those two files), so :func:`inline` copies the kernels it
needs into the source, each once and after the kernels it includes (``#include
"tinyids_*.h"`` lines are resolved here; system headers such as ``<stdint.h>`` stay). Only
kernels a model calls are inlined: an unused ``static`` function would fail ``-Werror``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from tinyids.codegen.cformat import c_comment, float_literal, macro_keys
from tinyids.codegen.model import CodegenError
from tinyids.codegen.preprocess import Preprocessing
from tinyids.codegen.preprocess import header_comment as preprocess_header_comment

KERNEL_DIR = Path(__file__).parent / "kernels"
_LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s+"(tinyids_[A-Za-z0-9_]+\.h)"\s*$')

# what each emitter asks for -> the kernel file that defines it
KERNELS = {
    "fully_connected": "tinyids_fully_connected.h",
    "conv2d": "tinyids_conv2d.h",
    "max_pool": "tinyids_max_pool.h",
    "softmax": "tinyids_softmax.h",
    "softmax_fast": "tinyids_softmax_fast.h",
    "lookup": "tinyids_lookup.h",
    "quantize": "tinyids_quantize.h",
    "rq32": "tinyids_rq32.h",
    "rq16": "tinyids_rq16.h",
    "clamp": "tinyids_clamp.h",
    "pre_offset_scale": "tinyids_pre_offset_scale.h",
    "pre_minmax": "tinyids_pre_minmax.h",
    "pre_standard": "tinyids_pre_standard.h",
    "pre_log1p": "tinyids_pre_log1p.h",
    "pre_l2": "tinyids_pre_l2.h",
    "pre_pca": "tinyids_pre_pca.h",
    "pre_select": "tinyids_pre_select.h",
}


@functools.lru_cache(maxsize=None)
def kernel_text(filename: str) -> str:
    path = KERNEL_DIR / filename
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CodegenError(f"kernel file {path} cannot be read: {exc}") from exc


def kernel_includes(filename: str) -> list[str]:
    """The kernel files ``filename`` includes, in order."""
    return [m.group(1) for line in kernel_text(filename).splitlines() if (m := _LOCAL_INCLUDE.match(line))]


def kernel_order(filenames) -> list[str]:
    """``filenames`` and everything they include, each once, dependencies first."""
    order: list[str] = []
    active: list[str] = []

    def visit(f: str) -> None:
        if f in order:
            return
        if f in active:
            raise CodegenError(f"kernel files include each other in a cycle: {' -> '.join(active + [f])}")
        active.append(f)
        for dep in kernel_includes(f):
            visit(dep)
        active.pop()
        order.append(f)

    for f in filenames:
        visit(f)
    return order


def inline(filenames, exclude=()) -> str:
    """The text of ``filenames`` and their dependencies, concatenated, local includes resolved;
    ``exclude`` lists kernel files already inlined above."""
    parts = []
    for f in kernel_order(filenames):
        if f in exclude:
            continue
        lines = [f"/* ---- {f} (tinyids/codegen/kernels) ---- */"]
        for line in kernel_text(f).splitlines():
            m = _LOCAL_INCLUDE.match(line)
            lines.append(f"/* {m.group(1)}: inlined above */" if m else line)
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def kernel_files(keys) -> list[str]:
    """Kernel files for the emitters' kernel keys (see :data:`KERNELS`)."""
    try:
        return [KERNELS[k] for k in keys]
    except KeyError as exc:
        raise CodegenError(f"no kernel file for {exc.args[0]!r}; known: {', '.join(KERNELS)}") from None


# ------------------------------------------------------------------ the two generated files


@dataclass
class Parts:
    """Everything the header and the source are assembled from."""

    name: str
    ident: str
    version: str
    sha256: str
    operators: list[str]
    input_size: int
    output_size: int
    scratch_bytes: int
    const_bytes: int
    input_scale: float
    input_zero_point: int
    output_scale: float
    output_zero_point: int
    positive_threshold: int | None
    decision: str  # how the class is decided, for the header comment
    class_names: list[str]
    feature_names: list[str]
    preprocessing: Preprocessing
    preprocess_c: str  # the definition of preprocess(), "" when there is none
    int8_kernels: list[str]  # kernel keys of predict()
    float_kernels: list[str]  # kernel keys of quantize_input() and preprocess()
    constants: list[str]  # declarations read by predict()
    float_constants: list[str]  # declarations read by preprocess()
    predict_body: list[str]
    wide_index: bool
    max_elements: int


def header(p: Parts) -> str:
    m, M = p.ident, p.ident.upper()
    lines = [
        f"/* Generated by tinyids {p.version} (tinyids.codegen) from {p.name}.tflite",
        f" * sha256 {p.sha256}",
        " * int8 inference, bit-exact with TFLite's reference kernels. Do not edit. */",
        f"#ifndef TINYIDS_{M}_H",
        f"#define TINYIDS_{M}_H",
        "",
        "#include <stdint.h>",
        "",
        f"#define TINYIDS_{M}_INPUT_SIZE {p.input_size}",
        f"#define TINYIDS_{M}_OUTPUT_SIZE {p.output_size}",
        f"#define TINYIDS_{M}_SCRATCH_BYTES {p.scratch_bytes}",
        f"#define TINYIDS_{M}_CONST_BYTES {p.const_bytes}",
        f"#define TINYIDS_{M}_INPUT_SCALE {float_literal(p.input_scale)}",
        f"#define TINYIDS_{M}_INPUT_ZERO_POINT {p.input_zero_point}",
        f"#define TINYIDS_{M}_OUTPUT_SCALE {float_literal(p.output_scale)}",
        f"#define TINYIDS_{M}_OUTPUT_ZERO_POINT {p.output_zero_point}",
    ]
    if p.positive_threshold is not None:
        lines.append(f"/* one output: class 1 when out[0] >= this (dequantized output {p.decision}) */")
        lines.append(f"#define TINYIDS_{M}_POSITIVE_THRESHOLD {p.positive_threshold}")
    if p.class_names:
        lines.append(f"#define TINYIDS_{M}_NUM_CLASSES {len(p.class_names)}")
        lines.append("/* classes: " + ", ".join(f"{i} = {c_comment(c)}" for i, c in enumerate(p.class_names)) + " */")
    if p.feature_names:
        lines.append("/* feature order (index into the input vector) */")
        for i, (key, f) in enumerate(zip(macro_keys(p.feature_names), p.feature_names)):
            lines.append(f"#define TINYIDS_{M}_FEATURE_{key} {i} /* {c_comment(f)} */")
    pre = p.preprocessing
    if pre.emits_function:
        lines.append(f"#define TINYIDS_{M}_RAW_SIZE {pre.n_raw}")
        lines.append("/* raw feature order (index into the preprocess() input) */")
        for i, (key, f) in enumerate(zip(macro_keys(pre.raw_names), pre.raw_names)):
            lines.append(f"#define TINYIDS_{M}_RAW_{key} {i} /* {c_comment(f)} */")
    lines += preprocess_header_comment(pre, m)
    lines += [
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"/* Runs the model on one quantized input vector (TINYIDS_{M}_INPUT_SIZE int8 values) and",
        f" * writes the TINYIDS_{M}_OUTPUT_SIZE int8 outputs; returns the predicted class index",
        " * (argmax of the outputs; for one output, 1 when it reaches the positive threshold).",
        " * `in` and `out` must not overlap. Not reentrant: uses a static scratch buffer. */",
        f"int tinyids_{m}_predict(const int8_t *in, int8_t *out);",
        "",
        "/* The class predict() returns, without the outputs: skips the final SOFTMAX (LOGISTIC)",
        " * where the generator proved that the logits decide the same class (ties included), or",
        " * computes it only when the top two logits are closer than a proved gap. */",
        f"int tinyids_{m}_predict_class(const int8_t *in);",
        "",
        "/* The float API below is left out of the build when TINYIDS_INT8_ONLY is defined. */",
        "/* Quantizes float features (as fed to the model) with the input scale and zero point:",
        " * round half to even of x / scale, plus the zero point, saturated to int8. */",
        f"void tinyids_{m}_quantize_input(const float *x, int8_t *q);",
        "",
        "/* quantize_input then predict. */",
        f"int tinyids_{m}_predict_float(const float *x, int8_t *out);",
    ]
    if pre.emits_function:
        lines += [
            "",
            f"/* Maps TINYIDS_{M}_RAW_SIZE raw features (raw order above) to the TINYIDS_{M}_INPUT_SIZE",
            " * features the model takes (the preprocessing steps above). */",
            f"void tinyids_{m}_preprocess(const float *raw, float *x);",
        ]
    lines += ["", "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* TINYIDS_{M}_H */", ""]
    return "\n".join(lines)


def source(p: Parts) -> str:
    m = p.ident
    src = [f"/* Generated by tinyids {p.version} (tinyids.codegen) from {p.name}.tflite: ",
           f" * operators {', '.join(p.operators)}; scratch {p.scratch_bytes} bytes; constants {p.const_bytes} bytes.",
           " * Bit-exact with TFLite's reference kernels (OpResolverType.BUILTIN_REF). Do not edit.",
           " * Self-contained: the kernels of tinyids/codegen/kernels are inlined below. */",
           f'#include "{p.name}.h"', ""]
    if p.wide_index:
        src += [f"/* a tensor or array has {p.max_elements} elements: 32-bit indices (16-bit int on AVR) */",
                "#if !defined(TINYIDS_INDEX_32)", "#define TINYIDS_INDEX_32", "#endif", ""]
    int8_files = kernel_order(["tinyids_platform.h", *kernel_files(p.int8_kernels)])
    src.append(inline(int8_files))
    src.append("\n".join(p.constants))
    if p.scratch_bytes:
        src.append(f"static int8_t tinyids_{m}_arena[{p.scratch_bytes}];\n")
    src.append("\n".join(p.predict_body))
    src.append("#if !defined(TINYIDS_INT8_ONLY)\n")
    src.append(inline(kernel_files(p.float_kernels), exclude=int8_files))
    src.append(f"""void tinyids_{m}_quantize_input(const float *x, int8_t *q)
{{
    tinyids_quantize(x, q, {p.input_size}, {float_literal(p.input_scale)}, {p.input_zero_point});
}}

int tinyids_{m}_predict_float(const float *x, int8_t *out)
{{
    int8_t q[{p.input_size}];
    tinyids_{m}_quantize_input(x, q);
    return tinyids_{m}_predict(q, out);
}}
""")
    if p.float_constants:
        src.append("\n".join(p.float_constants))
    if p.preprocess_c:
        src.append(p.preprocess_c)
    src.append("#endif /* !TINYIDS_INT8_ONLY */\n")
    return "\n".join(src)
