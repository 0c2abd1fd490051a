/* tinyids firmware HAL: the only board-specific code. One implementation per core family,
 * selected by the builder's define (TINYIDS_HAL_AVR, _CM7, _LX106, _LINUX). */
#ifndef TINYIDS_HAL_H
#define TINYIDS_HAL_H

#include <stdint.h>

#if defined(TINYIDS_HAL_AVR)
#include <avr/pgmspace.h>
#define TINYIDS_FLASH PROGMEM             /* weights, vectors and strings stay in flash */
#define TINYIDS_PSTR(s) PSTR(s)
#define TINYIDS_READ_BYTE(p) pgm_read_byte(p)
#else
#define TINYIDS_FLASH
#define TINYIDS_PSTR(s) (s)
#define TINYIDS_READ_BYTE(p) (*(const uint8_t *)(p))
#endif

/* PROGMEM-style macros the code generator may use, mapped to the board's flash access */
#ifndef TINYIDS_PROGMEM
#define TINYIDS_PROGMEM TINYIDS_FLASH
#endif

void hal_init(void);
void hal_putc(char c);
void hal_flush(void);
/* copy n bytes from a TINYIDS_FLASH object into RAM */
void hal_flash_read(void *dst, const void *flash_src, uint16_t n);
/* per-inference counter; unit printed in the header line (cycles, qemu_insn, none) */
void hal_counter_start(void);
uint32_t hal_counter_stop(void);
extern const char hal_counter_unit[] TINYIDS_FLASH;
/* stack high-water: paint the free stack at start-up, measure after the run */
void hal_stack_paint(void);
int32_t hal_stack_used(void); /* -1: not measurable on this target */
void hal_exit(int code) __attribute__((noreturn));

#endif
