/* NodeMCU (ESP8266, Xtensa LX106) entry for qemu-system-xtensa -M sim: set the stack pointer
 * and call the C start (call0 ABI: the LX106 has no register windows). */
#if defined(TINYIDS_HAL_LX106)
    .section .text.entry, "ax"
    .literal_position
    .literal .Lstack_top, _estack
    .literal .Lc_start, tinyids_c_start
    .global _start
    .align 4
_start:
    l32r a1, .Lstack_top
    l32r a0, .Lc_start
    callx0 a0
1:  j 1b
#endif
#if defined(TINYIDS_HAL_LINUX) && defined(__linux__)
    .section .note.GNU-stack, "", %progbits
#endif
