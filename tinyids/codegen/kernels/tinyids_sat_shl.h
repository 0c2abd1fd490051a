/* tinyids kernels: gemmlowp's saturating multiply by a power of two, shared by the reciprocal
 * of the reference softmax (tinyids_reciprocal.h) and by the fast variant's softmax.
 * Tested in tests/c/test_fixedpoint.c and in the fast softmax's C test. */
#ifndef TINYIDS_SAT_SHL_H
#define TINYIDS_SAT_SHL_H

#include <stdint.h>

/* gemmlowp SaturatingRoundingMultiplyByPOT<e> for e > 0. */
static int32_t tinyids_sat_shl(int32_t x, int e)
{
    const int32_t threshold = (int32_t)((UINT32_C(1) << (31 - e)) - UINT32_C(1));
    if (x > threshold) {
        return INT32_MAX;
    }
    if (x < -threshold) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)x << e);
}

#endif
