"""The paper's Figure 7, computed from measurements: per board of Table I and per study, the most
accurate deployable that fits the board.

A *candidate* is one (study, protocol, variant): every Deployable of ``firmware.models`` with those
three fields, one per seed (or fold). A candidate fits a board when every one of its deployables was
built for the board and fits its flash and RAM budget with the stack measured in emulation (the fit
matrix's ``fits`` column, :func:`tinyids.firmware.report.fit_matrix`). Its accuracy is the mean and
sample sd of the deployables' ``metrics.accuracy`` over those seeds (``n_seeds`` says how many: one
seed gives no sd). Accuracies come from different datasets in different studies, so a board gets one
row per study, never one winner across studies. The paper's choice for the board
(``firmware.paper.figure7``, with its citation) sits beside each row; ``paper_study`` names the
study whose data the paper's figure is on. Nothing here knows a study by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tinyids.errors import DataError
from tinyids.firmware.boards import boards_from_config
from tinyids.firmware.pipeline import parse_model_ref
from tinyids.study.comparison import summary
from tinyids.study.deployable import Deployable
from tinyids.tables import MISSING
from tinyids.tables import fmt as _fmt

FIXTURE_SOURCE = "fixture"  # firmware.c_source of the hand-written test models: never recommended

COLUMNS = [
    "board", "board_title", "study", "protocol", "variant", "models", "seeds", "n_seeds",
    "accuracy_mean", "accuracy_sd", "flash_bytes", "ram_bytes", "stack_bytes", "ram_with_stack_bytes",
    "stack_measured", "flash_budget_bytes", "ram_budget_bytes", "flash_margin_bytes", "ram_margin_bytes",
    "latency_us_median", "latency_emulator", "count_median", "count_unit", "parity_mismatches",
    "candidates_that_fit", "candidates", "paper_model", "paper_accuracy_percent", "paper_study",
    "paper_where", "citation", "note",
]
INT_COLUMNS = ["n_seeds", "flash_bytes", "ram_bytes", "stack_bytes", "ram_with_stack_bytes", "flash_budget_bytes",
               "ram_budget_bytes", "flash_margin_bytes", "ram_margin_bytes", "parity_mismatches",
               "candidates_that_fit", "candidates"]


def deployable_refs(fw: Mapping[str, Any]) -> list[str]:
    """The ``firmware.models`` that are a study's deployables (not the firmware's own fixtures)."""
    sources = fw["c_source"]
    refs = []
    for ref in fw["models"]:
        study, _ = parse_model_ref(ref)
        if (sources.get(ref) or sources.get(study)) != FIXTURE_SOURCE:
            refs.append(ref)
    return refs


def _first_clause(reason: Any, limit: int = 160) -> str:
    """The fit matrix's reason up to its first "; " (a failed build appends the compiler's output)."""
    text = "" if pd.isna(reason) else str(reason).split("; ", 1)[0].strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ref_of(dep: Deployable) -> str:
    return f"{dep.study}/{dep.name}"


def candidates(deployables: Sequence[Deployable]) -> dict[tuple[str, str, str], list[Deployable]]:
    """(study, protocol, variant) -> its deployables, ordered by seed. Two deployables of one
    candidate with the same seed are an error (the mean would count one run twice)."""
    groups: dict[tuple[str, str, str], list[Deployable]] = {}
    for dep in deployables:
        groups.setdefault((dep.study, dep.protocol, dep.variant), []).append(dep)
    for key, deps in groups.items():
        deps.sort(key=lambda d: int(d.seed))
        seeds = [int(d.seed) for d in deps]
        if len(set(seeds)) != len(seeds):
            names = ", ".join(f"{_ref_of(d)} (seed {d.seed})" for d in deps)
            raise DataError(f"deployables of study {key[0]}, protocol {key[1]}, variant {key[2]} repeat a seed: {names}")
        for d in deps:
            if d.accuracy is None:
                raise DataError(f"{d.path or _ref_of(d)}: metrics.accuracy is missing")
    return groups


def _matrix_rows(matrix: pd.DataFrame, refs: list[str], board: str) -> pd.DataFrame:
    rows = matrix[(matrix["board"] == board) & matrix["model"].isin(refs)]
    missing = sorted(set(refs) - set(rows["model"]))
    if missing:
        raise DataError(f"fit_matrix.csv: no row for board {board} and model(s) {', '.join(missing)}")
    return rows


def _emulated(emulation: pd.DataFrame, refs: list[str], board: str) -> pd.DataFrame:
    rows = emulation[(emulation["board"] == board) & emulation["model"].isin(refs)]
    return rows[rows["status"] == "ok"]


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def recommend(deployables: Sequence[Deployable], matrix: pd.DataFrame, emulation: pd.DataFrame,
              fw: Mapping[str, Any]) -> pd.DataFrame:
    """One row per (board of ``fw.fit_boards``, study): its most accurate fitting candidate (ties:
    the smaller flash), or an empty choice with the measured reason none fits."""
    for name, frame, cols in (("fit_matrix.csv", matrix, ("model", "board", "fits", "status", "reason", "flash_bytes",
                                                          "ram_bytes", "stack_bytes", "ram_with_stack_bytes")),
                              ("emulation.csv", emulation, ("model", "board", "status", "emulator",
                                                            "latency_us_median", "count_median", "count_unit",
                                                            "mismatches"))):
        absent = [c for c in cols if c not in frame.columns]
        if absent:
            raise DataError(f"{name}: missing column(s) {', '.join(absent)}")
    boards = boards_from_config(fw)
    paper = fw["paper"]
    groups = candidates(deployables)
    studies = list(dict.fromkeys(key[0] for key in groups))
    rows = []
    for bid in fw["fit_boards"]:
        board = boards[bid]
        choice = paper["figure7"].get(bid) or {}
        base = {"board": bid, "board_title": board.title, "flash_budget_bytes": board.flash_bytes,
                "ram_budget_bytes": board.ram_bytes, "paper_model": choice.get("model"),
                "paper_accuracy_percent": choice.get("accuracy_percent"), "paper_study": paper["study"],
                "paper_where": choice.get("where", "no Figure 7 entry for this board in config"),
                "citation": paper["citation"]}
        for study in studies:
            scored = []
            why_not = []
            keys = [k for k in groups if k[0] == study]
            for key in keys:
                deps = groups[key]
                refs = [_ref_of(d) for d in deps]
                fit = _matrix_rows(matrix, refs, bid)
                if (fit["fits"] == "yes").all():
                    mean, sd, n = summary(d.accuracy for d in deps)
                    scored.append((mean, float(_num(fit["flash_bytes"]).max()), key, deps, fit, sd, n))
                else:
                    bad = fit[fit["fits"] != "yes"].iloc[0]
                    why_not.append((_first_clause(bad["reason"]) or str(bad["status"]), str(bad["model"])))
            row = {**base, "study": study, "candidates": len(keys), "candidates_that_fit": len(scored)}
            if scored:
                scored.sort(key=lambda s: (-s[0], s[1]))
                mean, flash, key, deps, fit, sd, n = scored[0]
                refs = [_ref_of(d) for d in deps]
                stack = _num(fit["stack_bytes"])
                measured = bool(stack.notna().all())
                ram_total = _num(fit["ram_with_stack_bytes"]).max() if measured else np.nan
                emu = _emulated(emulation, refs, bid)
                lat = _num(emu["latency_us_median"]).dropna()
                counts = _num(emu["count_median"]).dropna()
                row.update(
                    protocol=key[1], variant=key[2], models=";".join(refs),
                    seeds=";".join(str(d.seed) for d in deps), n_seeds=n, accuracy_mean=mean, accuracy_sd=sd,
                    flash_bytes=flash, ram_bytes=_num(fit["ram_bytes"]).max(),
                    stack_bytes=stack.max() if measured else np.nan, ram_with_stack_bytes=ram_total,
                    stack_measured="yes" if measured else "no",
                    flash_margin_bytes=board.flash_bytes - flash,
                    ram_margin_bytes=board.ram_bytes - (ram_total if measured else _num(fit["ram_bytes"]).max()),
                    latency_us_median=float(lat.mean()) if len(lat) else np.nan,
                    latency_emulator=";".join(sorted(set(emu["emulator"].astype(str)))) if len(emu) else "",
                    count_median=float(counts.mean()) if len(counts) else np.nan,
                    count_unit=";".join(sorted(set(emu.loc[counts.index, "count_unit"].astype(str)))) if len(counts) else "",
                    parity_mismatches=_num(emu["mismatches"]).sum() if len(emu) else np.nan,
                    note="" if measured else "stack not measured on this board: static RAM only",
                )
                if len(deps) > 1 and len(emu) and len(emu) < len(deps):
                    row["note"] = (row["note"] + "; " if row["note"] else "") + \
                        f"latency from {len(emu)} of {len(deps)} seeds' builds (the others not emulated)"
            else:
                reasons: dict[str, list[str]] = {}
                for reason, model in why_not:
                    reasons.setdefault(reason, []).append(model)
                row["note"] = (f"no {study} deployable fits: " + "; ".join(f"{', '.join(m)}: {r}" for r, m in reasons.items())
                               if reasons else "no candidate")
            rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in INT_COLUMNS:
        out[c] = _num(out[c]).round().astype("Int64")
    return out


def fmt(value: Any) -> str:
    """A table cell; pandas' NA (nullable integer columns) is missing too."""
    return MISSING if value is pd.NA else _fmt(value)


def _acc(mean: Any, sd: Any, n: Any) -> str:
    if pd.isna(mean):
        return fmt(None)
    text = f"{100 * float(mean):.2f}"
    if not pd.isna(sd):
        text += f" +- {100 * float(sd):.2f}"
    return f"{text} % (n={int(n)})" if not pd.isna(n) else text + " %"


def markdown(rec: pd.DataFrame, fw: Mapping[str, Any], smoke: bool = False) -> str:
    """recommendation.md: one table per board, one row per study, the paper's choice above it."""
    lines = ["# Model per board: the paper's Figure 7, computed from measurements", ""]
    if smoke:
        lines += ["**Smoke run**: small subsamples and few epochs; the figures test the pipeline, not the papers.", ""]
    lines += [
        "For each board of Table I and each study, the most accurate deployable (a study's variant, every seed "
        "of it) whose firmware fits the board's budgets: flash = text + rodata + data, RAM = data + bss + the "
        "stack measured in emulation. Accuracy: mean +- sample sd over the variant's seeds on its study's "
        "test split (n = seeds; n=1 has no sd). Accuracies compare within a study only: each study has its own "
        f"dataset. The paper's choices come from {fw['paper']['citation']}, Figure 7 (its accuracy is on "
        f"{fw['paper']['study']} data).", "",
    ]
    hb = fw["headline"]["board"]
    uno = rec[rec["board"] == hb]
    if len(uno):
        lines += [f"## Headline: the {uno.iloc[0]['board_title']} ({hb})", ""]
        for _, r in uno.iterrows():
            if pd.isna(r["models"]):
                lines.append(f"- **{r['study']}**: {r['note']}")
                continue
            ram = r["ram_with_stack_bytes"] if not pd.isna(r["ram_with_stack_bytes"]) else r["ram_bytes"]
            lines.append(f"- **{r['study']}**: {r['variant']} ({r['protocol']} protocol), accuracy "
                         f"{_acc(r['accuracy_mean'], r['accuracy_sd'], r['n_seeds'])}, flash {fmt(r['flash_bytes'])} B, "
                         f"RAM {fmt(ram)} B with stack, median latency {fmt(r['latency_us_median'])} us")
        first = uno.iloc[0]
        paper_model = first["paper_model"] if not pd.isna(first["paper_model"]) else "none"
        lines += [f"- paper's choice: {paper_model} ({first['paper_where']})", ""]
    head = ("| study | protocol | variant | accuracy | flash B | RAM B (with stack) | stack B | median latency us "
            "| median count per inference (emulator) | parity mismatches | fit / candidates | note |")
    for bid, part in rec.groupby("board", sort=False):
        first = part.iloc[0]
        paper_acc = "" if pd.isna(first["paper_accuracy_percent"]) else f", {first['paper_accuracy_percent']} %"
        paper_model = first["paper_model"] if not pd.isna(first["paper_model"]) else "none"
        lines += [f"## {first['board_title']} ({bid}): flash {first['flash_budget_bytes']:,} B, "
                  f"RAM {first['ram_budget_bytes']:,} B", "",
                  f"Paper's choice: **{paper_model}**{paper_acc} ({first['paper_where']})", "",
                  head, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for _, r in part.iterrows():
            ram = r["ram_with_stack_bytes"] if not pd.isna(r["ram_with_stack_bytes"]) else r["ram_bytes"]
            count = fmt(r["count_median"])
            if not pd.isna(r["count_median"]):
                count += f" {r['count_unit']} ({r['latency_emulator']})"
            cells = [r["study"], fmt(r["protocol"]), fmt(r["variant"]),
                     _acc(r["accuracy_mean"], r["accuracy_sd"], r["n_seeds"]), fmt(r["flash_bytes"]), fmt(ram),
                     fmt(r["stack_bytes"]), fmt(r["latency_us_median"]), count, fmt(r["parity_mismatches"]),
                     f"{r['candidates_that_fit']}/{r['candidates']}", "" if pd.isna(r["note"]) else str(r["note"])]
            lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
