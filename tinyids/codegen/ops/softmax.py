"""SOFTMAX (``reference_ops::Softmax`` for int8): the exponentials of the input differences are
precomputed exactly as TFLite's ``SoftmaxPrepare`` does (``fixedpoint.softmax_params``). The
``fast`` variant reads the same table with ``tinyids_softmax_fast`` (:func:`tinyids.codegen.ops.fast.softmax`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.model import CodegenError, Operator
from tinyids.codegen.ops import common, fast

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter


def emit(em: Emitter, op: Operator, src: str, dst: str) -> None:
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
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
    table = em.consts.array("int32_t", exp_table, f"SOFTMAX {op.index} exp(-d) for d = 0..{cut - 1}, Q0.31")
    if em.variant == "fast" and fast.softmax(em, op, src, dst, outer, depth, diff_min, exp_table, table):
        return
    em.kernel("softmax")
    em.calls.append(f"    tinyids_softmax({src}, {dst}, {outer}, {depth}, {diff_min}, {table});")
