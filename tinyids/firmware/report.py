"""Fit matrix, heatmap, emulation table and the Uno headline (Figure 7 itself: tinyids.firmware.recommend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from tinyids.firmware.boards import boards_from_config

FIT_COLUMNS = [
    "model", "study", "name", "kind", "board", "status", "fits", "reason",
    "flash_bytes", "ram_bytes", "stack_bytes", "ram_with_stack_bytes",
    "text_bytes", "rodata_bytes", "data_bytes", "bss_bytes", "model_flash_bytes", "model_ram_bytes",
    "flash_budget_bytes", "ram_budget_bytes", "flash_margin_bytes", "ram_margin_bytes",
    "flash_used_percent", "ram_used_percent", "flash_lower_bound_bytes", "ram_lower_bound_bytes",
    "accuracy", "estimate_note",
]


def fit_matrix(builds: list[Mapping[str, Any]], emulations: list[Mapping[str, Any]],
               fw: Mapping[str, Any]) -> pd.DataFrame:
    """One row per (model, board). A budget exceeded is a "no" row; a build that cannot be made
    (no toolchain, link error) is an "unknown" row with its reason, never an exception."""
    boards = boards_from_config(fw)
    stacks: dict[tuple[str, str], int] = {}
    for emu in emulations:
        for row in emu["boards"]:
            if row.get("stack_bytes") is not None:
                stacks[(emu["model"], row["board"])] = int(row["stack_bytes"])
    rows = []
    for b in builds:
        by_board = {r["board"]: r for r in b["builds"]}
        for r in b["builds"]:
            board = boards[r["board"]]
            out: dict[str, Any] = {
                "model": b["model"], "study": b["study"], "name": b["name"], "kind": b["kind"],
                "board": r["board"], "status": r["status"], "reason": r["reason"],
                "flash_budget_bytes": board.flash_bytes, "ram_budget_bytes": board.ram_bytes,
                "accuracy": b.get("accuracy"), "estimate_note": "",
            }
            if r["status"] == "built":
                stack = stacks.get((b["model"], r["board"]))
                ram_total = r["ram"] + (stack or 0)
                fits_flash = r["flash"] <= board.flash_bytes
                fits_ram = ram_total <= board.ram_bytes
                out.update(
                    flash_bytes=r["flash"], ram_bytes=r["ram"], stack_bytes=stack,
                    ram_with_stack_bytes=ram_total if stack is not None else None,
                    text_bytes=r["text"], rodata_bytes=r["rodata"], data_bytes=r["data"], bss_bytes=r["bss"],
                    model_flash_bytes=r.get("model_flash"), model_ram_bytes=r.get("model_ram"),
                    flash_margin_bytes=board.flash_bytes - r["flash"],
                    ram_margin_bytes=board.ram_bytes - ram_total,
                    flash_used_percent=100.0 * r["flash"] / board.flash_bytes,
                    ram_used_percent=100.0 * ram_total / board.ram_bytes,
                    fits="yes" if fits_flash and fits_ram else "no",
                )
                if not (fits_flash and fits_ram):
                    over = []
                    if not fits_flash:
                        over.append(f"flash over by {r['flash'] - board.flash_bytes} B")
                    if not fits_ram:
                        over.append(f"RAM{' + stack' if stack else ''} over by {ram_total - board.ram_bytes} B")
                    out["reason"] = "does not fit: " + ", ".join(over)
            else:
                out["fits"] = "unknown"
                if r["status"] == "build_failed" and r.get("harness_flash") is not None and b.get("model_const_bytes"):
                    lb_flash = int(r["harness_flash"]) + int(b["model_const_bytes"])
                    lb_ram = int(r["harness_ram"]) + int(b.get("model_scratch_bytes") or 0)
                    out.update(flash_lower_bound_bytes=lb_flash, ram_lower_bound_bytes=lb_ram)
                    over = []
                    if lb_flash > board.flash_bytes:
                        over.append(f"flash at least {lb_flash} B > {board.flash_bytes} B")
                    if lb_ram > board.ram_bytes:
                        over.append(f"RAM at least {lb_ram} B > {board.ram_bytes} B")
                    if over:
                        out["fits"] = "no"
                        out["reason"] = ("does not fit (lower bound: harness + the model's constants"
                                         f"{' and scratch' if b.get('model_scratch_bytes') else ''}): "
                                         + ", ".join(over) + f"; the build itself failed: {r['reason']}")[:700]
                if r["status"] == "no_toolchain":
                    lx = by_board.get("nodemcuv2")
                    if lx and lx["status"] == "built":
                        out["estimate_note"] = (
                            f"ESTIMATE ONLY, not an ESP32 build: the LX106 (NodeMCU) build of this model "
                            f"takes flash {lx['flash']} B, static RAM {lx['ram']} B"
                        )
            rows.append(out)
    frame = pd.DataFrame(rows, columns=FIT_COLUMNS)
    return _int_columns(frame, [c for c in FIT_COLUMNS if c.endswith("_bytes")])


def _int_columns(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Byte and count columns as nullable integers (no 1606.0 in the CSVs)."""
    for c in cols:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").round().astype("Int64")
    return frame


def heatmap(matrix: pd.DataFrame, fw: Mapping[str, Any], path: str | Path) -> None:
    """Models x boards, coloured by the larger of flash and RAM use (% of budget); text = fit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(matrix["model"]))
    boards = [b for b in fw["fit_boards"]]
    grid = np.full((len(models), len(boards)), np.nan)
    text = [["" for _ in boards] for _ in models]
    for _, r in matrix.iterrows():
        i, j = models.index(r["model"]), boards.index(r["board"])
        if r["status"] == "built":
            use = max(float(r["flash_used_percent"]), float(r["ram_used_percent"]))
            grid[i, j] = min(use, 200.0)
            text[i][j] = f"{'fits' if r['fits'] == 'yes' else 'NO'}\n{use:.3g}%"
        elif r["fits"] == "no" and pd.notna(r["flash_lower_bound_bytes"]):
            use = max(float(r["flash_lower_bound_bytes"]) / float(r["flash_budget_bytes"]),
                      float(r["ram_lower_bound_bytes"]) / float(r["ram_budget_bytes"])) * 100.0
            grid[i, j] = min(use, 200.0)
            text[i][j] = f"NO\n>= {use:.3g}%"
        else:
            text[i][j] = "no toolchain" if r["status"] == "no_toolchain" else "build\nfailed"
    fig, ax = plt.subplots(figsize=(1.9 * len(boards) + 2, 0.6 * len(models) + 1.8))
    cmap = matplotlib.colormaps["RdYlGn_r"].copy()
    cmap = cmap.with_extremes(bad="#cccccc")
    im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0, vmax=200, aspect="auto")
    ax.set_xticks(range(len(boards)), boards, rotation=20)
    ax.set_yticks(range(len(models)), models)
    for i in range(len(models)):
        for j in range(len(boards)):
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, label="max(flash, RAM) % of budget")
    ax.set_title("Device fit vs Table I budgets: flash (text+rodata+data), RAM (data+bss+stack)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# the kernel variants measured side by side (tinyids.codegen.pipeline.emulation_report):
# column suffix -> (variant, opt, entry)
KERNEL_RUNS = {"reference_os": ("reference", "-Os", "predict"), "fast_os": ("fast", "-Os", "predict"),
               "fast_class_os": ("fast", "-Os", "predict_class"), "fast_class_o2": ("fast", "-O2", "predict_class")}
KERNEL_COLUMNS = [f"kernels_{k}_{v}" for k in KERNEL_RUNS for v in ("min", "median", "max", "flash")] + [
    "kernels_ratio_reference_over_fast_class_os"]


def _kernel_columns(kernels: list[Mapping[str, Any]], model: str, board: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rep in kernels:
        if f"{rep.get('study')}/{rep.get('model')}" != model:  # firmware names models "<study>/<name>"
            continue
        for r in rep["rows"]:
            if r["board"] != board:
                continue
            for key, (variant, opt, entry) in KERNEL_RUNS.items():
                if (r["variant"], r["opt"], r["entry"]) == (variant, opt, entry):
                    out.update({f"kernels_{key}_min": r["count_min"], f"kernels_{key}_median": r["count_median"],
                                f"kernels_{key}_max": r["count_max"], f"kernels_{key}_flash": r["flash_bytes"]})
    ref, new = out.get("kernels_reference_os_median"), out.get("kernels_fast_class_os_median")
    if ref and new:
        out["kernels_ratio_reference_over_fast_class_os"] = ref / new
    return out


def emulation_table(emulations: list[Mapping[str, Any]], kernels: list[Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """One row per (model, board) of the firmware emulation; with ``kernels`` (the codegen
    kernel-variant reports of the same models), the old and new kernels' counts side by side
    (same unit as ``count_unit``: cycles on the Uno, QEMU instructions elsewhere) and their ratio."""
    cols = ["model", "board", "emulator", "status", "reason", "vectors", "builds", "mismatches",
            "mismatches_vs_litert", "host_vs_litert_mismatches", "host_vs_recorded_mismatches", "device_accuracy", "count_unit",
            "count_min", "count_median", "count_max", "clock_hz", "latency_us_min", "latency_us_median",
            "latency_us_max", "stack_bytes"]
    if kernels:
        cols = cols + KERNEL_COLUMNS
    rows = []
    for emu in emulations:
        for r in emu["boards"]:
            top = ("model", "host_vs_litert_mismatches", "host_vs_recorded_mismatches")
            row = {**{k: emu.get(k) for k in top}, **{k: r.get(k) for k in cols if k not in top}}
            if kernels:
                row.update(_kernel_columns(kernels, str(emu.get("model")), str(r.get("board"))))
            rows.append(row)
    return _int_columns(pd.DataFrame(rows, columns=cols),
                        ["vectors", "builds", "mismatches", "mismatches_vs_litert", "host_vs_litert_mismatches",
                         "host_vs_recorded_mismatches",
                         "count_min", "count_max", "clock_hz", "stack_bytes"])


def headline(matrix: pd.DataFrame, emulation: pd.DataFrame, fw: Mapping[str, Any]) -> dict[str, Any]:
    """The Uno headline: per study of ``headline.studies`` (in order), its most accurate model
    that fits, against the issue's aims; the headline model is the first study's that fits.
    The accuracy aim is stated on the idrissi2022 test split; other studies' accuracies are on
    their own datasets and are reported as such."""
    h = fw["headline"]
    bid = h["board"]
    out: dict[str, Any] = {"board": bid, "model": None,
                           "aims": {k: h[k] for k in ("flash_max_bytes", "ram_max_bytes", "latency_max_us", "accuracy_min")},
                           "per_study": {}}
    for study in h["studies"]:
        sub = matrix[(matrix["board"] == bid) & (matrix["study"] == study)].copy()
        sub["acc"] = pd.to_numeric(sub["accuracy"], errors="coerce")
        fit = sub[sub["fits"] == "yes"].sort_values(["acc", "flash_bytes"], ascending=[False, True], na_position="last")
        if not len(fit):
            out["per_study"][study] = {
                "model": None,
                "why_not": [f"{r['model']}: {r['reason'] or r['status']}" for _, r in sub.iterrows()] or ["no candidate"],
            }
            continue
        best = fit.iloc[0]
        emu = emulation[(emulation["model"] == best["model"]) & (emulation["board"] == bid)]
        lat = float(emu.iloc[0]["latency_us_median"]) if len(emu) and pd.notna(emu.iloc[0]["latency_us_median"]) else None
        ram_total = best["ram_with_stack_bytes"] if pd.notna(best["ram_with_stack_bytes"]) else best["ram_bytes"]
        rec = {
            "model": best["model"], "accuracy": None if pd.isna(best["acc"]) else float(best["acc"]),
            "accuracy_on": f"{study} test split",
            "flash_bytes": int(best["flash_bytes"]), "ram_bytes": int(best["ram_bytes"]),
            "ram_with_stack_bytes": int(ram_total), "latency_us_median": lat,
            "latency_us_max": float(emu.iloc[0]["latency_us_max"]) if len(emu) and pd.notna(emu.iloc[0]["latency_us_max"]) else None,
            "parity_mismatches": None if not len(emu) else _py(emu.iloc[0]["mismatches"]),
            "vectors": None if not len(emu) else _py(emu.iloc[0]["vectors"]),
            "others_that_fit": [m for m in fit["model"].tolist()[1:]],
        }
        rec["meets"] = {
            "flash": rec["flash_bytes"] <= h["flash_max_bytes"],
            "ram": rec["ram_with_stack_bytes"] <= h["ram_max_bytes"],
            "latency": lat is not None and lat <= h["latency_max_us"],
            "accuracy": rec["accuracy"] is not None and rec["accuracy"] >= h["accuracy_min"],
        }
        out["per_study"][study] = rec
        if out["model"] is None:
            out.update({k: v for k, v in rec.items() if k != "others_that_fit"})
    return out


def _py(v: Any) -> Any:
    """A pandas / numpy scalar as a JSON-able Python value (NA -> None)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v
