/* tinyids kernels: float features (as fed to the model) to its int8 input: round half to even
 * of x / scale, as numpy.round in tinyids.litert.Quantization.quantize, plus the zero point,
 * saturated to int8. Float code, outside the int8 path: `double` is 64 bits on the host and
 * 32 bits with avr-gcc. No libm. Tested in tests/c/test_quantize.c. */
#ifndef TINYIDS_QUANTIZE_H
#define TINYIDS_QUANTIZE_H

#include "tinyids_platform.h"

/* Round half to even; NaN gives 0; beyond +-1000 (far outside int8) it saturates to +-1000. */
static int32_t tinyids_round_even(double v)
{
    int32_t t;
    double frac;
    if (!(v == v)) {
        return 0;
    }
    if (v > 1000.0) {
        return 1000;
    }
    if (v < -1000.0) {
        return -1000;
    }
    t = (int32_t)v;
    frac = v - (double)t;
    if (frac > 0.5 || (frac == 0.5 && (t & 1))) {
        t += 1;
    } else if (frac < -0.5 || (frac == -0.5 && (t & 1))) {
        t -= 1;
    }
    return t;
}

static void tinyids_quantize(const float *x, int8_t *q, tinyids_index_t n, double scale,
                             int32_t zero_point)
{
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        const int32_t v = tinyids_round_even((double)x[i] / scale) + zero_point;
        q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
}

#endif /* TINYIDS_QUANTIZE_H */
