"""Fit matrix, recommendation (Figure 7 computed) and the Uno headline from build results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tinyids.config import load_config
from tinyids.firmware import report

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fw():
    return load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["firmware"]


def _build(model, acc, sizes):
    study, name = model.split("/")
    rows = []
    for board, (flash, ram) in sizes.items():
        if flash is None:
            rows.append({"board": board, "status": "no_toolchain", "reason": "no toolchain"})
        else:
            rows.append({"board": board, "status": "built", "reason": "", "flash": flash, "ram": ram,
                         "text": flash, "rodata": 0, "data": 0, "bss": ram, "model_flash": 100, "model_ram": 0})
    return {"model": model, "study": study, "name": name, "kind": "int8", "accuracy": acc, "builds": rows}


@pytest.fixture
def builds():
    return [
        _build("idrissi2022/tMO", 0.97, {"uno": (9000, 900), "nodemcuv2": (5000, 400), "esp32dev": (None, None),
                                          "portenta_h7_m7": (6000, 300), "rpi": (500000, 40000)}),
        _build("idrissi2022/tMOP", 0.96, {"uno": (7000, 700), "nodemcuv2": (4000, 300), "esp32dev": (None, None),
                                           "portenta_h7_m7": (5000, 200), "rpi": (500000, 40000)}),
        _build("ibrahim2025/big", 0.99, {"uno": (90000, 3000), "nodemcuv2": (95000, 70000), "esp32dev": (None, None),
                                          "portenta_h7_m7": (91000, 800), "rpi": (600000, 41000)}),
    ]


@pytest.fixture
def emulations():
    return [{"model": "idrissi2022/tMO", "host_vs_litert_mismatches": 0, "boards": [
        {"board": "uno", "emulator": "simavr", "status": "ok", "vectors": 200, "builds": 1, "mismatches": 0,
         "count_unit": "cycles", "count_min": 20000, "count_median": 24000.0, "count_max": 25000,
         "clock_hz": 16000000, "latency_us_median": 1500.0, "stack_bytes": 1200}]}]


def test_stack_high_water_counts_against_ram(fw, builds, emulations):
    m = report.fit_matrix(builds, emulations, fw)
    tmo_uno = m[(m["model"] == "idrissi2022/tMO") & (m["board"] == "uno")].iloc[0]
    assert tmo_uno["ram_with_stack_bytes"] == 2100 and tmo_uno["fits"] == "no"
    assert "RAM + stack over by 52 B" in tmo_uno["reason"]


def test_oversize_model_is_a_no_row_with_negative_margin(fw, builds, emulations):
    m = report.fit_matrix(builds, emulations, fw)
    big = m[(m["model"] == "ibrahim2025/big") & (m["board"] == "uno")].iloc[0]
    assert big["fits"] == "no" and big["flash_margin_bytes"] == 32768 - 90000
    assert big["reason"].startswith("does not fit: flash over by 57232 B")


def test_failed_build_with_known_constants_is_a_lower_bound_no_row(fw, builds, emulations):
    big = builds[2]
    big["model_const_bytes"], big["model_scratch_bytes"] = 80000, 512
    uno = next(r for r in big["builds"] if r["board"] == "uno")
    uno.update(status="build_failed", reason="error: size of array is too large", flash=None, ram=None,
               harness_flash=1300, harness_ram=20)
    m = report.fit_matrix(builds, emulations, fw)
    row = m[(m["model"] == "ibrahim2025/big") & (m["board"] == "uno")].iloc[0]
    assert row["fits"] == "no" and row["flash_lower_bound_bytes"] == 81300 and row["ram_lower_bound_bytes"] == 532
    assert row["reason"].startswith("does not fit (lower bound") and "too large" in row["reason"]
    assert pd.isna(row["flash_bytes"])


def test_esp32_rows_are_unknown_with_an_estimate_marked_as_such(fw, builds, emulations):
    m = report.fit_matrix(builds, emulations, fw)
    esp = m[m["board"] == "esp32dev"]
    assert (esp["fits"] == "unknown").all() and esp["flash_bytes"].isna().all()
    assert esp["estimate_note"].str.startswith("ESTIMATE ONLY").all()


def test_headline_reports_aims_per_study(fw, builds, emulations):
    m = report.fit_matrix(builds, emulations, fw)
    head = report.headline(m, report.emulation_table(emulations), fw)
    assert head["model"] == "idrissi2022/tMOP" and head["flash_bytes"] == 7000
    assert head["meets"] == {"flash": True, "ram": True, "latency": False, "accuracy": True}
    assert head["per_study"]["srm2025"]["model"] is None


def test_heatmap_is_written(fw, builds, emulations, tmp_path):
    m = report.fit_matrix(builds, emulations, fw)
    report.heatmap(m, fw, tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 5000


def test_emulation_table_puts_old_and_new_kernel_counts_of_the_same_model_side_by_side():
    from tinyids.firmware import report as fw_report

    emu = {"model": "idrissi2022/tMOP", "host_vs_litert_mismatches": 0, "host_vs_recorded_mismatches": None,
           "boards": [{"board": "uno", "status": "ok", "count_median": 11000}]}

    def run(variant, opt, entry, median):
        return {"board": "uno", "variant": variant, "opt": opt, "entry": entry, "count_min": median - 1,
                "count_median": median, "count_max": median + 1, "flash_bytes": 9000}

    kernels = [{"study": "idrissi2022", "model": "tMOP",
                "rows": [run("reference", "-Os", "predict", 106000), run("fast", "-Os", "predict_class", 10600)]},
               {"study": "srm2025", "model": "tMOP", "rows": [run("reference", "-Os", "predict", 1)]}]
    table = fw_report.emulation_table([emu], kernels=kernels)
    row = table.iloc[0]
    assert row["kernels_reference_os_median"] == 106000 and row["kernels_fast_class_os_median"] == 10600
    assert row["kernels_ratio_reference_over_fast_class_os"] == pytest.approx(10.0)
