"""srm2025 C exports: every tiny model compiles with gcc and predicts what Python predicts; the
int8 TFLite tiny NN is full-integer and its metadata carries its host predictions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.srm2025.export import c_float, export_c_model, export_tflite_model, run_c_model, tiny_nn_to_tflite
from tinyids.srm2025.preprocessing import targets
from tinyids.srm2025.protocols import stratified_subsample
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
    train = stratified_subsample(nslkdd_train_frame, 1500, seed=7)
    test = stratified_subsample(nslkdd_test_frame, 1500, seed=7)
    features, models, _, _ = fit_tiny_models(TINY_CFG, train, targets(train, "binary"), seed=0)
    x, y = features.transform(test), targets(test, "binary")
    out = tmp_path_factory.mktemp("srm2025_deploy")
    records = {name: export_c_model(name, m, out, x, y, {"protocol": "standard"}) for name, m in models.items()}
    return out, models, x, y, records, features.transform(train)


def test_every_tiny_c_export_compiles_and_matches_python_on_every_test_row(exported):
    out, models, x, y, records, _ = exported
    for name, model in models.items():
        pred, score, latency_us = run_c_model(name, out, x, include_dirs=[out / "emlearn"])
        assert np.array_equal(pred, model.predict(x)), name
        assert np.allclose(score, model.score(x), atol=1e-6), name
        assert latency_us > 0
        assert records[name]["c_parity_mismatches"] == 0 and records[name]["n_test"] == len(y)


def test_exact_float32_thresholds_make_the_emlearn_forest_reproduce_sklearn(exported):
    _, models, x, _, records, _ = exported
    assert records["tiny_rf"]["c_vs_sklearn_mismatches"] == 0
    assert np.array_equal(models["tiny_rf"].predict(x), models["tiny_rf"].forest.predict(x))


def test_export_writes_sources_test_vectors_and_metadata_for_the_firmware_stage(exported):
    out, models, x, y, _, _ = exported
    for name in models:
        for ext in ("c", "h", "npz", "json"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
        vectors = np.load(out / f"{name}.npz")
        assert vectors["X_test"].dtype == np.float32 and np.array_equal(vectors["X_test"], x)
        assert np.array_equal(vectors["y_test"], y)
        meta = json.loads((out / f"{name}.json").read_text())
        assert meta["host_predictions"] == models[name].predict(x).tolist()
        assert meta["n_features"] == x.shape[1] and "-ffp-contract=off" in meta["compile_flags"]
        header = (out / f"{name}.h").read_text()
        assert f"srm2025_{name}_predict" in header and f"srm2025_{name}_score" in header
    assert "int8_t" in (out / "tiny_svm.c").read_text()


def test_c_float_literals_round_trip_float32():
    for v in (0.1, 1.0, 1e-7, 3.4e38, -2.5, 123456.789):
        text = c_float(v)
        assert text.endswith("f") and np.float32(float(text[:-1])) == np.float32(v)


def test_tiny_nn_becomes_a_full_integer_int8_tflite_that_agrees_with_the_float_model(exported, tmp_path: Path):
    from tinyids import litert

    _, models, x, y, _, x_train = exported
    tflite = tiny_nn_to_tflite(models["tiny_nn"], x_train[:200])
    interp = litert.make_interpreter(tflite)
    assert interp.get_input_details()[0]["dtype"] == np.int8
    assert interp.get_output_details()[0]["dtype"] == np.int8
    rec = export_tflite_model("tiny_nn_int8", tflite, tmp_path, x, y, {"protocol": "standard"})
    meta = json.loads((tmp_path / "tiny_nn_int8.json").read_text())
    proba = litert.predict_float_features(interp, x).reshape(-1)
    assert meta["host_predictions"] == (proba > 0.5).astype(int).tolist()
    assert rec["tflite_bytes"] == (tmp_path / "tiny_nn_int8.tflite").stat().st_size
    assert np.mean((proba > 0.5) == models["tiny_nn"].predict(x)) > 0.95


def test_plain_emlearn_check_counts_disagreements_with_sklearn(exported):
    _, _, x, _, records, _ = exported
    # the figure is measured, never assumed: a count between 0 and the number of rows
    assert 0 <= records["tiny_rf"]["plain_emlearn_vs_sklearn_mismatches"] <= len(x)


def test_metadata_names_the_preprocessing_constants(nslkdd_train_frame):
    from tinyids.srm2025.preprocessing import TinyFeatures

    train = stratified_subsample(nslkdd_train_frame, 500, seed=1)
    fs = TinyFeatures(k=5).fit(train, targets(train, "binary"))
    consts = pd.DataFrame(fs.constants())
    assert list(consts["name"]) == fs.feature_names()
    raw = fs.preprocessor_._encode(train)[:, fs.columns_]
    assert np.allclose((raw - consts["min"].to_numpy()) * consts["scale"].to_numpy(), fs.transform(train), atol=1e-6)
