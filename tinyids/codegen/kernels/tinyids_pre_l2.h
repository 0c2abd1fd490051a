/* tinyids kernels: preprocessing op `l2`: dst = src / ||src||_2 over the whole row; an all-zero
 * row (sum of squares 0) stays as it is. The sum of squares runs in index order in float32 and
 * the square root is Newton's iteration in float32 (no libm). dst may be src.
 * Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_L2_H
#define TINYIDS_PRE_L2_H

#include "tinyids_platform.h"

/* Newton's square root for v > 0: from max(v, 1) the iterates decrease monotonically to
 * sqrt(v); it stops when they stop decreasing (within one unit in the last place). 128 steps
 * reach every finite float (at most about 64 halvings, then quadratic convergence). */
static float tinyids_sqrtf(float v)
{
    float r = v > 1.0f ? v : 1.0f;
    int i;
    for (i = 0; i < 128; ++i) {
        const float next = 0.5f * (r + v / r);
        if (next >= r) {
            break;
        }
        r = next;
    }
    return r;
}

static void tinyids_pre_l2(const float *src, float *dst, tinyids_index_t n)
{
    float ss = 0.0f;
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        ss += src[i] * src[i];
    }
    if (ss > 0.0f) {
        const float norm = tinyids_sqrtf(ss);
        for (i = 0; i < n; ++i) {
            dst[i] = src[i] / norm;
        }
    } else if (dst != src) {
        for (i = 0; i < n; ++i) {
            dst[i] = src[i];
        }
    }
}

#endif /* TINYIDS_PRE_L2_H */
