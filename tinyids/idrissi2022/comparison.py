"""Table II of the paper beside our measurements: ``paper_comparison.csv`` and ``.md``.

Every figure comes from files: the paper values (with their citation) from the config's
``idrissi2022.paper`` block, ours from ``metrics.csv`` (mean and standard deviation over the
seeds, per protocol). Sizes: the paper gives OM and POM as Keras files, tM/tMO/tMOP as .tflite
files; "Kb" is read as KiB (1024 bytes), stated in the ``paper_unit`` column. The seeds' standard
deviation is NaN for a single seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tinyids.study import comparison
from tinyids.tables import MISSING, fmt, fmt_mean_sd, is_missing

UNIT_BYTES = {"bytes": 1, "B": 1, "KiB": 1024, "KB": 1000, "Kb": 1024}
# Which of our size columns matches the paper's size of each variant.
SIZE_COLUMN = {"OM": "keras_bytes", "POM": "keras_bytes", "tM": "tflite_bytes", "tMO": "tflite_bytes",
               "tMOP": "tflite_bytes"}
# Issue 16: the conversions the paper's Table II sizes imply, beside the full-int8 rows.
CONVERSION_OF_TABLE2 = {"tMO": ("tMO_float", "tMO_dynamic"), "tMOP": ("tMOP_float", "tMOP_dynamic")}
# Issue 14: the project's robust variants are held against the paper's NodeMCU model.
ROBUST_REFERENCE = "tMOP"


STUDY = "idrissi2022"


def compare(metrics: pd.DataFrame, paper: Mapping[str, Any]) -> pd.DataFrame:
    """ComparisonRows (:mod:`tinyids.study.comparison`): per protocol, every Table II figure
    (accuracy, size) and parameter count of each variant (``model``), ours the mean over the seeds
    (``run``) of ``metrics.csv``. Extra columns: ``source`` (testbed or original capture),
    ``paper_unit`` (as the paper prints it), ``difference`` and ``ratio`` (of our mean)."""
    rows: list[dict[str, Any]] = []
    citation = paper["citation"]
    for protocol, frame in metrics.groupby("protocol", sort=False):
        source = ",".join(sorted(set(frame["source"].astype(str))))
        for variant, spec in paper["table2"].items():
            size = spec["size"]
            present = set(frame["model"])
            for model in (variant, *[c for c in CONVERSION_OF_TABLE2.get(variant, ()) if c in present]):
                sub = frame[frame["model"] == model]
                label = _label(sub)
                rows.append(comparison_row(protocol, source, model, "accuracy_percent", "%", spec["accuracy_percent"],
                                           "%", sub["accuracy"] * 100.0, citation, spec["where"], label))
                rows.append(comparison_row(protocol, source, model, f"size_bytes ({SIZE_COLUMN[variant]})", "bytes",
                                           size["value"] * UNIT_BYTES[size["unit"]], f"{size['value']} {size['unit']}",
                                           sub[SIZE_COLUMN[variant]], citation, spec["where"], label))
        reference = paper["table2"].get(ROBUST_REFERENCE)
        robust = sorted(m for m in set(frame["model"]) if "_robust" in str(m)
                        and _label(frame[frame["model"] == m]).startswith("full int8"))
        for model in robust if reference else ():
            sub = frame[frame["model"] == model]
            rows.append(comparison_row(
                protocol, source, model, f"accuracy_percent (ours: robust variant; paper: {ROBUST_REFERENCE})", "%",
                reference["accuracy_percent"], "%", sub["accuracy"] * 100.0, citation,
                f"{reference['where']}; not the paper's model", _label(sub)))
        for variant, spec in paper["parameters"].items():
            sub = frame[frame["model"] == variant]
            rows.append(comparison_row(protocol, source, variant, "parameters", "parameters", spec["value"], "parameters",
                                       sub["params"], citation, spec["where"]))
    return comparison.frame(rows, "idrissi2022 paper comparison")


def _label(sub: pd.DataFrame) -> str:
    """The ``conversion`` of a model's metrics rows (what its file is), empty when unknown."""
    if "conversion" not in sub.columns or sub.empty:
        return ""
    return ",".join(sorted(set(sub["conversion"].dropna().astype(str))))


def comparison_row(protocol, source, variant, quantity, unit, paper_value, paper_unit, values, citation, where,
                   conversion: str = "") -> dict[str, Any]:
    """One ComparisonRow; ``values``: our figure, one per run (seed). ``where``: the place in the
    paper (the row's ``table``); ``conversion``: what our model file is (extra column)."""
    paper_value = float(paper_value)
    ours, ours_sd, n = comparison.summary(values)
    return {
        "study": STUDY, "table": where, "quantity": quantity, "unit": unit, "protocol": protocol, "model": variant,
        "paper_value": paper_value, "our_value": ours, "our_sd": ours_sd, "n_runs": n, "citation": citation,
        "source": source, "paper_unit": paper_unit, "conversion": conversion,
        "difference": ours - paper_value if np.isfinite(ours) else float("nan"),
        "ratio": ours / paper_value if np.isfinite(ours) and paper_value else float("nan"),
    }


def to_markdown(table: pd.DataFrame, *, smoke: bool, citation: str = "", notes: list[str] | None = None) -> str:
    lines = ["# idrissi2022: Table II reproduction", ""]
    if smoke:
        lines += ["**Smoke run**: few epochs on a small subsample; these numbers are not a reproduction.", ""]
    for note in notes or []:
        lines.append(f"- {note}")
    if notes:
        lines.append("")
    header = "| protocol | variant | our model file | figure | paper (where) | ours (mean ± sd, n) | difference |"
    for protocol, frame in table.groupby("protocol", sort=False):
        lines += [f"## protocol `{protocol}` (data source: {', '.join(sorted(set(frame['source'])))})", "",
                  header, "|---|---|---|---|---|---|---|"]
        for _, r in frame.iterrows():
            ours = fmt_mean_sd(r["our_value"], r["our_sd"], r["n_runs"], 2)
            diff = MISSING if is_missing(r["difference"]) else f"{r['difference']:+,.2f}"
            conv = r["conversion"] if "conversion" in r and isinstance(r["conversion"], str) else ""
            lines.append(f"| {protocol} | {r['model']} | {conv} | {r['quantity']} | {fmt(r['paper_value'], 2)} {r['paper_unit']} "
                         f"({r['table']}) | {ours} | {diff} |")
        lines.append("")
    if citation:
        lines += [f"Paper values: {citation}.", ""]
    return "\n".join(lines)
