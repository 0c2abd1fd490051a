"""ibrahim2025 statistics on inputs whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats as sps

from tinyids.ibrahim2025.statistics import mcnemar_exact, paired_bootstrap_accuracy, paired_t_test


def test_mcnemar_exact_counts_discordant_pairs_and_matches_the_binomial_tail():
    y = np.array([1] * 20)
    a = y.copy()  # A always right
    b = y.copy()
    b[:6] = 0  # B wrong on 6 rows
    r = mcnemar_exact(y, a, b)
    assert (r.only_a_correct, r.only_b_correct, r.both_correct, r.both_wrong) == (6, 0, 14, 0)
    assert r.p_value == pytest.approx(2 * 0.5**6)


def test_mcnemar_exact_of_identical_predictions_is_one():
    y = np.array([0, 1, 1, 0, 1])
    p = np.array([0, 1, 0, 0, 1])
    assert mcnemar_exact(y, p, p).p_value == 1.0


@given(st.integers(0, 30), st.integers(0, 30))
@settings(max_examples=40, deadline=None)
def test_mcnemar_is_symmetric_in_the_two_models(b, c):
    y = np.ones(b + c + 5, dtype=int)
    pa = np.ones_like(y)
    pb = np.ones_like(y)
    pb[:b] = 0
    pa[b:b + c] = 0
    assert mcnemar_exact(y, pa, pb).p_value == pytest.approx(mcnemar_exact(y, pb, pa).p_value)
    assert 0.0 <= mcnemar_exact(y, pa, pb).p_value <= 1.0


def test_paired_bootstrap_interval_covers_the_observed_difference_and_is_seeded():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    a = np.where(rng.random(500) < 0.9, y, 1 - y)
    b = np.where(rng.random(500) < 0.8, y, 1 - y)
    ci = paired_bootstrap_accuracy(y, a, b, resamples=2000, seed=1)
    observed = np.mean(a == y) - np.mean(b == y)
    assert ci.difference == pytest.approx(observed)
    assert ci.low < observed < ci.high
    assert ci == paired_bootstrap_accuracy(y, a, b, resamples=2000, seed=1)


def test_paired_bootstrap_of_identical_models_is_a_point_at_zero():
    y = np.array([0, 1] * 50)
    p = y.copy()
    p[:7] = 1 - p[:7]
    ci = paired_bootstrap_accuracy(y, p, p, resamples=500)
    assert (ci.difference, ci.low, ci.high) == (0.0, 0.0, 0.0)


def test_paired_t_test_agrees_with_scipy_and_reports_fold_means():
    a = [0.97, 0.98, 0.96, 0.99, 0.97]
    b = [0.96, 0.97, 0.96, 0.97, 0.95]
    t = paired_t_test(a, b)
    ref = sps.ttest_rel(a, b)
    assert t.t_statistic == pytest.approx(ref.statistic) and t.p_value == pytest.approx(ref.pvalue)
    assert t.mean_a == pytest.approx(np.mean(a)) and t.sd_b == pytest.approx(np.std(b, ddof=1))
    assert t.folds == 5


def test_paired_t_test_of_a_constant_zero_difference_is_not_significant():
    assert paired_t_test([0.9, 0.8], [0.9, 0.8]).p_value == 1.0


def test_paired_t_test_needs_two_folds():
    with pytest.raises(ValueError):
        paired_t_test([0.9], [0.8])
