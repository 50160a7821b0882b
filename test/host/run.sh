#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tier 1: run the host unit tests (cmocka, ASan + UBSan) given as arguments.
# Every cmocka test counts once; a binary that crashes or hangs (60 s) is one
# failure more, so a sanitizer abort can never read as a pass.
set -u
. "$(dirname "$0")/../lib.sh"

echo "host unit tests (cmocka, AddressSanitizer + UndefinedBehaviorSanitizer)"
for bin in "$@"; do
    name=$(basename "$bin")
    out=$(ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        timeout 60 "$bin" 2>&1)
    rc=$?
    ok=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    bad=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    ok=${ok:-0}
    bad=${bad:-0}
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]; then
        printf '  ok    %s (%d tests)\n' "$name" "$ok"
    else
        # The binary's own failures are counted above; a crash, hang or empty run adds one.
        [ "$bad" -gt 0 ] || failed=$((failed + 1))
        printf '  FAIL  %s (exit %d, %d passed, %d failed)\n' "$name" $rc "$ok" "$bad"
        printf '%s\n' "$out" | grep -E 'FAILED|ERROR|Sanitizer|runtime error|failure' | head -20 |
            sed 's/^/        /'
    fi
done
finish
