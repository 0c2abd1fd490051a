"""idrissi2022 quantization-robust variants, the paper's conversions and the ablation, on a real
5-class NSL-KDD stand-in (tinyids.idrissi2022.standin): the transform is fitted on training rows
only and survives the int8 input grid, the Deployable runs it from the raw vector, and every
ablation step is measured on the model it names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
from tinyids.errors import ConfigError, DataError
from tinyids.idrissi2022 import deploy, protocols, robust, standin
from tinyids.idrissi2022 import variants as idv
from tinyids.study import ablation, deployable, preprocessing

FEATURES = [("proto" if f == "logged_in" else f) for f in standin.FEATURES]
SPEC = {"name": "tMLP_robust", "model": "MLP", "hidden_units": [8], "compress": False, "qat_epochs": 0}
OPTIMIZE = {"learning_rate": 0.001, "steps_per_execution": 50, "prune": {"initial_sparsity": 0.0, "final_sparsity": 0.5, "epochs": 1, "frequency": 2},
            "cluster": {"number_of_clusters": 4, "init": "kmeans_plus_plus", "preserve_sparsity": True, "epochs": 0}}
CFG = {"train": {"epochs": 3, "batch_size": 32, "learning_rate": 0.01, "jit_compile": True, "steps_per_execution": 50},
       "qat_learning_rate": 0.001,
       "representative_samples": 100, "clip_percentile": None, "variants": [SPEC], "deployables": ["tMLP_robust"]}


@pytest.fixture(scope="module")
def frame(standin_uniflow_frame) -> pd.DataFrame:
    return standin_uniflow_frame.copy()


@pytest.fixture(scope="module")
def prepared(standin_uniflow_prepared) -> protocols.Prepared:
    return standin_uniflow_prepared


@pytest.fixture(scope="module")
def raw(frame, prepared) -> dict[str, np.ndarray]:
    return robust.raw_splits(frame, prepared, source="standin")


@pytest.fixture(scope="module")
def trained(raw, prepared, tmp_path_factory):
    steps = robust.fit_steps(raw["train"])
    x = {s: robust.transform(steps, raw[s]) for s in robust.SPLITS}
    y = {s: getattr(prepared, f"y_{s}") for s in robust.SPLITS}
    arch = {"POM": {"filters": 4, "kernel_size": 3, "pool_size": 2}}
    net, _, flatbuffer, info = robust.train(SPEC, x, y, n_classes=len(standin.CLASSES), cfg=CFG, architecture=arch,
                                            seed=0)
    d = tmp_path_factory.mktemp("robust")
    from tinyids.idrissi2022 import models

    models.save(net, d / "m.h5")
    (d / "m.tflite").write_bytes(flatbuffer)
    (d / "m_dynamic.tflite").write_bytes(robust.to_tflite_dynamic(net))
    return {"steps": steps, "x": x, "y": y, "dir": d, "info": info}


def test_raw_splits_are_the_runs_own_rows_and_a_different_table_is_an_error_naming_it(frame, prepared, raw):
    for split in robust.SPLITS:
        assert np.allclose(protocols.unit_normalize(raw[split]), getattr(prepared, f"x_{split}"), atol=1e-6)
    shuffled = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    with pytest.raises(DataError, match="other.parquet: its train rows are not the ones"):
        robust.raw_splits(shuffled, prepared, source="other.parquet")


def test_transform_is_fitted_on_training_rows_only_and_spans_the_int8_grid(raw):
    steps = robust.fit_steps(raw["train"])
    assert [s["op"] for s in steps] == ["log1p", "offset_scale"]
    preprocessing.check_steps(steps, len(FEATURES), len(FEATURES))
    x_train = robust.transform(steps, raw["train"])
    varying = raw["train"].max(axis=0) > raw["train"].min(axis=0)
    assert np.allclose(x_train[:, varying].min(axis=0), 0, atol=1e-6)
    assert np.allclose(x_train[:, varying].max(axis=0), 1, atol=1e-6)
    # the test rows do not move the constants: refitting with different test rows gives the same steps
    assert robust.fit_steps(raw["train"]) == steps
    # the robust inputs lose far fewer non-zero values to the int8 zero point than the unit norm
    unit = protocols.unit_normalize(raw["test"])
    share = lambda x: np.nanmean([r["share_to_zero_point"] for r in ablation.zero_point_share(  # noqa: E731
        x, (x.max() - x.min()) / 255, -128, FEATURES)])
    assert share(robust.transform(steps, raw["test"])) < share(unit)


def test_mlp_without_hidden_units_and_unknown_deployables_are_config_errors():
    cfg = {"variants": [{"name": "tMLP_robust", "model": "MLP", "compress": False, "qat_epochs": 0}]}
    with pytest.raises(ConfigError, match=r"robust.variants\[0\] \(tMLP_robust\): an MLP needs hidden_units"):
        robust.variant_spec(cfg, "tMLP_robust")
    with pytest.raises(ConfigError, match="has no 'nope'"):
        robust.variant_spec(CFG, "nope")
    with pytest.raises(ConfigError, match=r"robust.deployables: \['tX_robust'\] are not in robust.variants"):
        idv.robust_deploy_names(["paper"], ["tX_robust"], ["tMLP_robust"], "dedup")
    assert idv.robust_deploy_names(["paper", "dedup"], ["tMLP_robust"], ["tMLP_robust"], "dedup") == [
        "tMLP_robust_paper", "tMLP_robust"]


def test_robust_deployable_runs_its_transform_from_the_raw_vector(trained, raw, prepared, tmp_path):
    from tinyids.idrissi2022.evaluation import predict_tflite

    d = trained["dir"]
    x_test, y_test = trained["x"]["test"], trained["y"]["test"]
    import json

    np.savez(tmp_path / "r.npz", x_test=x_test, y_test=y_test, x_raw_test=raw["test"].astype(np.float32),
             steps=np.array(json.dumps(trained["steps"])))
    acc = float(np.mean(predict_tflite(d / "m.tflite", x_test[..., None]) == y_test))
    dep = deploy.write_robust(name="tMLP_robust", tflite_file=d / "m.tflite", robust_npz=tmp_path / "r.npz",
                              prepared=prepared, variant="tMLP_robust", protocol="dedup", seed=3,
                              metrics={"accuracy": acc}, float_metrics={"accuracy": acc},
                              out_tflite=tmp_path / "tMLP_robust.tflite", out_npz=tmp_path / "tMLP_robust.npz",
                              out_json=tmp_path / "tMLP_robust.json")
    dep = deployable.read(tmp_path / "tMLP_robust.json")
    assert [s["op"] for s in dep.steps] == ["encode", "log1p", "offset_scale"]
    assert dep.doc["test_vectors"]["has_raw"] is True
    x_raw = dep.test_array("X_raw")
    stored, y = dep.test_vectors()
    assert np.array_equal(y, y_test)
    assert np.allclose(preprocessing.apply(dep.steps, x_raw), stored, rtol=0, atol=1e-6)
    assert dep.accuracy == acc and dep.input_quantization["zero_point"] == -128


def test_ablation_measures_each_step_on_the_model_it_names(trained):
    from tinyids.idrissi2022 import steps
    from tinyids.idrissi2022.evaluation import predict_tflite

    d = trained["dir"]
    x, y = trained["x"]["test"], trained["y"]["test"]
    keys = {"study": "idrissi2022", "protocol": "dedup", "run": 3, "model": "tMLP_robust", "test_set": "test"}
    row, zp = steps._ablate(keys, x, y, FEATURES, float_model=str(d / "m.h5"), compressed_model=None,
                            dynamic=str(d / "m_dynamic.tflite"), int8=str(d / "m.tflite"))
    assert set(ablation.COLUMNS) <= set(row)
    assert row["accuracy_full_int8"] == pytest.approx(np.mean(predict_tflite(d / "m.tflite", x[..., None]) == y))
    assert np.isnan(row["accuracy_compressed_float"]) and np.isnan(row["bytes_compressed_float"])
    assert row["bytes_full_int8"] == (d / "m.tflite").stat().st_size
    assert [r["feature"] for r in zp] == FEATURES
    assert all(0 <= r["share_to_zero_point"] <= 1 for r in zp if r["nonzero_values"])


def test_conversion_variants_are_named_after_the_full_int8_ones_and_evaluated_beside_them():
    assert idv.conversion_variants(["OM", "tMO", "tMOP"]) == ["tMO_float", "tMO_dynamic", "tMOP_float", "tMOP_dynamic"]
    assert idv.conversion_variants(["OM", "tM"]) == []
    assert idv.conversion_of("tMOP_dynamic") == ("tMOP", "dynamic") and idv.conversion_of("tMO") == ("tMO", "int8")
    files = idv.eval_files("run", ["tMOP"])
    assert files["tMOP_float"] == {"keras": "run/variants/tMOP.h5", "tflite": "run/variants/tMOP_float.tflite"}
    from tinyids.idrissi2022.evaluation import variant_features

    assert variant_features("tMOP_dynamic") == "selected" and variant_features("tMO_float") == "all"


def test_dynamic_range_conversion_keeps_float_io_and_matches_the_float_model(trained):
    from tinyids.idrissi2022 import models
    from tinyids.idrissi2022.evaluation import tflite_io, tflite_outputs

    d = trained["dir"]
    assert tflite_io(d / "m_dynamic.tflite") == {"input_dtype": "float32", "output_dtype": "float32"}
    x = trained["x"]["test"]
    keras_pred = models.predict_classes(models.load(d / "m.h5"), x)
    dyn_pred = np.argmax(tflite_outputs(d / "m_dynamic.tflite", x[..., None]), axis=1)
    assert np.mean(keras_pred == dyn_pred) >= 0.95


def test_compressed_qat_variant_prunes_clusters_and_fine_tunes_before_the_int8_conversion(raw, prepared):
    from tinyids.idrissi2022.evaluation import tflite_io

    steps = robust.fit_steps(raw["train"])
    x = {s: robust.transform(steps, raw[s]) for s in robust.SPLITS}
    y = {s: getattr(prepared, f"y_{s}") for s in robust.SPLITS}
    spec = {"name": "tMO_robust_QAT", "model": "POM", "compress": True, "qat_epochs": 1}
    cfg = {**CFG, "train": {**CFG["train"], "epochs": 1}, "clip_percentile": 1.0}
    arch = {"POM": {"filters": 4, "kernel_size": 3, "pool_size": 2}}
    with pytest.raises(ConfigError, match="compress needs the idrissi2022.optimize block"):
        robust.train(spec, x, y, n_classes=len(standin.CLASSES), cfg=cfg, architecture=arch, seed=0)
    _, compressed, flatbuffer, info = robust.train(spec, x, y, n_classes=len(standin.CLASSES), cfg=cfg,
                                                   architecture=arch, seed=0, optimize=OPTIMIZE)
    assert info["steps"] == ["float_train", "prune", "cluster", "qat", "int8_from_qat"]
    assert info["clip_percentile"] == 1.0 and compressed is not None and info["weight_sparsity"] >= 0.3
    assert tflite_io(flatbuffer) == {"input_dtype": "int8", "output_dtype": "int8"}
    clipped = robust.calibration_rows(x["train"], 1.0)
    assert (clipped.max(axis=0) <= np.percentile(x["train"], 99.0, axis=0) + 1e-6).all()


def test_a_robust_variant_without_compress_or_with_a_paper_name_is_refused_naming_its_key():
    import copy
    from pathlib import Path

    import yaml

    from tinyids.config import validate_config

    repo = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    bad = copy.deepcopy(config)
    del bad["idrissi2022"]["robust"]["variants"][0]["compress"]
    with pytest.raises(ConfigError, match=r"idrissi2022.robust.variants.0: 'compress' is a required property"):
        validate_config(bad, repo / "config" / "schemas")
    bad = copy.deepcopy(config)
    bad["idrissi2022"]["robust"]["variants"][0]["name"] = "tMO"
    with pytest.raises(ConfigError, match=r"idrissi2022.robust.variants.0.name: 'tMO' does not match"):
        validate_config(bad, repo / "config" / "schemas")
