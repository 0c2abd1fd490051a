"""`tinyids deploy` end to end: a user's model in, verified firmware and a fit table out.

Each accepted kind (a random int8 CNN and MLP from the codegen's random-model generator, a
scikit-learn random forest and logistic regression fitted here) goes through the real command
(``tinyids.cli.main``): Deployable, C, PlatformIO builds for the Uno and the Portenta H7, runs
under simavr and QEMU; the report's parity column (device vs host build) must be 0 on every
vector and the exit status 0. A model too large for the Uno exits 1 with a does-not-fit row
that says by how much; bad input (an unsupported operator, a float .tflite, a corrupt file)
exits 2 with one line naming the problem and writes nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joblib
import numpy as np
import pytest

import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
from tinyids.cli import main
from tinyids.codegen import synthetic

pytestmark = pytest.mark.slow
BOARDS = ["--board", "uno", "--board", "portenta_h7_m7"]
ROWS = 24  # vectors per model: enough to exercise every class path, seconds of emulation


@pytest.fixture(scope="module", autouse=True)
def _toolchains():
    missing = [t for t in ("avr-gcc", "simavr", "arm-none-eabi-gcc", "qemu-system-arm") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install tools/apt-packages.txt (tools/setup.sh)")


def _deploy(capsys, *args: str) -> tuple[int, dict | None, str]:
    rc = main(["deploy", *args, "--json"])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if out.strip() else None), err


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    """The models a user would bring, written as files (tflite bytes, joblib dumps) + vectors."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    d = tmp_path_factory.mktemp("byom")
    x = synthetic.features(3, 200, 10)
    cnn = synthetic.cnn_model(1, 10, filters=4, kernel=3, pool=2, classes=3, hidden=6)
    (d / "cnn.tflite").write_bytes(synthetic.convert_int8(cnn, x[:120]))
    mlp = synthetic.mlp_model(2, 10, hidden=(12, 8), classes=1)
    (d / "mlp.tflite").write_bytes(synthetic.convert_int8(mlp, x[:120]))
    # a Deployable-style npz (X_test / y_test) for the CNN: labels are class indices
    np.savez(d / "cnn_vectors.npz", X_test=x[120:120 + ROWS], y_test=np.arange(ROWS) % 3)

    rng = np.random.default_rng(0)
    xs = rng.random((300, 6)).astype(np.float32)  # features already in [0, 1]
    ys = np.where(xs[:, 0] + 0.5 * xs[:, 3] > 0.75, "attack", "normal")  # string labels, as users have
    joblib.dump(RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0).fit(xs[:200], ys[:200]), d / "rf.joblib")
    joblib.dump(LogisticRegression().fit(xs[:200], ys[:200]), d / "lr.joblib")
    np.savez(d / "sk_vectors.npz", X=xs[200:200 + ROWS], y=ys[200:200 + ROWS])
    return d


def _assert_matched_on_both_boards(report: dict, rows: int) -> None:
    by = {r["board"]: r for r in report["boards"]}
    assert list(by) == ["uno", "portenta_h7_m7"]
    for bid, r in by.items():
        assert r["build"] == "built" and r["fits"] == "yes", (bid, r)
        assert r["emulation"] == "ok", (bid, r["emulation_reason"])
        assert r["vectors"] == rows and r["device_vs_host_mismatches"] == 0, (bid, r)
        assert r["flash_bytes"] <= r["flash_budget_bytes"] and r["stack_bytes"] > 0
        assert Path(r["elf"]).is_file()
    assert by["uno"]["count_unit"] == "cycles"
    assert by["uno"]["latency_us_median"] == pytest.approx(by["uno"]["count_median"] / 16e6 * 1e6)
    assert by["portenta_h7_m7"]["count_unit"].startswith("instructions")
    assert by["portenta_h7_m7"]["latency_us_median"] is None  # QEMU counts instructions, not time
    assert report["exit_status"] == 0


def test_int8_cnn_from_the_random_generator_matches_on_uno_and_portenta(models, tmp_path, capsys):
    out = tmp_path / "cnn"
    rc, report, err = _deploy(capsys, str(models / "cnn.tflite"), "--vectors", str(models / "cnn_vectors.npz"),
                              *BOARDS, "--out", str(out))
    assert rc == 0, err
    _assert_matched_on_both_boards(report, ROWS)
    assert report["host_c_vs_reference_mismatches"] == 0 and report["codegen"]["host_c_vs_litert_bit_exact"]
    assert "CONV_2D" in report["codegen"]["operators"]
    assert report["labels"] and report["boards"][0]["device_accuracy"] is not None
    for f in ("cnn.json", "cnn.npz", "cnn.tflite", "c/cnn.c", "c/cnn.h", "elf/uno.elf", "report.json", "report.txt"):
        assert (out / f).is_file(), f
    assert "built firmware for uno" in err  # progress on stderr


def test_int8_mlp_without_vectors_runs_on_random_inputs_and_says_so(models, tmp_path, capsys):
    rc, report, err = _deploy(capsys, str(models / "mlp.tflite"), *BOARDS, "--random-vectors", str(ROWS),
                              "--out", str(tmp_path / "mlp"))
    assert rc == 0, err
    _assert_matched_on_both_boards(report, ROWS)
    assert not report["labels"] and report["boards"][0]["device_accuracy"] is None
    assert "random vectors" in report["vectors"] and "no --vectors given" in err


@pytest.mark.parametrize("kind", ["rf", "lr"])
def test_scikit_learn_model_matches_on_uno_and_portenta(models, tmp_path, capsys, kind):
    rc, report, err = _deploy(capsys, str(models / f"{kind}.joblib"), "--vectors", str(models / "sk_vectors.npz"),
                              *BOARDS, "--out", str(tmp_path / kind))
    assert rc == 0, err
    _assert_matched_on_both_boards(report, ROWS)
    assert report["kind"] == "sklearn" and report["host_c_vs_reference_mismatches"] == 0
    assert report["boards"][0]["device_accuracy"] > 0.7  # a learnable task, string labels mapped to classes_


def test_model_too_large_for_the_uno_exits_1_with_the_overshoot(tmp_path, capsys):
    big = synthetic.mlp_model(4, 40, hidden=(200, 150), classes=1)  # ~38 kB of int8 weights > 32 kB flash
    model = tmp_path / "big.tflite"
    model.write_bytes(synthetic.convert_int8(big, synthetic.features(4, 64, 40)))
    rc = main(["deploy", str(model), "--board", "uno", "--random-vectors", "4", "--out", str(tmp_path / "out")])
    table, _ = capsys.readouterr()
    assert rc == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    (uno,) = report["boards"]
    assert uno["fits"] == "no" and uno["flash_over_bytes"] > 38_000 - 32_768 - 1
    flash = uno["flash_bytes"] if uno["flash_bytes"] is not None else uno["flash_lower_bound_bytes"]
    assert uno["flash_over_bytes"] == flash - 32_768
    assert f"DOES NOT FIT: flash over by {uno['flash_over_bytes']} B" in table
    assert report["exit_status"] == 1


def _keras_dense(activation: str):
    import tf_keras as keras

    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(3, activation=activation),
                             keras.layers.Dense(1, activation="sigmoid")])


def _assert_one_line_error(capsys, args: list[str], *needles: str) -> None:
    rc = main(["deploy", *args])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tinyids: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_unsupported_operator_exits_2_naming_it_and_the_supported_ones(tmp_path, capsys):
    model = tmp_path / "tanh.tflite"
    model.write_bytes(synthetic.convert_int8(_keras_dense("tanh"), synthetic.features(0, 64, 4)))
    _assert_one_line_error(capsys, [str(model), "--out", str(tmp_path / "o")], "unsupported operator TANH",
                           "supported operators: FULLY_CONNECTED")
    assert not (tmp_path / "o").exists()


def test_float_tflite_exits_2_with_the_int8_conversion_hint(tmp_path, capsys):
    import tensorflow as tf

    model = tmp_path / "float.tflite"
    model.write_bytes(tf.lite.TFLiteConverter.from_keras_model(_keras_dense("relu")).convert())
    _assert_one_line_error(capsys, [str(model), "--out", str(tmp_path / "o")], "input float32",
                           "representative_dataset", "TFLITE_BUILTINS_INT8", "inference_input_type = tf.int8",
                           "inference_output_type = tf.int8")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("content,needle", [
    (b"\x00" * 4 + b"TFL3" + bytes(range(256)) * 4, "LiteRT cannot load the model"),  # damaged flatbuffer
    (bytes(range(256)) * 4, "not a TFLite flatbuffer"),  # not a model at all
])
def test_corrupt_tflite_exits_2_with_one_line(tmp_path, capsys, content, needle):
    model = tmp_path / "broken.tflite"
    model.write_bytes(content)
    _assert_one_line_error(capsys, [str(model), "--out", str(tmp_path / "o")], str(model), needle)
    assert not (tmp_path / "o").exists()


def test_corrupt_joblib_and_unsupported_estimator_exit_2(tmp_path, capsys):
    from sklearn.ensemble import GradientBoostingClassifier

    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a pickle at all")
    _assert_one_line_error(capsys, [str(junk)], "neither a TFLite flatbuffer nor a joblib file")
    gb = tmp_path / "gb.joblib"
    x = np.random.default_rng(0).random((40, 3))
    joblib.dump(GradientBoostingClassifier(n_estimators=2).fit(x, x[:, 0] > 0.5), gb)
    _assert_one_line_error(capsys, [str(gb)], "GradientBoostingClassifier is not exported", "RandomForestClassifier",
                           "full-int8 .tflite")


def test_bad_vectors_and_preprocessing_exit_2_naming_the_file(models, tmp_path, capsys):
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, X=np.zeros((3, 5), np.float32))
    _assert_one_line_error(capsys, [str(models / "rf.joblib"), "--vectors", str(wrong)], str(wrong),
                           "5 features per row, the model takes 6")
    steps = tmp_path / "steps.json"
    steps.write_text(json.dumps([{"op": "standard", "mean": [0.0] * 4, "scale": [1.0] * 4}]))
    _assert_one_line_error(capsys, [str(models / "rf.joblib"), "--preprocessing", str(steps)],
                           "map 4 raw features to 4, the model takes 6")
    _assert_one_line_error(capsys, [str(models / "rf.joblib"), "--board", "arduino_mega"],
                           "unknown board 'arduino_mega'", "uno, nodemcuv2")
    mine = tmp_path / "my_project"
    mine.mkdir()
    (mine / "notes.txt").write_text("a user's own file")
    _assert_one_line_error(capsys, [str(models / "rf.joblib"), "--out", str(mine)], "not empty")
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]  # nothing written, nothing removed


def test_help_names_the_inputs_the_boards_and_the_exit_statuses(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["deploy", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    for needle in ("MODEL", "--vectors", "--preprocessing", "--boards", "portenta_h7_m7", "Exit status",
                   "RandomForestClassifier", "full-int8", "tiny_nn_int8.tflite"):
        assert needle in out, needle
    from tinyids.codegen import SUPPORTED_OPS

    assert all(op in out for op in SUPPORTED_OPS)  # the help's operator list is the generator's


def test_preprocessing_steps_turn_raw_vectors_into_model_input_and_reach_the_generated_c(models, tmp_path):
    """--preprocessing with raw rows: the Deployable records the checked steps and X_raw, its
    X_test is the host reference of the steps, and the generated C gets the preprocess function
    (no board build: the firmware harness feeds model inputs, built above)."""
    from tinyids.codegen import pipeline as cgp
    from tinyids.deploy.run import Request, prepare, write_deployable
    from tinyids.study import deployable, preprocessing

    rng = np.random.default_rng(5)
    raw = (rng.normal(size=(ROWS, 10)) * 40 + 300).astype(np.float32)
    steps = [{"op": "standard", "mean": [300.0] * 10, "scale": [40.0] * 10}]
    (tmp_path / "steps.json").write_text(json.dumps({"steps": steps}))
    np.savez(tmp_path / "raw.npz", X=raw, y=np.arange(ROWS) % 3)
    req = Request(model=models / "cnn.tflite", vectors=tmp_path / "raw.npz", preprocessing=tmp_path / "steps.json",
                  out=tmp_path / "out", boards=["uno"])
    model, vec, got_steps, boards, _, out = prepare(req)
    files, _ = write_deployable(model, vec, got_steps, out, req)
    dep = deployable.read(files["json"])
    x, y = dep.test_vectors()
    np.testing.assert_array_equal(x, preprocessing.apply(steps, raw))
    np.testing.assert_array_equal(dep.test_array("X_raw"), raw)
    assert dep.steps == steps and dep.n_raw == 10 and list(y) == list(np.arange(ROWS) % 3)
    Path(files["c"]).parent.mkdir(parents=True)
    info = cgp.generate_files(Path(files["tflite"]), Path(files["json"]), Path(files["c"]), Path(files["h"]),
                              Path(files["c"]).with_name("cnn_codegen.json"))
    assert "preprocess" in info["api"]
