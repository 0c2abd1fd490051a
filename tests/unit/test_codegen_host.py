"""The project's one compiler runner and object-size reader (tinyids.codegen.host): sizes of a C
file compiled alone, errors that name the command and the compiler's message, and a missing
tool reported with its install hint."""

from __future__ import annotations

import pytest

from tinyids.codegen import host

SRC = """#include <stdint.h>
static const int8_t table[100] = {1};
static int8_t scratch[40];
int8_t f(int i) { scratch[i] = table[i]; return scratch[39 - i]; }
int32_t counter = 7;
"""


def test_object_size_reads_text_data_and_bss_of_a_file_compiled_alone(tmp_path):
    (tmp_path / "m.c").write_text(SRC)
    s = host.object_size(tmp_path / "m.c")
    assert set(s) == {"text", "data", "bss"}
    assert s["text"] >= 100  # the constant table sits in .rodata, counted as text
    assert s["data"] >= 4 and s["bss"] >= 40
    # the flags are the caller's: srm2025's float models build as C11 without FP contraction
    c11 = host.object_size(tmp_path / "m.c", flags=("-Os", "-std=c11", "-ffp-contract=off"))
    assert c11["bss"] == s["bss"]


def test_a_compile_error_names_the_command_and_the_message(tmp_path):
    (tmp_path / "bad.c").write_text("int f(void) { return undeclared; }\n")
    with pytest.raises(host.BuildError, match=r"(?s)command failed \(1\): gcc .*bad\.c.*undeclared"):
        host.compile_c([tmp_path / "bad.c"], tmp_path / "bad.o", object_only=True)


def test_strict_flags_turn_warnings_into_errors(tmp_path):
    (tmp_path / "w.c").write_text("int f(int a) { int unused; return a; }\n")
    with pytest.raises(host.BuildError, match="unused"):
        host.compile_c([tmp_path / "w.c"], tmp_path / "w.o", object_only=True)


def test_a_missing_tool_fails_with_its_install_hint(monkeypatch):
    monkeypatch.setattr(host.shutil, "which", lambda name: None)
    with pytest.raises(host.BuildError, match=r"avr-gcc is not installed \(Debian: gcc-avr avr-libc; tools/setup.sh"):
        host.require_tool("avr-gcc")


def test_a_program_that_runs_too_long_is_stopped_and_named():
    with pytest.raises(host.BuildError, match=r"timed out after 0.2 s: sleep 5"):
        host.run_tool(["sleep", "5"], timeout=0.2)
