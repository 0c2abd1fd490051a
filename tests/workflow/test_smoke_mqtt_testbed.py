"""The MQTT testbed stage of the smoke run: five classes of real traffic, uniflows, card, cleanup."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tinyids.testbed.capture import CLASSES, sha256_file
from tinyids.testbed.flows import UNIFLOW_COLUMNS

pytestmark = pytest.mark.workflow


def _csv(smoke_run: Path, cls: str) -> pd.DataFrame:
    return pd.read_csv(smoke_run / f"resources/mqtt_testbed/uniflow_{cls}.csv")


@pytest.mark.parametrize("cls", CLASSES)
def test_every_class_has_uniflow_rows_with_exactly_the_published_columns(smoke_run: Path, cls: str):
    frame = _csv(smoke_run, cls)
    assert tuple(frame.columns) == UNIFLOW_COLUMNS
    assert len(frame) > 0
    if cls == "normal":
        assert (frame["is_attack"] == 0).all()
    else:
        assert frame["is_attack"].sum() > 0, f"no attack flow captured for {cls}"


def test_attack_flows_have_the_signature_of_their_attack(smoke_run: Path):
    attacks = {cls: _csv(smoke_run, cls).query("is_attack == 1") for cls in CLASSES[1:]}
    assert (attacks["scan_sU"]["proto"] == 17).any()  # UDP probes
    assert (attacks["scan_A"]["proto"] == 6).any() and attacks["scan_A"]["num_rst_flags"].sum() > 0
    assert ((attacks["sparta"]["prt_dst"] == 22) | (attacks["sparta"]["prt_src"] == 22)).all()
    broker_port = 1883
    assert ((attacks["mqtt_bruteforce"]["prt_dst"] == broker_port)
            | (attacks["mqtt_bruteforce"]["prt_src"] == broker_port)).all()


def test_feature_values_are_internally_consistent(smoke_run: Path):
    frame = pd.concat([_csv(smoke_run, cls) for cls in CLASSES], ignore_index=True)
    assert set(frame["proto"]) <= {6, 17}
    assert ((frame["num_bytes"] - frame["mean_pkt_len"] * frame["num_pkts"]).abs() < 1e-6 * frame["num_bytes"] + 1e-6).all()
    assert (frame["min_pkt_len"] <= frame["max_pkt_len"]).all() and (frame["max_pkt_len"] <= 1500).all()
    assert (frame["min_iat"] <= frame["max_iat"]).all() and (frame["min_iat"] >= 0).all()
    assert frame[frame["proto"] == 17][["num_psh_flags", "num_rst_flags", "num_urg_flags"]].eq(0).all().all()
    subnet = re.compile(r"^10\.213\.77\.\d+$")
    assert frame["ip_src"].str.match(subnet).all() and frame["ip_dst"].str.match(subnet).all()


def test_card_counts_and_digests_match_the_files(smoke_run: Path):
    card = json.loads((smoke_run / "results/mqtt_testbed/card.json").read_text())
    assert (smoke_run / "results/mqtt_testbed/card.md").read_text().startswith("# MQTT testbed capture")
    assert card["smoke"] is True and card["source"] == "testbed"
    assert card["columns"] == list(UNIFLOW_COLUMNS)
    for cls in CLASSES:
        info = card["classes"][cls]
        pcap = smoke_run / "resources/mqtt_testbed/pcap" / f"{cls}.pcap"
        assert info["rows"] == len(_csv(smoke_run, cls))
        assert info["pcap_sha256"] == sha256_file(pcap) and info["packets_captured"] > 0
        assert 0 < info["duration_s"] < 30
    assert card["totals"]["rows"] == sum(card["classes"][c]["rows"] for c in CLASSES)


def test_the_data_loader_reads_the_testbed_files(smoke_run: Path):
    from tinyids.datasets import mqtt

    frame = mqtt.load({c: smoke_run / f"resources/mqtt_testbed/uniflow_{c}.csv" for c in CLASSES}, source="testbed")
    assert set(frame["label"]) == set(CLASSES)


def test_no_testbed_namespace_outlives_its_run(smoke_run: Path):
    if os.geteuid() != 0:
        pytest.fail("the smoke run's testbed needs root; run the workflow tests as root (CI does)")
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        match = re.match(r"^tinyids-(\d+)-", name)
        if match:
            assert Path(f"/proc/{match.group(1)}").exists(), f"namespace {name} left behind by a finished run"


def test_card_sets_every_file_beside_the_published_counts(smoke_run: Path):
    card = json.loads((smoke_run / "results/mqtt_testbed/card.json").read_text())
    published = pd.read_csv(smoke_run / "results/mqtt_testbed/counts_vs_published.csv")
    assert list(published["file"]) == [f"uniflow_{cls}.csv" for cls in CLASSES]
    for cls, row in zip(CLASSES, published.itertuples()):
        compared = card["classes"][cls]["rows" if cls == "normal" else "attack_rows"]
        assert row.our_compared == compared and row.ratio == pytest.approx(compared / row.published_compared, abs=1e-4)
        assert row.within_tolerance == (abs(row.ratio - 1) <= 0.25)
    assert card["published"]["misses"] == [c for c, ok in zip(CLASSES, published["within_tolerance"]) if not ok]
    assert "## Beside the released uniflow files" in (smoke_run / "results/mqtt_testbed/card.md").read_text()


def test_baselines_have_the_comparison_columns_and_one_row_per_classifier_protocol_and_quantity(smoke_run: Path):
    from tinyids.study import comparison

    table = comparison.read(smoke_run / "results/mqtt_testbed/baselines.csv")
    assert list(table.columns[: len(comparison.COLUMNS)]) == list(comparison.COLUMNS)
    models = {"logistic_regression", "gaussian_nb", "knn", "decision_tree", "random_forest", "linear_svm"}
    protocols = {"holdout25": 1, "cv5": 5, "holdout20_replication": 1}
    assert set(table["model"]) == models and set(table["protocol"]) == set(protocols)
    assert len(table) == len(models) * len(protocols) * 2 and not table.duplicated(["protocol", "model", "quantity"]).any()
    assert (table["n_runs"] == table["protocol"].map(protocols)).all()
    assert table["our_value"].between(0, 1).all() and table["paper_value"].between(0.9, 1).all()
    assert set(table["study"]) == {"mqtt_testbed"} and set(table["data_source"]) == {"testbed"}
    assert (smoke_run / "results/mqtt_testbed/baselines.md").read_text().startswith("# MQTT-IoT-IDS2020 uniflows")
