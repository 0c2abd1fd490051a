"""LOGISTIC: TFLite's 256-entry int8 table (``LUTPopulate``), applied by the lookup kernel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.model import CodegenError, Operator
from tinyids.codegen.ops import common

if TYPE_CHECKING:
    from tinyids.codegen.emit import Emitter


def emit(em: Emitter, op: Operator, src: str, dst: str) -> None:
    tin = common.require_int8(em, op, op.inputs[0], "input")
    tout = common.require_int8(em, op, op.outputs[0], "output")
    if tout.scale != 1.0 / 256 or tout.zero_point != -128:
        raise CodegenError(f"LOGISTIC (index {op.index}): int8 output must have scale 1/256 and zero point -128")
    table = fx.logistic_table(tin.scale, tin.zero_point, tout.scale, tout.zero_point)
    name = em.consts.array("int8_t", table, f"LOGISTIC {op.index} table, indexed by (uint8_t)input")
    em.kernel("lookup")
    em.calls.append(f"    tinyids_lookup({src}, {dst}, {tin.size}, {name});")
