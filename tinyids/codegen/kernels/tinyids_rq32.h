/* tinyids kernels: TFLite's requantization (MultiplyByQuantizedMultiplier, both roundings) with
 * 32-bit arithmetic only, for the fast kernels. Tested in tests/c/test_rq32.c against the 64-bit
 * reference forms (tinyids_mbqm_single.h, tinyids_mbqm_double.h) on edge values and on random
 * values, on the host and on the ATmega328P.
 *
 * One form covers both roundings:  y = floor((x * 2^k * m + C) / 2^(32 + 8 b))
 * with m, C, k, b precomputed per channel by the generator (tinyids.codegen.requant).
 * Proof that it equals the reference, for a multiplier m >= 0 and an accumulator x:
 *
 * (1) gemmlowp SaturatingRoundingDoublingHighMul(a, m) = trunc((a m + nudge) / 2^31) with
 *     nudge = 2^30 when a m >= 0, else 1 - 2^30 (no saturation: m < 2^31). For v = a m + 1 - 2^30
 *     < 0, trunc(v / 2^31) = ceil(v / 2^31) = floor((v + 2^31 - 1) / 2^31) = floor((a m + 2^30)
 *     / 2^31). So SRDHM(a, m) = S = floor((a m + 2^30) / 2^31) for every a.
 * (2) RoundingDivideByPOT(S, e), e >= 1: floor(S / 2^e) + [remainder > 2^(e-1) - 1 + [S < 0]]
 *     = floor((S + 2^(e-1) - [S < 0]) / 2^e); e = 0 is the identity.
 * (3) For integers A, c and p, q >= 1: floor(A / p) + c = floor((A + c p) / p) and
 *     floor(floor(A / p) / q) = floor(A / (p q)). With (1) and (2), the double rounding of
 *     CONV_2D (shift < 0, e = -shift >= 1) is floor((x m + 2^30 + (2^(e-1) - s) 2^31) / 2^(31+e)),
 *     s = [S < 0] = [x m + 2^30 < 0] = [x <= -2 or (x = -1 and m > 2^30)] (m >= 2^30 when m > 0);
 *     shift >= 0 (no right shift) is floor((x 2^shift m + 2^30) / 2^31).
 *     The single rounding of FULLY_CONNECTED is floor((x m + 2^(t-1)) / 2^t), t = 31 - shift.
 *     Both are floor((x 2^pre m + C0) / 2^T) with T <= 56 (the generator checks it).
 * (4) Multiplying numerator and denominator by 2^j changes nothing: the generator picks j in
 *     [0, 7] so that T + j = 32 + 8 b (a byte-aligned final shift, cheap on 8-bit cores),
 *     k = pre + j, and checks |x| 2^k < 2^31 from the bound it knows on the accumulators that
 *     reach the multiply.
 * (5) With x 2^k m = H 2^32 + L (0 <= L < 2^32) and C = Ch 2^32 + Cl (0 <= Cl < 2^32):
 *     N + C = (H + Ch + carry) 2^32 + (L + Cl mod 2^32), carry = [L + Cl >= 2^32], and
 *     floor((N + C) / 2^(32 + 8 b)) = floor((H + Ch + carry) / 2^(8 b)) by (3), since the low word
 *     only adds a fraction below one. |N + C| < 2^63, so H + Ch + carry fits an int32.
 * (6) The exact product H 2^32 + L of |x'| < 2^31 and m < 2^31 from four 16 x 16 -> 32 bit
 *     products of the halves (schoolbook, each partial sum below 2^32), then negated as a 64-bit
 *     two's complement pair when x' < 0. When |x'| < 2^16 (the generator can tell from the bound)
 *     the high half of x' is 0 and two products suffice.
 * On cores with a native 32 x 32 -> 64 multiply (x86-64, AArch64, Cortex-M3/M4/M7) the product is
 * one instruction and TINYIDS_MUL64 uses it; the identities (4)-(5) are the same. */
#ifndef TINYIDS_RQ32_H
#define TINYIDS_RQ32_H

#include "tinyids_platform.h"

#if !defined(TINYIDS_MUL64)
#  if defined(__x86_64__) || defined(__aarch64__) || defined(_M_X64) || defined(__ARM_ARCH_7EM__) || \
      defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_8M_MAIN__)
#    define TINYIDS_MUL64 1
#  else
#    define TINYIDS_MUL64 0
#  endif
#endif

/* Per channel, six words: m, Ch, Cl (s = 0), Ch, Cl (s = 1), k | b << 8 | narrow << 16. */
#define TINYIDS_RQ32_WORDS 6

/* The two's complement int32 of a uint32 (no implementation-defined conversion). */
static int32_t tinyids_u2s(uint32_t v)
{
    return v <= UINT32_C(0x7FFFFFFF) ? (int32_t)v : -(int32_t)(~v) - 1;
}

#if !TINYIDS_MUL64
/* a * b of two 16-bit halves: a 16 x 16 -> 32 bit multiply (avr-gcc: __umulhisi3, not the
 * 32 x 32 bit __mulsi3 it picks when the halves come out of 32-bit expressions) */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint32_t tinyids_umul16(uint16_t a, uint16_t b)
{
    return (uint32_t)a * b;
}
#endif

/* Exact product x * m (m < 2^31, |x| < 2^31): returns the high word, stores the low word.
 * narrow: |x| < 2^16. */
static int32_t tinyids_mul_hi(int32_t x, uint32_t m, uint32_t *lo, int narrow)
{
#if TINYIDS_MUL64
    const int64_t p = (int64_t)x * (int64_t)m;
    (void)narrow;
    *lo = (uint32_t)((uint64_t)p & UINT32_C(0xFFFFFFFF));
    return tinyids_u2s((uint32_t)((uint64_t)p >> 32));
#else
    const uint32_t ux = x < 0 ? UINT32_C(0) - (uint32_t)x : (uint32_t)x;
    const uint16_t al = (uint16_t)(ux & 0xFFFFu), bl = (uint16_t)(m & 0xFFFFu);
    const uint16_t bh = (uint16_t)(m >> 16);
    const uint32_t ll = tinyids_umul16(al, bl);
    const uint32_t lh = tinyids_umul16(al, bh);
    uint32_t mid, l, h;
    if (narrow) {
        mid = (ll >> 16) + (lh & 0xFFFFu);
        h = (lh >> 16) + (mid >> 16);
    } else {
        const uint16_t ah = (uint16_t)(ux >> 16);
        const uint32_t hl = tinyids_umul16(ah, bl);
        mid = (ll >> 16) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
        h = tinyids_umul16(ah, bh) + (lh >> 16) + (hl >> 16) + (mid >> 16);
    }
    l = (mid << 16) | (ll & 0xFFFFu);
    if (x < 0) {
        l = UINT32_C(0) - l;
        h = ~h + (l == 0 ? 1u : 0u);
    }
    *lo = l;
    return tinyids_u2s(h);
#endif
}

/* floor(v / 2^(8 b)), b in [0, 4], with constant shifts only (byte moves on 8-bit cores). */
static int32_t tinyids_asr_bytes(int32_t v, uint8_t b)
{
    switch (b) {
    case 0:
        return v;
    case 1:
        return v >= 0 ? (v >> 8) : ~((~v) >> 8);
    case 2:
        return v >= 0 ? (v >> 16) : ~((~v) >> 16);
    case 3:
        return v >= 0 ? (v >> 24) : ~((~v) >> 24);
    default:
        return v >= 0 ? 0 : -1;
    }
}

/* Requantize accumulator x with the six parameter words at p (flash). */
static int32_t tinyids_rq32(int32_t x, const int32_t *p)
{
    const uint32_t m = (uint32_t)TINYIDS_READ_I32(p);
    const uint32_t kb = (uint32_t)TINYIDS_READ_I32(p + 5);
    const uint8_t k = (uint8_t)(kb & 0xFFu), b = (uint8_t)((kb >> 8) & 0xFFu);
    const int s = x < 0 && (x < -1 || m != UINT32_C(0x40000000));
    const uint32_t ch = (uint32_t)TINYIDS_READ_I32(p + (s ? 3 : 1));
    const uint32_t cl = (uint32_t)TINYIDS_READ_I32(p + (s ? 4 : 2));
    uint32_t lo, l2, h;
    h = (uint32_t)tinyids_mul_hi(tinyids_u2s((uint32_t)x << k), m, &lo, (int)((kb >> 16) & 1u));
    l2 = lo + cl;
    h = h + ch + (l2 < lo ? 1u : 0u);
    return tinyids_asr_bytes(tinyids_u2s(h), b);
}

/* Requantize, add the output zero point and saturate to [lo, hi], with the nine words at p:
 * the six of tinyids_rq32, then a_lo, a_hi, and the bytes lo | hi << 8 | zero_point << 16.
 * The generator computes a_lo = the largest accumulator whose output saturates at lo and
 * a_hi = the smallest that reaches hi (requantization and saturation are non-decreasing in the
 * accumulator: the multiplier is >= 0), so accumulators outside (a_lo, a_hi) skip the multiply
 * and the ones inside need no saturation. */
#define TINYIDS_RQ32_INT8_WORDS 9

/* the int8 of a byte, two's complement, without an implementation-defined conversion */
static int8_t tinyids_s8(uint32_t byte)
{
    const int v = (int)(byte & 0xFFu);
    return (int8_t)(v < 128 ? v : v - 256);
}

static int8_t tinyids_rq32_int8(int32_t x, const int32_t *p)
{
    if (x <= TINYIDS_READ_I32(p + 6)) {
        return tinyids_s8((uint32_t)TINYIDS_READ_I32(p + 8));
    }
    if (x >= TINYIDS_READ_I32(p + 7)) {
        return tinyids_s8((uint32_t)TINYIDS_READ_I32(p + 8) >> 8);
    }
    return (int8_t)(tinyids_rq32(x, p) + tinyids_s8((uint32_t)TINYIDS_READ_I32(p + 8) >> 16));
}

#endif /* TINYIDS_RQ32_H */
