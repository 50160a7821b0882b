# SPDX-License-Identifier: MIT
#
# Shared by Kite's test runners: one result line per check, a closing
# "N passed, N failed", and an exit status that says whether all passed.
# Sourced, not run.

passed=0
failed=0

pass() {
    passed=$((passed + 1))
    printf '  ok    %s\n' "$1"
}

fail() {
    failed=$((failed + 1))
    printf '  FAIL  %s\n' "$1"
    shift
    for detail in "$@"; do
        [ -n "$detail" ] && printf '%s\n' "$detail" | sed 's/^/        /'
    done
}

# check NAME COMMAND...: pass when COMMAND succeeds.
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# A runner that calls something undefined has a bug: count it, never let it pass.
command_not_found_handle() {
    fail "runner bug: '$1' is not a command"
    return 127
}
