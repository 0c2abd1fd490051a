"""CONV_2D (``reference_integer_ops::ConvPerChannel``, NHWC, one group): double-rounding
requantization through the same range-checked helper as FULLY_CONNECTED; the input offset is
folded into the bias when no tap falls in the padding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinyids.codegen.cformat import i32_literal
from tinyids.codegen.model import CodegenError, Operator
from tinyids.codegen.ops import common

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter


def emit(em: Emitter, op: Operator, src: str, dst: str) -> None:
    o = op.options
    if o.get("quantized_bias_type", 0) not in (0,):
        raise CodegenError(f"CONV_2D (index {op.index}): quantized_bias_type option unsupported")
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
    b, ih, iw, ic = common.shape4(tin.shape, f"CONV_2D {op.index} input")
    ob, oh, ow, oc = common.shape4(tout.shape, f"CONV_2D {op.index} output")
    wt = em.t(op.inputs[1])
    foc, fh, fw, fic = common.shape4(wt.shape, f"CONV_2D {op.index} filter")
    if fic != ic:
        raise CodegenError(f"CONV_2D (index {op.index}): grouped convolution ({ic} input channels, "
                           f"filter depth {fic}) unsupported")
    if foc != oc or ob != b:
        raise CodegenError(f"CONV_2D (index {op.index}): inconsistent shapes")
    w = common.weights(em, op, op.inputs[1], oc, 0)
    pad_h = common.padding(o["padding"], ih, fh, o["stride_h"], o["dilation_h"], oh)
    pad_w = common.padding(o["padding"], iw, fw, o["stride_w"], o["dilation_w"], ow)
    in_offset = -tin.zero_point
    bias_index = op.inputs[2] if len(op.inputs) > 2 else -1
    if pad_h == 0 and pad_w == 0 and in_offset != 0:
        # every tap lies inside the input (VALID): fold the offset into the bias as for FC
        bias = common.folded_bias(em, op, bias_index, oc, w.data.reshape(oc, -1), in_offset)
        in_offset = 0
    else:
        bias = common.bias(em, op, bias_index, oc)
    wname = em.consts.array("int8_t", w.data, f"CONV_2D {op.index} filter {wt.shape}")
    mult, shift, _ = common.requantize(em, op, tin.scale, w, tout.scale, oc, per_channel_arrays=True)
    dims = em.ram_dims([b, ih, iw, ic, oh, ow, oc, fh, fw, o["stride_h"], o["stride_w"],
                        o["dilation_h"], o["dilation_w"], pad_h, pad_w], f"CONV_2D {op.index} dimensions")
    lo, hi = common.activation(op, tout)
    em.kernel("conv2d")
    em.calls.append(
        f"    tinyids_conv2d({src}, {dst}, {dims}, {wname}, {bias}, {mult}, {shift},\n"
        f"                   {in_offset}, {i32_literal(tout.zero_point)}, {i32_literal(lo)}, {i32_literal(hi)});")
