"""The integer primitives of the generated C equal TFLite's (as ported in
tinyids.codegen.fixedpoint), bit for bit and free of undefined behaviour; the scratch planner
never lets two live buffers overlap."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyids.codegen import host, source
from tinyids.codegen import fixedpoint as fx
from tinyids.codegen.memory import Interval, check, plan

I32 = st.integers(min_value=fx.INT32_MIN, max_value=fx.INT32_MAX)

_MAIN = r"""
#include <stdio.h>
int main(void)
{
    char op[16];
    long long a, b, c;
    while (scanf("%15s %lld %lld %lld", op, &a, &b, &c) == 4) {
        long long r = 0;
        int nb = 0;
        if (op[0] == 'R') r = tinyids_rdpot((int32_t)a, (int)b);
        else if (op[0] == 'H') r = tinyids_srdhm((int32_t)a, (int32_t)b);
        else if (op[0] == 'S') r = tinyids_mbqm_single((int32_t)a, (int32_t)b, (int)c);
        else if (op[0] == 'D') r = tinyids_mbqm_double((int32_t)a, (int32_t)b, (int)c);
        else if (op[0] == 'O') r = tinyids_one_over_one_plus_x((int32_t)a);
        else if (op[0] == 'Q') { r = tinyids_reciprocal((int32_t)a, &nb); r = r * 64 + nb; }
        else if (op[0] == 'C') r = tinyids_clamp8((int32_t)a, (int32_t)b, (int32_t)c);
        printf("%lld\n", r);
    }
    return 0;
}
"""


@pytest.fixture(scope="module")
def primitives(tmp_path_factory):
    """The primitives exactly as generated sources inline them (the kernel files), compiled
    with the strict flags and UBSan."""
    try:
        host.require_tool("gcc")
    except host.BuildError as exc:
        pytest.fail(str(exc))
    tmp = tmp_path_factory.mktemp("prims")
    src = tmp / "prims.c"
    src.write_text(source.inline(["tinyids_mbqm_single.h", "tinyids_mbqm_double.h", "tinyids_clamp.h",
                                  "tinyids_reciprocal.h"]) + _MAIN)
    exe = host.compile_c([src], tmp / "prims", flags=(*host.STRICT_FLAGS, "-O1", "-fsanitize=undefined",
                                                      "-fno-sanitize-recover=all"))

    def run(lines: list[tuple]) -> list[int]:
        text = "".join(f"{op} {a} {b} {c}\n" for op, a, b, c in lines)
        out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True)
        return [int(v) for v in out.stdout.split()]

    return run


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(I32, st.integers(0, 31)), min_size=1, max_size=200))
def test_rounding_divide_by_pot_matches_gemmlowp(primitives, cases):
    got = primitives([("R", x, e, 0) for x, e in cases])
    assert got == [fx.rdpot(x, e) for x, e in cases]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(I32, I32), min_size=1, max_size=200))
def test_saturating_rounding_doubling_high_mul_matches_gemmlowp(primitives, cases):
    cases = cases + [(fx.INT32_MIN, fx.INT32_MIN), (fx.INT32_MIN, fx.INT32_MAX), (-1, 1)]
    got = primitives([("H", a, b, 0) for a, b in cases])
    assert got == [fx.srdhm(a, b) for a, b in cases]


MULT = st.integers(min_value=1 << 30, max_value=fx.INT32_MAX)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-(1 << 24), 1 << 24), MULT, st.integers(-31, 6)), min_size=1, max_size=200))
def test_multiply_by_quantized_multiplier_single_and_double_rounding(primitives, cases):
    single = primitives([("S", x, m, s) for x, m, s in cases])
    double = primitives([("D", x, m, s) for x, m, s in cases])
    assert single == [fx.mbqm(x, m, s, "single") for x, m, s in cases]
    assert double == [fx.mbqm(x, m, s, "double") for x, m, s in cases]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, fx.INT32_MAX), min_size=1, max_size=100),
       st.lists(st.integers(1 << 19, 1 << 27), min_size=1, max_size=100))
def test_reciprocal_matches_tflite_get_reciprocal(primitives, xs, sums):
    assert primitives([("O", a, 0, 0) for a in xs]) == [fx.one_over_one_plus_x_for_x_in_0_1(a) for a in xs]
    got = primitives([("Q", s, 0, 0) for s in sums])
    want = []
    for s in sums:
        r, nb = fx.get_reciprocal(s, 12)
        want.append(r * 64 + nb)
    assert got == want


def test_quantize_multiplier_matches_tflite_examples():
    assert fx.quantize_multiplier(0.0) == (0, 0)
    assert fx.quantize_multiplier(0.5) == (1 << 30, 0)
    assert fx.quantize_multiplier(1.0) == (1 << 30, 1)
    m, s = fx.quantize_multiplier(0.0012345)
    assert abs(m / 2**31 * 2.0**s - 0.0012345) < 1e-12
    assert fx.quantize_multiplier(1e-12) == (0, 0)  # shifts below -31 flush to zero


def test_softmax_exp_table_approximates_exp():
    p = fx.softmax_params(1.0, 0.1)
    for d, raw in enumerate(p["exp_table"][:60]):
        assert raw / 2**31 == pytest.approx(math.exp(-0.1 * d), abs=2e-6)
    assert p["exp_table"][0] == fx.INT32_MAX


def test_softmax_reference_is_a_distribution():
    p = fx.softmax_params(1.0, 0.05)
    x = np.array([[10, -3, 40, 0, -128]], dtype=np.int8)
    out = fx.softmax_reference(x, p).astype(int)
    probs = (out + 128) / 256
    assert out.argmax() == 2 and probs.sum() == pytest.approx(1.0, abs=0.03)


def test_logistic_table_is_monotone_and_centred():
    table = fx.logistic_table(0.05, 3, 1 / 256, -128)
    by_input = [table[v & 0xFF] for v in range(-128, 128)]
    assert by_input == sorted(by_input)
    assert by_input[3 + 128] == 0  # sigmoid(0) = 0.5 -> 128 - 128


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 20), st.integers(0, 6)), min_size=1, max_size=25))
def test_scratch_plan_never_overlaps_live_buffers(specs):
    intervals = [Interval(i, size, first, first + length) for i, (size, first, length) in enumerate(specs)]
    offsets, total = plan(intervals)
    check(intervals, offsets)
    assert total >= max(iv.size for iv in intervals)
    assert all(offsets[iv.key] + iv.size <= total for iv in intervals)


def test_scratch_plan_of_a_chain_is_ping_pong():
    sizes = [40, 16, 5, 5]
    intervals = [Interval(i, s, i, i + 1) for i, s in enumerate(sizes)]
    offsets, total = plan(intervals)
    check(intervals, offsets)
    assert total == max(a + b for a, b in zip(sizes, sizes[1:]))
