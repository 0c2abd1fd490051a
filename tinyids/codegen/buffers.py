"""The buffer planner: where every int8 tensor of ``predict()`` lives.

The model input is the caller's ``in`` and its output the caller's ``out``; reshape-like
operators alias their input (their bytes do not change), except a reshape into the model
output, which becomes a copy; every other tensor gets a slot in one static scratch arena,
placed by lifetime (:func:`tinyids.codegen.memory.plan`: buffers whose lifetimes do not overlap
share bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tinyids.codegen.memory import Interval, plan
from tinyids.codegen.model import RESHAPE_OPS, CodegenError, Graph, Operator


@dataclass
class BufferPlan:
    operators: list[Operator]  # the operators that compute, in order (reshapes are aliases)
    copies: list[tuple[int, int]]  # (source, model output) of reshapes into the output
    root: dict[int, int]  # tensor -> the tensor whose storage it uses
    offsets: dict[int, int]  # root tensor -> byte offset in the arena
    arena_bytes: int
    graph_input: int
    graph_output: int

    def pointer(self, tensor: int, const: bool) -> str:
        """The C expression of ``tensor``'s storage in ``predict()``."""
        r = self.root[tensor]
        if r == self.graph_input:
            if not const:
                raise CodegenError("an operator would write the model input")
            return "in"
        if r == self.graph_output:
            return "out"
        return f"(arena + {self.offsets[r]})"


def plan_buffers(graph: Graph, require_int8: Callable[[Operator, int, str], object]) -> BufferPlan:
    """Plan the storage of every tensor; ``require_int8(op, tensor, role)`` checks the tensors
    a reshape aliases."""
    tensors = graph.tensors
    root: dict[int, int] = {graph.input: graph.input}
    real_ops: list[Operator] = []
    copies: list[tuple[int, int]] = []
    for op in graph.operators:
        if op.name in RESHAPE_OPS:
            src, dst = tensors[op.inputs[0]], tensors[op.outputs[0]]
            require_int8(op, op.inputs[0], "input")
            require_int8(op, op.outputs[0], "output")
            if src.size != dst.size or src.scale != dst.scale or src.zero_point != dst.zero_point:
                raise CodegenError(f"operator {op.name} (index {op.index}) changes size or quantization")
            if op.outputs[0] == graph.output:
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
    intervals = [Interval(r, tensors[r].size, first[r], max(last[r], first[r]))
                 for r in first if r not in (graph.input, graph.output)]
    offsets, arena = plan(intervals)
    return BufferPlan(real_ops, copies, root, offsets, arena, graph.input, graph.output)
