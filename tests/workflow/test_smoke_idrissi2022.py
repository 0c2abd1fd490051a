"""The idrissi2022 stage of the smoke run: every output exists, keeps its contract and is sane.

No paper figure is asserted as a result: paper values are read from the config and only checked
to be carried into the comparison unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401

pytestmark = pytest.mark.workflow

OUT = "results/idrissi2022"
TFLITE = ("tM", "tMO", "tMOP", "tMO_QAT")
KERAS = ("OM", "POM", "POM7")


@pytest.fixture(scope="module")
def merged(smoke_config: dict) -> dict:
    return smoke_config


@pytest.fixture(scope="module")
def section(merged) -> dict:
    return merged["idrissi2022"]


@pytest.fixture(scope="module")
def seeds(merged, section) -> list[int]:
    base = int(section.get("seed", merged["seed"]))
    return [base + r for r in range(section["replicates"])]


@pytest.fixture(scope="module")
def metrics(smoke_run: Path) -> pd.DataFrame:
    return pd.read_csv(smoke_run / OUT / "metrics.csv")


def _models(section) -> list[str]:
    """Every model of metrics.csv: the configured variants, the float32 / dynamic-range
    conversions of tMO / tMOP, each robust variant in float and in int8."""
    from tinyids.idrissi2022 import variants as idv

    robust = [r["name"] for r in section["robust"]["variants"]]
    return [*section["variants"], *idv.conversion_variants(section["variants"]), *robust, *[f"{r}_float" for r in robust]]


def test_metrics_has_one_complete_row_per_protocol_variant_and_seed(metrics, section, seeds):
    expected = {(p, v, s) for p in section["protocols"] for v in _models(section) for s in seeds}
    assert set(zip(metrics["protocol"], metrics["model"], metrics["run"])) == expected
    assert len(metrics) == len(expected)
    always = ["accuracy", "precision_macro", "recall_macro", "f1_macro", "precision_weighted", "recall_weighted",
              "f1_weighted", "params", "nonzero_params", "keras_bytes", "gzip_bytes", "source",
              *[f"recall_{c}" for c in section["classes"]]]
    for column in always:
        assert metrics[column].notna().all(), column
    tfl = metrics[metrics["model"].isin(TFLITE)]
    for column in ("tflite_bytes", "latency_us_median", "throughput_samples_per_s", "arena_bytes"):
        assert tfl[column].notna().all() and (tfl[column] > 0).all(), column
    assert metrics["accuracy"].between(0, 1).all()
    assert metrics["smoke"].all()


def test_every_output_names_the_data_source_of_the_validated_table(smoke_run: Path, metrics):
    sources = set(pd.read_parquet(smoke_run / "results/data/mqtt-iot-ids2020/uniflow.parquet")["source"].astype(str))
    assert set(metrics["source"].astype(str)) == {",".join(sorted(sources))}
    comparison = pd.read_csv(smoke_run / OUT / "paper_comparison.csv")
    assert set(comparison["source"].astype(str)) == set(metrics["source"].astype(str))
    features = pd.read_csv(smoke_run / OUT / "chi2_features.csv")
    assert set(features["source"].astype(str)) == set(metrics["source"].astype(str))


def test_robust_full_int8_loses_at_most_two_points_against_the_same_weights_in_float(smoke_run: Path, section):
    """The paper-faithful tMO/tMOP lose what int8 rounds away (issue 14): the ablation measures it
    step by step; converting the robust variant's (pruned, clustered) float weights to full int8
    costs at most 2 points. A gain is no loss: on the smoke run's 300 test rows a few rows that the
    rounding moves across a class boundary can lift int8 above float (seen: +2.3 points), so the
    bound is one-sided. Pruning and clustering themselves are measured, not bounded here."""
    table = pd.read_csv(smoke_run / OUT / "quantization_ablation.csv")
    robust = table[table["model"].str.endswith("_robust")]
    assert len(robust) and set(robust["protocol"]) == set(section["protocols"])
    before = robust["accuracy_compressed_float"].fillna(robust["accuracy_float"])
    loss = before - robust["accuracy_full_int8"]
    assert (loss <= 0.02).all(), robust[["protocol", "run", "model", "accuracy_compressed_float", "accuracy_full_int8"]]
    paper = table[table["model"].isin(["tMO", "tMOP"])]
    assert len(paper) and paper[["accuracy_float", "accuracy_full_int8", "bytes_full_int8"]].notna().all().all()


def test_tm_matches_the_om_it_was_converted_from(metrics):
    om = metrics[metrics["model"] == "OM"].set_index(["protocol", "run"])["accuracy"]
    tm = metrics[metrics["model"] == "tM"].set_index(["protocol", "run"])["accuracy"]
    assert (abs(om - tm.reindex(om.index)) <= 0.01).all()


def test_parameter_counts_follow_the_configured_architecture_and_pruning_leaves_zeros(metrics, section):
    from tinyids.idrissi2022 import architecture

    arch, n_f, n_c = section["architecture"], len(section["features"]), len(section["classes"])
    expected = {
        "OM": architecture.om_params(n_f, arch["OM"]["filters"], arch["OM"]["kernel_size"], arch["OM"]["units"], n_c),
        "POM": architecture.pom_params(n_f, arch["POM"]["filters"], arch["POM"]["kernel_size"], n_c),
        "POM7": architecture.pom_params(section["chi2_k"], arch["POM"]["filters"], arch["POM"]["kernel_size"], n_c),
    }
    expected.update({"tM": expected["OM"], "tMO": expected["POM"], "tMO_QAT": expected["POM"], "tMOP": expected["POM7"],
                     "tMO_float": expected["POM"], "tMO_dynamic": expected["POM"], "tMOP_float": expected["POM7"],
                     "tMOP_dynamic": expected["POM7"]})
    paper = metrics[metrics["model"].isin(list(expected))]
    assert (paper["params"] == paper["model"].map(expected)).all()
    pruned = metrics[metrics["model"].isin(["tMO", "tMOP", "tMO_QAT"])]
    final = section["optimize"]["prune"]["final_sparsity"]
    assert (pruned["nonzero_params"] <= (1 - final + 0.1) * pruned["params"]).all()
    int8 = metrics[metrics["model"].isin(["tMO", "tMOP", "tMO_QAT"])]
    assert (int8["input_dtype"] == "int8").all() and (int8["output_dtype"] == "int8").all()


def test_dedup_protocol_has_no_test_row_with_a_training_twin(metrics):
    dedup = metrics[metrics["protocol"] == "dedup"]
    assert not dedup.empty and (dedup["test_rows_with_train_twin"] == 0).all()


def test_chi_square_keeps_k_features_per_protocol_and_seed_from_the_training_split(smoke_run: Path, section):
    table = pd.read_csv(smoke_run / OUT / "chi2_features.csv")
    per_run = table.groupby(["protocol", "seed"])
    assert (per_run["selected"].sum() == section["chi2_k"]).all()
    assert (per_run.size() == len(section["features"])).all()
    for (protocol, seed), sub in per_run:
        report = json.loads((smoke_run / OUT / protocol / f"seed{seed}" / "prepare.json").read_text())
        assert set(sub.loc[sub["selected"], "feature"]) == set(report["selected_features"])
        assert not set(section["dropped_identifiers"]) & set(sub["feature"])


def test_paper_comparison_carries_config_values_and_every_table_ii_figure(smoke_run: Path, section):
    table = pd.read_csv(smoke_run / OUT / "paper_comparison.csv")
    paper = section["paper"]
    for protocol in section["protocols"]:
        sub = table[table["protocol"] == protocol]
        for variant, spec in paper["table2"].items():
            acc = sub[(sub["model"] == variant) & (sub["quantity"] == "accuracy_percent")]
            assert len(acc) == 1 and acc["paper_value"].iloc[0] == spec["accuracy_percent"]
            assert len(sub[(sub["model"] == variant) & sub["quantity"].str.startswith("size_bytes")]) == 1
        for variant, spec in paper["parameters"].items():
            row = sub[(sub["model"] == variant) & (sub["quantity"] == "parameters")]
            assert len(row) == 1 and row["paper_value"].iloc[0] == spec["value"] and np.isfinite(row["our_value"].iloc[0])
            assert row["n_runs"].iloc[0] == section["replicates"]
    assert table["citation"].str.contains(paper["citation"], regex=False).all()
    md = (smoke_run / OUT / "paper_comparison.md").read_text()
    assert "Smoke run" in md and paper["citation"] in md


def test_deployables_are_int8_with_test_rows_exactly_as_fed(smoke_run: Path, section):
    from tinyids.idrissi2022 import variants as idwf
    from tinyids.litert import make_interpreter, predict_float_features
    from tinyids.study import deployable

    main = idwf.deploy_protocol(section["protocols"], section.get("deploy_protocol", "dedup"))
    names = idwf.deploy_names(section["protocols"], section["deployables"], section["variants"], main)
    assert {v for v in section["deployables"] if v in section["variants"]} <= set(names)  # codegen/firmware names
    for name in names:
        protocol, variant = idwf.parse_deploy_name(name, section["protocols"], main)
        stem = smoke_run / OUT / "deploy" / name
        interp = make_interpreter(stem.with_suffix(".tflite"))
        assert interp.get_input_details()[0]["dtype"] == np.int8
        assert interp.get_output_details()[0]["dtype"] == np.int8
        dep = deployable.read(stem.with_suffix(".json"))
        x, y = dep.test_vectors()
        assert x.dtype == np.float32 and x.shape[1] == dep.n_inputs == dep.extra["input_shape"][1]
        acc = np.mean(np.argmax(predict_float_features(interp, x), axis=1) == y)
        assert acc == pytest.approx(dep.accuracy)
        assert dep.class_names == section["classes"] and dep.protocol == protocol
        assert dep.variant == variant and dep.name == name and dep.decision == {"rule": "argmax"}
        assert [s["op"] for s in dep.steps if s["op"] != "encode"][:1] == ["l2"]
        assert dep.extra["dropped_identifiers"] == section["dropped_identifiers"]


def test_tflm_arena_was_found_for_every_tflite_variant_and_its_output_matches_litert(smoke_run: Path, section):
    arena = pd.read_csv(smoke_run / OUT / "arena.csv")
    tfl = [v for v in section["variants"] if v in TFLITE]
    assert set(arena["variant"]) == set(tfl)
    assert (arena["arena_bytes"] > 0).all() and (arena["arena_bytes"] <= section["arena"]["limit_bytes"]).all()
    assert arena["tflm_output_matches_litert"].all()


def test_architecture_search_confirms_the_configured_layer_sizes(smoke_run: Path):
    summary = json.loads((smoke_run / OUT / "architecture_search.json").read_text())
    assert summary["configured_matches_search"] is True
    assert summary["configured_parameters"]["OM"] == summary["paper_parameters"]["OM"]
    assert summary["configured_parameters"]["POM"] == summary["paper_parameters"]["POM"]


def test_plots_exist_as_png_for_every_protocol_and_variant(smoke_run: Path, section):
    pngs = [smoke_run / OUT / "plots" / "accuracy_vs_size.png"]
    pngs += [smoke_run / OUT / "plots" / f"confusion_{p}_{v}.png" for p in section["protocols"] for v in section["variants"]]
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_every_rule_of_the_stage_ran_with_a_log_and_a_benchmark(smoke_run: Path):
    rules = ("architecture", "prepare", "train", "variant", "convert", "robust", "evaluate", "benchmark", "arena",
             "collect", "compare", "plots", "deploy", "ablation")
    logs = {p.name for p in (smoke_run / "logs" / "idrissi2022").glob("*.log")}
    benches = {p.name for p in (smoke_run / "benchmarks" / "idrissi2022").glob("*.tsv")}
    for rule in rules:
        assert any(name.startswith(rule) for name in logs), rule
        assert any(name.startswith(rule) for name in benches), rule


def test_conversions_keep_float_io_and_the_float_tflite_scores_what_its_keras_model_scores(metrics, section):
    from tinyids.idrissi2022 import variants as idv

    for name in idv.conversion_variants(section["variants"]):
        source, conversion = idv.conversion_of(name)
        rows = metrics[metrics["model"] == name]
        assert (rows["input_dtype"] == "float32").all() and (rows["tflite_bytes"] > 0).all(), name
        assert (rows["conversion"] == idv.CONVERSION_LABEL[conversion]).all(), name
    boards = metrics[metrics["model"].isin(["tMO", "tMOP"])]
    assert (boards["conversion"] == idv.CONVERSION_LABEL["int8"]).all()


def test_paper_comparison_puts_each_conversion_beside_table_ii_with_mean_sd_and_n(smoke_run: Path, section):
    table = pd.read_csv(smoke_run / OUT / "paper_comparison.csv")
    for protocol in section["protocols"]:
        for variant in ("tMO", "tMOP"):
            spec = section["paper"]["table2"][variant]
            for name in (variant, f"{variant}_float", f"{variant}_dynamic"):
                rows = table[(table["protocol"] == protocol) & (table["model"] == name)]
                acc = rows[rows["quantity"] == "accuracy_percent"]
                assert len(acc) == 1 and acc["paper_value"].iloc[0] == spec["accuracy_percent"], name
                assert len(rows[rows["quantity"].str.startswith("size_bytes")]) == 1, name
                assert (rows["n_runs"] == section["replicates"]).all(), name
        robust = table[(table["protocol"] == protocol) & table["model"].str.contains("_robust")]
        assert not robust.empty and (robust["paper_value"] == section["paper"]["table2"]["tMOP"]["accuracy_percent"]).all()


def test_ablation_has_every_step_of_every_int8_model_and_its_int8_step_is_the_metrics_row(smoke_run: Path, metrics,
                                                                                            section, seeds):
    from tinyids.idrissi2022.variants import ABLATED
    from tinyids.study import ablation

    table = pd.read_csv(smoke_run / OUT / "quantization_ablation.csv")
    assert list(table.columns[: len(ablation.COLUMNS)]) == list(ablation.COLUMNS)
    models = [v for v in ABLATED if v in section["variants"]] + [r["name"] for r in section["robust"]["variants"]]
    assert set(zip(table["protocol"], table["run"], table["model"])) == {
        (p, s, m) for p in section["protocols"] for s in seeds for m in models}
    for step in ("float", "input_quantized", "full_int8"):
        assert table[f"accuracy_{step}"].between(0, 1).all(), step
    merged = table.merge(metrics, on=["protocol", "run", "model"])
    assert len(merged) == len(table)
    assert np.allclose(merged["accuracy_full_int8"], merged["accuracy"])
    assert (merged["bytes_full_int8"] == merged["tflite_bytes"]).all()
    paper_rows = table[table["model"].isin(["tMO", "tMOP"])]
    assert paper_rows["accuracy_compressed_float"].notna().all() and paper_rows["bytes_dynamic_range"].gt(0).all()
    png = smoke_run / OUT / "plots" / "quantization_ablation.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_robust_inputs_lose_fewer_values_to_the_int8_zero_point_than_the_unit_norm(smoke_run: Path, section):
    zp = pd.read_csv(smoke_run / OUT / "quantization_zero_point.csv")
    assert zp["share_to_zero_point"].dropna().between(0, 1).all()
    share = zp.groupby(["protocol", "model"])["share_to_zero_point"].mean()
    for protocol in section["protocols"]:
        for r in section["robust"]["variants"]:
            assert share[(protocol, r["name"])] < share[(protocol, "tMO")], (protocol, r["name"])


def test_robust_deployables_run_log1p_and_min_max_from_the_raw_vector(smoke_run: Path, metrics, section):
    from tinyids.idrissi2022 import variants as idwf
    from tinyids.litert import make_interpreter, predict_float_features
    from tinyids.study import deployable, preprocessing

    robust = [r["name"] for r in section["robust"]["variants"]]
    main = idwf.deploy_protocol(section["protocols"], section.get("deploy_protocol", "dedup"))
    names = idwf.robust_deploy_names(section["protocols"], section["robust"]["deployables"], robust, main)
    assert names
    for name in names:
        protocol, variant = idwf.parse_deploy_name(name, section["protocols"], main)
        dep = deployable.read(smoke_run / OUT / "deploy" / f"{name}.json")
        assert [s["op"] for s in dep.steps] == ["encode", "log1p", "offset_scale"] and dep.protocol == protocol
        x, y = dep.test_vectors()
        assert np.allclose(preprocessing.apply(dep.steps, dep.test_array("X_raw")), x, rtol=0, atol=1e-6)
        interp = make_interpreter(smoke_run / OUT / "deploy" / f"{name}.tflite")
        acc = np.mean(np.argmax(predict_float_features(interp, x[..., None]), axis=1) == y)
        assert acc == pytest.approx(dep.accuracy)
        row = metrics[(metrics["protocol"] == protocol) & (metrics["model"] == variant)]
        assert acc == pytest.approx(row["accuracy"].iloc[0])
        # the int8 model keeps what the float model it was converted from learned (the pruned and
        # clustered one when the variant compresses; 1 point is the default-run target, 300 smoke rows:
        # 3; one-sided, a gain is no loss)
        ablated = pd.read_csv(smoke_run / OUT / "quantization_ablation.csv")
        step = ablated[(ablated["protocol"] == protocol) & (ablated["model"] == variant)
                       & (ablated["run"] == dep.seed)].iloc[0]
        converted = step["accuracy_compressed_float"] if np.isfinite(step["accuracy_compressed_float"]) \
            else step["accuracy_float"]
        assert converted - acc <= 0.03, (name, acc, converted)
