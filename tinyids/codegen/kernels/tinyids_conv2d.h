/* tinyids kernels: int8 CONV_2D (NHWC), bit-exact with TFLite's reference kernel.
 * Tested in tests/c/test_int8_kernels.c. */
#ifndef TINYIDS_CONV2D_H
#define TINYIDS_CONV2D_H

#include "tinyids_mbqm_double.h"
#include "tinyids_clamp.h"

/* reference_integer_ops::ConvPerChannel, NHWC, one group, filter zero point 0. */
static void tinyids_conv2d(const int8_t *in, int8_t *out, const tinyids_index_t *dims,
                           const int8_t *weights, const int32_t *bias, const int32_t *mult,
                           const int8_t *shift, int in_offset, int32_t out_offset,
                           int32_t act_min, int32_t act_max)
{
    /* dims: batches, in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w,
     *       stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w */
    const tinyids_index_t batches = dims[0], in_h = dims[1], in_w = dims[2], in_c = dims[3];
    const tinyids_index_t out_h = dims[4], out_w = dims[5], out_c = dims[6], f_h = dims[7];
    const tinyids_index_t f_w = dims[8], stride_h = dims[9], stride_w = dims[10];
    const tinyids_index_t dil_h = dims[11], dil_w = dims[12], pad_h = dims[13], pad_w = dims[14];
    tinyids_index_t b, oy, ox, oc, fy, fx, ic;
    for (b = 0; b < batches; ++b) {
        for (oy = 0; oy < out_h; ++oy) {
            const tinyids_index_t y0 = oy * stride_h - pad_h;
            for (ox = 0; ox < out_w; ++ox) {
                const tinyids_index_t x0 = ox * stride_w - pad_w;
                for (oc = 0; oc < out_c; ++oc) {
                    const int8_t *w_oc = weights + oc * f_h * f_w * in_c;
                    int32_t acc = 0;
                    for (fy = 0; fy < f_h; ++fy) {
                        const tinyids_index_t y = y0 + dil_h * fy;
                        const int8_t *row;
                        const int8_t *w_row = w_oc + fy * f_w * in_c;
                        if (y < 0 || y >= in_h) {
                            continue;
                        }
                        row = in + (b * in_h + y) * in_w * in_c;
                        if (dil_w == 1) {
                            /* the taps inside the input form one contiguous run */
                            const tinyids_index_t fx0 = x0 < 0 ? -x0 : 0;
                            const tinyids_index_t fx1 = f_w < in_w - x0 ? f_w : in_w - x0;
                            const int8_t *src = row + (x0 + fx0) * in_c;
                            const int8_t *w = w_row + fx0 * in_c;
                            const tinyids_index_t n = (fx1 - fx0) * in_c;
                            for (ic = 0; ic < n; ++ic) {
                                acc += (int32_t)(TINYIDS_READ_I8(w + ic) * (src[ic] + in_offset));
                            }
                            continue;
                        }
                        for (fx = 0; fx < f_w; ++fx) {
                            const tinyids_index_t x = x0 + dil_w * fx;
                            if (x < 0 || x >= in_w) {
                                continue;
                            }
                            for (ic = 0; ic < in_c; ++ic) {
                                acc += (int32_t)(TINYIDS_READ_I8(w_row + fx * in_c + ic) *
                                                 (row[x * in_c + ic] + in_offset));
                            }
                        }
                    }
                    if (bias) {
                        acc += TINYIDS_READ_I32(bias + oc);
                    }
                    acc = tinyids_mbqm_double(acc, TINYIDS_READ_I32(mult + oc), TINYIDS_READ_I8(shift + oc));
                    out[((b * out_h + oy) * out_w + ox) * out_c + oc] =
                        tinyids_clamp8(acc + out_offset, act_min, act_max);
                }
            }
        }
    }
}

#endif /* TINYIDS_CONV2D_H */
