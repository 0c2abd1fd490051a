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


def test_binary_threshold_is_dequantized_half_or_the_header_macro(tmp_path: Path):
    spec = adapter.ModelSpec("m", "int8", Path("m.h"), [], "f", 7, 2, output_scale=1 / 256, output_zero_point=-128)
    # (q + 128) / 256 > 0.5  <=>  q >= 1
    assert spec.binary_threshold() == 1
    assert spec.classes_from_raw(np.array([[0], [1], [-5], [127]])).tolist() == [0, 1, 0, 1]
    (tmp_path / "m.h").write_text("#define TINYIDS_M_POSITIVE_THRESHOLD -3\n"
                                  "int tinyids_m_predict(const int8_t *in, int8_t *out);\n")
    (tmp_path / "m.json").write_text('{"quantization": {"input_scale": 0.1, "input_zero_point": 0, '
                                     '"output_scale": 0.00390625, "output_zero_point": -128, "n_outputs": 1}}')
    spec = adapter.spec_from_deployable("m", tmp_path, tmp_path / "m.json", n_features=3)
    assert spec.positive_threshold == -3 and spec.classes_from_raw(np.array([[-4], [-3]])).tolist() == [0, 1]


def test_model_folder_holds_adapter_vectors_and_config(tmp_path: Path):
    fixture.write_deployables(tmp_path, n=12)
    spec = adapter.spec_from_deployable("fixture_int8", tmp_path, tmp_path / "fixture_int8.json", n_features=7)
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
    spec = adapter.spec_from_deployable("fixture_int8", tmp_path, tmp_path / "fixture_int8.json", n_features=7)
    x = np.load(tmp_path / "fixture_int8.npz")["X_test"]
    expect = Quantization(fixture.IN_SCALE, fixture.IN_ZP).quantize(x, np.dtype(np.int8))
    assert np.array_equal(spec.encode(x), expect)


def test_label_count_mismatch_is_rejected(tmp_path: Path):
    fixture.write_deployables(tmp_path, n=5)
    spec = adapter.spec_from_deployable("fixture_float", tmp_path, tmp_path / "fixture_float.json", n_features=7)
    with pytest.raises(FirmwareError, match="labels"):
        adapter.write_model_folder(spec, np.zeros((3, 7), np.float32), np.zeros(2), tmp_path / "f")


def test_int8_model_without_quantization_source_is_rejected(tmp_path: Path):
    (tmp_path / "m.h").write_text("int tinyids_m_predict(const int8_t *in, int8_t *out);\n")
    with pytest.raises(FirmwareError, match="tflite"):
        adapter.spec_from_deployable("m", tmp_path, None, None, n_features=3)
