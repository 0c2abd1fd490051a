"""Compiling generated C for the host, checking it against LiteRT, timing and sizing it.

The one compiler runner and object-size reader of the project live here:
:func:`require_tool` (a missing toolchain is an error with its install hint), :func:`run_tool`
(any command; a failure raises :class:`BuildError` with the command and its output),
:func:`compile_c` (sources to an object or a program), :func:`size_of` (``size`` of an object)
and :func:`object_size` (a C file compiled alone, then sized).
"""

from __future__ import annotations

import logging
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinyids.codegen.emit import positive_threshold_q
from tinyids.codegen.model import CodegenError
from tinyids.litert import Quantization, input_quantization, make_interpreter, run_raw

log = logging.getLogger(__name__)

STRICT_FLAGS = ("-Wall", "-Wextra", "-Werror", "-std=c99", "-pedantic")

# Debian packages (tools/apt-packages.txt; tools/setup.sh installs them)
INSTALL_HINTS = {
    "gcc": "build-essential", "size": "build-essential",
    "avr-gcc": "gcc-avr avr-libc", "avr-size": "binutils-avr", "simavr": "simavr",
    "arm-none-eabi-gcc": "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    "arm-none-eabi-size": "binutils-arm-none-eabi",
    "xtensa-lx106-elf-gcc": "gcc-xtensa-lx106", "xtensa-lx106-elf-size": "binutils-xtensa-lx106",
}


class BuildError(CodegenError):
    """A compiler, size tool or compiled program is missing or failed."""


def require_tool(tool: str) -> str:
    """The path of ``tool``; raises :class:`BuildError` with its install hint when absent."""
    path = shutil.which(tool)
    if path is None:
        hint = INSTALL_HINTS.get(tool, "see tools/apt-packages.txt")
        raise BuildError(f"{tool} is not installed (Debian: {hint}; tools/setup.sh installs it)")
    return path


def run_tool(cmd: Sequence[str], *, cwd: str | Path | None = None, input: str | None = None,
             timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` (text output); raise :class:`BuildError` naming it, with its output, when it
    cannot start, exits non-zero or runs past ``timeout`` seconds."""
    cmd = [str(c) for c in cmd]
    try:
        res = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        require_tool(cmd[0])
        raise
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        raise BuildError(f"command timed out after {timeout} s: {' '.join(cmd)}\n{out[-4000:]}") from None
    if res.returncode != 0:
        raise BuildError(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stdout[-4000:]}{res.stderr[-4000:]}")
    return res


def compile_c(sources: Sequence[str | Path], output: str | Path, *, cc: str = "gcc",
              flags: Sequence[str] = (*STRICT_FLAGS, "-O2"), include_dirs: Sequence[str | Path] = (),
              object_only: bool = False, libs: Sequence[str] = ()) -> Path:
    """Compile ``sources`` with ``cc`` and ``flags`` into ``output``: an object (``-c``, one
    source) when ``object_only``, else a linked program (``libs`` such as ``-lm`` last)."""
    require_tool(cc)
    cmd = [cc, *flags, *[f"-I{d}" for d in include_dirs]]
    if object_only:
        if len(sources) != 1:
            raise BuildError(f"an object is compiled from one source, got {len(sources)}")
        cmd += ["-c"]
    cmd += [*[str(s) for s in sources], "-o", str(output), *libs]
    run_tool(cmd)
    return Path(output)


def size_of(obj: str | Path, size_tool: str = "size") -> dict:
    """``text``, ``data`` and ``bss`` bytes of an object or program (Berkeley ``size``)."""
    require_tool(size_tool)
    line = run_tool([size_tool, str(obj)]).stdout.strip().splitlines()[-1].split()
    text, data, bss = (int(v) for v in line[:3])
    return {"text": text, "data": data, "bss": bss}


def object_size(c_file: str | Path, *, cc: str = "gcc", size_tool: str = "size",
                flags: Sequence[str] = (*STRICT_FLAGS, "-Os"),
                include_dirs: Sequence[str | Path] | None = None) -> dict:
    """Compile ``c_file`` alone (``-c``) and return its ``text``/``data``/``bss`` bytes.
    ``include_dirs`` defaults to the file's folder."""
    c_file = Path(c_file)
    dirs = [c_file.parent] if include_dirs is None else list(include_dirs)
    with tempfile.TemporaryDirectory(prefix="tinyids-size-") as tmp:
        obj = Path(tmp) / f"{c_file.stem}.o"
        compile_c([c_file], obj, cc=cc, flags=flags, include_dirs=dirs, object_only=True)
        return size_of(obj, size_tool)


# tinyids_host_io.h: slurp, cmp_double, now_ns (shared with litert_native.c)
HOST_IO_DIR = Path(__file__).resolve().parent

_HARNESS = r"""
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tinyids_host_io.h"
#include "@NAME@.h"

#define NIN TINYIDS_@M@_INPUT_SIZE
#define NOUT TINYIDS_@M@_OUTPUT_SIZE

int main(int argc, char **argv)
{
    long size, rows, r;
    FILE *out;
    int8_t y[NOUT];
    if (argc < 4) { fprintf(stderr, "usage: %s predict|quantize|bench IN OUT|REPS\n", argv[0]); return 2; }
    if (strcmp(argv[1], "predict") == 0) {
        int8_t *x = (int8_t *)slurp(argv[2], &size);
        rows = size / NIN;
        out = fopen(argv[3], "wb");
        for (r = 0; r < rows; ++r) {
            int8_t cls = (int8_t)tinyids_@m@_predict(x + r * NIN, y);
            int8_t cls_only = (int8_t)tinyids_@m@_predict_class(x + r * NIN);
            fwrite(y, 1, NOUT, out);
            fwrite(&cls, 1, 1, out);
            fwrite(&cls_only, 1, 1, out);
        }
        fclose(out);
        free(x);
        return 0;
    }
    if (strcmp(argv[1], "quantize") == 0) {
        float *x = (float *)slurp(argv[2], &size);
        int8_t q[NIN];
        rows = size / (long)(NIN * sizeof(float));
        out = fopen(argv[3], "wb");
        for (r = 0; r < rows; ++r) {
            int8_t cls = (int8_t)tinyids_@m@_predict_float(x + r * NIN, y);
            tinyids_@m@_quantize_input(x + r * NIN, q);
            fwrite(q, 1, NIN, out);
            fwrite(&cls, 1, 1, out);
        }
        fclose(out);
        free(x);
        return 0;
    }
    if (strcmp(argv[1], "bench") == 0) {
        /* rows timed in chunks of 16; the median chunk mean over every pass is robust to
         * preemption on a shared machine */
        int8_t *x = (int8_t *)slurp(argv[2], &size);
        int reps = atoi(argv[3]), k, n = 0, class_only = argc > 4 && strcmp(argv[4], "class") == 0;
        long c, chunks;
        volatile int sink = 0;
        double *t;
        rows = size / NIN;
        chunks = (rows + 15) / 16;
        t = (double *)malloc(sizeof(double) * (size_t)(chunks * reps));
        for (k = 0; k < reps; ++k) {
            for (c = 0; c < chunks; ++c) {
                long r0 = c * 16, r1 = r0 + 16 < rows ? r0 + 16 : rows;
                double t0 = now_ns();
                if (class_only) {
                    for (r = r0; r < r1; ++r) {
                        sink += tinyids_@m@_predict_class(x + r * NIN);
                    }
                } else {
                    for (r = r0; r < r1; ++r) {
                        sink += tinyids_@m@_predict(x + r * NIN, y);
                    }
                }
                t[n++] = (now_ns() - t0) / (double)(r1 - r0);
            }
        }
        qsort(t, (size_t)n, sizeof(double), cmp_double);
        printf("%.3f %d\n", t[n / 2], (int)sink);
        free(t);
        free(x);
        return 0;
    }
    return 2;
}
"""


def build_harness(c_path: Path, name: str, ident: str, workdir: Path, *, cc: str = "gcc",
                  opt: str = "-O3") -> Path:
    """Compile the model with the strict flags and link the host harness."""
    c_path = Path(c_path)
    harness = workdir / f"{name}_harness.c"
    harness.write_text(_HARNESS.replace("@NAME@", name).replace("@M@", ident.upper()).replace("@m@", ident))
    obj = workdir / f"{name}.o"
    exe = workdir / f"{name}_harness"
    compile_c([c_path], obj, cc=cc, flags=(*STRICT_FLAGS, opt), include_dirs=[c_path.parent], object_only=True)
    compile_c([harness, obj], exe, cc=cc, flags=("-Wall", "-Wextra", "-Werror", "-std=c99", opt),
              include_dirs=[c_path.parent, HOST_IO_DIR], libs=("-lm",))  # a log1p preprocessing step calls log1pf
    return exe


def _class_of(outputs: np.ndarray, positive_threshold: int | None) -> np.ndarray:
    if outputs.shape[1] == 1:
        thr = 128 if positive_threshold is None else positive_threshold
        return (outputs[:, 0].astype(np.int32) >= thr).astype(np.int64)
    return np.argmax(outputs, axis=1).astype(np.int64)


def parity(c_path: Path, name: str, ident: str, tflite_path: Path, X: np.ndarray,
           y: np.ndarray | None = None, *, positive_threshold: int | None = None,
           cc: str = "gcc", opt: str = "-O3") -> dict:
    """Run the generated C and LiteRT (reference kernels) over every row of ``X`` (float
    features as fed to the model); compare int8 outputs, classes and input quantization."""
    X = np.asarray(X, dtype=np.float32)
    interp = make_interpreter(tflite_path, reference_kernels=True)
    q_in = input_quantization(interp)
    out_detail = interp.get_output_details()[0]
    out_scale, out_zp = out_detail["quantization"]
    n_in = int(np.prod(interp.get_input_details()[0]["shape"]))
    X = X.reshape(len(X), -1)
    if X.shape[1] != n_in:
        raise CodegenError(f"test rows have {X.shape[1]} features, the model takes {n_in}")
    xq = q_in.quantize(X)
    ref = run_raw(interp, xq).reshape(len(X), -1).astype(np.int8)
    thr = None
    if ref.shape[1] == 1:
        thr = positive_threshold if positive_threshold is not None else positive_threshold_q(out_scale, int(out_zp))
    with tempfile.TemporaryDirectory(prefix="tinyids-codegen-") as tmp:
        work = Path(tmp)
        exe = build_harness(c_path, name, ident, work, cc=cc, opt=opt)
        (work / "x.bin").write_bytes(xq.tobytes())
        run_tool([str(exe), "predict", str(work / "x.bin"), str(work / "y.bin")])
        raw = np.frombuffer((work / "y.bin").read_bytes(), dtype=np.int8).reshape(len(X), -1)
        (work / "xf.bin").write_bytes(X.astype(np.float32).tobytes())
        run_tool([str(exe), "quantize", str(work / "xf.bin"), str(work / "q.bin")])
        rawq = np.frombuffer((work / "q.bin").read_bytes(), dtype=np.int8).reshape(len(X), -1)
    c_out, c_cls, c_cls_only = raw[:, :-2], raw[:, -2].astype(np.int64), raw[:, -1].astype(np.int64)
    c_q, c_float_cls = rawq[:, :-1], rawq[:, -1].astype(np.int64)
    ref_cls = _class_of(ref, thr)
    diff = np.abs(c_out.astype(np.int32) - ref.astype(np.int32))
    report = {
        "rows": int(len(X)),
        "outputs_per_row": int(ref.shape[1]),
        "mismatching_outputs": int(np.count_nonzero(diff)),
        "mismatching_rows": int(np.count_nonzero(diff.any(axis=1))) if len(X) else 0,
        "max_abs_diff": int(diff.max()) if diff.size else 0,
        "class_agreement": float(np.mean(c_cls == ref_cls)) if len(X) else 1.0,
        "class_mismatches": int(np.count_nonzero(c_cls != ref_cls)),
        "quantize_mismatches": int(np.count_nonzero(c_q != xq)),
        "predict_float_class_mismatches": int(np.count_nonzero(c_float_cls != ref_cls)),
        "predict_class_mismatches": int(np.count_nonzero(c_cls_only != ref_cls)),
        "reference": "ai-edge-litert OpResolverType.BUILTIN_REF",
        "compiler": f"{cc} {' '.join(STRICT_FLAGS)} {opt}",
        "class_rule": "argmax" if thr is None else f"out[0] >= {thr}",
    }
    if y is not None and len(X):
        y = np.asarray(y).reshape(-1)
        report["accuracy_c"] = float(np.mean(c_cls == y))
        report["accuracy_litert"] = float(np.mean(ref_cls == y))
    report["bit_exact"] = (report["mismatching_outputs"] == 0 and report["class_mismatches"] == 0
                           and report["quantize_mismatches"] == 0 and report["predict_class_mismatches"] == 0)
    return report


CROSS_TARGETS = {
    # name: (compiler, size tool, flags)
    "avr_atmega328p": ("avr-gcc", "avr-size", ["-mmcu=atmega328p", "-Os"]),
    "cortex_m7": ("arm-none-eabi-gcc", "arm-none-eabi-size", ["-mcpu=cortex-m7", "-mthumb", "-Os"]),
    "xtensa_lx106": ("xtensa-lx106-elf-gcc", "xtensa-lx106-elf-size", ["-Os", "-mlongcalls", "-ffreestanding"]),
}


def object_sizes(c_path: Path, *, cc: str = "gcc", opt: str = "-Os", cross: bool = True) -> dict:
    """``size`` of the model compiled alone (host, and each cross compiler that is installed;
    an absent one is reported as such). ``flash`` = text + data, ``ram`` = data + bss."""
    c_path = Path(c_path)
    out: dict = {}
    targets = {"host": (cc, "size", [opt])}
    if cross:
        targets.update(CROSS_TARGETS)
    for target, (compiler, size_tool, flags) in targets.items():
        if shutil.which(compiler) is None or shutil.which(size_tool) is None:
            out[target] = {"available": False, "compiler": compiler}
            continue
        try:
            s = object_size(c_path, cc=compiler, size_tool=size_tool,
                            flags=(*STRICT_FLAGS, *flags, "-ffunction-sections", "-fdata-sections"))
        except BuildError as exc:
            if target == "host":
                raise
            # e.g. an array over 32 KB for AVR: the model does not fit that target at all
            first_error = next((ln for ln in str(exc).splitlines() if "error" in ln), str(exc)[:300])
            out[target] = {"available": True, "compiled": False, "compiler": compiler,
                           "flags": " ".join(flags), "error": first_error.strip()}
            log.info("%s does not compile for %s: %s", c_path.name, target, first_error)
            continue
        s["compiled"] = True
        s.update(available=True, compiler=compiler, flags=" ".join(flags),
                 flash=s["text"] + s["data"], ram=s["data"] + s["bss"])
        out[target] = s
    return out


def c_ns_per_sample(c_path: Path, name: str, ident: str, xq: np.ndarray, *, repeats: int, cc: str = "gcc",
                    opt: str = "-O3", entry: str = "predict") -> float:
    """Host ns per sample of the generated C's ``predict`` (or ``predict_class``, ``entry``
    "class") over the int8 rows ``xq``: median chunk mean over ``repeats`` passes."""
    with tempfile.TemporaryDirectory(prefix="tinyids-bench-") as tmp:
        work = Path(tmp)
        exe = build_harness(c_path, name, ident, work, cc=cc, opt=opt)
        (work / "x.bin").write_bytes(np.ascontiguousarray(xq, dtype=np.int8).tobytes())
        cmd = [str(exe), "bench", str(work / "x.bin"), str(repeats)] + (["class"] if entry == "class" else [])
        return float(run_tool(cmd).stdout.split()[0])


def benchmark(c_path: Path, name: str, ident: str, tflite_path: Path, X: np.ndarray, *,
              rows: int = 1000, repeats: int = 5, cc: str = "gcc", opt: str = "-O3") -> dict:
    """Per-sample latency of the generated C against LiteRT ``invoke()`` on the same rows, in
    one run; sizes of the compiled object beside the .tflite bytes."""
    X = np.asarray(X, dtype=np.float32)
    X = X.reshape(len(X), -1)[:rows]
    if len(X) == 0:
        raise CodegenError("no rows to benchmark")
    result: dict = {"rows": int(len(X)), "repeats": int(repeats)}
    timings = {}
    for label, ref in (("litert_reference", True), ("litert_default", False)):
        interp = make_interpreter(tflite_path, reference_kernels=ref)
        q = input_quantization(interp)
        xq = q.quantize(X)
        inp = interp.get_input_details()[0]
        shape = list(inp["shape"])
        per_rep = []
        for _ in range(repeats):
            ts = []
            for row in xq:
                interp.set_tensor(inp["index"], row.reshape(shape))
                t0 = time.perf_counter_ns()
                interp.invoke()
                ts.append(time.perf_counter_ns() - t0)
            per_rep.append(statistics.median(ts))
        timings[label] = float(min(per_rep))
    interp = make_interpreter(tflite_path, reference_kernels=True)
    xq = input_quantization(interp).quantize(X)
    with tempfile.TemporaryDirectory(prefix="tinyids-bench-") as tmp:
        work = Path(tmp)
        exe = build_harness(c_path, name, ident, work, cc=cc, opt=opt)
        (work / "x.bin").write_bytes(xq.tobytes())
        res = run_tool([str(exe), "bench", str(work / "x.bin"), str(repeats)])
        c_ns = float(res.stdout.split()[0])
    result["c_ns_per_sample"] = c_ns
    result["litert_reference_invoke_ns"] = timings["litert_reference"]
    result["litert_default_invoke_ns"] = timings["litert_default"]
    result["ratio_c_over_litert_reference"] = c_ns / timings["litert_reference"]
    result["ratio_c_over_litert_default"] = c_ns / timings["litert_default"]
    result["c_compiler"] = f"{cc} {opt}"
    result["litert_timing"] = "invoke() alone per row: median over rows, best of repeats"
    result["c_timing"] = "predict() over chunks of 16 rows: median chunk mean over all repeats"
    result["tflite_bytes"] = Path(tflite_path).stat().st_size
    result["sizes"] = object_sizes(c_path, cc=cc)
    return result


__all__ = ["STRICT_FLAGS", "BuildError", "Quantization", "benchmark", "build_harness", "compile_c", "object_size",
           "object_sizes", "parity", "require_tool", "run_tool", "size_of"]
