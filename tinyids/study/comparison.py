"""ComparisonRow: one published figure beside ours, the one schema of every
``results/<study>/paper_comparison.csv`` (the report reads these files directly)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.errors import DataError

# study, the paper's table or figure id, the quantity and its unit, our protocol, the model or
# variant, the paper's value, our mean, our standard deviation and how many runs (seeds or
# folds) it summarises, and the citation of the paper's figure.
COLUMNS = ("study", "table", "quantity", "unit", "protocol", "model", "paper_value", "our_value",
           "our_sd", "n_runs", "citation")
NUMERIC = ("paper_value", "our_value", "our_sd", "n_runs")
# The ``model`` of a row whose published figure has no counterpart among our models (a
# literature baseline): the row keeps the paper's value, ours is NaN with ``n_runs`` 0.
NO_MODEL = "(none)"


def summary(values: Iterable[Any]) -> tuple[float, float, int]:
    """(mean, sample standard deviation, n) of the finite values among ``values``: what
    ``our_value``, ``our_sd`` and ``n_runs`` hold. The sd is NaN for one run; all NaN for none."""
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").astype(float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.empty:
        return float("nan"), float("nan"), 0
    sd = float(numbers.std(ddof=1)) if numbers.size > 1 else float("nan")
    return float(numbers.mean()), sd, int(numbers.size)


def frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, source: str = "comparison") -> pd.DataFrame:
    """Rows (dicts with at least ``COLUMNS``, or a frame) as a checked frame in column order;
    study-specific extra keys follow."""
    out = rows.reset_index(drop=True) if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if out.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    check(out, source)
    extra = [c for c in out.columns if c not in COLUMNS]
    return out[list(COLUMNS) + extra]


def check(table: pd.DataFrame, source: str) -> None:
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{source}: paper comparison lacks column(s) {', '.join(missing)}")
    for col in NUMERIC:
        bad = pd.to_numeric(table[col], errors="coerce").isna() & table[col].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{source}: row {row + 2}, column {col}: {table[col].iloc[row]!r} is not a number")
    runs = pd.to_numeric(table["n_runs"], errors="coerce")
    bad = runs.isna() | (runs < 0) | (runs % 1 != 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{source}: row {row + 2}, column n_runs: {table['n_runs'].iloc[row]} is not a count of runs")
    for col in ("study", "table", "quantity", "protocol", "model", "citation"):
        empty = table[col].isna() | (table[col].astype(str).str.strip() == "")
        if empty.any():
            row = int(empty.to_numpy().nonzero()[0][0])
            raise DataError(f"{source}: row {row + 2}, column {col} is empty")


def write(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, path: str | Path) -> pd.DataFrame:
    from tinyids.fileio import atomic_path

    out = frame(rows, str(path))
    with atomic_path(path) as tmp:
        out.to_csv(tmp, index=False)
    return out


def read(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot read the paper comparison: {exc}") from exc
    check(table, str(path))
    return table
