# SPDX-License-Identifier: GPL-2.0
# Guest side of vmtest.sh: run each selftest binary, unload the module, and
# in the debug kernel scan for leaks. Runs under busybox sh in /payload.
. ./env.sh
if [ -n "$EMU_DEBUG" ]; then
	mount -t debugfs debugfs /sys/kernel/debug
	# Forget what boot left behind; report only what comes after.
	echo scan > /sys/kernel/debug/kmemleak
	echo clear > /sys/kernel/debug/kmemleak
fi
for t in ./*_test; do
	echo "EMU-TEST-BEGIN ${t#./}"
	"$t"
	echo "EMU-TEST-END ${t#./} rc=$?"
	echo "EMU-REFCNT ${t#./} $(cat /sys/module/emu_uring/refcnt)"
done
if rmmod emu_uring; then echo "EMU-UNLOAD ok"; else echo "EMU-UNLOAD fail"; fi
if [ -n "$EMU_DEBUG" ]; then
	# kmemleak reports objects a few seconds old, found by two scans.
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	echo "EMU-KMEMLEAK-BEGIN"
	cat /sys/kernel/debug/kmemleak
	echo "EMU-KMEMLEAK-END"
fi
