"""srm2025 preprocessing and protocols on small stratified slices of the real NSL-KDD files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tinyids.errors import ConfigError, DataError
from tinyids.srm2025.preprocessing import KddPreprocessor, TinyFeatures, attack_indicator, targets
from tinyids.srm2025.protocols import SUBSAMPLE_STRATA, make_split
from tinyids.study.sampling import stratified_subsample


@pytest.fixture(scope="module")
def train_slice(nslkdd_train_frame: pd.DataFrame) -> pd.DataFrame:
    return stratified_subsample(nslkdd_train_frame, 1500, 3, by=SUBSAMPLE_STRATA)


@pytest.fixture(scope="module")
def test_slice(nslkdd_test_frame: pd.DataFrame) -> pd.DataFrame:
    return stratified_subsample(nslkdd_test_frame, 800, 3, by=SUBSAMPLE_STRATA)


@pytest.mark.parametrize("encoding", ["onehot", "label"])
def test_scaling_constants_come_from_training_rows_only(train_slice, test_slice, encoding):
    pre = KddPreprocessor(encoding).fit(train_slice)
    x_train = pre.transform(train_slice)
    # the training rows span exactly [0, 1] in every non-constant column
    spans = x_train.max(axis=0) - x_train.min(axis=0)
    assert np.allclose(x_train.min(axis=0), 0.0, atol=1e-6)
    assert np.all((np.isclose(spans, 1.0, atol=1e-5)) | (spans == 0))
    before = (pre.data_min_.copy(), pre.scale_.copy())
    pre.transform(test_slice)  # transforming test rows must not move the fitted constants
    assert np.array_equal(before[0], pre.data_min_) and np.array_equal(before[1], pre.scale_)
    # the constants differ from those a fit on train + test would give, so test rows were not used
    both = KddPreprocessor(encoding).fit(pd.concat([train_slice, test_slice], ignore_index=True))
    assert both.n_features_out_ != pre.n_features_out_ or not np.allclose(both.scale_, pre.scale_)


def test_one_hot_columns_are_training_categories_and_unseen_values_encode_as_zeros(train_slice):
    pre = KddPreprocessor("onehot").fit(train_slice)
    names = pre.feature_names()
    services = sorted(train_slice["service"].unique())
    assert [n for n in names if n.startswith("service=")] == [f"service={s}" for s in services]
    odd = train_slice.iloc[:3].copy()
    odd["service"] = "never_seen_service"
    x = pre.transform(odd)
    service_cols = [i for i, n in enumerate(names) if n.startswith("service=")]
    assert np.all(x[:, service_cols] == 0)


def test_label_encoding_maps_unseen_category_below_every_seen_code(train_slice):
    pre = KddPreprocessor("label").fit(train_slice)
    j = pre.feature_names().index("service")
    odd = train_slice.iloc[:2].copy()
    odd["service"] = "never_seen_service"
    assert np.all(pre.transform(odd)[:, j] < pre.transform(train_slice)[:, j].min())


def test_feature_selection_is_fitted_on_training_rows_and_keeps_k_columns(train_slice, test_slice):
    y = targets(train_slice, "binary")
    fs = TinyFeatures(k=12).fit(train_slice, y)
    again = TinyFeatures(k=12).fit(train_slice, y)
    assert np.array_equal(fs.columns_, again.columns_)  # deterministic
    assert fs.transform(test_slice).shape == (len(test_slice), 12)
    assert len(fs.constants()) == 12 and [c["name"] for c in fs.constants()] == fs.feature_names()
    with pytest.raises(ConfigError, match="k"):
        TinyFeatures(k=10_000).fit(train_slice, y)


def test_five_class_targets_follow_attack_class_and_collapse_to_binary(train_slice):
    y5 = targets(train_slice, "five_class")
    assert set(np.unique(y5)) <= {0, 1, 2, 3, 4}
    assert np.array_equal(attack_indicator(y5, "five_class"), train_slice["is_attack"].to_numpy())
    with pytest.raises(ConfigError):
        targets(train_slice, "seven_class")


def test_thesis_split_is_a_disjoint_stratified_80_20_split_of_the_training_file(train_slice):
    frame = train_slice.assign(row_id=np.arange(len(train_slice)))
    split = make_split("thesis", frame, "KDDTrain+_20Percent", test_size=0.2, seed=1)
    holdout = split.tests["holdout"]
    assert split.train_file == "KDDTrain+_20Percent"
    assert len(holdout) == pytest.approx(0.2 * len(frame), abs=1)
    assert not set(split.train["row_id"]) & set(holdout["row_id"])
    assert set(split.train["row_id"]) | set(holdout["row_id"]) == set(frame["row_id"])
    assert abs(split.train["is_attack"].mean() - holdout["is_attack"].mean()) < 0.02


def test_standard_protocol_trains_on_the_whole_file_and_needs_both_test_files(train_slice, test_slice):
    split = make_split("standard", train_slice, "KDDTrain+_20Percent", {"KDDTest+": test_slice, "KDDTest-21": test_slice})
    assert len(split.train) == len(train_slice) and list(split.tests) == ["KDDTest+", "KDDTest-21"]
    with pytest.raises(DataError, match="KDDTest-21"):
        make_split("standard", train_slice, "KDDTrain+_20Percent", {"KDDTest+": test_slice})
    with pytest.raises(ConfigError, match="protocol"):
        make_split("cross_validation", train_slice, "KDDTrain+_20Percent")


def test_stratified_subsample_keeps_class_proportions(nslkdd_train_frame):
    sub = stratified_subsample(nslkdd_train_frame, 1000, 0, by=SUBSAMPLE_STRATA)
    assert len(sub) == 1000
    assert abs(sub["is_attack"].mean() - nslkdd_train_frame["is_attack"].mean()) < 0.01
