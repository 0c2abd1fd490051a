"""Shared checks for dataset loaders: columns, dtypes, NaN/inf policy, labels, duplicates.

Nothing is silently coerced: a cell that is not a number where a number belongs is an error
naming the file, the column and the first offending rows (1-based data rows, header excluded).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tinyids.errors import DataError

log = logging.getLogger(__name__)

NAN_POLICIES = ("fail", "drop", "impute")


def _rows(index: Iterable[int], header_rows: int, limit: int = 5) -> str:
    rows = [str(int(i) + 1 + header_rows) for i in list(index)[:limit]]
    return ", ".join(rows)


def check_not_empty(frame: pd.DataFrame, path: Path) -> None:
    if frame.empty:
        raise DataError(f"{path}: the file holds no data rows")


def check_columns(frame: pd.DataFrame, expected: Sequence[str], path: Path) -> None:
    actual = list(frame.columns)
    if actual == list(expected):
        return
    missing = [c for c in expected if c not in actual]
    extra = [c for c in actual if c not in expected]
    problems = []
    if len(actual) != len(expected):
        problems.append(f"{len(actual)} columns, expected {len(expected)}")
    if missing:
        problems.append(f"missing columns: {', '.join(map(str, missing))}")
    if extra:
        problems.append(f"unexpected columns: {', '.join(map(str, extra))}")
    if not problems:
        problems.append("columns in an unexpected order")
    raise DataError(f"{path}: " + "; ".join(problems))


def to_numeric_strict(frame: pd.DataFrame, columns: Sequence[str], path: Path, header_rows: int) -> pd.DataFrame:
    """Convert columns to float64/int64, failing on the first non-numeric cell with its row."""
    out = frame.copy()
    for column in columns:
        series = out[column]
        if pd.api.types.is_numeric_dtype(series):
            continue
        converted = pd.to_numeric(series.astype("string").str.strip(), errors="coerce")
        bad = converted.isna() & series.notna() & (series.astype("string").str.strip() != "")
        bad &= ~series.astype("string").str.strip().str.lower().isin(["nan", "inf", "-inf", "infinity", "-infinity"])
        if bad.any():
            first = bad[bad].index
            raise DataError(
                f"{path}: column '{column}' has non-numeric cells at row(s) {_rows(first, header_rows)} "
                f"(e.g. {series[first[0]]!r})"
            )
        out[column] = converted.astype("float64")
    return out


def apply_nan_policy(
    frame: pd.DataFrame, numeric_columns: Sequence[str], policy: str, path: Path, header_rows: int
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Count NaN/inf per numeric column; fail (default), drop the rows, or impute the median."""
    if policy not in NAN_POLICIES:
        raise DataError(f"unknown nan_policy '{policy}' (expected one of {', '.join(NAN_POLICIES)})")
    values = frame[list(numeric_columns)].to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    counts = {c: int(n) for c, n in zip(numeric_columns, bad.sum(axis=0)) if n}
    if not counts:
        return frame, {}
    bad_rows = np.flatnonzero(bad.any(axis=1))
    if policy == "fail":
        detail = ", ".join(f"{c}: {n}" for c, n in counts.items())
        raise DataError(
            f"{path}: NaN or infinite values (per column: {detail}); first at row(s) "
            f"{_rows(frame.index[bad_rows], header_rows)}. Set datasets.nan_policy to drop or impute to proceed."
        )
    if policy == "drop":
        log.warning("%s: dropping %d rows with NaN/inf (%s)", path, bad_rows.size, counts)
        return frame.drop(index=frame.index[bad_rows]).reset_index(drop=True), counts
    out = frame.copy()
    for column in counts:
        col = out[column].astype("float64").replace([np.inf, -np.inf], np.nan)
        out[column] = col.fillna(col.median())
    log.warning("%s: imputed NaN/inf with column medians (%s)", path, counts)
    return out, counts


def check_labels(values: pd.Series, known: Iterable[str], path: Path, column: str, header_rows: int) -> None:
    known = set(known)
    unknown = ~values.isin(known)
    if unknown.any():
        first = unknown[unknown].index
        names = sorted(set(values[unknown].astype(str)))[:10]
        raise DataError(
            f"{path}: unknown label(s) {', '.join(names)} in column '{column}' at row(s) {_rows(first, header_rows)}"
        )


def duplicate_counts(frame: pd.DataFrame, class_column: str) -> dict[str, int]:
    """Exact duplicate rows (all columns equal to an earlier row), counted per class."""
    dup = frame.duplicated(keep="first")
    return {str(k): int(v) for k, v in frame.loc[dup, class_column].value_counts().sort_index().items()}


def read_csv_text(path: Path, *, header: bool, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Read every cell as a string (so no cell is coerced before the checks); .gz accepted."""
    try:
        return pd.read_csv(
            path,
            header=0 if header else None,
            names=list(names) if names else None,
            dtype="string",
            keep_default_na=False,
            skipinitialspace=False,
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
