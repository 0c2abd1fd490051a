/* tinyids kernels: preprocessing op `standard`: dst[i] = (src[i] - mean[i]) / scale[i],
 * float32 in this order (a division, as scikit-learn's StandardScaler). dst may be src.
 * Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_STANDARD_H
#define TINYIDS_PRE_STANDARD_H

#include "tinyids_platform.h"

static void tinyids_pre_standard(const float *src, float *dst, tinyids_index_t n,
                                 const float *mean, const float *scale)
{
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = (src[i] - TINYIDS_READ_F32(mean + i)) / TINYIDS_READ_F32(scale + i);
    }
}

#endif /* TINYIDS_PRE_STANDARD_H */
