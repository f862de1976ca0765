#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the project needs (only what is missing), and
# extract the few files taken from Debian's linux-source-6.12 into the cache.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(linux-image-amd64 linux-headers-amd64
      linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
      linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
      qemu-system-x86 busybox-static sparse
      gcc make libc6-dev cpio gzip xz-utils perl python3
      flex bison bc libelf-dev libssl-dev
      fio liburing-dev pkg-config dkms zstd udev adduser
      debhelper dh-dkms lintian)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || emu_die "missing packages (${missing[*]}); run as root"
	echo "deps: installing ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || emu_die "linux-source-6.12 tarball not found in /usr/src"
stamp=$(dpkg-query -W -f='${Version}' linux-source-6.12)
if [ "$(cat "$EMU_KSRC/.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "deps: extracting kselftest harness and checkpatch from $tarball"
	rm -rf "$EMU_KSRC"
	mkdir -p "$EMU_CACHE"
	tar -xf "$tarball" -C "$EMU_CACHE" --wildcards \
		'linux-source-6.12/tools/testing/selftests/kselftest.h' \
		'linux-source-6.12/tools/testing/selftests/kselftest_harness.h' \
		'linux-source-6.12/scripts/checkpatch.pl' \
		'linux-source-6.12/scripts/spelling.txt' \
		'linux-source-6.12/scripts/const_structs.checkpatch'
	echo "$stamp" > "$EMU_KSRC/.stamp"
fi

[ -n "$(emu_kernels)" ] || emu_die "no supported kernel with headers installed"
