"""NSL-KDD preprocessing for srm2025, fitted on training rows only.

``KddPreprocessor`` turns the 41 raw features of a validated NSL-KDD frame into a float32 matrix:
the three categorical features (``protocol_type``, ``service``, ``flag``) are one-hot encoded
(categories seen in the training rows; an unseen value encodes as all zeros) or label encoded
(code in order of the sorted training categories; an unseen value becomes -1), then every column
is MinMax scaled with the minimum and range of the training rows (a constant column scales to 0).
Nothing about the test rows is looked at by ``fit``, and the fitted constants are plain arrays so
the C exports and their metadata can carry them.

``TinyFeatures`` adds a univariate feature selection (chi-square or mutual information, fitted on
the training rows) to a small number of columns for the tiny models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_selection import chi2, mutual_info_classif

from tinyids.datasets.nslkdd import CATEGORICAL, CLASSES, FEATURES
from tinyids.errors import ConfigError, DataError

ENCODINGS = ("onehot", "label")
TARGETS = ("binary", "five_class")
CLASS_NAMES: dict[str, tuple[str, ...]] = {"binary": ("normal", "attack"), "five_class": CLASSES}


def class_names(target: str) -> tuple[str, ...]:
    if target not in CLASS_NAMES:
        raise ConfigError(f"srm2025.target: {target!r} is not one of {', '.join(TARGETS)}")
    return CLASS_NAMES[target]


def targets(frame: pd.DataFrame, target: str) -> np.ndarray:
    """Integer labels: binary (0 normal, 1 attack) or five-class (index into ``CLASSES``)."""
    names = class_names(target)
    if target == "binary":
        return frame["is_attack"].to_numpy().astype(np.int64)
    codes = frame["attack_class"].map({name: i for i, name in enumerate(names)})
    if codes.isna().any():
        bad = sorted(set(frame.loc[codes.isna(), "attack_class"].astype(str)))
        raise DataError(f"attack_class value(s) {bad} are not among {list(names)}")
    return codes.to_numpy().astype(np.int64)


def attack_indicator(y: np.ndarray, target: str) -> np.ndarray:
    """1 where the class is an attack (every class but ``normal``, index 0)."""
    class_names(target)
    return (np.asarray(y) != 0).astype(np.int64)


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in FEATURES if c not in frame.columns]
    if missing:
        raise DataError(f"NSL-KDD frame lacks feature column(s) {missing[:5]}{'...' if len(missing) > 5 else ''}")


class KddPreprocessor(TransformerMixin, BaseEstimator):
    """Categorical encoding + MinMax scaling of the 41 NSL-KDD features (fit on train rows)."""

    def __init__(self, encoding: str = "onehot"):
        self.encoding = encoding

    def fit(self, frame: pd.DataFrame, y: Any = None) -> KddPreprocessor:
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"encoding {self.encoding!r} is not one of {', '.join(ENCODINGS)}")
        _check_columns(frame)
        self.categories_: dict[str, list[str]] = {
            c: sorted(frame[c].astype(str).unique().tolist()) for c in CATEGORICAL
        }
        self.columns_: list[tuple[str, str | None]] = []  # (source column, category or None)
        for feature in FEATURES:
            if feature in CATEGORICAL and self.encoding == "onehot":
                self.columns_ += [(feature, cat) for cat in self.categories_[feature]]
            else:
                self.columns_.append((feature, None))
        raw = self._encode(frame)
        self.data_min_ = raw.min(axis=0)
        span = raw.max(axis=0) - self.data_min_
        self.scale_ = np.where(span > 0, 1.0 / np.where(span > 0, span, 1.0), 0.0)
        self.n_features_out_ = len(self.columns_)
        return self

    def _encode(self, frame: pd.DataFrame) -> np.ndarray:
        _check_columns(frame)
        out = np.empty((len(frame), len(self.columns_)), dtype=np.float64)
        if self.encoding == "onehot":
            for j, (feature, cat) in enumerate(self.columns_):
                if cat is None:
                    out[:, j] = frame[feature].to_numpy(dtype=np.float64)
                else:
                    out[:, j] = (frame[feature].astype(str).to_numpy() == cat).astype(np.float64)
        else:
            for j, (feature, _) in enumerate(self.columns_):
                if feature in CATEGORICAL:
                    mapping = {cat: i for i, cat in enumerate(self.categories_[feature])}
                    out[:, j] = frame[feature].astype(str).map(mapping).fillna(-1).to_numpy(dtype=np.float64)
                else:
                    out[:, j] = frame[feature].to_numpy(dtype=np.float64)
        return out

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        raw = self._encode(frame)
        return ((raw - self.data_min_) * self.scale_).astype(np.float32)

    def feature_names(self) -> list[str]:
        return [f if cat is None else f"{f}={cat}" for f, cat in self.columns_]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names(), dtype=object)

    def constants(self, columns: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Per output column: source feature, category (one-hot), label codes, min and scale.

        A device computes ``(x - min) * scale`` on the raw value (for one-hot columns the raw
        value is 1 when the categorical equals ``category`` else 0)."""
        idx = range(self.n_features_out_) if columns is None else columns
        out = []
        for j in idx:
            feature, cat = self.columns_[j]
            entry: dict[str, Any] = {
                "name": self.feature_names()[j],
                "source": feature,
                "min": float(self.data_min_[j]),
                "scale": float(self.scale_[j]),
            }
            if cat is not None:
                entry["category"] = cat
            elif feature in CATEGORICAL:
                entry["label_codes"] = {c: i for i, c in enumerate(self.categories_[feature])}
            out.append(entry)
        return out


class TinyFeatures(TransformerMixin, BaseEstimator):
    """One-hot + MinMax (``KddPreprocessor``) followed by selecting ``k`` columns by a univariate
    score (``chi2`` or ``mutual_info``) computed on the training rows only."""

    def __init__(self, k: int = 16, method: str = "chi2", encoding: str = "onehot", random_state: int = 0):
        self.k = k
        self.method = method
        self.encoding = encoding
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame, y: np.ndarray) -> TinyFeatures:
        self.preprocessor_ = KddPreprocessor(self.encoding).fit(frame)
        x = self.preprocessor_.transform(frame)
        if not 1 <= self.k <= x.shape[1]:
            raise ConfigError(f"srm2025.tiny.feature_selection.k: {self.k} must lie in 1..{x.shape[1]}")
        if self.method == "chi2":
            scores, _ = chi2(np.clip(x, 0, None), y)
        elif self.method == "mutual_info":
            scores = mutual_info_classif(x, y, random_state=self.random_state)
        else:
            raise ConfigError(f"srm2025.tiny.feature_selection.method: {self.method!r} is not chi2 or mutual_info")
        scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-np.inf)
        # Stable order: highest score first, ties by column index; kept columns in original order.
        order = np.lexsort((np.arange(scores.size), -scores))
        self.columns_ = np.sort(order[: self.k])
        self.scores_ = scores
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.preprocessor_.transform(frame)[:, self.columns_]

    def feature_names(self) -> list[str]:
        names = self.preprocessor_.feature_names()
        return [names[j] for j in self.columns_]

    def constants(self) -> list[dict[str, Any]]:
        return self.preprocessor_.constants(self.columns_.tolist())
