"""idrissi2022 variants on a real 5-class stand-in (NSL-KDD slices): tM, tMO, tMOP, tMO_QAT, deployables.

The MQTT uniflow data come from the testbed stage; these tests run the same chain on real NSL-KDD
records (16 numeric features, normal/DoS/Probe/R2L/U2R) so they need no workflow output.
"""

from __future__ import annotations


import numpy as np
import pytest

import tinyids  # noqa: F401
from tinyids import compress
from tinyids.idrissi2022 import arena, deploy, evaluation, models, protocols, standin, variants
from tinyids.study import deployable as study_deployable

pytestmark = pytest.mark.slow

ARCH = {"OM": {"filters": 20, "kernel_size": 3, "units": 180, "dropout": 0.2}, "POM": {"filters": 20, "kernel_size": 6}}
OPTIMIZE = {
    "learning_rate": 0.0005,
    "steps_per_execution": 50,
    "prune": {"initial_sparsity": 0.0, "final_sparsity": 0.5, "epochs": 2, "frequency": 10, "power": 3},
    "cluster": {"number_of_clusters": 8, "init": "kmeans_plus_plus", "preserve_sparsity": True, "epochs": 1},
    "quantize": {"representative_samples": 200},
    "qat": {"epochs": 1},
}
SEED = 7


@pytest.fixture(scope="module")
def prepared(data_mirror) -> protocols.Prepared:
    models.limit_threads(1)
    frame = standin.load(data_mirror / "nsl-kdd" / "KDDTest+.txt.gz", per_class=300, seed=0)
    return protocols.prepare(frame, protocol="dedup", features=standin.FEATURES, classes=standin.CLASSES, seed=SEED,
                             split={"train": 0.6, "val": 0.2, "test": 0.2}, chi2_k=7)


def _trained(name: str, prepared: protocols.Prepared, epochs: int = 6):
    features = "selected" if name == "POM7" else "all"
    x_train, y_train = prepared.split("train", features)
    x_val, y_val = prepared.split("val", features)
    net = models.build(name, x_train.shape[1], len(prepared.classes), ARCH)
    models.train(net, x_train, y_train, x_val, y_val, epochs=epochs, batch_size=32, learning_rate=0.003, seed=SEED,
                 jit_compile=False, steps_per_execution=1)
    return net


@pytest.fixture(scope="module")
def tmo(prepared, tmp_path_factory):
    """(stripped Keras model, int8 flatbuffer, info, file paths) of tMO on the stand-in."""
    pom = _trained("POM", prepared)
    x_train, y_train = prepared.split("train")
    plain, flatbuffer, info = variants.optimize(pom, x_train, y_train, config=OPTIMIZE, batch_size=32, seed=SEED)
    folder = tmp_path_factory.mktemp("tmo")
    models.save(plain, folder / "tMO.h5")
    (folder / "tMO.tflite").write_bytes(flatbuffer)
    return plain, flatbuffer, info, folder


def test_tmo_is_int8_in_and_out_pruned_to_the_schedule_and_clustered(tmo):
    plain, flatbuffer, info, _ = tmo
    assert compress.tflite_io_dtypes(flatbuffer) == (np.dtype(np.int8), np.dtype(np.int8))
    assert info["steps"] == ["prune", "cluster", "int8_ptq"]
    for layer, sparsity in info["kernel_sparsity"].items():
        assert sparsity >= OPTIMIZE["prune"]["final_sparsity"] - 0.02, layer
    for layer, unique in info["unique_kernel_values"].items():
        # sparsity-preserving clustering: the clusters plus the preserved zero
        assert unique <= OPTIMIZE["cluster"]["number_of_clusters"] + 1, layer
    assert compress.count_nonzero(plain) < compress.count_parameters(plain)


def test_int8_tmo_accuracy_is_within_three_points_of_its_float_model(tmo, prepared):
    plain, _, _, folder = tmo
    x_test, y_test = prepared.split("test")
    float_acc = float(np.mean(models.predict_classes(plain, x_test) == y_test))
    int8_acc = float(np.mean(evaluation.predict_tflite(folder / "tMO.tflite", x_test) == y_test))
    assert abs(int8_acc - float_acc) <= 0.03, (float_acc, int8_acc)
    assert int8_acc > 1.5 / len(prepared.classes)  # well above chance on 5 classes


def test_tm_float_tflite_predicts_what_the_om_predicts(prepared, tmp_path):
    om = _trained("OM", prepared, epochs=3)
    flatbuffer, info = variants.convert_tm(om)
    assert info["steps"] == ["tflite_float"]
    assert compress.tflite_io_dtypes(flatbuffer) == (np.dtype(np.float32), np.dtype(np.float32))
    (tmp_path / "tM.tflite").write_bytes(flatbuffer)
    x_test, _ = prepared.split("test")
    agree = np.mean(evaluation.predict_tflite(tmp_path / "tM.tflite", x_test) == models.predict_classes(om, x_test))
    assert agree >= 0.99


def test_tmop_runs_on_the_seven_chi_square_features_only(prepared):
    pom7 = _trained("POM7", prepared, epochs=3)
    x_train, y_train = prepared.split("train", "selected")
    plain, flatbuffer, _ = variants.optimize(pom7, x_train, y_train, config=OPTIMIZE, batch_size=32, seed=SEED)
    from tinyids.litert import make_interpreter

    interp = make_interpreter(flatbuffer)
    assert list(interp.get_input_details()[0]["shape"]) == [1, 7, 1]
    assert compress.count_parameters(plain) < compress.count_parameters(models.build("POM", 16, 5, ARCH))


def test_qat_variant_is_int8_in_and_out_and_classifies_above_chance(prepared):
    pom = _trained("POM", prepared, epochs=3)
    x_train, y_train = prepared.split("train")
    plain, flatbuffer, info = variants.optimize(pom, x_train, y_train, config=OPTIMIZE, batch_size=32, seed=SEED,
                                                qat=True)
    assert info["steps"][-2:] == ["qat", "int8_from_qat"]
    assert compress.tflite_io_dtypes(flatbuffer) == (np.dtype(np.int8), np.dtype(np.int8))
    x_test, y_test = prepared.split("test")
    from tinyids.litert import make_interpreter, predict_float_features

    acc = np.mean(np.argmax(predict_float_features(make_interpreter(flatbuffer), x_test), axis=1) == y_test)
    assert acc > 1.5 / len(prepared.classes)


def test_deployable_files_follow_the_contract(tmo, prepared, tmp_path):
    _, _, _, folder = tmo
    row, _ = evaluation.evaluate_variant("tMO", prepared, keras_file=folder / "tMO.h5", tflite_file=folder / "tMO.tflite")
    name = deploy.deploy_name("dedup", "tMO")
    dep = deploy.write(tflite_file=folder / "tMO.tflite", prepared=prepared, variant="tMO", protocol="dedup", seed=SEED,
                       source="standin", metrics=row, out_tflite=tmp_path / f"{name}.tflite",
                       out_npz=tmp_path / f"{name}.npz", out_json=tmp_path / f"{name}.json")
    with np.load(tmp_path / f"{name}.npz") as z:
        assert z["X_test"].dtype == np.float32 and z["X_test"].shape == prepared.x_test.shape
        assert np.array_equal(z["y_test"], prepared.y_test)
        # fed exactly as stored: the LiteRT accuracy on X_test is the accuracy in the metadata
        acc = np.mean(evaluation.predict_tflite(tmp_path / f"{name}.tflite", z["X_test"]) == z["y_test"])
    on_disk = study_deployable.read(tmp_path / f"{name}.json")
    assert on_disk.accuracy == pytest.approx(acc) == pytest.approx(dep.accuracy)
    assert on_disk.feature_names == list(standin.FEATURES) and on_disk.class_names == list(standin.CLASSES)
    assert on_disk.input_quantization["scale"] > 0 and on_disk.extra["input_shape"] == [1, 16, 1]


def test_arena_bisection_finds_the_smallest_working_tflm_arena(tmo, prepared, tmp_path):
    _, _, _, folder = tmo
    model = folder / "tMO.tflite"
    sample = tmp_path / "sample.npy"
    raw = arena.write_sample(sample, model, prepared.x_test[0])
    assert raw.dtype == np.int8
    result = arena.bisect(model, sample, high=1024, limit=1 << 16, granularity=32, timeout_s=60)
    assert result.arena_bytes is not None and result.output is not None
    ok_at, _ = arena.probe(model, result.arena_bytes, sample)
    too_small, details = arena.probe(model, result.arena_bytes - 32, sample)
    assert ok_at and not too_small and details["ok"] is False
    # TFLM's int8 output equals LiteRT's (within one quantization step)
    from tinyids.litert import make_interpreter

    interp = make_interpreter(model)
    interp.set_tensor(interp.get_input_details()[0]["index"], raw)
    interp.invoke()
    reference = interp.get_tensor(interp.get_output_details()[0]["index"]).reshape(-1)
    assert np.max(np.abs(np.asarray(result.output) - reference)) <= 1
