"""The C kernels that every generated model inlines (tinyids/codegen/kernels) pass their own C
tests (tests/c/test_<family>.c: known values and edge cases, in the style of emlearn's C tests)
on the host, built with the project's strict flags and UBSan, and on the Arduino Uno's MCU
(ATmega328P: 16-bit int, constants in flash through PROGMEM) built with avr-gcc and run under
simavr. A missing toolchain fails with its install hint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinyids.codegen import host
from tinyids.codegen.source import KERNEL_DIR, kernel_order
from tinyids.firmware.emulate import run_bounded

C_DIR = Path(__file__).resolve().parents[1] / "c"
C_TESTS = sorted(p.name for p in C_DIR.glob("test_*.c"))
UBSAN = ("-fsanitize=undefined", "-fno-sanitize-recover=all")
AVR_FLAGS = ("-mmcu=atmega328p", "-Os")
_DONE = re.compile(r"TT DONE (\d+) (\d+)")
_INCLUDE = re.compile(r'^\s*#\s*include\s+"(tinyids_[a-z0-9_]+\.h)"', re.M)


def _tools(*names: str) -> None:
    for name in names:
        try:
            host.require_tool(name)
        except host.BuildError as exc:
            pytest.fail(str(exc))


def _verdict(output: str, name: str) -> int:
    """The number of checks that ran; fails on any failed check or a run that did not finish."""
    clean = re.sub(r"\x1b\[[0-9;]*m", "", output)
    failures = [ln for ln in clean.splitlines() if "TT FAIL" in ln]
    done = _DONE.search(clean)
    assert done, f"{name} did not finish:\n{clean[-3000:]}"
    assert int(done.group(2)) == 0 and not failures, f"{name}:\n" + "\n".join(failures)
    return int(done.group(1))


def test_every_kernel_file_is_covered_by_a_c_test():
    covered = kernel_order(sorted({inc for t in C_TESTS for inc in _INCLUDE.findall((C_DIR / t).read_text())
                                   if (KERNEL_DIR / inc).exists()}))
    kernels = sorted(p.name for p in KERNEL_DIR.glob("tinyids_*.h"))
    assert kernels and sorted(covered) == kernels


@pytest.mark.parametrize("test", C_TESTS)
def test_kernel_family_passes_its_c_checks_on_the_host(test, tmp_path):
    _tools("gcc")
    exe = host.compile_c([C_DIR / test], tmp_path / "t", flags=(*host.STRICT_FLAGS, "-O1", *UBSAN),
                         include_dirs=[KERNEL_DIR, C_DIR], libs=["-lm"])
    rc, out, _ = run_bounded([str(exe)], timeout_s=60)
    assert _verdict(out, test) > 0
    assert rc == 0, out[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("test", C_TESTS)
def test_kernel_family_passes_its_c_checks_on_the_atmega328p_under_simavr(test, tmp_path):
    _tools("avr-gcc", "simavr")
    elf = host.compile_c([C_DIR / test], tmp_path / "t.elf", cc="avr-gcc", flags=(*host.STRICT_FLAGS, *AVR_FLAGS),
                         include_dirs=[KERNEL_DIR, C_DIR], libs=["-lm"])
    _rc, out, _ = run_bounded(["simavr", "-m", "atmega328p", "-f", "16000000", str(elf)], timeout_s=120)
    assert _verdict(out, f"{test} on the ATmega328P") > 0
