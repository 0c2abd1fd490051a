"""Parameters of the 32-bit requantization (``kernels/tinyids_rq32.h``), computed at generation time.

TFLite's two ``MultiplyByQuantizedMultiplier`` forms (single rounding, FULLY_CONNECTED; gemmlowp's
double rounding, CONV_2D) are both ``floor((x * 2^k * m + C) / 2^(32 + 8 b))`` for an accumulator
``x`` whose magnitude the generator bounds (the proof is in the kernel's comment). :func:`params`
picks ``k`` and ``b``, the two constants ``C`` (the double rounding's tie depends on the sign of
the high product) and whether two 16-bit partial products suffice; it returns ``None`` when the
bound or the shift does not allow the form (the generator then keeps the 64-bit kernel).
:func:`apply` is the same arithmetic in Python integers, for the tests.

:func:`rq16` computes the constants of the narrow form (``kernels/tinyids_rq16.h``: at most 2^16
accumulators between the saturation thresholds, two 16 x 16 bit products) and checks them on
every accumulator of the range against :func:`mbqm_np` (TFLite's arithmetic, vectorized);
:func:`apply16` is the kernel's arithmetic in numpy integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INT31 = 1 << 31


@dataclass(frozen=True)
class RqParams:
    m: int
    c_pos: int  # C when s = 0
    c_neg: int  # C when s = 1 (double rounding, negative high product)
    k: int  # x is scaled by 2^k
    b: int  # final shift 32 + 8 b
    narrow: bool  # |x| 2^k < 2^16: two partial products

    def words(self) -> list[int]:
        """The six int32 words of the kernel's table (``TINYIDS_RQ32_WORDS``)."""
        def split(c: int) -> tuple[int, int]:
            return _s32(c >> 32), _s32(c & 0xFFFFFFFF)
        ch_p, cl_p = split(self.c_pos)
        ch_n, cl_n = split(self.c_neg)
        return [self.m, ch_p, cl_p, ch_n, cl_n, self.k | (self.b << 8) | (int(self.narrow) << 16)]


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= INT31 else v


def params(multiplier: int, shift: int, rounding: str, bound: int, *, lo: int | None = None,
           hi: int | None = None) -> RqParams | None:
    """Parameters for ``MultiplyByQuantizedMultiplier(x, multiplier, shift)`` with ``rounding``
    "single" or "double", valid for every ``|x| <= bound`` (or every x in [lo, hi] when given:
    the accumulators between the saturation thresholds, a smaller range that may allow the
    two-product form); ``None`` when the form does not apply."""
    m = int(multiplier)
    if lo is None or hi is None:
        lo, hi = -bound, bound
    if not 0 <= m < INT31 or hi < lo:
        return None
    form = _form(m, shift, rounding)
    if form is None:
        return None
    total, pre, c_pos, c_neg = form
    if total > 56:
        return None  # N + C could leave the int64 range
    if max(abs(lo), abs(hi)) * (1 << pre) >= INT31:
        return None  # TFLite's own x << shift would overflow
    if ((max(abs(lo), abs(hi)) << pre) * m >> total) + 1 >= INT31:
        return None  # the result must fit an int32 (TFLite checks the same)
    # (centring x - c, with c m folded into C, would make more channels "narrow"; on the
    # ATmega328P it measured slower: 13,003 against 11,488 cycles for tMOP)
    span = max(abs(lo), abs(hi))
    # the final shift byte-aligned (32 + 8 b: byte moves on 8-bit cores; r stays 0)
    j = (32 + 8 * max(0, -(-(total - 32) // 8))) - total
    k = pre + j
    if k > 31 or span * (1 << k) >= INT31:
        return None
    return RqParams(m=m, c_pos=c_pos << j, c_neg=c_neg << j, k=k, b=(total + j - 32) // 8,
                    narrow=span * (1 << k) < (1 << 16))


def apply(x: int, p: RqParams) -> int:
    """The kernel's arithmetic (exact integers)."""
    s = x < 0 and (x < -1 or p.m != (1 << 30))
    c = p.c_neg if s else p.c_pos
    return (x * (1 << p.k) * p.m + c) >> (32 + 8 * p.b)


# ---- the narrow form (kernels/tinyids_rq16.h) -----------------------------------------------

@dataclass(frozen=True)
class Rq16Params:
    """Constants of ``tinyids_rq16_int8`` (the proof is in the kernel's comment): v = x - xc,
    m = mh 2^16 + ml, K = kh 2^16 + kl (kh1, kl1 when x < xs), result floor(B / 2^r)."""
    xc: int
    xs: int
    ml: int
    mh: int
    kh0: int
    kl0: int
    kh1: int
    kl1: int
    r: int


def _form(m: int, shift: int, rounding: str) -> tuple[int, int, int, int] | None:
    """(T, pre, C0, C1) of ``floor((x 2^pre m + C) / 2^T)`` (C1 when the double rounding's high
    product is negative), as :func:`params` builds them; None when the form does not apply."""
    if rounding == "double":
        if shift >= 0:
            total, pre, c_pos = 31, shift, 1 << 30
            c_neg = c_pos
        else:
            e = -shift
            total, pre = 31 + e, 0
            c_pos = (1 << 30) + (1 << (30 + e))
            c_neg = c_pos - INT31
    elif rounding == "single":
        total = 31 - shift
        if total < 1:
            return None
        pre, c_pos = 0, 1 << (total - 1)
        c_neg = c_pos
    else:
        raise ValueError(f"rounding must be 'single' or 'double', not {rounding!r}")
    if m == 0:
        c_neg = c_pos
    return total, pre, c_pos, c_neg


def _wrap32(v: np.ndarray) -> np.ndarray:
    return ((v + INT31) & 0xFFFFFFFF) - INT31


def mbqm_np(x: np.ndarray, m: int, shift: int, rounding: str) -> np.ndarray:
    """TFLite's ``MultiplyByQuantizedMultiplier`` (:func:`tinyids.codegen.fixedpoint.mbqm`) on an
    int64 array of accumulators with |x| < 2^31, m in [0, 2^31), in numpy int64 arithmetic
    (every intermediate below 2^63)."""
    x = np.asarray(x, dtype=np.int64)
    if rounding == "single":
        total = 31 - shift
        return _wrap32((x * m + (1 << (total - 1))) >> total)
    left, right = (shift, 0) if shift > 0 else (0, -shift)
    a = _wrap32(x << left)
    ab = a * m  # |a| <= 2^31, m < 2^31: below 2^62; a == b == INT32_MIN cannot occur (m >= 0)
    v = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    q = _wrap32(np.where(v >= 0, v >> 31, -((-v) >> 31)))  # C++ division truncates
    if right == 0:
        return q
    mask = (1 << right) - 1
    threshold = (mask >> 1) + (q < 0).astype(np.int64)
    return (q >> right) + ((q & mask) > threshold).astype(np.int64)


def _in32(v: np.ndarray) -> bool:
    return bool(v.size == 0 or (v.min() >= -INT31 and v.max() < INT31))


def rq16(multiplier: int, shift: int, rounding: str, lo: int, hi: int, zp: int) -> Rq16Params | None:
    """Constants of ``tinyids_rq16_int8`` for the accumulators in [lo, hi] (those strictly between
    the saturation thresholds) and output zero point ``zp``; ``None`` when the form does not apply.
    Before returning, the kernel's arithmetic is evaluated on every accumulator of the range
    (numpy int64, each intermediate checked to be an int32 as the C computes it) against TFLite's
    (:func:`mbqm_np`) plus ``zp``, and the result checked to be an int8."""
    m = int(multiplier)
    if not 0 <= m < INT31 or hi < lo or hi - lo > 0xFFFF or not -INT31 <= lo <= hi < INT31:
        return None
    form = _form(m, shift, rounding)
    if form is None:
        return None
    total, pre, c_pos, c_neg = form
    if pre != 0 or not 17 <= total <= 56:
        return None
    xc = 0 if -(1 << 15) <= lo and hi < (1 << 15) else lo + (1 << 15)
    # s = [x < xs]: x <= -2 or (x = -1 and m != 2^30) (tinyids_rq32.h (3)); irrelevant when C1 = C0
    xs = (0 if m != (1 << 30) else -1) if c_neg != c_pos else lo
    if xs <= lo:  # no accumulator of the range is below xs: one constant (the compiler drops s)
        xs, c_neg = lo, c_pos
    elif xs > hi:  # every one is
        xs, c_pos = lo, c_neg
    ks = []
    for c in (c_pos, c_neg):
        k = c + xc * m + zp * (1 << total)
        ks += [k >> 16, k & 0xFFFF]
    kh0, kl0, kh1, kl1 = ks
    if not (-INT31 <= kh0 < INT31 and -INT31 <= kh1 < INT31):
        return None
    p = Rq16Params(xc=xc, xs=xs, ml=m & 0xFFFF, mh=m >> 16, kh0=kh0, kl0=kl0, kh1=kh1, kl1=kl1, r=total - 16)
    return p if _exact_on_range(p, apply16, lo, hi, m, shift, rounding, zp) else None



def _exact_on_range(p, apply, lo: int, hi: int, m: int, shift: int, rounding: str, zp: int) -> bool:
    """True when the kernel's arithmetic (``apply``) equals TFLite's requantisation plus the zero
    point on every accumulator in [lo, hi], inside the int8 range."""
    x = np.arange(lo, hi + 1, dtype=np.int64)
    got = apply(x, p)
    if got is None:
        return False
    want = mbqm_np(x, m, shift, rounding) + zp
    return bool(np.array_equal(got, want) and got.min() >= -128 and got.max() <= 127)

def apply16(x: np.ndarray, p: Rq16Params) -> np.ndarray | None:
    """The kernel's arithmetic between the thresholds (exact integers); None when a value the C
    holds in an int16 or int32 would not fit."""
    x = np.asarray(x, dtype=np.int64)
    v = x - p.xc
    if v.size and (v.min() < -(1 << 15) or v.max() >= (1 << 15)):
        return None
    s = x < p.xs
    a = v * p.ml + np.where(s, p.kl1, p.kl0)
    b1 = v * p.mh + np.where(s, p.kh1, p.kh0)
    b = b1 + (a >> 16)  # numpy's >> on int64 is the floor
    if not (_in32(a) and _in32(b1) and _in32(b)):
        return None
    return b >> p.r


@dataclass(frozen=True)
class Rq24Params:
    """Constants of ``tinyids_rq24_int8``: v = x - xc = vh 2^16 + vl, m = mh 2^16 + ml,
    K = kh 2^32 + k1 2^16 + k0 (the second set when x < xs), result floor(D / 2^r)."""
    xc: int
    xs: int
    ml: int
    mh: int
    kh0: int
    k10: int
    k00: int
    kh1: int
    k11: int
    k01: int
    r: int


RQ24_CHECKED = 1 << 20  # the most accumulators rq24 evaluates one by one (numpy memory)


def rq24(multiplier: int, shift: int, rounding: str, lo: int, hi: int, zp: int) -> Rq24Params | None:
    """Constants of ``tinyids_rq24_int8`` for the accumulators in [lo, hi] (at most
    :data:`RQ24_CHECKED` of them) and zero point ``zp``; checked like :func:`rq16` on every
    accumulator of the range; ``None`` when the form does not apply."""
    m = int(multiplier)
    if not 0 <= m < INT31 or hi < lo or hi - lo >= RQ24_CHECKED or not -INT31 <= lo <= hi < INT31:
        return None
    form = _form(m, shift, rounding)
    if form is None:
        return None
    total, pre, c_pos, c_neg = form
    if pre != 0 or not 32 <= total <= 56:
        return None
    xc = 0 if -(1 << 23) <= lo and hi < (1 << 23) else lo + (1 << 23)
    xs = (0 if m != (1 << 30) else -1) if c_neg != c_pos else lo
    if xs <= lo:
        xs, c_neg = lo, c_pos
    elif xs > hi:
        xs, c_pos = lo, c_neg
    ks = []
    for c in (c_pos, c_neg):
        k = c + xc * m + zp * (1 << total)
        ks += [k >> 32, (k >> 16) & 0xFFFF, k & 0xFFFF]
    kh0, k10, k00, kh1, k11, k01 = ks
    if not (-INT31 <= kh0 < INT31 and -INT31 <= kh1 < INT31):
        return None
    p = Rq24Params(xc=xc, xs=xs, ml=m & 0xFFFF, mh=m >> 16, kh0=kh0, k10=k10, k00=k00, kh1=kh1, k11=k11,
                   k01=k01, r=total - 32)
    return p if _exact_on_range(p, apply24, lo, hi, m, shift, rounding, zp) else None


def apply24(x: np.ndarray, p: Rq24Params) -> np.ndarray | None:
    """``tinyids_rq24_int8``'s arithmetic between the thresholds (exact integers); None when a
    value the C holds in an int16 or int32 would not fit."""
    x = np.asarray(x, dtype=np.int64)
    v = x - p.xc
    if v.size and (v.min() < -(1 << 23) or v.max() >= (1 << 23)):
        return None
    low = v & 0xFFFF
    vl = np.where(low < 0x8000, low, low - 0x10000)
    vh = (v - vl) >> 16
    s = x < p.xs
    a = vl * p.ml + np.where(s, p.k01, p.k00)
    b = vh * p.ml + vl * p.mh + np.where(s, p.k11, p.k10) + (a >> 16)
    d1 = vh * p.mh + np.where(s, p.kh1, p.kh0)
    d = d1 + (b >> 16)
    if not (_in32(a) and _in32(b) and _in32(d1) and _in32(d)):
        return None
    return d >> p.r
