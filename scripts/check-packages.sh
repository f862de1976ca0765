#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages as an administrator gets them:
#  1. build them with dpkg-buildpackage -us -uc from a copy of the tree, and
#     run lintian on them (no error, no warning);
#  2. install them into a throwaway root: an overlay on the host's root,
#     whose writes go to a scratch directory, entered with chroot;
#  3. let DKMS build the module for every supported kernel, as Debian's
#     kernel postinst hook does when it installs one;
#  4. build a program with `pkg-config --cflags --libs emu_uring`, and a
#     liburing one for the preload shim;
#  5. boot each kernel with that root over 9p: udevd and modprobe load the
#     package's module with its modprobe.d policy, the node gets the udev
#     rule's group and mode, and the programs run as a non-root member of
#     that group (and fail without it);
#  6. reinstall, remove (the module goes, the conffile stays), purge, and
#     check that the root is as it was.
# EMU_PKG_KERNELS="KVER..." limits it to those kernels.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$EMU_TOP"

say() { echo "check-packages: $*"; }
[ "$(id -u)" = 0 ] || emu_die "check-packages needs root (chroot, mount)"
# In a mount namespace of its own: whatever happens, its mounts go with it.
if [ -z "${EMU_PKG_NS:-}" ]; then
	EMU_PKG_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
dkver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
[ "$ver" = "$dkver" ] || emu_die "debian/changelog is $ver, dkms.conf $dkver"
pkgs=(emu-uring-dkms libemu-uring1 libemu-uring-dev emu-uring-preload)

tmp=$(mktemp -d /tmp/emu-pkg.XXXXXX)
root=$tmp/root
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" || true
	done
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
mnt() {	# mnt DIR mount-args...: mount on DIR, unmounted at exit
	local dir=$1
	shift
	mount "$@" "$dir"
	mounts+=("$dir")
}

# 1. Build from the files git knows (tracked or not ignored), as a clean
#    checkout has them.
src=$tmp/build/emu-uring-$ver
mkdir -p "$src"
git ls-files -co --exclude-standard -z | tar -c --null -T - -f - | tar -x -C "$src" -f -
(cd "$src" && dpkg-buildpackage -us -uc) >"$tmp/build.log" 2>&1 ||
	{ tail -n 40 "$tmp/build.log"; emu_die "dpkg-buildpackage failed"; }
changes=$tmp/build/emu-uring_${ver}_$(dpkg --print-architecture).changes
debs=()
for p in "${pkgs[@]}"; do
	f=$(ls "$tmp/build/${p}_${ver}_"*.deb 2>/dev/null || true)
	[ -n "$f" ] || emu_die "dpkg-buildpackage built no $p"
	debs+=("$f")
done
say "built ${pkgs[*]} $ver"
# lintian warns that it runs as root: it reads only what it is given.
if ! lintian --fail-on error,warning "$changes" >"$tmp/lintian.log" 2>&1; then
	cat "$tmp/lintian.log"
	emu_die "lintian found errors or warnings"
fi
grep -v 'root privileges' "$tmp/lintian.log" || true
say "lintian: no error, no warning"

# 2. The throwaway root.
mkdir -p "$tmp/upper" "$tmp/work" "$root"
if ! mount -t overlay overlay \
		-o "lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work" "$root" 2>"$tmp/ovl.log"; then
	say "SKIP: cannot mount an overlay on / ($(cat "$tmp/ovl.log"))"
	exit 0
fi
mounts+=("$root")
# What dpkg and DKMS need in the root, mounted only while they run: the
# guests see the root over 9p, without the host's /proc and /dev.
root_mounts() {
	mnt "$root/proc" -t proc proc
	mnt "$root/dev" --bind /dev
	mnt "$root/tmp" -t tmpfs tmpfs
	mnt "$root/run" -t tmpfs tmpfs
}
root_umounts() {
	local d
	for d in run tmp dev proc; do
		umount "$root/$d"
		unset 'mounts[${#mounts[@]}-1]'
	done
}
in_root() { chroot "$root" "$@"; }
root_mounts

mkdir "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
if ! in_root sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/debs/*.deb' \
		>"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	emu_die "dpkg -i failed"
fi
gid=$(in_root getent group emu-uring | cut -d: -f3)
[ -n "$gid" ] || emu_die "emu-uring-dkms did not create the group emu-uring"
say "installed into a throwaway root (group emu-uring is $gid)"

# 3. DKMS, as when Debian installs each kernel.
kernels=${EMU_PKG_KERNELS:-$(emu_kernels)}
[ -n "$kernels" ] || emu_die "no supported kernel to build for"
for v in $kernels; do
	in_root /etc/kernel/postinst.d/dkms "$v" >"$tmp/dkms-$v.log" 2>&1 ||
		{ cat "$tmp/dkms-$v.log"; emu_die "DKMS's kernel hook failed for $v"; }
	st=$(in_root dkms status -m emu_uring -v "$ver" -k "$v" 2>/dev/null)
	case $st in
	*": installed"*) ;;
	*) cat "$tmp/dkms-$v.log"; emu_die "DKMS did not install emu_uring for $v: $st" ;;
	esac
	ko=$(in_root modinfo -k "$v" -n emu_uring)
	case $ko in
	*/updates/dkms/emu_uring.ko*) ;;
	*) emu_die "modprobe would load $ko for $v, not DKMS's module" ;;
	esac
	vm=$(in_root modinfo -k "$v" -F vermagic emu_uring | cut -d' ' -f1)
	[ "$vm" = "$v" ] || emu_die "DKMS built emu_uring for $vm, not $v"
	say "DKMS built and installed emu_uring for $v"
done

# 4. Programs built as a user of the packages would.
in_root sh -ec '
	ex=/usr/share/doc/libemu-uring-dev/examples
	gcc -O2 -Wall -Werror -o /tmp/uring-cat $ex/uring-cat.c \
		$(pkg-config --cflags --libs emu_uring)
	gcc -O2 -Wall -Werror -o /tmp/uring-cat-liburing $ex/uring-cat.c -luring
	objdump -p /tmp/uring-cat | grep -q "NEEDED.*libemu_uring\.so\.1"
	mkdir /opt/emu-pkg-check
	cp /tmp/uring-cat /tmp/uring-cat-liburing /opt/emu-pkg-check/
' || emu_die "could not build against the installed libemu-uring-dev"
say "built uring-cat with pkg-config emu_uring: $(in_root pkg-config --cflags --libs emu_uring)"

# 5. In a guest of each kernel.
shim=$(in_root dpkg -L emu-uring-preload | grep 'libemu_uring_preload\.so$')
# What the programs must print: a file the packages installed.
root_umounts
payload=$tmp/payload
mkdir -p "$payload"
cat > "$payload/run.sh" <<PAYLOAD
${EMU_PKG_DEBUG:+PKG_DEBUG=1}
R=/host/mnt
mount -t tmpfs tmpfs \$R/run
mount -t sysfs sysfs \$R/sys
# Under the chroot's devtmpfs bind: the guest's own.
mount -t devtmpfs devtmpfs \$R/dev
c() { timeout 120 chroot \$R "\$@"; }
if [ -n "\${PKG_DEBUG:-}" ]; then
	ls -la \$R \$R/lib/modules/\$(uname -r)/updates/dkms
	c /bin/sh -c 'type stat modprobe; ls -la /lib/modules/\$(uname -r)/updates/dkms; grep emu_uring /lib/modules/\$(uname -r)/modules.dep'
fi
c /lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || echo "PKG-FAIL udevd"
if c modprobe emu_uring; then echo "PKG-MODPROBE ok"; else echo "PKG-FAIL modprobe"; fi
c udevadm settle -t 60
echo "PKG-NODE \$(c stat -c '%U:%G:%a' /dev/emu_uring)"
echo "PKG-DEVMODE \$(cat /sys/module/emu_uring/parameters/dev_mode)"
f=/usr/share/doc/libemu-uring1/copyright
want="$(md5sum < "$root/usr/share/doc/libemu-uring1/copyright")"
as_user() { c setpriv --reuid=65534 --regid=65534 "\$@"; }
got=\$(as_user --groups=$gid /opt/emu-pkg-check/uring-cat \$f | c md5sum)
[ "\$got" = "\$want" ] && echo "PKG-MEMBER ok" || echo "PKG-FAIL member: \$got"
got=\$(as_user --groups=$gid env LD_PRELOAD=$shim /opt/emu-pkg-check/uring-cat-liburing \$f | c md5sum)
[ "\$got" = "\$want" ] && echo "PKG-SHIM ok" || echo "PKG-FAIL shim: \$got"
err=\$(as_user --clear-groups /opt/emu-pkg-check/uring-cat \$f 2>&1 >/dev/null)
case \$err in
# libemu_uring says EPERM of a device it may not open, as io_uring_setup(2)
# of a user io_uring_disabled refuses.
*"Operation not permitted"*) echo "PKG-NONMEMBER refused" ;;
*) echo "PKG-FAIL non-member: \$err" ;;
esac
# Through the shim a non-member gets no ring either, even where the
# kernel's own io_uring is on: what proves that the shim is in the way.
if as_user --clear-groups env LD_PRELOAD=$shim /opt/emu-pkg-check/uring-cat-liburing \$f \
		>/dev/null 2>&1; then
	echo "PKG-FAIL a non-member read through the shim"
else
	echo "PKG-SHIM-NONMEMBER refused"
fi
c modprobe -r emu_uring && echo "PKG-RMMOD ok" || echo "PKG-FAIL rmmod"
PAYLOAD
for v in $kernels; do
	log=$tmp/guest-$v.log
	VM_HOSTFS=$root scripts/vm.sh "/boot/vmlinuz-$v" none "$payload" "$log" 300 ||
		{ cat "$log"; emu_die "guest of $v failed"; }
	bad=
	grep -q '^EMU-DONE' "$log" || bad="the guest did not finish"
	grep -q '^EMU-HOSTFS ok' "$log" || bad="the guest could not mount the root"
	grep -q '^PKG-FAIL' "$log" && bad=$(grep -m1 '^PKG-FAIL' "$log")
	for want in 'PKG-MODPROBE ok' 'PKG-NODE root:emu-uring:660' 'PKG-DEVMODE 0660' \
		    'PKG-MEMBER ok' 'PKG-SHIM ok' 'PKG-NONMEMBER refused' \
		    'PKG-SHIM-NONMEMBER refused' 'PKG-RMMOD ok'; do
		grep -qx "$want" "$log" || bad=${bad:-"no '$want'"}
	done
	if [ -n "$bad" ]; then
		sed -n '/EMU-KERNEL/,/EMU-DMESG-BEGIN/p' "$log"
		emu_die "$v: $bad"
	fi
	say "$v: udev gave /dev/emu_uring root:emu-uring 0660; a member ran" \
	    "uring-cat and the shim, a non-member was refused"
done

# 6. Reinstall, remove, purge; then compare the root with the host's.
rm -r "$root/opt/emu-pkg-check"
root_mounts
mkdir "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/debs/*.deb' \
	>"$tmp/reinstall.log" 2>&1 || { cat "$tmp/reinstall.log"; emu_die "reinstall failed"; }
in_root dpkg -r "${pkgs[@]}" >"$tmp/remove.log" 2>&1 ||
	{ cat "$tmp/remove.log"; emu_die "dpkg -r failed"; }
for v in $kernels; do
	ls "$root/lib/modules/$v/updates/dkms/emu_uring.ko"* >/dev/null 2>&1 &&
		emu_die "dpkg -r left emu_uring.ko in $v's modules"
done
[ ! -e "$root/usr/src/emu_uring-$ver" ] || emu_die "dpkg -r left /usr/src/emu_uring-$ver"
[ -e "$root/etc/modprobe.d/emu-uring-dkms.conf" ] ||
	emu_die "dpkg -r removed the conffile /etc/modprobe.d/emu-uring-dkms.conf"
say "reinstalled, removed: the modules went, the conffile stayed"
in_root dpkg --purge "${pkgs[@]}" >"$tmp/purge.log" 2>&1 ||
	{ cat "$tmp/purge.log"; emu_die "dpkg --purge failed"; }
left=()
for p in "${pkgs[@]}"; do
	in_root dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qv not-installed &&
		left+=("package $p")
done
in_root getent group emu-uring >/dev/null && left+=("group emu-uring")
# What the overlay holds is what the packages changed. dpkg's database
# and logs change by design; depmod rewrote its indexes when DKMS removed
# the module, ldconfig its cache, and adduser left the group files' backups.
while IFS= read -r -d '' f; do
	rel=${f#"$tmp/upper"}
	case $rel in
	/var/lib/dpkg/*|/var/log/*|/var/cache/debconf/*|/var/cache/ldconfig/*) continue ;;
	/etc/group-|/etc/gshadow-) continue ;;
	/lib/modules/*/modules.*|/usr/lib/modules/*/modules.*) continue ;;
	esac
	if [ ! -L "$f" ] && [ -e "$rel" ] &&
	   [ "$(stat -c '%f %u %g' "$f")" != "$(stat -c '%f %u %g' "$rel")" ]; then
		left+=("mode or owner of $rel")
	elif [ -d "$f" ]; then
		[ -d "$rel" ] || left+=("directory $rel")
		# An opaque directory hides what the host has in it.
		python3 -c 'import os, sys; os.getxattr(sys.argv[1], "trusted.overlay.opaque")' \
			"$f" 2>/dev/null && left+=("replaced directory $rel")
	elif [ -c "$f" ] && [ "$(stat -c %t:%T "$f")" = 0:0 ]; then
		left+=("removed $rel")
	elif [ ! -e "$rel" ] && [ ! -L "$rel" ]; then
		left+=("file $rel")
	elif [ -L "$f" ]; then
		[ "$(readlink "$f")" = "$(readlink "$rel")" ] || left+=("changed $rel")
	elif ! cmp -s "$f" "$rel"; then
		left+=("changed $rel")
	fi
done < <(find "$tmp/upper" -mindepth 1 -print0)
if [ ${#left[@]} -gt 0 ]; then
	printf '  %s\n' "${left[@]}"
	emu_die "dpkg --purge left the above behind"
fi
say "purged: nothing left behind"
