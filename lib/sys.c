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
	fd = open(emu_device, O_RDWR | O_CLOEXEC);
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
		   const void *sig, size_t sigsz)
{
	struct emu_uring_enter e = {
		.to_submit = to_submit,
		.min_complete = min_complete,
		.flags = flags,
	};
	bool masked = sig && !(flags & IORING_ENTER_EXT_ARG);
	unsigned long mask, old;
	int saved = errno;
	long ret;

	/*
	 * Without IORING_ENTER_EXT_ARG (which the module does not offer) the
	 * fifth argument is a signal mask for the wait, as for ppoll(2). It
	 * is applied around the ENTER ioctl (not atomically with it, which
	 * only a kernel can do) and never blocks SIGSYS, the shim's signal.
	 */
	if (masked) {
		if (sigsz != sizeof(mask)) {
			ret = -EINVAL;
			goto out;
		}
		if (emu_copy(&mask, sig, sizeof(mask), 0)) {
			ret = -EFAULT;
			goto out;
		}
		mask &= ~(1UL << (SIGSYS - 1));
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, &old,
			sizeof(mask));
	}
	ret = ioctl(fd, EMU_URING_IOC_ENTER, &e);
	ret = ret < 0 ? emu_fail(errno) : ret;
	if (masked)
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL,
			sizeof(old));
out:
	errno = saved;
	return ret;
}

long emu_sys_register(unsigned int fd, unsigned int opcode, void *arg,
		      unsigned int nr_args)
{
	struct emu_uring_probe probe = {
		.probe = (uintptr_t)arg,
		.nr_ops = nr_args,
	};
	struct stat st, dev;
	int saved = errno;
	long ret;

	if (opcode == IORING_REGISTER_PROBE) {
		ret = ioctl(fd, EMU_URING_IOC_PROBE, &probe);
		ret = ret < 0 ? emu_fail(errno) : 0;
	} else if (fstat(fd, &st)) {
		ret = -errno;
	} else if (!S_ISCHR(st.st_mode) || stat(emu_device, &dev) ||
		   st.st_rdev != dev.st_rdev) {
		ret = -EOPNOTSUPP;
	} else {
		/* What a kernel that predates the opcode answers. */
		ret = -EINVAL;
	}
	errno = saved;
	return ret;
}
