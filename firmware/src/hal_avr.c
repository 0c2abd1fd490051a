/* HAL for the Arduino Uno (ATmega328P, 16 MHz): UART0 console, Timer1 at clk/1 with an
 * overflow count (cycle-exact under simavr and on a real Uno), stack painting. */
#if defined(TINYIDS_HAL_AVR)
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <string.h>

#include "tinyids_hal.h"

const char hal_counter_unit[] PROGMEM = "cycles";

static volatile uint16_t t1_ovf;

ISR(TIMER1_OVF_vect) { t1_ovf++; }

void hal_init(void)
{
    UCSR0A = _BV(U2X0);
    UBRR0 = 16; /* 115200 baud at 16 MHz with U2X (2.1% error) */
    UCSR0B = _BV(TXEN0);
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
    sei();
}

void hal_putc(char c)
{
    loop_until_bit_is_set(UCSR0A, UDRE0);
    UDR0 = (uint8_t)c;
}

void hal_flush(void) { loop_until_bit_is_set(UCSR0A, UDRE0); }

void hal_flash_read(void *dst, const void *flash_src, uint16_t n) { memcpy_P(dst, flash_src, n); }

void hal_counter_start(void)
{
    TCCR1B = 0;
    TCCR1A = 0;
    TCNT1 = 0;
    t1_ovf = 0;
    TIFR1 = _BV(TOV1);
    TIMSK1 = _BV(TOIE1);
    TCCR1B = _BV(CS10); /* clk/1: one count per CPU cycle */
}

uint32_t hal_counter_stop(void)
{
    uint16_t lo = TCNT1;
    TCCR1B = 0;
    uint16_t hi = t1_ovf;
    if ((TIFR1 & _BV(TOV1)) && lo < 0x8000u) hi++; /* overflow not yet serviced */
    TIMSK1 = 0;
    return ((uint32_t)hi << 16) | lo;
}

/* from the end of .bss (avr-libc's __heap_start, no malloc here) to the stack pointer */
extern uint8_t __heap_start;
#define PAINT 0xC5

void hal_stack_paint(void)
{
    uint8_t *p = &__heap_start;
    uint8_t *sp = (uint8_t *)SP;
    while (p < sp - 4) *p++ = PAINT;
}

int32_t hal_stack_used(void)
{
    const uint8_t *p = &__heap_start;
    while (p <= (const uint8_t *)RAMEND && *p == PAINT) p++;
    return (int32_t)((const uint8_t *)RAMEND - p + 1);
}

void hal_exit(int code)
{
    (void)code;
    hal_flush();
    /* simavr ends the run on sleep with interrupts off */
    cli();
    set_sleep_mode(SLEEP_MODE_PWR_DOWN);
    sleep_enable();
    for (;;) sleep_cpu();
}
#endif
