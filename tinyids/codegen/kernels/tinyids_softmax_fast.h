/* tinyids kernels: int8 SOFTMAX for the `fast` variant, bit-exact with tinyids_softmax()
 * (tinyids_softmax.h, TFLite's reference kernel) without its 64-bit shifts and signed 64-bit
 * products, which cost hundreds of cycles each on an 8-bit MCU (about half the reference's
 * cycles for 5 classes on the ATmega328P); the one 64-bit operation left, an unsigned
 * 32 x 32-bit product, is built from 32-bit parts where the target has no widening multiply. Tested in tests/c/test_softmax_fast.c against tinyids_softmax()
 * and the reference's parts (every sum a row of up to 10 classes can have; every 3-class row
 * of differences; millions of random rows on the host, thousands on the ATmega328P) on the exp
 * tables of real models (tests/unit/test_codegen_softmax_fast.py checks them against the
 * generator).
 *
 * It reads the same exp table as tinyids_softmax() (exp_table[d] = exp_on_negative_values of the
 * rescaled difference -d, built by tinyids.codegen.fixedpoint.softmax_params) with the same
 * diff_min, so the maximum, the set of differences that take part and every table value are
 * those of the reference kernel. Preconditions (the generator checks them, else it emits
 * tinyids_softmax): exp_table[0] = INT32_MAX (exp(0), always so), every entry >= 0, and
 * 1 <= depth <= 255. What differs, each step exact:
 *
 * (1) the sum. Every term is RoundingDivideByPOT(e, 12) with e >= 0, which is
 *     floor((e + 2^11) / 2^12) (the remainder reaches 2^11 exactly when adding 2^11 carries);
 *     e + 2^11 <= 2^31 + 2047 fits uint32; with t = e + 2^11 it is (t >> 16) 2^4 + ((t mod 2^16)
 *     >> 12), summed in two parts. The row's maximum contributes exp_table[0] -> 2^19, so
 *     2^19 <= sum <= 255 * 2^19 < 2^27.
 * (2) the reciprocal (GetReciprocal with 12 integer bits). With h = clz(sum) (<= 12),
 *     shifted = sum << h lies in [2^31, 2^32), so the reference's a = shifted - 2^31 is >= 0 and
 *     its half_denominator RoundingHalfSum(a, INT32_MAX) = (a + 2^31 - 1 + 1) >> 1 = shifted >> 1.
 *     The Newton-Raphson steps are the reference's, each SaturatingRoundingDoublingHighMul done
 *     by tinyids_srdhm_fast (below), equal to tinyids_srdhm on every int32 pair.
 * (3) the output. scale (the reciprocal, > 0) and e (>= 0) give out + 128 =
 *     RoundingDivideByPOT(SRDHM(scale, e), k) with k = num_bits_over_unit + 23; by (1),
 *     h <= 12 gives k >= 23 and sum < 2^27 gives h >= 5, k <= 30. Both roundings act on
 *     non-negative values: SRDHM = floor((P + 2^30) / 2^31) with P = scale * e < 2^62, and
 *     the shift is floor((v + 2^(k-1)) / 2^k). Since floor((floor(y) + m) / n) = floor((y + m) / n)
 *     for integers m and n > 0, out + 128 = floor((P + 2^30 + 2^(k+30)) / 2^(k+31)): the high
 *     word of P plus the carry of its low word + 2^30, plus 2^(k-2), shifted right by k - 1
 *     (<= 256, then clamped to 255, as the reference's clamp to 127 does). The reciprocal is
 *     > 0 (the Newton-Raphson iterate approximates 1 / half_denominator in (1, 2]; checked on
 *     every sum up to 255 * 2^19 when this kernel was written, and on the sums the tests draw).
 * The 32 x 32 -> 64-bit products are exact: 16 byte MULs on AVR (inline assembly), the
 * target's widening multiply where it has one, four 16 x 16 -> 32-bit products elsewhere
 * (tests/c/test_softmax_fast.c checks the first and the last against a 64-bit product). */
#ifndef TINYIDS_SOFTMAX_FAST_H
#define TINYIDS_SOFTMAX_FAST_H

#include "tinyids_platform.h"
#include "tinyids_sat_shl.h"

/* The exact 64-bit product a * b: returns the high word, *lo_out the low word. */
#if defined(__AVR__) && defined(__AVR_HAVE_MUL__) && defined(__GNUC__)
/* AVR: the 16 byte products summed column by column (bytes k, k + 1, k + 2 take column k's
 * products; a column's sum with the carries into it stays below 2^24, so nothing carries
 * further; the last column's carry out is 0 as a * b < 2^64), about 100 cycles; avr-gcc's
 * own 32 x 32 multiplies cost about 100 cycles for the low word alone. r1 (avr-gcc's zero
 * register) is cleared after the MULs that wrote it. */
static uint32_t tinyids_mul32_hi(uint32_t a, uint32_t b, uint32_t *lo_out)
{
    uint32_t lo, hi;
    uint8_t z;
    __asm__(
        "clr %[z]\n\t"
        "mul %A[a], %A[b]\n\t" "mov %A[lo], r0\n\t" "mov %B[lo], r1\n\t"
        "clr %C[lo]\n\t" "clr %D[lo]\n\t" "clr %A[hi]\n\t" "clr %B[hi]\n\t" "clr %C[hi]\n\t" "clr %D[hi]\n\t"
        /* column 1 */
        "mul %A[a], %B[b]\n\t" "add %B[lo], r0\n\t" "adc %C[lo], r1\n\t" "adc %D[lo], %[z]\n\t"
        "mul %B[a], %A[b]\n\t" "add %B[lo], r0\n\t" "adc %C[lo], r1\n\t" "adc %D[lo], %[z]\n\t"
        /* column 2 */
        "mul %A[a], %C[b]\n\t" "add %C[lo], r0\n\t" "adc %D[lo], r1\n\t" "adc %A[hi], %[z]\n\t"
        "mul %B[a], %B[b]\n\t" "add %C[lo], r0\n\t" "adc %D[lo], r1\n\t" "adc %A[hi], %[z]\n\t"
        "mul %C[a], %A[b]\n\t" "add %C[lo], r0\n\t" "adc %D[lo], r1\n\t" "adc %A[hi], %[z]\n\t"
        /* column 3 */
        "mul %A[a], %D[b]\n\t" "add %D[lo], r0\n\t" "adc %A[hi], r1\n\t" "adc %B[hi], %[z]\n\t"
        "mul %B[a], %C[b]\n\t" "add %D[lo], r0\n\t" "adc %A[hi], r1\n\t" "adc %B[hi], %[z]\n\t"
        "mul %C[a], %B[b]\n\t" "add %D[lo], r0\n\t" "adc %A[hi], r1\n\t" "adc %B[hi], %[z]\n\t"
        "mul %D[a], %A[b]\n\t" "add %D[lo], r0\n\t" "adc %A[hi], r1\n\t" "adc %B[hi], %[z]\n\t"
        /* column 4 */
        "mul %B[a], %D[b]\n\t" "add %A[hi], r0\n\t" "adc %B[hi], r1\n\t" "adc %C[hi], %[z]\n\t"
        "mul %C[a], %C[b]\n\t" "add %A[hi], r0\n\t" "adc %B[hi], r1\n\t" "adc %C[hi], %[z]\n\t"
        "mul %D[a], %B[b]\n\t" "add %A[hi], r0\n\t" "adc %B[hi], r1\n\t" "adc %C[hi], %[z]\n\t"
        /* column 5 */
        "mul %C[a], %D[b]\n\t" "add %B[hi], r0\n\t" "adc %C[hi], r1\n\t" "adc %D[hi], %[z]\n\t"
        "mul %D[a], %C[b]\n\t" "add %B[hi], r0\n\t" "adc %C[hi], r1\n\t" "adc %D[hi], %[z]\n\t"
        /* column 6 */
        "mul %D[a], %D[b]\n\t" "add %C[hi], r0\n\t" "adc %D[hi], r1\n\t"
        "clr __zero_reg__"
        : [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z)
        : [a] "r"(a), [b] "r"(b)
        : "r0");
    *lo_out = lo;
    return hi;
}
#elif (defined(__x86_64__) || defined(__aarch64__) || defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) \
       || defined(__ARM_ARCH_8M_MAIN__)) && !defined(TINYIDS_MUL32_PARTS)
/* one 32 x 32 -> 64-bit multiply instruction (UMULL on ARMv7-M) */
static uint32_t tinyids_mul32_hi(uint32_t a, uint32_t b, uint32_t *lo_out)
{
    const uint64_t p = (uint64_t)a * b;
    *lo_out = (uint32_t)p;
    return (uint32_t)(p >> 32);
}
#else
/* elsewhere (no widening multiply: LX106, ARMv6-M, ...; or TINYIDS_MUL32_PARTS defined, as the
 * tests do) four 16 x 16 -> 32-bit products.
 * a * b for 16-bit a, b. Kept out of line with GCC: once inlined, avr-gcc (5.4) no longer
 * sees the widening 16 x 16 multiply and calls its 32 x 32 __mulsi3. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint32_t tinyids_mul16x16(uint16_t a, uint16_t b)
{
    return (uint32_t)a * b;
}

/* four 16 x 16 -> 32-bit products; the partial sums stay below 2^32:
 * (2^16 - 1)^2 + (2^16 - 1) < 2^32 */
static uint32_t tinyids_mul32_hi(uint32_t a, uint32_t b, uint32_t *lo_out)
{
    const uint16_t a0 = (uint16_t)a, a1 = (uint16_t)(a >> 16);
    const uint16_t b0 = (uint16_t)b, b1 = (uint16_t)(b >> 16);
    const uint32_t p00 = tinyids_mul16x16(a0, b0);
    const uint32_t m1 = tinyids_mul16x16(a1, b0) + (p00 >> 16);
    const uint32_t m2 = tinyids_mul16x16(a0, b1) + (m1 & UINT32_C(0xFFFF));
    *lo_out = (m2 << 16) | (p00 & UINT32_C(0xFFFF));
    return tinyids_mul16x16(a1, b1) + (m1 >> 16) + (m2 >> 16);
}
#endif

/* gemmlowp SaturatingRoundingDoublingHighMul, equal to tinyids_srdhm (tinyids_gemmlowp.h) on
 * every pair. For v = a b, the reference's (v + 2^30) >> 31 (v >= 0) and
 * -((-v + 2^30 - 1) >> 31) (v < 0, = ceil((v - 2^30 + 1) / 2^31)) are both floor((v + 2^30) / 2^31).
 * v mod 2^64 is the unsigned product of the two's complements minus 2^32 (b if a < 0, a if
 * b < 0); unless a = b = INT32_MIN (which saturates), |v| <= 2^62 - 2^31, so the quotient is an
 * int32: bits 31..62 of v + 2^30. */
static int32_t tinyids_srdhm_fast(int32_t a, int32_t b)
{
    const uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
    uint32_t lo, hi;
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    hi = tinyids_mul32_hi(ua, ub, &lo);
    if (a < 0) {
        hi -= ub;
    }
    if (b < 0) {
        hi -= ua;
    }
    /* bits 31 and 32 of lo + 2^30 from lo's top two bits t: (t + 1) >> 1 */
    return (int32_t)((hi << 1) + (((uint8_t)(lo >> 24) >> 6) + 1u) / 2u);
}

/* GetReciprocal(sum, 12 integer bits) for sum > 0: step (2) above. */
static int32_t tinyids_softmax_fast_recip(uint32_t sum, int *num_bits_over_unit)
{
    int headroom_plus_one = 0;
    int32_t half_denominator, x;
    int i;
    while (!(sum & UINT32_C(0x80000000))) {
        sum <<= 1;
        ++headroom_plus_one;
    }
    *num_bits_over_unit = 12 - headroom_plus_one;
    half_denominator = (int32_t)(sum >> 1);
    x = (int32_t)(UINT32_C(1515870810) + (uint32_t)tinyids_srdhm_fast(half_denominator, INT32_C(-1010580540)));
    for (i = 0; i < 3; ++i) {
        const int32_t hdx = tinyids_srdhm_fast(half_denominator, x);
        const int32_t one_minus = (int32_t)(UINT32_C(536870912) - (uint32_t)hdx);
        x = (int32_t)((uint32_t)x + (uint32_t)tinyids_sat_shl(tinyids_srdhm_fast(x, one_minus), 2));
    }
    return tinyids_sat_shl(x, 1);
}

/* One output, step (3) above: scale the reciprocal (> 0), e >= 0 the class's table entry,
 * bias = 2^(k - 2) and shift = k - 17 for k = num_bits_over_unit + 23. */
static int8_t tinyids_softmax_fast_out(uint32_t scale, uint32_t bias, int shift, int32_t e)
{
    uint32_t lo, hi;
    uint16_t v;
    hi = tinyids_mul32_hi(scale, (uint32_t)e, &lo);
    /* the carry of lo + 2^30: lo's top two bits are both set */
    hi += ((uint8_t)(lo >> 24) >= 0xC0u ? 1u : 0u) + bias;
    v = (uint16_t)((uint16_t)(hi >> 16) >> shift);
    return (int8_t)(v > 255u ? 127 : (int)v - 128);
}

/* tinyids_softmax(), same arguments and outputs (preconditions above). */
static void tinyids_softmax_fast(const int8_t *in, int8_t *out, tinyids_index_t outer,
                                 tinyids_index_t depth, int diff_min, const int32_t *exp_table)
{
    tinyids_index_t r, c;
    for (r = 0; r < outer; ++r) {
        const int8_t *x = in + r * depth;
        int8_t *y = out + r * depth;
        int max_in_row = -128;
        uint32_t sum_hi = 0, bias;
        uint16_t sum_lo = 0;
        uint32_t scale;
        int num_bits_over_unit, shift;
        for (c = 0; c < depth; ++c) {
            if (x[c] > max_in_row) {
                max_in_row = x[c];
            }
        }
        for (c = 0; c < depth; ++c) {
            const int diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                /* floor(t / 2^12) = (t >> 16) 2^4 + ((t mod 2^16) >> 12): the factor 2^4 of
                 * the high halves once per row (constant 32-bit shifts are loops on AVR) */
                const uint32_t t = (uint32_t)TINYIDS_READ_I32(exp_table - diff) + UINT32_C(2048);
                sum_hi += (uint16_t)(t >> 16);
                sum_lo = (uint16_t)(sum_lo + ((uint16_t)t >> 12));
            }
        }
        scale = (uint32_t)tinyids_softmax_fast_recip((sum_hi << 4) + sum_lo, &num_bits_over_unit);
        /* k = num_bits_over_unit + 23: add 2^(k - 2) to the high word, shift it by k - 1 */
        bias = UINT32_C(1) << (num_bits_over_unit + 21);
        shift = num_bits_over_unit + 6; /* (k - 1) - 16: the high word's top half shifted */
        for (c = 0; c < depth; ++c) {
            const int diff = x[c] - max_in_row;
            if (diff >= diff_min) {
                y[c] = tinyids_softmax_fast_out(scale, bias, shift, TINYIDS_READ_I32(exp_table - diff));
            } else {
                y[c] = -128;
            }
        }
    }
}

#endif /* TINYIDS_SOFTMAX_FAST_H */
