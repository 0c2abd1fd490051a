/* tinyids kernels: preprocessing op `minmax` (scikit-learn's MinMaxScaler.transform):
 * dst[i] = src[i] * scale[i] + min[i], float32 in this order. dst may be src.
 * Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_MINMAX_H
#define TINYIDS_PRE_MINMAX_H

#include "tinyids_platform.h"

static void tinyids_pre_minmax(const float *src, float *dst, tinyids_index_t n,
                               const float *scale, const float *min)
{
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = src[i] * TINYIDS_READ_F32(scale + i) + TINYIDS_READ_F32(min + i);
    }
}

#endif /* TINYIDS_PRE_MINMAX_H */
