"""Host latency and batched throughput of .tflite variants with LiteRT on one thread.

Latency: one sample per ``invoke`` (set input, invoke, read output), as a device runs the model;
the median, mean and 95th percentile over ``samples`` test rows after ``warmup`` calls. Throughput:
the input resized to ``batch_size`` rows, samples per second over ``repeats`` batched invokes
(best of). Inputs are quantized before timing (int8 models), so only the model is timed. Runs in
a benchmark rule (threads: 1), never in a test.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np


def _raw_inputs(interp, x: np.ndarray) -> np.ndarray:
    from tinyids.litert import input_quantization

    detail = interp.get_input_details()[0]
    q = input_quantization(interp) if detail["dtype"] in (np.int8, np.uint8) else None
    x = np.asarray(x, dtype=np.float32)
    return q.quantize(x, np.dtype(detail["dtype"])) if q else x


def measure(path: str | Path, x: np.ndarray, *, samples: int = 1000, warmup: int = 50, batch_size: int = 256,
            repeats: int = 5) -> dict[str, Any]:
    from tinyids.litert import make_interpreter

    interp = make_interpreter(path, threads=1)
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    shape = [int(s) for s in inp["shape"]]
    raw = _raw_inputs(interp, x)
    if raw.shape[0] == 0:
        raise ValueError("no rows to benchmark")
    reps = int(np.ceil((samples + warmup) / raw.shape[0]))
    rows = np.concatenate([raw] * reps)[: samples + warmup]
    times = []
    for i, row in enumerate(rows):
        start = time.perf_counter_ns()
        interp.set_tensor(inp["index"], row.reshape(shape))
        interp.invoke()
        interp.get_tensor(out["index"])
        if i >= warmup:
            times.append(time.perf_counter_ns() - start)
    t_us = np.asarray(times, dtype=np.float64) / 1e3

    batched = make_interpreter(path, threads=1)
    b_inp = batched.get_input_details()[0]
    batched.resize_tensor_input(b_inp["index"], [batch_size, *shape[1:]])
    batched.allocate_tensors()
    batch = np.concatenate([raw] * int(np.ceil(batch_size / raw.shape[0])))[:batch_size].reshape([batch_size, *shape[1:]])
    best = np.inf
    for _ in range(max(1, repeats)):
        start = time.perf_counter_ns()
        batched.set_tensor(b_inp["index"], batch)
        batched.invoke()
        batched.get_tensor(batched.get_output_details()[0]["index"])
        best = min(best, time.perf_counter_ns() - start)
    return {
        "latency_us_median": float(np.median(t_us)),
        "latency_us_mean": float(t_us.mean()),
        "latency_us_p95": float(np.percentile(t_us, 95)),
        "latency_samples": int(t_us.size),
        "throughput_samples_per_s": float(batch_size / (best / 1e9)),
        "throughput_batch_size": int(batch_size),
        "bench_threads": 1,
    }
