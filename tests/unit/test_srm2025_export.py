"""srm2025 C exports: every tiny model compiles with gcc and predicts what Python predicts; each
export is a valid Deployable whose typed steps turn the raw columns into the model input; the
int8 TFLite tiny NN is full-integer and its int8 threshold decides exactly as '> 0.5'; the fit ->
export hand-over files rebuild the same models."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.srm2025.export import (
    c_float, deploy_context, export_c_model, export_tflite_model, run_c_model, tiny_nn_to_tflite, tiny_nn_decision,
)
from tinyids.study import deployable, preprocessing
from tinyids.srm2025.preprocessing import targets
from tinyids.srm2025.protocols import SUBSAMPLE_STRATA
from tinyids.study.sampling import stratified_subsample
from tinyids.srm2025.tiny import fit_tiny_models



def test_gcc_is_available_for_the_host_parity_check():
    assert shutil.which("gcc"), "gcc compiles the C exports for the host parity check (apt-get install gcc)"

TINY_CFG = {
    "models": ["tiny_rf", "tiny_svm", "tiny_lr", "tiny_nn", "tiny_hybrid"],
    "feature_selection": {"method": "chi2", "k": 10},
    "rf": {"n_estimators": 6, "max_depth": 7},
    "nn": {"hidden_layer_sizes": [8, 4], "max_iter": 100},
}


@pytest.fixture(scope="module")
def exported(nslkdd_train_frame, nslkdd_test_frame, tmp_path_factory):
    train = stratified_subsample(nslkdd_train_frame, 1500, 7, by=SUBSAMPLE_STRATA)
    test = stratified_subsample(nslkdd_test_frame, 1500, 7, by=SUBSAMPLE_STRATA)
    features, models, _, _ = fit_tiny_models(TINY_CFG, train, targets(train, "binary"), seed=0, encoding="label")
    x, y = features.transform(test), targets(test, "binary")
    x_raw = features.preprocessor_._encode(test)[:, features.columns_].astype(np.float32)
    out = tmp_path_factory.mktemp("srm2025_deploy")
    context = _context(features)
    records = {name: export_c_model(name, m, out, x, y, context, x_raw) for name, m in models.items()}
    return out, models, x, y, records, features.transform(train), context, x_raw


def _context(features):
    bundle = {"features": features, "protocol": "standard", "seed": 0, "class_names": ["normal", "attack"],
              "train_file": "KDDTrain+_20Percent", "n_train": 1500}
    return deploy_context(bundle, "KDDTest+")


def test_every_tiny_c_export_compiles_and_matches_python_on_every_test_row(exported):
    out, models, x, y, records, *_ = exported
    for name, model in models.items():
        pred, score, latency_us = run_c_model(name, out, x, include_dirs=[out / "emlearn"])
        assert np.array_equal(pred, model.predict(x)), name
        assert np.allclose(score, model.score(x), atol=1e-6), name
        assert latency_us > 0
        assert records[name]["c_parity_mismatches"] == 0 and records[name]["n_test"] == len(y)


def test_exact_float32_thresholds_make_the_emlearn_forest_reproduce_sklearn(exported):
    _, models, x, _, records, *_ = exported
    assert records["tiny_rf"]["c_vs_sklearn_mismatches"] == 0
    assert np.array_equal(models["tiny_rf"].predict(x), models["tiny_rf"].forest.predict(x))


def test_export_writes_sources_test_vectors_and_metadata_for_the_firmware_stage(exported):
    out, models, x, y, *_ = exported
    for name in models:
        for ext in ("c", "h", "npz", "json"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
        dep = deployable.read(out / f"{name}.json")
        vectors = np.load(out / f"{name}.npz")
        assert vectors["X_test"].dtype == np.float32 and np.array_equal(vectors["X_test"], x)
        assert np.array_equal(vectors["y_test"], y)
        assert np.array_equal(dep.test_array("y_pred"), models[name].predict(x))
        assert dep.model["format"] == "c-float" and dep.decision == {"rule": "argmax"}
        assert dep.n_inputs == x.shape[1] and "-ffp-contract=off" in dep.model["compile_flags"]
        assert dep.accuracy == pytest.approx(np.mean(models[name].predict(x) == y))
        assert dep.model.get("include_dirs", []) == (["emlearn"] if name == "tiny_nn" else [])
        header = (out / f"{name}.h").read_text()
        assert f"srm2025_{name}_predict" in header and f"srm2025_{name}_score" in header
    assert "int8_t" in (out / "tiny_svm.c").read_text()


def test_c_float_literals_round_trip_float32():
    for v in (0.1, 1.0, 1e-7, 3.4e38, -2.5, 123456.789):
        text = c_float(v)
        assert text.endswith("f") and np.float32(float(text[:-1])) == np.float32(v)


def test_tiny_nn_becomes_a_full_integer_int8_tflite_that_agrees_with_the_float_model(exported, tmp_path: Path):
    from tinyids import litert

    _, models, x, y, _, x_train, context, x_raw = exported
    tflite = tiny_nn_to_tflite(models["tiny_nn"], x_train[:200])
    interp = litert.make_interpreter(tflite)
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8
    rec = export_tflite_model("tiny_nn_int8", tflite, tmp_path, x, y, context, x_raw)
    dep = deployable.read(tmp_path / "tiny_nn_int8.json")
    proba = litert.predict_float_features(interp, x).reshape(-1)
    assert dep.test_array("y_pred").tolist() == (proba > 0.5).astype(int).tolist()
    # the typed decision on the raw int8 output decides exactly as today's "dequantized > 0.5"
    raw = litert.run_raw(interp, litert.input_quantization(interp).quantize(x)).reshape(-1).astype(np.int32)
    assert dep.decision["rule"] == "threshold" and np.array_equal(raw >= dep.decision["int8"], proba > 0.5)
    assert dep.accuracy == pytest.approx(np.mean((proba > 0.5) == y))
    assert rec["tflite_bytes"] == (tmp_path / "tiny_nn_int8.tflite").stat().st_size
    assert np.mean((proba > 0.5) == models["tiny_nn"].predict(x)) > 0.95


def test_plain_emlearn_check_counts_disagreements_with_sklearn(exported):
    _, _, x, _, records, *_ = exported
    # the figure is measured, never assumed: a count between 0 and the number of rows
    assert 0 <= records["tiny_rf"]["plain_emlearn_vs_sklearn_mismatches"] <= len(x)


def test_metadata_names_the_preprocessing_constants(nslkdd_train_frame):
    from tinyids.srm2025.preprocessing import TinyFeatures

    train = stratified_subsample(nslkdd_train_frame, 500, 1, by=SUBSAMPLE_STRATA)
    fs = TinyFeatures(k=5).fit(train, targets(train, "binary"))
    consts = pd.DataFrame(fs.constants())
    assert list(consts["name"]) == fs.feature_names()
    raw = fs.preprocessor_._encode(train)[:, fs.columns_]
    assert np.allclose((raw - consts["min"].to_numpy()) * consts["scale"].to_numpy(), fs.transform(train), atol=1e-6)


def test_every_export_is_a_deployable_whose_steps_turn_the_raw_columns_into_x_test(exported):
    out, models, x, _, _, _, context, x_raw = exported
    for name in models:
        dep = deployable.read(out / f"{name}.json")
        assert dep.raw_feature_names == context.raw_feature_names and dep.doc["test_vectors"]["has_raw"]
        # label encoding: one encode step per selected categorical column (its codes), then offset_scale
        ops = [s["op"] for s in dep.steps]
        assert ops[-1] == "offset_scale" and set(ops[:-1]) <= {"encode"}
        encoded = [context.raw_feature_names[s["column"]] for s in dep.steps if s["op"] == "encode"]
        assert set(encoded) <= {"protocol_type", "service", "flag"}
        got = preprocessing.apply(dep.steps, dep.test_array("X_raw"))
        assert np.allclose(got, x, rtol=0, atol=1e-6), name


def test_the_int8_threshold_reproduces_strictly_above_one_half_on_every_output_value():
    from tinyids.litert import Quantization

    # the usual sigmoid output quantization: q = 0 is exactly 0.5, so ">= 0.5" would call it attack
    q = Quantization(1 / 256, -128)
    decision = tiny_nn_decision(q, "sigmoid")
    assert decision["int8"] == 1 and decision["probability"] > 0.5
    assert deployable.threshold_int8(q.scale, q.zero_point, decision["probability"]) == 1
    values = np.arange(-128, 128)
    assert np.array_equal(values >= decision["int8"], q.dequantize(values) > 0.5)


def test_handover_files_rebuild_models_that_predict_exactly_as_the_fitted_ones(nslkdd_train_frame, nslkdd_test_frame, tmp_path: Path):
    from tinyids.srm2025 import handover

    train = stratified_subsample(nslkdd_train_frame, 800, 3, by=SUBSAMPLE_STRATA)
    test = stratified_subsample(nslkdd_test_frame, 400, 3, by=SUBSAMPLE_STRATA)
    cfg = {**TINY_CFG, "models": ["tiny_lr", "tiny_nn", "tiny_hybrid"]}  # the hybrid needs rf and svm unlisted
    features, models, seconds, _ = fit_tiny_models(cfg, train, targets(train, "binary"), seed=1, encoding="onehot")
    x, y = features.transform(test), targets(test, "binary")
    bundle = {"protocol": "standard", "train_file": "KDDTrain+_20Percent", "target": "binary",
              "class_names": ["normal", "attack"], "features": features, "models": models, "train_seconds": seconds,
              "tests": {"KDDTest+": (x, y)}, "raw_tests": {"KDDTest+": x[::-1].copy()},
              "representative": features.transform(train)[:50], "n_train": len(train), "seed": 1}
    written = handover.save(bundle, tmp_path / "tiny")
    assert sorted(p.name for p in written) == sorted(Path(f).name for f in handover.files("x", cfg["models"]))
    back = handover.load(tmp_path / "tiny")
    assert list(back["models"]) == cfg["models"] and back["train_seconds"] == seconds
    for name, model in models.items():
        assert np.array_equal(back["models"][name].predict(x), model.predict(x)), name
        assert np.array_equal(back["models"][name].score(x), model.score(x)), name
    assert back["features"].constants() == features.constants() and back["features"].feature_names() == features.feature_names()
    assert np.array_equal(back["tests"]["KDDTest+"][0], x) and np.array_equal(back["raw_tests"]["KDDTest+"], x[::-1])
    assert np.array_equal(back["representative"], bundle["representative"])


def _ablation_bundle(exported, test_sets=("KDDTest+",)):
    from tinyids.srm2025.handover import HandoverFeatures

    _, models, x, y, _, _, context, _ = exported
    return {"protocol": "standard", "seed": 3, "models": models, "features": HandoverFeatures(context.feature_names, []),
            "tests": {name: (x[i::2], y[i::2]) for i, name in enumerate(test_sets)}}


def test_quantization_ablation_measures_each_step_of_the_tiny_nn_on_every_test_set(exported):
    from tinyids import litert
    from tinyids.srm2025.export import quantization_ablation, tflite_predict
    from tinyids.study import ablation

    _, models, x, y, _, train_x, _, _ = exported
    full = tiny_nn_to_tflite(models["tiny_nn"], train_x[:200])
    rows, zero_point = quantization_ablation(_ablation_bundle(exported, ("KDDTest+", "KDDTest-21")), full)
    assert [r["test_set"] for r in rows] == ["KDDTest+", "KDDTest-21"]
    row = rows[0]
    assert set(ablation.COLUMNS) <= set(row) and row["study"] == "srm2025" and row["run"] == 3 and row["model"] == "tiny_nn"
    xt, yt = x[0::2], y[0::2]
    assert row["accuracy_float"] == pytest.approx(np.mean(models["tiny_nn"].predict(xt) == yt))
    pred, _, _ = tflite_predict(full, xt)
    assert row["accuracy_full_int8"] == pytest.approx(np.mean(pred == yt)) and row["bytes_full_int8"] == len(full)
    iq = litert.input_quantization(litert.make_interpreter(full))
    on_grid = ablation.dequantize_inputs(xt, iq.scale, iq.zero_point)
    assert row["accuracy_input_quantized"] == pytest.approx(np.mean(models["tiny_nn"].predict(on_grid) == yt))
    assert np.isnan(row["accuracy_compressed_float"]) and np.isnan(row["bytes_compressed_float"])  # no pruning step
    assert 0.0 < row["roc_auc_dynamic_range"] <= 1.0 and row["bytes_dynamic_range"] > 0 and row["bytes_float"] > 0
    assert len(zero_point) == 2 * xt.shape[1]
    first = zero_point[0]
    nz = xt[:, 0] != 0
    q = np.clip(np.round(xt[nz, 0].astype(np.float64) / iq.scale) + iq.zero_point, -128, 127)
    assert first["nonzero_values"] == int(nz.sum()) and first["to_zero_point"] == int(np.sum(q == iq.zero_point))


def test_dynamic_range_and_float_conversions_keep_float_inputs(exported):
    from tinyids import litert

    _, models, *_ = exported
    for mode in ("dynamic_range", "float"):
        interp = litert.make_interpreter(tiny_nn_to_tflite(models["tiny_nn"], None, mode))
        assert litert.input_quantization(interp) is None, mode
    with pytest.raises(ValueError, match="mode 'int4'"):
        tiny_nn_to_tflite(models["tiny_nn"], None, "int4")


def test_ablation_merge_writes_one_study_file_and_refuses_rows_lacking_a_column(exported, tmp_path):
    from tinyids.errors import DataError
    from tinyids.srm2025.ablation_report import merge, plot
    from tinyids.srm2025.export import quantization_ablation
    from tinyids.study import ablation

    _, models, _, _, _, train_x, _, _ = exported
    rows, zp = quantization_ablation(_ablation_bundle(exported), tiny_nn_to_tflite(models["tiny_nn"], train_x[:100]))
    a, z = tmp_path / "a.csv", tmp_path / "z.csv"
    ablation.write(rows, a)
    ablation.write(zp, z, ablation.ZERO_POINT_COLUMNS)
    empty_a, empty_z = tmp_path / "ea.csv", tmp_path / "ez.csv"  # a protocol without a tiny NN
    ablation.write([], empty_a)
    ablation.write([], empty_z, ablation.ZERO_POINT_COLUMNS)
    table, zero_point = merge([a, empty_a], [z, empty_z], tmp_path / "out.csv", tmp_path / "out_zp.csv")
    assert len(table) == 1 and len(zero_point) == len(zp)
    assert list(pd.read_csv(tmp_path / "out.csv").columns[: len(ablation.COLUMNS)]) == list(ablation.COLUMNS)
    plot(table, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"
    pd.read_csv(a).drop(columns=["accuracy_full_int8"]).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DataError, match="bad.csv: ablation rows lack column"):
        merge([tmp_path / "bad.csv"], [z], tmp_path / "o.csv", tmp_path / "o2.csv")
    assert not (tmp_path / "o.csv").exists()
