"""idrissi2022 deployables: a valid Deployable whose typed steps (encode proto, l2, chi-square
select) are what ``protocols.prepare`` does, so they turn the encoded rows into X_test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
from tinyids.idrissi2022 import deploy, protocols, standin
from tinyids.idrissi2022.protocols import IANA_PROTOCOLS
from tinyids.metrics import multiclass_metrics
from tinyids.study import deployable, preprocessing

# the stand-in's 0/1 "logged_in" column plays the categorical uniflow column "proto"
FEATURES = [("proto" if f == "logged_in" else f) for f in standin.FEATURES]


@pytest.fixture(scope="module")
def frame(standin_uniflow_frame) -> pd.DataFrame:
    return standin_uniflow_frame.copy()


@pytest.fixture(scope="module")
def prepared(standin_uniflow_prepared) -> protocols.Prepared:
    return standin_uniflow_prepared


def _toy_tflite(n_features: int, x_train: np.ndarray, path) -> None:
    import tf_keras as keras

    from tinyids import compress

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(n_features, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(len(standin.CLASSES), activation="softmax")])
    path.write_bytes(compress.to_tflite_int8(model, x_train[..., None], n_samples=50, seed=0))


@pytest.mark.parametrize("variant", ["tMO", "tMOP"])
def test_deployable_validates_and_its_steps_turn_the_encoded_rows_into_x_test(variant, frame, prepared, tmp_path):
    from tinyids.idrissi2022.evaluation import predict_tflite, variant_features

    features = variant_features(variant)
    x_test, y_test = prepared.split("test", features)
    _toy_tflite(x_test.shape[1], prepared.split("train", features)[0], tmp_path / "model.tflite")
    metrics = {"variant": variant, **multiclass_metrics(y_test, predict_tflite(tmp_path / "model.tflite", x_test),
                                                        list(prepared.classes))}
    name = deploy.deploy_name("dedup", variant)
    deploy.write(tflite_file=tmp_path / "model.tflite", prepared=prepared, variant=variant, protocol="dedup", seed=3,
                 source="standin", metrics=metrics, out_tflite=tmp_path / f"{name}.tflite",
                 out_npz=tmp_path / f"{name}.npz", out_json=tmp_path / f"{name}.json")
    dep = deployable.read(tmp_path / f"{name}.json")
    assert dep.raw_feature_names == FEATURES and dep.class_names == list(standin.CLASSES)
    assert dep.decision == {"rule": "argmax"} and dep.accuracy == metrics["accuracy"]
    assert dep.extra["input_shape"] == [1, x_test.shape[1], 1]
    ops = [s["op"] for s in dep.steps]
    assert ops == (["encode", "l2", "select"] if variant == "tMOP" else ["encode", "l2"])
    encode = dep.steps[0]
    assert encode["column"] == FEATURES.index("proto") and encode["codes"]["tcp"] == IANA_PROTOCOLS["tcp"]
    if variant == "tMOP":
        assert dep.steps[-1]["indices"] == prepared.selected and dep.feature_names == prepared.selected_names
    # the raw vector: the 16 encoded features of the test rows, before any scaling
    rows = frame.reset_index(drop=True).iloc[prepared.rows_test]
    raw = protocols.encode(rows, FEATURES)
    stored, y = dep.test_vectors()
    assert np.array_equal(y, y_test) and np.array_equal(stored, x_test)
    assert np.allclose(preprocessing.apply(dep.steps, raw), stored, rtol=0, atol=1e-6)
    # the encode step is the code table the protocol applies to the categorical column
    codes = preprocessing.encode_column(rows["proto"].tolist(), encode)
    assert np.array_equal(codes, raw[:, encode["column"]])

