/* tinyids kernels: gemmlowp's fixed-point primitives (fixedpoint.h, int32 scalar), UB-free:
 * no signed overflow, no right shift of a negative number (the floor shift is written with
 * complements), no 64-bit division. Tested in tests/c/test_fixedpoint.c. */
#ifndef TINYIDS_GEMMLOWP_H
#define TINYIDS_GEMMLOWP_H

#include "tinyids_platform.h"

/* Arithmetic shift right (floor), defined for negative x too. */
static int32_t tinyids_asr(int32_t x, int e)
{
    return x >= 0 ? (int32_t)(x >> e) : (int32_t)~((~x) >> e);
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero; 0 <= e <= 31. */
static int32_t tinyids_rdpot(int32_t x, int e)
{
    const int32_t mask = (int32_t)((UINT32_C(1) << e) - UINT32_C(1));
    const int32_t remainder = x & mask;
    const int32_t threshold = (int32_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return tinyids_asr(x, e) + (remainder > threshold ? 1 : 0);
}

/* gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2 * a * b, rounded; the one
 * overflowing case (INT32_MIN * INT32_MIN) saturates to INT32_MAX. */
static int32_t tinyids_srdhm(int32_t a, int32_t b)
{
    int64_t v;
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    v = (int64_t)a * (int64_t)b;
    v += v >= 0 ? INT64_C(1073741824) : INT64_C(-1073741823);
    return (int32_t)(v >= 0 ? (v >> 31) : -((-v) >> 31));
}

#endif /* TINYIDS_GEMMLOWP_H */
