/* HAL for Linux targets: the Raspberry Pi (aarch64, cross-compiled, run under qemu-aarch64)
 * and the host reference build. Console is stdout; no counter (wall-clock time under user-mode
 * emulation means nothing, and the host build is only the reference for parity). */
#if defined(TINYIDS_HAL_LINUX)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyids_hal.h"

const char hal_counter_unit[] = "none";

void hal_init(void) {}
void hal_putc(char c) { putchar(c); }
void hal_flush(void) { fflush(stdout); }
void hal_flash_read(void *dst, const void *flash_src, uint16_t n) { memcpy(dst, flash_src, n); }
void hal_counter_start(void) {}
uint32_t hal_counter_stop(void) { return 0; }
void hal_stack_paint(void) {}
int32_t hal_stack_used(void) { return -1; }
void hal_exit(int code)
{
    fflush(stdout);
    exit(code);
}
#endif
