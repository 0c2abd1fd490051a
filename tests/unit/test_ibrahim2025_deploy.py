"""ibrahim2025 deployables: a valid Deployable whose minmax and PCA steps turn the encoded WUSTL
rows into X_test, and whose int8 threshold decides as the evaluation's 'score >= threshold'."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.errors import TinyidsError
from tinyids.ibrahim2025 import features as feat
from tinyids.ibrahim2025 import protocols
from tinyids.ibrahim2025.deploy import threshold_decision, write_deployable
from tinyids.ibrahim2025.settings import Settings
from tinyids.litert import Quantization
from tinyids.study import deployable, preprocessing
from tinyids.study.sampling import stratified_subsample


@pytest.fixture(scope="module")
def written(wustl_frame: pd.DataFrame, tmp_path_factory):
    import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
    import tf_keras as keras

    from tinyids.ibrahim2025.evaluation import evaluate_and_export

    frame = stratified_subsample(wustl_frame, 600, 5, by=feat.LABEL)
    settings = Settings(seed=11, drop_columns=feat.DEFAULT_DROP, categorical_columns=("Flgs",), pca_components=6,
                        calibration_samples=50, latency_samples=5)
    prepared = protocols.prepare(frame, "sound", settings)
    run = tmp_path_factory.mktemp("run")
    protocols.save(prepared, run / "data.npz", run / "preprocess.json")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    arrays = protocols.load_arrays(run / "data.npz")
    evaluate_and_export(model, "toy", run, arrays, history={"loss": [0.0]}, train_info={}, settings=settings,
                        protocol="sound", fold=0)
    out = tmp_path_factory.mktemp("deploy")
    dep = write_deployable(name="ibrahim2025_sound_toy", int8_tflite=run / "toy_int8.tflite", data_npz=run / "data.npz",
                           preprocess_json=run / "preprocess.json", eval_json=run / "toy_eval.json",
                           out_tflite=out / "ibrahim2025_sound_toy.tflite", out_npz=out / "ibrahim2025_sound_toy.npz",
                           out_json=out / "ibrahim2025_sound_toy.json")
    return frame, prepared, out, dep, json.loads((run / "toy_eval.json").read_text())


def test_written_json_is_a_valid_deployable_with_the_evaluations_int8_metrics(written):
    _, prepared, out, dep, ev = written
    back = deployable.read(out / "ibrahim2025_sound_toy.json")
    assert back.doc == dep.doc and back.study == "ibrahim2025" and back.model["format"] == "tflite-int8"
    assert back.class_names == ["normal", "attack"] and back.raw_feature_names == prepared.encoder.feature_names
    assert back.accuracy == ev["metrics_int8"]["accuracy"] and back.seed == 0 and back.extra["fold"] == 0
    assert [s["op"] for s in back.steps] == ["minmax", "pca"]


def test_minmax_and_pca_steps_turn_the_encoded_test_rows_into_x_test(written):
    frame, prepared, out, dep, _ = written
    raw = prepared.encoder.transform(frame.iloc[prepared.test_source_row])
    x_test, _ = deployable.read(out / f"{dep.name}.json").test_vectors()
    assert np.allclose(preprocessing.apply(dep.steps, raw), x_test, rtol=0, atol=1e-5)


def test_int8_threshold_decides_as_the_evaluations_float_rule(written):
    from tinyids import litert

    _, _, out, dep, ev = written
    interp = litert.make_interpreter(out / f"{dep.name}.tflite")
    x, y = deployable.read(out / f"{dep.name}.json").test_vectors()
    raw = litert.run_raw(interp, litert.input_quantization(interp).quantize(x)).reshape(-1).astype(np.int32)
    score = litert.predict_float_features(interp, x).reshape(-1)
    assert dep.decision["probability"] == ev["threshold"]
    assert np.array_equal(raw >= dep.decision["int8"], score >= ev["threshold"])


def test_threshold_is_checked_on_every_int8_output_value():
    q = Quantization(1 / 256, -128)
    assert threshold_decision(q, 0.5, "m")["int8"] == 0  # (0 + 128) / 256 == 0.5 exactly: ">=" takes it
    assert threshold_decision(q, 0.75, "m")["int8"] == 64


def test_a_model_with_two_outputs_is_refused(tmp_path: Path, written):
    import tinyids  # noqa: F401
    import tf_keras as keras

    from tinyids import compress

    _, prepared, out, _, _ = written
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(2, activation="softmax")])
    (tmp_path / "two.tflite").write_bytes(compress.to_tflite_int8(model, prepared.x_train, n_samples=20, seed=0))
    with pytest.raises(TinyidsError, match="ibrahim2025 models have one output, this one has shape"):
        write_deployable(name="two", int8_tflite=tmp_path / "two.tflite", data_npz=tmp_path / "none.npz",
                         preprocess_json=tmp_path / "none.json", eval_json=tmp_path / "none.json",
                         out_tflite=tmp_path / "o.tflite", out_npz=tmp_path / "o.npz", out_json=tmp_path / "two.json")
