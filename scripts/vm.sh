#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel in QEMU (TCG) with a busybox initramfs that loads
# emu_uring.ko and runs a payload script, and save the serial log.
#
#   scripts/vm.sh KERNEL_IMAGE MODULE.ko PAYLOAD_DIR LOG [TIMEOUT_SECONDS]
#
# MODULE.ko "none" loads no module before the payload (which may modprobe
# one itself, as the package check does).
# PAYLOAD_DIR is copied to /payload in the guest and its run.sh is run from
# there after the module is loaded. The guest prints:
#   EMU-LOAD ok|fail|none   insmod of the module
#   (the payload's output)
#   EMU-DMESG-BEGIN ... EMU-DMESG-END   the kernel log at the end
#   EMU-DONE                 the guest finished (not hung or crashed)
# QEMU_CPU sets the CPU model (default max; benchmarks use max,-erms),
# QEMU_MEM the guest memory (default 1024 MiB), QEMU_EXTRA more options.
# VM_MODULES="NAME..." loads those modules of the kernel's own tree (with
# their dependencies) after emu_uring, where the kernel has them as modules
# (a kernel with them built in, such as the debug kernel, needs nothing).
# VM_HOSTFS=DIR shares the host's root filesystem read-only over virtio-9p
# and mounts it at /host, with host directory DIR bound at /host/mnt and
# the guest's /proc, /sys, /dev and a tmpfs /tmp inside, so that run.sh can
# `chroot /host` and run host programs with their libraries, and find DIR
# at /mnt even when it lies under the host's /tmp (needs a Debian kernel:
# the 9p modules come from its tree).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || emu_die "usage: $0 KERNEL_IMAGE MODULE.ko PAYLOAD_DIR LOG [TIMEOUT]"
kernel=$1 ko=$2 payload=$3 log=$4 tmo=${5:-600}
[ -r "$kernel" ] || emu_die "no kernel image $kernel"
[ "$ko" = none ] || [ -f "$ko" ] || emu_die "no module $ko"
[ -f "$payload/run.sh" ] || emu_die "no $payload/run.sh"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The guest's / is this directory: searchable by the users tests drop to.
chmod 755 "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,payload}
cp /bin/busybox "$stage/bin/busybox"
[ "$ko" = none ] || cp "$ko" "$stage/emu_uring.ko"
cp -r "$payload/." "$stage/payload/"
mknod "$stage/dev/console" c 5 1
mods=${VM_MODULES:-}
[ -z "${VM_HOSTFS:-}" ] || mods="$mods virtio_pci 9pnet_virtio 9p"
if [ -n "$mods" ] && [ "${kernel##*/}" != "${kernel##*/vmlinuz-}" ]; then
	# The kernel's own modules with their dependencies, in load order.
	mkdir -p "$stage/modules"
	# shellcheck disable=SC2086
	emu_stage_modules "$(emu_image_kver "$kernel")" "$stage/modules" \
		"$stage/modules/order" $mods
fi
if [ -n "${VM_HOSTFS:-}" ]; then
	[ -d "$VM_HOSTFS" ] || emu_die "VM_HOSTFS: no directory $VM_HOSTFS"
	echo "$(cd "$VM_HOSTFS" && pwd)" > "$stage/hostfs-dir"
	QEMU_EXTRA="${QEMU_EXTRA:-} -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
fi
cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo
echo "EMU-KERNEL $(uname -r)"
if [ ! -e /emu_uring.ko ]; then echo "EMU-LOAD none"
elif insmod /emu_uring.ko; then echo "EMU-LOAD ok"; else echo "EMU-LOAD fail"; fi
for m in $(cat /modules/order 2>/dev/null); do
	insmod /modules/$m
done
if [ -f /hostfs-dir ]; then
	mkdir -p /host
	if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose \
			hostroot /host; then
		# Before /host/tmp is covered: the directory may be in it.
		mount -o bind "/host$(cat /hostfs-dir)" /host/mnt
		mount -t proc proc /host/proc
		mount -t sysfs sysfs /host/sys
		mount -t devtmpfs devtmpfs /host/dev
		mount -t tmpfs tmpfs /host/tmp
		echo "EMU-HOSTFS ok"
	else
		echo "EMU-HOSTFS fail"
	fi
fi
cd /payload && sh ./run.sh
echo "EMU-DMESG-BEGIN"
dmesg
echo "EMU-DMESG-END"
echo "EMU-DONE"
poweroff -f
INIT
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$stage.cpio.gz"
trap 'rm -rf "$stage" "$stage.cpio.gz"' EXIT

boot() {
	# shellcheck disable=SC2086
	timeout --foreground -k 10 "$tmo" qemu-system-x86_64 \
		-accel tcg -cpu "${QEMU_CPU:-max}" -smp 2 -m "${QEMU_MEM:-1024}" \
		-nographic -no-reboot -nodefaults -serial stdio \
		${QEMU_EXTRA:-} \
		-kernel "$kernel" -initrd "$stage.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=3 rdinit=/init" \
		</dev/null >"$log.raw" 2>&1 || true
}
boot
# A guest that died before running /init never saw the module: that is an
# emulator hiccup (seen once: an int3 oops in boot-time code patching under
# TCG), not a test result. Boot once more, and say so.
if ! grep -q 'EMU-KERNEL' "$log.raw"; then
	echo "vm: the guest did not reach /init; booting once more" >&2
	mv "$log.raw" "$log.boot-failure"
	boot
fi
# The serial log starts with SeaBIOS escape sequences and has CRs.
sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' "$log.raw" > "$log"
rm -f "$log.raw"
