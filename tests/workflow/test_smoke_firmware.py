"""The firmware stage of the smoke run: offline PlatformIO builds of the smoke models for every
board, the fit matrix, parity in simavr / QEMU on a few dozen vectors, the recommendation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.workflow

FIT_BOARDS = {"uno", "nodemcuv2", "esp32dev", "portenta_h7_m7", "rpi"}


def _smoke_models(smoke_run: Path) -> list[str]:
    return yaml.safe_load((smoke_run / "config/smoke.yaml").read_text())["firmware"]["models"]


@pytest.fixture(scope="module")
def fit(smoke_run: Path) -> pd.DataFrame:
    return pd.read_csv(smoke_run / "results/firmware/fit_matrix.csv")


@pytest.fixture(scope="module")
def emu(smoke_run: Path) -> pd.DataFrame:
    return pd.read_csv(smoke_run / "results/firmware/emulation.csv")


def test_fit_matrix_has_every_smoke_model_on_every_board(smoke_run: Path, fit: pd.DataFrame):
    models = _smoke_models(smoke_run)
    assert set(fit["model"]) == set(models)
    assert len(fit) == len(models) * len(FIT_BOARDS) and set(fit["board"]) == FIT_BOARDS
    assert (smoke_run / "results/firmware/fit_matrix.png").stat().st_size > 5000


def test_smoke_models_build_for_uno_portenta_and_nodemcu(fit: pd.DataFrame):
    small = fit[fit["model"].str.startswith(("idrissi2022/", "fixture/")) & fit["board"].isin(["uno", "portenta_h7_m7", "nodemcuv2"])]
    assert len(small) >= 9
    bad = small[small["status"] != "built"]
    assert bad.empty, bad[["model", "board", "reason"]].to_string()
    built = fit[fit["status"] == "built"]
    assert (built["flash_bytes"] == built["text_bytes"] + built["rodata_bytes"] + built["data_bytes"]).all()
    assert (built["ram_bytes"] == built["data_bytes"] + built["bss_bytes"]).all()


def test_esp32_is_reported_as_not_built_never_a_number(fit: pd.DataFrame):
    esp = fit[fit["board"] == "esp32dev"]
    assert (esp["status"] == "no_toolchain").all() and (esp["fits"] == "unknown").all()
    assert esp["flash_bytes"].isna().all() and esp["ram_bytes"].isna().all()


def test_pruned_ibrahim_model_is_a_does_not_fit_row_on_the_uno(fit: pd.DataFrame):
    row = fit[(fit["model"].str.startswith("ibrahim2025/")) & (fit["board"] == "uno")]
    assert len(row) == 1
    # measured (a linked image over budget) or, where avr-gcc refuses the weight arrays, a lower
    # bound from the model's constants: either way a "no" row with its reason, never a crash
    assert row.iloc[0]["fits"] == "no" and row.iloc[0]["reason"].startswith("does not fit"), row.iloc[0].to_dict()


def test_device_predictions_equal_host_predictions(emu: pd.DataFrame):
    ok = emu[emu["status"] == "ok"]
    assert (ok["mismatches"] == 0).all(), ok[ok["mismatches"] != 0].to_string()
    for board in ("uno", "portenta_h7_m7", "nodemcuv2"):
        rows = ok[(ok["model"] == "fixture/fixture_int8") & (ok["board"] == board)]
        assert len(rows) == 1 and rows.iloc[0]["vectors"] == 40, board
    assert len(ok[ok["model"].str.startswith("idrissi2022/") & (ok["board"] == "uno")]) >= 1
    # the host build itself equals LiteRT's reference kernels (int8 models) and the exporting
    # study's own host run (srm2025 C exports)
    assert (emu["host_vs_litert_mismatches"].dropna() == 0).all()
    assert (emu["host_vs_recorded_mismatches"].dropna() == 0).all()
    assert emu[emu["model"].str.startswith("idrissi2022/")]["host_vs_litert_mismatches"].notna().all()


def test_counts_are_labelled_cycles_on_the_uno_and_instructions_on_qemu(emu: pd.DataFrame):
    ok = emu[emu["status"] == "ok"]
    uno = ok[ok["board"] == "uno"]
    assert (uno["count_unit"] == "cycles").all() and (uno["latency_us_median"] > 0).all()
    assert (uno["latency_us_median"] == uno["count_median"] / 16.0).all()
    qemu = ok[ok["board"].isin(["portenta_h7_m7", "nodemcuv2"])]
    assert qemu["count_unit"].str.startswith("instructions").all() and qemu["latency_us_median"].isna().all()


def test_recommendation_and_headline(smoke_run: Path):
    rec = pd.read_csv(smoke_run / "results/firmware/recommendation.csv")
    assert set(rec["board"]) == FIT_BOARDS and "fixture" not in set(rec["study"])
    assert rec[rec["study"] == "idrissi2022"]["paper_where"].str.contains("Figure 7|Section 4.B").all()
    md = (smoke_run / "results/firmware/recommendation.md").read_text()
    assert "Figure 7" in md and "Headline" in md
    head = json.loads((smoke_run / "results/firmware/uno_headline.json").read_text())
    assert head["board"] == "uno" and "aims" in head and set(head["per_study"]) == {"idrissi2022", "srm2025"}
    for study in head["per_study"].values():
        if study.get("model"):
            assert study["parity_mismatches"] == 0 and study["latency_us_median"] > 0


def test_fit_matrix_accuracy_is_the_deployables_measured_accuracy(smoke_run: Path, fit: pd.DataFrame):
    from tinyids.firmware.pipeline import deployable_inputs
    from tinyids.study import deployable

    fw = yaml.safe_load((smoke_run / "config/config.yaml").read_text())["firmware"]
    for model in _smoke_models(smoke_run):
        dep = deployable.read(smoke_run / deployable_inputs(model, fw)["json"])
        rows = fit[fit["model"] == model]
        assert (rows["accuracy"] == dep.accuracy).all(), model


def test_firmware_rules_leave_logs_and_benchmarks(smoke_run: Path):
    assert (smoke_run / "logs/firmware/report.log").is_file()
    assert (smoke_run / "benchmarks/firmware/report.tsv").is_file()
    assert json.loads((smoke_run / "results/firmware/toolchain.json").read_text())["missing"] == []
