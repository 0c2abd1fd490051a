"""The two preprocessing protocols: ``paper`` and ``sound``.

``paper`` follows the order the paper implies (Sections 3.3-3.5, Algorithm 1, Figure 5): MinMax
scaling on all rows, SMOTE on all rows, PCA on the balanced set, then the train/test split. Its
test set is balanced (the paper's Figure 5: 2,810 attacks, 2,840 normal) and holds SMOTE rows
interpolated between neighbours that sit in the training split.

``sound`` splits first (stratified, seeded), then fits the scaler, SMOTE and PCA on the training
rows only and applies the fitted scaler and PCA to the untouched test rows.

A protocol variant (config ``protocol_variants``, issue 16) follows the order of one of these two
with its own feature columns: ``paper_numeric`` (every numeric column, ``Packet_num`` included,
the paper's order) and ``paper_identifiers`` (``SrcMac`` and the other identifiers one-hot).

With ``cv_folds > 1`` the split is fold ``k`` of a seeded ``StratifiedKFold`` (over the balanced
set for ``paper``, over the original rows for ``sound``) instead of one ``train_test_split``.
Both protocols shuffle the training rows (seeded) before training: SMOTE appends its synthetic
rows at the end, and Keras' ``validation_split`` takes the last rows before any shuffling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.decomposition import PCA
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.preprocessing import MinMaxScaler

from tinyids.errors import DataError
from tinyids.ibrahim2025 import features as feat
from tinyids.ibrahim2025.settings import Settings
from tinyids.study.sampling import stratified_subsample


@dataclass
class Prepared:
    """Model-ready arrays of one (protocol, fold) and the fitted preprocessing."""

    protocol: str
    fold: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    # Row of the input table each test row came from; -1 for a SMOTE row (paper protocol).
    test_source_row: np.ndarray
    train_source_row: np.ndarray
    encoder: feat.Encoder
    scaler: MinMaxScaler
    pca: PCA
    info: dict[str, Any] = field(default_factory=dict)

    def preprocess_json(self) -> dict[str, Any]:
        """The constants a device needs to turn a raw row into the model's input."""
        return {
            "protocol": self.protocol,
            "fold": self.fold,
            "steps": ["one-hot categorical", "MinMax scale to [0, 1]", "PCA projection"],
            "encoder": self.encoder.to_json(),
            "scaled_feature_names": self.encoder.feature_names,
            "scaler": {
                "data_min": self.scaler.data_min_.tolist(),
                "data_max": self.scaler.data_max_.tolist(),
                "scale": self.scaler.scale_.tolist(),
                "min": self.scaler.min_.tolist(),
                "formula": "x_scaled = x * scale + min",
            },
            "pca": {
                "n_components": int(self.pca.n_components_),
                "mean": self.pca.mean_.tolist(),
                "components": self.pca.components_.tolist(),
                "explained_variance_ratio": self.pca.explained_variance_ratio_.tolist(),
                "formula": "z = (x_scaled - mean) @ components.T",
            },
            "info": self.info,
        }


def _split_indices(y: np.ndarray, settings: Settings, fold: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    idx = np.arange(y.size)
    if settings.cv_folds > 1:
        if not 0 <= fold < settings.cv_folds:
            raise DataError(f"fold {fold} is outside 0..{settings.cv_folds - 1}")
        skf = StratifiedKFold(n_splits=settings.cv_folds, shuffle=True, random_state=seed)
        train, test = list(skf.split(idx, y))[fold]
        return train, test
    if fold != 0:
        raise DataError(f"fold {fold} requested but split.cv_folds is 1")
    train, test = train_test_split(idx, test_size=settings.test_size, stratify=y, random_state=seed)
    return np.sort(train), np.sort(test)


def _smote(x: np.ndarray, y: np.ndarray, settings: Settings, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SMOTE; returns (x, y, source row) where synthetic rows have source -1."""
    minority = int(np.bincount(y, minlength=2).min())
    if minority <= settings.smote_k_neighbors:
        raise DataError(
            f"SMOTE needs more than smote_k_neighbors={settings.smote_k_neighbors} minority rows; "
            f"the rows it is fitted on hold {minority}"
        )
    xr, yr = SMOTE(k_neighbors=settings.smote_k_neighbors, random_state=seed).fit_resample(x, y)
    source = np.full(yr.size, -1, dtype=np.int64)
    source[: y.size] = np.arange(y.size)  # imbalanced-learn keeps the originals first, in order
    return np.asarray(xr, dtype=np.float64), np.asarray(yr, dtype=np.int64), source


def _shuffle(x: np.ndarray, y: np.ndarray, source: np.ndarray, seed: int):
    order = np.random.default_rng(seed).permutation(y.size)
    return x[order], y[order], source[order]


def prepare(frame: pd.DataFrame, protocol: str, settings: Settings, fold: int = 0) -> Prepared:
    """Apply ``protocol`` to the WUSTL table; ``frame`` is the validated table (all rows)."""
    # The split seed is shared by all folds of a protocol (folds must partition the rows); the
    # fold seed drives what is fitted per fold (SMOTE of the sound protocol, shuffling).
    split_seed = settings.protocol_seed(protocol, 0)
    seed = settings.protocol_seed(protocol, fold)
    frame = stratified_subsample(frame, settings.max_rows, settings.seed, by=feat.LABEL, key="ibrahim2025.max_rows")
    y = feat.labels(frame)
    if protocol not in settings.known_protocols:
        raise DataError(f"unknown protocol {protocol!r} (known: {', '.join(settings.known_protocols)})")
    order = settings.order_of(protocol)
    columns = settings.features_of(protocol)
    prepared = (_paper if order == "paper" else _sound)(frame, y, settings, fold, split_seed, seed, columns)
    prepared.protocol = protocol
    prepared.info["order"] = order
    prepared.info["features_in"] = len(prepared.encoder.feature_names)
    return prepared


def _pca(settings: Settings, n_features: int, seed: int) -> PCA:
    if settings.pca_components > n_features:
        raise DataError(f"pca_components={settings.pca_components} exceeds the {n_features} encoded features")
    return PCA(n_components=settings.pca_components, svd_solver="full", random_state=seed)


def _paper(frame: pd.DataFrame, y: np.ndarray, settings: Settings, fold: int, split_seed: int, seed: int,
           columns: tuple[tuple[str, ...], tuple[str, ...]]) -> Prepared:
    encoder = feat.fit_encoder(frame, *columns)
    x = encoder.transform(frame)
    scaler = MinMaxScaler().fit(x)  # Section 3.3: min and max "across all the data"
    xs = scaler.transform(x)
    xb, yb, source = _smote(xs, y, settings, split_seed)  # Section 3.4 on the whole table (same for all folds)
    pca = _pca(settings, xb.shape[1], split_seed).fit(xb)  # Section 3.5
    z = pca.transform(xb)
    train, test = _split_indices(yb, settings, fold, split_seed)
    x_train, y_train, src_train = _shuffle(z[train], yb[train], source[train], seed)
    info = {
        "rows_in": int(len(frame)),
        "rows_after_smote": int(yb.size),
        "train_rows": int(train.size),
        "test_rows": int(test.size),
        "test_synthetic_rows": int((source[test] < 0).sum()),
        "test_attack_rows": int(yb[test].sum()),
        "train_synthetic_rows": int((src_train < 0).sum()),
        "fitted_on": "all rows (scaler, SMOTE, PCA) before the split",
    }
    return Prepared(
        "paper", fold, x_train.astype(np.float32), y_train, z[test].astype(np.float32), yb[test],
        source[test], src_train, encoder, scaler, pca, info,
    )


def _sound(frame: pd.DataFrame, y: np.ndarray, settings: Settings, fold: int, split_seed: int, seed: int,
           columns: tuple[tuple[str, ...], tuple[str, ...]]) -> Prepared:
    train, test = _split_indices(y, settings, fold, split_seed)
    train_frame = frame.iloc[train]
    encoder = feat.fit_encoder(train_frame, *columns)
    x_train_raw = encoder.transform(train_frame)
    x_test_raw = encoder.transform(frame.iloc[test])
    scaler = MinMaxScaler().fit(x_train_raw)
    xs_train = scaler.transform(x_train_raw)
    xb, yb, source = _smote(xs_train, y[train], settings, seed)
    source = np.where(source >= 0, train[np.clip(source, 0, None)], -1)
    pca = _pca(settings, xb.shape[1], seed).fit(xb)
    z_train = pca.transform(xb)
    z_test = pca.transform(scaler.transform(x_test_raw))
    x_tr, y_tr, src_tr = _shuffle(z_train, yb, source, seed)
    info = {
        "rows_in": int(len(frame)),
        "train_rows_before_smote": int(train.size),
        "train_rows": int(yb.size),
        "test_rows": int(test.size),
        "test_synthetic_rows": 0,
        "test_attack_rows": int(y[test].sum()),
        "train_synthetic_rows": int((src_tr < 0).sum()),
        "fitted_on": "training rows only (scaler, SMOTE, PCA); test rows transformed",
    }
    return Prepared(
        "sound", fold, x_tr.astype(np.float32), y_tr, z_test.astype(np.float32), y[test],
        test.astype(np.int64), src_tr, encoder, scaler, pca, info,
    )


def save(prepared: Prepared, npz_path, json_path) -> None:
    from tinyids.fileio import atomic_path, write_json_atomic

    with atomic_path(npz_path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez_compressed(
                handle,
                x_train=prepared.x_train, y_train=prepared.y_train,
                x_test=prepared.x_test, y_test=prepared.y_test,
                test_source_row=prepared.test_source_row, train_source_row=prepared.train_source_row,
            )
    write_json_atomic(json_path, prepared.preprocess_json())


def load_arrays(npz_path) -> dict[str, np.ndarray]:
    with np.load(npz_path) as data:
        return {k: data[k] for k in data.files}
