/* tinyids kernels: preprocessing op `pca`: dst[j] = sum_i (src[i] - mean[i]) * comp[j][i], the
 * sum taken in index order in float32; comp is n_out x n_in, row-major. dst must not overlap
 * src. Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_PCA_H
#define TINYIDS_PRE_PCA_H

#include "tinyids_platform.h"

static void tinyids_pre_pca(const float *src, float *dst, tinyids_index_t n_in,
                            tinyids_index_t n_out, const float *mean, const float *comp)
{
    tinyids_index_t i, j;
    for (j = 0; j < n_out; ++j) {
        float acc = 0.0f;
        for (i = 0; i < n_in; ++i) {
            acc += (src[i] - TINYIDS_READ_F32(mean + i)) * TINYIDS_READ_F32(comp + j * n_in + i);
        }
        dst[j] = acc;
    }
}

#endif /* TINYIDS_PRE_PCA_H */
