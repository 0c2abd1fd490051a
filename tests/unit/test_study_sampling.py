"""The one stratified subsample picks, for every study, exactly the rows its own function picked.

The three functions it replaced are frozen below as they were (srm2025/protocols.py,
ibrahim2025/features.py, idrissi2022/protocols.py) and serve as the reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from tinyids.errors import ConfigError, DataError
from tinyids.study.sampling import stratified_subsample, strata_column

SRM2025_BY = ("attack_class", "is_attack")


# ---------------------------------------------------------------- the replaced functions, verbatim


def _old_srm2025_strata(frame):
    strata = frame["attack_class"].astype(str)
    if strata.value_counts().min() >= 2:
        return strata
    return frame["is_attack"].astype(str)


def old_srm2025(frame, n, seed):
    if n is None or n >= len(frame):
        return frame.reset_index(drop=True)
    if n < 2:
        raise ConfigError(f"srm2025.subsample: a subsample needs at least 2 rows, got {n}")
    strata = _old_srm2025_strata(frame)
    n_classes = strata.nunique()
    if n < n_classes:
        strata = frame["is_attack"].astype(str)
    kept, _ = train_test_split(frame, train_size=n, stratify=strata, random_state=seed)
    return kept.sort_index().reset_index(drop=True)


def old_ibrahim2025(frame, max_rows, seed, label="Label"):
    if max_rows is None or len(frame) <= max_rows:
        return frame.reset_index(drop=True)
    keep, _ = train_test_split(frame, train_size=max_rows, stratify=frame[label], random_state=seed)
    return keep.sort_index().reset_index(drop=True)


def old_idrissi2022(frame, label, max_rows, seed):
    if max_rows is None or len(frame) <= max_rows:
        return frame
    rng = np.random.default_rng(seed)
    counts = frame[label].value_counts()
    quota = np.maximum(np.floor(counts / len(frame) * max_rows).astype(int), np.minimum(counts, 5))
    parts = []
    for cls, n in quota.items():
        idx = np.flatnonzero((frame[label] == cls).to_numpy())
        parts.append(np.sort(rng.choice(idx, size=int(n), replace=False)))
    return frame.iloc[np.sort(np.concatenate(parts))]


# ---------------------------------------------------------------- small frames


def kdd_like(n_rows: int, seed: int, singleton_class: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    classes = np.array(["normal", "DoS", "Probe", "R2L", "U2R"])
    attack_class = rng.choice(classes, n_rows, p=[0.5, 0.3, 0.12, 0.06, 0.02])
    attack_class[:2] = ["U2R", "U2R"]  # every class present twice at least
    if singleton_class:
        attack_class[(attack_class == "U2R")] = "R2L"
        attack_class[0] = "U2R"
    return pd.DataFrame({"src_bytes": rng.integers(0, 10_000, n_rows), "attack_class": attack_class,
                         "is_attack": (attack_class != "normal").astype(int)})


def uniflow_like(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = rng.choice(["normal", "scan_A", "scan_sU", "sparta", "mqtt_bruteforce"], n_rows,
                        p=[0.6, 0.25, 0.1, 0.04, 0.01])
    return pd.DataFrame({"num_pkts": rng.integers(1, 50, n_rows), "label": labels})


def wustl_like(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"Dur": rng.random(n_rows), "Label": (rng.random(n_rows) < 0.13).astype(int)})


def same_rows(new, old) -> None:
    """The two calls (thunks) return the same rows, or both fail with the same error type."""
    try:
        expected = old()
    except ValueError as error:  # scikit-learn cannot split (a stratum too small for the cap)
        with pytest.raises(type(error)):
            new()
        return
    pd.testing.assert_frame_equal(new(), expected.reset_index(drop=True))


# ---------------------------------------------------------------- identical to the old functions


@pytest.mark.parametrize("n", [None, 2, 3, 40, 299, 300, 1000])
@pytest.mark.parametrize("singleton", [False, True])
def test_srm2025_subsample_picks_the_rows_the_srm2025_function_picked(n, singleton):
    frame = kdd_like(300, seed=3, singleton_class=singleton)
    for seed in (0, 7):
        same_rows(lambda: stratified_subsample(frame, n, seed, by=SRM2025_BY), lambda: old_srm2025(frame, n, seed))


def test_srm2025_subsample_of_real_nslkdd_rows_matches_the_srm2025_function(nslkdd_train_frame, nslkdd_test_frame):
    for frame, n, seed in ((nslkdd_train_frame, 1500, 3), (nslkdd_test_frame, 800, 3), (nslkdd_train_frame, 4, 1)):
        same_rows(lambda: stratified_subsample(frame, n, seed, by=SRM2025_BY), lambda: old_srm2025(frame, n, seed))


@pytest.mark.parametrize("n", [None, 2, 50, 399, 400, 401])
def test_ibrahim2025_subsample_picks_the_rows_the_ibrahim2025_function_picked(n):
    frame = wustl_like(400, seed=1)
    for seed in (5, 42):
        same_rows(lambda: stratified_subsample(frame, n, seed, by="Label"), lambda: old_ibrahim2025(frame, n, seed))


def test_ibrahim2025_subsample_of_real_wustl_rows_matches_the_ibrahim2025_function(wustl_frame):
    same_rows(lambda: stratified_subsample(wustl_frame, 1500, 5, by="Label"),
              lambda: old_ibrahim2025(wustl_frame, 1500, 5))


@pytest.mark.parametrize("n", [None, 10, 37, 250, 499, 500])
def test_idrissi2022_subsample_picks_the_rows_the_idrissi2022_function_picked(n):
    frame = uniflow_like(500, seed=2)
    for seed in (0, 11):
        same_rows(lambda: stratified_subsample(frame, n, seed, by="label", method="quota", min_per_class=5),
                  lambda: old_idrissi2022(frame, "label", n, seed))


@settings(max_examples=25, deadline=None)
@given(n_rows=st.integers(20, 200), cap=st.integers(2, 220), seed=st.integers(0, 2**16), data_seed=st.integers(0, 99))
def test_every_study_keeps_its_rows_for_any_cap_and_seed(n_rows, cap, seed, data_seed):
    kdd = kdd_like(n_rows, data_seed)
    same_rows(lambda: stratified_subsample(kdd, cap, seed, by=SRM2025_BY), lambda: old_srm2025(kdd, cap, seed))
    uni = uniflow_like(n_rows, data_seed)
    same_rows(lambda: stratified_subsample(uni, cap, seed, by="label", method="quota", min_per_class=5),
              lambda: old_idrissi2022(uni, "label", cap, seed))
    wustl = wustl_like(n_rows, data_seed)
    same_rows(lambda: stratified_subsample(wustl, cap, seed, by="Label"), lambda: old_ibrahim2025(wustl, cap, seed))


# ---------------------------------------------------------------- the helper's own contract


def test_the_two_methods_pick_different_rows_so_each_study_keeps_its_own():
    frame = uniflow_like(500, seed=4)
    split = stratified_subsample(frame, 100, 0, by="label")
    quota = stratified_subsample(frame, 100, 0, by="label", method="quota")
    assert not split.equals(quota)


def test_the_strata_fall_back_to_the_next_column_when_a_class_is_too_small_or_too_many():
    frame = kdd_like(300, seed=0)
    assert strata_column(frame, SRM2025_BY, 100) == "attack_class"
    assert strata_column(frame, SRM2025_BY, 3) == "is_attack"  # five classes do not fit in three rows
    assert strata_column(kdd_like(300, seed=0, singleton_class=True), SRM2025_BY, 100) == "is_attack"


def test_a_subsample_keeps_the_class_shares_and_the_order_of_the_rows():
    frame = kdd_like(1000, seed=8).assign(position=np.arange(1000))
    sub = stratified_subsample(frame, 200, 1, by="attack_class")
    assert len(sub) == 200 and sub["position"].is_monotonic_increasing
    share = frame["attack_class"].value_counts(normalize=True)
    assert (sub["attack_class"].value_counts(normalize=True) - share).abs().max() < 0.01


def test_errors_name_the_cap_key_the_column_and_the_method():
    frame = kdd_like(50, seed=0)
    with pytest.raises(ConfigError, match="srm2025.subsample: a subsample needs at least 2 rows, got 1"):
        stratified_subsample(frame, 1, 0, by=SRM2025_BY, key="srm2025.subsample")
    with pytest.raises(DataError, match=r"no column\(s\) \['Label'\]"):
        stratified_subsample(frame, 10, 0, by="Label")
    with pytest.raises(ConfigError, match="unknown method 'random'"):
        stratified_subsample(frame, 10, 0, by="attack_class", method="random")
