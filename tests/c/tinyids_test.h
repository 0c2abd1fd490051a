/* A minimal check harness for the kernel tests in tests/c (in the style of emlearn's C tests):
 * each check counts itself and prints one line when it fails; tt_end() prints
 * "TT DONE <checks> <failures>" and ends the program (exit status 1 on a failure on the host;
 * on AVR it sleeps with interrupts off, which ends simavr). Built and run by
 * tests/unit/test_codegen_kernels_c.py on the host (gcc, strict flags, UBSan) and on the
 * ATmega328P (avr-gcc, simavr), where int is 16 bits. Messages name the line only, and their
 * format strings stay in flash on AVR, so a test fits in the Uno's 2 KB of SRAM. */
#ifndef TINYIDS_TEST_H
#define TINYIDS_TEST_H

#include <stdint.h>
#include <stdio.h>

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <avr/sleep.h>
static int tt_putchar(char c, FILE *stream)
{
    (void)stream;
    while (!(UCSR0A & (1 << UDRE0))) {
    }
    UDR0 = (uint8_t)c;
    return 0;
}
static FILE tt_stdout = FDEV_SETUP_STREAM(tt_putchar, NULL, _FDEV_SETUP_WRITE);
#define TT_PRINTF(fmt, ...) printf_P(PSTR(fmt), __VA_ARGS__)
#else
#define TT_PRINTF(fmt, ...) printf(fmt, __VA_ARGS__)
#endif

/* xorshift32: the same pseudo-random sequence on the host and on the AVR */
static uint32_t tt_rng_state = UINT32_C(2463534242);

static inline uint32_t tt_rng(void)
{
    tt_rng_state ^= tt_rng_state << 13;
    tt_rng_state ^= tt_rng_state >> 17;
    tt_rng_state ^= tt_rng_state << 5;
    return tt_rng_state;
}

static long tt_checks = 0;
static long tt_failures = 0;

static void tt_begin(const char *name)
{
#if defined(__AVR__)
    UCSR0B = (1 << TXEN0);
    stdout = &tt_stdout;
#endif
    TT_PRINTF("TT BEGIN %s\n", name);
}

/* exact integer equality */
static void tt_eq(int32_t got, int32_t want, int line)
{
    ++tt_checks;
    if (got != want) {
        ++tt_failures;
        TT_PRINTF("TT FAIL line %d: got %ld, want %ld\n", line, (long)got, (long)want);
    }
}

static uint32_t tt_bits(float v)
{
    union {
        float f;
        uint32_t u;
    } b;
    b.f = v;
    return b.u;
}

/* |got - want| <= rel * |want| (exact when rel is 0); failures print both as IEEE bits */
static void tt_near(float got, float want, float rel, int line)
{
    const float d = got > want ? got - want : want - got;
    const float w = want < 0.0f ? -want : want;
    ++tt_checks;
    if (!(d <= rel * w) && !(got == want)) {
        ++tt_failures;
        TT_PRINTF("TT FAIL line %d: got 0x%08lx, want 0x%08lx\n", line, (unsigned long)tt_bits(got),
                  (unsigned long)tt_bits(want));
    }
}

static int tt_end(void)
{
    (void)&tt_eq;
    (void)&tt_near;
    TT_PRINTF("TT DONE %ld %ld\n", tt_checks, tt_failures);
#if defined(__AVR__)
    cli();
    sleep_enable();
    sleep_cpu();
    for (;;) {
    }
#endif
    return tt_failures ? 1 : 0;
}

#define TT_EQ(got, want) tt_eq((int32_t)(got), (int32_t)(want), __LINE__)
#define TT_NEAR(got, want, rel) tt_near((float)(got), (float)(want), (float)(rel), __LINE__)
#define TT_EXACT(got, want) tt_near((float)(got), (float)(want), 0.0f, __LINE__)

#endif /* TINYIDS_TEST_H */
