"""idrissi2022 paper comparison: values come from the config block and metrics.csv, never typed in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tinyids.idrissi2022 import comparison
from tinyids.study import comparison as study_comparison
from tinyids.tables import MISSING

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
                rows.append({"protocol": protocol, "run": seed, "model": variant, "source": "testbed",
                             "accuracy": acc + 0.01 * seed, "keras_bytes": keras_b, "tflite_bytes": tfl,
                             "params": params})
    return pd.DataFrame(rows)


def _row(table, variant, quantity):
    sel = table[(table["model"] == variant) & table["quantity"].str.startswith(quantity)]
    return sel.iloc[0]


def test_every_table_ii_figure_and_both_parameter_counts_appear_per_protocol(paper):
    table = comparison.compare(fake_metrics(), paper)
    assert tuple(table.columns[: len(study_comparison.COLUMNS)]) == study_comparison.COLUMNS
    for protocol in ("paper", "dedup"):
        sub = table[table["protocol"] == protocol]
        assert len(sub) == 2 * len(paper["table2"]) + len(paper["parameters"])
        assert set(sub["model"]) == set(paper["table2"])
    om_acc = _row(table, "OM", "accuracy_percent")
    assert om_acc["paper_value"] == paper["table2"]["OM"]["accuracy_percent"] and om_acc["unit"] == "%"
    assert om_acc["our_value"] == pytest.approx(91.5) and om_acc["n_runs"] == 2
    assert om_acc["our_sd"] == pytest.approx(np.std([91.0, 92.0], ddof=1))
    assert om_acc["difference"] == pytest.approx(om_acc["our_value"] - om_acc["paper_value"])
    assert om_acc["table"] == paper["table2"]["OM"]["where"] and om_acc["citation"] == paper["citation"]


def test_one_seed_has_no_standard_deviation(paper):
    metrics = fake_metrics()
    table = comparison.compare(metrics[metrics["run"] == 1], paper)
    row = _row(table, "POM", "accuracy_percent")
    assert row["n_runs"] == 1 and np.isnan(row["our_sd"])


def test_sizes_read_kb_as_kibibytes_and_compare_the_matching_file(paper):
    table = comparison.compare(fake_metrics(), paper)
    tmo = _row(table, "tMO", "size")
    assert tmo["quantity"].endswith("(tflite_bytes)") and tmo["our_value"] == pytest.approx(4001.5)
    assert tmo["unit"] == "bytes"
    om = _row(table, "OM", "size")
    assert om["quantity"].endswith("(keras_bytes)")
    assert om["paper_value"] == paper["table2"]["OM"]["size"]["value"] * comparison.UNIT_BYTES[paper["table2"]["OM"]["size"]["unit"]]


def test_markdown_marks_smoke_runs_and_cites_the_paper(paper):
    table = comparison.compare(fake_metrics(), paper)
    text = comparison.to_markdown(table, smoke=True, citation=paper["citation"])
    assert "Smoke run" in text and paper["citation"] in text
    assert text.count("| paper | ") == len(table[table["protocol"] == "paper"])
    assert "91.50 ± 0.71 (n=2)" in text


def test_a_missing_variant_is_reported_as_not_available(paper):
    metrics = fake_metrics()
    table = comparison.compare(metrics[metrics["model"] != "tMOP"], paper)
    row = _row(table, "tMOP", "accuracy_percent")
    assert np.isnan(row["our_value"]) and np.isnan(row["difference"]) and row["n_runs"] == 0
    text = comparison.to_markdown(table, smoke=False)
    assert f"| paper | tMOP |  | accuracy_percent | 96.69 % ({paper['table2']['tMOP']['where']}) | {MISSING} | {MISSING} |" in text


def test_conversions_sit_beside_table_ii_and_robust_int8_beside_the_papers_tmop_with_sd_and_n(paper):
    metrics = fake_metrics()
    metrics["conversion"] = "full int8 (what the boards run)"
    extra = []
    for protocol in ("paper", "dedup"):
        for seed in (1, 2):
            extra.append({"protocol": protocol, "run": seed, "model": "tMO_float", "source": "testbed",
                          "accuracy": 0.75 + 0.01 * seed, "keras_bytes": 15_000, "tflite_bytes": 5_000, "params": 645,
                          "conversion": "float32 .tflite"})
            extra.append({"protocol": protocol, "run": seed, "model": "tMO_robust", "source": "testbed",
                          "accuracy": 0.97 + 0.01 * seed, "keras_bytes": 15_000, "tflite_bytes": 5_000, "params": 645,
                          "conversion": "full int8 (what the boards run)"})
    table = comparison.compare(pd.concat([metrics, pd.DataFrame(extra)], ignore_index=True), paper)
    conv = _row(table[table["protocol"] == "paper"], "tMO_float", "accuracy_percent")
    assert conv["paper_value"] == paper["table2"]["tMO"]["accuracy_percent"] and conv["conversion"] == "float32 .tflite"
    assert conv["our_value"] == pytest.approx(76.5) and conv["n_runs"] == 2 and conv["our_sd"] == pytest.approx(0.7071, abs=1e-3)
    size = _row(table[table["protocol"] == "paper"], "tMO_float", "size_bytes")
    assert size["paper_value"] == paper["table2"]["tMO"]["size"]["value"] and size["our_value"] == 5_000
    robust = _row(table[table["protocol"] == "dedup"], "tMO_robust", "accuracy_percent")
    assert robust["paper_value"] == paper["table2"]["tMOP"]["accuracy_percent"] and "not the paper's model" in robust["table"]
    assert _row(table, "tMO", "accuracy_percent")["conversion"] == "full int8 (what the boards run)"
