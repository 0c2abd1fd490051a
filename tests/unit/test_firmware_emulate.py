"""Emulator output parsing, tick conversion and strict timeouts."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tinyids.firmware import emulate

SIMAVR_TEXT = (
    "\x1b[32mTINYIDS BEGIN model=m board=uno unit=cycles n=2 features=7.\n"
    "\x1b[0m\x1b[32mP 0 1 1 1293.\n\x1b[0m\x1b[32mP 1 0 1 1310.\n"
    "\x1b[0m\x1b[32mS n=2 correct=1 min=1293 max=1310 cal=14 stack=47.\n\x1b[0m\x1b[32mTINYIDS END.\n"
    "\x1b[0mLoaded 2066 .text at address 0x0\n"
)


def test_parses_simavr_uart_echo():
    out = emulate.parse_output(SIMAVR_TEXT)
    assert out.complete and out.unit == "cycles" and out.n == 2
    assert out.preds == [1, 0] and out.labels == [1, 1] and out.counts == [1293, 1310]
    assert out.summary["stack"] == 47 and out.summary["correct"] == 1


def test_incomplete_output_is_not_complete():
    out = emulate.parse_output("TINYIDS BEGIN model=m board=uno unit=cycles n=3 features=7\nP 0 1 1 5\n")
    assert not out.complete and len(out.preds) == 1


def test_qemu_ticks_become_instructions():
    # shift 6: 64 ns per instruction; a 25 MHz SysTick counts 1.6 ticks per instruction
    assert emulate.ticks_to_instructions(np.array([320000]), 6, 25e6).tolist() == [200000]
    assert emulate.ticks_to_instructions(np.array([512000]), 6, 40e6).tolist() == [200000]


def test_runaway_emulator_is_killed_at_the_timeout():
    t0 = time.monotonic()
    with pytest.raises(emulate.EmulationTimeout):
        emulate.run_bounded(["sleep", "30"], timeout_s=0.5)
    assert time.monotonic() - t0 < 5


def test_emulator_commands_are_bounded_and_deterministic():
    arm = emulate.emulator_command("qemu-system-arm", "f.elf", icount_shift=6)
    assert "mps2-an500" in arm and "shift=6" in " ".join(arm) and "cortex-m7" in arm
    assert emulate.emulator_command("simavr", "f.elf", f_cpu=16_000_000)[:5] == ["simavr", "-m", "atmega328p", "-f", "16000000"]
    with pytest.raises(ValueError):
        emulate.emulator_command("esp32-qemu", "f.elf")
