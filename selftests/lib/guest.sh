#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of `vmtest.sh --user`, run with bash in a chroot of the host's
# filesystem (read-only, with the guest's /proc, /dev and a tmpfs /tmp):
# the library and shim selftests, then the acceptance runs of unmodified
# io_uring programs (Debian's fio, programs built against Debian's
# liburing) through the shim with the kernel's io_uring switched off.
#
# Prints EMU-TEST-BEGIN/END around each kselftest binary and one
# "EMU-CHECK ok|fail|skip NAME" line per acceptance check.
set -u
cd "$EMU_TOP" || exit 1
PRELOAD=$EMU_TOP/build/lib/libemu_uring_preload.so
EX=$EMU_TOP/build/examples
W=/tmp/emu-user
mkdir -p "$W"

check() {	# check NAME COMMAND...: one acceptance result
	local name=$1
	shift
	if "$@"; then
		echo "EMU-CHECK ok $name"
	else
		echo "EMU-CHECK fail $name"
	fi
}

kselftest() {	# kselftest NAME COMMAND...
	local name=$1
	shift
	echo "EMU-TEST-BEGIN $name"
	"$@"
	echo "EMU-TEST-END $name rc=$?"
}

# kernel.io_uring_disabled came in Linux 6.6: on 6.1 the kernel's io_uring
# stays on, and the checks that need it refused are skipped.
can_disable=
[ -w /proc/sys/kernel/io_uring_disabled ] && can_disable=1
io_uring_disabled() {
	[ -z "$can_disable" ] || echo "$1" > /proc/sys/kernel/io_uring_disabled
}
check_refused() {	# check_refused NAME COMMAND...: needs io_uring off
	if [ -n "$can_disable" ]; then
		check "$@"
	else
		echo "EMU-CHECK skip $1: kernel.io_uring_disabled needs Linux >= 6.6"
	fi
}

# --- Nothing below may reach the kernel's io_uring: 2 = refused, EPERM.
# (Where it cannot be switched off, the shim tests show their calls reached
# the device: ring fds are /dev/emu_uring, the filter is in place.)
io_uring_disabled 2

kselftest lib_test build/libtests/lib_test
kselftest shim_test env LD_PRELOAD="$PRELOAD" build/libtests/shim_test

# --- Debian's fio, unmodified. verify=crc32c checks every block read back.
fio_run() {	# fio_run LOG [--shim] FIO-ARGS...
	local log=$1 pre=
	shift
	if [ "$1" = --shim ]; then
		pre=$PRELOAD
		shift
	fi
	# From $W: fio saves its verify state in the working directory.
	(cd "$W" && env ${pre:+LD_PRELOAD=$pre} fio --ioengine=io_uring \
		--directory="$W" "$@" > "$log" 2>&1)
}
fio_ok() {	# fio_ok LOG: fio said err=0 and verify found nothing wrong
	grep -q 'err= 0' "$1" && ! grep -qiE 'verify: bad|crc32c: verify failed|err=[ ]*[1-9]' "$1"
}
fio_eperm() {	# the job fails at ring setup with EPERM
	grep -qE 'Operation not permitted|err= *1[,:]' "$1"
}

job=(--name=uring --bs=4k --size=16M --iodepth=16 --filename=fio-data)
fio_run $W/fio-noshim.log "${job[@]}" --rw=write --verify=crc32c
check_refused "fio without the shim fails with EPERM (io_uring_disabled=2)" \
	fio_eperm $W/fio-noshim.log
fio_run $W/fio-write.log --shim "${job[@]}" --rw=write --verify=crc32c --do_verify=1
check "fio write job, verify=crc32c, through the shim" fio_ok $W/fio-write.log
fio_run $W/fio-read.log --shim "${job[@]}" --rw=read --verify=crc32c
check "fio read job, verify=crc32c, through the shim" fio_ok $W/fio-read.log
fio_run $W/fio-rand.log --shim --name=rand --bs=8k --size=8M --iodepth=32 \
	--filename=fio-rand --rw=randwrite --nonvectored=0 --fsync=16 \
	--verify=crc32c --do_verify=1
check "fio randwrite, readv/writev, fsync, iodepth 32, through the shim" \
	fio_ok $W/fio-rand.log
cat $W/fio-write.log $W/fio-read.log $W/fio-rand.log | grep -E 'err=|IOPS|verify' || true
echo "--- fio without the shim:"
grep -iE 'error|err=' $W/fio-noshim.log || true

# --- Programs built against Debian's liburing (and the same sources built
# against libemu_uring), on three sets of files.
head -c 1000000 /dev/urandom > $W/random
seq 1 20000 > $W/lines
: > $W/empty
files=("$W/random" "$W/lines" "$W/empty" /etc/os-release)
cat "${files[@]}" > $W/cat.expect

"$EX/liburing/uring-cat" "${files[@]}" > $W/cat.noshim 2> $W/cat.noshim.err
check_refused "liburing program without the shim fails (io_uring_disabled=2)" \
	grep -q 'Operation not permitted' $W/cat.noshim.err
LD_PRELOAD=$PRELOAD "$EX/liburing/uring-cat" "${files[@]}" > $W/cat.shim
check "liburing uring-cat through the shim prints the files" \
	cmp $W/cat.expect $W/cat.shim
LD_PRELOAD=$PRELOAD "$EX/liburing/uring-cp" $W/random $W/random.copy > $W/cp.shim
check "liburing uring-cp through the shim copies the file" \
	cmp $W/random $W/random.copy
"$EX/emu/uring-cat" "${files[@]}" > $W/cat.emu
check "uring-cat built against libemu_uring prints the files" \
	cmp $W/cat.expect $W/cat.emu
"$EX/emu/uring-cp" $W/random $W/random.copy2 > $W/cp.emu
check "uring-cp built against libemu_uring copies the file" \
	cmp $W/random $W/random.copy2

# --- The same sources against real io_uring: the same output.
io_uring_disabled 0
"$EX/liburing/uring-cat" "${files[@]}" > $W/cat.native
check "uring-cat: libemu_uring output = Debian liburing on io_uring" \
	cmp $W/cat.native $W/cat.emu
"$EX/liburing/uring-cp" $W/random $W/random.copy3 > $W/cp.native
check "uring-cp: libemu_uring output = Debian liburing on io_uring" \
	cmp $W/cp.native $W/cp.emu
check "uring-cp: shim output = Debian liburing on io_uring" \
	cmp $W/cp.native $W/cp.shim
cat $W/cp.native
