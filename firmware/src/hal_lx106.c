/* HAL for the NodeMCU v3 (ESP8266, Xtensa LX106 at 80 MHz), freestanding (no libc), run under
 * qemu-system-xtensa -M sim with `-semihosting -icount shift=0`: console through the simcall
 * semihosting call; the counter is CCOUNT, which QEMU derives from its virtual clock: under -icount
 * it counts instructions, not cycles. Also the 32-bit division helpers and the
 * mem* functions Debian's LX106 libgcc / no-libc build lacks. */
#if defined(TINYIDS_HAL_LX106)
#include <stddef.h>

#include "tinyids_hal.h"

extern uint32_t _sbss, _ebss, _sstack, _estack;
int main(void);

/* CCOUNT runs at the QEMU lx106 core clock (40 MHz) of the virtual clock: raw ticks are
 * printed, tinyids.firmware.emulate converts them to instructions (2^shift ns each) */
const char hal_counter_unit[] = "qemu_ticks";

#define SYS_EXIT 1
#define SYS_WRITE 4

static int simcall(int nr, int a, int b, int c)
{
    register int a2 __asm("a2") = nr;
    register int a3 __asm("a3") = a;
    register int a4 __asm("a4") = b;
    register int a5 __asm("a5") = c;
    __asm volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

void tinyids_c_start(void) __attribute__((noreturn, used));
void tinyids_c_start(void)
{
    for (uint32_t *p = &_sbss; p < &_ebss; p++) *p = 0;
    main();
    hal_exit(0);
}

static char obuf[128];
static unsigned olen;

void hal_init(void) {}

void hal_flush(void)
{
    if (olen) simcall(SYS_WRITE, 1, (int)(uintptr_t)obuf, (int)olen);
    olen = 0;
}

void hal_putc(char c)
{
    obuf[olen++] = c;
    if (c == '\n' || olen == sizeof obuf) hal_flush();
}

void hal_exit(int code)
{
    hal_flush();
    simcall(SYS_EXIT, code, 0, 0);
    for (;;) {}
}

static inline uint32_t ccount(void)
{
    uint32_t v;
    __asm volatile("rsr %0, ccount" : "=a"(v));
    return v;
}

static uint32_t t0;
void hal_counter_start(void) { t0 = ccount(); }
uint32_t hal_counter_stop(void) { return ccount() - t0; }

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--) *d++ = (uint8_t)c;
    return dst;
}

void hal_flash_read(void *dst, const void *flash_src, uint16_t n) { memcpy(dst, flash_src, n); }

#define PAINT 0xC5C5C5C5u
void hal_stack_paint(void)
{
    uint32_t *p = &_sstack;
    uint32_t sp;
    __asm volatile("mov %0, a1" : "=a"(sp));
    while ((uint32_t)p < sp - 32) *p++ = PAINT;
}

int32_t hal_stack_used(void)
{
    const uint32_t *p = &_sstack;
    while (p < &_estack && *p == PAINT) p++;
    return (int32_t)((uint32_t)&_estack - (uint32_t)p);
}

/* 32-bit division helpers missing from Debian's libgcc for lx106 (shift-subtract) */
uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t n, int32_t d);

static uint32_t udivmod(uint32_t n, uint32_t d, uint32_t *rem)
{
    uint32_t q = 0, r = 0;
    if (d == 0) {
        *rem = n;
        return 0xFFFFFFFFu;
    }
    for (int i = 31; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1u);
        if (r >= d) {
            r -= d;
            q |= (1u << i);
        }
    }
    *rem = r;
    return q;
}

uint32_t __udivsi3(uint32_t n, uint32_t d)
{
    uint32_t r;
    return udivmod(n, d, &r);
}

uint32_t __umodsi3(uint32_t n, uint32_t d)
{
    uint32_t r;
    udivmod(n, d, &r);
    return r;
}

int32_t __divsi3(int32_t n, int32_t d)
{
    uint32_t r;
    int neg = (n < 0) != (d < 0);
    uint32_t un = n < 0 ? (uint32_t)0 - (uint32_t)n : (uint32_t)n;
    uint32_t ud = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
    uint32_t q = udivmod(un, ud, &r);
    return neg ? (int32_t)((uint32_t)0 - q) : (int32_t)q;
}
#endif
