"""Is the pruned model's accuracy different from the full model's?

The paper reports "a paired t-test" without saying over what. On one test split the paired
observations are the predictions, so the default tests are:

- McNemar's exact test on the discordant pairs (b: only model A right, c: only model B right;
  two-sided binomial test of b against Binomial(b + c, 1/2));
- a paired bootstrap (same resampled rows for both models) percentile confidence interval of
  the accuracy difference A - B.

With ``cv_folds > 1`` a paired t-test over the per-fold accuracies is added (mean and sd per
model and of the difference).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class McNemar:
    n: int
    both_correct: int
    only_a_correct: int  # b
    only_b_correct: int  # c
    both_wrong: int
    p_value: float


def mcnemar_exact(y_true: Sequence[int], pred_a: Sequence[int], pred_b: Sequence[int]) -> McNemar:
    """Exact (binomial) McNemar test of two classifiers' paired predictions."""
    y = np.asarray(y_true).astype(int)
    a = np.asarray(pred_a).astype(int) == y
    b = np.asarray(pred_b).astype(int) == y
    if not (y.shape == a.shape == b.shape):
        raise ValueError("y_true, pred_a and pred_b must have the same length")
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    discordant = only_a + only_b
    p = 1.0 if discordant == 0 else float(stats.binomtest(only_a, discordant, 0.5, alternative="two-sided").pvalue)
    return McNemar(int(y.size), int(np.sum(a & b)), only_a, only_b, int(np.sum(~a & ~b)), min(1.0, p))


@dataclass(frozen=True)
class BootstrapCI:
    difference: float
    low: float
    high: float
    confidence: float
    resamples: int


def paired_bootstrap_accuracy(
    y_true: Sequence[int], pred_a: Sequence[int], pred_b: Sequence[int], *,
    resamples: int = 10000, confidence: float = 0.95, seed: int = 0,
) -> BootstrapCI:
    """Percentile CI of accuracy(A) - accuracy(B), resampling test rows with replacement."""
    y = np.asarray(y_true).astype(int)
    diff = (np.asarray(pred_a).astype(int) == y).astype(np.float64) - (np.asarray(pred_b).astype(int) == y)
    n = diff.size
    if n == 0:
        return BootstrapCI(float("nan"), float("nan"), float("nan"), confidence, resamples)
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    chunk = max(1, min(resamples, 2_000_000 // max(n, 1)))
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = diff[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return BootstrapCI(float(diff.mean()), float(low), float(high), confidence, resamples)


@dataclass(frozen=True)
class PairedTTest:
    folds: int
    mean_a: float
    sd_a: float
    mean_b: float
    sd_b: float
    mean_difference: float
    sd_difference: float
    t_statistic: float
    p_value: float


def paired_t_test(values_a: Sequence[float], values_b: Sequence[float]) -> PairedTTest:
    """Paired t-test over folds (needs at least two folds; sd uses ddof=1)."""
    a = np.asarray(values_a, dtype=np.float64)
    b = np.asarray(values_b, dtype=np.float64)
    if a.shape != b.shape or a.size < 2:
        raise ValueError("a paired t-test needs two equal-length samples of at least 2 folds")
    d = a - b
    if np.allclose(d, d[0]):
        t, p = (0.0, 1.0) if d[0] == 0 else (float(np.sign(d[0]) * np.inf), 0.0)
    else:
        res = stats.ttest_rel(a, b)
        t, p = float(res.statistic), float(res.pvalue)
    return PairedTTest(int(a.size), float(a.mean()), float(a.std(ddof=1)), float(b.mean()), float(b.std(ddof=1)),
                       float(d.mean()), float(d.std(ddof=1)), t, p)


def as_row(obj) -> dict:
    return asdict(obj)
