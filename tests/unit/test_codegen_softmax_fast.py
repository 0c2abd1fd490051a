"""The fast variant's SOFTMAX (``tinyids_softmax_fast``, kernels/tinyids_softmax_fast.h): the exp
tables tests/c/test_softmax_fast.c compares it on are the tables the generator emits (the real
models' and synthetic ones), and the generator uses it only within the kernel's preconditions,
the reference kernel otherwise. The kernel itself is checked against tinyids_softmax in
tests/c/test_softmax_fast.c (host and ATmega328P: tests/unit/test_codegen_kernels_c.py) and on
whole models in tests/unit/test_codegen_avr.py and test_codegen_random_models.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.ops import fast

C_TEST = Path(__file__).resolve().parents[1] / "c" / "test_softmax_fast.c"


def _cut(beta: float, scale: float) -> tuple[list[int], int]:
    """The table and diff_min as tinyids/codegen/ops/softmax.py emits them."""
    p = fx.softmax_params(beta, scale)
    table = list(p["exp_table"])
    cut = len(table)
    while cut > 1 and table[cut - 1] <= 2047:
        cut -= 1
    return table[:cut], max(p["diff_min"], -(cut - 1), -256)


def test_the_c_tests_tables_are_the_generators():
    text = C_TEST.read_text()
    body = re.search(r"exp_tables\[(\d+)\] TINYIDS_CONST = \{(.*?)\};", text, re.S)
    values = [int(v) for v in body.group(2).replace("\n", " ").split(",") if v.strip()]
    assert len(values) == int(body.group(1))
    rows = re.findall(r"\{(\d+), (\d+), (-?\d+)\}, /\* [^:]+: beta ([0-9.e-]+), input scale ([0-9.e-]+):", text)
    assert len(rows) == int(re.search(r"#define N_CONFIGS (\d+)", text).group(1)) >= 5
    for offset, entries, diff_min, beta, scale in rows:
        table, want_min = _cut(float(beta), float(scale))
        assert values[int(offset):int(offset) + int(entries)] == table, (beta, scale)
        assert int(diff_min) == want_min, (beta, scale)
        assert table[0] == fx.INT32_MAX and min(table) >= 0  # the kernel's preconditions


class _Em:
    def __init__(self):
        self.kernels, self.calls, self.specialised = [], [], []

    def kernel(self, key):
        self.kernels.append(key)


class _Op:
    index = 7


@pytest.mark.parametrize("depth, table, used", [
    (5, [fx.INT32_MAX, 1 << 30, 4096], True),
    (fast.SOFTMAX_MAX_DEPTH, [fx.INT32_MAX], True),
    (fast.SOFTMAX_MAX_DEPTH + 1, [fx.INT32_MAX], False),  # the sum could reach 2^27
    (5, [fx.INT32_MAX - 1, 4096], False),  # not exp(0) first: the sum's lower bound fails
    (5, [fx.INT32_MAX, -1], False),
])
def test_the_generator_uses_the_fast_kernel_only_within_its_preconditions(depth, table, used):
    em = _Em()
    assert fast.softmax(em, _Op(), "a", "b", 1, depth, -(len(table) - 1), table, "T") is used
    assert em.kernels == (["softmax_fast"] if used else [])
    assert em.calls == ([f"    tinyids_softmax_fast(a, b, 1, {depth}, {-(len(table) - 1)}, T);"] if used else [])
    assert len(em.specialised) == 1 and em.specialised[0].startswith("SOFTMAX 7: reference kernel") is not used
