/* SPDX-License-Identifier: MIT */
/*
 * What a runtime linked into Kite provides and gets. Define kite_main() in
 * the runtime: Kite calls it once boot is complete, on the boot CPU, with the
 * command-line tokens after "--" as its arguments. When it returns, Kite
 * powers off with its return value as the status (QEMU exits with
 * (status << 1) | 1; bare metal halts). Without a kite_main, Kite idles.
 */
#pragma once

int kite_main(int argc, char **argv);
