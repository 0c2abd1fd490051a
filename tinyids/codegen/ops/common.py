"""Checks and constants shared by the operator emitters: int8 tensors, weights, biases, the
range-checked requantization and TFLite's padding."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.model import CodegenError, Operator, Tensor

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter

# shifts the C requantization accepts: mbqm_single shifts by 31 - shift in [1, 62]; mbqm_double
# shifts left by at most 30 and rounds right by at most 31
SHIFT_RANGE = (-31, 30)


def where(op: Operator) -> str:
    return f"{op.name} (index {op.index})"


def shape4(shape: tuple[int, ...], what: str) -> tuple[int, int, int, int]:
    if len(shape) != 4:
        raise CodegenError(f"{what} has shape {shape}; 4-D NHWC expected")
    return tuple(int(d) for d in shape)  # type: ignore[return-value]


def padding(kind: str, in_size: int, filt: int, stride: int, dilation: int, out_size: int) -> int:
    """``ComputePaddingWithOffset`` (the leading padding) of TFLite."""
    eff = (filt - 1) * dilation + 1
    if kind == "VALID":
        expected = (in_size - eff + stride) // stride
        pad = 0
    elif kind == "SAME":
        expected = (in_size + stride - 1) // stride
        total = max((out_size - 1) * stride + eff - in_size, 0)
        pad = total // 2
    else:
        raise CodegenError(f"unsupported padding {kind}")
    if expected != out_size:
        raise CodegenError(f"output size {out_size} does not match {kind} padding ({expected})")
    return pad


def require_int8(em: Emitter, op: Operator, index: int, role: str) -> Tensor:
    t = em.t(index)
    if t.dtype != "INT8":
        raise CodegenError(f"operator {op.name} (index {op.index}): {role} tensor {t.name!r} is "
                           f"{t.dtype}; only int8 data is supported")
    if t.scales is None or len(t.scales) != 1:
        raise CodegenError(f"operator {op.name} (index {op.index}): {role} tensor {t.name!r} "
                           "is not per-tensor quantized")
    em.consts.note_elements(t.size)
    return t


def weights(em: Emitter, op: Operator, index: int, channels: int, axis: int) -> Tensor:
    w = em.t(index)
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


def _bias_values(em: Emitter, op: Operator, index: int, channels: int) -> np.ndarray:
    b = em.t(index)
    if b.dtype != "INT32" or b.data is None or b.size != channels:
        raise CodegenError(f"operator {op.name} (index {op.index}): bias {b.name!r} must be a "
                           f"constant int32 vector of {channels}, got {b.dtype} {b.shape}")
    return b.data


def bias(em: Emitter, op: Operator, index: int, channels: int) -> str:
    """The bias array (a null pointer when the operator has none)."""
    if index < 0:
        return "(const int32_t *)0"
    return em.consts.array("int32_t", _bias_values(em, op, index, channels), f"{op.name} {op.index} bias")


def folded_bias(em: Emitter, op: Operator, index: int, channels: int, w2d: np.ndarray, in_offset: int) -> str:
    """bias[c] + in_offset * sum(w[c, :]): TFLite adds the input offset to every input value;
    summing it once per channel is the same integer."""
    if in_offset == 0:
        return bias(em, op, index, channels)
    base = (_bias_values(em, op, index, channels).astype(np.int64).reshape(-1) if index >= 0
            else np.zeros(channels, np.int64))
    folded = base + in_offset * w2d.astype(np.int64).sum(axis=1)
    if np.any(np.abs(folded) > fx.INT32_MAX):
        raise CodegenError(f"operator {op.name} (index {op.index}): folded bias overflows int32")
    return em.consts.array("int32_t", folded, f"{op.name} {op.index} bias + input offset * sum(weights)")


def requantize(em: Emitter, op: Operator, s_in: float, w: Tensor, s_out: float, channels: int, *,
               per_channel_arrays: bool) -> tuple[str, str, int]:
    """Output multipliers and shifts (``QuantizeMultiplier`` of s_in * s_w / s_out), each shift
    checked to lie in :data:`SHIFT_RANGE`. One pair per channel when the weights are quantized
    per channel or ``per_channel_arrays`` asks for it (CONV_2D always indexes by channel);
    returns (multipliers, shifts, whether the kernel indexes them by channel)."""
    per_channel = len(w.scales) > 1
    count = channels if per_channel or per_channel_arrays else 1
    mults, shifts = [], []
    for c in range(count):
        scale_w = w.scales[c] if per_channel else w.scales[0]
        m, s = fx.quantize_multiplier(float(s_in) * float(scale_w) / float(s_out))
        if not SHIFT_RANGE[0] <= s <= SHIFT_RANGE[1]:
            raise CodegenError(f"{where(op)}: requantization shift {s} of channel {c} is outside "
                               f"[{SHIFT_RANGE[0]}, {SHIFT_RANGE[1]}] (input scale {s_in!r}, weight "
                               f"scale {float(scale_w)!r}, output scale {s_out!r})")
        mults.append(m)
        shifts.append(s)
    mult = em.consts.array("int32_t", mults, f"{op.name} {op.index} output multipliers")
    shift = em.consts.array("int8_t", shifts, f"{op.name} {op.index} output shifts")
    return mult, shift, int(per_channel or per_channel_arrays)


def activation(op: Operator, out: Tensor) -> tuple[int, int]:
    return fx.activation_range(op.options.get("activation", "NONE"), out.scale, out.zero_point)
