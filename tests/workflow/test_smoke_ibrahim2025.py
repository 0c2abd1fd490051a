"""The ibrahim2025 stage of the smoke run: every output exists and keeps its contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401
from tinyids.ibrahim2025 import settings as st

pytestmark = pytest.mark.workflow

OUT = "results/ibrahim2025"


@pytest.fixture(scope="module")
def ib(smoke_config: dict) -> st.Settings:
    return st.from_config(smoke_config)


@pytest.fixture(scope="module")
def metrics(smoke_run: Path) -> pd.DataFrame:
    return pd.read_csv(smoke_run / OUT / "metrics.csv")


def test_metrics_has_one_row_per_protocol_model_and_fold(metrics, ib):
    expected = {(p, m, f) for p in ib.protocols for m in ib.models_of(p) for f in ib.folds}
    got = set(zip(metrics["protocol"], metrics["model"], metrics["run"]))
    assert got == expected and len(metrics) == len(expected)
    for column in ("accuracy", "precision", "recall", "f1", "roc_auc", "tp", "tn", "fp", "fn", "parameters",
                   "nonzero_parameters", "tflite_int8_bytes", "tflite_int8_gzip_bytes", "formula78_bytes",
                   "latency_int8_median_us"):
        assert metrics[column].notna().all(), column
    assert metrics["accuracy"].between(0, 1).all()
    assert (metrics["tp"] + metrics["tn"] + metrics["fp"] + metrics["fn"] == metrics["n_test"]).all()
    assert metrics["smoke"].all()


def test_pruned_models_reach_the_configured_sparsity_and_full_ones_stay_dense(metrics, ib):
    pruned = metrics[metrics["model"] != st.FULL]
    assert (pruned["kernel_sparsity_min"] >= ib.pruning.final_sparsity - 0.01).all()
    full = metrics[metrics["model"] == st.FULL]
    assert (full["kernel_sparsity_max"] < 0.05).all()
    base = metrics["protocol"].isin(st.PROTOCOLS)  # the variants have other input columns, the same MLP
    assert metrics.loc[base, "parameters"].nunique() == 1
    assert (pruned["nonzero_parameters"] < (1 - ib.pruning.final_sparsity + 0.02) * pruned["parameters"]).all()
    assert (pruned["tflite_int8_gzip_bytes"] < full["tflite_int8_gzip_bytes"].min()).all()


def test_sound_protocol_fitted_its_scaler_on_training_rows_only(smoke_run: Path, ib):
    from tinyids.ibrahim2025 import features as feat
    from tinyids.study.sampling import stratified_subsample

    table = stratified_subsample(
        pd.read_parquet(smoke_run / "results/data/wustl-ehms-2020/wustl-ehms-2020.parquet"), ib.max_rows, ib.seed,
        by=feat.LABEL)
    run = smoke_run / OUT / "runs/sound/fold0"
    pre = json.loads((run / "preprocess.json").read_text())
    with np.load(run / "data.npz") as data:
        train_src, test_src = data["train_source_row"], data["test_source_row"]
    originals = np.unique(train_src[train_src >= 0])
    assert set(originals).isdisjoint(test_src.tolist())
    encoder = feat.Encoder(tuple(pre["encoder"]["numeric"]),
                           {k: tuple(v) for k, v in pre["encoder"]["categorical"].items()})
    encoded = encoder.transform(table.iloc[originals])
    assert np.allclose(pre["scaler"]["data_min"], encoded.min(axis=0))
    assert np.allclose(pre["scaler"]["data_max"], encoded.max(axis=0))
    assert pre["info"]["test_synthetic_rows"] == 0


def test_paper_protocol_tests_on_a_balanced_set_with_smote_rows(smoke_run: Path):
    pre = json.loads((smoke_run / OUT / "runs/paper/fold0/preprocess.json").read_text())
    info = pre["info"]
    assert info["test_synthetic_rows"] > 0
    assert info["test_attack_rows"] / info["test_rows"] == pytest.approx(0.5, abs=0.02)


def test_statistics_compare_full_with_every_pruned_variant(smoke_run: Path, ib):
    stats = pd.read_csv(smoke_run / OUT / "statistics.csv")
    assert set(zip(stats["protocol"], stats["model_b"])) == {(p, v) for p in ib.protocols for v in ib.models_of(p)[1:]}
    assert stats["p_value"].between(0, 1).all()
    assert (stats["ci_low"] <= stats["accuracy_difference"]).all()
    assert (stats["accuracy_difference"] <= stats["ci_high"]).all()
    assert np.allclose(stats["accuracy_a"] - stats["accuracy_b"], stats["accuracy_difference"])


def test_plots_are_png_files(smoke_run: Path, ib):
    for protocol in ib.protocols:
        for kind in ("roc", "training", "confusion"):
            data = (smoke_run / OUT / "plots" / f"{protocol}_{kind}.png").read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_paper_comparison_cites_tables_2_4_5_for_both_protocols(smoke_run: Path, ib, metrics):
    table = pd.read_csv(smoke_run / OUT / "paper_comparison.csv")
    for key in ("table2", "table4", "table5"):
        assert (table["table"] == ib.paper[key]["cite"]).any(), key
    assert set(table["protocol"]) == set(ib.protocols)
    assert table["citation"].str.startswith(ib.paper["citation"]).all()
    acc = table[(table["table"] == ib.paper["table2"]["cite"]) & (table["quantity"] == "accuracy")].set_index("protocol")
    for protocol in ib.protocols:
        ours = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == "full")]["accuracy"]
        assert np.isclose(acc.loc[protocol, "our_value"], ours.mean()) and acc.loc[protocol, "n_runs"] == len(ours)
    md = (smoke_run / OUT / "paper_comparison.md").read_text()
    assert "Smoke run" in md and "formula (7)-(8)" in md


def test_deployables_are_int8_models_whose_test_accuracy_is_reproducible(smoke_run: Path, ib):
    from tinyids.ibrahim2025.deploy import deploy_name
    from tinyids.litert import make_interpreter, predict_float_features
    from tinyids.study import deployable

    for protocol in ib.deploy_protocols:
        for model in ib.deploy_models:
            base = smoke_run / OUT / "deploy" / deploy_name(protocol, model)
            interp = make_interpreter(base.with_suffix(".tflite"))
            assert interp.get_input_details()[0]["dtype"] == np.int8
            assert interp.get_output_details()[0]["dtype"] == np.int8
            with np.load(base.with_suffix(".npz")) as data:
                x, y = data["X_test"], data["y_test"]
            assert x.dtype == np.float32 and x.shape == (y.size, ib.pca_components)
            dep = deployable.read(base.with_suffix(".json"))
            assert dep.protocol == protocol and dep.class_names == ["normal", "attack"]
            assert dep.n_inputs == ib.pca_components
            robust = model.endswith(st.ROBUST_SUFFIX)
            assert [s["op"] for s in dep.steps] == ["minmax", "pca"] + (["standard"] if robust and ib.robust.input_scaling != "none" else [])
            score = predict_float_features(make_interpreter(base.with_suffix(".tflite")), x).reshape(-1)
            assert ("score" in dep.decision) == (robust and ib.robust.logit_clip is not None)
            pred = (deployable.output_probability(dep.decision, score) >= dep.decision["probability"]).astype(int)
            assert np.mean(pred == y) == pytest.approx(dep.accuracy)


def test_protocol_variants_report_the_mlp_beside_table_2_and_the_papers_test_set_size(smoke_run: Path, ib, metrics):
    table = pd.read_csv(smoke_run / OUT / "paper_comparison.csv")
    for protocol in ("paper_numeric", "paper_identifiers"):
        assert protocol in ib.protocols
        acc = table[(table["table"] == ib.paper["table2"]["cite"]) & (table["quantity"] == "accuracy")
                    & (table["protocol"] == protocol)]
        assert len(acc) == 1 and np.isfinite(acc["our_value"].iloc[0]) and acc["paper_value"].iloc[0] == 0.98
    rows = table[table["quantity"] == "test rows"].set_index("protocol")
    total = sum(ib.paper["confusion"][k] for k in ("tp", "tn", "fp", "fn"))
    assert (rows["paper_value"] == total).all() and set(rows.index) == set(ib.protocols)
    for protocol in ib.protocols:
        ours = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == "full")]["n_test"]
        assert rows.loc[protocol, "our_value"] == ours.mean()
    assert "Which protocol gives the paper's test set?" in (smoke_run / OUT / "paper_comparison.md").read_text()
    identifiers = json.loads((smoke_run / OUT / "runs/paper_identifiers/fold0/preprocess.json").read_text())
    assert any(n.startswith("SrcMac=") for n in identifiers["scaled_feature_names"])
    numeric = json.loads((smoke_run / OUT / "runs/paper_numeric/fold0/preprocess.json").read_text())
    assert "Packet_num" in numeric["scaled_feature_names"]


def test_quantization_ablation_has_every_step_of_every_model_and_matches_the_records(smoke_run: Path, ib, metrics):
    from tinyids.study import ablation

    table = pd.read_csv(smoke_run / OUT / "quantization_ablation.csv")
    assert list(table.columns[: len(ablation.COLUMNS)]) == list(ablation.COLUMNS)
    expected = {(p, f, m) for p in ib.protocols for f in ib.folds for m in ib.models_of(p)}
    expected |= {(p, f, f"{m}{st.ROBUST_SUFFIX}") for p in ib.protocols for f in ib.folds for m in ib.robust_models_of(p)}
    assert set(zip(table["protocol"], table["run"], table["model"])) == expected and len(table) == len(expected)
    for step in ("float", "input_quantized", "dynamic_range", "full_int8"):
        assert table[f"accuracy_{step}"].between(0, 1).all() and table[f"bytes_{step}"].gt(0).all(), step
    pruned = table["model"].str.startswith("pruned_")
    assert table.loc[pruned, "accuracy_compressed_float"].notna().all()
    assert table.loc[~pruned, "accuracy_compressed_float"].isna().all()
    plain = table.merge(metrics, left_on=["protocol", "run", "model"], right_on=["protocol", "run", "model"])
    assert np.allclose(plain["accuracy_full_int8"], plain["int8_accuracy"])
    zero = pd.read_csv(smoke_run / OUT / "quantization_zero_point.csv")
    assert set(zip(zero["protocol"], zero["run"], zero["model"])) == expected
    assert zero["share_to_zero_point"].dropna().between(0, 1).all()
    png = (smoke_run / OUT / "plots/quantization_ablation.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_robust_deployable_threshold_comes_from_validation_rows_not_the_fixed_threshold(smoke_run: Path, ib):
    for protocol in ib.protocols:
        for model in ib.robust_models_of(protocol):
            rec = json.loads((smoke_run / OUT / f"runs/{protocol}/fold0/{model}{st.ROBUST_SUFFIX}_eval.json").read_text())
            source = json.loads((smoke_run / OUT / f"runs/{protocol}/fold0/{model}_eval.json").read_text())
            assert rec["metrics"] == source["metrics"]  # judged against the source model in float
            choice = rec["choice"]
            assert choice["validation_rows"] > 0
            uniform = [c["activation_percentile"] for c in choice["candidates"][:len(ib.robust.activation_percentiles)]]
            assert uniform == list(ib.robust.activation_percentiles)
            # the per-layer search's choice joins them when it is not one of the uniform ones
            extra = choice["candidates"][len(uniform):]
            assert len(extra) <= (1 if ib.robust.layer_search_sweeps else 0)
            assert all(isinstance(c["activation_percentile"], list) for c in extra)
            assert choice["clips"] in [c["clips"] for c in choice["candidates"]]
            assert rec["decision"]["rule"] == "threshold"
            assert [s["op"] for s in rec["input_steps"]] == (["standard"] if ib.robust.input_scaling != "none" else [])
            assert rec["gap_accuracy"] == pytest.approx(rec["metrics_int8"]["accuracy"] - source["metrics"]["accuracy"])


def test_every_rule_left_a_log_and_a_benchmark(smoke_run: Path, ib):
    logs = {p.stem for p in (smoke_run / "logs/ibrahim2025").glob("*.log")}
    benches = {p.stem for p in (smoke_run / "benchmarks/ibrahim2025").glob("*.tsv")}
    for stem in ("metrics", "statistics", "compare", "prepare_sound_fold0", "train_full_paper_fold0",
                 f"prune_{ib.models[1]}_sound_fold0", "plots_paper", f"deploy_sound_{ib.deploy_models[0]}",
                 "ablation", f"robust_{ib.robust.models[0]}_sound_fold0", "train_full_paper_numeric_fold0"):
        assert stem in logs and stem in benches, stem
