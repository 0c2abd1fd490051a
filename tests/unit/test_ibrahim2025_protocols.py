"""ibrahim2025 protocols on a real slice of WUSTL-EHMS-2020: what each one fits, and on which rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tinyids.ibrahim2025 import features as feat
from tinyids.ibrahim2025 import protocols
from tinyids.ibrahim2025.settings import Settings
from tinyids.study.sampling import stratified_subsample


@pytest.fixture(scope="module")
def slice_frame(wustl_frame: pd.DataFrame) -> pd.DataFrame:
    return stratified_subsample(wustl_frame, 1500, 5, by=feat.LABEL)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(seed=11, drop_columns=feat.DEFAULT_DROP, categorical_columns=("Flgs",), pca_components=12)


def _with_outlier(frame: pd.DataFrame, row: int, column: str = "SrcBytes", value: float = 1e9) -> pd.DataFrame:
    out = frame.copy()
    out[column] = out[column].astype("float64")
    out.loc[row, column] = value
    return out


def test_sound_protocol_fits_scaler_smote_and_pca_on_training_rows_only(slice_frame, settings):
    base = protocols.prepare(slice_frame, "sound", settings)
    test_row = int(base.test_source_row[0])
    poisoned = protocols.prepare(_with_outlier(slice_frame, test_row), "sound", settings)
    # An extreme value in one test row changes nothing that was fitted...
    assert np.array_equal(poisoned.scaler.data_min_, base.scaler.data_min_)
    assert np.array_equal(poisoned.scaler.data_max_, base.scaler.data_max_)
    assert np.array_equal(poisoned.pca.mean_, base.pca.mean_)
    assert np.array_equal(poisoned.pca.components_, base.pca.components_)
    assert np.array_equal(poisoned.x_train, base.x_train)
    # ...only that test row's own features.
    changed = np.flatnonzero(np.any(poisoned.x_test != base.x_test, axis=1))
    assert changed.tolist() == [0]


def test_sound_scaler_range_equals_the_training_rows_range(slice_frame, settings):
    prep = protocols.prepare(slice_frame, "sound", settings)
    originals = np.unique(prep.train_source_row[prep.train_source_row >= 0])
    encoded = prep.encoder.transform(slice_frame.iloc[originals])
    assert np.allclose(prep.scaler.data_min_, encoded.min(axis=0))
    assert np.allclose(prep.scaler.data_max_, encoded.max(axis=0))
    assert set(originals).isdisjoint(set(prep.test_source_row.tolist()))
    assert len(originals) + len(prep.test_source_row) == len(slice_frame)


def test_sound_test_split_is_untouched_original_rows_with_natural_class_ratio(slice_frame, settings):
    prep = protocols.prepare(slice_frame, "sound", settings)
    assert (prep.test_source_row >= 0).all()
    assert np.array_equal(prep.y_test, slice_frame["Label"].to_numpy()[prep.test_source_row])
    overall = slice_frame["Label"].mean()
    assert prep.y_test.mean() == pytest.approx(overall, abs=0.02)
    assert prep.y_train.mean() == pytest.approx(0.5)  # SMOTE balanced the training rows only
    assert prep.x_test.shape[1] == settings.pca_components


def test_paper_protocol_fits_on_all_rows_so_a_test_outlier_moves_the_scaler(slice_frame, settings):
    base = protocols.prepare(slice_frame, "paper", settings)
    real_test = base.test_source_row[base.test_source_row >= 0]
    poisoned = protocols.prepare(_with_outlier(slice_frame, int(real_test[0])), "paper", settings)
    column = base.encoder.feature_names.index("SrcBytes")
    assert poisoned.scaler.data_max_[column] == 1e9 != base.scaler.data_max_[column]


def test_paper_protocol_test_split_is_balanced_and_holds_smote_rows(slice_frame, settings):
    prep = protocols.prepare(slice_frame, "paper", settings)
    assert prep.y_test.mean() == pytest.approx(0.5, abs=0.02)
    synthetic = prep.test_source_row < 0
    assert synthetic.any() and prep.y_test[synthetic].all()  # synthetic rows are attacks
    assert prep.info["test_synthetic_rows"] == int(synthetic.sum())


def test_training_rows_are_shuffled_so_validation_split_is_not_all_synthetic(slice_frame, settings):
    for protocol in ("paper", "sound"):
        prep = protocols.prepare(slice_frame, protocol, settings)
        tail = prep.train_source_row[-len(prep.train_source_row) // 5:]
        assert 0.1 < np.mean(tail < 0) < 0.9, protocol


def test_identifier_columns_never_reach_the_model(slice_frame, settings):
    prep = protocols.prepare(slice_frame, "sound", settings)
    names = prep.encoder.feature_names
    for column in (*feat.DEFAULT_DROP, "Label", "Attack Category"):
        assert column not in names
    assert any(n.startswith("Flgs=") for n in names)


def test_prepare_is_deterministic_for_a_seed(slice_frame, settings):
    a = protocols.prepare(slice_frame, "sound", settings)
    b = protocols.prepare(slice_frame, "sound", settings)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.x_test, b.x_test)


def test_folds_partition_the_rows_in_the_sound_protocol(slice_frame):
    s = Settings(seed=3, drop_columns=feat.DEFAULT_DROP, cv_folds=3)
    tests = [protocols.prepare(slice_frame, "sound", s, fold).test_source_row for fold in range(3)]
    joined = np.concatenate(tests)
    assert sorted(joined.tolist()) == list(range(len(slice_frame)))


def test_preprocess_json_reproduces_the_model_inputs(slice_frame, settings):
    prep = protocols.prepare(slice_frame, "sound", settings)
    meta = prep.preprocess_json()
    raw = prep.encoder.transform(slice_frame.iloc[prep.test_source_row])
    scaled = raw * np.asarray(meta["scaler"]["scale"]) + np.asarray(meta["scaler"]["min"])
    z = (scaled - np.asarray(meta["pca"]["mean"])) @ np.asarray(meta["pca"]["components"]).T
    assert np.allclose(z, prep.x_test, atol=1e-4)


def _variant_settings() -> Settings:
    from tinyids.ibrahim2025.settings import ProtocolVariant

    return Settings(seed=11, drop_columns=feat.DEFAULT_DROP, pca_components=12, protocol_variants={
        "paper_numeric": ProtocolVariant("paper", ("Dir", "Flgs", "SrcAddr", "DstAddr", "Sport", "Dport", "SrcMac",
                                                   "DstMac"), ()),
        "paper_identifiers": ProtocolVariant("paper", ("Sport",), ("Flgs", "Dir", "SrcAddr", "DstAddr", "Dport",
                                                                   "SrcMac", "DstMac")),
    })


def test_paper_numeric_keeps_packet_num_and_every_numeric_column_in_the_papers_order(slice_frame):
    prep = protocols.prepare(slice_frame, "paper_numeric", _variant_settings())
    names = prep.encoder.feature_names
    assert "Packet_num" in names and not any(n.startswith(("Flgs=", "SrcMac")) for n in names)
    numeric = [c for c in slice_frame.columns if pd.api.types.is_numeric_dtype(slice_frame[c]) and c != "Label"]
    assert sorted(names) == sorted(numeric)
    assert prep.protocol == "paper_numeric" and prep.info["order"] == "paper"
    assert prep.y_test.mean() == pytest.approx(0.5, abs=0.02)  # SMOTE before the split: a balanced test set


def test_paper_identifiers_one_hot_srcmac_and_the_other_identifiers(slice_frame):
    prep = protocols.prepare(slice_frame, "paper_identifiers", _variant_settings())
    names = prep.encoder.feature_names
    assert any(n.startswith("SrcMac=") for n in names) and "Packet_num" in names
    assert not any(n.startswith("Sport") for n in names)
    macs = [n for n in names if n.startswith("SrcMac=")]
    assert len(macs) == slice_frame["SrcMac"].nunique()
