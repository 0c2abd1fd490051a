/* tinyids kernels: TFLite's MultiplyByQuantizedMultiplier with gemmlowp's double rounding, as
 * the reference CONV_2D: RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, m),
 * right). The generator only emits shifts in [-31, 30]. Tested in tests/c/test_fixedpoint.c. */
#ifndef TINYIDS_MBQM_DOUBLE_H
#define TINYIDS_MBQM_DOUBLE_H

#include "tinyids_gemmlowp.h"

static int32_t tinyids_mbqm_double(int32_t x, int32_t multiplier, int shift)
{
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return tinyids_rdpot(tinyids_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

#endif /* TINYIDS_MBQM_DOUBLE_H */
