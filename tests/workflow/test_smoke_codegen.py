"""The codegen stage of the smoke run: every int8 deployable the studies wrote is compiled to C
that is bit-exact with LiteRT's reference kernels on every test row, and is benchmarked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tinyids  # noqa: F401

pytestmark = pytest.mark.workflow

UNO_SCRATCH_BYTES = 1024   # the Arduino Uno goal: SRAM <= 1 KB for the model's scratch
UNO_FLASH_BYTES = 16384    # and flash <= 16 KB for its code and constants


@pytest.fixture(scope="module")
def merged(smoke_config: dict) -> dict:
    return smoke_config


@pytest.fixture(scope="module")
def models(merged) -> list[tuple[str, str]]:
    entries = [tuple(e.split("/", 1)) for e in merged["codegen"]["models"]]
    assert entries, "codegen.models is empty: no deployable is compiled to C in the smoke run"
    return entries


def _int8_deployables(root: Path) -> set[str]:
    """Every results/<study>/deploy/<name>.tflite of the run whose input is int8."""
    from tinyids.litert import make_interpreter

    found = set()
    for tfl in sorted(root.glob("results/*/deploy/*.tflite")):
        if np.dtype(make_interpreter(tfl).get_input_details()[0]["dtype"]) == np.int8:
            found.add(f"{tfl.parent.parent.name}/{tfl.name[:-len('.tflite')]}")
    return found


def test_every_int8_deployable_of_the_run_is_compiled(smoke_run, merged, models):
    deployables = _int8_deployables(smoke_run)
    assert deployables, "the smoke run wrote no int8 deployable under results/<study>/deploy"
    missing = sorted(deployables - set(merged["codegen"]["models"]))
    assert not missing, f"int8 deployables not listed in codegen.models: {missing}"


def test_parity_is_bit_exact_on_every_test_row(smoke_run, models):
    for study, name in models:
        base = smoke_run / "results" / study
        report = json.loads((base / "codegen" / f"{name}_parity.json").read_text())
        with np.load(base / "deploy" / f"{name}.npz") as data:
            n_rows = len(data["X_test"])
        assert report["rows"] == n_rows > 0, (study, name)
        assert report["mismatching_outputs"] == 0, (study, name, report)
        assert report["max_abs_diff"] == 0, (study, name, report)
        assert report["class_agreement"] == 1.0, (study, name, report)
        assert report["quantize_mismatches"] == 0, (study, name, report)
        assert report["bit_exact"] is True
        assert "BUILTIN_REF" in report["reference"]


def test_generated_c_is_self_contained_and_compiles_strictly(smoke_run, models, tmp_path):
    from tinyids.study import deployable

    for study, name in models:
        out = smoke_run / "results" / study / "codegen"
        header = (out / f"{name}.h").read_text()
        source = (out / f"{name}.c").read_text()
        assert re.search(r"\bint tinyids_\w+_predict\(const int8_t \*in, int8_t \*out\);", header)
        assert re.search(r"\bvoid tinyids_\w+_quantize_input\(const float \*x, int8_t \*q\);", header)
        assert "malloc" not in source
        allowed = {"stdint.h", f"{name}.h", "avr/pgmspace.h", "pgmspace.h"}
        dep = deployable.read(smoke_run / "results" / study / "deploy" / f"{name}.json")
        if any(step["op"] == "log1p" for step in dep.steps):
            allowed.add("math.h")  # log1pf, for the float preprocessing only
        assert set(re.findall(r"#\s*include\s*[<\"]([^>\"]+)", source)) <= allowed
        subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-std=c99", "-pedantic", "-c", str(out / f"{name}.c"),
                        "-o", str(tmp_path / f"{name}.o")], check=True)


def test_benchmark_reports_latency_ratio_and_sizes(smoke_run, models):
    for study, name in models:
        base = smoke_run / "results" / study
        bench = json.loads((base / "codegen" / f"{name}_benchmark.json").read_text())
        assert bench["c_ns_per_sample"] > 0 and bench["litert_reference_invoke_ns"] > 0
        assert bench["ratio_c_over_litert_reference"] == pytest.approx(
            bench["c_ns_per_sample"] / bench["litert_reference_invoke_ns"])
        assert bench["tflite_bytes"] == (base / "deploy" / f"{name}.tflite").stat().st_size
        assert bench["sizes"]["host"]["available"] and bench["sizes"]["host"]["text"] > 0
        # LiteRT's default CPU path also timed natively (C API), its outputs equal to Python's
        assert bench["litert_native_default_ns"] > 0 and bench["litert_native_outputs_equal_python_default"]
    table = pd.read_csv(smoke_run / "results/codegen/benchmark.csv")
    assert (table["ratio_litert_native_default_over_fast"] > 0).all()


def test_idrissi2022_models_fit_the_uno_budget(smoke_run, models):
    tiny = [(s, n) for s, n in models if s == "idrissi2022"]
    if not tiny:
        pytest.skip("no idrissi2022 model in codegen.models (the Uno budget is set for its tMO/tMOP)")
    for study, name in tiny:
        info = json.loads((smoke_run / "results" / study / "codegen" / f"{name}_codegen.json").read_text())
        assert info["scratch_bytes"] <= UNO_SCRATCH_BYTES, (name, info["scratch_bytes"])
        bench = json.loads((smoke_run / "results" / study / "codegen" / f"{name}_benchmark.json").read_text())
        avr = bench["sizes"]["avr_atmega328p"]
        if shutil.which("avr-gcc"):
            assert avr["available"] and avr["data"] == 0, "weights must stay in flash on AVR"
            assert avr["flash"] <= UNO_FLASH_BYTES, (name, avr)


def test_summary_has_one_row_per_model(smoke_run, models):
    frame = pd.read_csv(smoke_run / "results" / "codegen" / "summary.csv")
    assert sorted(zip(frame["study"], frame["model"])) == sorted(models)
    assert frame["bit_exact"].all()
