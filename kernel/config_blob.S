/* SPDX-License-Identifier: MIT */
/*
 * The .config this image was built from, as text, for the shell's `config`
 * command: kite_config_text .. kite_config_text_end. The top Makefile passes
 * the file's path as KITE_DOT_CONFIG and rebuilds this object when the
 * .config changes.
 */
    .section .rodata, "a"
    .global kite_config_text
    .global kite_config_text_end
kite_config_text:
    .incbin KITE_DOT_CONFIG
kite_config_text_end:
    .byte 0
