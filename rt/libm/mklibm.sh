#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build Kite's libm.a from musl's libc.a (Debian's musl-dev): only the math, and a
# wrapper per function (wrap.h), each in its own object so that an image links only
# what it calls.
#
#   mklibm.sh MUSL_LIBC_A MATH_H FUNCTIONS_LIST OUT_A CC [CFLAGS...]
#
# Members are chosen by name: those named after a function that MATH_H declares,
# and musl's internal math helpers (__sin, __rem_pio2, __math_invalid, the *_data
# tables ...). Then it checks that every declared function is defined, and that the
# members need nothing outside themselves but __stack_chk_fail (rt/libm/libm.c):
# no syscalls, no stdio, no errno. The public names are renamed __kite_musl_NAME
# (libm.c wraps them); musl's own calls between them are renamed alike.
set -eu
libc_a=$1 math_h=$2 list=$3 out=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -f "$libc_a" ]; then
    echo "mklibm: no $libc_a; install Debian's musl-dev (apt-get install musl-dev, or" \
        "scripts/deps.sh)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The functions math.h declares: "type name(params);" lines.
sed -n 's/^[a-z][a-z ]* \**\([a-z0-9_]*\)(.*);$/\1/p' "$math_h" | sort -u > "$tmp/names"
[ -s "$tmp/names" ] || { echo "mklibm: $math_h declares no functions" >&2; exit 1; }

sed -n 's/^KITE_MATH\(_VOID\)\?(\([^,]*, \)\?\([a-z0-9_]*\),.*/\3/p' "$list" | sort -u > "$tmp/listed"
if ! cmp -s "$tmp/names" "$tmp/listed"; then
    echo "mklibm: $math_h and $list name different functions:" >&2
    diff "$tmp/names" "$tmp/listed" | grep '^[<>]' >&2
    exit 1
fi

helper='^(__math_[a-z]+|__rem_pio2[a-z_]*|__(sin|cos|tan)(df|l)?|__expo2f?|__fpclassify[fl]?|__signbit[fl]?|__polevll|__invtrigl|[a-z0-9]+_data)$'
ar t "$libc_a" | sed 's/\.lo$//' | sort -u > "$tmp/members"
grep -x -F -f "$tmp/names" "$tmp/members" > "$tmp/chosen" || true
grep -E "$helper" "$tmp/members" >> "$tmp/chosen" || true

mkdir "$tmp/o"
(cd "$tmp/o" && xargs -a "$tmp/chosen" -I{} ar x "$(realpath "$libc_a")" {}.lo)
objs=("$tmp"/o/*.lo)

# Empty members (musl defines ceill in floorl.lo, say) are left out.
for o in "${objs[@]}"; do
    [ -n "$(nm "$o" 2>/dev/null)" ] || rm "$o"
done
objs=("$tmp"/o/*.lo)
nm -g --defined-only "${objs[@]}" | awk 'NF == 3 {print $3}' | sort -u > "$tmp/defined"
nm -u "${objs[@]}" 2>/dev/null | awk 'NF == 2 {print $2}' | sort -u > "$tmp/used"

missing=$(comm -23 "$tmp/names" "$tmp/defined")
if [ -n "$missing" ]; then
    echo "mklibm: $math_h declares functions that musl's math does not define:" $missing >&2
    exit 1
fi
outside=$(comm -23 "$tmp/used" "$tmp/defined" | grep -v -x '__stack_chk_fail' || true)
if [ -n "$outside" ]; then
    echo "mklibm: musl's math objects need symbols outside the math:" $outside >&2
    echo "mklibm: provide them in rt/libm, or stop declaring the functions that need them" >&2
    exit 1
fi

sed 's/.*/& __kite_musl_&/' "$tmp/names" > "$tmp/rename"
for o in "${objs[@]}"; do
    objcopy --redefine-syms="$tmp/rename" "$o"
done
# The wrappers: one source per function (two compilers at a time).
mkdir "$tmp/w"
awk -v dir="$tmp/w" '/^KITE_MATH/ {
    name = $0
    if (!sub(/^KITE_MATH_VOID\(/, "", name)) {
        sub(/^KITE_MATH\([^,]*, /, "", name)
    }
    sub(/,.*/, "", name)
    f = dir "/w_" name ".c"
    printf "#include \"wrap.h\"\n%s\n", $0 > f
    close(f)
}' "$list"
cp "$here/stack_chk.c" "$tmp/w/"
printf '%s\n' "$tmp"/w/*.c |
    xargs -P 2 -I{} sh -c 'f=$1; shift; "$@" -c "$f" -o "${f%.c}.o"' sh {} "$@" -I"$here"

mkdir -p "$(dirname "$out")"
rm -f "$out"
ar rcs "$out" "${objs[@]}" "$tmp"/w/*.o
