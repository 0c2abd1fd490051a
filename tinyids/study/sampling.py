"""One stratified subsample of a table's rows, for the row caps of the smoke run (all three studies).

Two draws, kept apart because the studies' numbers depend on which rows they pick:

- ``method="split"`` (srm2025, ibrahim2025): scikit-learn's stratified ``train_test_split`` keeps
  ``max_rows`` rows; every stratum needs two rows or more.
- ``method="quota"`` (idrissi2022): each class keeps ``floor(share * max_rows)`` rows, and at least
  ``min(its rows, min_per_class)``, drawn without replacement by ``numpy.random.default_rng(seed)``
  class by class (largest class first); the total can pass ``max_rows`` by those minimums.

``by`` is the column to stratify on, or a list of candidates: the first whose every class has two
rows or more and that has at most ``max_rows`` classes is used, else the last one. The rows keep
their order in ``frame``; the index is reset.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tinyids.errors import ConfigError, DataError

METHODS = ("split", "quota")


def strata_column(frame: pd.DataFrame, by: str | Sequence[str], max_rows: int) -> str:
    """The column of ``by`` to stratify a subsample of ``max_rows`` rows on (see the module docstring)."""
    candidates = [by] if isinstance(by, str) else list(by)
    if not candidates:
        raise ConfigError("stratified_subsample: 'by' names no column")
    missing = [c for c in candidates if c not in frame.columns]
    if missing:
        raise DataError(f"stratified_subsample: no column(s) {missing} to stratify on (columns: {list(frame.columns)})")
    for column in candidates[:-1]:
        counts = frame[column].astype(str).value_counts()
        if counts.min() >= 2 and len(counts) <= max_rows:
            return column
    return candidates[-1]


def stratified_subsample(frame: pd.DataFrame, max_rows: int | None, seed: int, *, by: str | Sequence[str],
                         method: str = "split", min_per_class: int = 0, key: str = "max_rows") -> pd.DataFrame:
    """At most ``max_rows`` rows of ``frame`` (every row when ``max_rows`` is None or not smaller),
    stratified on ``by``; ``key`` names the config key of the cap in errors."""
    if method not in METHODS:
        raise ConfigError(f"stratified_subsample: unknown method {method!r} (known: {', '.join(METHODS)})")
    if max_rows is None or max_rows >= len(frame):
        return frame.reset_index(drop=True)
    if max_rows < 2:
        raise ConfigError(f"{key}: a subsample needs at least 2 rows, got {max_rows}")
    column = strata_column(frame, by, max_rows)
    if method == "split":
        from sklearn.model_selection import train_test_split

        kept, _ = train_test_split(frame, train_size=max_rows, stratify=frame[column], random_state=seed)
        return kept.sort_index().reset_index(drop=True)
    rng = np.random.default_rng(seed)
    labels = frame[column]
    counts = labels.value_counts()
    quota = np.maximum(np.floor(counts / len(frame) * max_rows).astype(int), np.minimum(counts, int(min_per_class)))
    parts = [np.sort(rng.choice(np.flatnonzero((labels == cls).to_numpy()), size=int(n), replace=False))
             for cls, n in quota.items()]
    return frame.iloc[np.sort(np.concatenate(parts))].reset_index(drop=True)
