/* tinyids kernels: int8 FULLY_CONNECTED, bit-exact with TFLite's reference kernel.
 * Tested in tests/c/test_int8_kernels.c. */
#ifndef TINYIDS_FULLY_CONNECTED_H
#define TINYIDS_FULLY_CONNECTED_H

#include "tinyids_mbqm_single.h"
#include "tinyids_clamp.h"

/* reference_integer_ops::FullyConnected / FullyConnectedPerChannel (filter zero point 0).
 * The input offset is folded into the bias at generation time (bias + offset * sum(w)), an
 * integer identity, so the inner loop is a plain int8 dot product. */
static void tinyids_fully_connected(const int8_t *in, int8_t *out, tinyids_index_t batches,
                                    tinyids_index_t depth, tinyids_index_t units,
                                    const int8_t *weights, const int32_t *bias,
                                    const int32_t *mult, const int8_t *shift, int per_channel,
                                    int32_t out_offset, int32_t act_min, int32_t act_max)
{
    tinyids_index_t b, u, d;
    for (b = 0; b < batches; ++b) {
        const int8_t *x = in + b * depth;
        for (u = 0; u < units; ++u) {
            const int8_t *w = weights + u * depth;
            const tinyids_index_t ch = per_channel ? u : 0;
            int32_t acc = 0;
            for (d = 0; d < depth; ++d) {
                acc += (int32_t)(TINYIDS_READ_I8(w + d) * x[d]);
            }
            if (bias) {
                acc += TINYIDS_READ_I32(bias + u);
            }
            acc = tinyids_mbqm_single(acc, TINYIDS_READ_I32(mult + ch), TINYIDS_READ_I8(shift + ch));
            out[b * units + u] = tinyids_clamp8(acc + out_offset, act_min, act_max);
        }
    }
}

#endif /* TINYIDS_FULLY_CONNECTED_H */
