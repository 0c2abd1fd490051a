/* Known values and edge cases of the fixed-point kernels (tinyids_gemmlowp.h, tinyids_mbqm_*.h,
 * tinyids_clamp.h, tinyids_reciprocal.h). The expected values are gemmlowp's and TFLite's
 * (as ported in tinyids/codegen/fixedpoint.py): rounding ties, saturation at INT32_MIN/MAX, the
 * largest and smallest shifts. The tables live in flash (TINYIDS_CONST) and are read back with
 * TINYIDS_READ_I32, so on AVR the PROGMEM readers are exercised too. */
#include "tinyids_test.h"
#include "tinyids_mbqm_single.h"
#include "tinyids_mbqm_double.h"
#include "tinyids_clamp.h"
#include "tinyids_reciprocal.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define RD(p) TINYIDS_READ_I32(&(p))

typedef struct { int32_t x, e, want; } case_xe;
typedef struct { int32_t a, b, want; } case_ab;
typedef struct { int32_t x, m, shift, single, dbl; } case_mbqm;

/* RoundingDivideByPOT: x / 2^e to nearest, ties away from zero */
static const case_xe rdpot_cases[] TINYIDS_CONST = {
    {INT32_C(0), 0, INT32_C(0)},
    {INT32_C(7), 0, INT32_C(7)},
    {INT32_C(-7), 0, INT32_C(-7)},
    {INT32_C(1), 1, INT32_C(1)},            /* 0.5 -> 1 */
    {INT32_C(-1), 1, INT32_C(-1)},          /* -0.5 -> -1 */
    {INT32_C(3), 1, INT32_C(2)},
    {INT32_C(-3), 1, INT32_C(-2)},
    {INT32_C(5), 1, INT32_C(3)},
    {INT32_C(-5), 1, INT32_C(-3)},
    {INT32_C(2), 2, INT32_C(1)},
    {INT32_C(-2), 2, INT32_C(-1)},
    {INT32_C(6), 2, INT32_C(2)},
    {INT32_C(-6), 2, INT32_C(-2)},
    {INT32_C(10), 2, INT32_C(3)},
    {INT32_C(-10), 2, INT32_C(-3)},
    {INT32_MAX, 1, INT32_C(1073741824)},
    {INT32_MIN, 1, INT32_C(-1073741824)},
    {INT32_MAX, 31, INT32_C(1)},
    {INT32_MIN, 31, INT32_C(-1)},
    {INT32_MAX, 30, INT32_C(2)},
    {INT32_MIN, 30, INT32_C(-2)},
    {INT32_C(-1073741824), 31, INT32_C(-1)}, /* exactly -0.5 */
    {INT32_C(1073741824), 31, INT32_C(1)},   /* exactly 0.5 */
    {INT32_C(1073741823), 31, INT32_C(0)},
    {INT32_C(-1073741825), 31, INT32_C(-1)},
    {INT32_C(12345), 8, INT32_C(48)},
    {INT32_C(-12345), 8, INT32_C(-48)},
};

/* SaturatingRoundingDoublingHighMul: round(a * b / 2^31), INT32_MIN * INT32_MIN saturates */
static const case_ab srdhm_cases[] TINYIDS_CONST = {
    {INT32_MIN, INT32_MIN, INT32_MAX},
    {INT32_MAX, INT32_MAX, INT32_C(2147483646)},
    {INT32_MIN, INT32_MAX, INT32_C(-2147483647)},
    {INT32_MAX, INT32_MIN, INT32_C(-2147483647)},
    {INT32_C(1073741824), INT32_C(1073741824), INT32_C(536870912)},
    {INT32_C(-1073741824), INT32_C(1073741824), INT32_C(-536870912)},
    {INT32_C(0), INT32_MAX, INT32_C(0)},
    {INT32_C(1), INT32_C(1), INT32_C(0)},
    {INT32_C(-1), INT32_C(1), INT32_C(0)},
    {INT32_C(32768), INT32_C(32768), INT32_C(1)},   /* +0.5: the nudge rounds up */
    {INT32_C(-32768), INT32_C(32768), INT32_C(0)},  /* -0.5: gemmlowp's nudge gives 0 */
    {INT32_C(-32769), INT32_C(32768), INT32_C(-1)},
    {INT32_MIN, INT32_C(1), INT32_C(-1)},
    {INT32_MIN, INT32_C(-1), INT32_C(1)},
    {INT32_MAX, INT32_C(-1), INT32_C(-1)},
    {INT32_C(123456789), INT32_C(987654321), INT32_C(56779306)},
    {INT32_C(-123456789), INT32_C(987654321), INT32_C(-56779306)},
    {INT32_C(1073741824), INT32_C(-1073741823), INT32_C(-536870911)},
};

/* MultiplyByQuantizedMultiplier: single rounding (FULLY_CONNECTED) and gemmlowp's double
 * rounding (CONV_2D); they differ on ties (-50.5 -> -50 both here) and where x << shift wraps
 * as TFLite's int32 multiplication does (shift 30) */
static const case_mbqm mbqm_cases[] TINYIDS_CONST = {
    {INT32_C(0), INT32_C(1073741824), 0, INT32_C(0), INT32_C(0)},
    {INT32_C(100), INT32_C(1073741824), 0, INT32_C(50), INT32_C(50)},
    {INT32_C(101), INT32_C(1073741824), 0, INT32_C(51), INT32_C(51)},
    {INT32_C(-101), INT32_C(1073741824), 0, INT32_C(-50), INT32_C(-50)},
    {INT32_C(-100), INT32_C(1073741824), 0, INT32_C(-50), INT32_C(-50)},
    {INT32_C(1000), INT32_C(1518500250), -3, INT32_C(88), INT32_C(88)},
    {INT32_C(-1000), INT32_C(1518500250), -3, INT32_C(-88), INT32_C(-88)},
    {INT32_C(12345), INT32_MAX, -31, INT32_C(0), INT32_C(0)},
    {INT32_C(-16777216), INT32_C(1073741824), -31, INT32_C(0), INT32_C(0)},
    {INT32_C(16777216), INT32_C(1073741824), -8, INT32_C(32768), INT32_C(32768)},
    {INT32_C(-777), INT32_C(1999999999), 1, INT32_C(-1447), INT32_C(-1447)},
    {INT32_C(5), INT32_C(1073741824), 6, INT32_C(160), INT32_C(160)},
    {INT32_C(-5), INT32_C(1073741824), 6, INT32_C(-160), INT32_C(-160)},
    {INT32_C(3), INT32_C(1073741824), 30, INT32_C(1610612736), INT32_C(-536870912)},
    {INT32_C(-3), INT32_C(1073741824), 30, INT32_C(-1610612736), INT32_C(536870912)},
    {INT32_MAX, INT32_C(1073741824), -1, INT32_C(536870912), INT32_C(536870912)},
    {INT32_MIN, INT32_C(1073741824), -1, INT32_C(-536870912), INT32_C(-536870912)},
};

/* SaturatingRoundingMultiplyByPOT<e>, e > 0 */
static const case_xe sat_shl_cases[] TINYIDS_CONST = {
    {INT32_C(268435456), 2, INT32_C(1073741824)},
    {INT32_C(536870911), 2, INT32_C(2147483644)},
    {INT32_C(536870912), 2, INT32_MAX},
    {INT32_C(-536870911), 2, INT32_C(-2147483644)},
    {INT32_C(-536870912), 2, INT32_MIN},
    {INT32_MAX, 1, INT32_MAX},
    {INT32_MIN, 1, INT32_MIN},
    {INT32_C(1), 30, INT32_C(1073741824)},
    {INT32_C(2), 30, INT32_MAX},
    {INT32_C(-2), 30, INT32_MIN},
    {INT32_C(-1), 30, INT32_C(-1073741824)},
};

/* one_over_one_plus_x_for_x_in_0_1 (Q0.31): 1 / (1 + a / 2^31) */
static const case_ab one_over_cases[] TINYIDS_CONST = {
    {INT32_C(0), 0, INT32_MAX},                 /* 1.0 saturates */
    {INT32_C(1), 0, INT32_MAX},
    {INT32_C(1073741824), 0, INT32_C(1431655762)}, /* 1 / 1.5 */
    {INT32_MAX, 0, INT32_C(1073741820)},        /* ~1 / 2 */
    {INT32_C(123456789), 0, INT32_C(2030738432)},
    {INT32_C(2000000000), 0, INT32_C(1111923858)},
};

/* GetReciprocal(x, 12 integer bits): (Q0.31 value, num_bits_over_unit) */
static const case_ab reciprocal_cases[] TINYIDS_CONST = {
    {INT32_C(1), INT32_MAX, -19},
    {INT32_C(4096), INT32_MAX, -7},
    {INT32_C(4097), INT32_C(2146959492), -7},
    {INT32_C(12288), INT32_C(1431655762), -6},
    {INT32_C(524288), INT32_MAX, 0},
    {INT32_C(134230073), INT32_C(2147286146), 8},
    {INT32_MAX, INT32_C(1073741820), 11},
};

int main(void)
{
    int i;
    tt_begin("fixedpoint");

    /* arithmetic shift right floors, for negative numbers too */
    TT_EQ(tinyids_asr(-1, 1), -1);
    TT_EQ(tinyids_asr(-2, 1), -1);
    TT_EQ(tinyids_asr(-3, 1), -2);
    TT_EQ(tinyids_asr(-5, 2), -2);
    TT_EQ(tinyids_asr(5, 0), 5);
    TT_EQ(tinyids_asr(INT32_MIN, 31), -1);
    TT_EQ(tinyids_asr(INT32_MAX, 31), 0);
    TT_EQ(tinyids_asr(INT32_MIN, 1), INT32_C(-1073741824));

    for (i = 0; i < N(rdpot_cases); ++i) {
        TT_EQ(tinyids_rdpot(RD(rdpot_cases[i].x), (int)RD(rdpot_cases[i].e)), RD(rdpot_cases[i].want));
    }
    for (i = 0; i < N(srdhm_cases); ++i) {
        TT_EQ(tinyids_srdhm(RD(srdhm_cases[i].a), RD(srdhm_cases[i].b)), RD(srdhm_cases[i].want));
        /* symmetric in its arguments */
        TT_EQ(tinyids_srdhm(RD(srdhm_cases[i].b), RD(srdhm_cases[i].a)), RD(srdhm_cases[i].want));
    }
    for (i = 0; i < N(mbqm_cases); ++i) {
        const int32_t x = RD(mbqm_cases[i].x), m = RD(mbqm_cases[i].m);
        const int s = (int)RD(mbqm_cases[i].shift);
        TT_EQ(tinyids_mbqm_single(x, m, s), RD(mbqm_cases[i].single));
        TT_EQ(tinyids_mbqm_double(x, m, s), RD(mbqm_cases[i].dbl));
    }
    /* the multiplier 0 (a real multiplier below 2^-31) gives 0 in both */
    TT_EQ(tinyids_mbqm_single(INT32_MAX, 0, -31), 0);
    TT_EQ(tinyids_mbqm_double(INT32_MIN, 0, 0), 0);

    /* clamping to an activation range */
    TT_EQ(tinyids_clamp8(200, -128, 127), 127);
    TT_EQ(tinyids_clamp8(-200, -128, 127), -128);
    TT_EQ(tinyids_clamp8(INT32_MAX, -128, 127), 127);
    TT_EQ(tinyids_clamp8(INT32_MIN, -128, 127), -128);
    TT_EQ(tinyids_clamp8(5, 0, 127), 5);
    TT_EQ(tinyids_clamp8(-5, 0, 127), 0); /* fused RELU with zero point 0 */
    TT_EQ(tinyids_clamp8(10, 3, 3), 3);
    TT_EQ(tinyids_clamp8(-128, -128, 127), -128);
    TT_EQ(tinyids_clamp8(127, -128, 127), 127);

    for (i = 0; i < N(sat_shl_cases); ++i) {
        TT_EQ(tinyids_sat_shl(RD(sat_shl_cases[i].x), (int)RD(sat_shl_cases[i].e)), RD(sat_shl_cases[i].want));
    }
    /* wrapping addition, no signed overflow */
    TT_EQ(tinyids_add32(INT32_MAX, 1), INT32_MIN);
    TT_EQ(tinyids_add32(INT32_MIN, -1), INT32_MAX);
    TT_EQ(tinyids_add32(-5, 3), -2);

    for (i = 0; i < N(one_over_cases); ++i) {
        TT_EQ(tinyids_one_over_one_plus_x(RD(one_over_cases[i].a)), RD(one_over_cases[i].want));
    }
    for (i = 0; i < N(reciprocal_cases); ++i) {
        int bits = 99;
        TT_EQ(tinyids_reciprocal(RD(reciprocal_cases[i].a), &bits), RD(reciprocal_cases[i].b));
        TT_EQ(bits, RD(reciprocal_cases[i].want));
    }
    return tt_end();
}
