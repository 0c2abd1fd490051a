"""Smallest TFLM tensor arena that runs a model, by bisection with the tflite-micro interpreter.

The paper sized ``TENSOR_ARENA_SIZE`` by hand (10*1024 bytes on the ESP32, 5*1024 on the NodeMCU,
Section 3.E). Here every probe runs in its own Python subprocess (``python -m
tinyids.idrissi2022.arena probe MODEL ARENA SAMPLE``): with too small an arena TFLM may abort the
process instead of raising, and the parent must survive that. A probe passes when the subprocess
allocates, invokes one real test sample and exits 0 with the output on stdout. The search
doubles ``high`` until a probe passes (up to ``limit``), then bisects ``(low, high]`` down to
``granularity`` bytes. The result is the smallest passing size found; the output of that probe is
returned too, so callers can compare it with LiteRT.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class ArenaResult:
    arena_bytes: int | None
    probes: list[dict[str, Any]] = field(default_factory=list)
    output: list[float] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"arena_bytes": self.arena_bytes, "n_probes": len(self.probes), "probes": self.probes,
                "output": self.output}


def probe(model: str | Path, arena_size: int, sample: str | Path, timeout_s: float = 60.0) -> tuple[bool, dict]:
    """Run one TFLM allocation + invoke in a subprocess; (passed, details)."""
    cmd = [sys.executable, "-m", "tinyids.idrissi2022.arena", "probe", str(model), str(int(arena_size)), str(sample)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return False, {"arena": int(arena_size), "ok": False, "why": "timeout"}
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or [""]
        return False, {"arena": int(arena_size), "ok": False, "returncode": done.returncode, "why": tail[0][:200]}
    try:
        payload = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return False, {"arena": int(arena_size), "ok": False, "why": "no output"}
    return True, {"arena": int(arena_size), "ok": True, "output": payload["output"]}


def bisect(model: str | Path, sample: str | Path, *, low: int = 0, high: int = 4096, limit: int = 1 << 20,
           granularity: int = 16, timeout_s: float = 60.0) -> ArenaResult:
    """Smallest arena (to ``granularity`` bytes) that passes :func:`probe`; None above ``limit``."""
    result = ArenaResult(arena_bytes=None)
    best_output = None
    while True:
        ok, details = probe(model, high, sample, timeout_s)
        result.probes.append(details)
        if ok:
            best_output = details["output"]
            break
        low = high
        if high >= limit:
            return result
        high = min(limit, high * 2)
    while high - low > granularity:
        mid = (low + high) // 2
        ok, details = probe(model, mid, sample, timeout_s)
        result.probes.append(details)
        if ok:
            high, best_output = mid, details["output"]
        else:
            low = mid
    result.arena_bytes = int(high)
    result.output = best_output
    return result


def write_sample(path: str | Path, model: str | Path, x_row: np.ndarray) -> np.ndarray:
    """Save one float feature row as the model's raw input (quantized for int8 models) to ``path``."""
    from tinyids.litert import input_quantization, make_interpreter

    interp = make_interpreter(model, threads=1)
    detail = interp.get_input_details()[0]
    x = np.asarray(x_row, dtype=np.float32).reshape([int(s) for s in detail["shape"]])
    q = input_quantization(interp) if detail["dtype"] in (np.int8, np.uint8) else None
    raw = q.quantize(x, np.dtype(detail["dtype"])) if q else x
    np.save(path, raw)
    return raw


def _probe_main(model: str, arena: str, sample: str) -> int:
    from tflite_micro.python.tflite_micro import runtime

    data = Path(model).read_bytes()
    x = np.load(sample)
    interp = runtime.Interpreter.from_bytes(data, arena_size=int(arena))
    interp.set_input(x, 0)
    interp.invoke()
    out = np.asarray(interp.get_output(0)).reshape(-1)
    print(json.dumps({"output": [float(v) for v in out]}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "probe":
        sys.exit(_probe_main(*sys.argv[2:]))
    print("usage: python -m tinyids.idrissi2022.arena probe MODEL ARENA_BYTES SAMPLE.npy", file=sys.stderr)
    sys.exit(2)
