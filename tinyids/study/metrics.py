"""MetricsRow: the columns every ``results/<study>/metrics.csv`` shares; a study's own columns
follow them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tinyids.errors import DataError

# ``run`` is the seed (seed-based studies) or the fold (fold-based); ``model_bytes`` the size of
# the evaluated model file (NaN where a study has none).
COLUMNS = ("study", "protocol", "model", "run", "test_set", "accuracy", "precision", "recall",
           "f1", "fpr", "roc_auc", "model_bytes")
NUMERIC = ("run", "accuracy", "precision", "recall", "f1", "fpr", "roc_auc", "model_bytes")
KEYS = ("study", "protocol", "model", "test_set")


def order(table: pd.DataFrame, source: str = "metrics") -> pd.DataFrame:
    check(table, source)
    return table[list(COLUMNS) + [c for c in table.columns if c not in COLUMNS]]


def check(table: pd.DataFrame, source: str) -> None:
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{source}: metrics lack column(s) {', '.join(missing)}")
    for col in NUMERIC:
        bad = pd.to_numeric(table[col], errors="coerce").isna() & table[col].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{source}: row {row + 2}, column {col}: {table[col].iloc[row]!r} is not a number")
    for col in KEYS:
        empty = table[col].isna() | (table[col].astype(str).str.strip() == "")
        if empty.any():
            row = int(empty.to_numpy().nonzero()[0][0])
            raise DataError(f"{source}: row {row + 2}, column {col} is empty")


def write(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, path: str | Path) -> pd.DataFrame:
    from tinyids.fileio import atomic_path

    table = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    table = order(table, str(path))
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)
    return table


def read(path: str | Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot read the metrics: {exc}") from exc
    check(table, str(path))
    return table
