/* tinyids kernels: the reciprocal of the int8 softmax (TFLite GetReciprocal over gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1), UB-free. Tested in tests/c/test_fixedpoint.c. */
#ifndef TINYIDS_RECIPROCAL_H
#define TINYIDS_RECIPROCAL_H

#include "tinyids_gemmlowp.h"
#include "tinyids_sat_shl.h"

/* Wrapping int32 addition (gemmlowp's fixed-point operator+), without signed overflow. */
static int32_t tinyids_add32(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1 (Newton-Raphson, Q0.31 in and out). */
static int32_t tinyids_one_over_one_plus_x(int32_t a)
{
    const int64_t s = (int64_t)a + INT32_MAX;
    const int64_t t = s + (s >= 0 ? 1 : -1);
    const int32_t half_denominator = (int32_t)(t >= 0 ? (t >> 1) : -((-t) >> 1));
    int32_t x = tinyids_add32(INT32_C(1515870810), tinyids_srdhm(half_denominator, INT32_C(-1010580540)));
    int i;
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = tinyids_srdhm(half_denominator, x);
        const int32_t one_minus = tinyids_add32(INT32_C(536870912), -hdx);
        x = tinyids_add32(x, tinyids_sat_shl(tinyids_srdhm(x, one_minus), 2));
    }
    return tinyids_sat_shl(x, 1);
}

/* TFLite GetReciprocal(x, 12 integer bits), x > 0: a Q0.31 reciprocal and its exponent. */
static int32_t tinyids_reciprocal(int32_t x, int *num_bits_over_unit)
{
    uint32_t probe = (uint32_t)x;
    int headroom_plus_one = 0;
    while (headroom_plus_one < 31 && !(probe & UINT32_C(0x80000000))) {
        probe <<= 1;
        ++headroom_plus_one;
    }
    *num_bits_over_unit = 12 - headroom_plus_one;
    return tinyids_one_over_one_plus_x(
        (int32_t)(((uint32_t)x << headroom_plus_one) - UINT32_C(0x80000000)));
}

#endif /* TINYIDS_RECIPROCAL_H */
