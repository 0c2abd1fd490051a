"""``tinyids deploy``: one model -> a Deployable -> C -> firmware per board -> emulation -> a fit table.

Everything checkable about the input (model, vectors, preprocessing, boards) is checked before
anything is written. Then, in ``--out``:

* ``<name>.json`` / ``.npz`` and the model (``<name>.tflite``, or ``<name>.c``/``.h`` for a
  scikit-learn model): the Deployable, the same contract the studies hand to the shared stages;
* ``c/`` (int8 models): the generated ``<name>.c``/``.h``, ``<name>_codegen.json`` and the host
  parity against LiteRT's reference kernels (``<name>_parity.json``);
* ``elf/<board>.elf`` (the fit build) and ``elf/<board>_emulated.elf`` (what ran in the
  emulator), ``build/`` (PlatformIO's build folders), ``deploy.log`` (every compiler and
  emulator output), ``report.json`` and ``report.txt`` (the table).

The builds, emulation and fit rules are the firmware stage's (:func:`tinyids.firmware.pipeline.
build_model`, :func:`~tinyids.firmware.pipeline.emulate_model`,
:func:`tinyids.firmware.report.fit_matrix`): flash = text + rodata + data, RAM = data + bss +
the stack measured in emulation, against the board budgets of ``config/config.yaml``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from tinyids.deploy import models as models_mod
from tinyids.deploy import vectors as vectors_mod
from tinyids.deploy.models import DeployError, DeployFailure, Model
from tinyids.deploy.vectors import Vectors
from tinyids.errors import TinyidsError

REPO = Path(__file__).resolve().parents[2]
STUDY = "deploy"  # the Deployable's study field (a user's own model belongs to no study)


@dataclass
class Request:
    model: Path
    vectors: Path | None = None
    boards: list[str] = field(default_factory=list)
    all_boards: bool = False
    preprocessing: Path | None = None
    out: Path | None = None
    random_vectors: int = 300
    max_vectors: int = 300
    threshold: float = 0.5
    seed: int = 0
    emulation_timeout_s: float | None = None


def firmware_config() -> dict[str, Any]:
    from tinyids.config import load_config

    fw = copy.deepcopy(load_config(REPO / "config" / "config.yaml", schema_dir=REPO / "config" / "schemas")["firmware"])
    for key in ("core_dir", "project_dir"):
        if not Path(fw[key]).is_absolute():
            fw[key] = str(REPO / fw[key])
    return fw


class _Progress:
    """The firmware stage's log (every pio / emulator output) into ``deploy.log``, with one
    progress line per step on ``stream``."""

    _BUILD = re.compile(r"^\$ .* -e (\S+)\s+\(model .*build dir (.*)\)$")

    def __init__(self, log: TextIO, stream: TextIO, t0: float):
        self.log, self.stream, self.t0 = log, stream, t0

    def say(self, text: str) -> None:
        self.stream.write(f"[tinyids deploy {time.monotonic() - self.t0:6.1f} s] {text}\n")
        self.stream.flush()

    def write(self, text: str) -> int:
        self.log.write(text)
        first = text.split("\n", 1)[0]
        m = self._BUILD.match(first)
        if m:
            env, build_dir = m.group(1), Path(m.group(2))
            role = {"fit": "firmware", "null": "harness alone (for the model's share)", "emu": "emulation firmware"}
            what = role.get(build_dir.parent.name, build_dir.parent.name)
            if env == "host":
                what = "host reference"
            self.say(f"built {what} for {build_dir.name} (pio env {env})")
        elif first.startswith(("simavr ", "qemu-")) and " slice " in first:
            self.say(f"emulated: {first.split(', summary')[0]}")
        elif first.startswith("emulation failed"):
            self.say(first[:200])
        return len(text)

    def flush(self) -> None:
        self.log.flush()


# ------------------------------------------------------------------------------ checking input
def prepare(req: Request) -> tuple[Model, Vectors, list[dict[str, Any]], list[str], dict[str, Any], Path]:
    """Read and check every input; raise :class:`DeployError` before anything is written."""
    fw = firmware_config()
    known = list(fw["boards"])
    if req.all_boards and req.boards:
        raise DeployError("give --board (repeatable) or --boards all, not both")
    boards = known if req.all_boards or not req.boards else list(dict.fromkeys(req.boards))
    unknown = [b for b in boards if b not in known]
    if unknown:
        raise DeployError(f"unknown board {unknown[0]!r}; the boards are: {', '.join(known)} (or --boards all)")
    if not 0.0 < req.threshold < 1.0:
        raise DeployError(f"--threshold {req.threshold}: a probability strictly between 0 and 1")
    if req.random_vectors < 1 or req.max_vectors < 1:
        raise DeployError("--random-vectors and --max-vectors must be at least 1")
    model = models_mod.load(req.model)
    steps: list[dict[str, Any]] = []
    if req.preprocessing is not None:
        steps = vectors_mod.load_steps(req.preprocessing)
        if req.vectors is None:
            vectors_mod.check(steps, vectors_mod.raw_width(steps, str(req.preprocessing)), model.n_inputs,
                              str(req.preprocessing))
    if steps and model.kind == "sklearn":
        model.notes.append("the scikit-learn C exports take the model input: the preprocessing steps are checked and "
                           "recorded in the Deployable, but only the int8 code generator emits "
                           "tinyids_<name>_preprocess() for the board")
    if req.vectors is not None:
        vec = vectors_mod.load(req.vectors, model, steps, str(req.preprocessing))
    else:
        vec = vectors_mod.random(model, req.random_vectors, req.seed)
    if len(vec.x) > req.max_vectors:
        from tinyids.firmware.pipeline import emulation_sample

        idx = emulation_sample(len(vec.x), req.max_vectors, req.seed)
        vec = Vectors(vec.x[idx], None if vec.y is None else vec.y[idx],
                      None if vec.x_raw is None else vec.x_raw[idx],
                      f"{vec.source}; a seeded sample of {len(idx)} (--max-vectors)")
    out = Path(req.out) if req.out is not None else Path("results") / "deploy" / model.name
    if out.exists() and not out.is_dir():
        raise DeployError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "deploy.log").is_file():
        raise DeployError(f"--out {out}: a folder that is not empty and holds no earlier tinyids deploy run "
                          "(its c/, elf/ and build/ would be replaced); give a new or empty folder")
    _decision(model, req.threshold)  # an unreachable threshold is bad input, found before writing
    return model, vec, steps, boards, fw, out


# ------------------------------------------------------------------------------ the Deployable
def _decision(model: Model, threshold: float) -> dict[str, Any]:
    from tinyids.study.deployable import threshold_int8

    if model.kind == "tflite" and model.n_outputs == 1:
        q = threshold_int8(model.output_scale, model.output_zero_point, threshold)
        if q > 127:
            raise DeployError(f"{model.path}: no int8 output reaches --threshold {threshold} "
                              f"(output scale {model.output_scale}, zero point {model.output_zero_point})")
        return {"rule": "threshold", "output": 0, "probability": float(threshold), "int8": int(q)}
    return {"rule": "argmax"}


def _litert_reference(model: Model, decision: dict[str, Any], x: np.ndarray) -> np.ndarray:
    from tinyids.litert import Quantization, make_interpreter, run_raw

    interp = make_interpreter(model.tflite_bytes, reference_kernels=True)
    raw = run_raw(interp, Quantization(model.input_scale, model.input_zero_point).quantize(x))
    raw = np.asarray(raw).reshape(len(x), -1)
    if decision["rule"] == "threshold":
        return (raw[:, 0].astype(np.int32) >= int(decision["int8"])).astype(np.int64)
    return np.argmax(raw, axis=1).astype(np.int64)


def write_deployable(model: Model, vec: Vectors, steps: list[dict[str, Any]], out: Path, req: Request) -> tuple[dict[str, str], np.ndarray]:
    """The Deployable (JSON, model, npz) in ``out``; returns the firmware stage's file roles and
    the reference predictions (LiteRT reference kernels / scikit-learn) on the vectors."""
    from tinyids.fileio import atomic_path, write_text_atomic
    from tinyids.study import deployable
    from tinyids.study.deployable import Deployable, quantization

    name = model.name
    decision = _decision(model, req.threshold)
    ref = _litert_reference(model, decision, vec.x) if model.kind == "tflite" else model.reference(vec.x)
    labels = vec.y if vec.y is not None else ref
    n_raw = vec.x_raw.shape[1] if vec.x_raw is not None else (
        vectors_mod.raw_width(steps, "preprocessing") if steps else model.n_inputs)
    common = dict(
        name=name, study=STUDY, protocol="user", variant=model.kind, seed=req.seed, class_names=model.class_names,
        raw_feature_names=[f"raw{i}" for i in range(n_raw)], feature_names=[f"x{i}" for i in range(model.n_inputs)],
        decision=decision, test_rows=len(vec.x),
        metrics={"accuracy": float(np.mean(ref == vec.y)) if vec.y is not None else None},
        steps=steps, has_raw=vec.x_raw is not None, has_predictions=True,
        preprocessing_description="given with --preprocessing" if steps else "none: the vectors are the model input",
        description=f"tinyids deploy of {model.path}: {model.estimator}",
        extra={"source_model": str(model.path), "vectors": vec.source,
               "y_test": "labels given" if vec.y is not None else "no labels given: the reference model's predictions",
               "y_pred": "LiteRT reference kernels" if model.kind == "tflite" else f"scikit-learn {type(model.sk).__name__}.predict"},
    )
    out.mkdir(parents=True, exist_ok=True)
    if model.kind == "tflite":
        dep = Deployable.create(**common, model_format="tflite-int8",
                                input_quantization=quantization(model.input_scale, model.input_zero_point),
                                output_quantization=quantization(model.output_scale, model.output_zero_point))
        with atomic_path(out / f"{name}.tflite") as tmp:
            tmp.write_bytes(model.tflite_bytes)
    else:
        from tinyids.srm2025 import export
        from tinyids.srm2025.names import EMLEARN_HEADERS
        from tinyids.srm2025.tiny import TinyMLP

        include = None
        if isinstance(model.tiny, TinyMLP):
            include = ["emlearn"]
            (out / "emlearn").mkdir(exist_ok=True)
            for header in EMLEARN_HEADERS:
                shutil.copyfile(export.emlearn_headers_dir() / header, out / "emlearn" / header)
        write_text_atomic(out / f"{name}.c", export.c_source(name, model.tiny))
        write_text_atomic(out / f"{name}.h", export.c_header(name, model.tiny))
        dep = Deployable.create(**common, model_format="c-float", input_quantization=None, output_quantization=None,
                                include_dirs=include, compile_flags=list(export.COMPILE_FLAGS))
    arrays = {"X_test": vec.x.astype(np.float32), "y_test": labels.astype(np.int64), "y_pred": ref.astype(np.int64)}
    if vec.x_raw is not None:
        arrays["X_raw"] = vec.x_raw.astype(np.float32)
    with atomic_path(out / f"{name}.npz") as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
    deployable.write(dep, out / f"{name}.json")
    files = {"json": str(out / f"{name}.json"), "npz": str(out / f"{name}.npz")}
    if model.kind == "tflite":
        files.update(tflite=str(out / f"{name}.tflite"), c=str(out / "c" / f"{name}.c"), h=str(out / "c" / f"{name}.h"))
    else:
        files.update(c=str(out / f"{name}.c"), h=str(out / f"{name}.h"))
    return files, ref


# ------------------------------------------------------------------------------ running
def run(req: Request, stream: TextIO | None = None) -> dict[str, Any]:
    """The whole command; returns the report (also written to ``out/report.json``). Progress
    goes to ``stream`` (default: standard error)."""
    t0 = time.monotonic()
    model, vec, steps, boards, fw, shown = prepare(req)
    out = shown.resolve()
    with open(_fresh(out) / "deploy.log", "w", encoding="utf-8") as log_file:
        log = _Progress(log_file, stream if stream is not None else sys.stderr, t0)
        log.say(f"{model.path}: {model.estimator}")
        log.say(f"vectors: {vec.source}" + ("" if req.vectors is not None else
                " -- no --vectors given: parity is checked on random inputs and no accuracy is reported"))
        for note in model.notes:
            log.say(f"note: {note}")
        files, ref = write_deployable(model, vec, steps, out, req)
        log.say(f"wrote the Deployable {files['json']}")
        try:
            report = _stages(model, vec, req, boards, fw, out, files, log)
        except TinyidsError as exc:
            import traceback

            log_file.write("\n[tinyids deploy] failed:\n" + traceback.format_exc())
            first = " ".join(str(exc).strip().splitlines()[:1])[:400]
            raise DeployFailure(f"{type(exc).__name__}: {first} (full output: {out / 'deploy.log'})") from None
        report["out"] = str(shown)  # as the user gave it (the file paths in the report are absolute)
        log.say(f"done: report in {shown / 'report.json'}")
    text = format_table(report)
    (out / "report.txt").write_text(text + "\n", encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=False, default=_plain) + "\n", encoding="utf-8")
    return report


def _stages(model, vec, req, boards, fw, out, files, log) -> dict[str, Any]:
    """Codegen (int8 models), the firmware builds for every board, the emulation, the fit."""
    from tinyids.firmware import pipeline as fwp
    from tinyids.firmware.boards import boards_from_config
    from tinyids.firmware.report import fit_matrix

    codegen: dict[str, Any] = {}
    if model.kind == "tflite":
        from tinyids.codegen import pipeline as cgp

        c_dir = out / "c"
        info = cgp.generate_files(Path(files["tflite"]), Path(files["json"]), Path(files["c"]), Path(files["h"]),
                                  c_dir / f"{model.name}_codegen.json")
        par = cgp.parity_report(Path(files["c"]), Path(files["tflite"]), Path(files["npz"]),
                                c_dir / f"{model.name}_parity.json", fail_on_mismatch=False)
        codegen = {"operators": info["operators"], "scratch_bytes": info["scratch_bytes"],
                   "const_bytes": info["const_bytes"], "host_c_vs_litert_bit_exact": bool(par["bit_exact"]),
                   "host_c_vs_litert_mismatching_outputs": int(par["mismatching_outputs"])}
        log.say(f"generated C ({' '.join(info['operators'])}; constants {info['const_bytes']} B, scratch "
                f"{info['scratch_bytes']} B); gcc host build vs LiteRT reference kernels: "
                f"{'bit-exact' if par['bit_exact'] else str(par['mismatching_outputs']) + ' mismatching outputs'} "
                f"on {par['rows']} vectors")
    fw = copy.deepcopy(fw)
    table = boards_from_config(fw)
    emulated = [b for b in boards if table[b].emulator != "none" and table[b].emulation_env]
    fw.update(build_root=str(out / "build"), fit_boards=boards, emulation_boards=emulated)
    fw["emulation"]["vectors"] = len(vec.x)
    if req.emulation_timeout_s is not None:
        fw["emulation"]["timeout_s"] = float(req.emulation_timeout_s)
    ref_name = f"{STUDY}/{model.name}"
    built = fwp.build_model(ref_name, files, fw, log)
    log.say("emulating" + (f" on {', '.join(emulated)}" if emulated else ": no requested board has an emulator"))
    emu = fwp.emulate_model(ref_name, files, built, fw, req.seed, log)
    fits = fit_matrix([built], [emu], fw)
    return _report(model, vec, req, boards, table, built, emu, fits, codegen, out, fw)


def _fresh(out: Path) -> Path:
    """``out`` with this run's generated parts removed (a previous run's build folders stay out
    of the new report)."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("c", "elf", "build", "emlearn"):
        shutil.rmtree(out / sub, ignore_errors=True)
    for f in ("report.json", "report.txt"):
        (out / f).unlink(missing_ok=True)
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return str(v)


def _num(v: Any) -> Any:
    if v is None:
        return None
    try:
        if isinstance(v, float) and not np.isfinite(v):
            return None
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return int(v) if isinstance(v, (int, np.integer)) or (isinstance(v, float) and float(v).is_integer()) else v


def _report(model, vec, req, boards, table, built, emu, fits, codegen, out, fw) -> dict[str, Any]:
    fit_rows = {r["board"]: r for r in fits.to_dict("records")}
    build_rows = {r["board"]: r for r in built["builds"]}
    emu_rows = {r["board"]: r for r in emu["boards"]}
    (out / "elf").mkdir(exist_ok=True)
    rows = []
    for bid in boards:
        b, f, e = build_rows[bid], fit_rows[bid], emu_rows.get(bid, {})
        board = table[bid]
        flash_over = ram_over = None
        if f.get("fits") == "no":
            if _num(f.get("flash_bytes")) is not None:
                flash_over = max(0, int(f["flash_bytes"]) - board.flash_bytes)
                ram = _num(f.get("ram_with_stack_bytes"))
                ram_over = max(0, int(ram if ram is not None else f["ram_bytes"]) - board.ram_bytes)
            else:
                if _num(f.get("flash_lower_bound_bytes")) is not None:
                    flash_over = max(0, int(f["flash_lower_bound_bytes"]) - board.flash_bytes)
                if _num(f.get("ram_lower_bound_bytes")) is not None:
                    ram_over = max(0, int(f["ram_lower_bound_bytes"]) - board.ram_bytes)
        elf = None
        if b["status"] == "built":
            src = Path(fw["build_root"]) / fwp_key(built) / "fit" / bid / board.pio_env / "firmware.elf"
            if src.is_file():
                elf = out / "elf" / f"{bid}.elf"
                shutil.copyfile(src, elf)
        if e.get("status") == "ok" and board.emulation_env:
            src = Path(fw["build_root"]) / fwp_key(built) / "emu" / bid / board.emulation_env / "firmware.elf"
            if src.is_file():
                shutil.copyfile(src, out / "elf" / f"{bid}_emulated.elf")
        row = {
            "board": bid, "title": board.title, "clock_hz": board.clock_hz,
            "build": b["status"], "build_reason": b["reason"] or None, "fits": f.get("fits"),
            "fit_reason": f.get("reason") or None, "flash_over_bytes": flash_over, "ram_over_bytes": ram_over,
            "flash_bytes": _num(f.get("flash_bytes")), "flash_budget_bytes": board.flash_bytes,
            "flash_lower_bound_bytes": _num(f.get("flash_lower_bound_bytes")),
            "ram_static_bytes": _num(f.get("ram_bytes")), "ram_budget_bytes": board.ram_bytes,
            "stack_bytes": _num(e.get("stack_bytes")), "ram_with_stack_bytes": _num(f.get("ram_with_stack_bytes")),
            "model_flash_bytes": _num(b.get("model_flash")), "model_ram_bytes": _num(b.get("model_ram")),
            "emulator": board.emulator, "emulation": e.get("status") or "not_emulated",
            "emulation_reason": e.get("reason") or None, "vectors": e.get("vectors"),
            "device_vs_host_mismatches": e.get("mismatches"),
            "device_vs_reference_mismatches": e.get("mismatches_vs_litert"),
            "device_accuracy": e.get("device_accuracy") if vec.y is not None else None,
            "count_unit": e.get("count_unit"), "count_median": e.get("count_median"),
            "count_min": e.get("count_min"), "count_max": e.get("count_max"),
            "latency_us_median": e.get("latency_us_median"), "latency_us_max": e.get("latency_us_max"),
            "elf": str(elf) if elf else None,
        }
        row["verdict"], row["ok"] = _verdict(row, req)
        rows.append(row)
    host_vs_ref = emu.get("host_vs_litert_mismatches") if model.kind == "tflite" else emu.get("host_vs_recorded_mismatches")
    return {
        "model": str(model.path), "name": model.name, "kind": model.kind, "estimator": model.estimator,
        "vectors": vec.source, "rows": int(len(vec.x)), "labels": vec.y is not None,
        "reference": "LiteRT reference kernels" if model.kind == "tflite" else "scikit-learn predict",
        "host_c_vs_reference_mismatches": host_vs_ref,
        "host_accuracy": emu.get("host_accuracy") if vec.y is not None else None,
        "codegen": codegen, "model_const_bytes": built.get("model_const_bytes"),
        "model_scratch_bytes": built.get("model_scratch_bytes"), "notes": model.notes,
        "out": str(out), "deployable": str(out / f"{model.name}.json"), "boards": rows,
        "exit_status": _exit_status(rows, model, host_vs_ref, codegen),
    }


def fwp_key(built: dict[str, Any]) -> str:
    from tinyids.firmware.pipeline import model_key

    return model_key(built["model"])


def _verdict(row: dict[str, Any], req: Request) -> tuple[str, bool]:
    if row["build"] == "no_toolchain":
        return "not built: no toolchain here", bool(req.all_boards or not req.boards)
    if row["fits"] == "no":
        over = [f"{k} over by {row[f'{k}_over_bytes']} B" for k in ("flash", "ram") if row[f"{k}_over_bytes"]]
        bound = " (at least: the build failed)" if row["flash_bytes"] is None else ""
        return "DOES NOT FIT: " + ", ".join(over).replace("ram", "RAM") + bound, False
    if row["build"] != "built":
        return f"BUILD FAILED: {row['build_reason']}", False
    if row["emulation"] == "ok":
        bad = row["device_vs_host_mismatches"] or row["device_vs_reference_mismatches"]
        if bad:
            return f"MISMATCH: {bad} of {row['vectors']} vectors differ", False
        return "ok", True
    if row["emulator"] == "none":
        return "fits (no emulator: parity not checked)", True
    return f"EMULATION {row['emulation'].upper()}: {row['emulation_reason']}", False


def _exit_status(rows, model, host_vs_ref, codegen) -> int:
    bad = not all(r["ok"] for r in rows)
    if model.kind == "tflite" and (host_vs_ref or not codegen.get("host_c_vs_litert_bit_exact", True)):
        bad = True  # the generated C must be LiteRT bit for bit
    return 1 if bad else 0


# ------------------------------------------------------------------------------ the table
def _int(v: Any) -> str:
    return "-" if v is None else f"{int(v):,}".replace(",", " ")


def _latency(r: dict[str, Any]) -> str:
    unit = r.get("count_unit") or ""
    if r.get("count_median") is None:
        return "parity only" if unit.startswith("none") else "-"
    if unit == "cycles":
        return f"{_int(r['count_median'])} cycles = {r['latency_us_median']:.1f} us @ {r['clock_hz'] / 1e6:g} MHz"
    return f"{_int(r['count_median'])} instructions (QEMU, not cycles)"


def format_table(report: dict[str, Any]) -> str:
    head = ["board", "flash B / budget", "RAM+stack B / budget", "stack B", "median latency", "device != host",
            "accuracy", "verdict"]
    lines = []
    for r in report["boards"]:
        flash = r["flash_bytes"] if r["flash_bytes"] is not None else r["flash_lower_bound_bytes"]
        flash_s = ("" if r["flash_bytes"] is not None or flash is None else ">= ") + f"{_int(flash)} / {_int(r['flash_budget_bytes'])}"
        ram = r["ram_with_stack_bytes"] if r["ram_with_stack_bytes"] is not None else r["ram_static_bytes"]
        ram_s = f"{_int(ram)} / {_int(r['ram_budget_bytes'])}"
        par = (f"{r['device_vs_host_mismatches']} of {r['vectors']}" if r["device_vs_host_mismatches"] is not None else "-")
        acc = f"{r['device_accuracy']:.4f}" if r["device_accuracy"] is not None else "-"
        lines.append([r["board"], flash_s, ram_s, _int(r["stack_bytes"]), _latency(r), par, acc, r["verdict"]])
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(head)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    out = [f"{report['name']}: {report['estimator']}", f"vectors: {report['vectors']}",
           fmt(head), fmt(["-" * w for w in widths]), *[fmt(l) for l in lines]]
    ref = report["host_c_vs_reference_mismatches"]
    if ref is not None:
        out.append(f"host C vs {report['reference']}: {ref} of {report['rows']} vectors differ"
                   + ("" if report["kind"] == "tflite" else " (the export's own arithmetic: 8-bit leaves, int8 linear "
                      "weights; device parity is against the host C)") * bool(ref))
    if report["host_accuracy"] is not None:
        out.append(f"host C accuracy on the labelled vectors: {report['host_accuracy']:.4f}")
    out.append("RAM = static (data + bss) + stack measured in emulation where there is one; flash = text + rodata + data")
    out.append(f"kept in {report['out']}: the Deployable, C sources, elf/, report.json, deploy.log")
    return "\n".join(out)
