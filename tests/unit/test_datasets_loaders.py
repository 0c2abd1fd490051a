"""Loaders on small slices of the real files, and every kind of malformed input they refuse."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyids.datasets import mqtt, nslkdd, wustl
from tinyids.errors import DataError


def _head_lines(gz: Path, n: int) -> list[str]:
    with gzip.open(gz, "rt") as handle:
        return [next(handle) for _ in range(n)]


@pytest.fixture
def nsl_slice(data_mirror: Path, tmp_path: Path) -> Path:
    path = tmp_path / "slice.txt"
    path.write_text("".join(_head_lines(data_mirror / "nsl-kdd" / "KDDTest+.txt.gz", 40)))
    return path


@pytest.fixture
def wustl_slice(data_mirror: Path, tmp_path: Path) -> Path:
    path = tmp_path / "wustl.csv"
    path.write_text("".join(_head_lines(data_mirror / "wustl-ehms-2020" / "wustl-ehms-2020_with_attacks_categories.csv.gz", 30)))
    return path


def _rewrite(path: Path, row: int, column: int, value: str) -> None:
    lines = path.read_text().splitlines()
    cells = lines[row].split(",")
    cells[column] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def test_nslkdd_full_files_have_the_published_row_and_class_counts(nslkdd_test_frame, nslkdd_train_frame):
    assert len(nslkdd_test_frame) == 22544
    assert (nslkdd_test_frame["is_attack"] == 0).sum() == 9711
    assert (nslkdd_test_frame["is_attack"] == 1).sum() == 12833
    assert len(nslkdd_train_frame) == 25192
    assert list(nslkdd_test_frame.columns[:41]) == list(nslkdd.FEATURES)
    assert set(nslkdd_test_frame["attack_class"]) == set(nslkdd.CLASSES)


def test_nslkdd_slice_is_typed(nsl_slice: Path):
    frame = nslkdd.load(nsl_slice)
    assert len(frame) == 40
    assert frame["src_bytes"].dtype == np.float64
    assert frame["difficulty"].dtype == np.int64
    assert frame["protocol_type"].isin(["tcp", "udp", "icmp"]).all()


def test_nslkdd_non_numeric_cell_names_file_column_and_row(nsl_slice: Path):
    _rewrite(nsl_slice, 6, 4, "12x")  # src_bytes of data row 7
    with pytest.raises(DataError, match=r"slice\.txt: column 'src_bytes' has non-numeric cells at row\(s\) 7"):
        nslkdd.load(nsl_slice)


def test_nslkdd_unknown_label_is_reported_with_row(nsl_slice: Path):
    _rewrite(nsl_slice, 2, 41, "martian_attack")
    with pytest.raises(DataError, match=r"unknown label\(s\) martian_attack in column 'label' at row\(s\) 3"):
        nslkdd.load(nsl_slice)


def test_nslkdd_missing_column_is_reported(nsl_slice: Path):
    lines = [",".join(l.split(",")[:-1]) for l in nsl_slice.read_text().splitlines()]
    nsl_slice.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="42 fields per row, expected 43"):
        nslkdd.load(nsl_slice)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_nslkdd_nan_or_inf_fails_by_default_with_count_per_column(nsl_slice: Path, bad: str):
    _rewrite(nsl_slice, 4, 24, bad)  # serror_rate
    with pytest.raises(DataError, match=r"NaN or infinite values \(per column: serror_rate: 1\); first at row\(s\) 5"):
        nslkdd.load(nsl_slice)


def test_nslkdd_nan_policy_drop_and_impute(nsl_slice: Path):
    _rewrite(nsl_slice, 4, 24, "nan")
    assert len(nslkdd.load(nsl_slice, nan_policy="drop")) == 39
    imputed = nslkdd.load(nsl_slice, nan_policy="impute")
    assert len(imputed) == 40 and np.isfinite(imputed["serror_rate"]).all()


def test_empty_file_is_a_clear_error(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(DataError, match="empty.txt: the file is empty"):
        nslkdd.load(empty)


def test_wustl_full_file_counts_and_padding_stripped(wustl_frame):
    assert len(wustl_frame) == 16318
    assert wustl_frame["Label"].value_counts().to_dict() == {0: 14272, 1: 2046}
    assert not wustl_frame["Dir"].str.startswith(" ").any()
    assert wustl_frame["Temp"].dtype == np.float64


def test_wustl_missing_column_names_it(wustl_slice: Path):
    frame = pd.read_csv(wustl_slice).drop(columns=["SpO2"])
    frame.to_csv(wustl_slice, index=False)
    with pytest.raises(DataError, match="missing columns: SpO2"):
        wustl.load(wustl_slice)


def test_wustl_label_must_agree_with_attack_category(wustl_slice: Path):
    frame = pd.read_csv(wustl_slice, dtype=str, keep_default_na=False)
    frame.loc[3, "Label"] = "1"
    frame.to_csv(wustl_slice, index=False)
    with pytest.raises(DataError, match=r"disagrees with 'Attack Category' at row\(s\) 5"):
        wustl.load(wustl_slice)


def _uniflow_csv(path: Path, rows: int, is_attack: int) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({c: rng.integers(0, 100, rows) for c in mqtt.NUMERIC})
    frame.insert(0, "ip_src", "10.0.0.2")
    frame.insert(1, "ip_dst", "10.0.0.1")
    frame = frame[list(mqtt.FEATURES)]
    frame["is_attack"] = is_attack
    frame.to_csv(path, index=False)
    return path


def test_mqtt_loader_labels_flagged_rows_by_file_and_background_as_normal(tmp_path: Path):
    paths = {c: _uniflow_csv(tmp_path / f"uniflow_{c}.csv", 5, 0 if c == "normal" else 1) for c in mqtt.CLASSES}
    background = pd.read_csv(paths["sparta"])
    background.loc[0, "is_attack"] = 0
    background.to_csv(paths["sparta"], index=False)
    frame = mqtt.load(paths, source="testbed")
    assert frame["label"].value_counts()["normal"] == 6
    assert set(frame["label"]) == set(mqtt.CLASSES)
    assert (frame["source"] == "testbed").all()


def test_mqtt_normal_file_with_attack_flag_is_refused(tmp_path: Path):
    path = _uniflow_csv(tmp_path / "uniflow_normal.csv", 3, 1)
    with pytest.raises(DataError, match=r"unknown label\(s\) 1.0 in column 'is_attack'"):
        mqtt.load_class_file(path, "normal")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["0", "1.5", "x", "", "nan", "3e2", "-"]), min_size=3, max_size=12))
def test_numeric_columns_never_silently_coerce_garbage(tmp_path_factory, cells):
    """Property: a loader either returns only finite floats or raises DataError; never garbage."""
    path = tmp_path_factory.mktemp("prop") / "uniflow_normal.csv"
    frame = pd.read_csv(_uniflow_csv(path, len(cells), 0), dtype=str)
    frame["mean_iat"] = cells
    frame.to_csv(path, index=False)
    try:
        loaded = mqtt.load_class_file(path, "normal")
    except DataError:
        return
    assert np.isfinite(loaded["mean_iat"].to_numpy()).all()
    assert all(c in ("0", "1.5", "3e2") for c in cells)
