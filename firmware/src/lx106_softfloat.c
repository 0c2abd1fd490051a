/* IEEE-754 single-precision helpers missing from Debian's libgcc for the Xtensa LX106
 * (__addsf3, __subsf3, __mulsf3, __floatsisf, __floatunsisf, __fixunssfsi, __truncdfsf2,
 * __extendsfdf2): round to nearest
 * even, subnormals, infinities and NaNs, after LLVM compiler-rt's fp_add_impl / fp_mul_impl.
 * Bit-exact with the host's hardware float (tests/unit/test_firmware_softfloat.py compiles this
 * file natively with TINYIDS_SOFTFLOAT_TEST and compares millions of operations).
 * Also __muldi3 (64-bit multiply, used by the fixed-point requantization of int8 models), which
 * that libgcc lacks too; nothing here relies on 64-bit helpers. */
#if defined(TINYIDS_HAL_LX106) || defined(TINYIDS_SOFTFLOAT_TEST)
#include <stdint.h>

#if defined(TINYIDS_SOFTFLOAT_TEST)
#define SF(name) tinyids_sf_##name
#else
#define SF(name) __##name
#endif

typedef uint32_t rep_t;
#define SIG_BITS 23
#define SIGN_BIT 0x80000000u
#define ABS_MASK 0x7FFFFFFFu
#define INF_REP 0x7F800000u
#define QUIET_BIT 0x00400000u
#define QNAN_REP 0x7FC00000u
#define IMPLICIT 0x00800000u
#define SIG_MASK 0x007FFFFFu
#define MAX_EXP 0xFF
#define BIAS 127

static inline rep_t to_rep(float f)
{
    union { float f; rep_t u; } c;
    c.f = f;
    return c.u;
}

static inline float from_rep(rep_t u)
{
    union { float f; rep_t u; } c;
    c.u = u;
    return c.f;
}

static inline int clz32(rep_t x) { return __builtin_clz(x); }

static int normalize(rep_t *sig)
{
    int shift = clz32(*sig) - clz32(IMPLICIT);
    *sig <<= shift;
    return 1 - shift;
}

float SF(addsf3)(float a, float b);
float SF(subsf3)(float a, float b);
float SF(mulsf3)(float a, float b);
float SF(floatsisf)(int32_t i);
float SF(floatunsisf)(uint32_t u);
uint32_t SF(fixunssfsi)(float a);

float SF(addsf3)(float a, float b)
{
    rep_t a_rep = to_rep(a), b_rep = to_rep(b);
    const rep_t a_abs = a_rep & ABS_MASK, b_abs = b_rep & ABS_MASK;
    if (a_abs - 1u >= INF_REP - 1u || b_abs - 1u >= INF_REP - 1u) {
        if (a_abs > INF_REP) return from_rep(a_rep | QUIET_BIT);
        if (b_abs > INF_REP) return from_rep(b_rep | QUIET_BIT);
        if (a_abs == INF_REP) return ((a_rep ^ b_rep) == SIGN_BIT) ? from_rep(QNAN_REP) : a;
        if (b_abs == INF_REP) return b;
        if (!a_abs) return b_abs ? b : from_rep(a_rep & b_rep);
        if (!b_abs) return a;
    }
    if (b_abs > a_abs) {
        rep_t t = a_rep;
        a_rep = b_rep;
        b_rep = t;
    }
    int a_exp = (int)((a_rep >> SIG_BITS) & MAX_EXP);
    int b_exp = (int)((b_rep >> SIG_BITS) & MAX_EXP);
    rep_t a_sig = a_rep & SIG_MASK, b_sig = b_rep & SIG_MASK;
    if (a_exp == 0) a_exp = normalize(&a_sig);
    if (b_exp == 0) b_exp = normalize(&b_sig);
    const rep_t sign = a_rep & SIGN_BIT;
    const int subtraction = ((a_rep ^ b_rep) & SIGN_BIT) != 0;
    a_sig = (a_sig | IMPLICIT) << 3;
    b_sig = (b_sig | IMPLICIT) << 3;
    const unsigned align = (unsigned)(a_exp - b_exp);
    if (align) {
        if (align < 32) {
            const rep_t sticky = (b_sig << (32 - align)) != 0;
            b_sig = (b_sig >> align) | sticky;
        } else {
            b_sig = 1;
        }
    }
    if (subtraction) {
        a_sig -= b_sig;
        if (a_sig == 0) return from_rep(0);
        if (a_sig < (IMPLICIT << 3)) {
            const int shift = clz32(a_sig) - clz32(IMPLICIT << 3);
            a_sig <<= shift;
            a_exp -= shift;
        }
    } else {
        a_sig += b_sig;
        if (a_sig & (IMPLICIT << 4)) {
            const rep_t sticky = a_sig & 1u;
            a_sig = (a_sig >> 1) | sticky;
            a_exp += 1;
        }
    }
    if (a_exp >= MAX_EXP) return from_rep(INF_REP | sign);
    if (a_exp <= 0) {
        const unsigned shift = (unsigned)(1 - a_exp);
        if (shift < 32) {
            const rep_t sticky = (a_sig << (32 - shift)) != 0;
            a_sig = (a_sig >> shift) | sticky;
        } else {
            a_sig = a_sig != 0;
        }
        a_exp = 0;
    }
    const rep_t rgs = a_sig & 7u;
    rep_t result = (a_sig >> 3) & SIG_MASK;
    result |= (rep_t)a_exp << SIG_BITS;
    result |= sign;
    if (rgs > 4u) result++;
    if (rgs == 4u) result += result & 1u;
    return from_rep(result);
}

float SF(subsf3)(float a, float b) { return SF(addsf3)(a, from_rep(to_rep(b) ^ SIGN_BIT)); }

/* 32 x 32 -> 64 bits from 16-bit halves (no 64-bit helpers on this core) */
static void wide_mul(rep_t a, rep_t b, rep_t *hi, rep_t *lo)
{
    const rep_t al = a & 0xFFFFu, ah = a >> 16, bl = b & 0xFFFFu, bh = b >> 16;
    const rep_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    const rep_t mid = (ll >> 16) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
    *lo = (ll & 0xFFFFu) | (mid << 16);
    *hi = hh + (lh >> 16) + (hl >> 16) + (mid >> 16);
}

/* 64 x 64 -> low 64 bits, from 32-bit halves */
uint64_t SF(muldi3)(uint64_t a, uint64_t b);
uint64_t SF(muldi3)(uint64_t a, uint64_t b)
{
    const rep_t al = (rep_t)a, ah = (rep_t)(a >> 32), bl = (rep_t)b, bh = (rep_t)(b >> 32);
    rep_t hi, lo;
    wide_mul(al, bl, &hi, &lo);
    hi += ah * bl + al * bh;
    return ((uint64_t)hi << 32) | lo;
}

float SF(mulsf3)(float a, float b)
{
    const rep_t a_rep = to_rep(a), b_rep = to_rep(b);
    const unsigned a_exp = (a_rep >> SIG_BITS) & MAX_EXP;
    const unsigned b_exp = (b_rep >> SIG_BITS) & MAX_EXP;
    const rep_t sign = (a_rep ^ b_rep) & SIGN_BIT;
    rep_t a_sig = a_rep & SIG_MASK, b_sig = b_rep & SIG_MASK;
    int scale = 0;
    if (a_exp - 1u >= MAX_EXP - 1u || b_exp - 1u >= MAX_EXP - 1u) {
        const rep_t a_abs = a_rep & ABS_MASK, b_abs = b_rep & ABS_MASK;
        if (a_abs > INF_REP) return from_rep(a_rep | QUIET_BIT);
        if (b_abs > INF_REP) return from_rep(b_rep | QUIET_BIT);
        if (a_abs == INF_REP) return b_abs ? from_rep(a_abs | sign) : from_rep(QNAN_REP);
        if (b_abs == INF_REP) return a_abs ? from_rep(b_abs | sign) : from_rep(QNAN_REP);
        if (!a_abs || !b_abs) return from_rep(sign);
        if (a_abs < IMPLICIT) scale += normalize(&a_sig);
        if (b_abs < IMPLICIT) scale += normalize(&b_sig);
    }
    a_sig |= IMPLICIT;
    b_sig |= IMPLICIT;
    rep_t hi, lo;
    wide_mul(a_sig, b_sig << 8, &hi, &lo); /* 8 = exponent bits */
    int p_exp = (int)a_exp + (int)b_exp - BIAS + scale;
    if (hi & IMPLICIT) {
        p_exp++;
    } else {
        hi = (hi << 1) | (lo >> 31);
        lo <<= 1;
    }
    if (p_exp >= MAX_EXP) return from_rep(INF_REP | sign);
    if (p_exp <= 0) {
        const unsigned shift = (unsigned)(1 - p_exp);
        if (shift >= 32) return from_rep(sign);
        const rep_t sticky = (lo << (32 - shift)) != 0;
        lo = (hi << (32 - shift)) | (lo >> shift) | sticky;
        hi >>= shift;
    } else {
        hi &= SIG_MASK;
        hi |= (rep_t)p_exp << SIG_BITS;
    }
    hi |= sign;
    if (lo > SIGN_BIT) hi++;
    if (lo == SIGN_BIT) hi += hi & 1u;
    return from_rep(hi);
}

static float from_unsigned(rep_t a, rep_t sign)
{
    if (a == 0) return from_rep(sign);
    const int exponent = 31 - clz32(a);
    rep_t sig;
    if (exponent <= SIG_BITS) {
        sig = a << (SIG_BITS - exponent);
    } else {
        const int shift = exponent - SIG_BITS;
        sig = a >> shift;
        const rep_t round = a << (32 - shift);
        if (round > SIGN_BIT) sig++;
        if (round == SIGN_BIT) sig += sig & 1u;
    }
    /* sig holds the implicit bit: adding it carries a rounding overflow into the exponent */
    return from_rep(sign | (((rep_t)(exponent + BIAS - 1) << SIG_BITS) + sig));
}

float SF(floatsisf)(int32_t i)
{
    if (i < 0) return from_unsigned((rep_t)0 - (rep_t)i, SIGN_BIT);
    return from_unsigned((rep_t)i, 0);
}

float SF(floatunsisf)(uint32_t u) { return from_unsigned(u, 0); }

/* double <-> float conversions (emlearn's networks round double constants to float) */
float SF(truncdfsf2)(double a);
double SF(extendsfdf2)(float a);

static inline uint64_t dbl_rep(double d)
{
    union { double d; uint64_t u; } c;
    c.d = d;
    return c.u;
}

static inline double dbl_from(uint64_t u)
{
    union { double d; uint64_t u; } c;
    c.u = u;
    return c.d;
}

float SF(truncdfsf2)(double a)
{
    const uint64_t a_rep = dbl_rep(a);
    const uint64_t abs_mask = 0x7FFFFFFFFFFFFFFFull, inf = 0x7FF0000000000000ull;
    const uint64_t round_mask = (1ull << 29) - 1u, halfway = 1ull << 28;
    const uint64_t underflow = (uint64_t)(1023 - 127 + 1) << 52, overflow = (uint64_t)(1023 + 255 - 127) << 52;
    const uint64_t a_abs = a_rep & abs_mask;
    const rep_t sign = (rep_t)(a_rep >> 32) & SIGN_BIT;
    rep_t abs_result;
    if (a_abs - underflow < a_abs - overflow) {
        abs_result = (rep_t)(a_abs >> 29);
        abs_result -= (rep_t)(1023 - 127) << SIG_BITS;
        const uint64_t round_bits = a_abs & round_mask;
        if (round_bits > halfway) abs_result++;
        else if (round_bits == halfway) abs_result += abs_result & 1u;
    } else if (a_abs > inf) {
        abs_result = INF_REP | QUIET_BIT | ((rep_t)((a_abs & ((1ull << 51) - 1u)) >> 29) & (QUIET_BIT - 1u));
    } else if (a_abs >= overflow) {
        abs_result = INF_REP;
    } else {
        const int a_exp = (int)(a_abs >> 52);
        const int shift = 1023 - 127 - a_exp + 1;
        const uint64_t sig = (a_rep & ((1ull << 52) - 1u)) | (1ull << 52);
        if (shift > 52) {
            abs_result = 0;
        } else {
            const uint64_t sticky = (sig << (64 - shift)) != 0;
            const uint64_t den = (sig >> shift) | sticky;
            abs_result = (rep_t)(den >> 29);
            const uint64_t round_bits = den & round_mask;
            if (round_bits > halfway) abs_result++;
            else if (round_bits == halfway) abs_result += abs_result & 1u;
        }
    }
    return from_rep(abs_result | sign);
}

double SF(extendsfdf2)(float a)
{
    const rep_t a_rep = to_rep(a), a_abs = a_rep & ABS_MASK;
    uint64_t abs_result;
    if (a_abs - IMPLICIT < INF_REP - IMPLICIT) {
        abs_result = ((uint64_t)a_abs << 29) + ((uint64_t)(1023 - 127) << 52);
    } else if (a_abs >= INF_REP) {
        abs_result = 0x7FF0000000000000ull | ((uint64_t)(a_abs & SIG_MASK) << 29);
    } else if (a_abs) {
        const int scale = clz32(a_abs) - clz32(IMPLICIT);
        abs_result = (uint64_t)a_abs << (29 + scale);
        abs_result ^= 1ull << 52;
        abs_result |= (uint64_t)(1023 - 127 - scale + 1) << 52;
    } else {
        abs_result = 0;
    }
    return dbl_from(abs_result | ((uint64_t)(a_rep & SIGN_BIT) << 32));
}

uint32_t SF(fixunssfsi)(float a)
{
    const rep_t rep = to_rep(a);
    if (rep & SIGN_BIT) return 0;
    const int exponent = (int)((rep >> SIG_BITS) & MAX_EXP) - BIAS;
    if (exponent < 0) return 0;
    if (exponent >= 32) return 0xFFFFFFFFu;
    const rep_t sig = (rep & SIG_MASK) | IMPLICIT;
    return exponent < SIG_BITS ? sig >> (SIG_BITS - exponent) : sig << (exponent - SIG_BITS);
}
#endif
