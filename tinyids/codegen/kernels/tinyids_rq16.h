/* tinyids kernels: TFLite's requantization (MultiplyByQuantizedMultiplier, both roundings) plus
 * the output zero point, for an accumulator whose reachable range (between the saturation
 * thresholds) spans at most 2^16 values (tinyids_rq16_int8: two 16 x 16 -> 32 bit products) or
 * 2^24 values (tinyids_rq24_int8: four), constant shifts, every
 * constant a literal at the call site (the function is always inlined, so the compiler folds
 * them). Tested in tests/c/test_rq16.c against the 64-bit reference forms on edge values and
 * random values, on the host and on the ATmega328P; the generator (tinyids.codegen.requant.rq16, rq24)
 * also evaluates this arithmetic on every accumulator of the range before it emits the call.
 *
 * Proof, for a multiplier m in [0, 2^31), accumulators x in (a_lo, a_hi):
 * (1) By (1)-(3) of tinyids_rq32.h, TFLite's result is y = floor((x m + C) / 2^T), T <= 56, with
 *     C = C1 when x < xs (gemmlowp's double rounding, high product negative) and C = C0 otherwise
 *     (single rounding: C1 = C0). Adding the zero point z: y + z = floor((x m + C + z 2^T) / 2^T).
 * (2) Centre: v = x - xc (the generator picks xc so that -2^15 <= v < 2^15 on the range); then
 *     x m + C + z 2^T = v m + K with K = C + xc m + z 2^T, an exact integer identity.
 * (3) Split m = mh 2^16 + ml and K = Kh 2^16 + Kl with 0 <= ml, Kl < 2^16 (so 0 <= mh < 2^15):
 *     v m + K = (v mh + Kh) 2^16 + (v ml + Kl). With floor(A / p) + c = floor((A + c p) / p):
 *     B = floor((v m + K) / 2^16) = v mh + Kh + floor((v ml + Kl) / 2^16), where
 *     |v ml + Kl| <= 2^15 (2^16 - 1) + 2^16 - 1 < 2^31 (an int32; v ml is a 16 x 16 bit product)
 *     and |v mh| < 2^30.
 * (4) floor(floor(A / p) / q) = floor(A / (p q)): y + z = floor(B / 2^r), r = T - 16 >= 1.
 * (5) v mh + Kh and B are non-decreasing in v (m >= 0), so they are int32 on the range when they
 *     are at its two ends (the generator checks it, for each constant; it also checks that the
 *     result is an int8 there: it is in (lo, hi) between the thresholds).
 * Accumulators x <= a_lo give lo and x >= a_hi give hi (requantization and saturation are
 * non-decreasing in x); the generator finds a_lo, a_hi exactly with TFLite's arithmetic. */
#ifndef TINYIDS_RQ16_H
#define TINYIDS_RQ16_H

#include "tinyids_platform.h"

#if defined(__GNUC__)
#  define TINYIDS_RQ16_INLINE static inline __attribute__((always_inline))
#else
#  define TINYIDS_RQ16_INLINE static inline
#endif

/* floor(v / 2^e), defined for negative v too (no right shift of a negative number) */
TINYIDS_RQ16_INLINE int32_t tinyids_rq16_floor(int32_t v, int e)
{
    return v >= 0 ? (int32_t)(v >> e) : (int32_t)~((~v) >> e);
}

/* clamp(requantize(x) + z, lo, hi) with the constants of tinyids.codegen.requant.rq16:
 * x <= a_lo -> lo; x >= a_hi -> hi; else floor(B / 2^r) by (1)-(4), with K = (kh0, kl0) when
 * x >= xs and (kh1, kl1) when x < xs. */
TINYIDS_RQ16_INLINE int8_t tinyids_rq16_int8(int32_t x, int32_t a_lo, int32_t a_hi, int8_t lo, int8_t hi,
                                             int32_t xc, int32_t xs, uint16_t ml, int16_t mh,
                                             int32_t kh0, uint16_t kl0, int32_t kh1, uint16_t kl1, int r)
{
    if (x <= a_lo) {
        return lo;
    }
    if (x >= a_hi) {
        return hi;
    }
    {
        const int s = x < xs;
        const int16_t v = (int16_t)(x - xc); /* in [-2^15, 2^15) by the generator's choice of xc */
        const int32_t a = (int32_t)v * (int32_t)ml + (int32_t)(s ? kl1 : kl0);
        const int32_t b = (int32_t)v * (int32_t)mh + (s ? kh1 : kh0) + tinyids_rq16_floor(a, 16);
        if (r >= 16) { /* floor(floor(b / 2^16) / 2^(r - 16)) by (4): byte moves, then 16-bit shifts */
            const int16_t t = (int16_t)tinyids_rq16_floor(b, 16);
            return (int8_t)(t >= 0 ? (t >> (r - 16)) : ~((~t) >> (r - 16)));
        }
        return (int8_t)tinyids_rq16_floor(b, r);
    }
}

/* The same for a range of up to 2^24 accumulators (-2^23 <= v < 2^23), with four 16 x 16 bit
 * products. Proof, continuing (1)-(2) above (T >= 32):
 * (6) Split v = vh 2^16 + vl with vl = the low 16 bits of v read as a signed number, in
 *     [-2^15, 2^15), and vh = (v - vl) / 2^16 in [-2^7, 2^7]; m = mh 2^16 + ml as in (3);
 *     K = Kh 2^32 + K1 2^16 + K0 with 0 <= K0, K1 < 2^16. Then exactly
 *     v m + K = (vh mh + Kh) 2^32 + (vh ml + vl mh + K1) 2^16 + (vl ml + K0).
 * (7) A = vl ml + K0 is an int32 (as in (3)). With floor(A / p) + c = floor((A + c p) / p) twice:
 *     floor((v m + K) / 2^32) = D = vh mh + Kh + floor(B / 2^16), B = vh ml + vl mh + K1
 *     + floor(A / 2^16), and |B| <= 2^7 (2^16 - 1) + 2^15 (2^15 - 1) + 2^16 - 1 + 2^15 < 2^31.
 * (8) y + z = floor(D / 2^r), r = T - 32 >= 0, by (4). vh mh + Kh and D are non-decreasing in v
 *     (vh is, and mh >= 0; D = floor((v m + K) / 2^32)), so they are int32 on the range when they
 *     are at its two ends (the generator checks it; it evaluates every accumulator too). */
TINYIDS_RQ16_INLINE int8_t tinyids_rq24_int8(int32_t x, int32_t a_lo, int32_t a_hi, int8_t lo, int8_t hi,
                                             int32_t xc, int32_t xs, uint16_t ml, int16_t mh,
                                             int32_t kh0, uint16_t k10, uint16_t k00,
                                             int32_t kh1, uint16_t k11, uint16_t k01, int r)
{
    if (x <= a_lo) {
        return lo;
    }
    if (x >= a_hi) {
        return hi;
    }
    {
        const int s = x < xs;
        const int32_t v = x - xc; /* in [-2^23, 2^23) by the generator's choice of xc */
        const uint16_t low = (uint16_t)((uint32_t)v & 0xFFFFu);
        const int16_t vl = (int16_t)(low < 0x8000u ? (int32_t)low : (int32_t)low - INT32_C(65536));
        const int16_t vh = (int16_t)tinyids_rq16_floor(v - vl, 16);
        const int32_t a = (int32_t)vl * (int32_t)ml + (int32_t)(s ? k01 : k00);
        const int32_t b = (int32_t)vh * (int32_t)ml + (int32_t)vl * (int32_t)mh + (int32_t)(s ? k11 : k10) +
                          tinyids_rq16_floor(a, 16);
        const int32_t d = (int32_t)vh * (int32_t)mh + (s ? kh1 : kh0) + tinyids_rq16_floor(b, 16);
        if (r >= 16) {
            const int16_t t = (int16_t)tinyids_rq16_floor(d, 16);
            return (int8_t)(t >= 0 ? (t >> (r - 16)) : ~((~t) >> (r - 16)));
        }
        if (r >= 8) { /* floor(floor(d / 2^8) / 2^(r - 8)): a byte move, then single shifts */
            const int32_t t = tinyids_rq16_floor(d, 8);
            return (int8_t)tinyids_rq16_floor(t, r - 8);
        }
        return (int8_t)tinyids_rq16_floor(d, r);
    }
}

#endif /* TINYIDS_RQ16_H */
