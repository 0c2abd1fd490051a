/* tinyids kernels: the platform layer every kernel includes.
 *
 * Constant data lives in flash. On AVR (avr-gcc) and the Arduino ESP8266 core it is placed with
 * PROGMEM and read with pgm_read_*; elsewhere plain `const` already stays in flash. A build can
 * define TINYIDS_CONST and TINYIDS_READ_I8/I16/I32/F32 itself to override this. No libc is
 * needed: only <stdint.h>.
 *
 * Array indices are `tinyids_index_t`: C int suffices on every target (16 bits on AVR) unless a
 * tensor or array has 32768 elements or more; the generator then defines TINYIDS_INDEX_32
 * before this file and indices become int32_t. int always holds an 8-bit product (255 * 128). */
#ifndef TINYIDS_PLATFORM_H
#define TINYIDS_PLATFORM_H

#include <stdint.h>

#if !defined(TINYIDS_CONST)
#  if defined(__AVR__) || defined(ARDUINO_ARCH_ESP8266)
#    if defined(__AVR__)
#      include <avr/pgmspace.h>
#    else
#      include <pgmspace.h>
#    endif
#    define TINYIDS_CONST PROGMEM
#    define TINYIDS_READ_I8(p) ((int8_t)pgm_read_byte(p))
#    define TINYIDS_READ_I16(p) ((int16_t)pgm_read_word(p))
#    define TINYIDS_READ_I32(p) ((int32_t)pgm_read_dword(p))
#    define TINYIDS_READ_F32(p) (pgm_read_float(p))
#  else
#    define TINYIDS_CONST
#    define TINYIDS_READ_I8(p) (*(p))
#    define TINYIDS_READ_I16(p) (*(p))
#    define TINYIDS_READ_I32(p) (*(p))
#    define TINYIDS_READ_F32(p) (*(p))
#  endif
#endif

#if defined(TINYIDS_INDEX_32)
typedef int32_t tinyids_index_t;
#else
typedef int tinyids_index_t;
#endif

#endif /* TINYIDS_PLATFORM_H */
