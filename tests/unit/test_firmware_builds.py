"""Real PlatformIO builds (offline) of the hand-written fixture models, and their runs in
simavr and QEMU: the board predicts what numpy and the host build predict, exactly."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tinyids.config import load_config
from tinyids.firmware import adapter, build, emulate, fixture, pipeline, report
from tinyids.firmware.boards import boards_from_config
from tinyids.study import deployable

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

NEEDED = ("avr-gcc", "simavr", "arm-none-eabi-gcc", "qemu-system-arm", "xtensa-lx106-elf-gcc", "qemu-system-xtensa")


@pytest.fixture(scope="module")
def tools():
    missing = [t for t in NEEDED if shutil.which(t) is None]
    if missing:
        pytest.fail("firmware toolchains missing (apt-get install the packages in "
                    f"tinyids.firmware.toolchain.DEBIAN_PACKAGES): {missing}")


@pytest.fixture(scope="module")
def fw(tmp_path_factory):
    cfg = load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["firmware"]
    cfg = copy.deepcopy(cfg)
    root = tmp_path_factory.mktemp("fw")
    cfg["build_root"] = str(root / "builds")
    cfg["core_dir"] = str(REPO / "firmware/.platformio")
    cfg["project_dir"] = str(REPO / "firmware")
    cfg["emulation"]["vectors"] = 30
    cfg["emulation"]["timeout_s"] = 60
    return cfg


@pytest.fixture(scope="module")
def deployables(tmp_path_factory):
    return fixture.write_deployables(tmp_path_factory.mktemp("fixture"), n=48)


def _files(d: Path, name: str) -> dict[str, str]:
    return {k: str(d / f"{name}.{k}") for k in ("npz", "json", "c", "h")}


@pytest.mark.parametrize("env", ["uno", "portenta_h7_m7", "mps2_an500", "nodemcuv2", "rpi", "host"])
def test_default_fixture_firmware_builds_offline(tools, fw, env, tmp_path):
    r = build.pio_build(env, REPO / "firmware/models/fixture", tmp_path, core_dir=fw["core_dir"],
                        project_dir=fw["project_dir"], timeout_s=300)
    assert r.status == "built", r.reason
    assert r.sizes["flash"] > 0 and r.sizes["flash"] == r.sizes["text"] + r.sizes["rodata"] + r.sizes["data"]


def test_esp32_row_says_no_toolchain(tools, fw, tmp_path):
    r = build.pio_build("esp32dev", REPO / "firmware/models/fixture", tmp_path, core_dir=fw["core_dir"],
                        project_dir=fw["project_dir"], timeout_s=120)
    assert r.status == "no_toolchain" and "xtensa-esp32" in r.reason and r.sizes == {}


def test_board_json_budget_exceeded_is_reported_not_a_crash(tools, fw, tmp_path):
    """PlatformIO's own size check fails the build when the image exceeds the board JSON's
    upload.maximum_size: the driver still measures the ELF and reports it as too big."""
    project = tmp_path / "firmware"
    shutil.copytree(REPO / "firmware", project, ignore=shutil.ignore_patterns(".pio", ".platformio"))
    board = project / "platform/tinyids/boards/uno.json"
    data = json.loads(board.read_text())
    data["upload"]["maximum_size"] = 512
    board.write_text(json.dumps(data))
    r = build.pio_build("uno", project / "models/fixture", tmp_path / "b", core_dir=fw["core_dir"],
                        project_dir=project, timeout_s=300)
    assert r.status == "built" and r.pio_size_check == "too_big" and r.sizes["flash"] > 512


def test_uno_keeps_int8_weights_and_vectors_in_flash(tools, fw, tmp_path):
    r = build.pio_build("uno", REPO / "firmware/models/fixture", tmp_path, core_dir=fw["core_dir"],
                        project_dir=fw["project_dir"], timeout_s=300)
    assert r.sizes["ram"] < 64  # weights and 32 test vectors would be > 200 bytes of .data


@pytest.fixture(scope="module")
def int8_results(tools, fw, deployables):
    files = _files(deployables, "fixture_int8")
    log = open(Path(fw["build_root"]).parent / "log.txt", "a")
    b = pipeline.build_model("fixture/fixture_int8", files, fw, log)
    e = pipeline.emulate_model("fixture/fixture_int8", files, b, fw, 3, log)
    return b, e


def test_int8_fixture_parity_on_every_emulated_board(int8_results, deployables, fw):
    _, e = int8_results
    rows = {r["board"]: r for r in e["boards"]}
    assert set(rows) == set(fw["emulation_boards"])
    for board, r in rows.items():
        assert r["status"] == "ok", (board, r["reason"])
        assert r["vectors"] == 30 and r["mismatches"] == 0, board
    # and the host build itself equals the independent numpy reference of the same arithmetic
    spec = adapter.spec_from_deployable(deployable.read(deployables / "fixture_int8.json"), deployables)
    z = np.load(deployables / "fixture_int8.npz")
    idx = pipeline.emulation_sample(len(z["X_test"]), 30, 3)
    ref = fixture.int8_reference(spec.encode(z["X_test"][idx]))
    assert e["host_accuracy"] == pytest.approx(float(np.mean(ref == z["y_test"][idx])))
    assert rows["uno"]["device_accuracy"] == e["host_accuracy"]
    assert e["host_vs_recorded_mismatches"] == 0  # the fixture's y_pred is the numpy reference


def test_uno_counts_are_cycles_and_qemu_counts_are_instructions(int8_results):
    _, e = int8_results
    rows = {r["board"]: r for r in e["boards"]}
    uno = rows["uno"]
    assert uno["count_unit"] == "cycles" and 500 < uno["count_median"] < 5000
    assert uno["latency_us_median"] == pytest.approx(uno["count_median"] / 16.0)
    assert uno["stack_bytes"] and 0 < uno["stack_bytes"] < 512
    for board in ("portenta_h7_m7", "nodemcuv2"):
        assert rows[board]["count_unit"].startswith("instructions") and "latency_us_median" not in rows[board]
        assert 20 < rows[board]["count_median"] < 2000
    assert rows["rpi"]["count_unit"].startswith("none")


def test_float_fixture_parity_including_lx106_soft_float(tools, fw, deployables):
    files = _files(deployables, "fixture_float")
    log = open(Path(fw["build_root"]).parent / "log.txt", "a")
    b = pipeline.build_model("fixture/fixture_float", files, fw, log)
    rows = {r["board"]: r for r in b["builds"]}
    for board in ("uno", "nodemcuv2", "portenta_h7_m7", "rpi"):
        assert rows[board]["status"] == "built", (board, rows[board]["reason"])
    e = pipeline.emulate_model("fixture/fixture_float", files, b, fw, 3, log)
    for r in e["boards"]:
        assert r["status"] == "ok" and r["mismatches"] == 0, r


def test_budget_exceeded_is_a_does_not_fit_row_not_a_crash(int8_results, fw):
    b, e = int8_results
    tiny = copy.deepcopy(fw)
    tiny["boards"]["uno"]["flash_bytes"] = 600
    tiny["boards"]["uno"]["ram_bytes"] = 8
    matrix = report.fit_matrix([b], [e], tiny)
    uno = matrix[matrix["board"] == "uno"].iloc[0]
    assert uno["fits"] == "no" and "does not fit" in uno["reason"] and "flash over by" in uno["reason"]
    assert uno["flash_margin_bytes"] < 0 and uno["ram_margin_bytes"] < 0
    # the emulation job also reports instead of running a firmware that cannot fit
    boards = boards_from_config(tiny)
    fit = next(r for r in b["builds"] if r["board"] == "uno")
    spec = adapter.ModelSpec("x", "int8", Path("x.h"), [], "f", 7, 2)
    row = pipeline._emulate_on("uno", boards["uno"], fit, spec, np.zeros((2, 7)), np.zeros(2), np.zeros(2),
                               None, Path(fw["build_root"]), tiny, open("/dev/null", "w"))
    assert row["status"] == "not_emulated" and "does not fit" in row["reason"]
