#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build the co-kernel test's initramfs (newc cpio, gzip): busybox-static
# with its applets, kite_host.ko, kitectl and kh_ioctl (static), kite.elf,
# a copy of it whose memory size no partition holds, and the guest side of
# the test (init, cycle.sh).
#
#   mkinitramfs.sh OUT.cpio.gz MODULE KITE_ELF BIG_ELF KH_IOCTL [KITECTL]
set -eu
if [ $# -lt 5 ] || [ $# -gt 6 ]; then
    echo "usage: $0 OUT.cpio.gz kite_host.ko kite.elf kite-big.elf kh_ioctl [kitectl]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
out=$1 module=$2 elf=$3 big=$4 khioctl=$5 kitectl=${6:-}
busybox=$(command -v busybox) || { echo "$0: busybox not found (Debian package busybox-static)" >&2; exit 1; }
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
    echo "$0: $busybox is not static (install busybox-static)" >&2
    exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 0644 "$module" "$root/kite_host.ko"
install -m 0644 "$elf" "$root/kite.elf"
install -m 0644 "$big" "$root/kite-big.elf"
install -m 0755 "$khioctl" "$root/bin/kh_ioctl"
[ -n "$kitectl" ] && install -m 0755 "$kitectl" "$root/bin/kitectl"
install -m 0755 "$here/init" "$root/init"
install -m 0755 "$here/cycle.sh" "$root/cycle.sh"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
