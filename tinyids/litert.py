"""Running .tflite models on the host with LiteRT (ai-edge-litert).

Int8 models are fed exactly as a device feeds them: float features are quantized with the
model's own input scale and zero point, and int8 outputs are dequantized with its output ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Quantization:
    scale: float
    zero_point: int

    def quantize(self, x: np.ndarray, dtype: np.dtype = np.dtype(np.int8)) -> np.ndarray:
        info = np.iinfo(dtype)
        q = np.round(np.asarray(x, dtype=np.float64) / self.scale) + self.zero_point
        return np.clip(q, info.min, info.max).astype(dtype)

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        return (np.asarray(q, dtype=np.float32) - self.zero_point) * self.scale


def make_interpreter(model: str | Path | bytes, *, reference_kernels: bool = False, threads: int = 1):
    """A LiteRT interpreter for a model file or flatbuffer bytes.

    ``reference_kernels=True`` selects TFLite's reference kernels (no XNNPACK, no optimized
    paths): those are the arithmetic the generated C must match bit for bit.
    """
    from ai_edge_litert import interpreter as litert

    kwargs: dict = {"num_threads": threads}
    if reference_kernels:
        kwargs["experimental_op_resolver_type"] = litert.OpResolverType.BUILTIN_REF
    if isinstance(model, (bytes, bytearray)):
        interp = litert.Interpreter(model_content=bytes(model), **kwargs)
    else:
        interp = litert.Interpreter(model_path=str(model), **kwargs)
    interp.allocate_tensors()
    return interp


def _quantization(detail: dict) -> Quantization | None:
    scale, zero_point = detail["quantization"]
    if scale == 0.0:
        return None
    return Quantization(float(scale), int(zero_point))


def run_raw(interp, x: np.ndarray) -> np.ndarray:
    """Invoke one sample at a time (the batch dimension of converted models is 1) on raw
    input tensors of the model's own dtype; returns the raw output tensors stacked."""
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    x = np.asarray(x, dtype=inp["dtype"])
    shape = list(inp["shape"])
    outputs = []
    for row in x:
        interp.set_tensor(inp["index"], row.reshape(shape))
        interp.invoke()
        outputs.append(interp.get_tensor(out["index"]).reshape(-1).copy())
    return np.stack(outputs) if outputs else np.empty((0,), dtype=out["dtype"])


def predict_float_features(interp, x: np.ndarray) -> np.ndarray:
    """Model outputs as float for float feature rows, quantizing/dequantizing when int8."""
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    x = np.asarray(x, dtype=np.float32)
    in_q = _quantization(inp) if inp["dtype"] in (np.int8, np.uint8) else None
    raw_in = in_q.quantize(x, np.dtype(inp["dtype"])) if in_q else x
    raw_out = run_raw(interp, raw_in)
    out_q = _quantization(out) if out["dtype"] in (np.int8, np.uint8) else None
    return out_q.dequantize(raw_out) if out_q else raw_out.astype(np.float32)


def input_quantization(interp) -> Quantization | None:
    return _quantization(interp.get_input_details()[0])


def output_quantization(interp) -> Quantization | None:
    return _quantization(interp.get_output_details()[0])
