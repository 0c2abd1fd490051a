"""Parameters of the 32-bit requantization (``kernels/tinyids_rq32.h``), computed at generation time.

TFLite's two ``MultiplyByQuantizedMultiplier`` forms (single rounding, FULLY_CONNECTED; gemmlowp's
double rounding, CONV_2D) are both ``floor((x * 2^k * m + C) / 2^(32 + 8 b))`` for an accumulator
``x`` whose magnitude the generator bounds (the proof is in the kernel's comment). :func:`params`
picks ``k`` and ``b``, the two constants ``C`` (the double rounding's tie depends on the sign of
the high product) and whether two 16-bit partial products suffice; it returns ``None`` when the
bound or the shift does not allow the form (the generator then keeps the 64-bit kernel).
:func:`apply` is the same arithmetic in Python integers, for the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

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
