#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build Kite's libgcc.a from gcc's own (gcc -print-libgcc-file-name): the
# helpers gcc calls for what x86-64 has no instruction for (__popcountdi2
# without -mpopcnt, 128-bit division, complex multiplication, conversions
# between __int128 and floating point, __builtin_powi, -ftrapv's checks),
# only those that are safe in Kite's kernel:
#   - no red zone: Debian builds libgcc for user space, where a leaf
#     function may keep values below the stack pointer, and in Kite an
#     interrupt would overwrite them. A member whose code addresses memory
#     at a negative offset from %rsp or %rbp is left out, except the few
#     named in WRAPPED, which are renamed __kite_libgcc_NAME and called
#     with interrupts off by wrap.c (their arguments are all in registers);
#   - no thread-local storage (the decimal-float exception flags) and
#     nothing for split stacks, executable stacks or CPU feature probing;
#   - nothing from outside but abort (rt/libc): a member that needs a
#     symbol no kept member defines is left out, and so on until none is.
# What is left out is a link error that names the helper, never a crash.
# It checks that the helpers docs/runtime.md promises are all there, and
# writes the list of what it left out, and why, beside the archive.
#
#   mklibgcc.sh LIBGCC_A OUT_A WRAP_C CC [CFLAGS...]
set -eu
libgcc_a=$1 out=$2 wrap_c=$3
shift 3
WRAPPED="__umodti3 __udivmodti4 __mulsc3 __divsc3"

if [ ! -f "$libgcc_a" ]; then
    echo "mklibgcc: no $libgcc_a; expected gcc's libgcc.a (gcc -print-libgcc-file-name)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/o"
(cd "$tmp/o" && ar x "$(realpath "$libgcc_a")")
# Empty members (__main.o, _trampoline.o on x86-64) are left out.
declare -A nonempty=()
while read -r o; do nonempty[$o]=1; done < <(nm -A "$tmp"/o/*.o 2>/dev/null | sed 's/:.*//' | sort -u)
for o in "$tmp"/o/*.o; do
    [ -n "${nonempty[$o]:-}" ] || rm "$o"
done
: >"$tmp/left-out"
: >"$tmp/rename"
: >"$tmp/wrapped"

# One objdump and one nm over all members (a process per member would take minutes).
cd "$tmp/o"
objdump -d ./*.o | awk '/^\.\/.*\.o:/ {f = substr($1, 3, length($1) - 3)}
    /-0x[0-9a-f]*\(%r[sb]p\)/ {print f}' | sort -u >"$tmp/redzone"
objdump -r ./*.o | awk '/^\.\/.*\.o:/ {f = substr($1, 3, length($1) - 3)}
    /R_X86_64_(TLS|DTP|TPOFF|GOTTPOFF)/ {print f}' | sort -u >"$tmp/tls"
nm -A -g --defined-only ./*.o | awk '{sub(/^\.\//, ""); sub(/:.*/, "", $1); print $1, $NF}' >"$tmp/defs"

declare -A redzone=() tls=()
drop=()
while read -r o; do redzone[$o]=1; done <"$tmp/redzone"
while read -r o; do tls[$o]=1; done <"$tmp/tls"
for o in *.o; do
    why=
    case "$o" in
    morestack* | generic-morestack* | *emutls* | enable-execute-stack* | cpuinfo* | sfp-exceptions*)
        why="user space only" ;;
    esac
    if [ -z "$why" ] && [ -n "${redzone[$o]:-}" ]; then
        defs=$(awk -v f="$o" '$1 == f {print $2}' "$tmp/defs")
        wrap=1
        for d in $defs; do
            case " $WRAPPED " in *" $d "*) ;; *) wrap=0 ;; esac
        done
        if [ "$wrap" -eq 1 ] && [ -n "$defs" ]; then
            for d in $defs; do echo "$d __kite_libgcc_$d" >>"$tmp/rename"; done
            echo "$o" >>"$tmp/wrapped"
        else
            why="red zone"
        fi
    fi
    if [ -z "$why" ] && [ -n "${tls[$o]:-}" ]; then
        why="thread-local storage"
    fi
    if [ -n "$why" ]; then
        echo "$o: $why" >>"$tmp/left-out"
        drop+=("$o")
    fi
done
rm -f "${drop[@]}"
cd - >/dev/null
for w in $WRAPPED; do
    if ! grep -q "^$w " "$tmp/rename"; then
        echo "mklibgcc: $w is to be wrapped, but no member of $libgcc_a defines it" \
            "(alone, and keeping values in the red zone); update WRAPPED" >&2
        exit 1
    fi
done
while read -r o; do
    objcopy --redefine-syms="$tmp/rename" "$tmp/o/$o"
done <"$tmp/wrapped"
for w in $WRAPPED; do
    "$@" -DKITE_WRAP_"$w" -c "$wrap_c" -o "$tmp/o/kite_wrap$w.o"
done

# Leave out members that need what no kept member defines, until none does: one nm
# for all, and the fixed point in awk.
cd "$tmp/o"
{
    nm -A -g --defined-only ./*.o | awk '{f = $1; sub(/^\.\//, "", f); sub(/:.*/, "", f); print "D", f, $NF}'
    nm -A -u ./*.o | awk '{f = $1; sub(/^\.\//, "", f); sub(/:.*/, "", f); print "U", f, $NF}'
} | awk '
    $1 == "D" { def[$2] = def[$2] " " $3; files[$2] = 1 }
    $1 == "U" { use[$2] = use[$2] " " $3; files[$2] = 1 }
    END {
        for (f in files) kept[f] = 1
        do {
            split("", have)
            have["abort"] = 1
            have["_GLOBAL_OFFSET_TABLE_"] = 1
            for (f in kept) { n = split(def[f], d, " "); for (i = 1; i <= n; i++) have[d[i]] = 1 }
            changed = 0
            split("", drop)
            for (f in kept) {
                n = split(use[f], u, " "); need = ""
                for (i = 1; i <= n; i++) if (!(u[i] in have)) need = need " " u[i]
                if (need != "") { print f ": needs" need; drop[f] = 1; changed = 1 }
            }
            for (f in drop) delete kept[f]
        } while (changed)
        for (f in kept) { n = split(def[f], d, " "); for (i = 1; i <= n; i++) print d[i] > "/dev/stderr" }
    }' >"$tmp/needs" 2>"$tmp/defined.raw"
cd - >/dev/null
sed 's/:.*//' "$tmp/needs" | (cd "$tmp/o" && xargs -r rm)
cat "$tmp/needs" >>"$tmp/left-out"
{ sort -u "$tmp/defined.raw"; echo abort; } | sort -u >"$tmp/defined"

# The helpers docs/runtime.md promises.
want="__popcountdi2 __popcountti2 __paritydi2 __parityti2 __ffsti2 __clzti2 __ctzti2
__bswapsi2 __bswapdi2 __divti3 __udivti3 __modti3 __umodti3 __divmodti4 __udivmodti4
__multi3 __ashlti3 __ashrti3 __lshrti3 __cmpti2 __ucmpti2 __negti2 __mulvdi3 __addvdi3
__subvdi3 __negvdi2 __absvdi2 __mulvsi3 __addvsi3 __subvsi3 __negvsi2 __absvsi2
__muldc3 __divdc3 __mulsc3 __divsc3 __floattidf __floattisf __floatuntidf __floatuntisf
__fixdfti __fixsfti __fixunsdfti __fixunssfti __powidf2 __powisf2"
missing=$(for s in $want; do grep -qx -- "$s" "$tmp/defined" || echo "$s"; done)
if [ -n "$missing" ]; then
    echo "mklibgcc: $libgcc_a lacks helpers Kite promises (or they were left out):" $missing >&2
    sort "$tmp/left-out" >&2
    exit 1
fi

mkdir -p "$(dirname "$out")"
rm -f "$out"
ar rcs "$out" "$tmp"/o/*.o
sort "$tmp/left-out" >"${out%.a}.left-out"
