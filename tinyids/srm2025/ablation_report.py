"""The srm2025 quantization ablation: every protocol's rows (``exports/<protocol>/ablation.csv``
and ``zero_point.csv``, :func:`tinyids.srm2025.export.quantization_ablation`) in the study's one
``quantization_ablation.csv`` / ``quantization_zero_point.csv`` and a plot of accuracy after each
step, one line per protocol and test set."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tinyids.errors import DataError
from tinyids.study import ablation


def _read(paths: Sequence[str | Path], columns: Sequence[str]) -> pd.DataFrame:
    frames = []
    for path in paths:
        try:
            frame = pd.read_csv(path)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{path}: cannot read the srm2025 ablation rows: {exc}") from exc
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"{path}: ablation rows lack column(s) {', '.join(missing)}")
        frames.append(frame)
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns))


def merge(ablation_files: Sequence[str | Path], zero_point_files: Sequence[str | Path], out_csv: str | Path,
          out_zero_point: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Concatenate the per-protocol files (checked against the schema) into the study's two files."""
    table = ablation.write(_read(ablation_files, ablation.COLUMNS).to_dict("records"), out_csv)
    zero_point = ablation.write(_read(zero_point_files, ablation.ZERO_POINT_COLUMNS).to_dict("records"),
                                out_zero_point, ablation.ZERO_POINT_COLUMNS)
    return table, zero_point


def plot(table: pd.DataFrame, path: str | Path) -> None:
    """``ablation.plot`` with one line per protocol and test set (KDDTest+ and KDDTest-21 are not
    averaged together)."""
    lines = table.copy()
    lines["protocol"] = lines["protocol"].astype(str) + "/" + lines["test_set"].astype(str)
    ablation.plot(lines, path, "srm2025 tiny NN: test accuracy after each compression step")
