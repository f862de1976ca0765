#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: boot the newest supported kernel in QEMU, load emu_uring.ko and
# read real files through the ring with examples/readfiles (one READV per
# file, all submitted and completed in one ENTER).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

v=$(emu_kernels | tail -n 1)
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
echo "EMU-DEMO-END"
RUN

log=build/demo-$v.log
echo "demo: booting $v (QEMU TCG) ..."
scripts/vm.sh "/boot/vmlinuz-$v" "build/$v/emu_uring.ko" "$payload" "$log" 300
grep -m1 '^EMU-KERNEL' "$log" | sed 's/^EMU-KERNEL/guest kernel:/'
grep -qx 'EMU-LOAD ok' "$log" || { cat "$log"; emu_die "module did not load"; }
sed -n '/^EMU-DEMO-BEGIN/,/^EMU-DEMO-END/p' "$log" | grep -v '^EMU-DEMO-'
grep -q '^readfiles exit status: 0$' "$log" || emu_die "the demo failed (log: $log)"
