"""Preprocessing protocols of idrissi2022: ``paper`` (as the paper describes) and ``dedup``.

The paper (Section 3.A) encodes the uniflow data, scales every sample vector to unit norm,
reshapes it to (features, 1), splits it randomly 60/20/20 (train/validation/test) and, for the
"pre-optimized" models, keeps the 7 best of the 16 features by the chi-square test.

Columns (config ``idrissi2022.features`` / ``dropped_identifiers``):

- ``ip_src`` and ``ip_dst`` are dropped: in MQTT-IoT-IDS2020 (and the testbed) the attacker has a
  fixed address, so an IP column identifies the class by itself and a model learns the address,
  not the attack. 18 uniflow columns minus these two are exactly the paper's 16 features.
- ``is_attack``, ``label``, ``capture`` and ``source`` are targets or provenance, never inputs.
- ``proto`` is categorical: it is encoded as its IANA protocol number (tcp 6, udp 17, icmp 1), a
  fixed code that needs no fitting; numeric columns pass through as float.

Order of operations, the same for both protocols except for the deduplication:
``[dedup] -> stratified subsample (max_rows) -> encode -> unit norm -> stratified split ->
chi-square on the training split only``. Unit norm is per sample (no statistic is fitted), so
doing it before the split, as the paper does, leaks nothing.

``dedup`` removes exact duplicates over (16 features, label) before the split, the per-class
deduplication the dataset authors apply in their own code, and then drops every feature vector
that still carries more than one label (it cannot be split without sitting on both sides). After
that no test feature vector also sits in the training split. ``paper`` keeps every row: the
original uniflow data is massively duplicated, so many test rows have an identical twin in
training and the paper's accuracy partly measures memorisation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tinyids.errors import ConfigError, DataError
from tinyids.study.sampling import stratified_subsample

PROTOCOLS = ("paper", "dedup")
MIN_ROWS_PER_CLASS = 5  # the row cap (max_rows) keeps at least this many rows of a class that has them
IANA_PROTOCOLS: dict[str, int] = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58, "icmpv6": 58}


@dataclass
class Prepared:
    """One protocol's splits: unit-norm float32 rows (n, 16), int labels, the chi-square choice."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    classes: list[str]
    selected: list[int]
    chi2_scores: np.ndarray
    chi2_pvalues: np.ndarray
    rows_train: np.ndarray
    rows_val: np.ndarray
    rows_test: np.ndarray
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def selected_names(self) -> list[str]:
        return [self.feature_names[i] for i in self.selected]

    def split(self, name: str, features: str = "all") -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of ``train``/``val``/``test``; ``features='selected'`` keeps the chi-square 7."""
        x = getattr(self, f"x_{name}")
        y = getattr(self, f"y_{name}")
        if features == "selected":
            x = x[:, self.selected]
        elif features != "all":
            raise ValueError(f"features must be 'all' or 'selected', got {features!r}")
        return x, y

    def save(self, path: str | Path) -> None:
        np.savez(
            path,
            **{k: getattr(self, k) for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")},
            **{k: getattr(self, k) for k in ("rows_train", "rows_val", "rows_test", "chi2_scores", "chi2_pvalues")},
            feature_names=np.array(self.feature_names),
            classes=np.array(self.classes),
            selected=np.array(self.selected, dtype=np.int64),
            report=np.array(json.dumps(self.report, default=_json_default)),
        )

    @classmethod
    def load(cls, path: str | Path) -> Prepared:
        with np.load(path, allow_pickle=False) as z:
            kwargs = {k: z[k] for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test",
                                        "rows_train", "rows_val", "rows_test", "chi2_scores", "chi2_pvalues")}
            return cls(
                **kwargs,
                feature_names=[str(s) for s in z["feature_names"]],
                classes=[str(s) for s in z["classes"]],
                selected=[int(i) for i in z["selected"]],
                report=json.loads(str(z["report"])),
            )


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(type(value).__name__)


# ---------------------------------------------------------------- steps


def check_columns(frame: pd.DataFrame, features: Sequence[str], label: str) -> None:
    missing = [c for c in (*features, label) if c not in frame.columns]
    if missing:
        raise DataError(f"uniflow table lacks column(s) {', '.join(missing)}; has {', '.join(map(str, frame.columns))}")


def encode(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Feature matrix (float64): numeric columns as is, protocol names as IANA numbers."""
    columns = []
    for name in features:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col):
            col = col.astype("int64")
        if not pd.api.types.is_numeric_dtype(col):
            names = col.astype(str).str.strip().str.lower()
            codes = names.map(IANA_PROTOCOLS)
            if codes.isna().any():
                numeric = pd.to_numeric(names, errors="coerce")
                codes = codes.fillna(numeric)
            if codes.isna().any():
                bad = sorted(set(names[codes.isna()]))[:5]
                raise DataError(f"column '{name}': cannot encode value(s) {bad} (not numeric, not an IANA protocol name)")
            col = codes
        columns.append(col.to_numpy(dtype=np.float64))
    x = np.column_stack(columns) if columns else np.empty((len(frame), 0))
    if not np.isfinite(x).all():
        rows = np.flatnonzero(~np.isfinite(x).all(axis=1))[:5]
        raise DataError(f"non-finite feature values in row(s) {rows.tolist()}")
    return x


def unit_normalize(x: np.ndarray) -> np.ndarray:
    """Scale every row to unit L2 norm (sklearn ``Normalizer``); all-zero rows stay zero. Each row
    is first divided by its largest magnitude, so rows whose squares would underflow (about
    1e-160 and below) or overflow still come out with unit norm."""
    x = np.asarray(x, dtype=np.float64)
    peak = np.max(np.abs(x), axis=1, keepdims=True) if x.size else np.zeros((len(x), 1))
    z = np.divide(x, peak, out=np.zeros_like(x), where=peak > 0)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    return np.divide(z, norms, out=np.zeros_like(x), where=norms > 0)


def deduplicate(frame: pd.DataFrame, features: Sequence[str], label: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop exact duplicates over (features, label), then feature vectors with several labels."""
    n0 = len(frame)
    unique = frame.drop_duplicates(subset=[*features, label], keep="first")
    n_labels = unique.groupby(list(features), dropna=False, sort=False)[label].transform("nunique")
    conflicting = n_labels > 1
    kept = unique[~conflicting]
    report = {
        "rows_before_dedup": n0,
        "exact_duplicates_dropped": n0 - len(unique),
        "conflicting_label_rows_dropped": int(conflicting.sum()),
        "rows_after_dedup": len(kept),
    }
    return kept, report


def stratified_split(
    y: np.ndarray, fractions: Mapping[str, float], seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of train / val / test drawn at random, stratified by ``y``, from ``seed``."""
    from sklearn.model_selection import train_test_split

    f_train, f_val, f_test = (float(fractions[k]) for k in ("train", "val", "test"))
    if min(f_train, f_val, f_test) <= 0 or abs(f_train + f_val + f_test - 1.0) > 1e-9:
        raise ConfigError(f"idrissi2022.split: fractions must be positive and sum to 1, got {dict(fractions)}")
    counts = np.bincount(y)
    if (counts[counts > 0] < 3).any():
        rare = np.flatnonzero((counts > 0) & (counts < 3)).tolist()
        raise DataError(f"class index(es) {rare} have fewer than 3 rows: a stratified 3-way split is impossible")
    idx = np.arange(y.size)
    rest, test = train_test_split(idx, test_size=f_test, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=f_val / (f_train + f_val), stratify=y[rest], random_state=seed + 1)
    return np.sort(train), np.sort(val), np.sort(test)


def chi2_select(x_train: np.ndarray, y_train: np.ndarray, k: int) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The ``k`` features with the highest chi-square score on the training rows.

    Returns (selected indices in feature order, scores, p-values). Constant features score NaN and
    rank last; ties keep the feature order.
    """
    from sklearn.feature_selection import chi2

    if (x_train < 0).any():
        raise DataError("chi-square needs non-negative features; a training value is negative")
    if not 0 < k <= x_train.shape[1]:
        raise ConfigError(f"idrissi2022.chi2_k must lie in 1..{x_train.shape[1]}, got {k}")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scores, pvalues = chi2(x_train, y_train)
    ranking = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
    return sorted(int(i) for i in ranking[:k]), scores, pvalues


# ---------------------------------------------------------------- the protocol


def prepare(
    frame: pd.DataFrame,
    *,
    protocol: str,
    features: Sequence[str],
    classes: Sequence[str],
    seed: int,
    split: Mapping[str, float],
    chi2_k: int,
    max_rows: int | None = None,
    label: str = "label",
    dropped_identifiers: Mapping[str, str] | None = None,
) -> Prepared:
    """Run one protocol on the uniflow table and return its splits (see the module docstring)."""
    if protocol not in PROTOCOLS:
        raise ConfigError(f"idrissi2022.protocols: unknown protocol {protocol!r} (expected one of {PROTOCOLS})")
    check_columns(frame, features, label)
    leaking = [c for c in (dropped_identifiers or {}) if c in features]
    if leaking:
        raise ConfigError(f"idrissi2022.features: {leaking} are dropped identifiers and cannot be features")
    unknown = sorted(set(frame[label].astype(str)) - set(classes))
    if unknown:
        raise DataError(f"column '{label}': unknown class(es) {unknown} (expected {list(classes)})")
    report: dict[str, Any] = {"protocol": protocol, "seed": seed, "rows_input": len(frame)}
    frame = frame.reset_index(drop=True)
    frame["_row"] = np.arange(len(frame))
    if protocol == "dedup":
        frame, dedup_report = deduplicate(frame, features, label)
        report.update(dedup_report)
    # Each class keeps its share of max_rows, and at least 5 rows when it has them.
    frame = stratified_subsample(frame, max_rows, seed, by=label, method="quota", min_per_class=MIN_ROWS_PER_CLASS,
                                 key="idrissi2022.max_rows")
    report["rows_used"] = len(frame)
    x = unit_normalize(encode(frame, features)).astype(np.float32)
    class_index = {c: i for i, c in enumerate(classes)}
    y = frame[label].astype(str).map(class_index).to_numpy(dtype=np.int64)
    train, val, test = stratified_split(y, split, seed)
    selected, scores, pvalues = chi2_select(x[train], y[train], chi2_k)
    rows = frame["_row"].to_numpy()
    report["class_counts"] = {c: int((y == i).sum()) for c, i in class_index.items()}
    report["split_sizes"] = {"train": int(train.size), "val": int(val.size), "test": int(test.size)}
    report["duplicate_test_rows_in_train"] = duplicate_overlap(x[train], x[test])
    report["dropped_identifiers"] = dict(dropped_identifiers or {})
    report["encoding"] = {"proto": "IANA protocol number (tcp 6, udp 17, icmp 1); numeric codes pass through"}
    report["scaling"] = "per-sample L2 unit norm (no fitted statistic)"
    return Prepared(
        x_train=x[train], y_train=y[train], x_val=x[val], y_val=y[val], x_test=x[test], y_test=y[test],
        feature_names=list(features), classes=list(classes), selected=selected,
        chi2_scores=np.asarray(scores, dtype=np.float64), chi2_pvalues=np.asarray(pvalues, dtype=np.float64),
        rows_train=rows[train], rows_val=rows[val], rows_test=rows[test], report=report,
    )


def duplicate_overlap(x_train: np.ndarray, x_test: np.ndarray) -> int:
    """How many test rows have an exact twin among the training rows."""
    if x_train.size == 0 or x_test.size == 0:
        return 0
    seen = {row.tobytes() for row in np.ascontiguousarray(x_train)}
    return int(sum(row.tobytes() in seen for row in np.ascontiguousarray(x_test)))


def chi2_table(prepared: Prepared) -> pd.DataFrame:
    """One row per feature: chi-square score and p-value on the training split, rank, chosen."""
    order = np.argsort(-np.nan_to_num(prepared.chi2_scores, nan=-np.inf), kind="stable")
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    return pd.DataFrame({
        "feature": prepared.feature_names,
        "chi2": prepared.chi2_scores,
        "p_value": prepared.chi2_pvalues,
        "rank": rank,
        "selected": [i in prepared.selected for i in range(len(prepared.feature_names))],
    }).sort_values("rank", kind="stable")
