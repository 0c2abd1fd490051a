"""LiteRT's default CPU path run natively through its C API (tinyids/codegen/litert_native.c):
on small random int8 models its outputs equal LiteRT Python's on every row, its timing is a
positive number (no assertion on speed), and a failing LiteRt call is reported by name."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tinyids.codegen import litert_native, synthetic
from tinyids.litert import input_quantization, make_interpreter, run_raw

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("litert-native")
    X = synthetic.features(11, 260, 9)
    out = {}
    # an MLP with one sigmoid output (as srm2025's tiny NN), a Conv1D CNN with a softmax (as tMOP)
    for name, model in (("mlp_sigmoid", synthetic.mlp_model(11, 9, (12,), 1)),
                        ("cnn", synthetic.cnn_model(13, 9, 4, 3, 2, 3, hidden=8))):
        path = tmp / f"{name}.tflite"
        path.write_bytes(synthetic.convert_int8(model, X[:60]))
        out[name] = path
    # saturated and zero rows too
    rows = np.concatenate([X[60:], np.full((1, 9), 1e3, np.float32), np.full((1, 9), -1e3, np.float32),
                           np.zeros((1, 9), np.float32)])
    return out, rows


@pytest.mark.parametrize("name", ["mlp_sigmoid", "cnn"])
def test_native_outputs_equal_litert_python_on_every_row(models, name):
    paths, X = models
    interp = make_interpreter(paths[name])
    xq = input_quantization(interp).quantize(X)
    res = litert_native.run(paths[name], xq, repeats=2)
    expected = run_raw(interp, xq).reshape(len(xq), -1).astype(np.int8)
    assert res["outputs"].dtype == np.int8
    assert res["outputs"].shape == expected.shape == (len(X), expected.shape[1])
    assert np.array_equal(res["outputs"], expected)
    assert res["rows"] == len(X) and res["repeats"] == 2
    assert res["ns_per_sample"] > 0 and res["run_median_ns"] > 0
    assert res["version"] == litert_native.library_version() and res["version"] in res["how"]
    assert "LiteRtRunCompiledModel" in res["how"]


def test_library_is_the_wheels(models):
    assert (litert_native.library_dir() / "libLiteRt.so").is_file()


def test_a_failing_litert_call_names_the_model_and_the_call(tmp_path, models):
    bad = tmp_path / "broken.tflite"
    bad.write_bytes(b"not a flatbuffer at all" * 8)
    with pytest.raises(litert_native.LiteRtNativeError, match=r"broken\.tflite.*LiteRtCreateModelFromFile.*status"):
        litert_native.run(bad, np.zeros((2, 9), np.int8), repeats=1)


def test_rows_of_the_wrong_width_are_refused(models):
    paths, _ = models
    with pytest.raises(litert_native.LiteRtNativeError, match="whole number|takes 9"):
        litert_native.run(paths["mlp_sigmoid"], np.zeros((3, 4), np.int8), repeats=1)


def test_float_rows_are_refused(models):
    paths, _ = models
    with pytest.raises(litert_native.LiteRtNativeError, match="int8"):
        litert_native.run(paths["mlp_sigmoid"], np.zeros((3, 9), np.float32), repeats=1)


def test_benchmark_table_reports_the_native_ratio(tmp_path):
    import json

    import pandas as pd

    from tinyids.codegen import pipeline

    base = {"rows": 50, "variant": "fast", "c_fast_ns_per_sample": 200.0, "c_class_ns_per_sample": 100.0,
            "c_reference_ns_per_sample": 400.0, "ratio_reference_over_fast": 2.0,
            "litert_default_invoke_ns": 1500.0, "litert_reference_invoke_ns": 1200.0,
            "c_timing": "predict()", "c_compiler": "gcc -O3", "litert_timing": "invoke()"}
    native = {"litert_native_default_ns": 2500.0, "litert_native_default_run_ns": 2400.0,
              "litert_native_timing": "LiteRT C API", "litert_native_compiler": "gcc -O2",
              "litert_native_version": "2.3.0"}
    for name, extra in (("new", native), ("old", {})):  # a benchmark made before the native timing
        d = tmp_path / "results" / "toy" / "codegen"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{name}_benchmark.json").write_text(json.dumps({**base, **extra}))
    pipeline.benchmark_table([("toy", "new"), ("toy", "old")], tmp_path / "results", tmp_path / "b.csv")
    frame = pd.read_csv(tmp_path / "b.csv")
    assert list(frame.columns) == pipeline.BENCHMARK_COLUMNS
    new, old = frame.iloc[0], frame.iloc[1]
    assert new["litert_native_default_ns"] == 2500.0
    assert new["ratio_litert_native_default_over_fast_class"] == pytest.approx(25.0)
    assert new["ratio_litert_native_default_over_fast"] == pytest.approx(12.5)
    assert "LiteRT native: LiteRT C API" in new["timing"]
    assert pd.isna(old["litert_native_default_ns"]) and pd.isna(old["ratio_litert_native_default_over_fast_class"])
