/* tinyids kernels: preprocessing op `log1p`: x[c] = log(1 + x[c]) for the listed columns (each
 * listed once); the other columns pass through. dst may be src.
 *
 * libm: this is the only kernel that needs it (<math.h>, link with -lm); models without a
 * log1p step stay free of libm, and the int8 path never uses float. On hosted C99 targets it is
 * log1pf. avr-libc has no log1pf, so on AVR it is log(u) * (v / (u - 1)) with u = 1 + v
 * (Goldberg's correction, exact where u == 1), with avr-libc's 32-bit log.
 * Tested in tests/c/test_preprocess.c. */
#ifndef TINYIDS_PRE_LOG1P_H
#define TINYIDS_PRE_LOG1P_H

#include <math.h>

#include "tinyids_platform.h"

static float tinyids_log1pf(float v)
{
#if defined(__AVR__)
    const float u = 1.0f + v;
    if (u == 1.0f) {
        return v;
    }
    if (u - 1.0f == u) { /* 1 is lost in u (huge v, or infinity) */
        return (float)log(u);
    }
    return (float)(log(u) * (v / (u - 1.0f)));
#else
    return log1pf(v);
#endif
}

static void tinyids_pre_log1p(const float *src, float *dst, tinyids_index_t n,
                              const int16_t *columns, tinyids_index_t n_columns)
{
    tinyids_index_t i;
    if (dst != src) {
        for (i = 0; i < n; ++i) {
            dst[i] = src[i];
        }
    }
    for (i = 0; i < n_columns; ++i) {
        const tinyids_index_t c = TINYIDS_READ_I16(columns + i);
        dst[c] = tinyids_log1pf(dst[c]);
    }
}

#endif /* TINYIDS_PRE_LOG1P_H */
