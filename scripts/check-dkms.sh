#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms.conf as DKMS uses it: add the source to a scratch DKMS tree (not the
# system's), build the module for every supported kernel, and check that
# each build is for its kernel. Installing is left to the packages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
libver=$(sed -n 's/^VERSION := //p' lib/Makefile)
[ "$ver" = "$libver" ] || emu_die "dkms.conf version $ver is not the library's $libver"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$ver
mkdir -p "$src" "$tmp/dkms"
cp -r Kbuild module include dkms.conf "$src/"
dk=(dkms --dkmstree "$tmp/dkms" --sourcetree "$tmp/src")
"${dk[@]}" add -m "$name" -v "$ver" >"$tmp/add.log" 2>&1 ||
	{ cat "$tmp/add.log"; emu_die "dkms add failed"; }
for v in $(emu_kernels); do
	if ! "${dk[@]}" build -m "$name" -v "$ver" -k "$v" >"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log"
		emu_die "dkms build failed for $v"
	fi
	ko=$(find "$tmp/dkms/$name/$ver/$v" -name "$name.ko*" | head -n 1)
	[ -n "$ko" ] || emu_die "dkms built no $name.ko for $v"
	case $ko in
	*.xz) xz -dc "$ko" > "$tmp/m.ko" ;;
	*.zst) zstd -qdc "$ko" > "$tmp/m.ko" ;;
	*) cp "$ko" "$tmp/m.ko" ;;
	esac
	vm=$(modinfo -F vermagic "$tmp/m.ko" | cut -d' ' -f1)
	[ "$vm" = "$v" ] || emu_die "dkms built $name for $vm, not $v"
	echo "check-dkms: $v ok"
done
