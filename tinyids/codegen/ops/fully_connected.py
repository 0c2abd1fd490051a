"""FULLY_CONNECTED (``reference_integer_ops::FullyConnected[PerChannel]``): single-rounding
requantization, the input offset folded into the bias."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinyids.codegen.cformat import i32_literal
from tinyids.codegen.model import CodegenError, Operator
from tinyids.codegen.ops import common

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter


def emit(em: Emitter, op: Operator, src: str, dst: str) -> None:
    o = op.options
    if o.get("weights_format", 0) != 0:
        raise CodegenError(f"FULLY_CONNECTED (index {op.index}): shuffled weights format unsupported")
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
    wt = em.t(op.inputs[1])
    if len(wt.shape) != 2:
        raise CodegenError(f"FULLY_CONNECTED (index {op.index}): weights shape {wt.shape} is not 2-D")
    units, depth = wt.shape
    w = common.weights(em, op, op.inputs[1], units, 0)
    if tin.size % depth:
        raise CodegenError(f"FULLY_CONNECTED (index {op.index}): input size {tin.size} is not a multiple of {depth}")
    batches = tin.size // depth
    if tout.size != batches * units:
        raise CodegenError(f"FULLY_CONNECTED (index {op.index}): output size {tout.size} != {batches}x{units}")
    bias = common.folded_bias(em, op, op.inputs[2] if len(op.inputs) > 2 else -1, units,
                              w.data.reshape(units, -1), -tin.zero_point)
    wname = em.consts.array("int8_t", w.data, f"FULLY_CONNECTED {op.index} weights {units}x{depth}")
    mult, shift, per_channel = common.requantize(em, op, tin.scale, w, tout.scale, units, per_channel_arrays=False)
    lo, hi = common.activation(op, tout)
    em.kernel("fully_connected")
    em.calls.append(
        f"    tinyids_fully_connected({src}, {dst}, {batches}, {depth}, {units}, {wname}, {bias},\n"
        f"                            {mult}, {shift}, {per_channel}, "
        f"{i32_literal(tout.zero_point)}, {i32_literal(lo)}, {i32_literal(hi)});")
