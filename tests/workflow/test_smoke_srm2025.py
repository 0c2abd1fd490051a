"""srm2025 stage of the shared smoke run: metrics, paper comparison, plots, budgets, and the
deployable tiny models (their C compiled with gcc here and checked against the host predictions;
the int8 TFLite run with LiteRT)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.config import load_config

pytestmark = pytest.mark.workflow

METRIC_COLUMNS = ("accuracy", "precision_weighted", "recall_weighted", "f1_weighted", "fpr", "roc_auc")
RULES = ("fit_thesis", "fit_standard", "export_thesis", "export_standard", "deploy", "metrics", "compare", "plots", "ablation")


@pytest.fixture(scope="module")
def cfg(smoke_run: Path) -> dict:
    merged = load_config(smoke_run / "config" / "config.yaml", smoke_run / "config" / "smoke.yaml", schema_dir=smoke_run / "config" / "schemas")
    return merged["srm2025"]


@pytest.fixture(scope="module")
def out(smoke_run: Path) -> Path:
    return smoke_run / "results" / "srm2025"


@pytest.fixture(scope="module")
def metrics(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "metrics.csv")


def _expected_rows(cfg: dict) -> set[tuple[str, str, str]]:
    tests = {"thesis": ["holdout"], "standard": ["KDDTest+", "KDDTest-21"]}
    models = list(cfg["models"]["enabled"]) + list(cfg["tiny"]["models"])
    if "tiny_nn" in cfg["tiny"]["models"]:
        models.append("tiny_nn_int8")
    return {(p, t, m) for p in cfg["protocols"] for t in tests[p] for m in models}


def test_metrics_has_one_row_per_protocol_test_set_and_model(metrics, cfg):
    keys = list(zip(metrics["protocol"], metrics["test_set"], metrics["model"]))
    assert len(keys) == len(set(keys))
    assert set(keys) == _expected_rows(cfg)


def test_every_metric_row_names_the_training_file_actually_validated(metrics, smoke_run: Path):
    stems = {p.stem for p in (smoke_run / "results" / "data" / "nsl-kdd").glob("*.parquet")}
    assert metrics["train_file"].nunique() == 1
    assert metrics["train_file"].iloc[0] in stems and metrics["train_file"].iloc[0].startswith("KDDTrain+")


def test_metric_values_are_rates_and_costs_are_measured(metrics):
    for column in METRIC_COLUMNS:
        assert metrics[column].between(0, 1).all(), column
    assert (metrics["train_time_s"] > 0).all()
    assert (metrics["serialized_bytes"] > 0).all() and (metrics["host_latency_us"] > 0).all()
    tiny_c = metrics[(metrics["family"] == "tiny") & (metrics["model"] != "tiny_nn_int8")]
    assert (tiny_c["c_object_bytes"] > 0).all() and (tiny_c["c_latency_us"] > 0).all()
    assert metrics[metrics["family"] == "full"]["c_object_bytes"].isna().all()


def test_smoke_run_used_the_configured_subsample(metrics, cfg):
    cap = cfg["subsample"]["train"]
    assert (metrics["n_train"] <= cap).all()
    assert (metrics[metrics["protocol"] == "standard"]["n_test"] <= cfg["subsample"]["test"]).all()


def test_c_exports_agreed_with_python_on_every_test_row_in_the_workflow(metrics):
    tiny_c = metrics[(metrics["family"] == "tiny") & (metrics["model"] != "tiny_nn_int8")]
    assert (tiny_c["c_parity_mismatches"] == 0).all()
    assert (tiny_c["c_parity_rows"] > 0).all()


def test_budgets_were_measured_and_kept(out: Path, cfg):
    budgets = pd.read_csv(out / "budgets.csv")
    assert budgets["within"].all()
    measured = set(zip(budgets["model"], budgets["budget"]))
    for model, limits in cfg["tiny"]["budgets"].items():
        for key, limit in limits.items():
            if limit is not None:
                assert (model, key) in measured, (model, key)


def test_paper_comparison_puts_thesis_and_tavallaee_values_beside_ours(out: Path, cfg, metrics):
    table = pd.read_csv(out / "paper_comparison.csv")
    thesis = table[table["table"] == "thesis_table_7_1_loss"]
    rf_acc = thesis[(thesis["model"] == "rf") & (thesis["quantity"] == "loss_accuracy") & (thesis["protocol"] == "thesis/holdout")]
    assert len(rf_acc) == 1
    rf_acc = rf_acc.iloc[0]
    assert rf_acc["paper_value"] == cfg["paper"]["thesis_table_7_1"]["losses"]["rf"]["accuracy"]
    ours = metrics[(metrics["model"] == "rf") & (metrics["test_set"] == "holdout")]["accuracy"]
    assert np.isclose(rf_acc["our_value"], 1 - ours.mean()) and rf_acc["n_runs"] == len(ours) == 1
    assert np.isnan(rf_acc["our_sd"]) and rf_acc["citation"] == cfg["paper"]["thesis_table_7_1"]["citation"]
    tav = table[table["table"] == "tavallaee2009_accuracy"]
    published = cfg["paper"]["tavallaee2009"]["accuracy_percent"]["KDDTest-21"]["SVM"] / 100
    assert np.isclose(tav[(tav["paper_model"] == "SVM") & (tav["protocol"] == "standard/KDDTest-21")]["paper_value"].iloc[0], published)
    # every (protocol, test set) of metrics.csv appears as one ComparisonRow protocol
    assert set(thesis["protocol"]) == {f"{p}/{t}" for p, t in zip(metrics["protocol"], metrics["test_set"])}
    md = (out / "paper_comparison.md").read_text()
    assert cfg["paper"]["thesis_table_7_1"]["citation"] in md and cfg["paper"]["tavallaee2009"]["citation"] in md
    assert "Smoke run" in md


def test_plots_are_png_files_for_every_metric_and_test_set(out: Path, cfg):
    names = [f"bars_{m}.png" for m in cfg["plots"]["metrics"]]
    tests = {"thesis": ["holdout"], "standard": ["KDDTest+", "KDDTest-21"]}
    names += [f"{kind}_{p}_{t}.png" for kind in ("roc", "confusion") for p in cfg["protocols"] for t in tests[p]]
    for name in names:
        data = (out / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, name


def test_deployed_c_models_compile_with_gcc_and_reproduce_the_host_predictions(out: Path, cfg, tmp_path: Path):
    from tinyids.srm2025.export import harness_source
    from tinyids.study import deployable

    deploy = out / "deploy"
    for name in cfg["tiny"]["models"]:
        dep = deployable.read(deploy / f"{name}.json")
        x, y = dep.test_vectors()
        x = np.ascontiguousarray(x, dtype=np.float32)
        host_pred = dep.test_array("y_pred")
        assert dep.protocol == cfg["deploy_protocol"] and dep.extra["train_file"].startswith("KDDTrain+")
        assert dep.model["format"] == "c-float"
        assert len(host_pred) == len(y) == x.shape[0]
        (tmp_path / "harness.c").write_text(harness_source(name))
        exe = tmp_path / f"{name}_harness"
        includes = [f"-I{deploy}"] + [f"-I{deploy / d}" for d in dep.model.get("include_dirs", [])]
        subprocess.run(
            ["gcc", *dep.model["compile_flags"], *includes, str(tmp_path / "harness.c"), str(dep.file("model")), "-o", str(exe), "-lm"],
            check=True, capture_output=True, text=True,
        )
        x.tofile(tmp_path / "x.bin")
        subprocess.run([str(exe), str(tmp_path / "x.bin"), str(x.shape[0]), str(x.shape[1]), str(tmp_path / "p.bin"), str(tmp_path / "s.bin")], check=True, capture_output=True)
        c_pred = np.fromfile(tmp_path / "p.bin", dtype=np.int32)
        assert c_pred.tolist() == host_pred.tolist(), name
        assert np.isclose(dep.accuracy, np.mean(c_pred == y))


def test_deployed_int8_tiny_nn_is_full_integer_and_its_decision_rule_reproduces_the_host(out: Path):
    from tinyids import litert
    from tinyids.study import deployable

    deploy = out / "deploy"
    interp = litert.make_interpreter(deploy / "tiny_nn_int8.tflite")
    assert interp.get_input_details()[0]["dtype"] == np.int8 and interp.get_output_details()[0]["dtype"] == np.int8
    dep = deployable.read(deploy / "tiny_nn_int8.json")
    x, _ = dep.test_vectors()
    proba = litert.predict_float_features(interp, x).reshape(-1)
    assert (proba > 0.5).astype(int).tolist() == dep.test_array("y_pred").tolist()
    assert dep.decision["rule"] == "threshold"
    assert (proba >= dep.decision["probability"]).astype(int).tolist() == dep.test_array("y_pred").tolist()
    assert dep.class_names == ["normal", "attack"] and dep.n_inputs == x.shape[1]


def test_every_srm2025_rule_left_a_log_and_a_benchmark(smoke_run: Path):
    for rule in RULES:
        assert (smoke_run / "logs" / "srm2025" / f"{rule}.log").is_file(), rule
        assert (smoke_run / "benchmarks" / "srm2025" / f"{rule}.tsv").is_file(), rule



def test_quantization_ablation_has_one_row_per_protocol_and_test_set_with_every_tiny_nn_step(out: Path, cfg, metrics):
    from tinyids.study import ablation

    table = pd.read_csv(out / "quantization_ablation.csv")
    assert tuple(table.columns[: len(ablation.COLUMNS)]) == ablation.COLUMNS
    tests = {"thesis": ["holdout"], "standard": ["KDDTest+", "KDDTest-21"]}
    assert sorted(zip(table["protocol"], table["test_set"])) == sorted((p, t) for p in cfg["protocols"] for t in tests[p])
    assert set(table["model"]) == {"tiny_nn"} and set(table["study"]) == {"srm2025"}
    for step in ("float", "input_quantized", "dynamic_range", "full_int8"):
        assert table[f"accuracy_{step}"].between(0, 1).all() and table[f"roc_auc_{step}"].between(0, 1).all(), step
    assert table["accuracy_compressed_float"].isna().all()  # srm2025 has no pruning step
    # the float and full-int8 steps are the metrics rows of tiny_nn and tiny_nn_int8
    for r in table.itertuples():
        sel = metrics[(metrics["protocol"] == r.protocol) & (metrics["test_set"] == r.test_set)]
        assert np.isclose(r.accuracy_float, sel[sel["model"] == "tiny_nn"]["accuracy"].iloc[0])
        assert np.isclose(r.accuracy_full_int8, sel[sel["model"] == "tiny_nn_int8"]["accuracy"].iloc[0])
    deployed = out / "deploy" / "tiny_nn_int8.tflite"
    assert (table[table["protocol"] == cfg["deploy_protocol"]]["bytes_full_int8"] == deployed.stat().st_size).all()
    zp = pd.read_csv(out / "quantization_zero_point.csv")
    assert len(zp) == len(table) * cfg["tiny"]["feature_selection"]["k"]
    assert zp["share_to_zero_point"].dropna().between(0, 1).all() and (zp["to_zero_point"] <= zp["nonzero_values"]).all()
    data = (out / "plots" / "quantization_ablation.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_paper_comparison_reports_the_one_hot_figures_where_they_move_the_label_encoded_ones(out: Path, cfg, smoke_run: Path):
    assert set(cfg["encoding"].values()) == {"label"} and cfg["compare_encoding"]["encoding"] == "onehot"
    table = pd.read_csv(out / "paper_comparison.csv")
    enc = pd.concat([pd.read_csv(out / "runs" / p / "encodings.csv") for p in cfg["protocols"]], ignore_index=True)
    assert set(enc[enc["default"]]["encoding"]) == {"label"} and set(enc[~enc["default"]]["encoding"]) == {"onehot"}
    alt = table[table["table"] == "thesis_table_7_1_loss_onehot"]
    limit = cfg["compare_encoding"]["report_above"]
    for (protocol, test_set, model), sel in enc.groupby(["protocol", "test_set", "model"]):
        mine, other = sel[sel["default"]].iloc[0], sel[~sel["default"]].iloc[0]
        moved = max(abs(other[m] - mine[m]) for m in ("accuracy", "precision_weighted", "recall_weighted", "fpr", "roc_auc"))
        listed = alt[(alt["protocol"] == f"{protocol}/{test_set}") & (alt["model"] == model)]
        assert len(listed) == (5 if moved > limit else 0), (protocol, test_set, model)
        if len(listed):
            acc = listed[listed["quantity"] == "loss_accuracy"].iloc[0]
            assert np.isclose(acc["our_value"], 1 - other["accuracy"]) and acc["encoding"] == "onehot"
    tav = table[table["table"] == "tavallaee2009_accuracy"]
    assert tav["note"].str.contains(cfg["paper"]["tavallaee2009"]["source_note"], regex=False).all()
    assert tav[tav["model"] == "rf"]["note"].str.startswith("ours trained on KDDTrain+").all()
    md = (out / "paper_comparison.md").read_text()
    assert "## Categorical encoding" in md and cfg["paper"]["tavallaee2009"]["source_note"] in md
