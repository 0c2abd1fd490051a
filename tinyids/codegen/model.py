"""Reading an int8 .tflite flatbuffer (with the ``tflite`` parser) into a small graph.

Only what the generator needs: the tensors on the int8 data path from the model input to its
output, the constant tensors (weights, biases) and the operators with their options. Shape
arithmetic that the converter leaves in the graph (SHAPE -> STRIDED_SLICE -> PACK feeding a
RESHAPE) is dropped: every data tensor of a converted model has a static shape, which is what
the reshape produces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite

from tinyids.errors import TinyidsError


class CodegenError(TinyidsError):
    """The model cannot be compiled to C: an unsupported operator, option, type or shape."""


_OP_NAMES = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
_TYPE_NAMES = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
_ACT_NAMES = {v: k for k, v in vars(tflite.ActivationFunctionType).items() if not k.startswith("_")}
_PAD_NAMES = {v: k for k, v in vars(tflite.Padding).items() if not k.startswith("_")}

_NUMPY_TYPES = {
    "INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16, "INT32": np.int32,
    "INT64": np.int64, "FLOAT32": np.float32,
}

# Operators that only reinterpret the shape of their first input: the bytes are unchanged.
RESHAPE_OPS = ("RESHAPE", "EXPAND_DIMS", "SQUEEZE")
# Operators whose results only describe shapes (int32), evaluated away at generation time.
SHAPE_OPS = ("SHAPE", "STRIDED_SLICE", "PACK", "CONCATENATION", "GATHER", "CAST", "SLICE")


@dataclass
class Tensor:
    index: int
    name: str
    dtype: str
    shape: tuple[int, ...]
    scales: np.ndarray | None = None
    zero_points: np.ndarray | None = None
    quantized_dimension: int = 0
    data: np.ndarray | None = None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def scale(self) -> float:
        """The per-tensor scale (float32 as stored, widened to double)."""
        if self.scales is None or len(self.scales) != 1:
            raise CodegenError(f"tensor {self.name!r} has no single quantization scale")
        return float(self.scales[0])

    @property
    def zero_point(self) -> int:
        if self.zero_points is None or len(self.zero_points) == 0:
            return 0
        return int(self.zero_points[0])


@dataclass
class Operator:
    index: int
    name: str
    version: int
    inputs: list[int]
    outputs: list[int]
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    tensors: dict[int, Tensor]
    operators: list[Operator]  # the data path, in execution order
    input: int
    output: int
    description: str = ""


def _options(op, name: str) -> dict:
    """The builtin options the generator understands, as plain values."""
    table = op.BuiltinOptions()
    if name == "CONV_2D":
        o = tflite.Conv2DOptions()
        o.Init(table.Bytes, table.Pos)
        return {"padding": _PAD_NAMES[o.Padding()], "stride_w": o.StrideW(), "stride_h": o.StrideH(),
                "dilation_w": o.DilationWFactor(), "dilation_h": o.DilationHFactor(),
                "activation": _ACT_NAMES[o.FusedActivationFunction()],
                "quantized_bias_type": o.QuantizedBiasType() if hasattr(o, "QuantizedBiasType") else 0}
    if name in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        o = tflite.Pool2DOptions()
        o.Init(table.Bytes, table.Pos)
        return {"padding": _PAD_NAMES[o.Padding()], "stride_w": o.StrideW(), "stride_h": o.StrideH(),
                "filter_w": o.FilterWidth(), "filter_h": o.FilterHeight(),
                "activation": _ACT_NAMES[o.FusedActivationFunction()]}
    if name == "FULLY_CONNECTED":
        if table is None:
            return {"activation": "NONE", "weights_format": 0, "keep_num_dims": False,
                    "asymmetric_quantize_inputs": False}
        o = tflite.FullyConnectedOptions()
        o.Init(table.Bytes, table.Pos)
        return {"activation": _ACT_NAMES[o.FusedActivationFunction()],
                "weights_format": o.WeightsFormat(), "keep_num_dims": bool(o.KeepNumDims()),
                "asymmetric_quantize_inputs": bool(o.AsymmetricQuantizeInputs())}
    if name == "SOFTMAX":
        if table is None:
            return {"beta": 1.0}
        o = tflite.SoftmaxOptions()
        o.Init(table.Bytes, table.Pos)
        return {"beta": float(o.Beta())}
    return {}


def _tensor(model, graph, index: int) -> Tensor:
    t = graph.Tensors(index)
    dtype = _TYPE_NAMES.get(t.Type(), str(t.Type()))
    shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
    q = t.Quantization()
    scales = zps = None
    qdim = 0
    if q is not None and q.ScaleLength():
        scales = np.asarray(q.ScaleAsNumpy(), dtype=np.float32)
        zps = np.asarray(q.ZeroPointAsNumpy(), dtype=np.int64) if q.ZeroPointLength() else np.zeros(len(scales), np.int64)
        qdim = int(q.QuantizedDimension())
    data = None
    buf = model.Buffers(t.Buffer()) if t.Buffer() < model.BuffersLength() else None
    if buf is not None:
        if hasattr(buf, "Offset") and buf.Offset() > 1:
            raise CodegenError(f"tensor {t.Name().decode()!r} stores its data outside the flatbuffer "
                               "(models over 2 GB are not supported)")
        if buf.DataLength():
            raw = np.asarray(buf.DataAsNumpy(), dtype=np.uint8).tobytes()
            if dtype not in _NUMPY_TYPES:
                raise CodegenError(f"tensor {t.Name().decode()!r} has unsupported type {dtype}")
            data = np.frombuffer(raw, dtype=np.dtype(_NUMPY_TYPES[dtype]).newbyteorder("<")).astype(
                _NUMPY_TYPES[dtype]).reshape(shape if shape else ())
    return Tensor(index=index, name=t.Name().decode("utf-8", "replace"), dtype=dtype, shape=shape,
                  scales=scales, zero_points=zps, quantized_dimension=qdim, data=data)


def load_graph(model: str | Path | bytes) -> Graph:
    """Parse a .tflite file (or its bytes) into the data-path graph; raise CodegenError for
    anything the generator cannot compile exactly."""
    buf = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
    try:
        m = tflite.Model.GetRootAsModel(buf, 0)
        n_subgraphs = m.SubgraphsLength()
    except Exception as exc:  # the flatbuffer runtime raises plain errors on garbage
        raise CodegenError(f"not a TFLite flatbuffer: {exc}") from exc
    if n_subgraphs != 1:
        raise CodegenError(f"model has {n_subgraphs} subgraphs; only single-subgraph models are supported")
    g = m.Subgraphs(0)
    inputs = [int(i) for i in g.InputsAsNumpy()]
    outputs = [int(i) for i in g.OutputsAsNumpy()]
    if len(inputs) != 1 or len(outputs) != 1:
        raise CodegenError(f"model has {len(inputs)} inputs and {len(outputs)} outputs; exactly one of each is supported")

    tensors = {i: _tensor(m, g, i) for i in range(g.TensorsLength())}
    ops: list[Operator] = []
    for i in range(g.OperatorsLength()):
        op = g.Operators(i)
        code = m.OperatorCodes(op.OpcodeIndex())
        builtin = max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode()))
        name = _OP_NAMES.get(builtin, f"BUILTIN_{builtin}")
        if name == "CUSTOM":
            cname = code.CustomCode().decode() if code.CustomCode() else "?"
            raise CodegenError(f"unsupported operator CUSTOM ({cname}) at index {i}")
        ops.append(Operator(index=i, name=name, version=int(code.Version()),
                            inputs=[int(x) for x in op.InputsAsNumpy()] if op.InputsLength() else [],
                            outputs=[int(x) for x in op.OutputsAsNumpy()],
                            options=_options(op, name)))

    # Keep the operators the output depends on through data (not shape) operands.
    producer = {t: op for op in ops for t in op.outputs}
    needed: set[int] = set()
    stack = [outputs[0]]
    keep: set[int] = set()
    while stack:
        t = stack.pop()
        if t in needed:
            continue
        needed.add(t)
        op = producer.get(t)
        if op is None:
            continue
        keep.add(op.index)
        data_inputs = op.inputs[:1] if op.name in RESHAPE_OPS else op.inputs
        stack.extend(x for x in data_inputs if x >= 0)
    data_ops = [op for op in ops if op.index in keep]
    for op in data_ops:
        if op.name in SHAPE_OPS:
            raise CodegenError(f"operator {op.name} (index {op.index}) computes data, not a shape; unsupported")
    for t in needed:
        tensor = tensors[t]
        if tensor.data is None and t not in producer and t != inputs[0]:
            raise CodegenError(f"tensor {tensor.name!r} is neither constant, produced, nor the input")
        if tensor.data is None and any(d < 0 for d in tensor.shape):
            raise CodegenError(f"tensor {tensor.name!r} has a dynamic shape {tensor.shape}")
    desc = ""
    if m.Description():
        desc = m.Description().decode("utf-8", "replace")
    return Graph(tensors=tensors, operators=data_ops, input=inputs[0], output=outputs[0], description=desc)
