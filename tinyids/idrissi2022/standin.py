"""A real 5-class stand-in for the uniflow data: stratified slices of NSL-KDD numeric features.

Used by the unit tests (and for development while the MQTT data are being regenerated): 16
non-negative numeric NSL-KDD columns play the 16 uniflow features and ``attack_class``
(normal / DoS / Probe / R2L / U2R) plays the 5 classes, so the whole idrissi2022 chain (unit norm,
chi-square, CNN, pruning, clustering, int8) runs on real traffic records.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FEATURES: tuple[str, ...] = (
    "duration", "src_bytes", "dst_bytes", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "count", "srv_count", "serror_rate", "rerror_rate", "same_srv_rate", "diff_srv_rate",
    "dst_host_count", "dst_host_srv_count", "dst_host_same_srv_rate",
)
CLASSES: tuple[str, ...] = ("normal", "DoS", "Probe", "R2L", "U2R")


def load(path: str | Path, per_class: int = 300, seed: int = 0) -> pd.DataFrame:
    """Up to ``per_class`` rows of each class from an NSL-KDD file, columns FEATURES + ``label``."""
    from tinyids.datasets import nslkdd

    frame = nslkdd.load(path)
    rng = np.random.default_rng(seed)
    parts = []
    for cls in CLASSES:
        idx = np.flatnonzero((frame["attack_class"] == cls).to_numpy())
        take = np.sort(rng.choice(idx, size=min(per_class, idx.size), replace=False))
        parts.append(frame.iloc[take])
    out = pd.concat(parts, ignore_index=True)[list(FEATURES)].astype(np.float64)
    out["label"] = pd.concat(parts, ignore_index=True)["attack_class"].to_numpy()
    return out
