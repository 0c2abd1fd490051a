"""LiteRT's default CPU path timed natively from C, the host baseline of the generated C.

:func:`run` compiles ``litert_native.c`` (beside this module) with the project's compiler
runner (:func:`tinyids.codegen.host.compile_c`), linked against the ``libLiteRt.so`` that the
ai-edge-litert wheel ships (its C API: environment, model, CompiledModel on the CPU
accelerator with no CPU options, i.e. XNNPACK with one thread), feeds it int8 rows and returns
its ns per sample and its raw int8 outputs, so a caller can check them against LiteRT's Python
outputs row for row. No Python runs inside the timed loop.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tempfile
from pathlib import Path

import numpy as np

from tinyids.codegen.host import STRICT_FLAGS, BuildError, compile_c, run_tool

HARNESS = Path(__file__).with_name("litert_native.c")
LIBRARY = "libLiteRt.so"
HOW = ("LiteRT C API (libLiteRt.so of ai-edge-litert {version}), CompiledModel on the CPU "
       "accelerator with default options (XNNPACK delegate, 1 thread), one row per run: "
       "write input + LiteRtRunCompiledModel + read output, whole pass over the rows timed "
       "with CLOCK_MONOTONIC, best of {repeats} passes")


class LiteRtNativeError(BuildError):
    """The native LiteRT harness could not be built or a LiteRt call failed."""


def library_dir() -> Path:
    """The folder of the wheel's ``libLiteRt.so`` (the ``ai_edge_litert`` package)."""
    try:
        import ai_edge_litert
    except ImportError as exc:
        raise LiteRtNativeError(f"ai-edge-litert is not installed: {exc}") from None
    d = Path(ai_edge_litert.__file__).resolve().parent
    if not (d / LIBRARY).is_file():
        raise LiteRtNativeError(f"{d / LIBRARY} is missing: this ai-edge-litert wheel ships no LiteRT C API library")
    return d


def library_version() -> str:
    """The installed ai-edge-litert version (the library declares none of its own in its C API)."""
    return importlib.metadata.version("ai-edge-litert")


def build(workdir: str | Path, *, cc: str = "gcc", opt: str = "-O2") -> Path:
    """Compile and link the harness into ``workdir`` (strict flags; rpath to the wheel)."""
    lib = library_dir()
    exe = Path(workdir) / "litert_native"
    compile_c([HARNESS], exe, cc=cc, flags=(*STRICT_FLAGS, opt), include_dirs=[HARNESS.parent],
              libs=(f"-L{lib}", f"-l:{LIBRARY}", f"-Wl,-rpath,{lib}"))
    return exe


def _failure(tflite: Path, exc: BuildError) -> LiteRtNativeError:
    # the harness prints one JSON line on stderr naming the failing call and its status
    for line in reversed(str(exc).splitlines()):
        m = re.search(r"\{\"error\".*\}", line)
        if m:
            try:
                e = json.loads(m.group(0))
            except json.JSONDecodeError:
                break
            return LiteRtNativeError(f"{tflite}: LiteRT native harness: {e['error']}: {e['call']} "
                                     f"(status {e['status']} {e['status_name']})".rstrip())
    return LiteRtNativeError(f"{tflite}: LiteRT native harness failed: {exc}")


def run(tflite: str | Path, xq: np.ndarray, *, repeats: int = 5, cc: str = "gcc", opt: str = "-O2",
        timeout: float | None = 600) -> dict:
    """Time LiteRT's default CPU path natively over the int8 rows ``xq`` (one row per run).

    Returns ``ns_per_sample`` (write input, run, read output; whole pass over the rows, best of
    ``repeats``), ``run_median_ns`` (the run call alone, median over rows, best of repeats),
    ``outputs`` (int8, one row per input row, from an untimed pass; every timed pass is checked
    against them by the harness), ``how``, ``version`` and the shapes."""
    tflite = Path(tflite)
    xq = np.ascontiguousarray(np.asarray(xq).reshape(len(xq), -1))
    if xq.dtype != np.int8:
        raise LiteRtNativeError(f"{tflite}: the native harness takes int8 rows, got {xq.dtype}")
    if len(xq) == 0:
        raise LiteRtNativeError(f"{tflite}: no rows to run")
    with tempfile.TemporaryDirectory(prefix="tinyids-litert-native-") as tmp:
        work = Path(tmp)
        try:
            exe = build(work, cc=cc, opt=opt)
        except BuildError as exc:
            raise LiteRtNativeError(f"{tflite}: cannot build the LiteRT native harness: {exc}") from None
        (work / "x.bin").write_bytes(xq.tobytes())
        try:
            res = run_tool([exe, tflite.resolve(), work / "x.bin", int(repeats)], timeout=timeout)
        except BuildError as exc:
            raise _failure(tflite, exc) from None
    line = next((ln for ln in reversed(res.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        raise LiteRtNativeError(f"{tflite}: the LiteRT native harness printed no result:\n{res.stdout[-2000:]}")
    out = json.loads(line)
    if out["input_size"] != xq.shape[1]:
        raise LiteRtNativeError(f"{tflite}: the model takes {out['input_size']} int8 values, rows have {xq.shape[1]}")
    if out["rows"] != len(xq):
        raise LiteRtNativeError(f"{tflite}: the harness ran {out['rows']} rows of {len(xq)}")
    outputs = np.asarray(out["outputs"], dtype=np.int8).reshape(out["rows"], out["output_size"])
    version = library_version()
    return {
        "ns_per_sample": float(out["step_ns_per_sample"]),
        "run_median_ns": float(out["run_median_ns"]),
        "outputs": outputs,
        "rows": int(out["rows"]), "repeats": int(out["repeats"]),
        "fully_accelerated": bool(out["fully_accelerated"]),
        "how": HOW.format(version=version, repeats=int(repeats)),
        "version": version,
        "compiler": f"{cc} {opt}",
    }


__all__ = ["HARNESS", "LiteRtNativeError", "build", "library_dir", "library_version", "run"]
