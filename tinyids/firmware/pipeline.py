"""The firmware stage: per-model builds for every board, emulation parity and counts.

One job per model (``build_model``): the model folder with one test vector, built for every
board of Table I, and the same harness with a null model (the model's own footprint is the
difference). One job per model (``emulate_model``): the host build over the emulation vectors
is the reference; every emulated board must print exactly the host's predictions; the Uno's
counts are cycles (simavr), QEMU's are instructions (``-icount``), Linux targets have none.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Mapping, TextIO

import numpy as np

from tinyids.firmware.adapter import FirmwareError, ModelSpec, spec_from_deployable, write_model_folder, write_null_folder
from tinyids.firmware.boards import Board, boards_from_config
from tinyids.firmware.build import BuildResult, pio_build
from tinyids.firmware.emulate import EmulationTimeout, run_firmware, ticks_to_instructions
from tinyids.study import deployable
from tinyids.study.deployable import Deployable

HOST_ENV = "host"
# static Linux binaries: libc's layout moves by kilobytes between builds, a model delta means nothing
LINUX_TOOLCHAINS = ("aarch64-linux-gnu", "native")


def parse_model_ref(ref: str) -> tuple[str, str]:
    study, sep, name = ref.partition("/")
    if not sep or not study or not name:
        raise FirmwareError(f"firmware.models: {ref!r} is not '<study>/<name>'")
    return study, name


def model_key(ref: str) -> str:
    study, name = parse_model_ref(ref)
    return f"{study}__{name}"


def deployable_inputs(ref: str, fw: Mapping[str, Any], results: str = "results") -> dict[str, str]:
    """The files a model's firmware needs, by role (the DAG inputs of its rules)."""
    study, name = parse_model_ref(ref)
    sources = fw.get("c_source", {})
    source = sources.get(ref) or sources.get(study) or "codegen"  # "<study>/<name>" overrides "<study>"
    if source == "fixture":  # hand-written test models (tinyids.firmware.fixture), rule firmware_fixture
        base = f"{results}/firmware/fixture/{name}"
        return {"npz": f"{base}.npz", "json": f"{base}.json", "c": f"{base}.c", "h": f"{base}.h"}
    deploy = f"{results}/{study}/deploy"
    files = {"npz": f"{deploy}/{name}.npz", "json": f"{deploy}/{name}.json"}
    if source == "codegen":
        files.update(c=f"{results}/{study}/codegen/{name}.c", h=f"{results}/{study}/codegen/{name}.h",
                     tflite=f"{deploy}/{name}.tflite")
    else:
        files.update(c=f"{deploy}/{name}.c", h=f"{deploy}/{name}.h")
    return files


def load_model(files: Mapping[str, str], name: str) -> tuple[ModelSpec, np.ndarray, np.ndarray, Deployable]:
    """The model's spec, its test vectors and labels, and its Deployable (``files["json"]``)."""
    dep = deployable.read(files["json"])
    if dep.name != name:
        raise FirmwareError(f"{files['json']}: the deployable is named {dep.name!r}, firmware.models asks for {name!r}")
    if Path(files["npz"]).resolve() != dep.file("test_vectors").resolve():
        raise FirmwareError(f"{files['json']}: its test vectors are {dep.file('test_vectors')}, the rule gives {files['npz']}")
    x, y = dep.test_vectors()
    if y is None or x.shape != (dep.doc["test_vectors"]["rows"], dep.n_inputs) or len(y) != len(x):
        raise FirmwareError(f"{files['npz']}: X_test {x.shape} / y_test {None if y is None else y.shape} do not match "
                            f"the deployable's {dep.doc['test_vectors']['rows']} rows of {dep.n_inputs} features")
    spec = spec_from_deployable(dep, Path(files["h"]).parent, Path(files["tflite"]) if files.get("tflite") else None)
    return spec, x, y, dep


def _size_row(prefix: str, r: BuildResult | None) -> dict[str, Any]:
    s = r.sizes if r is not None and r.status == "built" else {}
    return {f"{prefix}{k}": s.get(k) for k in ("flash", "ram", "text", "rodata", "data", "bss")}


def build_model(ref: str, files: Mapping[str, str], fw: Mapping[str, Any], log: TextIO) -> dict[str, Any]:
    """Build one model for every fit board (plus a null-model build per board)."""
    study, name = parse_model_ref(ref)
    spec, x, y, _ = load_model(files, name)
    boards = boards_from_config(fw)
    root = Path(fw["build_root"]).resolve() / model_key(ref)
    fit_dir = write_model_folder(spec, x[:1], y[:1], root / "model_fit")
    null_dir = write_null_folder(spec.n_features, spec.feature_bytes, root / "model_null")
    rows = []
    for bid in fw["fit_boards"]:
        board = boards[bid]
        log.write(f"== {ref} on {bid} (pio env {board.pio_env})\n")
        r = pio_build(board.pio_env, fit_dir, root / "fit" / bid, core_dir=fw["core_dir"], project_dir=fw["project_dir"],
                      extra_includes=spec.extra_includes, timeout_s=fw["build_timeout_s"], log=log)
        rn = None
        if r.status in ("built", "build_failed"):  # the harness alone, also for a lower bound
            rn = pio_build(board.pio_env, null_dir, root / "null" / bid, core_dir=fw["core_dir"], project_dir=fw["project_dir"],
                           timeout_s=fw["build_timeout_s"], log=log)
        row = {"board": bid, "pio_env": board.pio_env, "status": r.status, "reason": r.reason,
               "build_seconds": round(r.seconds, 2), "pio_size_check": r.pio_size_check,
               **_size_row("", r), **_size_row("harness_", rn)}
        if r.status == "built" and rn is not None and rn.status == "built" and board.toolchain not in LINUX_TOOLCHAINS:
            row["model_flash"] = r.sizes["flash"] - rn.sizes["flash"]
            row["model_ram"] = r.sizes["ram"] - rn.sizes["ram"]
        rows.append(row)
    const_bytes, scratch_bytes = _model_constants(spec, rows)
    return {
        "model": ref, "study": study, "name": name, "kind": spec.kind, "predict_fn": spec.predict_fn,
        "model_const_bytes": const_bytes, "model_scratch_bytes": scratch_bytes,
        "n_features": spec.n_features, "n_classes": spec.n_classes, "feature_bytes": spec.feature_bytes,
        "accuracy": spec.accuracy, "n_test": int(len(x)), "builds": rows,
    }


def _model_constants(spec: ModelSpec, rows: list[dict[str, Any]]) -> tuple[int | None, int | None]:
    """The model's constant data (weights, tables) and RAM scratch, the same on every target:
    from the code generator's header macros, else the model's rodata + data on the 32-bit
    Cortex-M7 build. They give a lower bound where a target cannot compile the model at all
    (avr-gcc refuses arrays over 32 KB)."""
    text = spec.header.read_text(errors="replace")
    const = re.search(r"#define\s+TINYIDS_\w+_CONST_BYTES\s+(\d+)", text)
    scratch = re.search(r"#define\s+TINYIDS_\w+_SCRATCH_BYTES\s+(\d+)", text)
    const_bytes = int(const.group(1)) if const else None
    if const_bytes is None:
        m7 = next((r for r in rows if r["board"] == "portenta_h7_m7" and r["status"] == "built"
                   and r.get("harness_rodata") is not None), None)
        if m7:
            const_bytes = max(0, (m7["rodata"] + m7["data"]) - (m7["harness_rodata"] + m7["harness_data"]))
    return const_bytes, int(scratch.group(1)) if scratch else None


def _host_reference(spec: ModelSpec, x: np.ndarray, y: np.ndarray, root: Path, fw: Mapping[str, Any],
                    log: TextIO) -> np.ndarray:
    folder = write_model_folder(spec, x, y, root / "model_host")
    r = pio_build(HOST_ENV, folder, root / "emu" / HOST_ENV, core_dir=fw["core_dir"], project_dir=fw["project_dir"],
                  extra_includes=spec.extra_includes, timeout_s=fw["build_timeout_s"], log=log)
    if r.status != "built":
        raise FirmwareError(f"{spec.name}: host reference build failed: {r.reason}")
    out, _, _ = run_firmware("native", r.elf, timeout_s=fw["emulation"]["timeout_s"])
    return np.asarray(out.preds, dtype=np.int64)


def _litert_classes(spec: ModelSpec, x: np.ndarray) -> np.ndarray | None:
    if spec.kind != "int8" or spec.tflite is None:
        return None
    from tinyids.litert import make_interpreter, run_raw

    interp = make_interpreter(spec.tflite, reference_kernels=True)
    return spec.classes_from_raw(run_raw(interp, spec.encode(x)))


def emulation_sample(n_rows: int, n: int, seed: int) -> np.ndarray:
    n = min(n, n_rows)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=n, replace=False))


def emulate_model(ref: str, files: Mapping[str, str], build: Mapping[str, Any], fw: Mapping[str, Any],
                  seed: int, log: TextIO) -> dict[str, Any]:
    study, name = parse_model_ref(ref)
    spec, x_all, y_all, dep = load_model(files, name)
    emu = fw["emulation"]
    idx = emulation_sample(len(x_all), int(emu["vectors"]), seed)
    x, y = x_all[idx], y_all[idx]
    root = Path(fw["build_root"]).resolve() / model_key(ref)
    host = _host_reference(spec, x, y, root, fw, log)
    litert = _litert_classes(spec, x)
    # the exporting study's own host run of the same model (test vectors' y_pred, when recorded)
    recorded = dep.test_array("y_pred")
    recorded = recorded.astype(np.int64)[idx] if recorded is not None else None
    result: dict[str, Any] = {
        "model": ref, "study": study, "name": name, "vectors_selected": int(len(idx)),
        "host_accuracy": float(np.mean(host == y)) if len(y) else None,
        "host_vs_litert_mismatches": int(np.sum(host != litert)) if litert is not None else None,
        "host_vs_recorded_mismatches": int(np.sum(host != recorded)) if recorded is not None else None,
        "boards": [],
    }
    boards = boards_from_config(fw)
    fits = {b["board"]: b for b in build["builds"]}
    for bid in fw["emulation_boards"]:
        result["boards"].append(_emulate_on(bid, boards[bid], fits.get(bid), spec, x, y, host, litert, root, fw, log))
    return result


def _emulate_on(bid: str, board: Board, fit: Mapping[str, Any] | None, spec: ModelSpec, x: np.ndarray,
                y: np.ndarray, host: np.ndarray, litert: np.ndarray | None, root: Path,
                fw: Mapping[str, Any], log: TextIO) -> dict[str, Any]:
    emu = fw["emulation"]
    row: dict[str, Any] = {"board": bid, "emulation_env": board.emulation_env, "emulator": board.emulator,
                           "clock_hz": board.clock_hz, "status": "", "reason": ""}
    if not board.emulation_env or board.emulator == "none":
        return {**row, "status": "not_emulated", "reason": "no emulator for this board"}
    if fit is None or fit["status"] != "built":
        return {**row, "status": "not_emulated", "reason": f"not built: {fit['reason'] if fit else 'no build'}"}
    if fit["flash"] > board.flash_bytes or fit["ram"] > board.ram_bytes:
        return {**row, "status": "not_emulated",
                "reason": f"does not fit {bid}: flash {fit['flash']}/{board.flash_bytes} B, RAM {fit['ram']}/{board.ram_bytes} B"}
    vec_bytes = spec.n_features * spec.feature_bytes
    room = board.flash_bytes - int(fit["flash"]) - int(emu["flash_reserve_bytes"])
    per_build = int(max(1, min(int(emu["max_vectors_per_build"]), room // max(vec_bytes, 1))))
    preds, counts, stacks, slices = [], [], [], 0
    unit, t0 = "", time.monotonic()
    for start in range(0, len(x), per_build):
        stop = min(len(x), start + per_build)
        folder = write_model_folder(spec, x[start:stop], y[start:stop], root / f"model_emu_{bid}")
        r = pio_build(board.emulation_env, folder, root / "emu" / bid, core_dir=fw["core_dir"], project_dir=fw["project_dir"],
                      extra_includes=spec.extra_includes, timeout_s=fw["build_timeout_s"], log=log)
        if r.status != "built":
            return {**row, "status": "build_failed", "reason": r.reason}
        try:
            out, text, secs = run_firmware(board.emulator, r.elf, timeout_s=float(emu["timeout_s"]),
                                           icount_shift=int(emu["icount_shift"]), f_cpu=board.clock_hz)
        except (EmulationTimeout, RuntimeError) as exc:
            log.write(f"emulation failed: {exc}\n")
            return {**row, "status": "emulation_failed", "reason": str(exc)[:400]}
        log.write(f"{board.emulator} {bid} slice {start}:{stop}: {secs:.2f} s, summary {out.summary}\n")
        preds += out.preds
        counts += out.counts
        stacks.append(out.summary.get("stack", -1))
        unit = out.unit
        slices += 1
    p = np.asarray(preds, dtype=np.int64)
    c = np.asarray(counts, dtype=np.int64)
    row.update(
        status="ok", vectors=int(len(p)), builds=slices,
        mismatches=int(np.sum(p != host)),
        mismatches_vs_litert=int(np.sum(p != litert)) if litert is not None else None,
        device_accuracy=float(np.mean(p == y)) if len(y) else None,
        stack_bytes=max(stacks) if stacks and max(stacks) >= 0 else None,
        wall_seconds=round(time.monotonic() - t0, 2),
    )
    if unit == "cycles":
        row.update(count_unit="cycles", count_min=int(c.min()), count_median=float(np.median(c)),
                   count_max=int(c.max()))
        # cycles * 1e6 is exact, so one correctly rounded division gives count / MHz exactly
        row.update({f"latency_us_{k}": float(v) * 1e6 / board.clock_hz for k, v in
                    (("min", c.min()), ("median", np.median(c)), ("max", c.max()))})
    elif unit == "qemu_ticks":
        ins = ticks_to_instructions(c, int(emu["icount_shift"]), board.qemu_tick_hz)
        row.update(count_unit="instructions (QEMU -icount, not cycles)", count_min=int(ins.min()),
                   count_median=float(np.median(ins)), count_max=int(ins.max()))
    else:
        row.update(count_unit="none (Linux under qemu-user: parity only)")
    return row
