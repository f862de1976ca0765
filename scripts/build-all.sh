#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the module against every supported kernel, in build/<version>/,
# with W=1 and sparse (C=2). Any compiler or sparse warning fails the build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

for v in $(emu_kernels); do
	out=build/$v
	rm -rf "$out"
	mkdir -p "$out"
	cp -r Kbuild module include "$out/"
	log=$out/build.log
	echo "build: $v (W=1, C=2)"
	if ! make -s -C "/lib/modules/$v/build" M="$EMU_TOP/$out" W=1 C=2 modules \
		>"$log" 2>&1; then
		cat "$log"
		emu_die "module build failed for $v"
	fi
	if grep -E 'warning:|error:' "$log"; then
		emu_die "warnings in the build for $v (see above)"
	fi
	[ -f "$out/emu_uring.ko" ] || emu_die "no emu_uring.ko for $v"
done
