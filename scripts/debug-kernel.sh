#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once, cached outside the repo) a debug kernel from Debian's
# linux-source-6.12: tinyconfig + kvm_guest.config + selftests/debug.config
# (KASAN, lockdep, kmemleak, fault injection). Prints the build directory.
# A second run with the same source and config is a no-op.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

frag=selftests/debug.config
tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$(cat "$frag" "$0" | sha256sum | cut -c1-12)
src=$EMU_CACHE/linux-6.12-src-$ver
out=$EMU_CACHE/debug-kernel-$ver-$key
mk() { make -s -C "$src" O="$out" ARCH=x86_64 "$@"; }

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
if [ ! -f "$src/.done" ]; then
	echo "debug-kernel: unpacking $tarball" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.done"
	mv "$src.tmp" "$src"
fi

rm -rf "$out"
mkdir -p "$out"
start=$SECONDS
mk tinyconfig >&2
mk kvm_guest.config >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >/dev/null
mk olddefconfig >&2

# Every requested option must have survived olddefconfig.
missing=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx "$line" "$out/.config" || { echo "debug-kernel: $line did not stick" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$out/.config" || { echo "debug-kernel: $opt is set" >&2; missing=1; } ;;
	esac
done < "$frag"
[ "$missing" = 0 ] || emu_die "the debug kernel config lost options (see above)"

echo "debug-kernel: building in $out (about 11 minutes on 2 cores)" >&2
make -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; emu_die "debug kernel build failed"; }
echo "debug-kernel: built in $((SECONDS - start)) s" >&2
touch "$out/.done"
echo "$out"
