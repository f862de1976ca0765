#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the selftests in QEMU guests.
#
#   selftests/vmtest.sh          every supported Debian kernel, with the
#                                module from build/<kver>/ (scripts/build-all.sh)
#   selftests/vmtest.sh --debug  the debug kernel (scripts/debug-kernel.sh:
#                                KASAN, lockdep, kmemleak, fault injection),
#                                the fuzzer at 10 million SQEs, and a final
#                                kmemleak scan
#   selftests/vmtest.sh --user   userspace on every supported kernel, with
#                                the host's filesystem shared into the
#                                guest: libemu_uring and preload-shim tests,
#                                fio and liburing programs through the shim
#                                (selftests/lib/guest.sh)
#
# EMU_TESTS (test binaries) and EMU_KERNELS (a regex of kernel versions)
# narrow a run down while developing.
#
# Each guest loads the module, runs every selftest binary, unloads the
# module. A kernel fails on any failed test and on any line of the kernel
# log that shows a kernel bug. Ends with "N passed, N failed, N skipped".
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$EMU_TOP"

debug= user=
[ "${1:-}" = --debug ] && debug=1
[ "${1:-}" = --user ] && user=1

# Kernel log lines that fail a run, whatever the tests said.
bad_log='BUG:|WARNING:|Oops|KASAN|general protection|lockdep is turned off|possible recursive locking|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|circular locking|Call Trace|Kernel panic|sleeping function called from invalid context|unreferenced object'

payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
if [ -n "$user" ]; then
	tests=$(cd build/libtests && ls -- *_test)
	cat > "$payload/run.sh" <<RUN
if [ -d /host/usr/bin ]; then
	chroot /host /usr/bin/env EMU_TOP=/mnt /bin/bash /mnt/selftests/lib/guest.sh
fi
if rmmod emu_uring; then echo "EMU-UNLOAD ok"; else echo "EMU-UNLOAD fail"; fi
RUN
else
	# EMU_TESTS="a_test b_test": only those (a developer's shortcut).
	tests=$(cd build/selftests && ls -- ${EMU_TESTS:-*_test})
	(cd build/selftests && cp -- $tests "$payload/")
	cp selftests/run.sh "$payload/"
fi

total_pass=0 total_fail=0 total_skip=0

run_kernel() {	# run_kernel NAME KERNEL_IMAGE MODULE TIMEOUT
	local name=$1 image=$2 ko=$3 tmo=$4
	local log=build/vmtest-$name.log pass=0 fail=0 skip=0 start=$SECONDS
	local t totals p f s e dmesg_bad

	ok_if() { if "$@"; then echo 0; else echo 1; fi; }
	check() {	# check WHAT STATUS
		if [ "$2" = 0 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $name: $1"
		fi
	}

	echo "=== $name"
	scripts/vm.sh "$image" "$ko" "$payload" "$log" "$tmo"
	# The TAP output of each test binary, as the guest printed it.
	sed -n '/^EMU-TEST-BEGIN/,/^EMU-UNLOAD/p' "$log" | grep -vE '^EMU-'

	check "module load" "$(ok_if grep -qx 'EMU-LOAD ok' "$log")"
	for t in $tests; do
		totals=$(sed -n "/^EMU-TEST-BEGIN $t\$/,/^EMU-TEST-END $t /p" "$log" |
			 grep -m1 '^# Totals:' || true)
		if [ -z "$totals" ]; then
			check "$t did not finish (crash or hang)" 1
			continue
		fi
		read -r p f s e < <(echo "$totals" |
			sed -E 's/.*pass:([0-9]+) fail:([0-9]+) xfail:[0-9]+ xpass:[0-9]+ skip:([0-9]+) error:([0-9]+).*/\1 \2 \3 \4/')
		pass=$((pass + p))
		fail=$((fail + f + e))
		skip=$((skip + s))
		grep -q "^EMU-TEST-END $t rc=0\$" "$log" || [ $((f + e)) -gt 0 ] ||
			check "$t exited non-zero" 1
	done
	if [ -n "$user" ]; then
		check "host filesystem in the guest" \
			"$(ok_if grep -qx 'EMU-HOSTFS ok' "$log")"
		# One line per acceptance check of guest.sh.
		while read -r _ status what; do
			if [ "$status" = skip ]; then
				skip=$((skip + 1))
				echo "SKIP: $name: $what"
				continue
			fi
			check "$what" "$(ok_if [ "$status" = ok ])"
		done < <(grep '^EMU-CHECK ' "$log" || true)
		check "acceptance checks ran" \
			"$(ok_if grep -q '^EMU-CHECK ' "$log")"
	fi
	check "module unload" "$(ok_if grep -qx 'EMU-UNLOAD ok' "$log")"
	check "guest ran to the end" "$(ok_if grep -qx 'EMU-DONE' "$log")"
	dmesg_bad=$(sed -n '/^EMU-DMESG-BEGIN/,/^EMU-DMESG-END/p' "$log" |
		    grep -E "$bad_log" || true)
	[ -z "$dmesg_bad" ] || echo "$dmesg_bad"
	check "kernel log clean" "$(ok_if [ -z "$dmesg_bad" ])"

	if [ -n "$debug" ]; then
		# Prove the checkers were there, and read what kmemleak found.
		check "KASAN active" \
			"$(ok_if grep -q 'KernelAddressSanitizer initialized' "$log")"
		check "lockdep active" \
			"$(ok_if grep -q 'Lock dependency validator' "$log")"
		check "kmemleak active" \
			"$(ok_if grep -q 'kmemleak: Kernel memory leak detector initialized' "$log")"
		check "kmemleak scanned after unload" \
			"$(ok_if grep -qx 'EMU-KMEMLEAK-END' "$log")"
		leaks=$(sed -n '/^EMU-KMEMLEAK-BEGIN/,/^EMU-KMEMLEAK-END/p' "$log" |
			grep -vE '^EMU-' || true)
		[ -z "$leaks" ] || echo "$leaks" | head -n 60
		check "kmemleak: no leaks" "$(ok_if [ -z "$leaks" ])"
		grep -h 'fuzz: seed' "$log" | sed 's/^# *//' || true
	fi

	echo "=== $name: $pass passed, $fail failed, $skip skipped ($((SECONDS - start)) s; log: $log)"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
}

if [ -n "$user" ]; then
	kernels=$(emu_kernels)
	[ -n "$kernels" ] || emu_die "no supported kernel installed (make deps)"
	: > "$payload/env.sh"
	for v in $kernels; do
		VM_HOSTFS=$EMU_TOP run_kernel "user-$v" "/boot/vmlinuz-$v" \
			"build/$v/emu_uring.ko" 900
	done
elif [ -z "$debug" ]; then
	# EMU_KERNELS=REGEX: only the kernels it matches.
	kernels=$(emu_kernels | grep -E -- "${EMU_KERNELS:-.}" || true)
	[ -n "$kernels" ] || emu_die "no supported kernel installed (make deps)"
	cat > "$payload/env.sh" <<ENV
export EMU_FUZZ_SQES=${EMU_FUZZ_SQES:-2000000} EMU_FUZZ_SECONDS=${EMU_FUZZ_SECONDS:-20}
ENV
	for v in $kernels; do
		# null_blk: the devices of the O_DIRECT tests (dio_test).
		VM_MODULES=null_blk run_kernel "$v" "/boot/vmlinuz-$v" \
			"build/$v/emu_uring.ko" 900
	done
else
	kdir=$(scripts/debug-kernel.sh)
	kver=$(cat "$kdir/include/config/kernel.release")
	out=build/debug-$kver
	rm -rf "$out"
	mkdir -p "$out"
	cp -r Kbuild module include "$out/"
	make -s -C "$kdir" M="$EMU_TOP/$out" W=1 modules >"$out/build.log" 2>&1 ||
		{ cat "$out/build.log"; emu_die "module build failed for $kver"; }
	! grep -E 'warning:|error:' "$out/build.log" ||
		emu_die "warnings in the build for $kver"
	cat > "$payload/env.sh" <<ENV
export EMU_DEBUG=1
export EMU_FUZZ_SQES=${EMU_FUZZ_SQES:-10000000} EMU_FUZZ_SECONDS=${EMU_FUZZ_SECONDS:-1500}
ENV
	QEMU_MEM=2048 run_kernel "debug-$kver" "$kdir/arch/x86/boot/bzImage" \
		"$out/emu_uring.ko" 3000
fi

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ] && [ "$total_pass" -gt 0 ]
