"""Dataset cards: what a dataset file holds, measured, beside what its authors published."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.datasets.validate import duplicate_counts


def table_summary(frame: pd.DataFrame, class_column: str, feature_columns: Sequence[str]) -> dict[str, Any]:
    values = frame[list(c for c in feature_columns if pd.api.types.is_numeric_dtype(frame[c]))]
    missing = {c: int((~np.isfinite(values[c].to_numpy(dtype="float64"))).sum()) for c in values.columns}
    return {
        "rows": int(len(frame)),
        "columns": int(frame.shape[1]),
        "class_counts": {str(k): int(v) for k, v in frame[class_column].value_counts().sort_index().items()},
        "duplicate_rows": int(frame.duplicated().sum()),
        "duplicates_per_class": duplicate_counts(frame, class_column),
        "missing_or_infinite": {c: n for c, n in missing.items() if n},
    }


def build_card(
    dataset: str,
    title: str,
    citation: str,
    files: Mapping[str, dict[str, Any]],
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """``files`` maps a file name to its summary plus ``sha256`` and ``published`` counts."""
    return {"dataset": dataset, "title": title, "citation": citation, "files": dict(files), "notes": list(notes)}


def card_markdown(card: Mapping[str, Any]) -> str:
    lines = [f"# Dataset card: {card['title']}", "", f"Citation: {card['citation']}", ""]
    for name, info in card["files"].items():
        lines += [f"## {name}", "", f"- sha256: `{info.get('sha256', 'n/a')}`", f"- origin: {info.get('origin', 'n/a')}"]
        published = info.get("published", {})
        lines += ["", "| quantity | measured | published |", "|---|---:|---:|"]
        lines.append(f"| rows | {info['rows']:,} | {_fmt(published.get('rows'))} |")
        for cls, count in info["class_counts"].items():
            lines.append(f"| class `{cls}` | {count:,} | {_fmt(published.get(cls))} |")
        for key in ("normal", "attack"):
            if key in published and key not in info["class_counts"]:
                lines.append(f"| {key} | {info.get('binary_counts', {}).get(key, 'n/a'):,} | {_fmt(published[key])} |")
        lines.append(f"| columns | {info['columns']} | |")
        lines.append(f"| exact duplicate rows | {info['duplicate_rows']:,} | |")
        if info["duplicates_per_class"]:
            per = ", ".join(f"{k}: {v:,}" for k, v in info["duplicates_per_class"].items())
            lines.append(f"| duplicates per class | {per} | |")
        missing = info["missing_or_infinite"]
        lines.append(f"| NaN/inf cells | {sum(missing.values()) if missing else 0} | |")
        if info.get("row_check"):
            lines += ["", f"Row count check: {info['row_check']}"]
        lines.append("")
    if card.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in card["notes"]] + [""]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))


def row_check(measured: int, published: int | None) -> str:
    if published is None:
        return "no published count recorded"
    if measured == published:
        return f"matches the published {published:,} rows"
    return f"DIFFERS: measured {measured:,}, published {published:,} ({measured - published:+,})"
