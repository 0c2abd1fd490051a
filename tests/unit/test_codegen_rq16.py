"""The narrow requantization forms (tinyids.codegen.requant.rq16 and rq24, kernels/tinyids_rq16.h): the
vectorized reference it is checked against (requant.mbqm_np) equals TFLite's arithmetic
(fixedpoint.mbqm) on edge values and 200,000 random draws, and rq16's and rq24's constants reproduce
clamp(mbqm + zero point) on every accumulator of the range it is given, around zero (the double
rounding's sign-dependent constant) and away from it (the centre), and it refuses what it cannot
do."""

from __future__ import annotations

import numpy as np
import pytest

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen import requant

MULTS = (0, 1 << 30, (1 << 30) + 1, 1518500250, (1 << 31) - 1)


def test_vectorized_reference_equals_tflite_arithmetic():
    rng = np.random.default_rng(3)
    for rounding in ("single", "double"):
        for shift in range(-31, 31):
            if rounding == "double" and shift > 0:
                xs = np.array([0, 1, -1, 2, -2, 1000, -1000, (1 << 31) >> shift, -((1 << 31) >> shift)], np.int64)
            else:
                xs = np.array([0, 1, -1, 2, -2, 3, -3, 1 << 20, -(1 << 20), (1 << 31) - 1, -(1 << 31)], np.int64)
            for m in MULTS:
                got = requant.mbqm_np(xs, m, shift, rounding)
                assert [int(v) for v in got] == [fx.mbqm(int(x), m, shift, rounding) for x in xs], (m, shift)
    for _ in range(200):
        rounding = "double" if rng.integers(2) else "single"
        shift = int(rng.integers(-30, 1))
        m = int(rng.integers(1 << 30, 1 << 31))
        xs = rng.integers(-(1 << 31), 1 << 31, size=1000, dtype=np.int64)
        got = requant.mbqm_np(xs, m, shift, rounding)
        assert [int(v) for v in got] == [fx.mbqm(int(x), m, shift, rounding) for x in xs]


def _thresholds(m, shift, rounding, zp, lo, hi, xmin, xmax):
    x = np.arange(xmin, xmax + 1, dtype=np.int64)
    out = np.clip(requant.mbqm_np(x, m, shift, rounding) + zp, lo, hi)
    below, above = x[out <= lo], x[out >= hi]
    return (int(below.max()) if below.size else xmin - 1), (int(above.min()) if above.size else xmax + 1)


def _applied_ranges(rounding, shifts, cases, build, apply):
    """Every (m, shift, zero point, range) of ``cases`` the form accepts: its arithmetic equals
    TFLite's plus the zero point on every accumulator between the saturation thresholds."""
    applied = []
    for shift in shifts:
        for m in MULTS[1:]:
            for zp, lo, hi, xmin, xmax in cases:
                a_lo, a_hi = _thresholds(m, shift, rounding, zp, lo, hi, xmin, xmax)
                x_lo, x_hi = max(a_lo + 1, xmin), min(a_hi - 1, xmax)
                if x_lo > x_hi:
                    continue
                p = build(m, shift, rounding, x_lo, x_hi, zp)
                if p is None:
                    continue
                x = np.arange(x_lo, x_hi + 1, dtype=np.int64)
                np.testing.assert_array_equal(apply(x, p), requant.mbqm_np(x, m, shift, rounding) + zp)
                applied.append(p)
    return applied


@pytest.mark.parametrize("rounding", ["single", "double"])
def test_rq16_reproduces_tflite_on_every_accumulator_of_its_range(rounding):
    cases = ((-128, -128, 127, -40000, 40000), (5, -20, 100, -3000, 3000),
             (0, -128, 127, 1 << 20, (1 << 20) + 60000), (-3, -128, 127, -70000, 0))
    applied = _applied_ranges(rounding, range(-12, 1), cases, requant.rq16, requant.apply16)
    for p in applied:  # every constant fits the C type the kernel gives it
        assert 0 <= p.ml < 1 << 16 and 0 <= p.mh < 1 << 15 and 0 <= p.kl0 < 1 << 16 and 0 <= p.kl1 < 1 << 16
        assert all(-(1 << 31) <= v < 1 << 31 for v in (p.xc, p.xs, p.kh0, p.kh1)) and 1 <= p.r
    assert len(applied) > 50


@pytest.mark.parametrize("rounding", ["single", "double"])
def test_rq24_reproduces_tflite_on_every_accumulator_of_its_range(rounding):
    cases = ((-128, -128, 127, -200000, 200000), (48, -128, 127, -150000, 50000),
             (0, -128, 127, 50_000_000, 50_300_000), (5, -20, 100, -3000, 3000))
    applied = _applied_ranges(rounding, range(-14, 1, 2), cases, requant.rq24, requant.apply24)
    for p in applied:
        assert 0 <= p.ml < 1 << 16 and 0 <= p.mh < 1 << 15 and 0 <= p.r
        assert all(0 <= v < 1 << 16 for v in (p.k10, p.k00, p.k11, p.k01))
        assert all(-(1 << 31) <= v < 1 << 31 for v in (p.xc, p.xs, p.kh0, p.kh1))
    assert len(applied) > 30


def test_rq16_refuses_what_it_cannot_do():
    assert requant.rq16(1 << 30, -5, "double", 0, 70000, 0) is None  # more than 2^16 accumulators
    assert requant.rq16(1 << 30, 2, "double", 0, 100, 0) is None  # a left shift
    assert requant.rq16(1 << 30, -20, "double", 0, 1000, 0) is None  # B would leave the int32 range
    assert requant.rq16(1 << 30, -1, "double", 0, 1000, 0) is None  # outputs beyond int8
    assert requant.rq24(1 << 30, -5, "double", 0, 10000, 0) is None  # outputs beyond int8
    assert requant.rq24(1 << 30, 0, "single", 0, 100, 0) is None  # T = 31 < 32
    assert requant.rq24(1 << 30, -20, "double", 0, requant.RQ24_CHECKED, 0) is None  # too many to check
