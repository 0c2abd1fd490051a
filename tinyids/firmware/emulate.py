"""Running firmware in emulators (always under a timeout) and reading what it prints.

* ``simavr`` (Uno): cycle-accurate at 16 MHz; the firmware reads Timer1 at clk/1, so its counts
  are CPU cycles, the same numbers a real Uno prints. simavr echoes the UART on stderr, with
  colour codes and each newline shown as ``.``.
* ``qemu-system-arm -M mps2-an500`` (Cortex-M7) and ``qemu-system-xtensa -M sim`` (LX106):
  not cycle models. With ``-icount shift=N`` the virtual clock advances 2^N ns per guest
  instruction; the firmware prints raw ticks of a timer on that clock (SysTick at 25 MHz,
  CCOUNT at 40 MHz), converted here to **instructions** (never cycles or microseconds).
* ``qemu-aarch64`` (Raspberry Pi, static Linux binary) and the host build: parity only.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class EmulationTimeout(Exception):
    pass


def emulator_command(emulator: str, elf: str | Path, *, icount_shift: int = 6, f_cpu: int = 16_000_000) -> list[str]:
    elf = str(elf)
    if emulator == "simavr":
        return ["simavr", "-m", "atmega328p", "-f", str(f_cpu), elf]
    if emulator == "qemu-system-arm":
        return [
            "qemu-system-arm", "-M", "mps2-an500", "-cpu", "cortex-m7", "-nographic",
            "-monitor", "none", "-serial", "none",
            "-semihosting-config", "enable=on,target=native",
            "-icount", f"shift={icount_shift}", "-kernel", elf,
        ]
    if emulator == "qemu-system-xtensa":
        return [
            "qemu-system-xtensa", "-M", "sim", "-cpu", "lx106", "-nographic", "-monitor", "none",
            "-semihosting", "-icount", f"shift={icount_shift}",
            "-device", f"loader,file={elf},cpu-num=0",
        ]
    if emulator == "qemu-aarch64":
        return ["qemu-aarch64", elf]
    if emulator == "native":
        return [elf]
    raise ValueError(f"unknown emulator {emulator!r}")


def run_bounded(cmd: list[str], timeout_s: float) -> tuple[int, str, float]:
    """Run ``cmd`` in its own process group; on timeout kill the whole group and raise."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise EmulationTimeout(
            f"{cmd[0]} did not finish in {timeout_s} s; output tail: {out.decode(errors='replace')[-300:]!r}"
        ) from None
    return proc.returncode, out.decode(errors="replace"), time.monotonic() - t0


@dataclass
class RunOutput:
    model: str = ""
    board: str = ""
    unit: str = ""
    n: int = 0
    preds: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    complete: bool = False


def parse_output(text: str) -> RunOutput:
    """Parse the firmware's console protocol (see firmware/src/main.c)."""
    out = RunOutput()
    for raw in _ANSI.sub("", text).splitlines():
        line = raw.strip()
        if line.endswith(".") and (line.startswith(("P ", "S ", "TINYIDS"))):
            line = line[:-1]  # simavr shows the newline as '.'
        if line.startswith("TINYIDS BEGIN"):
            kv = dict(tok.split("=", 1) for tok in line.split()[2:] if "=" in tok)
            out.model, out.board, out.unit = kv.get("model", ""), kv.get("board", ""), kv.get("unit", "")
            out.n = int(kv.get("n", 0))
        elif line.startswith("P "):
            parts = line.split()
            if len(parts) == 5:
                _, idx, pred, label, count = parts
                if int(idx) != len(out.preds):
                    raise ValueError(f"prediction line {idx} out of order")
                out.preds.append(int(pred))
                out.labels.append(int(label))
                out.counts.append(int(count))
        elif line.startswith("S "):
            out.summary = {k: int(v) for k, v in (tok.split("=", 1) for tok in line.split()[1:] if "=" in tok)}
        elif line.startswith("TINYIDS END"):
            out.complete = True
    return out


def ticks_to_instructions(ticks: np.ndarray, icount_shift: int, tick_hz: float) -> np.ndarray:
    """QEMU -icount: 2^shift ns of virtual time per instruction; a timer at ``tick_hz`` on that
    clock counts ``2^shift * tick_hz / 1e9`` ticks per instruction."""
    per_insn = (2**icount_shift) * tick_hz / 1e9
    return np.rint(np.asarray(ticks, dtype=np.float64) / per_insn).astype(np.int64)


def run_firmware(emulator: str, elf: str | Path, *, timeout_s: float, icount_shift: int = 6,
                 f_cpu: int = 16_000_000) -> tuple[RunOutput, str, float]:
    cmd = emulator_command(emulator, elf, icount_shift=icount_shift, f_cpu=f_cpu)
    rc, text, seconds = run_bounded(cmd, timeout_s)
    parsed = parse_output(text)
    if not parsed.complete or len(parsed.preds) != parsed.n:
        raise RuntimeError(
            f"{emulator} run of {elf} incomplete (rc {rc}, {len(parsed.preds)}/{parsed.n} predictions); "
            f"tail: {text[-400:]!r}"
        )
    return parsed, text, seconds
