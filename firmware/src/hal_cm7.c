/* HAL for the Cortex-M7 boards: the Portenta H7 M7 core (STM32H747 memory map; DWT CYCCNT
 * cycle counts) and its QEMU emulation variant mps2-an500 (semihosting console; QEMU has no
 * cycle model and DWT reads 0, so the counter is SysTick on QEMU's virtual clock: under
 * `-icount` that counts instructions, not cycles). Vector table, reset handler (.data copy, .bss zero) here. */
#if defined(TINYIDS_HAL_CM7)
#include <string.h>

#include "tinyids_hal.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack, _sstack;
int main(void);

#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_CPACR REG(0xE000ED88)
#define DEMCR REG(0xE000EDFC)
#define DWT_CTRL REG(0xE0001000)
#define DWT_CYCCNT REG(0xE0001004)
#define DWT_LAR REG(0xE0001FB0)
#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)

void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void) __attribute__((noreturn));

void Reset_Handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss; dst++) *dst = 0;
    SCB_CPACR |= (0xFu << 20); /* FPU: CP10/CP11 full access (hard-float ABI) */
    __asm volatile("dsb\n isb");
    main();
    hal_exit(0);
}

void Default_Handler(void)
{
    hal_exit(2);
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, 0,
    Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
};

#if defined(TINYIDS_SEMIHOSTING)
const char hal_counter_unit[] = "qemu_ticks";
static int semihost(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
static char obuf[128];
static unsigned olen;
void hal_putc(char c)
{
    obuf[olen++] = c;
    if (c == '\n' || olen == sizeof obuf - 1) hal_flush();
}
void hal_flush(void)
{
    if (!olen) return;
    obuf[olen] = 0;
    semihost(0x04, obuf); /* SYS_WRITE0 */
    olen = 0;
}
void hal_exit(int code)
{
    hal_flush();
    uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semihost(0x20, block); /* SYS_EXIT_EXTENDED */
    semihost(0x18, (const void *)0x20026u);
    for (;;) {}
}
/* SysTick on the processor clock. QEMU's mps2 SysTick input (25 MHz) is driven by the virtual
 * clock, which under -icount shift=N advances 2^N ns per instruction: the raw tick count is
 * printed (unit qemu_ticks) and tinyids.firmware.emulate converts it to instructions. */
static uint32_t t0;
void hal_counter_start(void)
{
    SYST_CSR = 0;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5u; /* enable, processor clock, no interrupt */
    while (SYST_CVR == 0) {} /* wait for the first reload */
    t0 = SYST_CVR;
}
uint32_t hal_counter_stop(void)
{
    uint32_t v = SYST_CVR;
    return (t0 - v) & 0x00FFFFFFu;
}
#else
/* real Portenta H7: console would be a UART on the carrier; keep the output in RAM (readable
 * with a debugger) so the firmware needs no pin setup to build and size */
const char hal_counter_unit[] = "cycles";
static char obuf[4096];
static unsigned olen;
void hal_putc(char c)
{
    if (olen < sizeof obuf) obuf[olen++] = c;
}
void hal_flush(void) {}
void hal_exit(int code)
{
    (void)code;
    for (;;) __asm volatile("wfi");
}
void hal_counter_start(void)
{
    DEMCR |= (1u << 24); /* TRCENA */
    DWT_LAR = 0xC5ACCE55u;
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;
}
uint32_t hal_counter_stop(void) { return DWT_CYCCNT; }
#endif

void hal_init(void) {}

void hal_flash_read(void *dst, const void *flash_src, uint16_t n) { memcpy(dst, flash_src, n); }

#define PAINT 0xC5C5C5C5u
void hal_stack_paint(void)
{
    uint32_t *p = &_sstack;
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    while ((uint32_t)p < sp - 16) *p++ = PAINT;
}

int32_t hal_stack_used(void)
{
    const uint32_t *p = &_sstack;
    while (p < &_estack && *p == PAINT) p++;
    return (int32_t)((uint32_t)&_estack - (uint32_t)p);
}
#endif
