"""Which WUSTL-EHMS-2020 columns enter the model, and how the text column becomes numbers.

Measured on the published file (16,318 rows), the columns dropped by the default config:

- ``SrcMac``: two values, one per class (the attacker's MAC is on every attack row): a model
  that sees it learns the host, not the attack. Dropped.
- ``SrcAddr``, ``DstAddr``, ``DstMac``, ``Dport`` (1111), ``Dir`` ("->"): one value in the
  whole file; they identify the testbed hosts and carry no information. Dropped.
- ``Sport``: ephemeral source port, 16,314 distinct values in 16,318 rows, some cells are
  service names ("tfido", "dircproxy"): an identifier of the connection. Dropped.
- ``Packet_num``: a running row number of the capture (1..16,314); attacks were recorded in
  time blocks, so it encodes capture time, not traffic behaviour. Dropped.
- ``Attack Category`` and ``Label`` are the targets and never features.

``Flgs`` (Argus flow state flags, 7 values) is behaviour, not identity: it is one-hot encoded
with the categories seen in the rows the encoder is fitted on (unseen flags -> all zeros).
Every other column is numeric and kept (constant ones included; MinMax maps them to 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tinyids.errors import DataError

LABEL = "Label"
TARGETS = ("Attack Category", LABEL)
DEFAULT_DROP = ("SrcAddr", "DstAddr", "Sport", "Dport", "SrcMac", "DstMac", "Packet_num", "Dir")


@dataclass(frozen=True)
class Encoder:
    """Column selection plus one-hot categories, fitted on the rows it is given."""

    numeric: tuple[str, ...]
    categorical: dict[str, tuple[str, ...]]

    @property
    def feature_names(self) -> list[str]:
        names = list(self.numeric)
        for column, cats in self.categorical.items():
            names += [f"{column}={c}" for c in cats]
        return names

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        parts = [frame[list(self.numeric)].to_numpy(dtype=np.float64)]
        for column, cats in self.categorical.items():
            values = frame[column].astype(str).str.strip().to_numpy()
            parts.append((values[:, None] == np.asarray(cats, dtype=object)[None, :]).astype(np.float64))
        return np.hstack(parts) if parts else np.empty((len(frame), 0))

    def to_json(self) -> dict:
        return {"numeric": list(self.numeric), "categorical": {k: list(v) for k, v in self.categorical.items()}}


def feature_columns(frame: pd.DataFrame, drop: Sequence[str], categorical: Sequence[str]) -> tuple[list[str], list[str]]:
    """(numeric, categorical) feature columns of ``frame`` after dropping ``drop`` and targets."""
    missing = [c for c in (*categorical, LABEL) if c not in frame.columns]
    if missing:
        raise DataError(f"WUSTL-EHMS-2020 table lacks column(s) {', '.join(missing)}")
    unknown_drop = [c for c in drop if c not in frame.columns]
    if unknown_drop:
        raise DataError(f"ibrahim2025.features.drop names column(s) not in the table: {', '.join(unknown_drop)}")
    excluded = set(drop) | set(TARGETS)
    overlap = excluded & set(categorical)
    if overlap:
        raise DataError(f"column(s) both dropped and categorical: {', '.join(sorted(overlap))}")
    numeric = [c for c in frame.columns if c not in excluded and c not in categorical]
    bad = [c for c in numeric if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise DataError(
            f"non-numeric feature column(s) {', '.join(bad)}: drop them (features.drop) or one-hot them (features.categorical)"
        )
    return numeric, list(categorical)


def fit_encoder(frame: pd.DataFrame, drop: Sequence[str], categorical: Sequence[str]) -> Encoder:
    numeric, cat_columns = feature_columns(frame, drop, categorical)
    cats = {c: tuple(sorted(frame[c].astype(str).str.strip().unique())) for c in cat_columns}
    return Encoder(numeric=tuple(numeric), categorical=cats)


def labels(frame: pd.DataFrame) -> np.ndarray:
    y = frame[LABEL].to_numpy()
    if not np.isin(y, (0, 1)).all():
        raise DataError("WUSTL-EHMS-2020 'Label' must be 0 (normal) or 1 (attack)")
    return y.astype(np.int64)
