"""The board table: Table I of Idrissi et al. (2022) as configured in ``config.firmware.boards``.

The config is the one source of the budgets; the PlatformIO board JSONs in
``firmware/platform/tinyids/boards/`` carry the same numbers for PlatformIO's own size check
(``tests/unit/test_firmware_boards.py`` keeps the two equal).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from tinyids.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]
PLATFORM_DIR = REPO_ROOT / "firmware" / "platform" / "tinyids"

# toolchain of each PlatformIO env (board JSON build.toolchain) -> binutils prefix
SIZE_PREFIX = {
    "avr": "avr-",
    "arm-none-eabi": "arm-none-eabi-",
    "xtensa-lx106": "xtensa-lx106-elf-",
    "aarch64-linux-gnu": "aarch64-linux-gnu-",
    "native": "",
}


@dataclass(frozen=True)
class Board:
    id: str
    title: str
    pio_env: str
    clock_hz: int
    flash_bytes: int
    ram_bytes: int
    emulator: str  # simavr | qemu-system-arm | qemu-system-xtensa | qemu-aarch64 | none
    emulation_env: str | None  # the PlatformIO env run in the emulator (None: not emulated)
    counter: str  # what the per-inference count measures
    table_i: str  # the Table I entry, quoted
    qemu_tick_hz: float = 0.0  # QEMU targets: the frequency of the timer the firmware reads

    @property
    def toolchain(self) -> str:
        return str(board_json(self.pio_env)["build"]["toolchain"])

    @property
    def size_prefix(self) -> str | None:
        return SIZE_PREFIX.get(self.toolchain)


def board_json(env: str) -> dict[str, Any]:
    path = PLATFORM_DIR / "boards" / f"{env}.json"
    if not path.is_file():
        raise ConfigError(f"firmware: no PlatformIO board {env!r} ({path} missing)")
    return json.loads(path.read_text())


def boards_from_config(fw: Mapping[str, Any]) -> dict[str, Board]:
    out: dict[str, Board] = {}
    for bid, b in fw["boards"].items():
        out[bid] = Board(
            id=bid,
            title=str(b["title"]),
            pio_env=str(b.get("pio_env", bid)),
            clock_hz=int(b["clock_hz"]),
            flash_bytes=int(b["flash_bytes"]),
            ram_bytes=int(b["ram_bytes"]),
            emulator=str(b.get("emulator", "none")),
            emulation_env=b.get("emulation_env"),
            counter=str(b.get("counter", "none")),
            table_i=str(b.get("table_i", "")),
            qemu_tick_hz=float(b.get("qemu_tick_hz", 0.0)),
        )
    return out
