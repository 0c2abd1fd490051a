"""The data stage of the smoke run: real files acquired from the mirror, validated, carded."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.workflow


def test_nslkdd_card_matches_published_row_counts(smoke_run: Path):
    card = json.loads((smoke_run / "results/data/nsl-kdd/card.json").read_text())
    files = card["files"]
    assert files["KDDTest+.txt"]["rows"] == 22544
    assert files["KDDTest+.txt"]["binary_counts"] == {"normal": 9711, "attack": 12833}
    assert files["KDDTrain+_20Percent.txt"]["rows"] == 25192
    assert files["KDDTest-21.txt"]["rows"] == 11850
    if "KDDTrain+.txt" not in files:
        assert any("KDDTrain+" in note and "absent" in note for note in card["notes"])
    else:
        assert files["KDDTrain+.txt"]["rows"] == 125973


def test_wustl_card_records_sha256_and_counts(smoke_run: Path):
    card = json.loads((smoke_run / "results/data/wustl-ehms-2020/card.json").read_text())
    info = card["files"]["wustl-ehms-2020_with_attacks_categories.csv"]
    assert info["sha256"] == "246e46eefd37f6ba98ba10efbdecebc0c5a08c299aa4457e26ac44eed2ee07a1"
    assert info["rows"] == 16318 and info["binary_counts"] == {"normal": 14272, "attack": 2046}
    assert "matches the published" in info["row_check"]


def test_validated_tables_are_typed_parquet(smoke_run: Path):
    frame = pd.read_parquet(smoke_run / "results/data/nsl-kdd/KDDTest+.parquet")
    assert frame.shape == (22544, 45)
    assert frame["src_bytes"].dtype == "float64" and frame["is_attack"].isin([0, 1]).all()


def test_mqtt_table_names_its_source_and_holds_five_classes(smoke_run: Path):
    frame = pd.read_parquet(smoke_run / "results/data/mqtt-iot-ids2020/uniflow.parquet")
    assert set(frame["label"]) == {"normal", "scan_A", "scan_sU", "sparta", "mqtt_bruteforce"}
    assert frame["source"].nunique() == 1
    card = (smoke_run / "results/data/mqtt-iot-ids2020/card.md").read_text()
    assert f"source: {frame['source'].iloc[0]}" in card


def test_every_rule_wrote_a_log_and_a_benchmark(smoke_run: Path):
    logs = list((smoke_run / "logs").rglob("*.log"))
    benchmarks = list((smoke_run / "benchmarks").rglob("*.tsv"))
    assert logs and benchmarks
    assert (smoke_run / "logs/data/prepare_nslkdd.log").read_text().count("validating") == 3 or \
        (smoke_run / "logs/data/prepare_nslkdd.log").read_text().count("validating") == 4
