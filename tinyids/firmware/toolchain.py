"""What the firmware stage runs with: compiler, emulator and PlatformIO versions."""

from __future__ import annotations

import shutil
import subprocess

TOOLS = {
    "avr-gcc": ["avr-gcc", "--version"],
    "arm-none-eabi-gcc": ["arm-none-eabi-gcc", "--version"],
    "xtensa-lx106-elf-gcc": ["xtensa-lx106-elf-gcc", "--version"],
    "aarch64-linux-gnu-gcc": ["aarch64-linux-gnu-gcc", "--version"],
    "gcc": ["gcc", "--version"],
    "simavr": ["dpkg-query", "-W", "-f=${Version}", "simavr"],
    "qemu-system-arm": ["qemu-system-arm", "--version"],
    "qemu-system-xtensa": ["qemu-system-xtensa", "--version"],
    "qemu-aarch64": ["qemu-aarch64", "--version"],
    "readelf": ["readelf", "--version"],
}
# Debian packages the stage needs (set-up: apt-get install these)
DEBIAN_PACKAGES = [
    "gcc-avr", "avr-libc", "binutils-avr", "simavr", "gcc-arm-none-eabi", "libnewlib-arm-none-eabi",
    "qemu-system-arm", "qemu-system-misc", "gcc-xtensa-lx106", "gcc-aarch64-linux-gnu",
    "libc6-dev-arm64-cross", "picolibc-xtensa-lx106-elf", "qemu-user", "binutils",
]


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, cmd in TOOLS.items():
        if shutil.which(cmd[0]) is None:
            out[name] = None
            continue
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            text = (res.stdout or res.stderr).strip().splitlines()
            out[name] = text[0] if text else ""
        except (OSError, subprocess.TimeoutExpired):
            out[name] = None
    return out


def missing() -> list[str]:
    return [k for k, v in versions().items() if v is None]
