// SPDX-License-Identifier: MIT
/*
 * io_uring_setup(2), io_uring_enter(2) and io_uring_register(2) on top of
 * the /dev/emu_uring ioctls, with the kernel's answers: -errno results,
 * -EFAULT for a bad params pointer (never a crash: user memory is copied
 * with process_vm_readv/writev, which fail cleanly), -ENOSYS when the
 * device is missing (what a kernel without io_uring says), -EPERM when
 * this user may not open it (what kernel.io_uring_disabled says),
 * -EOPNOTSUPP for a file descriptor that is not a ring.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/emu_uring.h>

#include "sys.h"

#define EMU_DEFAULT_DEVICE "/dev/emu_uring"

/* Read once, before main(): getenv() is no use in a signal handler. */
static const char *emu_device = EMU_DEFAULT_DEVICE;

/* The device held from load time (emu_sys_hold_device()), and its identity. */
static int emu_held_fd = -1;
static dev_t emu_held_dev;
static ino_t emu_held_ino;
static dev_t emu_held_rdev;

/* Out of the way of the low fds programs expect open() to give them. */
#define EMU_HELD_FD_MIN 100

/* Idempotent: also called by emu_sys_hold_device(). */
__attribute__((constructor)) static void emu_sys_init(void)
{
	const char *dev = getenv("EMU_URING_DEVICE");

	if (dev && *dev)
		emu_device = dev;
}

/* Copy between our memory and the caller's without faulting on a bad one. */
static int emu_copy(void *dst, const void *src, size_t len, int to_caller)
{
	struct iovec ours = { to_caller ? (void *)src : dst, len };
	struct iovec theirs = { to_caller ? dst : (void *)src, len };
	ssize_t n;

	if (to_caller)
		n = syscall(SYS_process_vm_writev, getpid(), &ours, 1,
			    &theirs, 1, 0);
	else
		n = syscall(SYS_process_vm_readv, getpid(), &ours, 1,
			    &theirs, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -EFAULT;
	/* Refused by a sandbox (ENOSYS, EPERM): copy plainly instead. */
	memcpy(dst, src, len);
	return 0;
}

/**
 * emu_sys_hold_device() - keep a file of the device from now on
 *
 * Ring setups then open the device through it (EMU_URING_IOC_OPEN), so that
 * a program that chroot()s or changes its mount namespace afterwards still
 * finds it. Without the device, or without room for the fd, nothing is
 * held and setups open the device by its path.
 */
void emu_sys_hold_device(void)
{
	struct stat st;
	int fd, high;

	/* The shim's constructor may run before ours. */
	emu_sys_init();
	fd = open(emu_device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	high = fcntl(fd, F_DUPFD_CLOEXEC, EMU_HELD_FD_MIN);
	close(fd);
	if (high < 0)
		return;
	if (fstat(high, &st) || !S_ISCHR(st.st_mode)) {
		close(high);
		return;
	}
	emu_held_dev = st.st_dev;
	emu_held_ino = st.st_ino;
	emu_held_rdev = st.st_rdev;
	emu_held_fd = high;
}

/*
 * A new file of the device: from the one held if it is still ours (the
 * program may have closed it or put another file at its number), else by
 * its path.
 */
static int emu_open_device(void)
{
	struct stat st;
	int fd;

	if (emu_held_fd >= 0 && !fstat(emu_held_fd, &st) &&
	    S_ISCHR(st.st_mode) && st.st_rdev == emu_held_rdev &&
	    st.st_dev == emu_held_dev && st.st_ino == emu_held_ino) {
		fd = ioctl(emu_held_fd, EMU_URING_IOC_OPEN, 0);
		if (fd >= 0)
			return fd;
	}
	return open(emu_device, O_RDWR | O_CLOEXEC);
}

static long emu_fail(long err)
{
	/* Our ioctls on a file that is not a ring: the kernel's answer. */
	return err == ENOTTY ? -EOPNOTSUPP : -err;
}

long emu_sys_setup(unsigned int entries, struct io_uring_params *p)
{
	struct emu_uring_setup s = { .entries = entries };
	int saved = errno, fd;
	long ret;

	if (emu_copy(&s.params, p, sizeof(s.params), 0)) {
		ret = -EFAULT;
		goto out;
	}
	fd = emu_open_device();
	if (fd < 0) {
		/*
		 * No module, no device: a kernel without io_uring. A device
		 * this user may not open: io_uring refused to this user, as
		 * kernel.io_uring_disabled does it.
		 */
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			ret = -ENOSYS;
		else if (errno == EACCES)
			ret = -EPERM;
		else
			ret = -errno;
		goto out;
	}
	if (ioctl(fd, EMU_URING_IOC_SETUP, &s) < 0) {
		ret = -errno;
		close(fd);
		goto out;
	}
	if (emu_copy(p, &s.params, sizeof(s.params), 1)) {
		close(fd);
		ret = -EFAULT;
		goto out;
	}
	ret = fd;
out:
	errno = saved;
	return ret;
}

long emu_sys_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags,
		   const void *arg, size_t argsz)
{
	struct emu_uring_enter e = {
		.to_submit = to_submit,
		.min_complete = min_complete,
		.flags = flags,
		.argsz = argsz,
		.arg = (uintptr_t)arg,
	};
	struct io_uring_getevents_arg ext;
	unsigned long mask;
	int saved = errno;
	long ret;

	/*
	 * The last two arguments (a signal mask, or with IORING_ENTER_EXT_ARG
	 * a struct io_uring_getevents_arg) go to the module, which applies the
	 * mask atomically with the wait, as io_uring does. An argsz that does
	 * not fit the ioctl's field is refused as io_uring refuses a bad size.
	 */
	if (argsz > UINT32_MAX) {
		ret = -EINVAL;
		goto out;
	}
	/*
	 * The wait's mask never blocks SIGSYS, the shim's signal: a handler
	 * that runs under it could not make an io_uring call. Whatever cannot
	 * be read here goes as it is, for the module to judge.
	 */
	if (arg && (flags & IORING_ENTER_GETEVENTS)) {
		if (!(flags & IORING_ENTER_EXT_ARG)) {
			if (argsz == sizeof(mask) &&
			    !emu_copy(&mask, arg, sizeof(mask), 0)) {
				mask &= ~(1UL << (SIGSYS - 1));
				e.arg = (uintptr_t)&mask;
			}
		} else if (argsz == sizeof(ext) &&
			   !emu_copy(&ext, arg, sizeof(ext), 0)) {
			if (ext.sigmask && ext.sigmask_sz == sizeof(mask) &&
			    !emu_copy(&mask, (void *)(uintptr_t)ext.sigmask,
				      sizeof(mask), 0)) {
				mask &= ~(1UL << (SIGSYS - 1));
				ext.sigmask = (uintptr_t)&mask;
			}
			e.arg = (uintptr_t)&ext;
		}
	}
	ret = ioctl(fd, EMU_URING_IOC_ENTER, &e);
	ret = ret < 0 ? emu_fail(errno) : ret;
out:
	errno = saved;
	return ret;
}

long emu_sys_register(unsigned int fd, unsigned int opcode, void *arg,
		      unsigned int nr_args)
{
	struct emu_uring_register reg = {
		.opcode = opcode,
		.nr_args = nr_args,
		.arg = (uintptr_t)arg,
	};
	struct emu_uring_probe probe = {
		.probe = (uintptr_t)arg,
		.nr_ops = nr_args,
	};
	struct stat st, dev;
	int saved = errno;
	long ret;

	/*
	 * Only a ring gets the ioctl (another file may take it for its own):
	 * io_uring_register(2) says -EOPNOTSUPP of a file that is none. The
	 * device's node may be out of reach (a chroot): then the ioctl tells.
	 */
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISCHR(st.st_mode) ||
	    (!stat(emu_device, &dev) && st.st_rdev != dev.st_rdev)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	ret = ioctl(fd, EMU_URING_IOC_REGISTER, &reg);
	if (ret >= 0)
		goto out;
	if (errno != ENOTTY) {
		ret = -errno;
	} else if (opcode == IORING_REGISTER_PROBE) {
		/* A module from before the REGISTER ioctl, or no ring. */
		ret = ioctl(fd, EMU_URING_IOC_PROBE, &probe);
		ret = ret < 0 ? emu_fail(errno) : 0;
	} else {
		/* What a kernel that predates the opcode answers. */
		ret = -EINVAL;
	}
out:
	errno = saved;
	return ret;
}
