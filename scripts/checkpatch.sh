#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict on the module and the uapi header, and on the
# userspace library, its tests and examples.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

mkdir -p build
echo "checkpatch: module/ include/"
perl "$EMU_KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --summary-file -f module/*.[ch] include/uapi/linux/*.h |
	tee build/checkpatch.log
if grep -qE '(ERROR|WARNING|CHECK):' build/checkpatch.log; then
	emu_die "checkpatch is not clean"
fi
# Userspace C in kernel style. Kernel-only advice is off: ENOSYS is the
# errno the shim must give for a missing io_uring, volatile sig_atomic_t
# is C's type for signal-handler flags, pthread_sigmask() returns a
# positive errno, kselftest-style SKIP macros return, and liburing's
# io_uring_for_each_cqe() uses its arguments more than once.
echo "checkpatch: lib/ selftests/lib/ examples/"
perl "$EMU_KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
	--show-types --summary-file \
	--ignore ENOSYS,VOLATILE,USE_NEGATIVE_ERRNO,MACRO_WITH_FLOW_CONTROL,MACRO_ARG_REUSE \
	-f lib/*.[ch] lib/include/emu_uring/*.h selftests/lib/*.c examples/*.c |
	tee build/checkpatch-user.log
if grep -qE '(ERROR|WARNING|CHECK):' build/checkpatch-user.log; then
	emu_die "checkpatch is not clean (userspace)"
fi
