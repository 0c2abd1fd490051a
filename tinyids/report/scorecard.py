"""The reproduction scorecard: every paper figure beside ours, with a verdict.

Each study writes ``results/<study>/paper_comparison.csv``; this module reads them in one
normalised shape (``COLUMNS``), computes the difference and a verdict against the tolerance set
in config, and writes the scorecard. Nothing here holds a paper figure: they all come from the
studies' config ``paper:`` blocks through the comparison files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tinyids.errors import DataError

COLUMNS = ("study", "table", "quantity", "protocol", "paper_value", "our_value", "citation")
OUTPUT_COLUMNS = COLUMNS + ("difference", "tolerance", "verdict", "reason")
# Quantities where smaller is better (sizes, losses, error rates); everything else: larger.
LOWER_IS_BETTER_MARKERS = ("size", "bytes", "kb", "loss", "fpr", "false_positive", "params", "parameters", "latency")


def read_comparison(path: str | Path, study: str) -> pd.DataFrame:
    frame = pd.read_csv(path)
    if "study" not in frame.columns:
        frame.insert(0, "study", study)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: paper comparison lacks column(s) {', '.join(missing)}")
    return frame


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


def verdict(quantity: str, paper: Any, ours: Any, tolerances: Mapping[str, float]) -> dict[str, Any]:
    """Relative tolerance for sizes and counts, absolute for rates in [0, 1]."""
    p, o = _number(paper), _number(ours)
    if p is None or o is None:
        reason = "paper gives no number" if p is None else "not measured in this run"
        return {"difference": float("nan"), "tolerance": float("nan"), "verdict": "not comparable", "reason": reason}
    if "percent" in quantity.lower():  # compare percentages as the rates they are
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
    frame = pd.concat([c[list(COLUMNS)] for c in comparisons], ignore_index=True)
    verdicts = [verdict(str(r.quantity), r.paper_value, r.our_value, tolerances) for r in frame.itertuples()]
    out = pd.concat([frame, pd.DataFrame(verdicts)], axis=1)
    return out[list(OUTPUT_COLUMNS)]


def scorecard_markdown(scorecard: pd.DataFrame, smoke: bool = False) -> str:
    lines = ["# Reproduction scorecard", ""]
    if smoke:
        lines += ["**Smoke run**: small subsamples and few epochs; the figures test the pipeline, not the papers.", ""]
    counts = scorecard["verdict"].value_counts()
    lines.append("Verdicts: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    lines += ["", "| study | table | quantity | protocol | paper | ours | difference | verdict |", "|---|---|---|---|---:|---:|---:|---|"]
    for r in scorecard.itertuples():
        lines.append(
            f"| {r.study} | {r.table} | {r.quantity} | {r.protocol} | {_fmt(r.paper_value)} | {_fmt(r.our_value)} "
            f"| {_fmt(r.difference)} | {r.verdict} |"
        )
    lines += ["", "Citations:", ""]
    for citation in sorted(set(scorecard["citation"].astype(str))):
        lines.append(f"- {citation}")
    return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    number = _number(value)
    if number is None:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.4g}"
