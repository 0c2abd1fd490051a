"""TFLite's integer arithmetic, ported bit for bit (generation-time only).

These functions mirror ``tensorflow/lite/kernels/internal/common.h``,
``quantization_util.cc`` and gemmlowp's ``fixedpoint.h`` (the arithmetic of TFLite's reference
kernels, ``OpResolverType.BUILTIN_REF``). The generator uses them to precompute what TFLite
precomputes in ``Prepare()`` (multipliers, shifts, activation ranges, the logistic table, the
softmax exponentials); the emitted C carries the same arithmetic for what depends on the input.

Python integers are unbounded, so every result that TFLite keeps in an ``int32_t`` is wrapped
with :func:`i32` where C++ would wrap.

Rounding, measured against ai-edge-litert 2.3.0 with ``BUILTIN_REF`` (the parity tests fail
loudly if a LiteRT build rounds otherwise): CONV_2D requantizes with the classic double
rounding (``RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, m), right)``);
FULLY_CONNECTED rounds once (``(x * m + 2^(30-shift)) >> (31-shift)``), the reference kernel of
recent TFLite versions; see :data:`ROUNDING`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
SINGLE_ROUNDING = False  # the build's TFLITE_SINGLE_ROUNDING (QuantizeMultiplier, softmax)
# How each operator's reference kernel rounds its requantization.
ROUNDING = {"CONV_2D": "double", "FULLY_CONNECTED": "single"}


def i32(x: int) -> int:
    """Wrap to a two's-complement int32, as a C++ cast does."""
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


def tflite_round(x: float) -> float:
    """``TfLiteRound`` / ``std::round``: half away from zero."""
    return math.copysign(math.floor(abs(x) + 0.5), x) if abs(x) < 2.0**52 else x


# ---- quantization_util.cc -------------------------------------------------------------------

def quantize_multiplier(real: float) -> tuple[int, int]:
    """``QuantizeMultiplier`` (double rounding build): (int32 multiplier, shift)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(tflite_round(q * float(1 << 31)))
    if q_fixed > (1 << 31):
        raise ValueError(f"multiplier {real!r} out of range")
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if q_fixed > INT32_MAX:
        raise ValueError(f"multiplier {real!r} out of range")
    if shift < -31:
        shift = 0
        q_fixed = 0
    if SINGLE_ROUNDING and shift > 30:
        shift = 30
        q_fixed = (1 << 31) - 1
    return q_fixed, shift


def preprocess_softmax_scaling(beta: float, input_scale: float, input_integer_bits: int) -> tuple[int, int]:
    """``PreprocessSoftmaxScaling``: (multiplier, left shift) for input differences."""
    max_real = float((1 << 30) - 1) if SINGLE_ROUNDING else float((1 << 31) - 1)
    real = min(beta * input_scale * float(1 << (31 - input_integer_bits)), max_real)
    if not real > 1.0:
        raise ValueError(f"softmax input multiplier {real!r} is not greater than one")
    mult, shift = quantize_multiplier(real)
    if shift < 0:
        raise ValueError("softmax left shift is negative")
    return mult, shift


def calculate_input_radius(input_integer_bits: int, input_left_shift: int, total_signed_bits: int = 31) -> int:
    """``CalculateInputRadius``."""
    max_input_rescaled = (
        1.0 * ((1 << input_integer_bits) - 1) * float(1 << (total_signed_bits - input_integer_bits))
        / float(1 << input_left_shift)
    )
    return int(math.floor(max_input_rescaled))


def activation_range(activation: str, scale: float, zero_point: int) -> tuple[int, int]:
    """``CalculateActivationRangeQuantized`` for int8 outputs (float32 division, as in TFLite)."""
    qmin, qmax = -128, 127

    def quantize(f: float) -> int:
        tmp = tflite_round(float(np.float32(f) / np.float32(scale)))
        return zero_point + int(tmp)

    if activation == "NONE":
        return qmin, qmax
    if activation == "RELU":
        return max(qmin, quantize(0.0)), qmax
    if activation == "RELU6":
        return max(qmin, quantize(0.0)), min(qmax, quantize(6.0))
    if activation == "RELU_N1_TO_1":
        return max(qmin, quantize(-1.0)), min(qmax, quantize(1.0))
    raise ValueError(f"unsupported fused activation {activation}")


# ---- gemmlowp fixedpoint.h (int32 scalar) ---------------------------------------------------

def srdhm(a: int, b: int) -> int:
    """``SaturatingRoundingDoublingHighMul``."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    v = ab + nudge
    q = v // (1 << 31) if v >= 0 else -((-v) // (1 << 31))  # C++ division truncates
    return i32(q)


def rdpot(x: int, exponent: int) -> int:
    """``RoundingDivideByPOT``."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def sat_mul_pot(x: int, exponent: int) -> int:
    """``SaturatingRoundingMultiplyByPOT<exponent>``."""
    if exponent == 0:
        return x
    if exponent < 0:
        return rdpot(x, -exponent)
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return i32(x << exponent)


def mbqm_single(x: int, multiplier: int, shift: int) -> int:
    """Single-rounding ``MultiplyByQuantizedMultiplier``."""
    total = 31 - shift
    return i32((x * multiplier + (1 << (total - 1))) >> total)


def mbqm(x: int, multiplier: int, shift: int, rounding: str | None = None) -> int:
    """``MultiplyByQuantizedMultiplier``; ``rounding`` "single" or "double" (default: the
    build's)."""
    if rounding is None:
        rounding = "single" if SINGLE_ROUNDING else "double"
    if rounding == "single":
        return mbqm_single(x, multiplier, shift)
    left = shift if shift > 0 else 0
    right = 0 if shift > 0 else -shift
    return rdpot(srdhm(i32(x * (1 << left)), multiplier), right)


def rounding_half_sum(a: int, b: int) -> int:
    s = a + b
    t = s + (1 if s >= 0 else -1)
    return i32(t // 2 if t >= 0 else -((-t) // 2))


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: int) -> int:
    constant_term = 1895147668
    constant_1_over_3 = 715827883
    x = i32(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = sat_mul_pot(x4, -2)
    inner = sat_mul_pot(i32(srdhm(i32(x4_over_4 + x3), constant_1_over_3) + x2), -1)
    return i32(constant_term + srdhm(constant_term, i32(x + inner)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))


def exp_on_negative_values(a: int, integer_bits: int) -> int:
    """``exp_on_negative_values`` for a Q(integer_bits) input; returns Q0.31."""
    fractional_bits = 31 - integer_bits
    one_quarter = 1 << (fractional_bits - 2)
    mask = one_quarter - 1
    a_mod_quarter_minus_one_quarter = i32((a & mask) - one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        sat_mul_pot(a_mod_quarter_minus_one_quarter, integer_bits))  # Rescale<0>
    remainder = i32(a_mod_quarter_minus_one_quarter - a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent:
            shift_amount = fractional_bits + exponent
            if remainder & (1 << shift_amount):
                result = srdhm(result, multiplier)
    if integer_bits > 5:
        clamp = -(1 << (36 - integer_bits))
        if a < clamp:
            result = 0
    if a == 0:
        result = INT32_MAX
    return result


def one_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    half_denominator = rounding_half_sum(a, INT32_MAX)
    x = i32(1515870810 + srdhm(half_denominator, -1010580540))
    for _ in range(3):
        hdx = srdhm(half_denominator, x)
        omhdx = i32((1 << 29) - hdx)
        x = i32(x + sat_mul_pot(srdhm(x, omhdx), 2))
    return sat_mul_pot(x, 1)


def count_leading_zeros_u32(x: int) -> int:
    x &= 0xFFFFFFFF
    return 32 - x.bit_length()


def get_reciprocal(x: int, x_integer_digits: int) -> tuple[int, int]:
    """``GetReciprocal``: (Q0.31 reciprocal, num_bits_over_unit)."""
    headroom_plus_one = count_leading_zeros_u32(x)
    num_bits_over_unit = x_integer_digits - headroom_plus_one
    shifted_sum_minus_one = i32(((x & 0xFFFFFFFF) << headroom_plus_one) - (1 << 31))
    return one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one), num_bits_over_unit


# ---- per-op precomputation ------------------------------------------------------------------

SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5
SOFTMAX_ACCUMULATION_INTEGER_BITS = 12


def softmax_params(beta: float, input_scale: float) -> dict:
    """What ``SoftmaxPrepare<kReference>`` computes for int8, plus the exp table the C reads:
    ``exp_table[d]`` is ``exp_on_negative_values`` of the rescaled input difference ``-d``."""
    mult, left_shift = preprocess_softmax_scaling(float(beta), float(input_scale),
                                                  SOFTMAX_SCALED_DIFF_INTEGER_BITS)
    diff_min = -calculate_input_radius(SOFTMAX_SCALED_DIFF_INTEGER_BITS, left_shift)
    n = min(255, -diff_min)  # int8 differences lie in [-255, 0]
    table = []
    for d in range(n + 1):
        if SINGLE_ROUNDING:  # MultiplyByQuantizedMultiplierGreaterThanOne
            rescaled = mbqm(-d, mult, left_shift)
        else:
            rescaled = srdhm(i32(-d * (1 << left_shift)), mult)
        table.append(exp_on_negative_values(rescaled, SOFTMAX_SCALED_DIFF_INTEGER_BITS))
    return {"input_multiplier": mult, "input_left_shift": left_shift, "diff_min": diff_min,
            "exp_table": table}


def softmax_reference(x: np.ndarray, params: dict) -> np.ndarray:
    """The int8 reference softmax over the last axis (used by the tests of this module)."""
    x = np.asarray(x, dtype=np.int64)
    flat = x.reshape(-1, x.shape[-1])
    out = np.empty_like(flat)
    table, diff_min = params["exp_table"], params["diff_min"]
    for r, row in enumerate(flat):
        m = int(row.max())
        total = 0
        for v in row:
            d = int(v) - m
            if d >= diff_min:
                total += rdpot(table[-d], SOFTMAX_ACCUMULATION_INTEGER_BITS)
        recip, nbits = get_reciprocal(i32(total), SOFTMAX_ACCUMULATION_INTEGER_BITS)
        for c, v in enumerate(row):
            d = int(v) - m
            if d >= diff_min:
                unsat = rdpot(srdhm(recip, table[-d]), nbits + 31 - 8)
                out[r, c] = max(-128, min(127, unsat - 128))
            else:
                out[r, c] = -128
    return out.reshape(x.shape).astype(np.int8)


def _libm_expf():
    name = ctypes.util.find_library("m")
    if not name:
        return None
    try:
        f = ctypes.CDLL(name).expf
    except (OSError, AttributeError):
        return None
    f.argtypes = [ctypes.c_float]
    f.restype = ctypes.c_float
    return f


_EXPF = _libm_expf()


def _expf(x: np.float32) -> np.float32:
    if _EXPF is not None:
        return np.float32(_EXPF(float(x)))
    return np.float32(np.exp(np.float32(x)))


def logistic_table(input_scale: float, input_zero_point: int, output_scale: float,
                   output_zero_point: int) -> list[int]:
    """``LUTPopulate<int8_t>`` with the float sigmoid of ``SigmoidPrepare``: 256 int8 outputs,
    indexed by the input byte reinterpreted as uint8 (as TFLite's ``LUTIndex``)."""
    s_in = np.float32(input_scale)
    inverse_scale = np.float32(1.0) / np.float32(output_scale)
    table = [0] * 256
    for val in range(-128, 128):
        dequantized = np.float32(s_in * np.float32(val - input_zero_point))
        transformed = np.float32(np.float32(1.0) / np.float32(np.float32(1.0) + _expf(np.float32(-dequantized))))
        if math.isnan(float(transformed)) or math.isinf(float(transformed)):
            quantized = -128
        else:
            rescaled = tflite_round(float(np.float32(transformed * inverse_scale)))
            quantized = int(rescaled) + output_zero_point
        table[val & 0xFF] = max(-128, min(127, quantized))
    return table
