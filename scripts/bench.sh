#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: for each supported kernel, boot a guest (TCG, -cpu max,-erms),
# load emu_uring and brd, and run bench/bench in one guest run against a
# 64 MiB file on tmpfs and on a brd RAM disk. Prints the table and the
# result/ratio lines; fails if a run's control ratio is off.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

out=build/bench-results.txt
: > "$out"
status=0
for v in $(emu_kernels); do
	payload=$(mktemp -d)
	cp build/bench/bench "$payload/"
	brd=$(find "/lib/modules/$v/kernel/drivers/block" -name 'brd.ko*' | head -n 1)
	case "$brd" in
	*.xz) xz -dc "$brd" > "$payload/brd.ko" ;;
	*.ko) cp "$brd" "$payload/brd.ko" ;;
	*) emu_die "no brd module for $v" ;;
	esac
	cat > "$payload/run.sh" <<'RUN'
echo "EMU-BENCH-BEGIN"
dd if=/dev/urandom of=/tmp/bench.dat bs=1M count=64 2>/dev/null
if insmod ./brd.ko rd_nr=1 rd_size=65536 &&
   dd if=/tmp/bench.dat of=/dev/ram0 bs=1M 2>/dev/null; then
	bdev=/dev/ram0
else
	echo "# brd unavailable: no block-device cases"
	bdev=
fi
echo "# io_uring_disabled: $(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo n/a)"
BENCH_ROUNDS=@ROUNDS@ ./bench /tmp/bench.dat $bdev
echo "EMU-BENCH-STATUS $?"
echo "EMU-BENCH-END"
RUN
	sed -i "s/@ROUNDS@/${BENCH_ROUNDS:-40}/" "$payload/run.sh"
	log=build/bench-$v.log
	echo "=== bench: $v (QEMU TCG, -cpu max,-erms)"
	QEMU_CPU=max,-erms scripts/vm.sh "/boot/vmlinuz-$v" \
		"build/$v/emu_uring.ko" "$payload" "$log" 1800
	rm -rf "$payload"
	sed -n '/^EMU-BENCH-BEGIN/,/^EMU-BENCH-END/p' "$log" | grep -v '^EMU-BENCH-' |
		tee -a "$out"
	grep -qx 'EMU-BENCH-STATUS 0' "$log" || { echo "bench failed on $v (log: $log)"; status=1; }
done

echo
echo "=== summary ($(date -u +%F), QEMU TCG)"
awk '$1 == "ratio" { printf "%-24s %-40s %s\n", $2, $3, $4 }' "$out"
exit $status
