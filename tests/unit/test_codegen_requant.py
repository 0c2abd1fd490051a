"""The 32-bit requantization form (tinyids.codegen.requant, kernels/tinyids_rq32.h) equals
TFLite's MultiplyByQuantizedMultiplier, single and double rounding, for every accumulator within
the bound the generator gives it: exhaustively over edge values and ties, and on 300,000 random
draws (vectorized with Python integers' exact arithmetic); and it refuses what it cannot do."""

from __future__ import annotations

import random

import pytest

from tinyids.codegen import fixedpoint as fx
from tinyids.codegen import requant


def _reference(x: int, m: int, shift: int, rounding: str) -> int:
    return fx.mbqm(x, m, shift, rounding)


def test_requant_form_equals_tflite_on_every_edge_value_and_tie():
    checked = 0
    for rounding in ("single", "double"):
        for shift in range(-31, 31):
            for m in (0, 1 << 30, (1 << 30) + 1, 1518500250, (1 << 31) - 1):
                for bound in (1, 127, 255, 32767, 65535, 65536, (1 << 20) - 1, (1 << 24) - 1):
                    p = requant.params(m, shift, rounding, bound)
                    if p is None:
                        continue
                    xs = {0, 1, -1, 2, -2, bound, -bound, bound - 1, -bound + 1, bound // 2, -(bound // 2)}
                    if shift < 0 and -shift < 25:
                        tie = 1 << -shift  # x m / 2^(31 - shift) = 1/2 when m = 2^30
                        xs |= {t for t in (tie, -tie, tie + 1, -tie - 1, 3 * tie, -3 * tie) if abs(t) <= bound}
                    for x in xs:
                        assert requant.apply(x, p) == _reference(x, m, shift, rounding), (x, m, shift, rounding, p)
                        checked += 1
    assert checked > 20_000


def test_requant_form_equals_tflite_on_300k_random_accumulators():
    rng = random.Random(20261201)
    applied = 0
    for _ in range(1500):
        m = rng.randrange(1 << 30, 1 << 31)
        shift = rng.randrange(-30, 10)
        rounding = rng.choice(("single", "double"))
        bound = rng.randrange(1, 1 << 24)
        p = requant.params(m, shift, rounding, bound)
        if p is None:
            continue
        for _ in range(250):
            x = rng.randrange(-bound, bound + 1)
            assert requant.apply(x, p) == _reference(x, m, shift, rounding), (x, m, shift, rounding, p)
        applied += 250
    assert applied >= 250_000


def test_requant_form_uses_a_byte_aligned_shift_and_two_products_only_when_the_bound_allows():
    p = requant.params(1 << 30, -7, "double", 1000)
    assert p is not None and 32 + 8 * p.b >= 31 + 7 and 0 <= p.k <= 7 and p.narrow
    q = requant.params(1 << 30, -7, "double", 1 << 20)
    assert q is not None and not q.narrow
    assert len(q.words()) == 6


@pytest.mark.parametrize("args", [
    ((1 << 30), -30, "single", 1 << 10),   # 31 - shift = 61 > 56: leaves the int64 range
    ((1 << 30), 0, "double", 1 << 30),     # x 2^k reaches 2^31
    ((1 << 30), 20, "single", 1 << 20),    # the result would not fit an int32
])
def test_requant_form_refuses_what_it_cannot_compute_exactly(args):
    assert requant.params(*args) is None
