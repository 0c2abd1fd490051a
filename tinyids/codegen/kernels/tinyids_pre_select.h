/* tinyids kernels: preprocessing op `select`: dst[i] = src[idx[i]] for i < n_out (indices may
 * repeat). dst must not overlap src. Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_SELECT_H
#define TINYIDS_PRE_SELECT_H

#include "tinyids_platform.h"

static void tinyids_pre_select(const float *src, float *dst, tinyids_index_t n_out,
                               const int16_t *idx)
{
    tinyids_index_t i;
    for (i = 0; i < n_out; ++i) {
        dst[i] = src[TINYIDS_READ_I16(idx + i)];
    }
}

#endif /* TINYIDS_PRE_SELECT_H */
