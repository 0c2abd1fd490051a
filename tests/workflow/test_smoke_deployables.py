"""Every deployable of the smoke run is a valid Deployable (tinyids.study.deployable): the JSON
validates, the files it names are there, its test vectors match it, its raw rows (where stored)
become X_test through its typed steps, and the srm2025 hand-over is files, not a pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tinyids.study import deployable, preprocessing

pytestmark = pytest.mark.workflow

STUDIES = ("idrissi2022", "ibrahim2025", "srm2025")


def _deployables(smoke_run: Path) -> list[Path]:
    return sorted(smoke_run.glob("results/*/deploy/*.json"))


def test_every_study_writes_deployables(smoke_run: Path):
    studies = {p.parts[-3] for p in _deployables(smoke_run)}
    assert studies == set(STUDIES), studies


def test_every_deploy_json_validates_and_names_files_that_exist(smoke_run: Path):
    for path in _deployables(smoke_run):
        dep = deployable.read(path)
        assert dep.study == path.parts[-3] and path.name == f"{dep.name}.json"
        assert dep.file("model").is_file(), path
        if dep.model["format"] == "c-float":
            assert dep.file("header").is_file(), path
            for d in dep.model.get("include_dirs", []):
                assert (path.parent / d).is_dir(), (path, d)
        assert isinstance(dep.accuracy, float) and 0.0 <= dep.accuracy <= 1.0, path


def test_test_vectors_match_their_deployable(smoke_run: Path):
    for path in _deployables(smoke_run):
        dep = deployable.read(path)
        x, y = dep.test_vectors()
        assert x.dtype == np.float32 and x.shape == (dep.doc["test_vectors"]["rows"], dep.n_inputs), path
        assert y is not None and len(y) == len(x) and set(np.unique(y)) <= set(range(len(dep.class_names))), path
        pred = dep.test_array("y_pred")
        if pred is not None:
            assert pred.shape == y.shape and dep.accuracy == pytest.approx(float(np.mean(pred == y))), path


def test_stored_raw_rows_become_x_test_through_the_typed_steps(smoke_run: Path):
    with_raw = []
    for path in _deployables(smoke_run):
        dep = deployable.read(path)
        raw = dep.test_array("X_raw")
        if raw is None:
            continue
        with_raw.append(dep.name)
        x, _ = dep.test_vectors()
        assert raw.shape == (len(x), dep.n_raw), path
        assert np.allclose(preprocessing.apply(dep.steps, raw), x, rtol=0, atol=1e-6), path
    assert with_raw, "no deployable of the smoke run stores X_raw (srm2025 does)"


def test_int8_deployables_carry_the_quantization_of_their_tflite(smoke_run: Path):
    from tinyids.litert import input_quantization, make_interpreter, output_quantization

    for path in _deployables(smoke_run):
        dep = deployable.read(path)
        if dep.model["format"] != "tflite-int8":
            continue
        interp = make_interpreter(dep.file("model"))
        iq, oq = input_quantization(interp), output_quantization(interp)
        assert dep.input_quantization == deployable.quantization(iq.scale, iq.zero_point), path
        assert dep.output_quantization == deployable.quantization(oq.scale, oq.zero_point), path


def test_firmware_fixtures_are_deployables(smoke_run: Path):
    paths = sorted(smoke_run.glob("results/firmware/fixture/*.json"))
    assert {p.stem for p in paths} == {"fixture_int8", "fixture_float"}
    for path in paths:
        assert deployable.read(path).test_array("y_pred") is not None


def test_srm2025_fit_hands_over_files_and_no_pickle(smoke_run: Path):
    assert not list(smoke_run.glob("results/srm2025/**/*.pkl"))
    for protocol in ("thesis", "standard"):
        tiny = smoke_run / "results/srm2025/runs" / protocol / "tiny"
        assert (tiny / "facts.json").is_file() and (tiny / "arrays.npz").is_file()
        assert sorted(p.name for p in tiny.glob("*.joblib")), protocol
