#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` into a scratch DESTDIR, then build a liburing program
# against the installed copy the way a user would: through pkg-config.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s -C lib install DESTDIR="$dest" PREFIX=/opt/emu_uring
for f in opt/emu_uring/lib/libemu_uring.so.1 opt/emu_uring/lib/libemu_uring.so \
	 opt/emu_uring/lib/libemu_uring.a \
	 opt/emu_uring/lib/libemu_uring_preload.so opt/emu_uring/include/emu_uring/liburing.h \
	 opt/emu_uring/lib/pkgconfig/emu_uring.pc; do
	[ -e "$dest/$f" ] || emu_die "make install did not install /$f"
done
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/opt/emu_uring/lib/pkgconfig
flags=$(pkg-config --cflags --libs emu_uring)
# shellcheck disable=SC2086
gcc -O2 -Wall -Werror -o "$dest/uring-cat" examples/uring-cat.c $flags
# shellcheck disable=SC2086
gcc -O2 -Wall -Werror -static -o "$dest/uring-cat-static" examples/uring-cat.c $flags
objdump -p "$dest/uring-cat" | grep -q 'NEEDED.*libemu_uring.so.1' ||
	emu_die "uring-cat is not linked against libemu_uring.so.1"
if objdump -p "$dest/uring-cat" | grep -q 'NEEDED.*liburing'; then
	emu_die "uring-cat linked Debian's liburing instead of libemu_uring"
fi
echo "check-install: ok (pkg-config: $flags)"
