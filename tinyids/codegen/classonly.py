"""What ``tinyids_<m>_predict_class`` may skip: the final SOFTMAX or LOGISTIC, when the class it
returns provably stays the class ``predict`` returns.

``predict`` returns the argmax (first maximum) of the int8 softmax output. The int8 softmax is
non-decreasing in each logit of a row (every output shares the row's sum and reciprocal, and
the exp table, the rounding high multiply and the rounding shift are all monotone), so equal
logits give equal outputs and the first maximal logit is always among the maximal outputs. The
two argmaxes can only differ when a logit below the maximum rounds to the same output as the
maximum. :func:`softmax_gap` finds the smallest gap ``G`` between the maximum and the next
smaller logit from which that cannot happen for *any* row: for every ``d >= G`` and every sum of
exponentials ``S`` a row with such a gap can have (from the maximum alone, ``e0``, up to
``(depth - 1) * e0 + c(G)``), out(0, S) > out(d, S); out(d, S) is non-increasing in ``d``, so
checking ``d = G`` over that range of ``S`` proves it for every larger gap. The check evaluates
TFLite's arithmetic (``GetReciprocal``, ``SaturatingRoundingDoublingHighMul``,
``RoundingDivideByPOT``) exhaustively over the range, vectorized.

For LOGISTIC (one output, class ``out[0] >= threshold``) the table is checked to be
non-decreasing and the threshold is moved onto the logit (:func:`logistic_logit_threshold`).
"""

from __future__ import annotations

import numpy as np

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
MAX_DEPTH = 16  # rows wider than this are not analysed (the gap is then "always compute")
NO_GAP = 256  # no int8 gap reaches it: predict_class always computes the softmax


def _trunc_div_pot(v: np.ndarray, e: int) -> np.ndarray:
    return np.where(v >= 0, v >> e, -((-v) >> e))


def _srdhm(a: np.ndarray, b) -> np.ndarray:
    ab = a.astype(np.int64) * np.int64(b) if np.isscalar(b) else a.astype(np.int64) * b.astype(np.int64)
    nudge = np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    return _trunc_div_pot(ab + nudge, 31)


def _rdpot(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    e = np.asarray(e, dtype=np.int64)
    mask = (np.int64(1) << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (remainder > threshold)


def _wrap32(v: np.ndarray) -> np.ndarray:
    return ((v + 2**31) & 0xFFFFFFFF) - 2**31


def _sat_shl(x: np.ndarray, e: int) -> np.ndarray:
    threshold = (1 << (31 - e)) - 1
    return np.where(x > threshold, INT32_MAX, np.where(x < -threshold, INT32_MIN, _wrap32(x << e)))


def _one_over_one_plus_x(a: np.ndarray) -> np.ndarray:
    s = a + INT32_MAX
    t = s + np.where(s >= 0, 1, -1)
    half = _trunc_div_pot(t, 1)
    x = _wrap32(1515870810 + _srdhm(half, -1010580540))
    for _ in range(3):
        hdx = _srdhm(half, x)
        omhdx = _wrap32((1 << 29) - hdx)
        x = _wrap32(x + _sat_shl(_srdhm(x, omhdx), 2))
    return _sat_shl(x, 1)


def _reciprocal(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TFLite GetReciprocal(s, 12) for s > 0."""
    bits = np.floor(np.log2(s.astype(np.float64))).astype(np.int64)
    # exact bit length (log2 of an int64 below 2^53 is exact enough; fix any off-by-one)
    bits = np.where((np.int64(1) << (bits + 1)) <= s, bits + 1, bits)
    bits = np.where((np.int64(1) << bits) > s, bits - 1, bits)
    headroom = 31 - bits
    shifted = _wrap32((s << headroom) - (1 << 31))
    return _one_over_one_plus_x(shifted), 12 - headroom


def _out(scale: np.ndarray, nbits: np.ndarray, e: int) -> np.ndarray:
    unsat = _rdpot(_srdhm(scale, e), nbits + 23)
    return np.clip(unsat - 128, -128, 127)


def softmax_gap(exp_table: list[int], diff_min: int, depth: int, chunk: int = 1 << 20) -> int:
    """The smallest gap ``G`` (1..255) between the top logit and the next smaller one from which
    the int8 softmax keeps the argmax; :data:`NO_GAP` when none is proved (or the row is wider
    than :data:`MAX_DEPTH`). ``exp_table``/``diff_min`` are the kernel's (``ops/softmax.py``)."""
    if depth <= 1:
        return 1
    if depth > MAX_DEPTH:
        return NO_GAP

    def contrib(d: int) -> int:
        if -d < diff_min or d >= len(exp_table):
            return 0
        v = int(exp_table[d])
        return int(_rdpot(np.array([v], np.int64), np.array([12]))[0])

    def exp_at(d: int) -> int | None:
        return None if (-d < diff_min or d >= len(exp_table)) else int(exp_table[d])

    e0 = contrib(0)
    top = int(exp_table[0])

    def holds(g: int) -> bool:
        eg = exp_at(g)
        s_hi = (depth - 1) * e0 + contrib(g)
        for lo in range(e0, s_hi + 1, chunk):
            s = np.arange(lo, min(lo + chunk, s_hi + 1), dtype=np.int64)
            scale, nbits = _reciprocal(s)
            out0 = _out(scale, nbits, top)
            outg = np.full_like(out0, -128) if eg is None else _out(scale, nbits, eg)
            if np.any(out0 <= outg):
                return False
        return True

    if holds(1):
        return 1
    lo, hi = 1, 255  # holds(lo) is False; find the smallest g in (lo, hi] that holds
    if not holds(hi):
        return NO_GAP
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid
    return hi


def logistic_logit_threshold(table: list[int], threshold: int) -> int | None:
    """For a non-decreasing LOGISTIC table (indexed by ``(uint8_t)q``), the smallest int8 logit
    ``q`` with ``table[q] >= threshold`` (128 when none, -128 when all); ``None`` when the table
    is not monotone (then the class needs the table)."""
    values = [int(table[q & 0xFF]) for q in range(-128, 128)]
    if any(b < a for a, b in zip(values, values[1:])):
        return None
    for i, v in enumerate(values):
        if v >= threshold:
            return i - 128
    return 128
