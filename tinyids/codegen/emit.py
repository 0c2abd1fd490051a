"""Emitting C99 for an int8 graph: one source and one header per model.

The C reproduces TFLite's reference kernels (``BUILTIN_REF``) bit for bit: int32
accumulation, per-channel or per-tensor requantization through ``MultiplyByQuantizedMultiplier``
with TFLite's double rounding, fused activation clamping, zero points; the logistic table and
the softmax exponentials are computed here exactly as TFLite computes them in ``Prepare()``.

Portability (avr-gcc, where ``int`` is 16 bits; arm-none-eabi; xtensa-lx106; host gcc):
every 32-bit quantity is ``int32_t``; indices are ``int`` (``int32_t`` when a tensor or array
has 32768 elements or more) and ``int`` holds 8-bit products (at most 255 * 128); shifts of
negative numbers and signed overflow are avoided (UB-free C99). Constant arrays are declared
``static const T name[N] TINYIDS_CONST`` and read through ``TINYIDS_READ_I8/I16/I32/F32(ptr)``:
``PROGMEM`` + ``pgm_read_*`` on AVR and the Arduino ESP8266 core, plain ``const`` elsewhere; a
build may define ``TINYIDS_CONST`` and the three readers itself to override them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

import tinyids
from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.memory import Interval, plan
from tinyids.codegen.model import RESHAPE_OPS, CodegenError, Graph, Operator, Tensor

MAX_ELEMENTS = 32767  # larger tensors or arrays switch indices from int to int32_t (16-bit int on AVR)
SUPPORTED_OPS = ("FULLY_CONNECTED", "CONV_2D", "MAX_POOL_2D", "SOFTMAX", "LOGISTIC") + RESHAPE_OPS


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


def c_identifier(name: str) -> str:
    ident = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    if not ident:
        raise CodegenError(f"model name {name!r} gives no C identifier")
    if ident[0].isdigit():
        ident = "m" + ident
    return ident


def _shape4(shape: tuple[int, ...], what: str) -> tuple[int, int, int, int]:
    if len(shape) != 4:
        raise CodegenError(f"{what} has shape {shape}; 4-D NHWC expected")
    return tuple(int(d) for d in shape)  # type: ignore[return-value]


def _padding(padding: str, in_size: int, filt: int, stride: int, dilation: int, out_size: int) -> int:
    """``ComputePaddingWithOffset`` (the leading padding) of TFLite."""
    eff = (filt - 1) * dilation + 1
    if padding == "VALID":
        expected = (in_size - eff + stride) // stride
        pad = 0
    elif padding == "SAME":
        expected = (in_size + stride - 1) // stride
        total = max((out_size - 1) * stride + eff - in_size, 0)
        pad = total // 2
    else:
        raise CodegenError(f"unsupported padding {padding}")
    if expected != out_size:
        raise CodegenError(f"output size {out_size} does not match {padding} padding ({expected})")
    return pad


def _fmt_array(values, per_line: int = 16) -> str:
    vals = [str(int(v)) for v in np.asarray(values).reshape(-1)]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return "    " + ",\n    ".join(lines)


def _i32_literal(v: int) -> str:
    v = int(v)
    if v == fx.INT32_MIN:
        return "INT32_MIN"
    return f"INT32_C({v})"


def _fmt_i32_array(values) -> str:
    vals = [_i32_literal(v) for v in np.asarray(values).reshape(-1)]
    lines = [", ".join(vals[i:i + 6]) for i in range(0, len(vals), 6)]
    return "    " + ",\n    ".join(lines)


def _float_literal(v: float) -> str:
    s = repr(float(v))
    if "e" not in s and "." not in s and "inf" not in s and "nan" not in s:
        s += ".0"
    return s


_PRELUDE = r"""
#include <stdint.h>

/* Constant data lives in flash. On AVR (avr-gcc) and the Arduino ESP8266 core it is placed with
 * PROGMEM and read with pgm_read_*; elsewhere plain `const` already stays in flash. A build can
 * define TINYIDS_CONST and TINYIDS_READ_I8/I16/I32/F32 itself to override this. No libc is
 * needed: only <stdint.h>. */
#if !defined(TINYIDS_CONST)
#  if defined(__AVR__) || defined(ARDUINO_ARCH_ESP8266)
#    if defined(__AVR__)
#      include <avr/pgmspace.h>
#    else
#      include <pgmspace.h>
#    endif
#    define TINYIDS_CONST PROGMEM
#    define TINYIDS_READ_I8(p) ((int8_t)pgm_read_byte(p))
#    define TINYIDS_READ_I16(p) ((int16_t)pgm_read_word(p))
#    define TINYIDS_READ_I32(p) ((int32_t)pgm_read_dword(p))
#    define TINYIDS_READ_F32(p) (pgm_read_float(p))
#  else
#    define TINYIDS_CONST
#    define TINYIDS_READ_I8(p) (*(p))
#    define TINYIDS_READ_I16(p) (*(p))
#    define TINYIDS_READ_I32(p) (*(p))
#    define TINYIDS_READ_F32(p) (*(p))
#  endif
#endif
"""

# TFLite / gemmlowp integer primitives, UB-free: no signed overflow, no right shift of a
# negative number (floor shift is written with complements), no 64-bit division.
_PRIM_ASR = r"""
/* Arithmetic shift right (floor), defined for negative x too. */
static int32_t tinyids_asr(int32_t x, int e)
{
    return x >= 0 ? (int32_t)(x >> e) : (int32_t)~((~x) >> e);
}

/* gemmlowp RoundingDivideByPOT. */
static int32_t tinyids_rdpot(int32_t x, int e)
{
    const int32_t mask = (int32_t)((UINT32_C(1) << e) - UINT32_C(1));
    const int32_t remainder = x & mask;
    const int32_t threshold = (int32_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return tinyids_asr(x, e) + (remainder > threshold ? 1 : 0);
}

/* gemmlowp SaturatingRoundingDoublingHighMul. */
static int32_t tinyids_srdhm(int32_t a, int32_t b)
{
    int64_t v;
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    v = (int64_t)a * (int64_t)b;
    v += v >= 0 ? INT64_C(1073741824) : INT64_C(-1073741823);
    return (int32_t)(v >= 0 ? (v >> 31) : -((-v) >> 31));
}
"""

_PRIM_MBQM_SINGLE = r"""
/* MultiplyByQuantizedMultiplier with one rounding, as TFLite's reference FULLY_CONNECTED:
 * (x * multiplier + 2^(30 - shift)) >> (31 - shift), flooring. */
static int32_t tinyids_mbqm_single(int32_t x, int32_t multiplier, int shift)
{
    const int total = 31 - shift;
    const int64_t v = (int64_t)x * multiplier + ((int64_t)1 << (total - 1));
    return (int32_t)(v >= 0 ? (v >> total) : ~((~v) >> total));
}
"""

_PRIM_MBQM_DOUBLE = r"""
/* MultiplyByQuantizedMultiplier with gemmlowp's double rounding, as TFLite's reference
 * CONV_2D: RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, m), right). */
static int32_t tinyids_mbqm_double(int32_t x, int32_t multiplier, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return tinyids_rdpot(tinyids_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}
"""

_PRIM_CLAMP = r"""
static int8_t tinyids_clamp8(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}
"""

_RECIPROCAL = r"""
/* gemmlowp SaturatingRoundingMultiplyByPOT<e> for e > 0. */
static int32_t tinyids_sat_shl(int32_t x, int e)
{
    const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - e)) - UINT32_C(1));
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << e);
}

static int32_t tinyids_add32(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1 (Newton-Raphson, Q0.31 in and out). */
static int32_t tinyids_one_over_one_plus_x(int32_t a)
{
    const int64_t s = (int64_t)a + INT32_MAX;
    const int64_t t = s + (s >= 0 ? 1 : -1);
    const int32_t half_denominator = (int32_t)(t >= 0 ? (t >> 1) : -((-t) >> 1));
    int32_t x = tinyids_add32(INT32_C(1515870810), tinyids_srdhm(half_denominator, INT32_C(-1010580540)));
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = tinyids_srdhm(half_denominator, x);
        const int32_t one_minus = tinyids_add32(INT32_C(536870912), -hdx);
        x = tinyids_add32(x, tinyids_sat_shl(tinyids_srdhm(x, one_minus), 2));
    }
    return tinyids_sat_shl(x, 1);
}

/* TFLite GetReciprocal(x, 12 integer bits). */
static int32_t tinyids_reciprocal(int32_t x, int *num_bits_over_unit)
{
    uint32_t probe = (uint32_t)x;
    int headroom_plus_one = 0;
    while (headroom_plus_one < 31 && !(probe & UINT32_C(0x80000000))) {
        probe <<= 1;
        ++headroom_plus_one;
    }
    *num_bits_over_unit = 12 - headroom_plus_one;
    return tinyids_one_over_one_plus_x(
        (int32_t)(((uint32_t)x << headroom_plus_one) - UINT32_C(0x80000000)));
}
"""

_KERNELS = {
    "fully_connected": r"""
/* reference_integer_ops::FullyConnected / FullyConnectedPerChannel (filter zero point 0).
 * The input offset is folded into the bias at generation time (bias + offset * sum(w)), an
 * integer identity, so the inner loop is a plain int8 dot product. */
static void tinyids_fully_connected(const int8_t *in, int8_t *out, tinyids_index_t batches,
                                    tinyids_index_t depth, tinyids_index_t units,
                                    const int8_t *weights, const int32_t *bias,
                                    const int32_t *mult, const int8_t *shift, int per_channel,
                                    int32_t out_offset, int32_t act_min, int32_t act_max)
{
    tinyids_index_t b, u, d;
    for (b = 0; b < batches; ++b) {
        const int8_t *x = in + b * depth;
        for (u = 0; u < units; ++u) {
            const int8_t *w = weights + u * depth;
            const tinyids_index_t ch = per_channel ? u : 0;
            int32_t acc = 0;
            for (d = 0; d < depth; ++d) {
                acc += (int32_t)(TINYIDS_READ_I8(w + d) * x[d]);
            }
            if (bias) {
                acc += TINYIDS_READ_I32(bias + u);
            }
            acc = tinyids_mbqm_single(acc, TINYIDS_READ_I32(mult + ch), TINYIDS_READ_I8(shift + ch));
            out[b * units + u] = tinyids_clamp8(acc + out_offset, act_min, act_max);
        }
    }
}
""",
    "conv2d": r"""
/* reference_integer_ops::ConvPerChannel, NHWC, one group, filter zero point 0. */
static void tinyids_conv2d(const int8_t *in, int8_t *out, const tinyids_index_t *dims,
                           const int8_t *weights, const int32_t *bias, const int32_t *mult,
                           const int8_t *shift, int in_offset, int32_t out_offset,
                           int32_t act_min, int32_t act_max)
{
    /* dims: batches, in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w,
     *       stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w */
    const tinyids_index_t batches = dims[0], in_h = dims[1], in_w = dims[2], in_c = dims[3];
    const tinyids_index_t out_h = dims[4], out_w = dims[5], out_c = dims[6], f_h = dims[7];
    const tinyids_index_t f_w = dims[8], stride_h = dims[9], stride_w = dims[10];
    const tinyids_index_t dil_h = dims[11], dil_w = dims[12], pad_h = dims[13], pad_w = dims[14];
    tinyids_index_t b, oy, ox, oc, fy, fx, ic;
    for (b = 0; b < batches; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const tinyids_index_t y0 = oy * stride_h - pad_h;
            for (ox = 0; ox < out_w; ++ox) {
                const tinyids_index_t x0 = ox * stride_w - pad_w;
                for (oc = 0; oc < out_c; ++oc) {
                    const int8_t *w_oc = weights + oc * f_h * f_w * in_c;
                    int32_t acc = 0;
                    for (fy = 0; fy < f_h; ++fy) {
                        const tinyids_index_t y = y0 + dil_h * fy;
                        const int8_t *row;
                        const int8_t *w_row = w_oc + fy * f_w * in_c;
                        if (y < 0 || y >= in_h) {
                            continue;
                        }
                        row = in + (b * in_h + y) * in_w * in_c;
                        if (dil_w == 1) {
                            /* the taps inside the input form one contiguous run */
                            const tinyids_index_t fx0 = x0 < 0 ? -x0 : 0;
                            const tinyids_index_t fx1 = f_w < in_w - x0 ? f_w : in_w - x0;
                            const int8_t *src = row + (x0 + fx0) * in_c;
                            const int8_t *w = w_row + fx0 * in_c;
                            const tinyids_index_t n = (fx1 - fx0) * in_c;
                            for (ic = 0; ic < n; ++ic) {
                                acc += (int32_t)(TINYIDS_READ_I8(w + ic) * (src[ic] + in_offset));
                            }
                            continue;
                        }
                        for (fx = 0; fx < f_w; ++fx) {
                            const tinyids_index_t x = x0 + dil_w * fx;
                            if (x < 0 || x >= in_w) {
                                continue;
                            }
                            for (ic = 0; ic < in_c; ++ic) {
                                acc += (int32_t)(TINYIDS_READ_I8(w_row + fx * in_c + ic) *
                                                 (row[x * in_c + ic] + in_offset));
                            }
                        }
                    }
                    if (bias) {
                        acc += TINYIDS_READ_I32(bias + oc);
                    }
                    acc = tinyids_mbqm_double(acc, TINYIDS_READ_I32(mult + oc), TINYIDS_READ_I8(shift + oc));
                    out[((b * out_h + oy) * out_w + ox) * out_c + oc] =
                        tinyids_clamp8(acc + out_offset, act_min, act_max);
                }
            }
        }
    }
}
""",
    "max_pool": r"""
/* reference_integer_ops::MaxPool, NHWC. */
static void tinyids_max_pool(const int8_t *in, int8_t *out, const tinyids_index_t *dims,
                             int32_t act_min, int32_t act_max)
{
    /* dims: batches, in_h, in_w, channels, out_h, out_w, f_h, f_w, stride_h, stride_w,
     *       pad_h, pad_w */
    const tinyids_index_t batches = dims[0], in_h = dims[1], in_w = dims[2], depth = dims[3];
    const tinyids_index_t out_h = dims[4], out_w = dims[5], f_h = dims[6], f_w = dims[7];
    const tinyids_index_t stride_h = dims[8], stride_w = dims[9], pad_h = dims[10];
    const tinyids_index_t pad_w = dims[11];
    tinyids_index_t b, oy, ox, c, fy, fx;
    for (b = 0; b < batches; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const tinyids_index_t y0 = oy * stride_h - pad_h;
            const tinyids_index_t fy0 = y0 < 0 ? -y0 : 0;
            const tinyids_index_t fy1 = f_h < in_h - y0 ? f_h : in_h - y0;
            for (ox = 0; ox < out_w; ++ox) {
                const tinyids_index_t x0 = ox * stride_w - pad_w;
                const tinyids_index_t fx0 = x0 < 0 ? -x0 : 0;
                const tinyids_index_t fx1 = f_w < in_w - x0 ? f_w : in_w - x0;
                for (c = 0; c < depth; ++c) {
                    int32_t m = -128;
                    for (fy = fy0; fy < fy1; ++fy) {
                        for (fx = fx0; fx < fx1; ++fx) {
                            const int8_t v = in[((b * in_h + y0 + fy) * in_w + x0 + fx) * depth + c];
                            if (v > m) {
                                m = v;
                            }
                        }
                    }
                    out[((b * out_h + oy) * out_w + ox) * depth + c] = tinyids_clamp8(m, act_min, act_max);
                }
            }
        }
    }
}
""",
    "softmax": r"""
/* reference_ops::Softmax for int8 (gemmlowp fixed point). exp_table[d] holds
 * exp_on_negative_values() of the rescaled input difference -d, precomputed at generation. */
static void tinyids_softmax(const int8_t *in, int8_t *out, tinyids_index_t outer,
                            tinyids_index_t depth, int diff_min, const int32_t *exp_table)
{
    tinyids_index_t r, c;
    for (r = 0; r < outer; ++r) {
        const int8_t *x = in + r * depth;
        int8_t *y = out + r * depth;
        int max_in_row = -128;
        int32_t sum_of_exps = 0;
        int32_t scale;
        int num_bits_over_unit;
        for (c = 0; c < depth; ++c) {
            if (x[c] > max_in_row) {
                max_in_row = x[c];
            }
        }
        for (c = 0; c < depth; ++c) {
            const int diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                sum_of_exps += tinyids_rdpot(TINYIDS_READ_I32(exp_table - diff), 12);
            }
        }
        scale = tinyids_reciprocal(sum_of_exps, &num_bits_over_unit);
        for (c = 0; c < depth; ++c) {
            const int diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                const int32_t unsat = tinyids_rdpot(
                    tinyids_srdhm(scale, TINYIDS_READ_I32(exp_table - diff)), num_bits_over_unit + 23);
                y[c] = tinyids_clamp8(unsat - 128, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}
""",
    "lookup": r"""
/* Element-wise int8 -> int8 table (TFLite's LUTPopulate / LookupTable, e.g. LOGISTIC). */
static void tinyids_lookup(const int8_t *in, int8_t *out, tinyids_index_t n,
                           const int8_t *table)
{
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        out[i] = TINYIDS_READ_I8(table + (uint8_t)in[i]);
    }
}
""",
}


class _Emitter:
    def __init__(self, graph: Graph, name: str, meta: dict | None):
        self.g = graph
        self.name = name
        self.ident = c_identifier(name)
        self.macro = self.ident.upper()
        self.meta = meta or {}
        self.arrays: list[str] = []
        self.const_bytes = 0
        self.kernels: list[str] = []
        self.calls: list[str] = []
        self.n_arrays = 0
        self.max_elements = 0
        self.dims: list[tuple[str, list[int], int]] = []  # (array placeholder, values, count)

    # ---- helpers ------------------------------------------------------------------------
    def t(self, index: int) -> Tensor:
        return self.g.tensors[index]

    def kernel(self, key: str) -> None:
        if key not in self.kernels:
            self.kernels.append(key)

    def array(self, ctype: str, values, what: str) -> str:
        values = np.asarray(values).reshape(-1)
        if values.size == 0:
            raise CodegenError(f"empty constant array for {what}")
        self.max_elements = max(self.max_elements, int(values.size))
        name = f"tinyids_{self.ident}_c{self.n_arrays}"
        self.n_arrays += 1
        if ctype == "int32_t":
            body = _fmt_i32_array(values)
        elif ctype == "float":
            body = "    " + ",\n    ".join(_float_literal(float(np.float32(v))) + "f" for v in values)
        else:
            body = _fmt_array(values)
        self.arrays.append(f"/* {what} */\nstatic const {ctype} {name}[{values.size}] TINYIDS_CONST = {{\n{body}\n}};\n")
        self.const_bytes += int(values.size) * {"int8_t": 1, "int16_t": 2, "int32_t": 4, "float": 4}[ctype]
        return name

    def require_int8(self, op: Operator, index: int, role: str) -> Tensor:
        t = self.t(index)
        if t.dtype != "INT8":
            raise CodegenError(f"operator {op.name} (index {op.index}): {role} tensor {t.name!r} is "
                               f"{t.dtype}; only int8 data is supported")
        if t.scales is None or len(t.scales) != 1:
            raise CodegenError(f"operator {op.name} (index {op.index}): {role} tensor {t.name!r} "
                               "is not per-tensor quantized")
        self.max_elements = max(self.max_elements, t.size)
        return t

    def weights(self, op: Operator, index: int, channels: int, axis: int) -> Tensor:
        w = self.t(index)
        if w.dtype != "INT8" or w.data is None:
            raise CodegenError(f"operator {op.name} (index {op.index}): weights {w.name!r} must be "
                               f"constant int8, got {w.dtype}{' (not constant)' if w.data is None else ''}")
        if w.scales is None or len(w.scales) not in (1, channels):
            raise CodegenError(f"operator {op.name} (index {op.index}): weights {w.name!r} have "
                               f"{0 if w.scales is None else len(w.scales)} scales for {channels} channels")
        if len(w.scales) > 1 and w.quantized_dimension != axis:
            raise CodegenError(f"operator {op.name} (index {op.index}): weights quantized along "
                               f"dimension {w.quantized_dimension}, expected {axis}")
        if np.any(w.zero_points != 0):
            raise CodegenError(f"operator {op.name} (index {op.index}): weights {w.name!r} have a "
                               "nonzero zero point (asymmetric int8 weights are unsupported)")
        return w

    def bias(self, op: Operator, index: int, channels: int) -> str:
        if index < 0:
            return "(const int32_t *)0"
        b = self.t(index)
        if b.dtype != "INT32" or b.data is None or b.size != channels:
            raise CodegenError(f"operator {op.name} (index {op.index}): bias {b.name!r} must be a "
                               f"constant int32 vector of {channels}, got {b.dtype} {b.shape}")
        return self.array("int32_t", b.data, f"{op.name} {op.index} bias")

    def folded_bias(self, op: Operator, index: int, channels: int, w2d: np.ndarray, in_offset: int) -> str:
        """bias[c] + in_offset * sum(w[c, :]): TFLite adds the input offset to every input
        value; summing it once per channel is the same integer."""
        if in_offset == 0:
            return self.bias(op, index, channels)
        if index >= 0:
            b = self.t(index)
            if b.dtype != "INT32" or b.data is None or b.size != channels:
                raise CodegenError(f"operator {op.name} (index {op.index}): bias {b.name!r} must be a "
                                   f"constant int32 vector of {channels}, got {b.dtype} {b.shape}")
            base = b.data.astype(np.int64).reshape(-1)
        else:
            base = np.zeros(channels, np.int64)
        folded = base + in_offset * w2d.astype(np.int64).sum(axis=1)
        if np.any(np.abs(folded) > fx.INT32_MAX):
            raise CodegenError(f"operator {op.name} (index {op.index}): folded bias overflows int32")
        return self.array("int32_t", folded, f"{op.name} {op.index} bias + input offset * sum(weights)")

    def requant(self, op: Operator, s_in: float, w: Tensor, s_out: float, channels: int) -> tuple[str, str, int]:
        mults, shifts = [], []
        per_channel = len(w.scales) > 1
        for c in range(channels if per_channel else 1):
            real = float(s_in) * float(w.scales[c]) / float(s_out)
            m, s = fx.quantize_multiplier(real)
            if not -31 <= s <= 30:
                raise CodegenError(f"{op.name} (index {op.index}): requantization shift {s} out of range")
            mults.append(m)
            shifts.append(s)
        mult = self.array("int32_t", mults, f"{op.name} {op.index} output multipliers")
        shift = self.array("int8_t", shifts, f"{op.name} {op.index} output shifts")
        return mult, shift, int(per_channel)

    # ---- the graph ----------------------------------------------------------------------
    def build(self) -> Generated:
        g = self.g
        tin, tout = self.t(g.input), self.t(g.output)
        for what, t in (("input", tin), ("output", tout)):
            if t.dtype != "INT8":
                raise CodegenError(f"model {what} {t.name!r} is {t.dtype}; convert with "
                                   f"inference_{what}_type=tf.int8 (full-integer model expected)")
            if t.scales is None or len(t.scales) != 1:
                raise CodegenError(f"model {what} {t.name!r} is not per-tensor quantized")
        for op in g.operators:
            if op.name not in SUPPORTED_OPS:
                types = "/".join(sorted({self.t(i).dtype for i in op.inputs + op.outputs if i >= 0}))
                raise CodegenError(f"unsupported operator {op.name} (index {op.index}, tensors {types})")

        # Buffers: reshape-like ops alias their input; everything else gets its own buffer.
        root: dict[int, int] = {g.input: g.input}
        real_ops: list[Operator] = []
        copies: list[tuple[int, int]] = []
        for op in g.operators:
            if op.name in RESHAPE_OPS:
                src, dst = self.t(op.inputs[0]), self.t(op.outputs[0])
                self.require_int8(op, op.inputs[0], "input")
                self.require_int8(op, op.outputs[0], "output")
                if src.size != dst.size or src.scale != dst.scale or src.zero_point != dst.zero_point:
                    raise CodegenError(f"operator {op.name} (index {op.index}) changes size or quantization")
                if op.outputs[0] == g.output:
                    copies.append((op.inputs[0], op.outputs[0]))
                    root[op.outputs[0]] = op.outputs[0]
                else:
                    root[op.outputs[0]] = root[op.inputs[0]]
            else:
                for o in op.outputs:
                    root[o] = o
                real_ops.append(op)

        # Lifetimes of arena buffers (everything but the caller's input and output).
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for i, op in enumerate(real_ops):
            for t in op.inputs:
                if t >= 0 and t in root:
                    last[root[t]] = i
            for t in op.outputs:
                first.setdefault(root[t], i)
                last.setdefault(root[t], i)
        for k, (src, _dst) in enumerate(copies):
            last[root[src]] = len(real_ops) + k
        intervals = [Interval(r, self.t(r).size, first[r], max(last[r], first[r]))
                     for r in first if r not in (g.input, g.output)]
        offsets, arena = plan(intervals)

        def ptr(t: int, const: bool) -> str:
            r = root[t]
            if r == g.input:
                if not const:
                    raise CodegenError("an operator would write the model input")
                return "in"
            if r == g.output:
                return "out"
            return f"(arena + {offsets[r]})"

        ops_desc = []
        for op in real_ops:
            ops_desc.append(op.name)
            self.calls.append(f"    /* {op.index}: {op.name} {self.t(op.inputs[0]).shape} -> {self.t(op.outputs[0]).shape} */")
            getattr(self, "op_" + op.name.lower())(op, ptr(op.inputs[0], True), ptr(op.outputs[0], False))
        for src, dst in copies:
            self.need_k = True
            self.calls.append(f"    for (k = 0; k < {self.t(dst).size}; ++k) {{\n        out[k] = {ptr(src, True)}[k];\n    }}")

        return self.finish(tin, tout, arena, ops_desc)

    # ---- operators ----------------------------------------------------------------------
    def op_fully_connected(self, op: Operator, src: str, dst: str) -> None:
        o = op.options
        if o.get("weights_format", 0) != 0:
            raise CodegenError(f"FULLY_CONNECTED (index {op.index}): shuffled weights format unsupported")
        tin = self.require_int8(op, op.inputs[0], "input")
        tout = self.require_int8(op, op.outputs[0], "output")
        wt = self.t(op.inputs[1])
        if len(wt.shape) != 2:
            raise CodegenError(f"FULLY_CONNECTED (index {op.index}): weights shape {wt.shape} is not 2-D")
        units, depth = wt.shape
        w = self.weights(op, op.inputs[1], units, 0)
        if tin.size % depth:
            raise CodegenError(f"FULLY_CONNECTED (index {op.index}): input size {tin.size} is not a multiple of {depth}")
        batches = tin.size // depth
        if tout.size != batches * units:
            raise CodegenError(f"FULLY_CONNECTED (index {op.index}): output size {tout.size} != {batches}x{units}")
        bias = self.folded_bias(op, op.inputs[2] if len(op.inputs) > 2 else -1, units,
                                w.data.reshape(units, -1), -tin.zero_point)
        wname = self.array("int8_t", w.data, f"FULLY_CONNECTED {op.index} weights {units}x{depth}")
        mult, shift, per_channel = self.requant(op, tin.scale, w, tout.scale, units)
        lo, hi = fx.activation_range(o.get("activation", "NONE"), tout.scale, tout.zero_point)
        self.kernel("fully_connected")
        self.calls.append(
            f"    tinyids_fully_connected({src}, {dst}, {batches}, {depth}, {units}, {wname}, {bias},\n"
            f"                            {mult}, {shift}, {per_channel}, "
            f"{_i32_literal(tout.zero_point)}, {_i32_literal(lo)}, {_i32_literal(hi)});")

    def op_conv_2d(self, op: Operator, src: str, dst: str) -> None:
        o = op.options
        if o.get("quantized_bias_type", 0) not in (0,):
            raise CodegenError(f"CONV_2D (index {op.index}): quantized_bias_type option unsupported")
        tin = self.require_int8(op, op.inputs[0], "input")
        tout = self.require_int8(op, op.outputs[0], "output")
        b, ih, iw, ic = _shape4(tin.shape, f"CONV_2D {op.index} input")
        ob, oh, ow, oc = _shape4(tout.shape, f"CONV_2D {op.index} output")
        wt = self.t(op.inputs[1])
        foc, fh, fw, fic = _shape4(wt.shape, f"CONV_2D {op.index} filter")
        if fic != ic:
            raise CodegenError(f"CONV_2D (index {op.index}): grouped convolution ({ic} input channels, "
                               f"filter depth {fic}) unsupported")
        if foc != oc or ob != b:
            raise CodegenError(f"CONV_2D (index {op.index}): inconsistent shapes")
        w = self.weights(op, op.inputs[1], oc, 0)
        pad_h = _padding(o["padding"], ih, fh, o["stride_h"], o["dilation_h"], oh)
        pad_w = _padding(o["padding"], iw, fw, o["stride_w"], o["dilation_w"], ow)
        in_offset = -tin.zero_point
        if pad_h == 0 and pad_w == 0 and in_offset != 0:
            # every tap lies inside the input (VALID): fold the offset into the bias as for FC
            bias = self.folded_bias(op, op.inputs[2] if len(op.inputs) > 2 else -1, oc,
                                    w.data.reshape(oc, -1), in_offset)
            in_offset = 0
        else:
            bias = self.bias(op, op.inputs[2] if len(op.inputs) > 2 else -1, oc)
        wname = self.array("int8_t", w.data, f"CONV_2D {op.index} filter {wt.shape}")
        mults, shifts = [], []
        for c in range(oc):
            fs = w.scales[c] if len(w.scales) > 1 else w.scales[0]
            m, s = fx.quantize_multiplier(float(tin.scale) * float(fs) / float(tout.scale))
            mults.append(m)
            shifts.append(s)
        mult = self.array("int32_t", mults, f"CONV_2D {op.index} output multipliers")
        shift = self.array("int8_t", shifts, f"CONV_2D {op.index} output shifts")
        dims = self.ram_dims([b, ih, iw, ic, oh, ow, oc, fh, fw, o["stride_h"], o["stride_w"],
                              o["dilation_h"], o["dilation_w"], pad_h, pad_w], f"CONV_2D {op.index} dimensions")
        lo, hi = fx.activation_range(o.get("activation", "NONE"), tout.scale, tout.zero_point)
        self.kernel("conv2d")
        self.calls.append(
            f"    tinyids_conv2d({src}, {dst}, {dims}, {wname}, {bias}, {mult}, {shift},\n"
            f"                   {in_offset}, {_i32_literal(tout.zero_point)}, {_i32_literal(lo)}, {_i32_literal(hi)});")

    def ram_dims(self, values: list[int], what: str) -> str:
        """Kernels read their small dimension vectors from RAM: copy them from flash into a
        stack array first (a few bytes) so the kernel stays free of flash readers. The array
        type (16 or 32 bit) is chosen once every size is known."""
        token = f"@DIMS{len(self.dims)}@"
        self.dims.append((token, [int(v) for v in values], what))
        n = len(values)
        self.calls.append(f"    for (k = 0; k < {n}; ++k) {{\n        dims[k] = @READ_IDX@({token} + k);\n    }}")
        self.need_dims = max(getattr(self, "need_dims", 0), n)
        return "dims"

    def op_max_pool_2d(self, op: Operator, src: str, dst: str) -> None:
        o = op.options
        tin = self.require_int8(op, op.inputs[0], "input")
        tout = self.require_int8(op, op.outputs[0], "output")
        if tin.scale != tout.scale or tin.zero_point != tout.zero_point:
            raise CodegenError(f"MAX_POOL_2D (index {op.index}) changes quantization")
        b, ih, iw, c = _shape4(tin.shape, f"MAX_POOL_2D {op.index} input")
        ob, oh, ow, oc = _shape4(tout.shape, f"MAX_POOL_2D {op.index} output")
        if (ob, oc) != (b, c):
            raise CodegenError(f"MAX_POOL_2D (index {op.index}): inconsistent shapes")
        pad_h = _padding(o["padding"], ih, o["filter_h"], o["stride_h"], 1, oh)
        pad_w = _padding(o["padding"], iw, o["filter_w"], o["stride_w"], 1, ow)
        lo, hi = fx.activation_range(o.get("activation", "NONE"), tout.scale, tout.zero_point)
        dims = self.ram_dims([b, ih, iw, c, oh, ow, o["filter_h"], o["filter_w"], o["stride_h"],
                              o["stride_w"], pad_h, pad_w], f"MAX_POOL_2D {op.index} dimensions")
        self.kernel("max_pool")
        self.calls.append(f"    tinyids_max_pool({src}, {dst}, {dims}, {_i32_literal(lo)}, {_i32_literal(hi)});")

    def op_softmax(self, op: Operator, src: str, dst: str) -> None:
        tin = self.require_int8(op, op.inputs[0], "input")
        tout = self.require_int8(op, op.outputs[0], "output")
        if tout.zero_point != -128 or abs(tout.scale - 1.0 / 256) > 0.001 / 256:
            raise CodegenError(f"SOFTMAX (index {op.index}): int8 output must have scale 1/256 and zero point -128")
        depth = tin.shape[-1] if tin.shape else 1
        outer = tin.size // depth
        p = fx.softmax_params(op.options.get("beta", 1.0), tin.scale)
        exp_table = list(p["exp_table"])
        # Entries of at most 2047 add RoundingDivideByPOT(e, 12) = 0 to the sum and give output
        # RoundingDivideByPOT(SRDHM(scale, e), >= 23) - 128 = -128, exactly what a difference
        # below diff_min gives: drop them (the table is non-increasing) and lift diff_min.
        cut = len(exp_table)
        while cut > 1 and exp_table[cut - 1] <= 2047:
            cut -= 1
        exp_table = exp_table[:cut]
        diff_min = max(p["diff_min"], -(cut - 1), -256)
        table = self.array("int32_t", exp_table, f"SOFTMAX {op.index} exp(-d) for d = 0..{cut - 1}, Q0.31")
        self.kernel("softmax")
        self.calls.append(f"    tinyids_softmax({src}, {dst}, {outer}, {depth}, {diff_min}, {table});")

    def op_logistic(self, op: Operator, src: str, dst: str) -> None:
        tin = self.require_int8(op, op.inputs[0], "input")
        tout = self.require_int8(op, op.outputs[0], "output")
        if tout.scale != 1.0 / 256 or tout.zero_point != -128:
            raise CodegenError(f"LOGISTIC (index {op.index}): int8 output must have scale 1/256 and zero point -128")
        table = fx.logistic_table(tin.scale, tin.zero_point, tout.scale, tout.zero_point)
        name = self.array("int8_t", table, f"LOGISTIC {op.index} table, indexed by (uint8_t)input")
        self.kernel("lookup")
        self.calls.append(f"    tinyids_lookup({src}, {dst}, {tin.size}, {name});")

    # ---- output -------------------------------------------------------------------------
    def finish(self, tin: Tensor, tout: Tensor, arena: int, ops_desc: list[str]) -> Generated:
        m, M = self.ident, self.macro
        n_in, n_out = tin.size, tout.size
        positive_threshold = None
        threshold = self.meta.get("threshold")
        if n_out == 1:
            positive_threshold = positive_threshold_q(tout.scale, tout.zero_point, threshold)
        steps, raw_names = preprocessing_steps(self.meta, n_in)
        self.raw_size = len(raw_names) if steps else n_in
        pre = self.preprocessing(n_in)
        for token, values, what in self.dims:
            self.max_elements = max(self.max_elements, max(abs(v) for v in values))
        wide = self.max_elements > MAX_ELEMENTS
        idx_ctype = "int32_t" if wide else "int16_t"
        for token, values, what in self.dims:
            name = self.array(idx_ctype, values, what)
            self.calls = [c.replace(token, name) for c in self.calls]
        self.calls = [c.replace("@READ_IDX@", "TINYIDS_READ_I32" if wide else "TINYIDS_READ_I16")
                      for c in self.calls]
        meta_classes = self.meta.get("class_names") or []
        meta_features = self.meta.get("feature_names") or []
        digest = self.meta.get("_sha256", "")

        header_lines = [
            f"/* Generated by tinyids {tinyids.__version__} (tinyids.codegen) from {self.name}.tflite",
            f" * sha256 {digest}" if digest else " *",
            " * int8 inference, bit-exact with TFLite's reference kernels. Do not edit. */",
            f"#ifndef TINYIDS_{M}_H",
            f"#define TINYIDS_{M}_H",
            "",
            "#include <stdint.h>",
            "",
            f"#define TINYIDS_{M}_INPUT_SIZE {n_in}",
            f"#define TINYIDS_{M}_OUTPUT_SIZE {n_out}",
            f"#define TINYIDS_{M}_SCRATCH_BYTES {arena}",
            f"#define TINYIDS_{M}_CONST_BYTES {self.const_bytes}",
            f"#define TINYIDS_{M}_INPUT_SCALE {_float_literal(tin.scale)}",
            f"#define TINYIDS_{M}_INPUT_ZERO_POINT {tin.zero_point}",
            f"#define TINYIDS_{M}_OUTPUT_SCALE {_float_literal(tout.scale)}",
            f"#define TINYIDS_{M}_OUTPUT_ZERO_POINT {tout.zero_point}",
        ]
        if positive_threshold is not None:
            rule = f">= {float(threshold)!r} (the deployable's threshold)" if threshold is not None else "> 0.5"
            header_lines.append(f"/* one output: class 1 when out[0] >= this (dequantized output {rule}) */")
            header_lines.append(f"#define TINYIDS_{M}_POSITIVE_THRESHOLD {positive_threshold}")
        if meta_classes:
            header_lines.append(f"#define TINYIDS_{M}_NUM_CLASSES {len(meta_classes)}")
            header_lines.append("/* classes: " + ", ".join(f"{i} = {c}" for i, c in enumerate(meta_classes)) + " */")
        if meta_features:
            if len(meta_features) != n_in:
                raise CodegenError(f"{len(meta_features)} feature names for a model input of {n_in}")
            header_lines.append("/* feature order (index into the input vector) */")
            seen: set[str] = set()
            for i, f in enumerate(meta_features):
                key = c_identifier(str(f)).upper()
                while key in seen:
                    key += "_"
                seen.add(key)
                header_lines.append(f"#define TINYIDS_{M}_FEATURE_{key} {i} /* {str(f).replace('*/', '* /')} */")
        if pre:
            header_lines.append(f"#define TINYIDS_{M}_RAW_SIZE {self.raw_size}")
            header_lines.append("/* raw feature order (index into the preprocess() input) */")
            seen = set()
            for i, f in enumerate(self.raw_names):
                key = c_identifier(str(f)).upper()
                while key in seen:
                    key += "_"
                seen.add(key)
                header_lines.append(f"#define TINYIDS_{M}_RAW_{key} {i} /* {str(f).replace('*/', '* /')} */")
        header_lines += [
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
            "/* Quantizes float features (as fed to the model) with the input scale and zero point:",
            " * round half to even of x / scale, plus the zero point, saturated to int8. */",
            f"void tinyids_{m}_quantize_input(const float *x, int8_t *q);",
            "",
            "/* quantize_input then predict. */",
            f"int tinyids_{m}_predict_float(const float *x, int8_t *out);",
        ]
        if pre:
            header_lines += [
                "",
                f"/* Preprocessing fitted on the training rows: {pre}.",
                f" * Maps TINYIDS_{M}_RAW_SIZE raw features (raw order above) to the",
                f" * TINYIDS_{M}_INPUT_SIZE features the model takes. Float arithmetic: close to, not",
                " * bit-exact with, the float64 preprocessing of the training pipeline. */",
                f"void tinyids_{m}_preprocess(const float *raw, float *x);",
            ]
        header_lines += ["", "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* TINYIDS_{M}_H */", ""]
        header = "\n".join(header_lines)

        src = [f"/* Generated by tinyids {tinyids.__version__} (tinyids.codegen) from {self.name}.tflite: ",
               f" * operators {', '.join(ops_desc)}; scratch {arena} bytes; constants {self.const_bytes} bytes.",
               " * Bit-exact with TFLite's reference kernels (OpResolverType.BUILTIN_REF). Do not edit. */",
               f'#include "{self.name}.h"', _PRELUDE,
               "/* Array indices: C int suffices on every target (16 bits on AVR) unless a tensor",
               f" * has 32768 elements or more (largest here: {self.max_elements}). */",
               f"typedef {'int32_t' if wide else 'int'} tinyids_index_t;\n"]
        ks = set(self.kernels)
        if ks & {"softmax", "conv2d"}:
            src.append(_PRIM_ASR)
        if "fully_connected" in ks:
            src.append(_PRIM_MBQM_SINGLE)
        if "conv2d" in ks:
            src.append(_PRIM_MBQM_DOUBLE)
        if ks & {"fully_connected", "conv2d", "max_pool", "softmax"}:
            src.append(_PRIM_CLAMP)
        if "softmax" in self.kernels:
            src.append(_RECIPROCAL)
        for k in self.kernels:
            src.append(_KERNELS[k])
        src.append("\n".join(self.arrays))
        if arena:
            src.append(f"static int8_t tinyids_{m}_arena[{arena}];\n")
        body = [f"int tinyids_{m}_predict(const int8_t *in, int8_t *out)", "{"]
        if arena:
            body.append(f"    int8_t *const arena = tinyids_{m}_arena;")
        if getattr(self, "need_dims", 0):
            body.append(f"    tinyids_index_t dims[{self.need_dims}];")
        if getattr(self, "need_dims", 0) or getattr(self, "need_k", False):
            body.append("    int k;")
        body += self.calls
        if positive_threshold is not None:
            body.append(f"    return out[0] >= {positive_threshold} ? 1 : 0;")
        else:
            body += ["    {", "        int i, best = 0;",
                     f"        for (i = 1; i < {n_out}; ++i) {{",
                     "            if (out[i] > out[best]) {", "                best = i;", "            }",
                     "        }", "        return best;", "    }"]
        body.append("}\n")
        src.append("\n".join(body))
        src.append(_quantize_c(m, n_in, tin.scale, tin.zero_point))
        if pre:
            src.append(self._pre_c)
        source = "\n".join(src)
        return Generated(
            name=self.name, ident=m, source=source, header=header, scratch_bytes=arena,
            const_bytes=self.const_bytes, input_size=n_in, output_size=n_out,
            input_scale=tin.scale, input_zero_point=tin.zero_point, output_scale=tout.scale,
            output_zero_point=tout.zero_point, operators=ops_desc,
            positive_threshold=positive_threshold, preprocessing=pre or "none",
            info={"kernels": list(self.kernels)})

    def preprocessing(self, n_in: int) -> str:
        """Emit ``tinyids_<m>_preprocess`` from the deployable's preprocessing constants, when
        they have a known form; returns its description ("" when there is none)."""
        steps, raw_names = preprocessing_steps(self.meta, n_in)
        if not steps:
            return ""
        m = self.ident
        raw = self.raw_size
        code = [f"void tinyids_{m}_preprocess(const float *raw, float *x)", "{",
                f"    float buf[{raw}];", "    int i;", f"    for (i = 0; i < {raw}; ++i) {{",
                "        buf[i] = raw[i];", "    }"]
        desc = []
        final = False
        for step in steps:
            kind = step[0]
            if kind == "minmax":
                s_ = self.array("float", step[1], "min-max scaler scale (sklearn scale_)")
                a_ = self.array("float", step[2], "min-max scaler min (sklearn min_)")
                code += [f"    for (i = 0; i < {raw}; ++i) {{",
                         f"        buf[i] = buf[i] * TINYIDS_READ_F32({s_} + i) + TINYIDS_READ_F32({a_} + i);",
                         "    }"]
                desc.append("min-max scale (x * scale + min)")
            elif kind == "offset_scale":
                a_ = self.array("float", step[1], "per-column offset (min)")
                s_ = self.array("float", step[2], "per-column scale")
                code += [f"    for (i = 0; i < {raw}; ++i) {{",
                         f"        buf[i] = (buf[i] - TINYIDS_READ_F32({a_} + i)) * TINYIDS_READ_F32({s_} + i);",
                         "    }"]
                desc.append("per-column scale ((x - min) * scale)")
            elif kind == "standard":
                a_ = self.array("float", step[1], "standard scaler mean")
                s_ = self.array("float", step[2], "standard scaler scale")
                code += [f"    for (i = 0; i < {raw}; ++i) {{",
                         f"        buf[i] = (buf[i] - TINYIDS_READ_F32({a_} + i)) / TINYIDS_READ_F32({s_} + i);",
                         "    }"]
                desc.append("standard scale ((x - mean) / scale)")
            elif kind == "l2":
                self.need_sqrt = True
                code += ["    {", "        float ss = 0.0f;", f"        for (i = 0; i < {raw}; ++i) {{",
                         "            ss += buf[i] * buf[i];", "        }", "        if (ss > 0.0f) {",
                         f"            const float norm = tinyids_{m}_sqrtf(ss);",
                         f"            for (i = 0; i < {raw}; ++i) {{", "                buf[i] /= norm;",
                         "            }", "        }", "    }"]
                desc.append("row L2 normalization (x / ||x||_2, zero rows stay zero)")
            elif kind == "pca":
                mean = self.array("float", step[1], "PCA mean")
                comp = self.array("float", step[2], f"PCA components ({n_in} x {raw}, row-major)")
                code += ["    {", "        int j;", f"        for (j = 0; j < {n_in}; ++j) {{",
                         "            float acc = 0.0f;", f"            for (i = 0; i < {raw}; ++i) {{",
                         f"                acc += (buf[i] - TINYIDS_READ_F32({mean} + i)) * TINYIDS_READ_F32({comp} + j * {raw} + i);",
                         "            }", "            x[j] = acc;", "        }", "    }"]
                desc.append("PCA projection ((x - mean) @ components.T)")
                final = True
            elif kind == "select":
                idx = self.array("int16_t", step[1], "selected raw feature indices")
                code += [f"    for (i = 0; i < {n_in}; ++i) {{",
                         f"        x[i] = buf[TINYIDS_READ_I16({idx} + i)];", "    }"]
                desc.append("feature selection")
                final = True
        if not final:
            code += [f"    for (i = 0; i < {n_in}; ++i) {{", "        x[i] = buf[i];", "    }"]
        code.append("}\n")
        pre = ""
        if getattr(self, "need_sqrt", False):
            pre = (f"/* Newton square root (no libm). */\nstatic float tinyids_{m}_sqrtf(float v)\n{{\n"
                   "    float r = v > 1.0f ? v : 1.0f;\n    int i;\n"
                   "    for (i = 0; i < 64; ++i) {\n        const float next = 0.5f * (r + v / r);\n"
                   "        if (next >= r) {\n            break;\n        }\n        r = next;\n    }\n"
                   "    return r;\n}\n\n")
        self._pre_c = pre + "\n".join(code)
        self.raw_names = raw_names
        return ", then ".join(desc)


def preprocessing_steps(meta: dict, n_in: int) -> tuple[list[tuple], list[str]]:
    """Recognize the deployable's preprocessing: a list of steps from raw features to the model
    input, and the raw feature names. Known forms: a min-max or standard scaler (sklearn
    constants), optionally followed by PCA (ibrahim2025); row L2 normalization followed by a
    feature selection (idrissi2022); per-column ``(raw - min) * scale`` (srm2025 "columns").
    Unknown forms give no steps."""
    p = meta.get("preprocessing")
    if not isinstance(p, dict):
        return [], []
    steps: list[tuple] = []
    raw_names = list(meta.get("raw_feature_names") or p.get("all_features") or p.get("scaled_feature_names") or [])
    cols = p.get("columns")
    if isinstance(cols, list) and cols and all(isinstance(c, dict) and "min" in c and "scale" in c for c in cols):
        # srm2025: x = (raw - min) * scale per column
        steps.append(("offset_scale", np.asarray([c["min"] for c in cols], float),
                      np.asarray([c["scale"] for c in cols], float)))
        raw_names = raw_names or [str(c.get("name", f"raw{i}")) for i, c in enumerate(cols)]
    sc = p.get("scaler")
    if isinstance(sc, dict):
        if "min" in sc and "scale" in sc:
            steps.append(("minmax", np.asarray(sc["scale"], float), np.asarray(sc["min"], float)))
        elif "mean" in sc and "scale" in sc:
            steps.append(("standard", np.asarray(sc["mean"], float), np.asarray(sc["scale"], float)))
    scaling = str(p.get("scaling", ""))
    if p.get("l2_normalize") or "||x||_2" in scaling:
        steps.append(("l2",))
    pca = p.get("pca")
    if isinstance(pca, dict) and "components" in pca and "mean" in pca:
        comp = np.asarray(pca["components"], float)
        steps.append(("pca", np.asarray(pca["mean"], float), comp))
    elif p.get("selected_indices") is not None:
        steps.append(("select", np.asarray(p["selected_indices"], int)))
    if not steps:
        return [], []
    sizes = {len(s[1]) for s in steps if s[0] in ("minmax", "standard", "offset_scale")}
    sizes |= {len(s[1]) for s in steps if s[0] == "pca"}
    if raw_names:
        sizes.add(len(raw_names))
    if len(sizes) > 1:
        raise CodegenError(f"preprocessing constants disagree on the raw feature count: {sorted(sizes)}")
    raw = sizes.pop() if sizes else n_in
    for s in steps:
        if s[0] == "pca" and s[2].shape != (n_in, raw):
            raise CodegenError(f"PCA components have shape {s[2].shape}, expected ({n_in}, {raw})")
        if s[0] == "select" and (len(s[1]) != n_in or s[1].min() < 0 or s[1].max() >= raw):
            raise CodegenError(f"selected indices {list(s[1])} do not map {raw} raw features to {n_in}")
    if not any(s[0] in ("pca", "select") for s in steps) and raw != n_in:
        raise CodegenError(f"preprocessing maps {raw} raw features but the model takes {n_in}")
    return steps, raw_names or [f"raw{i}" for i in range(raw)]


def positive_threshold_q(scale: float, zero_point: int, threshold: float | None = None) -> int:
    """Smallest int8 output whose dequantized value is > 0.5, or >= ``threshold`` when given
    (128 when none is)."""
    for q in range(-128, 128):
        v = (q - zero_point) * float(scale)
        if (threshold is None and v > 0.5) or (threshold is not None and v >= float(threshold)):
            return q
    return 128


def _quantize_c(m: str, n: int, scale: float, zp: int) -> str:
    return f"""
/* round half to even, as numpy.round (tinyids.litert.Quantization.quantize) */
static int32_t tinyids_{m}_round_even(double v)
{{
    int32_t t;
    double frac;
    if (!(v == v)) {{
        return 0;
    }}
    if (v > 1000.0) {{
        return 1000;
    }}
    if (v < -1000.0) {{
        return -1000;
    }}
    t = (int32_t)v;
    frac = v - (double)t;
    if (frac > 0.5 || (frac == 0.5 && (t & 1))) {{
        t += 1;
    }} else if (frac < -0.5 || (frac == -0.5 && (t & 1))) {{
        t -= 1;
    }}
    return t;
}}

void tinyids_{m}_quantize_input(const float *x, int8_t *q)
{{
    int i;
    for (i = 0; i < {n}; ++i) {{
        const int32_t v = tinyids_{m}_round_even((double)x[i] / {_float_literal(scale)}) + ({zp});
        q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }}
}}

int tinyids_{m}_predict_float(const float *x, int8_t *out)
{{
    int8_t q[{n}];
    tinyids_{m}_quantize_input(x, q);
    return tinyids_{m}_predict(q, out);
}}
"""


def generate(model, name: str, meta: dict | None = None) -> Generated:
    """Compile an int8 .tflite (path or bytes) to C. ``meta`` is the deployable's JSON
    (``feature_names``, ``class_names``, ``preprocessing``), optional.

    Raises :class:`tinyids.codegen.CodegenError` naming the operator, option or tensor that
    cannot be compiled exactly."""
    from pathlib import Path

    from tinyids.codegen.model import load_graph

    raw = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
    graph = load_graph(raw)
    meta = dict(meta or {})
    meta["_sha256"] = hashlib.sha256(raw).hexdigest()
    return _Emitter(graph, name, meta).build()
