#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# mkiso.sh ELF ISO [CMDLINE] [TIMEOUT]: a GRUB 2 rescue ISO that boots ELF
# with multiboot2, under BIOS and UEFI (grub-mkrescue puts both in). The
# default entry passes CMDLINE; two more run the in-kernel tests or list the
# options. GRUB also talks on COM1, so its errors show on the serial console.
set -eu
elf=$1
iso=$2
cmdline=${3:-}
timeout=${4:-0}

for t in grub-mkrescue xorriso mformat; do
    command -v "$t" >/dev/null || { echo "mkiso: $t is missing; run scripts/deps.sh" >&2; exit 1; }
done
[ -d /usr/lib/grub/i386-pc ] || { echo "mkiso: GRUB BIOS files missing (grub-pc-bin)" >&2; exit 1; }
[ -d /usr/lib/grub/x86_64-efi ] || { echo "mkiso: GRUB UEFI files missing (grub-efi-amd64-bin)" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/kite-iso.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/kite.elf"
cat > "$stage/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=$timeout
set default=0

menuentry "Kite" {
    multiboot2 /boot/kite.elf $cmdline
    boot
}
menuentry "Kite: run the in-kernel tests" {
    multiboot2 /boot/kite.elf kite.test=all
    boot
}
menuentry "Kite: list the command-line options" {
    multiboot2 /boot/kite.elf kite.help
    boot
}
CFG
out=$(grub-mkrescue -o "$iso.tmp" "$stage" 2>&1) || { echo "$out" >&2; exit 1; }
mv "$iso.tmp" "$iso"
