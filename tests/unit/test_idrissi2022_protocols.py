"""idrissi2022 preprocessing: identifiers dropped, encoding, unit norm, leak-free dedup, chi-square on train."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tinyids.errors import ConfigError, DataError
from tinyids.idrissi2022 import protocols

FEATURES = ["prt_src", "prt_dst", "proto", "num_pkts", "mean_iat", "std_iat", "min_iat", "max_iat", "mean_pkt_len",
            "num_bytes", "num_psh_flags", "num_rst_flags", "num_urg_flags", "std_pkt_len", "min_pkt_len",
            "max_pkt_len"]
CLASSES = ["normal", "scan_A", "scan_sU", "sparta", "mqtt_bruteforce"]
DROPPED = {"ip_src": "attacker address", "ip_dst": "victim address"}
SPLIT = {"train": 0.6, "val": 0.2, "test": 0.2}


def uniflow_frame(n_per_class: int = 60, duplicate_share: float = 0.5, seed: int = 0) -> pd.DataFrame:
    """A small uniflow-shaped table: 18 columns + is_attack + label + source, many exact duplicates."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, cls in enumerate(CLASSES):
        n_unique = max(3, int(n_per_class * (1 - duplicate_share)))
        base = pd.DataFrame({
            "ip_src": f"192.168.1.{10 + k}", "ip_dst": "192.168.1.2",
            "prt_src": rng.integers(1024, 65535, n_unique), "prt_dst": [22, 1883, 80, 22, 1883][k],
            "proto": rng.choice(["tcp", "udp"], n_unique), "num_pkts": rng.integers(1, 50, n_unique) * (k + 1),
            "mean_iat": rng.random(n_unique) * (k + 1), "std_iat": rng.random(n_unique), "min_iat": rng.random(n_unique) * 0.1,
            "max_iat": rng.random(n_unique) * 3, "mean_pkt_len": rng.integers(40, 1500, n_unique) / (k + 1),
            "num_bytes": rng.integers(40, 10_000, n_unique), "num_psh_flags": rng.integers(0, 5, n_unique),
            "num_rst_flags": rng.integers(0, 2, n_unique), "num_urg_flags": 0, "std_pkt_len": rng.random(n_unique) * 10,
            "min_pkt_len": 40, "max_pkt_len": rng.integers(40, 1500, n_unique),
        })
        picks = np.concatenate([np.arange(n_unique), rng.integers(0, n_unique, n_per_class - n_unique)])
        part = base.iloc[picks].copy()
        part["is_attack"] = int(cls != "normal")
        part["label"] = cls
        rows.append(part)
    frame = pd.concat(rows, ignore_index=True)
    frame["source"] = "testbed"
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def run(frame: pd.DataFrame, protocol: str, seed: int = 3, **kwargs) -> protocols.Prepared:
    return protocols.prepare(frame, protocol=protocol, features=FEATURES, classes=CLASSES, seed=seed, split=SPLIT,
                             chi2_k=7, dropped_identifiers=DROPPED, **kwargs)


def raw_vectors(frame: pd.DataFrame, rows: np.ndarray) -> set[tuple]:
    return set(map(tuple, frame.loc[rows, FEATURES].astype(str).to_numpy()))


def test_dedup_protocol_leaves_no_test_feature_vector_in_training():
    frame = uniflow_frame(duplicate_share=0.6)
    prepared = run(frame, "dedup")
    assert not raw_vectors(frame, prepared.rows_train) & raw_vectors(frame, prepared.rows_test)
    assert prepared.report["duplicate_test_rows_in_train"] == 0
    assert prepared.report["exact_duplicates_dropped"] > 0


def test_paper_protocol_keeps_duplicates_and_reports_their_test_twins():
    frame = uniflow_frame(duplicate_share=0.6)
    prepared = run(frame, "paper")
    assert prepared.report["rows_used"] == len(frame)
    assert prepared.report["duplicate_test_rows_in_train"] > 0


def test_dedup_drops_feature_vectors_that_carry_two_labels():
    frame = uniflow_frame(duplicate_share=0.0)
    twin = frame.iloc[[0]].copy()
    twin["label"] = next(c for c in CLASSES if c != twin["label"].iloc[0])
    frame = pd.concat([frame, twin], ignore_index=True)
    kept, report = protocols.deduplicate(frame, FEATURES, "label")
    assert report["conflicting_label_rows_dropped"] == 2
    assert kept.groupby(FEATURES)["label"].nunique().max() == 1


def test_identifiers_are_never_inputs_and_the_paper_features_are_sixteen():
    prepared = run(uniflow_frame(), "paper")
    assert prepared.x_train.shape[1] == 16
    assert not set(DROPPED) & set(prepared.feature_names)
    with pytest.raises(ConfigError, match="ip_src"):
        protocols.prepare(uniflow_frame(), protocol="paper", features=[*FEATURES, "ip_src"], classes=CLASSES, seed=0,
                          split=SPLIT, chi2_k=7, dropped_identifiers=DROPPED)


def test_protocol_names_are_encoded_as_iana_numbers():
    frame = pd.DataFrame({"proto": ["TCP", "udp", " icmp ", "17"], "n": [1, 2, 3, 4]})
    x = protocols.encode(frame, ["proto", "n"])
    assert x[:, 0].tolist() == [6, 17, 1, 17]
    with pytest.raises(DataError, match="proto"):
        protocols.encode(pd.DataFrame({"proto": ["sctp-ish"]}), ["proto"])


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (6, 5), elements=st.floats(0, 1e6)))
def test_unit_normalize_gives_unit_rows_or_zero_rows(x):
    y = protocols.unit_normalize(x)
    norms = np.linalg.norm(y, axis=1)
    zero = ~np.any(x != 0, axis=1)  # (the norm of a tiny row underflows to 0)
    assert np.allclose(norms[~zero], 1.0) and np.all(norms[zero] == 0)


def test_unit_normalize_keeps_unit_norm_where_squares_underflow_and_matches_the_plain_division():
    tiny = np.full((2, 5), 2.13179782e-162)  # squares below the smallest subnormal double
    assert np.allclose(np.linalg.norm(protocols.unit_normalize(tiny), axis=1), 1.0)
    rng = np.random.default_rng(0)
    x = rng.random((200, 16)) * rng.choice([1e-3, 1.0, 1e6], size=(200, 1))
    plain = x / np.linalg.norm(x, axis=1, keepdims=True)
    assert np.allclose(protocols.unit_normalize(x), plain, rtol=1e-15, atol=0)


def test_split_is_stratified_60_20_20_and_disjoint():
    prepared = run(uniflow_frame(n_per_class=100, duplicate_share=0.0), "paper")
    n = {k: v for k, v in prepared.report["split_sizes"].items()}
    total = sum(n.values())
    assert abs(n["train"] / total - 0.6) < 0.02 and abs(n["test"] / total - 0.2) < 0.02
    rows = [set(prepared.rows_train), set(prepared.rows_val), set(prepared.rows_test)]
    assert not rows[0] & rows[1] and not rows[0] & rows[2] and not rows[1] & rows[2]
    for y in (prepared.y_train, prepared.y_test):
        assert set(np.unique(y)) == set(range(len(CLASSES)))


def test_chi_square_is_fitted_on_the_training_split_only():
    from sklearn.feature_selection import chi2

    prepared = run(uniflow_frame(n_per_class=100, duplicate_share=0.0), "paper")
    scores, _ = chi2(prepared.x_train, prepared.y_train)
    assert np.allclose(np.nan_to_num(prepared.chi2_scores), np.nan_to_num(scores))
    everything = np.concatenate([prepared.x_train, prepared.x_val, prepared.x_test])
    labels = np.concatenate([prepared.y_train, prepared.y_val, prepared.y_test])
    all_scores, _ = chi2(everything, labels)
    assert not np.allclose(np.nan_to_num(all_scores), np.nan_to_num(prepared.chi2_scores))
    assert len(prepared.selected) == 7
    table = protocols.chi2_table(prepared)
    assert table["selected"].sum() == 7 and set(table.loc[table["selected"], "feature"]) == set(prepared.selected_names)


def test_changing_test_and_validation_rows_leaves_the_chi_square_choice_unchanged():
    frame = uniflow_frame(n_per_class=100, duplicate_share=0.0)
    before = run(frame, "paper")
    held_out = np.concatenate([before.rows_val, before.rows_test])
    numeric = [f for f in FEATURES if f != "proto"]
    changed = frame.astype({f: float for f in numeric})
    changed.loc[held_out, numeric] = np.random.default_rng(1).random((held_out.size, len(numeric))) * 1e4
    after = run(changed, "paper")
    assert np.array_equal(after.rows_test, before.rows_test)
    assert np.allclose(np.nan_to_num(after.chi2_scores), np.nan_to_num(before.chi2_scores))
    assert after.selected == before.selected


def test_same_seed_same_split_and_save_load_round_trip(tmp_path):
    frame = uniflow_frame()
    a, b = run(frame, "dedup", seed=5), run(frame, "dedup", seed=5)
    assert np.array_equal(a.rows_test, b.rows_test) and a.selected == b.selected
    a.save(tmp_path / "d.npz")
    c = protocols.Prepared.load(tmp_path / "d.npz")
    assert np.array_equal(c.x_test, a.x_test) and c.selected_names == a.selected_names and c.report == a.report


def test_unknown_labels_and_negative_features_are_refused():
    frame = uniflow_frame()
    bad = frame.copy()
    bad.loc[0, "label"] = "ddos"
    with pytest.raises(DataError, match="ddos"):
        run(bad, "paper")
    with pytest.raises(DataError, match="non-negative"):
        protocols.chi2_select(np.array([[-1.0, 2.0], [1.0, 2.0]]), np.array([0, 1]), 1)


def test_stratified_subsample_caps_rows_and_keeps_every_class():
    frame = uniflow_frame(n_per_class=200, duplicate_share=0.0)
    prepared = run(frame, "paper", max_rows=300)
    assert prepared.report["rows_used"] <= 300 + 5 * len(CLASSES)
    assert set(np.unique(prepared.y_train)) == set(range(len(CLASSES)))
