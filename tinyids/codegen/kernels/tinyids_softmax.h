/* tinyids kernels: int8 SOFTMAX, bit-exact with TFLite's reference kernel.
 * Tested in tests/c/test_int8_kernels.c. */
#ifndef TINYIDS_SOFTMAX_H
#define TINYIDS_SOFTMAX_H

#include "tinyids_gemmlowp.h"
#include "tinyids_reciprocal.h"
#include "tinyids_clamp.h"

/* reference_ops::Softmax for int8 (gemmlowp fixed point). exp_table[d] holds
 * exp_on_negative_values() of the rescaled input difference -d, precomputed at generation. */
static void tinyids_softmax(const int8_t *in, int8_t *out, tinyids_index_t outer,
                            tinyids_index_t depth, int diff_min, const int32_t *exp_table)
{
    tinyids_index_t r, c;
    for (r = 0; r < outer; ++r) {
        const int8_t *x = in + r * depth;
        int8_t *y = out + r * depth;
        int max_in_row = -128;
        int32_t sum_of_exps = 0;
        int32_t scale;
        int num_bits_over_unit;
        for (c = 0; c < depth; ++c) {
            if (x[c] > max_in_row) {
                max_in_row = x[c];
            }
        }
        for (c = 0; c < depth; ++c) {
            const int diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                sum_of_exps += tinyids_rdpot(TINYIDS_READ_I32(exp_table - diff), 12);
            }
        }
        scale = tinyids_reciprocal(sum_of_exps, &num_bits_over_unit);
        for (c = 0; c < depth; ++c) {
            const int diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                const int32_t unsat = tinyids_rdpot(
                    tinyids_srdhm(scale, TINYIDS_READ_I32(exp_table - diff)), num_bits_over_unit + 23);
                y[c] = tinyids_clamp8(unsat - 128, -128, 127);
            } else {
                y[c] = -128;
            }
        }
    }
}

#endif /* TINYIDS_SOFTMAX_H */
