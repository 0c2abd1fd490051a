"""Fit matrix, heatmap, recommendation (the paper's Figure 7, computed) and emulation table."""

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


def emulation_table(emulations: list[Mapping[str, Any]]) -> pd.DataFrame:
    cols = ["model", "board", "emulator", "status", "reason", "vectors", "builds", "mismatches",
            "mismatches_vs_litert", "host_vs_litert_mismatches", "host_vs_recorded_mismatches", "device_accuracy", "count_unit",
            "count_min", "count_median", "count_max", "clock_hz", "latency_us_min", "latency_us_median",
            "latency_us_max", "stack_bytes"]
    rows = []
    for emu in emulations:
        for r in emu["boards"]:
            top = ("model", "host_vs_litert_mismatches", "host_vs_recorded_mismatches")
            rows.append({**{k: emu.get(k) for k in top}, **{k: r.get(k) for k in cols if k not in top}})
    return _int_columns(pd.DataFrame(rows, columns=cols),
                        ["vectors", "builds", "mismatches", "mismatches_vs_litert", "host_vs_litert_mismatches",
                         "host_vs_recorded_mismatches",
                         "count_min", "count_max", "clock_hz", "stack_bytes"])


def recommendation(matrix: pd.DataFrame, emulation: pd.DataFrame, fw: Mapping[str, Any]) -> pd.DataFrame:
    """Per board and study: the most accurate model that fits (ties: smaller flash). Accuracies
    are only comparable within a study (each study has its own dataset and test split), so a
    board gets one row per study; the paper's Figure 7 choice sits on the idrissi2022 rows."""
    paper = fw["paper"]["figure7"]
    studies = [s for s in dict.fromkeys(matrix["study"]) if s != "fixture"]  # fixtures: never recommended
    rows = []
    for bid in fw["fit_boards"]:
        p = paper.get(bid, {}) or {}
        board_rows = matrix[matrix["board"] == bid]
        for study in studies:
            cand = board_rows[board_rows["study"] == study]
            sub = cand[cand["fits"] == "yes"].copy()
            sub["acc"] = pd.to_numeric(sub["accuracy"], errors="coerce")
            sub = sub.sort_values(["acc", "flash_bytes"], ascending=[False, True], na_position="last")
            row: dict[str, Any] = {"board": bid, "study": study}
            if study == "idrissi2022":
                row.update(paper_model=p.get("model"), paper_accuracy_percent=p.get("accuracy_percent"),
                           paper_where=p.get("where", ""), citation=fw["paper"]["citation"])
            if len(sub):
                best = sub.iloc[0]
                emu = emulation[(emulation["model"] == best["model"]) & (emulation["board"] == bid)]
                e = emu.iloc[0] if len(emu) else None
                row.update(
                    model=best["model"], accuracy=best["acc"], flash_bytes=best["flash_bytes"],
                    ram_bytes=best["ram_bytes"], stack_bytes=best["stack_bytes"],
                    flash_margin_bytes=best["flash_margin_bytes"], ram_margin_bytes=best["ram_margin_bytes"],
                    candidates_that_fit=int(len(sub)), candidates=int(len(cand)),
                    parity_mismatches=None if e is None else e["mismatches"],
                    latency_us_median=None if e is None else e["latency_us_median"],
                    count_median=None if e is None else e["count_median"],
                    count_unit=None if e is None else e["count_unit"],
                    note="",
                )
            elif len(cand) and (cand["status"] == "no_toolchain").all():
                row.update(model=None, candidates=int(len(cand)),
                           note="not built: no toolchain for this board offline (see fit_matrix estimate_note)")
            else:
                row.update(model=None, candidates=int(len(cand)), note="no model of this study fits")
            rows.append(row)
    cols = ["board", "study", "model", "accuracy", "flash_bytes", "ram_bytes", "stack_bytes",
            "flash_margin_bytes", "ram_margin_bytes", "candidates_that_fit", "candidates", "parity_mismatches",
            "latency_us_median", "count_median", "count_unit", "paper_model", "paper_accuracy_percent",
            "paper_where", "citation", "note"]
    return _int_columns(pd.DataFrame(rows, columns=cols),
                        ["flash_bytes", "ram_bytes", "stack_bytes", "flash_margin_bytes", "ram_margin_bytes",
                         "candidates_that_fit", "candidates", "parity_mismatches"])


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


def _fmt(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def recommendation_markdown(rec: pd.DataFrame, head: Mapping[str, Any], fw: Mapping[str, Any]) -> str:
    lines = [
        "# Model per board: the paper's Figure 7, computed",
        "",
        "For each board of Table I and each study, the most accurate deployable model whose firmware "
        "fits the board's budgets (flash = text + rodata + data; RAM = data + bss + measured stack). "
        "Accuracies compare within a study only (each study has its own dataset). The paper's choice "
        f"({fw['paper']['citation']}, Figure 7) is on the idrissi2022 rows.",
        "",
        "| board | study | computed choice | accuracy | flash B | RAM B | stack B | fit / built | parity mismatches | median count | unit | median latency us | paper's choice | paper accuracy % | paper, where | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in rec.iterrows():
        fitc = f"{_fmt(r.get('candidates_that_fit'))}/{_fmt(r.get('candidates'))}"
        vals = [_fmt(r.get(k)) for k in ("board", "study", "model", "accuracy", "flash_bytes", "ram_bytes", "stack_bytes")]
        vals.append(fitc)
        vals += [_fmt(r.get(k)) for k in ("parity_mismatches", "count_median", "count_unit", "latency_us_median",
                                          "paper_model", "paper_accuracy_percent", "paper_where", "note")]
        lines.append("| " + " | ".join(vals) + " |")
    lines += ["", f"## Headline: a model on the {head['board']}", ""]
    aims = head["aims"]
    lines.append(f"Aims (issue 6): flash <= {aims['flash_max_bytes']} B, RAM (static + stack) <= "
                 f"{aims['ram_max_bytes']} B, median latency <= {aims['latency_max_us']} us, accuracy >= "
                 f"{aims['accuracy_min']} (on the idrissi2022 test split).")
    lines.append("")
    for study, r in head["per_study"].items():
        if r.get("model"):
            met = ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in r["meets"].items())
            lines.append(
                f"- **{study}: {r['model']}**: accuracy {_fmt(r['accuracy'])} ({r['accuracy_on']}), flash "
                f"{r['flash_bytes']} B, RAM {r['ram_bytes']} B static ({r['ram_with_stack_bytes']} B with stack), "
                f"latency median {_fmt(r['latency_us_median'])} us / max {_fmt(r['latency_us_max'])} us "
                f"(simavr, cycle-accurate at 16 MHz), parity mismatches {_fmt(r['parity_mismatches'])} over "
                f"{_fmt(r['vectors'])} vectors. {met}."
            )
        else:
            lines.append(f"- **{study}**: no model fits the {head['board']}: " + "; ".join(r["why_not"]))
    return "\n".join(lines) + "\n"
