"""The paper's Figure 7 computed (tinyids.firmware.recommend): per board and study the most accurate
(study, protocol, variant) whose every seed's build fits with the measured stack, its accuracy as
mean +- sd over seeds, latency where emulated, the paper's choice beside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinyids.config import load_config
from tinyids.errors import DataError
from tinyids.firmware import recommend, report
from tinyids.study import deployable
from tinyids.study.deployable import Deployable

REPO = Path(__file__).resolve().parents[2]
BOARDS = ["uno", "nodemcuv2", "esp32dev", "portenta_h7_m7", "rpi"]


@pytest.fixture(scope="module")
def fw():
    return load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["firmware"]


def _dep(study, name, protocol, variant, seed, acc):
    return Deployable.create(
        name=name, study=study, protocol=protocol, variant=variant, seed=seed, class_names=["normal", "attack"],
        raw_feature_names=["a", "b"], feature_names=["a", "b"], model_format="tflite-int8",
        input_quantization=deployable.quantization(0.01, -128), output_quantization=deployable.quantization(1 / 256, -128),
        decision={"rule": "threshold", "output": 0, "probability": 0.5, "int8": 0}, test_rows=3,
        metrics={"accuracy": acc}, steps=[{"op": "offset_scale", "min": [0, 0], "scale": [1, 1]}])


def _build(ref, uno, big=(5000, 400)):
    study, name = ref.split("/")
    rows = []
    for board in BOARDS:
        flash, ram = uno if board == "uno" else big
        if board == "esp32dev":
            rows.append({"board": board, "status": "no_toolchain", "reason": "no toolchain"})
        else:
            rows.append({"board": board, "status": "built", "reason": "", "flash": flash, "ram": ram, "text": flash,
                         "rodata": 0, "data": 0, "bss": ram, "model_flash": 100, "model_ram": 0})
    return {"model": ref, "study": study, "name": name, "kind": "int8", "accuracy": None, "builds": rows}


def _emu(ref, stack, latency, mismatches=0):
    return {"model": ref, "host_vs_litert_mismatches": 0, "boards": [
        {"board": "uno", "emulator": "simavr", "status": "ok", "vectors": 40, "builds": 1, "mismatches": mismatches,
         "count_unit": "cycles", "count_median": latency * 16.0, "clock_hz": 16000000,
         "latency_us_median": latency, "stack_bytes": stack}]}


@pytest.fixture
def world(fw):
    # study "alpha": variant robust (3 seeds, fits the Uno), variant big (more accurate, too much RAM on
    # the Uno once its measured stack counts); study "beta": one seed, flash too big for the Uno.
    deps = [_dep("alpha", f"robust_s{s}", "p1", "robust", s, acc) for s, acc in ((1, 0.97), (2, 0.99), (3, 0.98))]
    deps += [_dep("alpha", "big", "p1", "big", 1, 0.995), _dep("beta", "solo", "sound", "solo", 7, 0.8)]
    builds = [_build(f"alpha/robust_s{s}", (9000, 600)) for s in (1, 2, 3)]
    builds += [_build("alpha/big", (20000, 1500)), _build("beta/solo", (40000, 500))]
    emus = [_emu("alpha/robust_s1", 300, 1000.0), _emu("alpha/robust_s2", 320, 1200.0), _emu("alpha/big", 700, 900.0)]
    matrix = report.fit_matrix(builds, emus, fw)
    return deps, matrix, report.emulation_table(emus)


def test_uno_gets_the_variant_whose_every_seed_fits_with_mean_and_sd_over_seeds(fw, world):
    deps, matrix, emulation = world
    rec = recommend.recommend(deps, matrix, emulation, fw).set_index(["board", "study"])
    uno = rec.loc[("uno", "alpha")]
    assert uno["variant"] == "robust" and uno["n_seeds"] == 3 and uno["seeds"] == "1;2;3"
    assert uno["accuracy_mean"] == pytest.approx(0.98)
    assert uno["accuracy_sd"] == pytest.approx(float(np.std([0.97, 0.99, 0.98], ddof=1)))
    # "big" is more accurate, but 1500 B static + 700 B measured stack > 2048 B: it is a candidate that does not fit
    assert uno["candidates"] == 2 and uno["candidates_that_fit"] == 1
    # the stack of the third seed was not measured: the RAM with stack is unknown, said so
    assert uno["stack_measured"] == "no" and "stack not measured" in uno["note"]
    assert uno["latency_us_median"] == pytest.approx(1100.0) and "2 of 3 seeds" in uno["note"]


def test_bigger_board_takes_the_more_accurate_variant_and_one_seed_has_no_sd(fw, world):
    deps, matrix, emulation = world
    rec = recommend.recommend(deps, matrix, emulation, fw).set_index(["board", "study"])
    pi = rec.loc[("rpi", "alpha")]
    assert pi["variant"] == "big" and pi["n_seeds"] == 1 and pd.isna(pi["accuracy_sd"])
    assert pd.isna(pi["latency_us_median"])  # not emulated on that board: no latency invented
    assert rec.loc[("rpi", "beta")]["variant"] == "solo"


def test_no_fit_row_names_the_measured_reason(fw, world):
    deps, matrix, emulation = world
    rec = recommend.recommend(deps, matrix, emulation, fw).set_index(["board", "study"])
    beta = rec.loc[("uno", "beta")]
    assert pd.isna(beta["models"]) and "beta/solo: does not fit: flash over by 7232 B" in beta["note"]
    esp = rec.loc[("esp32dev", "alpha")]
    assert pd.isna(esp["models"]) and "no toolchain" in esp["note"]


def test_every_board_row_carries_the_papers_choice_from_config(fw, world):
    deps, matrix, emulation = world
    rec = recommend.recommend(deps, matrix, emulation, fw)
    assert list(dict.fromkeys(rec["board"])) == fw["fit_boards"]
    for _, r in rec.iterrows():
        choice = fw["paper"]["figure7"][r["board"]]
        assert r["paper_where"] == choice["where"] and r["paper_study"] == fw["paper"]["study"]
    nodemcu = rec[rec["board"] == "nodemcuv2"].iloc[0]
    assert nodemcu["paper_model"] == fw["paper"]["figure7"]["nodemcuv2"]["model"]


def test_markdown_has_a_table_per_board_and_the_uno_headline(fw, world):
    deps, matrix, emulation = world
    md = recommend.markdown(recommend.recommend(deps, matrix, emulation, fw), fw)
    assert md.count("Paper's choice:") == len(fw["fit_boards"])
    assert "## Headline: the Arduino Uno (uno)" in md
    assert "98.00 +- 1.00 % (n=3)" in md and "99.50 % (n=1)" in md


def test_a_seed_counted_twice_is_an_error_naming_the_deployables(fw, world):
    deps, matrix, emulation = world
    twice = deps + [_dep("alpha", "robust_again", "p1", "robust", 2, 0.5)]
    with pytest.raises(DataError, match="repeat a seed: .*alpha/robust_s2 .*alpha/robust_again"):
        recommend.recommend(twice, matrix, emulation, fw)


def test_a_deployable_without_a_fit_matrix_row_is_an_error(fw, world):
    deps, matrix, emulation = world
    with pytest.raises(DataError, match="fit_matrix.csv: no row for board uno and model.*alpha/extra"):
        recommend.recommend(deps + [_dep("alpha", "extra", "p2", "extra", 1, 0.5)], matrix, emulation, fw)


def test_fixtures_are_not_candidates(fw):
    refs = recommend.deployable_refs({**fw, "models": ["fixture/fixture_int8", "idrissi2022/tMO"]})
    assert refs == ["idrissi2022/tMO"]
