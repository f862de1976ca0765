#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: boot the newest supported kernel in QEMU, load emu_uring.ko and
# read real files through the ring with examples/readfiles (one READV per
# file, all submitted and completed in one ENTER). Then, with the kernel's
# io_uring switched off and the host's programs visible in the guest, run
# unmodified io_uring programs (built against Debian's liburing, and
# Debian's fio) on emu_uring through the preload shim.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

v=$(emu_kernels | grep -v -- -rt- | tail -n 1)
[ -n "$v" ] || emu_die "no supported kernel installed (make deps)"
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/files"
cp build/examples/readfiles "$payload/"
cp /etc/os-release "$payload/files/os-release"
head -c 1500 README.md > "$payload/files/README.head"
printf 'Hello from the host, %s.\n' "$(date -u +%F)" > "$payload/files/hello.txt"
cat > "$payload/run.sh" <<'RUN'
echo "EMU-DEMO-BEGIN"
ls -l /dev/emu_uring
./readfiles /payload/files/hello.txt /proc/version /payload/files/os-release \
	/payload/files/README.head /payload/files/does-not-exist
echo "readfiles exit status: $?"
if [ -d /host/usr/bin ]; then
	cp /payload/files/* /host/tmp/
	echo 2 > /proc/sys/kernel/io_uring_disabled
	echo
	echo "--- kernel.io_uring_disabled=2; uring-cat (built against Debian's liburing):"
	chroot /host /mnt/build/examples/liburing/uring-cat /tmp/hello.txt
	echo "--- the same binary with LD_PRELOAD=libemu_uring_preload.so:"
	chroot /host /usr/bin/env LD_PRELOAD=/mnt/build/lib/libemu_uring_preload.so \
		/mnt/build/examples/liburing/uring-cat /tmp/hello.txt
	echo "uring-cat exit status: $?"
	echo "--- Debian's fio, ioengine=io_uring, through the shim:"
	chroot /host /usr/bin/env LD_PRELOAD=/mnt/build/lib/libemu_uring_preload.so \
		fio --name=demo --ioengine=io_uring --directory=/tmp --rw=randrw \
		--bs=4k --size=8M --iodepth=16 --verify=crc32c --do_verify=1 \
		> /host/tmp/fio.log 2>&1
	echo "fio exit status: $?"
	grep -E 'err=|IOPS=|READ:|WRITE:' /host/tmp/fio.log
fi
echo "EMU-DEMO-END"
RUN

log=build/demo-$v.log
echo "demo: booting $v (QEMU TCG) ..."
VM_HOSTFS=$EMU_TOP scripts/vm.sh "/boot/vmlinuz-$v" "build/$v/emu_uring.ko" \
	"$payload" "$log" 300
grep -m1 '^EMU-KERNEL' "$log" | sed 's/^EMU-KERNEL/guest kernel:/'
grep -qx 'EMU-LOAD ok' "$log" || { cat "$log"; emu_die "module did not load"; }
sed -n '/^EMU-DEMO-BEGIN/,/^EMU-DEMO-END/p' "$log" | grep -v '^EMU-DEMO-'
grep -q '^readfiles exit status: 0$' "$log" || emu_die "the demo failed (log: $log)"
grep -q '^uring-cat exit status: 0$' "$log" &&
	grep -q '^fio exit status: 0$' "$log" ||
	emu_die "the preload-shim demo failed (log: $log)"
