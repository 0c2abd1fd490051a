/* Float features to the model's int8 input (tinyids_quantize.h): round half to even (numpy's
 * rule, not C's round()), NaN to 0, saturation to int8, the zero point. Every value here is
 * exact in a 32-bit float, so the checks hold where avr-gcc's double is 32 bits too. */
#include "tinyids_test.h"
#include "tinyids_quantize.h"

int main(void)
{
    const float nan = 0.0f / 0.0f; /* quiet NaN (no <math.h> needed) */
    tt_begin("quantize");

    TT_EQ(tinyids_round_even(0.0), 0);
    TT_EQ(tinyids_round_even(0.5), 0);   /* ties go to the even neighbour */
    TT_EQ(tinyids_round_even(1.5), 2);
    TT_EQ(tinyids_round_even(2.5), 2);
    TT_EQ(tinyids_round_even(3.5), 4);
    TT_EQ(tinyids_round_even(-0.5), 0);
    TT_EQ(tinyids_round_even(-1.5), -2);
    TT_EQ(tinyids_round_even(-2.5), -2);
    TT_EQ(tinyids_round_even(2.375), 2);
    TT_EQ(tinyids_round_even(2.625), 3);
    TT_EQ(tinyids_round_even(-2.625), -3);
    TT_EQ(tinyids_round_even(127.5), 128);
    TT_EQ(tinyids_round_even(-128.5), -128);
    TT_EQ(tinyids_round_even(nan), 0);
    TT_EQ(tinyids_round_even(1e9), 1000); /* far outside int8: saturated before the cast */
    TT_EQ(tinyids_round_even(-1e9), -1000);
    TT_EQ(tinyids_round_even(1.0 / 0.0), 1000);

    {   /* scale 0.5, zero point -3: q = round_even(x / 0.5) - 3, saturated */
        const float x[9] = {0.0f, 0.25f, 0.75f, 1.25f, -0.25f, 100.0f, -100.0f, 63.5f, 0.0f};
        const int8_t want[9] = {-3, -3, -1, -1, -3, 127, -128, 124, -3};
        int8_t q[9];
        float xs[9];
        int i;
        for (i = 0; i < 9; ++i) {
            xs[i] = x[i];
        }
        xs[8] = nan; /* NaN quantizes to the zero point */
        tinyids_quantize(xs, q, 9, 0.5, -3);
        for (i = 0; i < 9; ++i) {
            TT_EQ(q[i], want[i]);
        }
    }
    {   /* zero point 127: the top of the range is reached by any non-negative input */
        const float x[3] = {0.0f, 3.0f, -0.125f};
        const int8_t want[3] = {127, 127, 126};
        int8_t q[3];
        int i;
        tinyids_quantize(x, q, 3, 0.125, 127);
        for (i = 0; i < 3; ++i) {
            TT_EQ(q[i], want[i]);
        }
    }
    return tt_end();
}
