/* The 32-bit requantization (tinyids_rq32.h) equals TFLite's 64-bit reference forms
 * (tinyids_mbqm_single.h: FULLY_CONNECTED; tinyids_mbqm_double.h: CONV_2D, gemmlowp's double
 * rounding) on every edge value (accumulators 0, +-1, +-2, the bound, ties; multipliers 2^30,
 * 2^30 + 1, 2^31 - 1; every shift the form accepts) and on random values: 3,000,000 draws on the host,
 * 4,000 on the ATmega328P (16-bit int).
 * The parameters are built here exactly as tinyids.codegen.requant.params builds them; the
 * saturating form tinyids_rq32_int8 is checked on every accumulator of a range. */
#include "tinyids_test.h"
/* the parameter tables are built at run time here, in RAM: plain readers on every target (the
 * flash readers of the generated tables are exercised by the generated models under simavr) */
#define TINYIDS_CONST
#define TINYIDS_READ_I8(p) (*(p))
#define TINYIDS_READ_I16(p) (*(p))
#define TINYIDS_READ_I32(p) (*(p))
#define TINYIDS_READ_F32(p) (*(p))
#include "tinyids_mbqm_single.h"
#include "tinyids_mbqm_double.h"
#include "tinyids_rq32.h"

#if defined(__AVR__)
#define RANDOM_CHECKS 4000L
#else
#define RANDOM_CHECKS 3000000L
#endif


/* tinyids.codegen.requant.params for the accumulators in [lo, hi]; returns 0 when the form
 * does not apply */
static int make_params_in(int32_t *p, uint32_t m, int shift, int dbl, int32_t lo, int32_t hi)
{
    int total, pre, j, k, t2;
    int64_t c_pos, c_neg;
    uint32_t span, mag;
    if (dbl) {
        if (shift >= 0) {
            total = 31;
            pre = shift;
            c_pos = c_neg = INT64_C(1) << 30;
        } else {
            total = 31 - shift;
            pre = 0;
            c_pos = (INT64_C(1) << 30) + (INT64_C(1) << (30 - shift));
            c_neg = c_pos - (INT64_C(1) << 31);
        }
    } else {
        total = 31 - shift;
        if (total < 1) {
            return 0;
        }
        pre = 0;
        c_pos = c_neg = INT64_C(1) << (total - 1);
    }
    if (m == 0) {
        c_neg = c_pos;
    }
    if (total > 56 || hi < lo) {
        return 0;
    }
    mag = (uint32_t)(lo < 0 ? -(int64_t)lo : lo);
    if ((uint32_t)(hi < 0 ? -(int64_t)hi : hi) > mag) {
        mag = (uint32_t)(hi < 0 ? -(int64_t)hi : hi);
    }
    if (((uint64_t)mag << pre) >= (UINT64_C(1) << 31)) {
        return 0;
    }
    /* the result must fit an int32 (TFLite checks the same) */
    if (((((uint64_t)mag << pre) * m) >> total) + 1 >= (UINT64_C(1) << 31)) {
        return 0;
    }
    span = mag;
    j = total <= 32 ? 32 - total : (32 + 8 * ((total - 32 + 7) / 8)) - total;
    k = pre + j;
    if (k > 31 || ((uint64_t)span << k) >= (UINT64_C(1) << 31)) {
        return 0;
    }
    t2 = total + j - 32;
    c_pos = (int64_t)((uint64_t)c_pos << j);
    c_neg = (int64_t)((uint64_t)c_neg << j);
    p[0] = (int32_t)m;
    p[1] = tinyids_u2s((uint32_t)((uint64_t)c_pos >> 32));
    p[2] = tinyids_u2s((uint32_t)((uint64_t)c_pos & UINT32_C(0xFFFFFFFF)));
    p[3] = tinyids_u2s((uint32_t)((uint64_t)c_neg >> 32));
    p[4] = tinyids_u2s((uint32_t)((uint64_t)c_neg & UINT32_C(0xFFFFFFFF)));
    p[5] = (int32_t)((uint32_t)k | ((uint32_t)(t2 >> 3) << 8) |
                     ((((uint64_t)span << k) < (UINT64_C(1) << 16)) ? UINT32_C(0x10000) : 0u));
    return 1;
}

static int make_params(int32_t *p, uint32_t m, int shift, int dbl, uint32_t bound)
{
    return make_params_in(p, m, shift, dbl, -(int32_t)bound, (int32_t)bound);
}

static int32_t reference(int32_t x, uint32_t m, int shift, int dbl)
{
    return dbl ? tinyids_mbqm_double(x, (int32_t)m, shift) : tinyids_mbqm_single(x, (int32_t)m, shift);
}

static long applied = 0;

/* one accumulator within the bound against the reference (skipped when the form does not apply) */
static void check(int32_t x, uint32_t m, int shift, int dbl, uint32_t bound, int line)
{
    int32_t p[TINYIDS_RQ32_WORDS];
    if ((x < 0 ? UINT32_C(0) - (uint32_t)x : (uint32_t)x) > bound || !make_params(p, m, shift, dbl, bound)) {
        return;
    }
    ++applied;
    tt_eq(tinyids_rq32(x, p), reference(x, m, shift, dbl), line);
}

/* tinyids_rq32_int8: the saturation thresholds found by a scan (as the generator finds them by
 * a binary search), then every accumulator of the range against clamp(reference + zp) */
static void check_int8(uint32_t m, int shift, int dbl, int32_t bound, int32_t zp, int32_t lo, int32_t hi)
{
    int32_t p[TINYIDS_RQ32_INT8_WORDS];
    int32_t x, a_lo = -bound - 1, a_hi = bound + 1;
    for (x = -bound; x <= bound; ++x) {
        const int32_t v = reference(x, m, shift, dbl) + zp;
        if (v <= lo) {
            a_lo = x;
        }
        if (v >= hi && a_hi == bound + 1) {
            a_hi = x;
        }
    }
    if (!make_params_in(p, m, shift, dbl, a_lo + 1 > -bound ? a_lo + 1 : -bound, a_hi - 1 < bound ? a_hi - 1 : bound)) {
        return;
    }
    ++applied;
    p[6] = a_lo;
    p[7] = a_hi;
    p[8] = (int32_t)(((uint32_t)lo & 0xFFu) | (((uint32_t)hi & 0xFFu) << 8) | (((uint32_t)zp & 0xFFu) << 16));
    for (x = -bound; x <= bound; ++x) {
        int32_t want = reference(x, m, shift, dbl) + zp;
        want = want < lo ? lo : (want > hi ? hi : want);
        tt_eq(tinyids_rq32_int8(x, p), want, __LINE__);
    }
}

int main(void)
{
    static const uint32_t mults[] = {UINT32_C(1073741824), UINT32_C(1073741825), UINT32_C(1518500250),
                                     UINT32_C(2147483647), 0};
    static const uint32_t bounds[] = {1, 127, 255, 32767, 65535, 65536, UINT32_C(1048575), UINT32_C(16777215)};
    long i;
    int mi, bi, shift, dbl;
    tt_begin("rq32");
    /* a worked example: 3 * 2 * 2^30 + 2^31 = 2^33 -> 2; -3: -2^32 - 2^31 + 2^31 -> -1 */
    {
        static const int32_t table[TINYIDS_RQ32_WORDS] TINYIDS_CONST = {
            INT32_C(1073741824), 0, INT32_C(-2147483647) - 1, 0, INT32_C(-2147483647) - 1, 1};
        TT_EQ(tinyids_rq32(3, table), 2);
        TT_EQ(tinyids_rq32(-3, table), -1); /* -1.5 -> floor(-1.5 + 0.5) = -1 */
    }
    /* edge values: every shift, every edge multiplier and bound, both roundings */
    for (dbl = 0; dbl < 2; ++dbl) {
        for (shift = -31; shift <= 30; ++shift) {
            for (mi = 0; mi < (int)(sizeof mults / sizeof mults[0]); ++mi) {
                for (bi = 0; bi < (int)(sizeof bounds / sizeof bounds[0]); ++bi) {
                    const uint32_t m = mults[mi], bd = bounds[bi];
                    const int32_t bs = (int32_t)bd;
                    const int32_t xs[] = {0, 1, -1, 2, -2, 3, -3, bs, -bs, bs - 1, -bs + 1, bs / 2, -bs / 2};
                    int xi;
                    for (xi = 0; xi < (int)(sizeof xs / sizeof xs[0]); ++xi) {
                        check(xs[xi], m, shift, dbl, bd, __LINE__);
                    }
                    /* ties of the final rounding: x m = (2 j + 1) 2^(T - 1) where x is exact */
                    if (m == UINT32_C(1073741824) && shift < 0 && -shift < 20) {
                        const int32_t tie = (int32_t)1 << (-shift);
                        if ((uint32_t)tie <= bd) {
                            check(tie, m, shift, dbl, bd, __LINE__);
                            check(-tie, m, shift, dbl, bd, __LINE__);
                            check(tie + 1, m, shift, dbl, bd, __LINE__);
                            check(-tie - 1, m, shift, dbl, bd, __LINE__);
                        }
                    }
                }
            }
        }
    }
    /* random multipliers in [2^30, 2^31), shifts, bounds and accumulators within the bound */
    for (i = 0; i < RANDOM_CHECKS; ++i) {
        const uint32_t m = UINT32_C(0x40000000) | (tt_rng() & UINT32_C(0x3FFFFFFF));
        const int sh = (int)(tt_rng() % 40u) - 30;
        const int d = (int)(tt_rng() & 1u);
        const uint32_t bd = (tt_rng() >> (tt_rng() % 31u)) & UINT32_C(0xFFFFFF);
        const uint32_t r = tt_rng();
        const int32_t x = bd ? (int32_t)(r % (2u * bd + 1u)) - (int32_t)bd : 0;
        check(x, m, sh, d, bd, __LINE__);
    }
    /* accumulators in an interval (between saturation thresholds): the bound of the interval */
    for (i = 0; i < RANDOM_CHECKS / 4; ++i) {
        int32_t p[TINYIDS_RQ32_WORDS];
        const uint32_t m = UINT32_C(0x40000000) | (tt_rng() & UINT32_C(0x3FFFFFFF));
        const int sh = (int)(tt_rng() % 30u) - 25;
        const int d = (int)(tt_rng() & 1u);
        const int32_t lo = (int32_t)(tt_rng() & UINT32_C(0xFFFFFF)) - INT32_C(0x800000);
        const int32_t hi = lo + (int32_t)(tt_rng() & UINT32_C(0x1FFFF));
        const int32_t x = lo + (int32_t)(tt_rng() % (uint32_t)(hi - lo + 1));
        if (make_params_in(p, m, sh, d, lo, hi)) {
            ++applied;
            tt_eq(tinyids_rq32(x, p), reference(x, m, sh, d), __LINE__);
        }
    }
    /* saturating to int8: RELU-like and full ranges, both roundings, zero points of both signs */
#if defined(__AVR__)
    check_int8(UINT32_C(1518500250), -7, 1, 3000, -128, -128, 127);
    check_int8(UINT32_C(1073741824), -5, 0, 3000, 5, 5, 127);
#else
    check_int8(UINT32_C(1518500250), -7, 1, 70000, -128, -128, 127);
    check_int8(UINT32_C(1073741824), -5, 0, 40000, 5, 5, 127);
    check_int8(UINT32_C(2147483647), -9, 1, 140000, 17, -20, 100);
    check_int8(UINT32_C(1073741825), -8, 0, 100000, -3, -128, 127);
#endif
    /* the form applied to most draws (not vacuous) */
    TT_EQ(applied > RANDOM_CHECKS / 2, 1);
    return tt_end();
}
