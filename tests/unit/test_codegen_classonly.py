"""predict_class may skip the final SOFTMAX only where that provably keeps the class: the gap
found by tinyids.codegen.classonly.softmax_gap keeps argmax(int8 softmax) = first argmax of the
logits on every row whose top two logits are that far apart (ties included), checked here
against TFLite's int8 softmax on random rows; a gap below it is shown to fail for small input
scales, so the analysis is not vacuous. LOGISTIC thresholds move onto the logit exactly."""

from __future__ import annotations

import numpy as np
import pytest

from tinyids.codegen import classonly
from tinyids.codegen import fixedpoint as fx


def _rows(rng, n: int, depth: int, spread: int) -> np.ndarray:
    base = rng.integers(-128, 128, (n, 1))
    return np.clip(base - rng.integers(0, spread + 1, (n, depth)), -128, 127)


def _gap_of(x: np.ndarray) -> np.ndarray:
    top = x.max(axis=1, keepdims=True)
    below = np.where(x < top, x, -10_000).max(axis=1)
    return np.where(below == -10_000, 10_000, top[:, 0] - below)


@pytest.mark.parametrize("scale,depth", [(0.0266, 5), (0.005, 4), (0.1, 8)])
def test_softmax_gap_keeps_the_argmax_on_every_row_at_least_that_far_apart(scale, depth):
    p = fx.softmax_params(1.0, scale)
    gap = classonly.softmax_gap(p["exp_table"], p["diff_min"], depth)
    assert 1 <= gap <= classonly.NO_GAP
    rng = np.random.default_rng(int(scale * 1e6) + depth)
    x = _rows(rng, 1500, depth, 2 * gap + 2)
    out = fx.softmax_reference(x, p)
    keep = _gap_of(x) >= gap
    assert keep.sum() > 50
    np.testing.assert_array_equal(x[keep].argmax(axis=1), out[keep].argmax(axis=1))


def test_softmax_gap_is_tight_enough_to_matter_for_small_scales():
    p = fx.softmax_params(1.0, 0.002)
    gap = classonly.softmax_gap(p["exp_table"], p["diff_min"], 3)
    assert gap > 1  # a gap of one logit step is not enough at this scale: rows exist that flip
    rng = np.random.default_rng(3)
    x = _rows(rng, 1500, 3, gap)
    out = fx.softmax_reference(x, p)
    assert np.any(x.argmax(axis=1) != out.argmax(axis=1))


def test_logistic_threshold_moves_onto_the_logit_exactly():
    table = fx.logistic_table(0.05, -3, 1.0 / 256, -128)
    for thr in (-128, -20, 0, 1, 50, 127):
        q = classonly.logistic_logit_threshold(table, thr)
        assert q is not None
        for logit in range(-128, 128):
            assert (int(table[logit & 0xFF]) >= thr) == (logit >= q)
    assert classonly.logistic_logit_threshold([5, 4] + [0] * 254, 3) is None  # not monotone
