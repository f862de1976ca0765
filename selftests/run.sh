# SPDX-License-Identifier: GPL-2.0
# Guest side of vmtest.sh: run each selftest binary, then check that the
# module unloads. Runs under busybox sh in /payload.
for t in ./*_test; do
	echo "EMU-TEST-BEGIN ${t#./}"
	"$t"
	echo "EMU-TEST-END ${t#./} rc=$?"
done
if rmmod emu_uring; then echo "EMU-UNLOAD ok"; else echo "EMU-UNLOAD fail"; fi
