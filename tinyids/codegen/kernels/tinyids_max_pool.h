/* tinyids kernels: int8 MAX_POOL_2D (NHWC), bit-exact with TFLite's reference kernel.
 * Tested in tests/c/test_int8_kernels.c. */
#ifndef TINYIDS_MAX_POOL_H
#define TINYIDS_MAX_POOL_H

#include "tinyids_clamp.h"

/* reference_integer_ops::MaxPool, NHWC. */
static void tinyids_max_pool(const int8_t *in, int8_t *out, const tinyids_index_t *dims,
                             int32_t act_min, int32_t act_max)
{
    /* dims: batches, in_h, in_w, channels, out_h, out_w, f_h, f_w, stride_h, stride_w,
     *       pad_h, pad_w */
    const tinyids_index_t batches = dims[0], in_h = dims[1], in_w = dims[2], depth = dims[3];
    const tinyids_index_t out_h = dims[4], out_w = dims[5], f_h = dims[6], f_w = dims[7];
    const tinyids_index_t stride_h = dims[8], stride_w = dims[9], pad_h = dims[10];
    const tinyids_index_t pad_w = dims[11];
    tinyids_index_t b, oy, ox, c, fy, fx;
    for (b = 0; b < batches; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const tinyids_index_t y0 = oy * stride_h - pad_h;
            const tinyids_index_t fy0 = y0 < 0 ? -y0 : 0;
            const tinyids_index_t fy1 = f_h < in_h - y0 ? f_h : in_h - y0;
            for (ox = 0; ox < out_w; ++ox) {
                const tinyids_index_t x0 = ox * stride_w - pad_w;
                const tinyids_index_t fx0 = x0 < 0 ? -x0 : 0;
                const tinyids_index_t fx1 = f_w < in_w - x0 ? f_w : in_w - x0;
                for (c = 0; c < depth; ++c) {
                    int32_t m = -128;
                    for (fy = fy0; fy < fy1; ++fy) {
                        for (fx = fx0; fx < fx1; ++fx) {
                            const int8_t v = in[((b * in_h + y0 + fy) * in_w + x0 + fx) * depth + c];
                            if (v > m) {
                                m = v;
                            }
                        }
                    }
                    out[((b * out_h + oy) * out_w + ox) * depth + c] = tinyids_clamp8(m, act_min, act_max);
                }
            }
        }
    }
}

#endif /* TINYIDS_MAX_POOL_H */
