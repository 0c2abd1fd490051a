"""MAX_POOL_2D (``reference_integer_ops::MaxPool``, NHWC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinyids.codegen.cformat import i32_literal
from tinyids.codegen.model import CodegenError, Operator
from tinyids.codegen.ops import common

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter


def emit(em: Emitter, op: Operator, src: str, dst: str) -> None:
    o = op.options
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
    if tin.scale != tout.scale or tin.zero_point != tout.zero_point:
        raise CodegenError(f"MAX_POOL_2D (index {op.index}) changes quantization")
    b, ih, iw, c = common.shape4(tin.shape, f"MAX_POOL_2D {op.index} input")
    ob, oh, ow, oc = common.shape4(tout.shape, f"MAX_POOL_2D {op.index} output")
    if (ob, oc) != (b, c):
        raise CodegenError(f"MAX_POOL_2D (index {op.index}): inconsistent shapes")
    pad_h = common.padding(o["padding"], ih, o["filter_h"], o["stride_h"], 1, oh)
    pad_w = common.padding(o["padding"], iw, o["filter_w"], o["stride_w"], 1, ow)
    lo, hi = common.activation(op, tout)
    dims = em.ram_dims([b, ih, iw, c, oh, ow, o["filter_h"], o["filter_w"], o["stride_h"],
                        o["stride_w"], pad_h, pad_w], f"MAX_POOL_2D {op.index} dimensions")
    em.kernel("max_pool")
    em.calls.append(f"    tinyids_max_pool({src}, {dst}, {dims}, {i32_literal(lo)}, {i32_literal(hi)});")
