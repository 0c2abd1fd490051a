"""ibrahim2025 paper comparison: every paper figure appears with its citation, one ComparisonRow per
protocol, ours the mean (and sd) over the folds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tinyids.ibrahim2025 import comparison
from tinyids.ibrahim2025.sizes import SIZE_MEASURES
from tinyids.study import comparison as comparison_file

REPO = Path(__file__).resolve().parents[2]


def _paper_block() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["ibrahim2025"]["paper"]


def _metrics(folds=(0,)) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for protocol in ("paper", "sound"):
        for model in ("full", "pruned_paper", "pruned_span"):
            for fold in folds:
                row = {"study": "ibrahim2025", "protocol": protocol, "model": model, "run": fold, "test_set": "test"}
                row.update({k: rng.uniform(0.9, 1.0) for k in ("accuracy", "precision", "recall", "f1", "roc_auc")})
                row.update({k: int(rng.integers(1, 3000)) for k in ("tp", "tn", "fp", "fn")})
                row["attack_share"] = 0.5
                row.update(int8_accuracy=0.8, latency_int8_median_us=50.0)
                row.update({k: float(rng.integers(10_000, 4_000_000)) for k, _ in SIZE_MEASURES})
                rows.append(row)
    return pd.DataFrame(rows)


def test_comparison_has_tables_2_4_5_with_citations_one_row_per_protocol():
    metrics, paper = _metrics(), _paper_block()
    table = comparison.comparison_table(metrics, paper)
    assert tuple(table.columns[: len(comparison_file.COLUMNS)]) == comparison_file.COLUMNS
    for cite in (paper["table2"]["cite"], paper["table4"]["cite"], paper["table5"]["cite"]):
        assert (table["table"] == cite).any(), cite
    # the paper's citation comes from config, beside where in the paper the figure stands
    assert (table["citation"].str.startswith(paper["citation"])).all()
    acc = table[(table["table"] == paper["table2"]["cite"]) & (table["quantity"] == "accuracy")]
    assert set(acc["protocol"]) == {"paper", "sound"} and len(acc) == 2
    sound = acc[acc["protocol"] == "sound"].iloc[0]
    expect = metrics[(metrics.protocol == "sound") & (metrics.model == "full")]["accuracy"].iloc[0]
    assert sound["paper_value"] == paper["table2"]["accuracy"] and sound["our_value"] == expect
    assert sound["n_runs"] == 1 and np.isnan(sound["our_sd"]) and sound["unit"] == "fraction"
    # Table 4 is compared with every pruning variant
    t4 = table[(table["table"] == paper["table4"]["cite"]) & (table["quantity"] == "accuracy")]
    assert set(t4["model"]) == {"pruned_paper", "pruned_span"}
    # literature rows of Table 5 carry the paper figure and no figure of ours
    knn = table[table["quantity"].str.contains("KNN")]
    assert (knn["paper_value"] == 0.90).all() and knn["our_value"].isna().all() and (knn["n_runs"] == 0).all()
    assert (knn["model"] == comparison_file.NO_MODEL).all()
    sizes = table[table["quantity"].str.startswith("size: ")]
    assert set(sizes["unit"]) == {"bytes", "count"}


def test_our_value_is_the_mean_and_sample_sd_over_the_folds():
    metrics, paper = _metrics(folds=(0, 1, 2)), _paper_block()
    table = comparison.comparison_table(metrics, paper)
    row = table[(table["table"] == paper["table2"]["cite"]) & (table["quantity"] == "f1") & (table["protocol"] == "paper")].iloc[0]
    folds = metrics[(metrics.protocol == "paper") & (metrics.model == "full")]["f1"]
    assert row["our_value"] == pytest.approx(folds.mean()) and row["our_sd"] == pytest.approx(folds.std(ddof=1))
    assert row["n_runs"] == 3
    md = comparison.markdown(table, metrics, paper, smoke=False)
    assert f"{row['our_value']:.4f} ± {row['our_sd']:.4f} (n=3)" in md


def test_markdown_keeps_the_two_protocol_columns_and_names_sizes_and_smoke_status():
    metrics, paper = _metrics(), _paper_block()
    table = comparison.comparison_table(metrics, paper)
    md = comparison.markdown(table, metrics, paper, smoke=True)
    assert "Smoke run" in md and "ours (paper protocol)" in md and "ours (sound protocol)" in md
    assert "formula (7)-(8)" in md and "84KB" in md and "int8" in md and paper["citation"] in md
    assert "Smoke run" not in comparison.markdown(table, metrics, paper, smoke=False)


def _robust_record(protocol, source, fold, accuracy):
    m8 = {"accuracy": accuracy, "precision": 0.5, "recall": 0.6, "f1": 0.55, "roc_auc": 0.9}
    return {"protocol": protocol, "fold": fold, "model": f"{source}_robust", "source_model": source,
            "metrics": {"accuracy": 0.1}, "metrics_int8": m8}


def test_robust_variants_get_their_int8_figures_beside_their_source_models_tables_noted_as_ours():
    metrics, paper = _metrics(), _paper_block()
    robust = comparison.robust_frame([_robust_record("sound", "pruned_paper", 0, 0.937),
                                      _robust_record("sound", "full", 0, 0.943)])
    table = comparison.comparison_table(metrics, paper, robust)
    t4 = table[(table["table"] == paper["table4"]["cite"]) & (table["quantity"] == "accuracy")]
    # Table 4's pruning variants are the paper-faithful models only; the robust one is its own row
    row = t4[t4["model"] == "pruned_paper_robust"]
    assert len(row) == 1 and row["protocol"].iloc[0] == "sound" and row["our_value"].iloc[0] == 0.937
    assert row["note"].iloc[0] == comparison.ROBUST_NOTE and row["paper_value"].iloc[0] == paper["table4"]["accuracy"]
    t2 = table[(table["table"] == paper["table2"]["cite"]) & (table["model"] == "full_robust")]
    assert set(t2["quantity"]) == {"accuracy", "precision", "recall", "f1"}
    auc = table[(table["quantity"] == "roc_auc") & table["model"].str.endswith("_robust")]
    assert set(auc["model"]) == {"full_robust", "pruned_paper_robust"} and (auc["our_value"] == 0.9).all()
    # no size rows: a robust variant has the bytes of its source model, reported once
    assert not table[table["model"].str.endswith("_robust") & table["quantity"].str.startswith("size: ")].shape[0]
    assert comparison.comparison_table(metrics, paper, comparison.robust_frame([])).equals(
        comparison.comparison_table(metrics, paper))
    md = comparison.markdown(table, metrics, paper, smoke=False)
    assert "| pruned_paper_robust |" in md and "0.9370" in md
