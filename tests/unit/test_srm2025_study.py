"""srm2025 protocol runs on small real slices: one metric row per test set and model, the
training file named, and the five-class target available for the full models."""

from __future__ import annotations

import pandas as pd
import pytest

from tinyids.errors import ConfigError
from tinyids.srm2025.export import export_protocol
from tinyids.srm2025.models import svm_method
from tinyids.srm2025.study import run_protocol

SMALL = {
    "encoding": {"trees": "label", "linear": "label", "mlp": "label", "tiny": "label"},
    "compare_encoding": {"encoding": None, "report_above": 0.005},
    "subsample": {"train": 600, "test": 300},
    "latency_samples": 5,
    "models": {"enabled": ["rf", "lr", "svm", "hybrid"], "rf": {"n_estimators": 10}},
    "tiny": {"models": ["tiny_rf", "tiny_lr"], "feature_selection": {"k": 8}, "rf": {"n_estimators": 3, "max_depth": 4}},
}


@pytest.fixture(scope="module")
def tests(nslkdd_test_frame) -> dict[str, pd.DataFrame]:
    # KDDTest-21 is a subset of KDDTest+ by construction; a slice of KDDTest+ stands in for it here
    return {"KDDTest+": nslkdd_test_frame, "KDDTest-21": nslkdd_test_frame.iloc[::2]}


def test_standard_protocol_reports_every_model_on_both_test_sets_naming_the_training_file(nslkdd_train_frame, tests):
    metrics, scores, bundle = run_protocol("standard", nslkdd_train_frame, "KDDTrain+_20Percent", tests, SMALL, seed=0)
    assert set(zip(metrics["test_set"], metrics["model"])) == {
        (t, m) for t in ("KDDTest+", "KDDTest-21") for m in ("rf", "lr", "svm", "hybrid", "tiny_rf", "tiny_lr")
    }
    assert (metrics["train_file"] == "KDDTrain+_20Percent").all() and (metrics["n_train"] == 600).all()
    assert (metrics["n_test"] == 300).all() and len(scores) == 300 * len(metrics)
    assert metrics["notes"][metrics["model"] == "svm"].iloc[0] == "rbf exact"
    assert set(bundle["models"]) == {"tiny_rf", "tiny_lr"} and list(bundle["tests"]) == ["KDDTest+", "KDDTest-21"]


def test_five_class_target_trains_full_models_and_reports_binary_and_multiclass_figures(nslkdd_train_frame, tmp_path):
    cfg = {**SMALL, "target": "five_class", "tiny": {"models": []}, "models": {"enabled": ["rf", "svm", "hybrid"]}}
    metrics, scores, bundle = run_protocol("thesis", nslkdd_train_frame, "KDDTrain+_20Percent", {}, cfg, seed=0)
    assert set(metrics["model"]) == {"rf", "svm", "hybrid"}
    assert {"mc_accuracy", "mc_f1_macro", "mc_recall_U2R"} <= set(metrics.columns)
    assert metrics["accuracy"].between(0, 1).all() and scores["y_true"].max() <= 4
    assert export_protocol(bundle, tmp_path, {})["records"].empty  # nothing tiny to export


def test_hybrid_without_its_members_is_a_config_error(nslkdd_train_frame, tests):
    cfg = {**SMALL, "models": {"enabled": ["lr", "hybrid"]}}
    with pytest.raises(ConfigError, match="hybrid needs rf and svm"):
        run_protocol("standard", nslkdd_train_frame, "KDDTrain+_20Percent", tests, cfg, seed=0)


def test_svm_uses_the_documented_approximation_beyond_exact_max_rows(nslkdd_train_frame):
    assert svm_method({"method": "auto", "exact_max_rows": 30000}, 25192) == "exact"
    assert svm_method({"method": "auto", "exact_max_rows": 30000}, 125973) == "nystroem"
    cfg = {**SMALL, "models": {"enabled": ["svm"], "svm": {"method": "nystroem", "nystroem_components": 100}}, "tiny": {"models": []}}
    metrics, _, _ = run_protocol("thesis", nslkdd_train_frame, "KDDTrain+_20Percent", {}, cfg, seed=0)
    assert metrics["notes"].iloc[0] == "rbf nystroem"
    assert metrics["accuracy"].iloc[0] > 0.8  # the approximation still separates the holdout


def test_encoding_comparison_refits_only_the_models_the_alternative_changes(nslkdd_train_frame, tests):
    cfg = {**SMALL, "encoding": {"trees": "label", "linear": "label", "mlp": "label", "tiny": "onehot"},
           "compare_encoding": {"encoding": "onehot", "report_above": 0.005}}
    metrics, _, bundle = run_protocol("standard", nslkdd_train_frame, "KDDTrain+_20Percent", tests, cfg, seed=0)
    enc = bundle["encodings"]
    # the tiny models are already one-hot: only the full models change (each refitted one-hot)
    assert set(enc["model"]) == {"rf", "lr", "svm", "hybrid"} and set(enc["test_set"]) == {"KDDTest+", "KDDTest-21"}
    assert set(enc[enc["model"] == "hybrid"]["encoding"]) == {"label", "onehot"}
    default = enc[enc["default"]].merge(metrics, on=["test_set", "model"], suffixes=("", "_m"))
    assert (default["accuracy"] == default["accuracy_m"]).all()  # the configured encoding's rows are the metrics rows
    other = enc[~enc["default"]]
    assert (other["encoding"] != "label").all() and other["accuracy"].between(0, 1).all()


def test_no_alternative_encoding_writes_no_comparison_rows(nslkdd_train_frame, tests):
    _, _, bundle = run_protocol("standard", nslkdd_train_frame, "KDDTrain+_20Percent", tests, SMALL, seed=0)
    assert bundle["encodings"].empty


def test_hybrid_encoding_names_both_halves_when_only_one_changes():
    from tinyids.srm2025.study import model_encoding

    assert model_encoding("hybrid", {"trees": "label", "linear": "onehot", "mlp": "label", "tiny": "label"}) == "label+onehot"
    assert model_encoding("tiny_nn", {"trees": "label", "linear": "onehot", "mlp": "label", "tiny": "onehot"}) == "onehot"
