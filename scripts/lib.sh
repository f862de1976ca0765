# SPDX-License-Identifier: GPL-2.0
# Shared settings of the build and test scripts (sourced, not run).

EMU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Files extracted from linux-source-6.12 and other caches live outside the repo.
EMU_CACHE=${EMU_CACHE:-/var/cache/emu_uring}
EMU_KSRC=$EMU_CACHE/linux-source-6.12

# Debian's supported kernel series, newest installed of each, that have
# both an image to boot and headers to build against: 6.1, 6.12 and 6.12's
# PREEMPT_RT flavour (completions from interrupt context differ there).
# Never `uname -r`: the machine building this may run any kernel.
emu_kernels() {
	local series v
	for series in '6.1.[0-9]*-amd64' '6.12.[0-9]*-amd64' '6.12.[0-9]*-rt-amd64'; do
		for v in /lib/modules/$series; do
			v=${v##*/}
			# The plain series must not pick the RT flavour.
			case "$series:$v" in
			*-rt-amd64:*) ;;
			*:*-rt-amd64) continue ;;
			esac
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

# The modules NAME... of kernel KVER need, with their dependencies, as paths
# relative to /lib/modules/KVER, dependencies first (the order to insmod).
# Built-in modules are not in modules.dep and are left out.
emu_module_closure() {
	local kver=$1 dep=/lib/modules/$1/modules.dep name path
	local -A seen=()
	local -a order=()
	shift
	visit() {
		local p=$1 line d
		[ -z "${seen[$p]:-}" ] || return 0
		seen[$p]=1
		line=$(grep -m1 "^$p:" "$dep" || true)
		# modules.dep lists a module's dependencies last-to-load-first.
		for d in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
			visit "$d"
		done
		order+=("$p")
	}
	for name in "$@"; do
		path=$(grep -m1 -oE "^[^:]*/$name\.ko(\.xz)?:" "$dep" || true)
		[ -z "$path" ] || visit "${path%:}"
	done
	[ ${#order[@]} -eq 0 ] || printf '%s\n' "${order[@]}"
}

# Copy the modules NAME... of kernel KVER, with their dependencies, into
# DIR, decompressed (busybox insmod reads plain .ko files), and append
# their file names to ORDER_FILE in the order to insmod them.
emu_stage_modules() {	# emu_stage_modules KVER DIR ORDER_FILE NAME...
	local kver=$1 dir=$2 order=$3 m name
	shift 3
	for m in $(emu_module_closure "$kver" "$@"); do
		name=${m##*/}
		name=${name%.xz}
		case "$m" in
		*.xz) xz -dc "/lib/modules/$kver/$m" > "$dir/$name" ;;
		*) cp "/lib/modules/$kver/$m" "$dir/$name" ;;
		esac
		echo "$name" >> "$order"
	done
}
