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


def generate_files(tflite: Path, deployable_json: Path, c_out: Path, h_out: Path, info_out: Path) -> dict:
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
    g = generate(Path(tflite), name, dep)
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
                "quantize_input": f"void tinyids_{g.ident}_quantize_input(const float *x, int8_t *q)",
                "predict_float": f"int tinyids_{g.ident}_predict_float(const float *x, int8_t *out)",
                **({"preprocess": f"void tinyids_{g.ident}_preprocess(const float *raw, float *x)"}
                   if g.preprocessing != "none" else {})},
        "macro_prefix": f"TINYIDS_{g.ident.upper()}_",
        # preprocess() calls log1pf: a build that keeps the float API links with -lm
        "needs_libm": g.info["needs_libm"],
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
                     repeats: int = 5, cc: str = "gcc", opt: str = "-O3") -> dict:
    c_path = Path(c_path)
    name = c_path.name[:-2]
    from tinyids.codegen.emit import c_identifier
    X, _ = _load_npz(npz)
    res = host.benchmark(c_path, name, c_identifier(name), Path(tflite), X, rows=rows,
                         repeats=repeats, cc=cc, opt=opt)
    res["model"] = name
    write_json_atomic(out, res)
    log.info("benchmark: %s", json.dumps(res, sort_keys=True))
    return res


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
