"""srm2025 paper comparison: loss = 1 - metric (FPR as is), published values beside ours, written
as ComparisonRows (the test set in ``protocol``, ours the mean over the runs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tinyids.srm2025.paper import comparison_markdown, comparison_table, read_encodings
from tinyids.study import comparison

PAPER = {
    "thesis_table_7_1": {"citation": "thesis Table 7.1", "losses": {"rf": {"accuracy": 0.02, "fpr": 0.02}}},
    "tavallaee2009": {
        "citation": "Tavallaee 2009",
        "train_file": "KDDTrain+_20Percent",
        "source_note": "Section V, Fig. 4.",
        "accuracy_percent": {"KDDTest+": {"Random Forests": 80.0}, "KDDTest-21": {"Random Forests": 60.0, "J48": 63.97}},
        "counterparts": {"Random Forests": "rf"},
    },
}


def _metrics(runs=(7,)) -> pd.DataFrame:
    rows = []
    for run in runs:
        for protocol, test_set, acc in (("thesis", "holdout", 0.99), ("standard", "KDDTest+", 0.78), ("standard", "KDDTest-21", 0.57)):
            for model, shift in (("rf", 0.0), ("tiny_rf", -0.01)):
                rows.append({
                    "study": "srm2025", "protocol": protocol, "test_set": test_set, "model": model, "run": run,
                    "train_file": "KDDTrain+_20Percent", "accuracy": acc + shift + 0.01 * (run - runs[0]),
                    "precision_weighted": acc, "recall_weighted": acc, "fpr": 0.1, "roc_auc": 0.9,
                })
    return pd.DataFrame(rows)


def _one(frame: pd.DataFrame, **where) -> pd.Series:
    sel = frame
    for key, value in where.items():
        sel = sel[sel[key] == value]
    assert len(sel) == 1, where
    return sel.iloc[0]


def test_losses_are_one_minus_metric_and_fpr_as_is_beside_the_thesis_values():
    table = comparison_table(_metrics(), PAPER)
    assert tuple(table.columns[: len(comparison.COLUMNS)]) == comparison.COLUMNS
    acc = _one(table, table="thesis_table_7_1_loss", model="rf", protocol="thesis/holdout", quantity="loss_accuracy")
    assert np.isclose(acc["our_value"], 0.01) and acc["paper_value"] == 0.02
    assert acc["n_runs"] == 1 and np.isnan(acc["our_sd"]) and acc["unit"] == "fraction"
    fpr = _one(table, table="thesis_table_7_1_loss", model="rf", protocol="thesis/holdout", quantity="fpr")
    assert np.isclose(fpr["our_value"], 0.1)
    auc = _one(table, table="thesis_table_7_1_loss", model="rf", protocol="thesis/holdout", quantity="loss_roc_auc")
    assert np.isnan(auc["paper_value"])  # not in this paper block
    assert set(table["citation"]) == {"thesis Table 7.1", "Tavallaee 2009"}


def test_our_value_is_the_mean_and_sd_over_the_runs():
    table = comparison_table(_metrics(runs=(7, 8, 9)), PAPER)
    acc = _one(table, table="tavallaee2009_accuracy", model="rf", protocol="standard/KDDTest+")
    assert acc["our_value"] == pytest.approx(0.79) and acc["our_sd"] == pytest.approx(0.01) and acc["n_runs"] == 3


def test_tavallaee_baselines_sit_beside_our_standard_protocol_counterparts():
    table = comparison_table(_metrics(), PAPER)
    tav = table[table["table"] == "tavallaee2009_accuracy"]
    matched = _one(tav, paper_model="Random Forests", protocol="standard/KDDTest-21")
    assert matched["model"] == "rf" and np.isclose(matched["our_value"], 0.57) and np.isclose(matched["paper_value"], 0.60)
    # a published learner without a counterpart keeps its figure, with none of ours
    j48 = _one(tav, paper_model="J48")
    assert j48["model"] == comparison.NO_MODEL and np.isnan(j48["our_value"]) and j48["n_runs"] == 0
    # our models without a published counterpart are listed too, with no paper value
    assert tav[(tav["model"] == "tiny_rf")]["paper_value"].isna().all()
    assert set(tav["protocol"]) == {"standard/KDDTest+", "standard/KDDTest-21"}


def test_comparison_file_round_trips_through_the_comparison_reader(tmp_path):
    table = comparison_table(_metrics(), PAPER)
    comparison.write(table, tmp_path / "paper_comparison.csv")
    back = comparison.read(tmp_path / "paper_comparison.csv")
    assert len(back) == len(table) and list(back["quantity"]) == list(table["quantity"])


def test_markdown_names_citations_protocols_and_the_measured_gap():
    metrics = _metrics()
    md = comparison_markdown(metrics, comparison_table(metrics, PAPER), PAPER, smoke=True)
    assert "thesis Table 7.1" in md and "Tavallaee 2009" in md and "Smoke run" in md
    assert "ours thesis/holdout" in md and "ours standard/KDDTest-21" in md
    assert "Accuracy drop from the thesis holdout to KDDTest+: mean 0.210" in md
    assert "| Random Forest | 0.02 | 0.010 |" in md  # thesis value beside ours, one formatter


def _encodings(change: float) -> pd.DataFrame:
    rows = []
    for model, delta in (("rf", change), ("tiny_rf", 0.001)):
        for default, enc, acc in ((True, "label", 0.99), (False, "onehot", 0.99 - delta)):
            rows.append({"protocol": "thesis", "train_file": "KDDTrain+_20Percent", "test_set": "holdout", "model": model,
                         "encoding": enc, "default": default, "accuracy": acc, "precision_weighted": 0.99,
                         "recall_weighted": 0.99, "fpr": 0.1, "roc_auc": 0.9})
    return pd.DataFrame(rows)


COMPARE = {"encoding": "onehot", "report_above": 0.005}


def test_alternative_encoding_rows_appear_only_for_models_it_moves_by_more_than_the_threshold():
    table = comparison_table(_metrics(), PAPER, _encodings(0.02), COMPARE)
    alt = table[table["table"] == "thesis_table_7_1_loss_onehot"]
    assert set(alt["model"]) == {"rf"} and set(alt["encoding"]) == {"onehot"}  # tiny_rf moved 0.001 only
    acc = _one(alt, quantity="loss_accuracy")
    assert acc["our_value"] == pytest.approx(0.03) and acc["paper_value"] == 0.02 and acc["protocol"] == "thesis/holdout"
    assert comparison_table(_metrics(), PAPER, _encodings(0.004), COMPARE)["table"].eq("thesis_table_7_1_loss_onehot").sum() == 0


def test_markdown_shows_both_encodings_and_which_are_listed():
    metrics, enc = _metrics(), _encodings(0.02)
    md = comparison_markdown(metrics, comparison_table(metrics, PAPER, enc, COMPARE), PAPER, encodings=enc)
    assert "| Random Forest | thesis/holdout | label | 0.010 | onehot | 0.030 | 0.020 | yes |" in md
    assert "| Tiny Random Forest | thesis/holdout | label | 0.010 | onehot | 0.011 | 0.001 | no |" in md


def test_tavallaee_rows_carry_the_provenance_note_and_both_training_files():
    table = comparison_table(_metrics(), PAPER)
    tav = table[table["table"] == "tavallaee2009_accuracy"]
    matched = _one(tav, paper_model="Random Forests", protocol="standard/KDDTest+")
    assert matched["note"] == "ours trained on KDDTrain+_20Percent; published trained on KDDTrain+_20Percent: Section V, Fig. 4."
    md = comparison_markdown(_metrics(), table, PAPER)
    assert ("Provenance: Section V, Fig. 4. Published learners trained on KDDTrain+_20Percent; ours on "
            "KDDTrain+_20Percent.") in md


def test_encoding_files_lacking_a_column_are_refused_naming_the_file(tmp_path):
    from tinyids.errors import DataError

    bad = tmp_path / "encodings.csv"
    _encodings(0.02).drop(columns=["fpr"]).to_csv(bad, index=False)
    with pytest.raises(DataError, match="encodings.csv: encoding comparison lacks column"):
        read_encodings([bad])
