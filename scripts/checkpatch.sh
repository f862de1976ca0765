#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict on the module and the uapi header.
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
