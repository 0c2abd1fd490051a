"""Table II of the paper beside our measurements: ``paper_comparison.csv`` and ``.md``.

Every figure comes from files: the paper values (with their citation) from the config's
``idrissi2022.paper`` block, ours from ``metrics.csv`` (mean and standard deviation over the
seeds, per protocol). Sizes: the paper gives OM and POM as Keras files, tM/tMO/tMOP as .tflite
files; "Kb" is read as KiB (1024 bytes), stated in the ``paper_unit`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

UNIT_BYTES = {"bytes": 1, "B": 1, "KiB": 1024, "KB": 1000, "Kb": 1024}
# Which of our size columns matches the paper's size of each variant.
SIZE_COLUMN = {"OM": "keras_bytes", "POM": "keras_bytes", "tM": "tflite_bytes", "tMO": "tflite_bytes",
               "tMOP": "tflite_bytes"}


def _stats(values: pd.Series) -> tuple[float, float]:
    values = pd.to_numeric(values, errors="coerce").dropna()
    if values.empty:
        return float("nan"), float("nan")
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def compare(metrics: pd.DataFrame, paper: Mapping[str, Any]) -> pd.DataFrame:
    """Long table: one row per (protocol, figure) with paper value, ours (mean, sd, n) and difference."""
    rows: list[dict[str, Any]] = []
    citation = paper["citation"]
    for protocol, frame in metrics.groupby("protocol", sort=False):
        source = ",".join(sorted(set(frame["source"].astype(str))))
        for variant, spec in paper["table2"].items():
            sub = frame[frame["variant"] == variant]
            acc_mean, acc_sd = _stats(sub["accuracy"] * 100.0)
            rows.append(comparison_row(protocol, source, variant, "accuracy_percent", spec["accuracy_percent"], "%",
                             acc_mean, acc_sd, len(sub), citation, spec["where"]))
            size = spec["size"]
            size_mean, size_sd = _stats(sub[SIZE_COLUMN[variant]]) if not sub.empty else (np.nan, np.nan)
            rows.append(comparison_row(protocol, source, variant, f"size_bytes ({SIZE_COLUMN[variant]})",
                             size["value"] * UNIT_BYTES[size["unit"]], f"{size['value']} {size['unit']}",
                             size_mean, size_sd, len(sub), citation, spec["where"]))
        for variant, spec in paper["parameters"].items():
            sub = frame[frame["variant"] == variant]
            p_mean, p_sd = _stats(sub["params"])
            rows.append(comparison_row(protocol, source, variant, "parameters", spec["value"], "parameters",
                             p_mean, p_sd, len(sub), citation, spec["where"]))
    return pd.DataFrame(rows)


def comparison_row(protocol, source, variant, figure, paper_value, paper_unit, ours, ours_sd, n, citation, where) -> dict[str, Any]:
    paper_value = float(paper_value)
    return {
        "protocol": protocol, "source": source, "variant": variant, "figure": figure,
        "paper": paper_value, "paper_unit": paper_unit, "ours_mean": ours, "ours_sd": ours_sd, "n_seeds": n,
        "difference": ours - paper_value if np.isfinite(ours) else float("nan"),
        "ratio": ours / paper_value if np.isfinite(ours) and paper_value else float("nan"),
        "citation": citation,
        "where": where,
    }


def to_markdown(table: pd.DataFrame, *, smoke: bool, citation: str = "", notes: list[str] | None = None) -> str:
    lines = ["# idrissi2022: Table II reproduction", ""]
    if smoke:
        lines += ["**Smoke run**: few epochs on a small subsample; these numbers are not a reproduction.", ""]
    for note in notes or []:
        lines.append(f"- {note}")
    if notes:
        lines.append("")
    header = "| protocol | variant | figure | paper (where) | ours (mean ± sd, n) | difference |"
    for protocol, frame in table.groupby("protocol", sort=False):
        lines += [f"## protocol `{protocol}` (data source: {', '.join(sorted(set(frame['source'])))})", "",
                  header, "|---|---|---|---|---|---|"]
        for _, r in frame.iterrows():
            ours = "n/a" if not np.isfinite(r["ours_mean"]) else f"{_fmt(r['ours_mean'])} ± {_fmt(r['ours_sd'])} ({r['n_seeds']})"
            diff = "n/a" if not np.isfinite(r["difference"]) else f"{r['difference']:+,.2f}"
            lines.append(f"| {protocol} | {r['variant']} | {r['figure']} | {_fmt(r['paper'])} {r['paper_unit']} "
                         f"({r['where']}) | {ours} | {diff} |")
        lines.append("")
    if citation:
        lines += [f"Paper values: {citation}.", ""]
    return "\n".join(lines)


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"
