/* The int8 operator kernels on small cases worked out by hand (TFLite's reference semantics):
 * FULLY_CONNECTED (per-tensor and per-channel requantization, no bias, batches, saturation),
 * CONV_2D (SAME padding with an input offset, dilation, stride and channels), MAX_POOL_2D
 * (VALID, SAME, the activation clamp), SOFTMAX (equal inputs give exactly 1/n; the exp table is
 * TFLite's for beta 1, input scale 0.5) and the lookup table of LOGISTIC over all 256 bytes.
 * Weights, biases, multipliers and tables are TINYIDS_CONST (flash on AVR), as generated. */
#include "tinyids_test.h"
#include "tinyids_fully_connected.h"
#include "tinyids_conv2d.h"
#include "tinyids_max_pool.h"
#include "tinyids_softmax.h"
#include "tinyids_lookup.h"

#define HALF INT32_C(1073741824) /* Q0.31 multiplier 0.5 */

static const int8_t fc_w[6] TINYIDS_CONST = {1, 2, 3, -1, 0, 1};
static const int32_t fc_bias[2] TINYIDS_CONST = {10, -5};
static const int32_t fc_mult1[1] TINYIDS_CONST = {HALF};
static const int8_t fc_shift1[1] TINYIDS_CONST = {0};
static const int32_t fc_mult2[2] TINYIDS_CONST = {HALF, HALF};
static const int8_t fc_shift2[2] TINYIDS_CONST = {1, -1};

static const int8_t conv_w_ones[3] TINYIDS_CONST = {1, 1, 1};
static const int8_t conv_w_dil[2] TINYIDS_CONST = {2, 1};
static const int32_t conv_bias_dil[1] TINYIDS_CONST = {5};
static const int8_t conv_w_2x2[8] TINYIDS_CONST = {1, 0, 0, 1, 2, 0, 0, 3}; /* [oc][fx][ic] */
static const int32_t conv_mult[2] TINYIDS_CONST = {HALF, HALF};
static const int8_t conv_shift1[2] TINYIDS_CONST = {1, 1};
static const int8_t conv_shift_mixed[2] TINYIDS_CONST = {1, 0};

static const int32_t exp_table[28] TINYIDS_CONST = {
    INT32_MAX, INT32_C(1302515042), INT32_C(790015308), INT32_C(479168506), INT32_C(290630390),
    INT32_C(176276242), INT32_C(106916946), INT32_C(64848406), INT32_C(39332546), INT32_C(23856395),
    INT32_C(14469635), INT32_C(8776277), INT32_C(5323081), INT32_C(3228612), INT32_C(1958252),
    INT32_C(1187740), INT32_C(720401), INT32_C(436945), INT32_C(265021), INT32_C(160743),
    INT32_C(97496), INT32_C(59134), INT32_C(35867), INT32_C(21754), INT32_C(13195), INT32_C(8003),
    INT32_C(4854), INT32_C(2944)};

#define LUT(u) ((int8_t)((((u) * 37 + 11) & 0xFF) - 128))
#define L4(u) LUT(u), LUT((u) + 1), LUT((u) + 2), LUT((u) + 3)
#define L16(u) L4(u), L4((u) + 4), L4((u) + 8), L4((u) + 12)
#define L64(u) L16(u), L16((u) + 16), L16((u) + 32), L16((u) + 48)
static const int8_t lut[256] TINYIDS_CONST = {L64(0), L64(64), L64(128), L64(192)};

static void check8(const int8_t *got, const int8_t *want, int n, int line)
{
    int i;
    for (i = 0; i < n; ++i) {
        tt_eq(got[i], want[i], line);
    }
}

static void set_dims(tinyids_index_t *dims, const int *values, int n)
{
    int i;
    for (i = 0; i < n; ++i) {
        dims[i] = values[i];
    }
}

int main(void)
{
    int8_t out[8];
    tinyids_index_t dims[15];
    tt_begin("int8_kernels");

    { /* FULLY_CONNECTED: dot + bias = [150, 15], times 0.5 rounding half up: [75, 8], offset -3 */
        const int8_t in[3] = {10, 20, 30};
        const int8_t want[2] = {72, 5};
        tinyids_fully_connected(in, out, 1, 3, 2, fc_w, fc_bias, fc_mult1, fc_shift1, 0, -3, -128, 127);
        check8(out, want, 2, __LINE__);
    }
    { /* per channel: unit 0 times 1.0 = 150 - 3 saturates at 127; unit 1 times 0.25: 3.75 -> 4, - 3 */
        const int8_t in[3] = {10, 20, 30};
        const int8_t want[2] = {127, 1};
        tinyids_fully_connected(in, out, 1, 3, 2, fc_w, fc_bias, fc_mult2, fc_shift2, 1, -3, 0, 127);
        check8(out, want, 2, __LINE__);
    }
    { /* two batches, no bias: [140, 20] and [126, 128] times 0.5 -> [70, 10], [63, 64], offset -3 */
        const int8_t in[6] = {10, 20, 30, -128, 127, 0};
        const int8_t want[4] = {67, 7, 60, 61};
        tinyids_fully_connected(in, out, 2, 3, 2, fc_w, (const int32_t *)0, fc_mult1, fc_shift1, 0, -3,
                                -128, 127);
        check8(out, want, 4, __LINE__);
    }
    { /* CONV_2D, SAME (pad 1): input offset 2 on every tap inside the input, none on padding:
       * (x + 2) = [3, 4, 5, 6] summed over 3 taps -> [7, 12, 15, 11] (multiplier 0.5 << 1 = 1) */
        const int8_t in[4] = {1, 2, 3, 4};
        const int8_t want[4] = {7, 12, 15, 11};
        const int d[15] = {1, 1, 4, 1, 1, 4, 1, 1, 3, 1, 1, 1, 1, 0, 1};
        set_dims(dims, d, 15);
        tinyids_conv2d(in, out, dims, conv_w_ones, (const int32_t *)0, conv_mult, conv_shift1, 2, 0, -128, 127);
        check8(out, want, 4, __LINE__);
    }
    { /* dilation 2, VALID: out[0] = 2 * x0 + x2 + 5, out[1] = 2 * x1 + x3 + 5 */
        const int8_t in[4] = {1, 2, 3, 4};
        const int8_t want[2] = {10, 13};
        const int d[15] = {1, 1, 4, 1, 1, 2, 1, 1, 2, 1, 1, 1, 2, 0, 0};
        set_dims(dims, d, 15);
        tinyids_conv2d(in, out, dims, conv_w_dil, conv_bias_dil, conv_mult, conv_shift1, 0, 0, -128, 127);
        check8(out, want, 2, __LINE__);
    }
    { /* two channels in and out, stride 2: channel 0 sums x[c0] of tap 0 and x[c1] of tap 1 (x1),
       * channel 1 is 2 x[c0] + 3 x[c1] times 0.5; offset 10 */
        const int8_t in[8] = {1, -1, 2, -2, 3, -3, 4, -4};
        const int8_t want[4] = {9, 8, 9, 7};
        const int d[15] = {1, 1, 4, 2, 1, 2, 2, 1, 2, 1, 2, 1, 1, 0, 0};
        set_dims(dims, d, 15);
        tinyids_conv2d(in, out, dims, conv_w_2x2, (const int32_t *)0, conv_mult, conv_shift_mixed, 0, 10,
                       -128, 127);
        check8(out, want, 4, __LINE__);
    }
    { /* MAX_POOL_2D, window 2 stride 2: VALID [7, 2]; SAME keeps the clipped last window: 5 */
        const int8_t in[5] = {-3, 7, 2, -128, 5};
        const int8_t want_valid[2] = {7, 2};
        const int8_t want_same[3] = {7, 2, 5};
        const int8_t want_clamped[3] = {3, 2, 3};
        const int dv[12] = {1, 1, 5, 1, 1, 2, 1, 2, 1, 2, 0, 0};
        const int ds[12] = {1, 1, 5, 1, 1, 3, 1, 2, 1, 2, 0, 0};
        set_dims(dims, dv, 12);
        tinyids_max_pool(in, out, dims, -128, 127);
        check8(out, want_valid, 2, __LINE__);
        set_dims(dims, ds, 12);
        tinyids_max_pool(in, out, dims, -128, 127);
        check8(out, want_same, 3, __LINE__);
        tinyids_max_pool(in, out, dims, -128, 3);
        check8(out, want_clamped, 3, __LINE__);
    }
    { /* channels pool separately */
        const int8_t in[4] = {1, -5, 4, -6};
        const int8_t want[2] = {4, -5};
        const int d[12] = {1, 1, 2, 2, 1, 1, 1, 2, 1, 2, 0, 0};
        set_dims(dims, d, 12);
        tinyids_max_pool(in, out, dims, -128, 127);
        check8(out, want, 2, __LINE__);
    }
    { /* SOFTMAX (output scale 1/256, zero point -128): equal inputs give exactly 1/4 -> -64 and
       * 1/2 -> 0; a difference below diff_min (-27) gives -128; one dominant input saturates */
        const int8_t in[16] = {0, 0, 0, 0, 5, 5, -20, -20, 10, 0, -10, -127, 127, -128, 0, 1};
        const int8_t want[16] = {-64, -64, -64, -64, 0, 0, -128, -128, 126, -126, -128, -128, 127, -128, -128, -128};
        const int8_t pair[2] = {7, 7};
        const int8_t want_pair[2] = {0, 0};
        int8_t y[16];
        tinyids_softmax(in, y, 4, 4, -27, exp_table);
        check8(y, want, 16, __LINE__);
        tinyids_softmax(pair, y, 1, 2, -27, exp_table);
        check8(y, want_pair, 2, __LINE__);
    }
    { /* lookup: every byte, indexed as uint8_t (TFLite's LUTIndex) */
        int v;
        for (v = -128; v < 128; ++v) {
            const int8_t in = (int8_t)v;
            int8_t y;
            tinyids_lookup(&in, &y, 1, lut);
            TT_EQ(y, LUT((uint8_t)in));
        }
    }
    return tt_end();
}
