/* tinyids kernels: TFLite's MultiplyByQuantizedMultiplier with one rounding, as the reference
 * FULLY_CONNECTED of recent TFLite versions: (x * multiplier + 2^(30 - shift)) >> (31 - shift),
 * flooring. The generator only emits shifts in [-31, 30]. Tested in tests/c/test_fixedpoint.c. */
#ifndef TINYIDS_MBQM_SINGLE_H
#define TINYIDS_MBQM_SINGLE_H

#include "tinyids_platform.h"

static int32_t tinyids_mbqm_single(int32_t x, int32_t multiplier, int shift)
{
    const int total = 31 - shift;
    const int64_t v = (int64_t)x * multiplier + ((int64_t)1 << (total - 1));
    return (int32_t)(v >= 0 ? (v >> total) : ~((~v) >> total));
}

#endif /* TINYIDS_MBQM_SINGLE_H */
