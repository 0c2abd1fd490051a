"""idrissi2022 paper comparison: values come from the config block and metrics.csv, never typed in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tinyids.idrissi2022 import comparison

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def paper() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["idrissi2022"]["paper"]


def fake_metrics() -> pd.DataFrame:
    rows = []
    for protocol in ("paper", "dedup"):
        for seed in (1, 2):
            for variant, (acc, keras_b, tfl, params) in {
                "OM": (0.9, 300_000, np.nan, 26_365), "POM": (0.8, 30_000, np.nan, 645),
                "tM": (0.9, 300_000, 100_000, 26_365), "tMO": (0.7, 15_000, 4_000 + seed, 645),
                "tMOP": (0.6, 15_000, 3_000, 245),
            }.items():
                rows.append({"protocol": protocol, "seed": seed, "variant": variant, "source": "testbed",
                             "accuracy": acc + 0.01 * seed, "keras_bytes": keras_b, "tflite_bytes": tfl,
                             "params": params})
    return pd.DataFrame(rows)


def test_every_table_ii_figure_and_both_parameter_counts_appear_per_protocol(paper):
    table = comparison.compare(fake_metrics(), paper)
    for protocol in ("paper", "dedup"):
        sub = table[table["protocol"] == protocol]
        assert len(sub) == 2 * len(paper["table2"]) + len(paper["parameters"])
        assert set(sub["variant"]) == set(paper["table2"])
    om_acc = table[(table["variant"] == "OM") & (table["figure"] == "accuracy_percent")].iloc[0]
    assert om_acc["paper"] == paper["table2"]["OM"]["accuracy_percent"]
    assert om_acc["ours_mean"] == pytest.approx(91.5) and om_acc["n_seeds"] == 2
    assert om_acc["difference"] == pytest.approx(om_acc["ours_mean"] - om_acc["paper"])
    assert paper["citation"] in om_acc["citation"]


def test_sizes_read_kb_as_kibibytes_and_compare_the_matching_file(paper):
    table = comparison.compare(fake_metrics(), paper)
    tmo = table[(table["variant"] == "tMO") & table["figure"].str.startswith("size")].iloc[0]
    assert tmo["figure"].endswith("(tflite_bytes)") and tmo["ours_mean"] == pytest.approx(4001.5)
    om = table[(table["variant"] == "OM") & table["figure"].str.startswith("size")].iloc[0]
    assert om["figure"].endswith("(keras_bytes)")
    assert om["paper"] == paper["table2"]["OM"]["size"]["value"] * comparison.UNIT_BYTES[paper["table2"]["OM"]["size"]["unit"]]


def test_markdown_marks_smoke_runs_and_cites_the_paper(paper):
    table = comparison.compare(fake_metrics(), paper)
    text = comparison.to_markdown(table, smoke=True, citation=paper["citation"])
    assert "Smoke run" in text and paper["citation"] in text
    assert text.count("| paper | ") == len(table[table["protocol"] == "paper"])


def test_a_missing_variant_is_reported_as_not_available(paper):
    metrics = fake_metrics()
    table = comparison.compare(metrics[metrics["variant"] != "tMOP"], paper)
    row = table[(table["variant"] == "tMOP") & (table["figure"] == "accuracy_percent")].iloc[0]
    assert np.isnan(row["ours_mean"]) and np.isnan(row["difference"])
