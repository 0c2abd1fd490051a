"""ibrahim2025 paper comparison: every paper figure appears with its citation, beside both protocols."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tinyids.ibrahim2025 import comparison
from tinyids.ibrahim2025.sizes import SIZE_MEASURES

REPO = Path(__file__).resolve().parents[2]


def _paper_block() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())["ibrahim2025"]["paper"]


def _metrics() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for protocol in ("paper", "sound"):
        for model in ("full", "pruned_paper", "pruned_span"):
            row = {"protocol": protocol, "model": model, "fold": 0}
            row.update({k: rng.uniform(0.9, 1.0) for k in ("accuracy", "precision", "recall", "f1", "roc_auc")})
            row.update({k: int(rng.integers(1, 3000)) for k in ("tp", "tn", "fp", "fn")})
            row["attack_share"] = 0.5
            row.update(int8_accuracy=0.8, latency_int8_median_us=50.0)
            row.update({k: float(rng.integers(10_000, 4_000_000)) for k, _ in SIZE_MEASURES})
            rows.append(row)
    return pd.DataFrame(rows)


def test_comparison_has_tables_2_4_5_with_citations_for_both_protocols():
    metrics, paper = _metrics(), _paper_block()
    table = comparison.comparison_table(metrics, paper)
    for cite in (paper["table2"]["cite"], paper["table4"]["cite"], paper["table5"]["cite"]):
        assert (table["source"] == cite).any(), cite
    acc = table[(table["source"] == paper["table2"]["cite"]) & (table["quantity"] == "accuracy")].iloc[0]
    expect = metrics[(metrics.protocol == "sound") & (metrics.model == "full")]["accuracy"].iloc[0]
    assert acc["paper"] == paper["table2"]["accuracy"] and acc["ours_sound_protocol"] == expect
    # Table 4 is compared with every pruning variant
    t4 = table[(table["source"] == paper["table4"]["cite"]) & (table["quantity"] == "accuracy")]
    assert set(t4["model"]) == {"pruned_paper", "pruned_span"}
    # literature rows of Table 5 carry the paper figure and no figure of ours
    knn = table[table["quantity"].str.contains("KNN")].iloc[0]
    assert knn["paper"] == 0.90 and np.isnan(knn["ours_paper_protocol"])


def test_markdown_names_protocols_sizes_and_smoke_status():
    metrics, paper = _metrics(), _paper_block()
    table = comparison.comparison_table(metrics, paper)
    md = comparison.markdown(table, metrics, paper, smoke=True)
    assert "Smoke run" in md and "paper protocol" in md and "sound protocol" in md
    assert "formula (7)-(8)" in md and "84KB" in md and "int8" in md
    assert "Smoke run" not in comparison.markdown(table, metrics, paper, smoke=False)
