/* tinyids kernels: an int8 -> int8 lookup table (LOGISTIC), as TFLite's reference kernel.
 * Tested in tests/c/test_int8_kernels.c. */
#ifndef TINYIDS_LOOKUP_H
#define TINYIDS_LOOKUP_H

#include "tinyids_platform.h"

/* Element-wise int8 -> int8 table (TFLite's LUTPopulate / LookupTable, e.g. LOGISTIC). */
static void tinyids_lookup(const int8_t *in, int8_t *out, tinyids_index_t n,
                           const int8_t *table)
{
    tinyids_index_t i;
    for (i = 0; i < n; ++i) {
        out[i] = TINYIDS_READ_I8(table + (uint8_t)in[i]);
    }
}

#endif /* TINYIDS_LOOKUP_H */
