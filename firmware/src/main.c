/* tinyids firmware application: one source tree for every board.
 *
 * Runs the compiled-in model over the test vectors stored in flash and prints, over the
 * board's console (UART on AVR, semihosting on QEMU, stdout on Linux):
 *   TINYIDS BEGIN model=<name> board=<board> unit=<cycles|qemu_insn|none> n=<N> features=<F>
 *   P <index> <prediction> <label> <count>        one line per inference
 *   S n=<N> correct=<k> min=<c> max=<c> cal=<c> stack=<bytes|-1>
 *   TINYIDS END
 * <count> is the board counter around tinyids_model_infer() only (copying the vector out of
 * flash is outside), minus the counter's own overhead measured once at start-up (cal).
 */
#include "tinyids_model.h"

#define VEC_BYTES ((uint16_t)(TINYIDS_N_FEATURES * TINYIDS_FEATURE_BYTES))

static uint8_t in_buf[VEC_BYTES] __attribute__((aligned(8)));

static const uint32_t pow10_tab[] TINYIDS_FLASH = {1000000000UL, 100000000UL, 10000000UL,
                                                   1000000UL,    100000UL,    10000UL,
                                                   1000UL,       100UL,       10UL, 1UL};

static void puts_f(const char *s)
{
    char c;
    while ((c = (char)TINYIDS_READ_BYTE(s++)) != 0) hal_putc(c);
}

/* decimal without division (the LX106 libgcc has no 32-bit division helpers) */
static void put_u32(uint32_t v)
{
    uint8_t started = 0;
    for (uint8_t k = 0; k < 10; k++) {
        uint32_t p;
        hal_flash_read(&p, &pow10_tab[k], sizeof p);
        char d = '0';
        while (v >= p) {
            v -= p;
            d++;
        }
        if (d != '0' || started || k == 9) {
            hal_putc(d);
            started = 1;
        }
    }
}

static void put_i32(int32_t v)
{
    if (v < 0) {
        hal_putc('-');
        put_u32((uint32_t)(-(v + 1)) + 1u);
    } else {
        put_u32((uint32_t)v);
    }
}

int main(void)
{
    hal_init();
    hal_stack_paint();

    hal_counter_start();
    uint32_t cal = hal_counter_stop();

    puts_f(TINYIDS_PSTR("TINYIDS BEGIN model=" TINYIDS_MODEL_NAME " board=" TINYIDS_BOARD " unit="));
    puts_f(hal_counter_unit);
    puts_f(TINYIDS_PSTR(" n="));
    put_u32(TINYIDS_N_VECTORS);
    puts_f(TINYIDS_PSTR(" features="));
    put_u32(TINYIDS_N_FEATURES);
    hal_putc('\n');

    uint16_t correct = 0;
    uint32_t cmin = 0xFFFFFFFFUL, cmax = 0;
    for (uint16_t i = 0; i < TINYIDS_N_VECTORS; i++) {
        hal_flash_read(in_buf, tinyids_vectors + (uint32_t)i * VEC_BYTES, VEC_BYTES);
        hal_counter_start();
        int pred = tinyids_model_infer(in_buf);
        uint32_t c = hal_counter_stop();
        c = c > cal ? c - cal : 0;
        uint8_t label = TINYIDS_READ_BYTE(tinyids_labels + i);
        if (pred == (int)label) correct++;
        if (c < cmin) cmin = c;
        if (c > cmax) cmax = c;
        puts_f(TINYIDS_PSTR("P "));
        put_u32(i);
        hal_putc(' ');
        put_i32(pred);
        hal_putc(' ');
        put_u32(label);
        hal_putc(' ');
        put_u32(c);
        hal_putc('\n');
    }
    puts_f(TINYIDS_PSTR("S n="));
    put_u32(TINYIDS_N_VECTORS);
    puts_f(TINYIDS_PSTR(" correct="));
    put_u32(correct);
    puts_f(TINYIDS_PSTR(" min="));
    put_u32(cmin);
    puts_f(TINYIDS_PSTR(" max="));
    put_u32(cmax);
    puts_f(TINYIDS_PSTR(" cal="));
    put_u32(cal);
    puts_f(TINYIDS_PSTR(" stack="));
    put_i32(hal_stack_used());
    puts_f(TINYIDS_PSTR("\nTINYIDS END\n"));
    hal_flush();
    hal_exit(0);
}
