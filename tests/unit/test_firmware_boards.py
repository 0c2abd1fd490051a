"""The board budgets are Table I of Idrissi et al. (2022), the same in config and PlatformIO."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from tinyids.config import load_config
from tinyids.firmware.boards import PLATFORM_DIR, board_json, boards_from_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fw():
    return load_config(REPO / "config/config.yaml", schema_dir=REPO / "config/schemas")["firmware"]


def test_budgets_are_table_i(fw):
    b = boards_from_config(fw)
    assert (b["uno"].flash_bytes, b["uno"].ram_bytes, b["uno"].clock_hz) == (32 * 1024, 2 * 1024, 16_000_000)
    assert (b["nodemcuv2"].flash_bytes, b["nodemcuv2"].ram_bytes, b["nodemcuv2"].clock_hz) == (4 << 20, 64 << 10, 80_000_000)
    assert (b["esp32dev"].flash_bytes, b["esp32dev"].ram_bytes) == (4 << 20, 520 << 10)
    assert (b["portenta_h7_m7"].flash_bytes, b["portenta_h7_m7"].ram_bytes, b["portenta_h7_m7"].clock_hz) == (16 << 20, 8 << 20, 480_000_000)
    assert (b["rpi"].ram_bytes, b["rpi"].clock_hz) == (1 << 30, 1_400_000_000)
    assert all(board.table_i for board in b.values())


def test_config_budgets_equal_platformio_board_jsons(fw):
    for board in boards_from_config(fw).values():
        for env in filter(None, {board.pio_env, board.emulation_env}):
            upload = board_json(env)["upload"]
            assert upload["maximum_size"] == board.flash_bytes, env
            assert upload["maximum_ram_size"] == board.ram_bytes, env
            assert int(board_json(env)["build"]["f_cpu"].rstrip("L")) == board.clock_hz, env


def test_every_table_i_board_has_a_platformio_environment():
    ini = configparser.ConfigParser()
    ini.read(REPO / "firmware/platformio.ini")
    envs = {s.split(":", 1)[1] for s in ini.sections() if s.startswith("env:")}
    assert {"uno", "nodemcuv2", "esp32dev", "portenta_h7_m7", "mps2_an500", "rpi", "host"} <= envs
    assert ini["env"]["platform"].startswith("symlink://")
    for env in envs:
        assert (PLATFORM_DIR / "boards" / f"{ini['env:' + env]['board']}.json").is_file()


def test_figure7_choices_carry_citations(fw):
    fig7 = fw["paper"]["figure7"]
    assert fig7["nodemcuv2"]["model"] == "tMOP" and fig7["esp32dev"]["model"] == "tMO"
    assert fig7["uno"]["model"] is None
    assert all("Figure 7" in v["where"] or "Section 4.B" in v["where"] for v in fig7.values())


def test_platform_manifest_is_offline():
    import json

    manifest = json.loads((PLATFORM_DIR / "platform.json").read_text())
    assert manifest["name"] == "tinyids" and manifest["packages"] == {} and manifest["frameworks"] == {}
    assert "class TinyidsPlatform" in (PLATFORM_DIR / "platform.py").read_text()


def test_smoke_config_models_are_a_valid_subset():
    cfg = load_config(REPO / "config/config.yaml", REPO / "config/smoke.yaml", schema_dir=REPO / "config/schemas")
    models = cfg["firmware"]["models"]
    assert "fixture/fixture_int8" in models and cfg["firmware"]["emulation"]["vectors"] >= 24
