/* tinyids kernels: saturation of an int32 to an int8 activation range [lo, hi]
 * (-128 <= lo <= hi <= 127). Tested in tests/c/test_fixedpoint.c. */
#ifndef TINYIDS_CLAMP_H
#define TINYIDS_CLAMP_H

#include "tinyids_platform.h"

static int8_t tinyids_clamp8(int32_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

#endif /* TINYIDS_CLAMP_H */
