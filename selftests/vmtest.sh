#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# For each supported Debian kernel: boot it in QEMU with the module built
# against its headers (build/<kver>/emu_uring.ko, from scripts/build-all.sh),
# run the selftests, unload the module, and check the kernel log.
# Ends with one line "N passed, N failed, N skipped" over all kernels.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$EMU_TOP"

# Kernel log lines that fail a run, whatever the tests said.
bad_log='BUG:|WARNING:|Oops|KASAN|general protection|lockdep|circular locking|Call Trace|Kernel panic'

total_pass=0 total_fail=0 total_skip=0
kernels=$(emu_kernels)
[ -n "$kernels" ] || emu_die "no supported kernel installed (make deps)"

payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
cp build/selftests/*_test selftests/run.sh "$payload/"

for v in $kernels; do
	log=build/vmtest-$v.log
	pass=0 fail=0 skip=0
	echo "=== $v"
	start=$SECONDS
	scripts/vm.sh "$v" "build/$v/emu_uring.ko" "$payload" "$log" 900
	# The TAP output of each test binary, as the guest printed it.
	sed -n '/^EMU-TEST-BEGIN/,/^EMU-UNLOAD/p' "$log" | grep -vE '^EMU-'

	check() {	# check NAME OK-CONDITION-STATUS
		if [ "$2" = 0 ]; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL: $v: $1"
		fi
	}
	grep -qx 'EMU-LOAD ok' "$log"; check "module load" $?
	for t in build/selftests/*_test; do
		t=${t##*/}
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
	grep -qx 'EMU-UNLOAD ok' "$log"; check "module unload" $?
	grep -qx 'EMU-DONE' "$log"; check "guest ran to the end" $?
	dmesg_bad=$(sed -n '/^EMU-DMESG-BEGIN/,/^EMU-DMESG-END/p' "$log" |
		    grep -E "$bad_log" || true)
	if [ -n "$dmesg_bad" ]; then
		echo "$dmesg_bad"
	fi
	[ -z "$dmesg_bad" ]; check "kernel log clean" $?

	echo "=== $v: $pass passed, $fail failed, $skip skipped ($((SECONDS - start)) s; log: $log)"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ] && [ "$total_pass" -gt 0 ]
