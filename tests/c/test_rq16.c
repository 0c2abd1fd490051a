/* The narrow requantization (tinyids_rq16.h: tinyids_rq16_int8 and tinyids_rq24_int8) equals
 * clamp(TFLite's 64-bit reference + zero point) (tinyids_mbqm_single.h: FULLY_CONNECTED;
 * tinyids_mbqm_double.h: CONV_2D, gemmlowp's double rounding). The constants are built here as
 * tinyids.codegen.requant.rq16 / rq24 build them, but the only checks made before use are those
 * of the kernel's proof, steps (5) and (8): the int32 ranges at the two ends of the range (the
 * generator additionally evaluates every accumulator). Checked: edge multipliers (2^30,
 * 2^30 + 1, 1518500250, 2^31 - 1), both roundings, every shift in [-25, 0], zero points of both
 * signs, RELU and full output ranges, the accumulators of a range (evenly spread: every one of
 * them for ranges up to 70,000 on the host) with the thresholds and both ends of it, ranges
 * straddling zero (the double rounding's sign-dependent constant) and far from it (the centre
 * xc), both forms; and random draws: 3,000,000 on the host, 2,000 on the ATmega328P (16-bit
 * int). */
#include "tinyids_test.h"
#include "tinyids_mbqm_single.h"
#include "tinyids_mbqm_double.h"
#include "tinyids_rq16.h"

#if defined(__AVR__)
#define RANDOM_CHECKS 2000L
#define SCAN 16L
#else
#define RANDOM_CHECKS 3000000L
#define SCAN 70000L
#endif


static int32_t reference(int32_t x, uint32_t m, int shift, int dbl)
{
    return dbl ? tinyids_mbqm_double(x, (int32_t)m, shift) : tinyids_mbqm_single(x, (int32_t)m, shift);
}

struct rq16 {
    int32_t a_lo, a_hi, xc, xs, kh0, kh1;
    uint16_t ml, kl0, kl1;
    int16_t mh;
    int8_t lo, hi;
    int r;
    /* tinyids_rq24_int8 (wide): K = kh 2^32 + k1 2^16 + k0 */
    int wide;
    int32_t wh0, wh1;
    uint16_t w10, w00, w11, w01;
};

static int64_t floor_div_pow2(int64_t v, int e)
{
    /* floor(v / 2^e) without shifting a negative number */
    return v >= 0 ? (int64_t)((uint64_t)v >> e) : -(int64_t)(((uint64_t)(-(v + 1)) >> e)) - 1;
}

static int in32(int64_t v)
{
    return v >= -(INT64_C(1) << 31) && v < (INT64_C(1) << 31);
}

/* kernel step (8): vh mh + Kh and D at the ends [x0, x1] of a piece with constant K */
static int ends_ok24(const struct rq16 *q, int64_t m, int64_t k, int32_t x0, int32_t x1)
{
    int i;
    for (i = 0; i < 2; ++i) {
        const int64_t v = (int64_t)(i ? x1 : x0) - q->xc;
        const int64_t low = v & 0xFFFF;
        const int64_t vl = low < 0x8000 ? low : low - 65536;
        const int64_t vh = (v - vl) / 65536;
        const int64_t kh = floor_div_pow2(k, 32), k1 = floor_div_pow2(k, 16) & 0xFFFF, k0 = k & 0xFFFF;
        const int64_t a = vl * (m & 0xFFFF) + k0;
        const int64_t b = vh * (m & 0xFFFF) + vl * (m >> 16) + k1 + floor_div_pow2(a, 16);
        const int64_t d1 = vh * (m >> 16) + kh;
        const int64_t d = d1 + floor_div_pow2(b, 16);
        const int64_t y = floor_div_pow2(d, q->r);
        if (v < -(INT64_C(1) << 23) || v >= (INT64_C(1) << 23) || !in32(d1) || !in32(d) || y < -128 || y > 127) {
            return 0;
        }
    }
    return 1;
}

/* kernel step (5): v mh + Kh and B at the ends [x0, x1] of a piece with constant K */
static int ends_ok(const struct rq16 *q, int64_t m, int64_t kh, int64_t kl, int32_t x0, int32_t x1)
{
    int i;
    for (i = 0; i < 2; ++i) {
        const int64_t v = (int64_t)(i ? x1 : x0) - q->xc;
        const int64_t a = v * (int64_t)(m & 0xFFFF) + kl;
        const int64_t b1 = v * (int64_t)(m >> 16) + kh;
        const int64_t b = b1 + floor_div_pow2(a, 16);
        const int64_t y = floor_div_pow2(b, q->r);
        if (v < -32768 || v > 32767 || !in32(b1) || !in32(b) || y < -128 || y > 127) {
            return 0;
        }
    }
    return 1;
}

/* the constants of tinyids.codegen.requant.rq16 for x in (a_lo, a_hi); 0 when the form does not
 * apply. [lo, hi]: the int8 output range, zp: the zero point. */
static int make(struct rq16 *q, uint32_t m, int shift, int dbl, int32_t zp, int8_t lo, int8_t hi,
                int32_t a_lo, int32_t a_hi, int wide)
{
    int total;
    int64_t c_pos, c_neg, k, k_pos, k_neg;
    const int32_t x0 = a_lo + 1, x1 = a_hi - 1;
    if (x1 < x0 || (int64_t)x1 - x0 > (wide ? INT64_C(0xFFFFFF) : INT64_C(0xFFFF))) {
        return 0;
    }
    q->wide = wide;
    if (dbl) {
        if (shift > 0) {
            return 0; /* the form needs no left shift */
        }
        total = 31 - shift;
        c_pos = (INT64_C(1) << 30) + (shift < 0 ? (INT64_C(1) << (30 - shift)) : 0);
        c_neg = shift < 0 ? c_pos - (INT64_C(1) << 31) : c_pos;
    } else {
        total = 31 - shift;
        if (total < 1) {
            return 0;
        }
        c_pos = c_neg = INT64_C(1) << (total - 1);
    }
    if (m == 0) {
        c_neg = c_pos;
    }
    if (total < (wide ? 32 : 17) || total > 56) {
        return 0;
    }
    q->a_lo = a_lo;
    q->a_hi = a_hi;
    q->lo = lo;
    q->hi = hi;
    if (wide) {
        q->xc = (x0 >= -(INT32_C(1) << 23) && x1 < (INT32_C(1) << 23)) ? 0 : x0 + (INT32_C(1) << 23);
    } else {
        q->xc = (x0 >= -32768 && x1 <= 32767) ? 0 : x0 + 32768;
    }
    q->xs = c_neg != c_pos ? (m != UINT32_C(0x40000000) ? 0 : -1) : x0;
    if (q->xs <= x0) {
        q->xs = x0;
        c_neg = c_pos;
    } else if (q->xs > x1) {
        q->xs = x0;
        c_pos = c_neg;
    }
    q->ml = (uint16_t)(m & 0xFFFFu);
    q->mh = (int16_t)(m >> 16);
    q->r = total - (wide ? 32 : 16);
    k_pos = c_pos + (int64_t)q->xc * (int64_t)m + (int64_t)zp * (INT64_C(1) << total);
    k_neg = c_neg + (int64_t)q->xc * (int64_t)m + (int64_t)zp * (INT64_C(1) << total);
    if (wide) {
        if (!in32(floor_div_pow2(k_pos, 32)) || !in32(floor_div_pow2(k_neg, 32))) {
            return 0;
        }
        q->wh0 = (int32_t)floor_div_pow2(k_pos, 32);
        q->w10 = (uint16_t)(floor_div_pow2(k_pos, 16) & 0xFFFF);
        q->w00 = (uint16_t)(k_pos & 0xFFFF);
        q->wh1 = (int32_t)floor_div_pow2(k_neg, 32);
        q->w11 = (uint16_t)(floor_div_pow2(k_neg, 16) & 0xFFFF);
        q->w01 = (uint16_t)(k_neg & 0xFFFF);
        if (q->xs > x0) {
            return ends_ok24(q, m, k_neg, x0, q->xs - 1) && ends_ok24(q, m, k_pos, q->xs, x1);
        }
        return ends_ok24(q, m, k_pos, x0, x1);
    }
    k = c_pos + (int64_t)q->xc * (int64_t)m + (int64_t)zp * (INT64_C(1) << total);
    q->kh0 = (int32_t)floor_div_pow2(k, 16);
    q->kl0 = (uint16_t)(k - floor_div_pow2(k, 16) * 65536);
    if (!in32(floor_div_pow2(k, 16))) {
        return 0;
    }
    k = c_neg + (int64_t)q->xc * (int64_t)m + (int64_t)zp * (INT64_C(1) << total);
    q->kh1 = (int32_t)floor_div_pow2(k, 16);
    q->kl1 = (uint16_t)(k - floor_div_pow2(k, 16) * 65536);
    if (!in32(floor_div_pow2(k, 16))) {
        return 0;
    }
    if (q->xs > x0) { /* two pieces: [x0, xs - 1] with K1, [xs, x1] with K0 */
        return ends_ok(q, m, q->kh1, q->kl1, x0, q->xs - 1) && ends_ok(q, m, q->kh0, q->kl0, q->xs, x1);
    }
    return ends_ok(q, m, q->kh0, q->kl0, x0, x1);
}

static int8_t run(const struct rq16 *q, int32_t x)
{
    if (q->wide) {
        return tinyids_rq24_int8(x, q->a_lo, q->a_hi, q->lo, q->hi, q->xc, q->xs, q->ml, q->mh, q->wh0, q->w10,
                                 q->w00, q->wh1, q->w11, q->w01, q->r);
    }
    return tinyids_rq16_int8(x, q->a_lo, q->a_hi, q->lo, q->hi, q->xc, q->xs, q->ml, q->mh, q->kh0, q->kl0,
                             q->kh1, q->kl1, q->r);
}

static int32_t want_of(int32_t x, uint32_t m, int shift, int dbl, int32_t zp, int32_t lo, int32_t hi)
{
    const int64_t v = (int64_t)reference(x, m, shift, dbl) + zp;
    return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}

/* the thresholds a_lo, a_hi for the accumulators near c (searched as the generator does, on the
 * reference: the output is non-decreasing in x) */
static void thresholds(uint32_t m, int shift, int dbl, int32_t zp, int32_t lo, int32_t hi, int32_t xmin,
                       int32_t xmax, int32_t *a_lo, int32_t *a_hi)
{
    int32_t l = xmin, h = xmax;
    if (want_of(xmin, m, shift, dbl, zp, lo, hi) > lo) {
        *a_lo = xmin - 1;
    } else {
        while ((int64_t)h - l > 1) {
            const int32_t mid = (int32_t)(((int64_t)l + h) / 2);
            if (want_of(mid, m, shift, dbl, zp, lo, hi) <= lo) {
                l = mid;
            } else {
                h = mid;
            }
        }
        *a_lo = want_of(h, m, shift, dbl, zp, lo, hi) <= lo ? h : l;
    }
    l = xmin;
    h = xmax;
    if (want_of(xmax, m, shift, dbl, zp, lo, hi) < hi) {
        *a_hi = xmax + 1;
    } else {
        while ((int64_t)h - l > 1) {
            const int32_t mid = (int32_t)(((int64_t)l + h) / 2);
            if (want_of(mid, m, shift, dbl, zp, lo, hi) >= hi) {
                h = mid;
            } else {
                l = mid;
            }
        }
        *a_hi = want_of(l, m, shift, dbl, zp, lo, hi) >= hi ? l : h;
    }
}

static long applied = 0;

/* every accumulator of [xmin, xmax] (at most SCAN of them, spread evenly, plus the thresholds and
 * ends) */
static void scan(uint32_t m, int shift, int dbl, int32_t zp, int8_t lo, int8_t hi, int32_t xmin, int32_t xmax,
                 int wide)
{
    struct rq16 q;
    int32_t a_lo, a_hi, x;
    int64_t step;
    thresholds(m, shift, dbl, zp, lo, hi, xmin, xmax, &a_lo, &a_hi);
    if (!make(&q, m, shift, dbl, zp, lo, hi, a_lo, a_hi, wide)) {
        return;
    }
    ++applied;
    step = ((int64_t)xmax - xmin) / SCAN + 1;
    for (x = xmin; x <= xmax; x = (int32_t)(x + step)) {
        tt_eq(run(&q, x), want_of(x, m, shift, dbl, zp, lo, hi), __LINE__);
        if ((int64_t)x + step > xmax) {
            break;
        }
    }
    {
        const int32_t edge[] = {xmin, xmax, a_lo, a_lo + 1, a_lo + 2, a_hi - 2, a_hi - 1, a_hi, -2, -1, 0, 1, 2,
                                q.xs - 1, q.xs};
        int i;
        for (i = 0; i < (int)(sizeof edge / sizeof edge[0]); ++i) {
            if (edge[i] >= xmin && edge[i] <= xmax) {
                tt_eq(run(&q, edge[i]), want_of(edge[i], m, shift, dbl, zp, lo, hi), __LINE__);
            }
        }
    }
}

int main(void)
{
    static const uint32_t mults[] = {UINT32_C(1073741824), UINT32_C(1073741825), UINT32_C(1518500250),
                                     UINT32_C(2147483647)};
    long i;
    int mi, shift, dbl;
    tt_begin("rq16");
    /* a worked example: m = 2^30, shift -1 (x / 4, double rounding), zero point 3: x = 6 -> 1.5
     * rounds to 2, + 3 = 5 */
    {
        struct rq16 q;
        TT_EQ(make(&q, UINT32_C(1073741824), -1, 1, 3, -128, 127, -400, 400, 0), 1);
        TT_EQ(run(&q, 6), 5);
        TT_EQ(run(&q, -6), 1); /* -1.5 -> -2 (ties away from zero), + 3 */
        TT_EQ(run(&q, -1000), -128);
        TT_EQ(run(&q, 1000), 127);
    }
    /* edge multipliers, every shift the form accepts, both roundings, RELU and full output ranges,
     * ranges around zero and far from it */
    for (dbl = 0; dbl < 2; ++dbl) {
        for (shift = -25; shift <= 0; ++shift) {
            for (mi = 0; mi < (int)(sizeof mults / sizeof mults[0]); ++mi) {
                const uint32_t m = mults[mi];
                const int32_t span = (int32_t)1 << (shift < -14 ? 14 : 14 + shift / 2);
                const int32_t unit = (int32_t)1 << (-shift < 22 ? -shift : 22);
                int wide;
                for (wide = 0; wide < 2; ++wide) {
                    scan(m, shift, dbl, -128, -128, 127, -span, span, wide);
                    scan(m, shift, dbl, 0, -128, 127, -span, span, wide);
                    scan(m, shift, dbl, 17, -20, 100, -span, span, wide);
                    scan(m, shift, dbl, -5, -128, 127, -300 * unit, 300 * unit, wide);
                    scan(m, shift, dbl, 100, -128, 127, -250 * unit, 0, wide);
                    scan(m, shift, dbl, -128, -128, 127, 1000000, 1000000 + 60000, wide);
                    scan(m, shift, dbl, -128, -128, 127, 100000000, 100000000 + 9000000, wide);
                    scan(m, shift, dbl, 0, -128, 127, -3, 3, wide);
                }
            }
        }
    }
    /* random multipliers in [2^30, 2^31), shifts, zero points, output ranges and ranges */
    for (i = 0; i < RANDOM_CHECKS; ++i) {
        struct rq16 q;
        const uint32_t m = UINT32_C(0x40000000) | (tt_rng() & UINT32_C(0x3FFFFFFF));
        const int sh = -(int)(tt_rng() % 26u);
        const int d = (int)(tt_rng() & 1u);
        const int32_t zp = (int32_t)(tt_rng() % 256u) - 128;
        const int8_t lo = (int8_t)((int32_t)(tt_rng() % 128u) - 128);
        const int8_t hi = (int8_t)(lo + 1 + (int32_t)(tt_rng() % (uint32_t)(127 - lo)));
        /* centred where the outputs are not all saturated: within 2^8 2^-shift of zero */
        const int32_t reach = (int32_t)1 << (8 - sh < 28 ? 8 - sh : 28);
        const int32_t c = (int32_t)(tt_rng() % (2u * (uint32_t)reach + 1u)) - reach;
        const int wide = (int)(tt_rng() & 1u);
        const int32_t w = (int32_t)(tt_rng() & (wide ? UINT32_C(0xFFFFFF) : UINT32_C(0xFFFF)));
        const int32_t x = c - w / 2 + (int32_t)(tt_rng() % (uint32_t)(w + 1));
        int32_t a_lo, a_hi;
        thresholds(m, sh, d, zp, lo, hi, c - w / 2, c - w / 2 + w, &a_lo, &a_hi);
        if (make(&q, m, sh, d, zp, lo, hi, a_lo, a_hi, wide)) {
            ++applied;
            tt_eq(run(&q, x), want_of(x, m, sh, d, zp, lo, hi), __LINE__);
        }
    }
    /* the form applied to many draws (not vacuous; rq16 needs T <= 39: shift >= -8, rq24 T >= 32) */
    TT_EQ(applied > RANDOM_CHECKS / 3, 1);
    return tt_end();
}
