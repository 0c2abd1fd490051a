"""The codegen stage's steps, one function per workflow rule (scripts stay thin adapters)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from tinyids.codegen import host
from tinyids.codegen.emit import generate
from tinyids.codegen.model import CodegenError
from tinyids.fileio import atomic_path, write_json_atomic, write_text_atomic

log = logging.getLogger(__name__)


def _name(path: Path) -> str:
    return Path(path).name[: -len(".tflite")] if str(path).endswith(".tflite") else Path(path).stem


def generate_files(tflite: Path, deployable_json: Path, c_out: Path, h_out: Path, info_out: Path, *,
                   variant: str = "fast", unroll_limit: int = 4096) -> dict:
    """Generate ``<name>.c`` / ``<name>.h`` (named after ``c_out``) from ``tflite`` and its
    Deployable (``deployable_json``, read and validated with :func:`tinyids.study.deployable.read`;
    its ``model.file`` must be ``tflite``), and a JSON of the facts a firmware build needs (API
    names, sizes, scratch bytes)."""
    from tinyids.study import deployable

    c_out, h_out = Path(c_out), Path(h_out)
    name = c_out.name[:-2]
    if h_out.name != f"{name}.h" or h_out.parent != c_out.parent:
        raise CodegenError(f"{h_out} must sit beside {c_out} as {name}.h")
    dep = deployable.read(deployable_json)
    if dep.file("model").resolve() != Path(tflite).resolve():
        raise CodegenError(f"{deployable_json}: model.file is {dep.file('model')}, but the model given is {tflite}")
    g = generate(Path(tflite), name, dep, variant=variant, unroll_limit=unroll_limit)
    write_text_atomic(h_out, g.header)
    write_text_atomic(c_out, g.source)
    info = {
        "model": name, "tflite": str(tflite), "tflite_bytes": Path(tflite).stat().st_size,
        "operators": g.operators, "scratch_bytes": g.scratch_bytes, "const_bytes": g.const_bytes,
        "input_size": g.input_size, "output_size": g.output_size,
        "input_scale": g.input_scale, "input_zero_point": g.input_zero_point,
        "output_scale": g.output_scale, "output_zero_point": g.output_zero_point,
        "positive_threshold": g.positive_threshold, "preprocessing": g.preprocessing,
        "api": {"predict": f"int tinyids_{g.ident}_predict(const int8_t *in, int8_t *out)",
                "predict_class": f"int tinyids_{g.ident}_predict_class(const int8_t *in)",
                "quantize_input": f"void tinyids_{g.ident}_quantize_input(const float *x, int8_t *q)",
                "predict_float": f"int tinyids_{g.ident}_predict_float(const float *x, int8_t *out)",
                **({"preprocess": f"void tinyids_{g.ident}_preprocess(const float *raw, float *x)"}
                   if g.preprocessing != "none" else {})},
        "macro_prefix": f"TINYIDS_{g.ident.upper()}_",
        # preprocess() calls log1pf: a build that keeps the float API links with -lm
        "needs_libm": g.info["needs_libm"],
        "variant": g.info["variant"], "unroll_limit": g.info["unroll_limit"],
        "specialised": g.info["specialised"], "class_gap": g.info["class_gap"],
    }
    write_json_atomic(info_out, info)
    log.info("generated %s: %s, scratch %d B, constants %d B", c_out, " ".join(g.operators),
             g.scratch_bytes, g.const_bytes)
    return info


def _load_npz(npz: Path) -> tuple[np.ndarray, np.ndarray | None]:
    with np.load(npz, allow_pickle=False) as data:
        if "X_test" not in data:
            raise CodegenError(f"{npz} has no X_test array (keys: {sorted(data.keys())})")
        X = np.asarray(data["X_test"], dtype=np.float32)
        y = np.asarray(data["y_test"]) if "y_test" in data else None
    return X, y


def parity_report(c_path: Path, tflite: Path, npz: Path, out: Path, *, cc: str = "gcc",
                  opt: str = "-O3", fail_on_mismatch: bool = True) -> dict:
    """Compile the C with the strict flags and compare it with LiteRT (BUILTIN_REF) on every
    test row; write the report, then fail if it is not bit-exact (when asked to)."""
    c_path = Path(c_path)
    name = c_path.name[:-2]
    info = json.loads((c_path.parent / f"{name}_codegen.json").read_text()) \
        if (c_path.parent / f"{name}_codegen.json").exists() else None
    from tinyids.codegen.emit import c_identifier
    X, y = _load_npz(npz)
    log.info("parity of %s on %d rows", c_path, len(X))
    thr = info.get("positive_threshold") if info else None
    report = host.parity(c_path, name, c_identifier(name), Path(tflite), X, y,
                         positive_threshold=thr, cc=cc, opt=opt)
    report["model"] = name
    if info:
        report["scratch_bytes"] = info["scratch_bytes"]
    write_json_atomic(out, report)
    log.info("parity: %s", json.dumps(report, sort_keys=True))
    if fail_on_mismatch and not report["bit_exact"]:
        raise CodegenError(f"{c_path} is not bit-exact with LiteRT: {report['mismatching_outputs']} "
                           f"mismatching outputs, {report['class_mismatches']} class mismatches, "
                           f"{report['quantize_mismatches']} quantization mismatches (see {out})")
    return report


def benchmark_report(c_path: Path, tflite: Path, npz: Path, out: Path, *, rows: int = 1000,
                     repeats: int = 5, cc: str = "gcc", opt: str = "-O3", unroll_limit: int = 4096) -> dict:
    c_path = Path(c_path)
    name = c_path.name[:-2]
    from tinyids.codegen.emit import c_identifier
    X, _ = _load_npz(npz)
    res = host.benchmark(c_path, name, c_identifier(name), Path(tflite), X, rows=rows,
                         repeats=repeats, cc=cc, opt=opt)
    res["model"] = name
    # the same rows through the class-only entry and through the other kernel variant, in this run
    from tinyids.litert import input_quantization, make_interpreter
    xq = input_quantization(make_interpreter(Path(tflite), reference_kernels=True)).quantize(
        np.asarray(X, np.float32).reshape(len(X), -1)[:rows])
    ident = c_identifier(name)
    res["c_class_ns_per_sample"] = host.c_ns_per_sample(c_path, name, ident, xq, repeats=repeats, cc=cc, opt=opt,
                                                        entry="class")
    info_path = c_path.parent / f"{name}_codegen.json"
    variant = json.loads(info_path.read_text()).get("variant", "fast") if info_path.exists() else "fast"
    other = "reference" if variant == "fast" else "fast"
    import tempfile
    with tempfile.TemporaryDirectory(prefix="tinyids-variant-") as tmp:
        g = generate(Path(tflite), name, variant=other, unroll_limit=unroll_limit)
        oc = Path(tmp) / f"{name}.c"
        write_text_atomic(Path(tmp) / f"{name}.h", g.header)
        write_text_atomic(oc, g.source)
        res[f"c_{other}_ns_per_sample"] = host.c_ns_per_sample(oc, name, ident, xq, repeats=repeats, cc=cc, opt=opt)
    res[f"c_{variant}_ns_per_sample"] = res["c_ns_per_sample"]
    res["variant"] = variant
    res["ratio_reference_over_fast"] = res["c_reference_ns_per_sample"] / res["c_fast_ns_per_sample"]
    res.update(_litert_native(Path(tflite), xq, repeats=repeats, cc=cc))
    log.info("benchmark: %s", json.dumps(res, sort_keys=True))
    write_json_atomic(out, res)
    return res


def _litert_native(tflite: Path, xq: np.ndarray, *, repeats: int, cc: str) -> dict:
    """LiteRT's default CPU path (CompiledModel C API) timed natively on the rows ``xq``; its
    outputs must equal LiteRT Python's default interpreter (the same XNNPACK kernels) on every
    row, else the job fails. How many outputs differ from the reference kernels (the arithmetic
    the generated C matches) is recorded beside it."""
    from tinyids.codegen import litert_native
    from tinyids.litert import make_interpreter, run_raw

    nat = litert_native.run(tflite, xq, repeats=repeats, cc=cc)
    py_default = run_raw(make_interpreter(tflite), xq).reshape(len(xq), -1).astype(np.int8)
    if nat["outputs"].shape != py_default.shape or not np.array_equal(nat["outputs"], py_default):
        bad = int(np.count_nonzero(np.any(nat["outputs"] != py_default, axis=1))) \
            if nat["outputs"].shape == py_default.shape else len(xq)
        raise CodegenError(f"{tflite}: LiteRT run natively (C API) and from Python differ on {bad} of {len(xq)} rows "
                           f"(shapes {nat['outputs'].shape} and {py_default.shape})")
    py_ref = run_raw(make_interpreter(tflite, reference_kernels=True), xq).reshape(len(xq), -1).astype(np.int8)
    return {
        "litert_native_default_ns": nat["ns_per_sample"],
        "litert_native_default_run_ns": nat["run_median_ns"],
        "litert_native_rows": nat["rows"],
        "litert_native_fully_accelerated": nat["fully_accelerated"],
        "litert_native_outputs_equal_python_default": True,
        "litert_native_outputs_differing_from_reference": int(np.count_nonzero(nat["outputs"] != py_ref)),
        "litert_native_timing": nat["how"],
        "litert_native_version": nat["version"],
        "litert_native_compiler": nat["compiler"],
    }


SUMMARY_COLUMNS = [
    "study", "model", "rows", "mismatching_outputs", "max_abs_diff", "class_agreement", "bit_exact",
    "scratch_bytes", "const_bytes", "tflite_bytes", "host_text", "avr_flash", "avr_ram",
    "cortex_m7_flash", "c_ns_per_sample", "litert_reference_invoke_ns", "litert_default_invoke_ns",
    "ratio_c_over_litert_reference", "ratio_c_over_litert_default",
]


def summarize(entries: list[tuple[str, str]], results: Path, out_csv: Path) -> None:
    """One row per generated model (``entries`` are (study, name)), from its JSON files."""
    import pandas as pd

    rows = []
    for study, name in entries:
        base = Path(results) / study / "codegen"
        par = json.loads((base / f"{name}_parity.json").read_text())
        bench = json.loads((base / f"{name}_benchmark.json").read_text())
        info = json.loads((base / f"{name}_codegen.json").read_text())
        sizes = bench.get("sizes", {})

        def size(target: str, key: str):
            s = sizes.get(target, {})
            return s.get(key) if s.get("available") and s.get("compiled", True) else None

        rows.append({
            "study": study, "model": name, "rows": par["rows"],
            "mismatching_outputs": par["mismatching_outputs"], "max_abs_diff": par["max_abs_diff"],
            "class_agreement": par["class_agreement"], "bit_exact": par["bit_exact"],
            "scratch_bytes": info["scratch_bytes"], "const_bytes": info["const_bytes"],
            "tflite_bytes": info["tflite_bytes"], "host_text": size("host", "text"),
            "avr_flash": size("avr_atmega328p", "flash"), "avr_ram": size("avr_atmega328p", "ram"),
            "cortex_m7_flash": size("cortex_m7", "flash"),
            **{k: bench[k] for k in ("c_ns_per_sample", "litert_reference_invoke_ns",
                                     "litert_default_invoke_ns", "ratio_c_over_litert_reference",
                                     "ratio_c_over_litert_default")},
        })
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    with atomic_path(out_csv) as tmp:
        frame.to_csv(tmp, index=False)


# ---- the kernel variants on the emulated boards ---------------------------------------------

EMULATION_RUNS = (
    # (variant, optimization, entry point): the old firmware, the new kernels alone, the new
    # kernels with the class-only entry (what the firmware calls), and the same at -O2
    ("reference", "-Os", "predict"),
    ("fast", "-Os", "predict"),
    ("fast", "-Os", "predict_class"),
    ("fast", "-O2", "predict_class"),
)

EMULATION_COLUMNS = [
    "study", "model", "board", "emulator", "unit", "variant", "opt", "entry", "vectors", "mismatches_vs_litert",
    "count_min", "count_median", "count_max", "clock_hz", "latency_us_min", "latency_us_median", "latency_us_max",
    "flash_bytes", "ram_bytes", "model_flash_bytes", "ratio_median_vs_reference",
]


def emulation_report(study: str, tflite: Path, deployable_json: Path, out_json: Path, *, boards: list[str],
                     board_info: dict, vectors: int, seed: int, timeout_s: float, icount_shift: int,
                     unroll_limit: int, runs=EMULATION_RUNS) -> dict:
    """Every run of :data:`EMULATION_RUNS` of one model on every board of ``boards`` (cross
    compiler and emulator installed; a missing one fails with its install hint), on the same
    ``vectors`` test rows (seeded sample); the class of every vector is checked against LiteRT's
    reference kernels, and the job fails on any mismatch after writing its report."""
    from tinyids.codegen import boardbench
    from tinyids.firmware.adapter import spec_from_deployable
    from tinyids.firmware.pipeline import emulation_sample
    from tinyids.litert import make_interpreter, run_raw
    from tinyids.study import deployable

    dep = deployable.read(deployable_json)
    x, y = dep.test_vectors()
    idx = emulation_sample(len(x), vectors, seed)
    x, y = x[idx], np.asarray(y)[idx]
    rows: list[dict] = []
    with __import__("tempfile").TemporaryDirectory(prefix="tinyids-emu-") as tmp:
        work = Path(tmp)
        gens = {}
        for variant in sorted({r[0] for r in runs}):
            d = work / variant
            d.mkdir()
            g = generate(Path(tflite), dep.name, dep, variant=variant, unroll_limit=unroll_limit)
            write_text_atomic(d / f"{dep.name}.h", g.header)
            write_text_atomic(d / f"{dep.name}.c", g.source)
            gens[variant] = (g, d)
        g0, d0 = gens[runs[0][0]]
        spec = spec_from_deployable(dep, d0, Path(tflite))
        xq = spec.encode(x)
        ref = run_raw(make_interpreter(Path(tflite), reference_kernels=True), xq).reshape(len(xq), -1)
        thr = g0.positive_threshold
        ref_cls = (ref[:, 0].astype(int) >= thr).astype(np.int64) if thr is not None else ref.argmax(axis=1)
        for board in boards:
            boardbench.check_board(board)
            info = board_info[board]
            target = boardbench.TARGETS[board]
            for tool in (target.cc, target.emulator):
                host.require_tool(tool)
            base = None
            for variant, opt, entry in runs:
                g, d = gens[variant]
                r = boardbench.run_variant(spec, d / f"{dep.name}.c", d / f"{dep.name}.h", g.ident, x, y, board, opt,
                                           entry, timeout_s=timeout_s, icount_shift=icount_shift,
                                           clock_hz=int(info["clock_hz"]), qemu_tick_hz=float(info.get("qemu_tick_hz", 0.0)))
                c = r["counts"]
                row = {"study": study, "model": dep.name, "board": board, "emulator": target.emulator,
                       "unit": "cycles" if r["unit"] == "cycles" else "instructions (QEMU -icount, not cycles)",
                       "variant": variant, "opt": opt, "entry": entry, "vectors": int(len(c)),
                       "mismatches_vs_litert": int(np.sum(r["preds"] != ref_cls)),
                       "count_min": int(c.min()), "count_median": float(np.median(c)), "count_max": int(c.max()),
                       "clock_hz": int(info["clock_hz"]) if r["unit"] == "cycles" else None,
                       "flash_bytes": r["flash"], "ram_bytes": r["ram"], "model_flash_bytes": r["model_flash"]}
                if r["unit"] == "cycles":
                    hz = float(info["clock_hz"])
                    row.update(latency_us_min=c.min() / hz * 1e6, latency_us_median=float(np.median(c)) / hz * 1e6,
                               latency_us_max=c.max() / hz * 1e6)
                if base is None:
                    base = row["count_median"]
                row["ratio_median_vs_reference"] = row["count_median"] / base if base else None
                log.info("%s %s %s %s %s: median %s %s, flash %d", dep.name, board, variant, opt, entry,
                         row["count_median"], row["unit"], row["flash_bytes"])
                rows.append(row)
    report = {"model": dep.name, "study": study, "vectors": int(len(x)), "rows": rows,
              "specialised": gens.get("fast", gens[runs[0][0]])[0].info.get("specialised", []),
              "class_gap": gens.get("fast", gens[runs[0][0]])[0].info.get("class_gap")}
    write_json_atomic(out_json, report)
    bad = [r for r in rows if r["mismatches_vs_litert"]]
    if bad:
        raise CodegenError(f"{dep.name}: classes differ from LiteRT on the boards: "
                           + "; ".join(f"{r['board']} {r['variant']} {r['opt']} {r['entry']}: {r['mismatches_vs_litert']}"
                                       for r in bad) + f" (see {out_json})")
    return report


def emulation_summary(jsons: list[Path], out_csv: Path) -> None:
    import pandas as pd

    rows = []
    for j in jsons:
        rows += json.loads(Path(j).read_text())["rows"]
    frame = pd.DataFrame(rows, columns=EMULATION_COLUMNS)
    with atomic_path(out_csv) as tmp:
        frame.to_csv(tmp, index=False)


BENCHMARK_COLUMNS = [
    "study", "model", "rows", "variant", "c_fast_ns_per_sample", "c_fast_class_ns_per_sample",
    "c_reference_ns_per_sample", "ratio_reference_over_fast", "litert_default_invoke_ns",
    "litert_reference_invoke_ns", "ratio_litert_default_python_over_fast_class",
    "ratio_litert_reference_python_over_fast_class", "litert_native_default_ns",
    "litert_native_default_run_ns", "ratio_litert_native_default_over_fast_class",
    "ratio_litert_native_default_over_fast", "litert_native_version", "timing",
]


def benchmark_table(entries: list[tuple[str, str]], results: Path, out_csv: Path) -> None:
    """``results/codegen/benchmark.csv``: host ns per sample of the generated C (both kernel
    variants, and the class-only entry) beside LiteRT's ``invoke()`` timed from Python and
    LiteRT's default CPU path run natively through its C API (``litert_native_default_ns``: a
    tight C loop writing each row, running, reading the outputs; ``..._run_ns``: the run call
    alone, median over rows), all measured in the same benchmark job; ratios are LiteRT over the
    C (higher: the C is faster)."""
    import pandas as pd

    rows = []
    for study, name in entries:
        b = json.loads((Path(results) / study / "codegen" / f"{name}_benchmark.json").read_text())
        fast_cls = b["c_class_ns_per_sample"] if b.get("variant") == "fast" else None
        fast = b.get("c_fast_ns_per_sample")
        native = b.get("litert_native_default_ns")  # absent from a benchmark made before the native timing
        rows.append({
            "study": study, "model": name, "rows": b["rows"], "variant": b.get("variant"),
            "c_fast_ns_per_sample": b.get("c_fast_ns_per_sample"), "c_fast_class_ns_per_sample": fast_cls,
            "c_reference_ns_per_sample": b.get("c_reference_ns_per_sample"),
            "ratio_reference_over_fast": b.get("ratio_reference_over_fast"),
            "litert_default_invoke_ns": b["litert_default_invoke_ns"],
            "litert_reference_invoke_ns": b["litert_reference_invoke_ns"],
            "ratio_litert_default_python_over_fast_class": b["litert_default_invoke_ns"] / fast_cls if fast_cls else None,
            "ratio_litert_reference_python_over_fast_class": b["litert_reference_invoke_ns"] / fast_cls if fast_cls else None,
            "litert_native_default_ns": native,
            "litert_native_default_run_ns": b.get("litert_native_default_run_ns"),
            "ratio_litert_native_default_over_fast_class": native / fast_cls if native and fast_cls else None,
            "ratio_litert_native_default_over_fast": native / fast if native and fast else None,
            "litert_native_version": b.get("litert_native_version"),
            "timing": f"C: {b['c_timing']} ({b['c_compiler']}); LiteRT: {b['litert_timing']} (Python)"
                      + (f"; LiteRT native: {b['litert_native_timing']} ({b['litert_native_compiler']})"
                         if native else ""),
        })
    frame = pd.DataFrame(rows, columns=BENCHMARK_COLUMNS)
    with atomic_path(out_csv) as tmp:
        frame.to_csv(tmp, index=False)
