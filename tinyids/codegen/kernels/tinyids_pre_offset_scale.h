/* tinyids kernels: preprocessing op `offset_scale`: dst[i] = (src[i] - min[i]) * scale[i],
 * float32 in this order (as tinyids.study.preprocessing.apply). dst may be src.
 * Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_OFFSET_SCALE_H
#define TINYIDS_PRE_OFFSET_SCALE_H

#include "tinyids_platform.h"

static void tinyids_pre_offset_scale(const float *src, float *dst, tinyids_index_t n,
                                     const float *min, const float *scale)
{
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        dst[i] = (src[i] - TINYIDS_READ_F32(min + i)) * TINYIDS_READ_F32(scale + i);
    }
}

#endif /* TINYIDS_PRE_OFFSET_SCALE_H */
