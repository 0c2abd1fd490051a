"""A fourth, toy study plugs into the shared stages by filling the contract alone.

The study lives entirely in this file: a small dataset, a Keras MLP converted to full int8, a
Deployable whose preprocessing is ``offset_scale`` then ``select``, and two ComparisonRows. It
then goes through the code generator (bit-exact parity with LiteRT), a PlatformIO build for the
Arduino Uno run under simavr, and the scorecard, calling only the shared stages' public
functions: nothing in codegen, firmware or report knows this study exists.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import numpy as np
import pytest

import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
from tinyids import compress
from tinyids.config import load_config
from tinyids.study import comparison, deployable, preprocessing

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
STUDY, NAME = "toystudy", "toy_mlp"


def _toy_data(seed: int = 7) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Two Gaussian classes in 3 of 5 raw features (2 are noise), raw units far from [0, 1]."""
    rng = np.random.default_rng(seed)
    n = 400
    y = rng.integers(0, 2, size=n)
    x = rng.normal(size=(n, 5)) * np.array([50.0, 3.0, 1000.0, 0.2, 7.0]) + np.array([100.0, -4.0, 5000.0, 0.0, 1.0])
    x[:, 0] += y * 80.0
    x[:, 2] += y * 1500.0
    x[:, 4] -= y * 9.0
    return x.astype(np.float32), y.astype(np.int64), ["bytes", "noise_a", "duration_ms", "noise_b", "ttl"]


@pytest.fixture(scope="module")
def toy_study(tmp_path_factory) -> Path:
    """What a study does: fit its preprocessing on training rows, train, convert, hand over."""
    import tf_keras as keras

    results = tmp_path_factory.mktemp("toy") / "results"
    deploy = results / STUDY / "deploy"
    deploy.mkdir(parents=True)
    x, y, raw_names = _toy_data()
    train, test = slice(0, 300), slice(300, None)
    lo, hi = x[train].min(axis=0), x[train].max(axis=0)
    steps = [{"op": "offset_scale", "min": lo.tolist(), "scale": (1.0 / (hi - lo)).tolist()},
             {"op": "select", "indices": [0, 2, 4]}]
    xm = preprocessing.apply(steps, x)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    model.fit(xm[train], y[train], epochs=30, batch_size=32, verbose=0)
    tflite = compress.to_tflite_int8(model, xm[train], n_samples=200)
    (deploy / f"{NAME}.tflite").write_bytes(tflite)

    from tinyids.litert import input_quantization, make_interpreter, output_quantization, predict_float_features

    interp = make_interpreter(tflite)
    pred = np.argmax(predict_float_features(interp, xm[test]), axis=1)
    iq, oq = input_quantization(interp), output_quantization(interp)
    np.savez(deploy / f"{NAME}.npz", X_test=xm[test], y_test=y[test], X_raw=x[test])
    dep = deployable.Deployable.create(
        name=NAME, study=STUDY, protocol="holdout", variant="mlp6", seed=0, class_names=["normal", "attack"],
        raw_feature_names=raw_names, feature_names=[raw_names[i] for i in (0, 2, 4)], model_format="tflite-int8",
        input_quantization=deployable.quantization(iq.scale, iq.zero_point),
        output_quantization=deployable.quantization(oq.scale, oq.zero_point),
        decision={"rule": "argmax"}, test_rows=int(len(pred)),
        metrics={"accuracy": float(np.mean(pred == y[test]))}, steps=steps, has_raw=True,
        description="a toy study: min-max by hand, then three of five features",
    )
    deployable.write(dep, deploy / f"{NAME}.json")
    comparison.write([
        {"study": STUDY, "table": "Table 1", "quantity": "accuracy", "unit": "fraction", "protocol": "holdout",
         "model": "mlp6", "paper_value": 0.95, "our_value": dep.accuracy, "our_sd": float("nan"), "n_runs": 1,
         "citation": "Toy et al., a paper that does not exist, Table 1"},
        {"study": STUDY, "table": "Table 2", "quantity": "model size (bytes)", "unit": "B", "protocol": "holdout",
         "model": "mlp6", "paper_value": 4000, "our_value": len(tflite), "our_sd": float("nan"), "n_runs": 1,
         "citation": "Toy et al., a paper that does not exist, Table 2"},
    ], results / STUDY / "paper_comparison.csv")
    return results


def test_toy_deployable_learned_its_task_and_validates(toy_study):
    dep = deployable.read(toy_study / STUDY / "deploy" / f"{NAME}.json")
    assert dep.accuracy > 0.9
    x, _ = dep.test_vectors()
    np.testing.assert_array_equal(preprocessing.apply(dep.steps, dep.test_array("X_raw")), x)


def test_toy_study_flows_through_codegen_bit_exact(toy_study, tmp_path):
    from tinyids.codegen import pipeline

    deploy = toy_study / STUDY / "deploy"
    out = toy_study / STUDY / "codegen"
    out.mkdir(exist_ok=True)
    pipeline.generate_files(deploy / f"{NAME}.tflite", deploy / f"{NAME}.json", out / f"{NAME}.c",
                            out / f"{NAME}.h", out / f"{NAME}_codegen.json")
    report = pipeline.parity_report(out / f"{NAME}.c", deploy / f"{NAME}.tflite", deploy / f"{NAME}.npz",
                                    out / f"{NAME}_parity.json")
    assert report["bit_exact"] and report["rows"] == 100 and report["mismatching_outputs"] == 0


def test_toy_study_builds_for_the_uno_and_matches_the_host_under_simavr(toy_study):
    from tinyids.firmware import pipeline as fwp

    if shutil.which("avr-gcc") is None or shutil.which("simavr") is None:
        pytest.fail("avr-gcc / simavr missing: apt-get install gcc-avr avr-libc simavr (tools/apt-packages.txt)")
    fw = copy.deepcopy(load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["firmware"])
    fw.update(build_root=str(toy_study.parent / "builds"), core_dir=str(REPO / "firmware/.platformio"),
              project_dir=str(REPO / "firmware"), fit_boards=["uno"], emulation_boards=["uno"])
    fw["emulation"].update(vectors=40, timeout_s=120)
    ref = f"{STUDY}/{NAME}"
    files = fwp.deployable_inputs(ref, fw, results=str(toy_study))
    if not Path(files["c"]).is_file():
        from tinyids.codegen import pipeline

        deploy = toy_study / STUDY / "deploy"
        Path(files["c"]).parent.mkdir(parents=True, exist_ok=True)
        pipeline.generate_files(deploy / f"{NAME}.tflite", deploy / f"{NAME}.json", Path(files["c"]), Path(files["h"]),
                                Path(files["c"]).with_name(f"{NAME}_codegen.json"))
    with open(toy_study.parent / "fw.log", "w") as log:
        built = fwp.build_model(ref, files, fw, log)
        uno = {r["board"]: r for r in built["builds"]}["uno"]
        assert uno["status"] == "built", uno["reason"]
        emulated = fwp.emulate_model(ref, files, built, fw, 0, log)
    row = {r["board"]: r for r in emulated["boards"]}["uno"]
    assert row["status"] == "ok", row["reason"]
    assert row["vectors"] == 40 and row["mismatches"] == 0
    assert emulated["host_vs_litert_mismatches"] == 0


def test_toy_study_comparisons_reach_the_scorecard(toy_study):
    from tinyids.report.scorecard import build_scorecard

    tolerances = load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["report"]["tolerances"]
    card = build_scorecard([comparison.read(toy_study / STUDY / "paper_comparison.csv")], tolerances)
    assert list(card["study"]) == [STUDY, STUDY]
    assert set(card["table"]) == {"Table 1", "Table 2"}
    assert card["verdict"].notna().all() and (card["verdict"] != "").all()
