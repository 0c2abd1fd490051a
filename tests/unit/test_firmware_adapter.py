"""Any deployable C model plugs into the firmware through the adapter layer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tinyids.firmware import adapter, fixture
from tinyids.firmware.adapter import FirmwareError


def test_detects_the_code_generator_interface():
    kind, fn = adapter.detect_interface("int tinyids_tMO_predict(const int8_t *in, int8_t *out);")
    assert (kind, fn) == ("int8", "tinyids_tMO_predict")


def test_detects_the_srm2025_export_interface():
    from tinyids.srm2025.export import c_header

    class _M:
        n_features = 16

    kind, fn = adapter.detect_interface(c_header("tiny_rf", _M()))
    assert kind == "float" and fn.endswith("_predict") and "score" not in fn


def test_detects_a_one_argument_float_classifier():
    kind, fn = adapter.detect_interface("int fixture_float_predict(const float *x);")
    assert (kind, fn) == ("float", "fixture_float_predict")


def test_unknown_interface_is_a_clear_error():
    with pytest.raises(FirmwareError, match="no known predict function"):
        adapter.detect_interface("void run(double *x);")


def _int8_deployable(tmp_path: Path, decision: dict, header: str, n_classes: int = 2):
    from tinyids.study import deployable

    features = ["a", "b", "c"]
    dep = deployable.Deployable.create(
        name="m", study="toy", protocol="p", variant="m", seed=0, class_names=[f"c{k}" for k in range(n_classes)],
        raw_feature_names=features, feature_names=features, model_format="tflite-int8",
        input_quantization=deployable.quantization(0.1, 0), output_quantization=deployable.quantization(1 / 256, -128),
        decision=decision, test_rows=0, metrics={"accuracy": 0.75}, steps=[])
    deployable.write(dep, tmp_path / "m.json")
    (tmp_path / "m.h").write_text(header + "int tinyids_m_predict(const int8_t *in, int8_t *out);\n")
    return deployable.read(tmp_path / "m.json")


def test_one_output_int8_classes_follow_the_deployables_threshold(tmp_path: Path):
    dep = _int8_deployable(tmp_path, {"rule": "threshold", "output": 0, "probability": 0.49, "int8": -3},
                           "#define TINYIDS_M_POSITIVE_THRESHOLD -3\n")
    spec = adapter.spec_from_deployable(dep, tmp_path)
    assert spec.positive_threshold == -3 and spec.n_outputs == 1 and spec.accuracy == 0.75
    assert spec.classes_from_raw(np.array([[-4], [-3], [127]])).tolist() == [0, 1, 1]


def test_header_threshold_that_disagrees_with_the_deployable_is_rejected(tmp_path: Path):
    dep = _int8_deployable(tmp_path, {"rule": "threshold", "output": 0, "probability": 0.5, "int8": 0},
                           "#define TINYIDS_M_POSITIVE_THRESHOLD 1\n")
    with pytest.raises(FirmwareError, match="POSITIVE_THRESHOLD 1"):
        adapter.spec_from_deployable(dep, tmp_path)


def test_argmax_int8_deployable_has_one_output_per_class(tmp_path: Path):
    spec = adapter.spec_from_deployable(_int8_deployable(tmp_path, {"rule": "argmax"}, "", n_classes=3), tmp_path)
    assert spec.n_outputs == 3 and spec.positive_threshold is None
    assert spec.classes_from_raw(np.array([[1, 5, 2], [9, 0, 9]])).tolist() == [1, 0]


def test_adapter_calls_the_class_only_entry_point_when_the_header_declares_it(tmp_path: Path):
    plain = adapter.spec_from_deployable(_int8_deployable(tmp_path, {"rule": "argmax"}, ""), tmp_path)
    assert plain.class_fn is None and "tinyids_m_predict((const int8_t *)in, out)" in adapter.adapter_source(plain)
    dep = _int8_deployable(tmp_path, {"rule": "argmax"}, "int tinyids_m_predict_class(const int8_t *in);\n")
    spec = adapter.spec_from_deployable(dep, tmp_path)
    assert spec.class_fn == "tinyids_m_predict_class"
    assert "return tinyids_m_predict_class((const int8_t *)in);" in adapter.adapter_source(spec)


def test_header_interface_must_match_the_deployables_format(tmp_path: Path):
    dep = _int8_deployable(tmp_path, {"rule": "argmax"}, "")
    (tmp_path / "m.h").write_text("int m_predict(const float *x);\n")
    with pytest.raises(FirmwareError, match="tflite-int8 deployable"):
        adapter.spec_from_deployable(dep, tmp_path)


def test_fixtures_are_valid_deployables_with_their_reference_predictions(tmp_path: Path):
    from tinyids.study import deployable

    fixture.write_deployables(tmp_path, n=20)
    int8 = deployable.read(tmp_path / "fixture_int8.json")
    flt = deployable.read(tmp_path / "fixture_float.json")
    assert (int8.model["format"], flt.model["format"]) == ("tflite-int8", "c-float")
    x, y = int8.test_vectors()
    q = int8.input_quantization
    ref = fixture.int8_reference(adapter.ModelSpec("x", "int8", Path("x.h"), [], "f", 7, 2, input_scale=q["scale"],
                                                   input_zero_point=q["zero_point"]).encode(x))
    assert np.array_equal(int8.test_array("y_pred"), ref)
    assert int8.accuracy == pytest.approx(np.mean(ref == y)) == pytest.approx(0.9)
    assert np.array_equal(flt.test_array("y_pred"), fixture.float_reference(x))


def _spec(tmp_path: Path, name: str) -> adapter.ModelSpec:
    from tinyids.study import deployable

    return adapter.spec_from_deployable(deployable.read(tmp_path / f"{name}.json"), tmp_path)


def test_model_folder_holds_adapter_vectors_and_config(tmp_path: Path):
    fixture.write_deployables(tmp_path, n=12)
    spec = _spec(tmp_path, "fixture_int8")
    z = np.load(tmp_path / "fixture_int8.npz")
    folder = adapter.write_model_folder(spec, z["X_test"], z["y_test"], tmp_path / "folder")
    names = {p.name for p in folder.iterdir()}
    assert {"fixture_int8.c", "fixture_int8.h", "tinyids_adapter.c", "tinyids_vectors.c", "tinyids_model_config.h"} <= names
    config = (folder / "tinyids_model_config.h").read_text()
    assert "#define TINYIDS_N_VECTORS 12" in config and "#define TINYIDS_FEATURE_BYTES 1" in config
    assert "TINYIDS_FLASH" in (folder / "tinyids_vectors.c").read_text()
    assert "return tinyids_fixture_int8_predict(" in (folder / "tinyids_adapter.c").read_text()


def test_vectors_are_quantized_as_the_host_feeds_litert(tmp_path: Path):
    from tinyids.litert import Quantization

    fixture.write_deployables(tmp_path, n=5)
    spec = _spec(tmp_path, "fixture_int8")
    x = np.load(tmp_path / "fixture_int8.npz")["X_test"]
    expect = Quantization(fixture.IN_SCALE, fixture.IN_ZP).quantize(x, np.dtype(np.int8))
    assert np.array_equal(spec.encode(x), expect)


def test_label_count_mismatch_is_rejected(tmp_path: Path):
    fixture.write_deployables(tmp_path, n=5)
    spec = _spec(tmp_path, "fixture_float")
    with pytest.raises(FirmwareError, match="labels"):
        adapter.write_model_folder(spec, np.zeros((3, 7), np.float32), np.zeros(2), tmp_path / "f")


def test_load_model_rejects_test_vectors_that_do_not_match_the_deployable(tmp_path: Path):
    from tinyids.firmware import pipeline

    fixture.write_deployables(tmp_path, n=6)
    np.savez(tmp_path / "fixture_float.npz", X_test=np.zeros((6, 5), np.float32), y_test=np.zeros(6, np.int64))
    files = {k: str(tmp_path / f"fixture_float.{k}") for k in ("npz", "json", "c", "h")}
    with pytest.raises(FirmwareError, match="6 rows of 7 features"):
        pipeline.load_model(files, "fixture_float")
