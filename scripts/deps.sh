#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install the Debian packages Kite's build, run and test targets need, and only the
# ones that are missing. `make run` and `make test` call this first, so a fresh
# Debian machine needs nothing else. Set KITE_DEPS=skip to bypass it.
set -eu

# One line per purpose, so a reader sees why each package is here.
pkgs=(
    gcc binutils make                                 # build the kernel
    grub-pc-bin grub-efi-amd64-bin grub-common        # grub-mkrescue, BIOS + UEFI
    xorriso mtools                                    # ISO and EFI image assembly
    kconfig-frontends-nox                             # kconfig-conf / kconfig-mconf
    libncurses-dev                                    # menuconfig's screen
    qemu-system-x86 ovmf                              # boot the image, UEFI firmware
    libcmocka-dev                                     # host unit tests
    musl-dev                                          # rt/libm: musl's math objects (libc.a)
    clang-format clang-tidy cppcheck                  # make check
    clang libclang-rt-14-dev                          # libFuzzer for the parser fuzzers
    bc                                                # make bench arithmetic
    gdb python3                                       # the gdb-over-serial tests
    linux-image-amd64 linux-headers-amd64             # the co-kernel test's host Linux
    busybox-static cpio                               # and its initramfs
)

[ "${KITE_DEPS:-}" = skip ] && exit 0

# Not Debian: no package names to check, but the tools themselves can be.
if ! command -v dpkg-query >/dev/null 2>&1; then
    need=(gcc ld make grub-mkrescue xorriso mformat kconfig-conf qemu-system-x86_64)
    absent=()
    for t in "${need[@]}"; do command -v "$t" >/dev/null 2>&1 || absent+=("$t"); done
    [ ${#absent[@]} -eq 0 ] && exit 0
    echo "deps: not a Debian system, and these tools are missing: ${absent[*]}" >&2
    echo "deps: install them with your package manager (KITE_DEPS=skip bypasses this check)" >&2
    exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing packages: ${missing[*]}; there is no apt-get to install them" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "deps: missing packages: ${missing[*]}" >&2
        echo "deps: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the index only when an install from the current one fails.
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
    $sudo apt-get update || { echo "deps: apt-get update failed" >&2; exit 1; }
    $sudo apt-get install -y --no-install-recommends "${missing[@]}" || {
        echo "deps: could not install: ${missing[*]}" >&2
        exit 1
    }
fi
