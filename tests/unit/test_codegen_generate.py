"""The generator's contract: the C API and constants of the header, portability (no float in
the int8 path, no libc, weights in flash on AVR), errors that name what is unsupported, the
preprocessing from a Deployable's steps, and the workflow steps' reports."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tinyids import codegen
from tinyids.codegen import host, pipeline, synthetic
from tinyids.codegen.model import CodegenError
from tinyids.study import deployable
from tinyids.study.preprocessing import apply

STRICT = ["-Wall", "-Wextra", "-Werror", "-std=c99", "-pedantic"]


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    model = synthetic.cnn_model(3, 9, 6, 3, 2, 4, hidden=0)
    X = synthetic.features(3, 300, 9)
    tmp = tmp_path_factory.mktemp("cnn")
    (tmp / "cnn.tflite").write_bytes(synthetic.convert_int8(model, X[:100]))
    return tmp / "cnn.tflite", X[100:]


@pytest.fixture(scope="module")
def mlp(tmp_path_factory):
    model = synthetic.mlp_model(4, 7, (12,), 1)
    X = synthetic.features(4, 300, 7)
    tmp = tmp_path_factory.mktemp("mlp")
    (tmp / "mlp.tflite").write_bytes(synthetic.convert_int8(model, X[:100]))
    return tmp / "mlp.tflite", X[100:]


def test_header_declares_the_api_and_the_quantization_constants(cnn):
    g = codegen.generate(cnn[0], "idrissi2022_dedup_tMO")
    assert g.ident == "idrissi2022_dedup_tmo"
    h = g.header
    for decl in ("int tinyids_idrissi2022_dedup_tmo_predict(const int8_t *in, int8_t *out);",
                 "void tinyids_idrissi2022_dedup_tmo_quantize_input(const float *x, int8_t *q);",
                 "int tinyids_idrissi2022_dedup_tmo_predict_float(const float *x, int8_t *out);",
                 "int tinyids_idrissi2022_dedup_tmo_predict_class(const int8_t *in);"):
        assert decl in h
    for macro in ("INPUT_SIZE 9", "OUTPUT_SIZE 4", f"SCRATCH_BYTES {g.scratch_bytes}",
                  f"INPUT_ZERO_POINT {g.input_zero_point}", "OUTPUT_ZERO_POINT -128"):
        assert f"#define TINYIDS_IDRISSI2022_DEDUP_TMO_{macro}" in h
    assert '#include "idrissi2022_dedup_tMO.h"' in g.source
    assert g.operators == ["CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"]


def test_int8_path_has_no_float_no_malloc_and_only_stdint(cnn, mlp, tmp_path):
    for path in (cnn[0], mlp[0]):
        g = codegen.generate(path, "m")
        c_path, _ = codegen.write(g, tmp_path)
        # with the float API left out, the source builds with general-purpose registers only:
        # gcc refuses any float or double there (x86-64 -mgeneral-regs-only)
        host.compile_c([c_path], tmp_path / "m.o", flags=(*STRICT, "-O2", "-DTINYIDS_INT8_ONLY", "-mgeneral-regs-only"),
                       include_dirs=[tmp_path], object_only=True)
        assert "malloc" not in g.source and "free(" not in g.source
        includes = re.findall(r"#\s*include\s*[<\"]([^>\"]+)", g.source)
        assert set(includes) <= {"stdint.h", "m.h", "avr/pgmspace.h", "pgmspace.h"}
        assert re.findall(r"#\s*include\s*[<\"]([^>\"]+)", g.header) == ["stdint.h"]
        # every constant array sits behind the flash macro
        assert all("TINYIDS_CONST" in line for line in g.source.splitlines() if line.startswith("static const"))


def test_scratch_is_ping_pong_of_the_largest_neighbouring_buffers(cnn):
    g = codegen.generate(cnn[0], "m")
    graph = codegen.load_graph(cnn[0])
    sizes = [graph.tensors[op.outputs[0]].size for op in graph.operators
             if op.name in ("CONV_2D", "MAX_POOL_2D", "FULLY_CONNECTED")]
    assert g.scratch_bytes == max(a + b for a, b in zip(sizes, sizes[1:]))


def test_unsupported_operator_stops_generation_naming_it(tmp_path):
    import tf_keras as keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((6,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(2, activation="softmax")])
    flat = synthetic.convert_int8(model, synthetic.features(0, 50, 6))
    with pytest.raises(CodegenError, match=r"unsupported operator TANH"):
        codegen.generate(flat, "m")


def test_float_io_model_is_refused_with_the_conversion_to_use(tmp_path):
    import tensorflow as tf
    import tf_keras as keras

    model = keras.Sequential([keras.layers.Input((5,)), keras.layers.Dense(2, activation="softmax")])
    X = synthetic.features(0, 50, 5)
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([X[i:i + 1]] for i in range(50))
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with pytest.raises(CodegenError, match=r"FLOAT32.*inference_input_type=tf.int8"):
        codegen.generate(conv.convert(), "m")


def test_garbage_is_not_a_model():
    with pytest.raises(CodegenError):
        codegen.generate(b"\x00" * 64, "m")


def test_model_whose_output_is_a_reshape_copies_it_bit_exactly(tmp_path):
    import tf_keras as keras

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.layers.Input((8,)), keras.layers.Reshape((8, 1)),
                              keras.layers.Conv1D(3, 3, activation="relu"), keras.layers.Flatten()])
    X = synthetic.features(1, 400, 8)
    (tmp_path / "r.tflite").write_bytes(synthetic.convert_int8(model, X[:100]))
    g = codegen.generate(tmp_path / "r.tflite", "r")
    c_path, _ = codegen.write(g, tmp_path)
    report = host.parity(c_path, "r", g.ident, tmp_path / "r.tflite", X[100:])
    assert report["bit_exact"], report


def _preprocess_rows(tmp: Path, c_path: Path, ident: str, raw: np.ndarray) -> np.ndarray:
    """Run the generated preprocess() over float32 rows (binary in, binary out)."""
    M = ident.upper()
    main = (f'#include <stdio.h>\n#include "{c_path.stem}.h"\n'
            "int main(int argc, char **argv)\n{\n"
            f"    float r[TINYIDS_{M}_RAW_SIZE], x[TINYIDS_{M}_INPUT_SIZE];\n"
            '    FILE *f = fopen(argv[1], "rb"), *g = fopen(argv[2], "wb");\n'
            "    (void)argc;\n"
            f"    while (fread(r, sizeof(float), TINYIDS_{M}_RAW_SIZE, f) == TINYIDS_{M}_RAW_SIZE) {{\n"
            f"        tinyids_{ident}_preprocess(r, x);\n"
            f"        fwrite(x, sizeof(float), TINYIDS_{M}_INPUT_SIZE, g);\n    }}\n"
            "    fclose(f);\n    fclose(g);\n    return 0;\n}\n")
    (tmp / "main.c").write_text(main)
    exe = host.compile_c([tmp / "main.c", c_path], tmp / "pre", flags=(*STRICT, "-O2"),
                         include_dirs=[c_path.parent], libs=["-lm"])
    raw = np.ascontiguousarray(raw, dtype=np.float32)
    (tmp / "raw.bin").write_bytes(raw.tobytes())
    host.run_tool([str(exe), str(tmp / "raw.bin"), str(tmp / "x.bin")])
    return np.frombuffer((tmp / "x.bin").read_bytes(), dtype=np.float32).reshape(len(raw), -1)


def test_preprocess_minmax_then_pca_matches_the_host_reference(mlp, tmp_path):
    rng = np.random.default_rng(0)
    scale, mn = rng.uniform(0.1, 2.0, 10), rng.normal(size=10)
    mean, comp = rng.normal(size=10), rng.normal(size=(7, 10))
    steps = [{"op": "minmax", "scale": scale.tolist(), "min": mn.tolist()},
             {"op": "pca", "mean": mean.tolist(), "components": comp.tolist()}]
    dep = synthetic.deployable(mlp[0], "p", steps=steps, n_raw=10, probability=0.4)
    g = codegen.generate(mlp[0], "p", dep)
    assert "PCA" in g.preprocessing and "#define TINYIDS_P_RAW_SIZE 10" in g.header
    c_path, _ = codegen.write(g, tmp_path)
    raw = rng.normal(size=(20, 10)).astype(np.float32)
    got = _preprocess_rows(tmp_path, c_path, g.ident, raw)
    want = apply(steps, raw)
    # the PCA sums run in index order, numpy's matmul in its own: both are float32 sums of 10
    # terms, within 10 eps32 of the sum of |terms| of each other
    x = apply(steps[:1], raw)
    bound = 10 * np.finfo(np.float32).eps * (np.abs(x - mean.astype(np.float32)) @ np.abs(comp.astype(np.float32)).T)
    assert np.all(np.abs(got - want) <= bound + 1e-30)
    # the deployable's decision.int8 decides the class of a one-output model
    assert g.positive_threshold == dep.decision["int8"]
    assert f"#define TINYIDS_P_POSITIVE_THRESHOLD {dep.decision['int8']}" in g.header


def test_preprocess_l2_then_selection_matches_the_host_reference(cnn, tmp_path):
    sel = [0, 2, 3, 5, 8, 9, 11, 12, 15]
    steps = [{"op": "l2"}, {"op": "select", "indices": sel}]
    dep = synthetic.deployable(cnn[0], "q", steps=steps, n_raw=16)
    g = codegen.generate(cnn[0], "q", dep)
    c_path, _ = codegen.write(g, tmp_path)
    rng = np.random.default_rng(1)
    raw = (np.abs(rng.normal(size=(10, 16))) * rng.uniform(0.1, 1e4, size=(10, 1))).astype(np.float32)
    raw[0] = 0.0
    got = _preprocess_rows(tmp_path, c_path, g.ident, raw)
    want = apply(steps, raw)
    np.testing.assert_array_equal(got[0], 0.0)  # an all-zero row stays zero
    # the sum of 16 squares in index order (numpy sums pairwise) and a Newton square root
    # within one ulp: each output within (16 / 2 + 2) eps32 of the reference, relatively
    np.testing.assert_allclose(got, want, rtol=10 * np.finfo(np.float32).eps, atol=0)


@pytest.mark.parametrize("target", ["avr_atmega328p", "cortex_m7"])
def test_cross_compiles_strictly_with_weights_in_flash(cnn, tmp_path, target):
    compiler, size_tool, flags = host.CROSS_TARGETS[target]
    if shutil.which(compiler) is None:
        pytest.fail(f"{compiler} is not installed (Debian: gcc-avr avr-libc / gcc-arm-none-eabi; "
                    "tools/setup.sh installs them)")
    g = codegen.generate(cnn[0], "x")
    c_path, _ = codegen.write(g, tmp_path)
    sizes = host.object_sizes(c_path)[target]
    assert sizes["available"]
    assert sizes["data"] == 0, "constant arrays must not be copied to RAM"
    assert sizes["bss"] == g.scratch_bytes


def test_pipeline_steps_write_reports_and_fail_on_mismatch(mlp, tmp_path):
    tfl, X = mlp
    deploy = tmp_path / "results" / "toy" / "deploy"
    out = tmp_path / "results" / "toy" / "codegen"
    deploy.mkdir(parents=True)
    shutil.copy(tfl, deploy / "toy_m.tflite")
    y = np.zeros(len(X), np.int64)
    np.savez(deploy / "toy_m.npz", X_test=X, y_test=y)
    deployable.write(synthetic.deployable(tfl, "toy_m", study="toy"), deploy / "toy_m.json")
    info = pipeline.generate_files(deploy / "toy_m.tflite", deploy / "toy_m.json", out / "toy_m.c",
                                   out / "toy_m.h", out / "toy_m_codegen.json")
    assert info["api"]["predict"] == "int tinyids_toy_m_predict(const int8_t *in, int8_t *out)"
    par = pipeline.parity_report(out / "toy_m.c", deploy / "toy_m.tflite", deploy / "toy_m.npz",
                                 out / "toy_m_parity.json")
    assert par["rows"] == len(X) and par["mismatching_outputs"] == 0 and par["class_agreement"] == 1.0
    assert {"rows", "mismatching_outputs", "max_abs_diff", "class_agreement"} <= set(
        json.loads((out / "toy_m_parity.json").read_text()))
    bench = pipeline.benchmark_report(out / "toy_m.c", deploy / "toy_m.tflite", deploy / "toy_m.npz",
                                      out / "toy_m_benchmark.json", rows=50, repeats=1)
    assert bench["c_ns_per_sample"] > 0 and bench["ratio_c_over_litert_reference"] > 0
    assert bench["sizes"]["host"]["text"] > 0 and bench["tflite_bytes"] == tfl.stat().st_size
    pipeline.summarize([("toy", "toy_m")], tmp_path / "results", tmp_path / "summary.csv")
    import pandas as pd

    row = pd.read_csv(tmp_path / "summary.csv").iloc[0]
    assert row["model"] == "toy_m" and bool(row["bit_exact"])

    # a corrupted weight is caught: the report is written, then the step fails
    src = (out / "toy_m.c").read_text()
    # (a weight array of the reference kernels, or the first literal weight of the fast kernels)
    m = (re.search(r"(/\* FULLY_CONNECTED \d+ weights[^\n]*\nstatic const int8_t \w+\[\d+\] TINYIDS_CONST = \{\n    )(-?\d+)", src)
         or re.search(r"(\(int32_t\)\()(-?\d+)(?= \* x\[)", src))
    bad = src[:m.start(2)] + str((int(m.group(2)) + 77) % 127) + src[m.end(2):]
    (out / "toy_m.c").write_text(bad)
    with pytest.raises(CodegenError, match="not bit-exact"):
        pipeline.parity_report(out / "toy_m.c", deploy / "toy_m.tflite", deploy / "toy_m.npz",
                               out / "toy_m_parity.json")
    assert json.loads((out / "toy_m_parity.json").read_text())["mismatching_outputs"] > 0


def test_generate_files_reads_only_a_valid_deployable_naming_the_file(mlp, tmp_path):
    from tinyids.study.deployable import DeployableError

    tfl, _ = mlp
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(tfl, deploy / "m.tflite")
    out = tmp_path / "codegen"
    # the shape the studies wrote before the contract: prose preprocessing, no typed steps
    (deploy / "m.json").write_text(json.dumps({"class_names": ["normal", "attack"], "preprocessing": {
        "scaling": "x / ||x||_2 over the features"}}))
    with pytest.raises(DeployableError, match=r"m\.json: not a valid deployable"):
        pipeline.generate_files(deploy / "m.tflite", deploy / "m.json", out / "m.c", out / "m.h", out / "m_codegen.json")
    # a Deployable whose model.file is another model
    deployable.write(synthetic.deployable(tfl, "other"), deploy / "other.json")
    with pytest.raises(CodegenError, match=r"other\.json: model\.file is .*other\.tflite, but the model given is .*m\.tflite"):
        pipeline.generate_files(deploy / "m.tflite", deploy / "other.json", out / "m.c", out / "m.h", out / "m_codegen.json")
    assert not out.exists()
