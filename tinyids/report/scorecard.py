"""The reproduction scorecard: every paper figure beside ours, with a verdict.

Each study writes ``results/<study>/paper_comparison.csv`` in the one ComparisonRow schema
(:mod:`tinyids.study.comparison`); this module reads those files as they are, computes the
difference and a verdict against the tolerance set in config, and writes the scorecard. Nothing
here holds a paper figure or knows a study: they all come from the studies' config ``paper:``
blocks through the comparison files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tinyids.study import comparison
from tinyids.tables import fmt

COLUMNS = comparison.COLUMNS
OUTPUT_COLUMNS = COLUMNS + ("difference", "tolerance", "verdict", "reason")
# Quantities where smaller is better (sizes, losses, error rates); everything else: larger.
LOWER_IS_BETTER_MARKERS = ("size", "bytes", "kb", "loss", "fpr", "false_positive", "params", "parameters", "latency")


def read_comparisons(paths: Iterable[str | Path]) -> list[pd.DataFrame]:
    """Every ``paper_comparison.csv``, checked against the ComparisonRow columns (an error names
    the file, the row and the column at fault)."""
    return [comparison.read(path) for path in paths]


def lower_is_better(quantity: str) -> bool:
    q = quantity.lower()
    return any(marker in q for marker in LOWER_IS_BETTER_MARKERS)


def tolerance_for(quantity: str, tolerances: Mapping[str, float]) -> float:
    q = quantity.lower()
    for key, value in tolerances.items():
        if key != "default" and key.lower() in q:
            return float(value)
    return float(tolerances.get("default", 0.01))


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def verdict(quantity: str, paper: Any, ours: Any, tolerances: Mapping[str, float], unit: Any = "") -> dict[str, Any]:
    """Relative tolerance for sizes and counts, absolute for rates in [0, 1] (percentages, by
    quantity name or unit ``%``, are compared as the rates they are)."""
    p, o = _number(paper), _number(ours)
    if p is None or o is None:
        reason = "paper gives no number" if p is None else "not measured in this run"
        return {"difference": float("nan"), "tolerance": float("nan"), "verdict": "not comparable", "reason": reason}
    if "percent" in quantity.lower() or str(unit).strip() == "%":  # compare percentages as rates
        p, o = p / 100.0, o / 100.0
    tol = tolerance_for(quantity, tolerances)
    diff = o - p
    relative = abs(p) > 1.0 or abs(o) > 1.0  # sizes, parameter counts: compare relatively
    gap = abs(diff) / abs(p) if relative and p != 0 else abs(diff)
    if gap <= tol:
        word = "reproduced"
    elif (diff < 0) == lower_is_better(quantity):
        word = "better"
    else:
        word = "worse"
    basis = "relative" if relative else "absolute"
    return {"difference": diff, "tolerance": tol, "verdict": word, "reason": f"{basis} gap {gap:.4g} vs tolerance {tol:g}"}


def build_scorecard(comparisons: Iterable[pd.DataFrame], tolerances: Mapping[str, float]) -> pd.DataFrame:
    frames = []
    for i, table in enumerate(comparisons):
        comparison.check(table, f"comparison {i + 1}")
        frames.append(table[list(COLUMNS)])
    if not frames:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    frame = pd.concat(frames, ignore_index=True)
    verdicts = [verdict(str(r.quantity), r.paper_value, r.our_value, tolerances, r.unit) for r in frame.itertuples()]
    out = pd.concat([frame, pd.DataFrame(verdicts)], axis=1)
    return out[list(OUTPUT_COLUMNS)]


DISPLAY_COLUMNS = ("study", "table", "quantity", "unit", "protocol", "model", "paper", "ours", "sd", "n",
                   "difference", "verdict")


def display_cells(row: Any) -> list[str]:
    """One scorecard row as the cells of ``DISPLAY_COLUMNS`` (the md and the HTML table)."""
    return [str(row.study), str(row.table), str(row.quantity), fmt(row.unit), str(row.protocol), str(row.model),
            fmt(row.paper_value), fmt(row.our_value), fmt(row.our_sd), fmt(row.n_runs), fmt(row.difference),
            str(row.verdict)]


def scorecard_markdown(scorecard: pd.DataFrame, smoke: bool = False) -> str:
    lines = ["# Reproduction scorecard", ""]
    if smoke:
        lines += ["**Smoke run**: small subsamples and few epochs; the figures test the pipeline, not the papers.", ""]
    counts = scorecard["verdict"].value_counts()
    lines.append("Verdicts: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    lines += ["", "Ours: the mean over `n` runs (seeds or folds), `sd` their sample standard deviation.", ""]
    numeric = {"paper", "ours", "sd", "n", "difference"}
    lines += ["| " + " | ".join(DISPLAY_COLUMNS) + " |",
              "|" + "".join("---:|" if c in numeric else "---|" for c in DISPLAY_COLUMNS)]
    for r in scorecard.itertuples():
        lines.append("| " + " | ".join(display_cells(r)) + " |")
    lines += ["", "Citations:", ""]
    for citation in sorted(set(scorecard["citation"].astype(str))):
        lines.append(f"- {citation}")
    return "\n".join(lines) + "\n"
