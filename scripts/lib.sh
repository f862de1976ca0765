# SPDX-License-Identifier: GPL-2.0
# Shared settings of the build and test scripts (sourced, not run).

EMU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Files extracted from linux-source-6.12 and other caches live outside the repo.
EMU_CACHE=${EMU_CACHE:-/var/cache/emu_uring}
EMU_KSRC=$EMU_CACHE/linux-source-6.12

# Debian's two supported kernel series, newest installed of each, that have
# both an image to boot and headers to build against. Never `uname -r`: the
# machine building this may run any kernel.
emu_kernels() {
	local series v
	for series in '6.1.[0-9]*-amd64' '6.12.[0-9]*-amd64'; do
		for v in /lib/modules/$series; do
			v=${v##*/}
			[ -e "/lib/modules/$v/build/Makefile" ] &&
				[ -e "/boot/vmlinuz-$v" ] && echo "$v"
		done | sort -V | tail -n 1
	done
}

emu_die() {
	echo "error: $*" >&2
	exit 1
}

# The release of a Debian kernel image: /boot/vmlinuz-<release>.
emu_image_kver() {
	local image=${1##*/}
	[ "${image#vmlinuz-}" != "$image" ] || emu_die "not a /boot/vmlinuz-* image: $1"
	echo "${image#vmlinuz-}"
}
