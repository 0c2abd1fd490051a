"""Each study's own comparison files, read into the scorecard's one shape.

The studies write comparisons in the shape that suits their tables (the srm2025 loss table, the
ibrahim2025 two-protocol columns, the idrissi2022 per-variant figures); these adapters map each
onto ``scorecard.COLUMNS`` without changing a number.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tinyids.errors import DataError
from tinyids.report.scorecard import COLUMNS

IBRAHIM_CITATION = ("Ibrahim, Fagge, Mabu, A lightweight deep learning model for intrusion detection in IoMT "
                    "devices using weight pruning technique, 2025")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: comparison lacks column(s) {', '.join(missing)}")


def srm2025(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    _require(frame, ("comparison", "protocol", "test_set", "model", "metric", "paper_value", "ours", "paper_citation"), path)
    return pd.DataFrame({
        "study": "srm2025",
        "table": frame["comparison"],
        "quantity": frame["metric"] + " (" + frame["model"].astype(str) + ")",
        "protocol": frame["protocol"] + "/" + frame["test_set"],
        "paper_value": frame["paper_value"],
        "our_value": frame["ours"],
        "citation": frame["paper_citation"],
    })


def ibrahim2025(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    _require(frame, ("source", "quantity", "model", "paper", "ours_paper_protocol", "ours_sound_protocol"), path)
    parts = []
    for protocol in ("paper", "sound"):
        parts.append(pd.DataFrame({
            "study": "ibrahim2025",
            "table": frame["source"],
            "quantity": frame["quantity"] + " (" + frame["model"].astype(str) + ")",
            "protocol": protocol,
            "paper_value": frame["paper"],
            "our_value": frame[f"ours_{protocol}_protocol"],
            "citation": IBRAHIM_CITATION + ", " + frame["source"],
        }))
    return pd.concat(parts, ignore_index=True)


def idrissi2022(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    _require(frame, ("protocol", "variant", "figure", "paper", "ours_mean", "citation", "where"), path)
    return pd.DataFrame({
        "study": "idrissi2022",
        "table": frame["where"],
        "quantity": frame["figure"] + " (" + frame["variant"].astype(str) + ")",
        "protocol": frame["protocol"],
        "paper_value": frame["paper"],
        "our_value": frame["ours_mean"],
        "citation": frame["citation"],
    })


ADAPTERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "srm2025": srm2025,
    "ibrahim2025": ibrahim2025,
    "idrissi2022": idrissi2022,
}


def read_study_comparison(study: str, path: str | Path) -> pd.DataFrame:
    if study not in ADAPTERS:
        raise DataError(f"no scorecard adapter for study '{study}'")
    frame = ADAPTERS[study](Path(path))
    return frame[list(COLUMNS)]
