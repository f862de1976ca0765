/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * emu_uring: io_uring's submission/completion rings through a character device.
 *
 * The ring memory, struct io_uring_sqe, struct io_uring_cqe and struct
 * io_uring_params are io_uring's own (<linux/io_uring.h>): a program written
 * for io_uring only redirects its setup and enter calls to the ioctls below.
 */
#ifndef _UAPI_LINUX_EMU_URING_H
#define _UAPI_LINUX_EMU_URING_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/io_uring.h>

/**
 * DOC: emu_uring ioctl interface
 *
 * Each open() of /dev/emu_uring is one ring. The ioctls take a pointer to a
 * fixed-size structure; every field named ``__reserved`` must be zero, and
 * every flag not documented here is rejected with -EINVAL. An unknown ioctl
 * number fails with -ENOTTY.
 *
 * 1. EMU_URING_IOC_SETUP sizes and allocates the rings, like io_uring_setup(2),
 *    and fills @params. It can be done once per open file (-EBUSY after).
 * 2. mmap() of the file at IORING_OFF_SQ_RING, IORING_OFF_CQ_RING and
 *    IORING_OFF_SQES maps the rings exactly as io_uring does
 *    (IORING_FEAT_SINGLE_MMAP: the SQ and CQ ring are one region).
 * 3. EMU_URING_IOC_ENTER submits and waits, like io_uring_enter(2). Its return
 *    value is the number of SQEs consumed.
 * 4. EMU_URING_IOC_PROBE tells which opcodes are supported, like
 *    io_uring_register(2) with IORING_REGISTER_PROBE. It works before SETUP.
 */

/* Newer than some uapi headers; the values are io_uring's. */
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY		(1U << 16)
#endif
#ifndef IORING_ENTER_ABS_TIMER
#define IORING_ENTER_ABS_TIMER		(1U << 5)
#endif
#ifndef IORING_TIMEOUT_MULTISHOT
#define IORING_TIMEOUT_MULTISHOT	(1U << 6)
#endif

/**
 * struct emu_uring_setup - argument of EMU_URING_IOC_SETUP
 * @entries: number of SQ entries wanted, 1..32768; rounded up to a power of 2
 * @__reserved: must be 0
 * @params: io_uring_setup(2)'s parameter block. In: @params.flags
 *	(IORING_SETUP_CQSIZE, IORING_SETUP_CLAMP, IORING_SETUP_SUBMIT_ALL and
 *	IORING_SETUP_NO_SQARRAY are supported), @params.cq_entries (with
 *	CQSIZE), @params.resv (must be 0). Out: sq_entries, cq_entries,
 *	features, sq_off and cq_off.
 */
struct emu_uring_setup {
	__u32 entries;
	__u32 __reserved;
	struct io_uring_params params;
};

/**
 * struct emu_uring_enter - argument of EMU_URING_IOC_ENTER
 * @to_submit: consume at most this many SQEs (and at most the SQ size)
 * @min_complete: with IORING_ENTER_GETEVENTS, wait until this many CQEs are
 *	in the CQ ring (clamped to the CQ size)
 * @flags: IORING_ENTER_GETEVENTS, IORING_ENTER_EXT_ARG,
 *	IORING_ENTER_ABS_TIMER
 * @argsz: io_uring_enter(2)'s last argument: the size of what @arg points
 *	to
 * @arg: io_uring_enter(2)'s fifth argument, a user pointer used by the
 *	GETEVENTS wait: with IORING_ENTER_EXT_ARG, a struct
 *	io_uring_getevents_arg (@argsz its size) with a signal mask and a
 *	timeout; without it, a signal mask (sigset_t, @argsz bytes) or 0
 * @__reserved: must be 0
 */
struct emu_uring_enter {
	__u32 to_submit;
	__u32 min_complete;
	__u32 flags;
	__u32 argsz;
	__u64 arg;
	__u32 __reserved[2];
};

/**
 * struct emu_uring_probe - argument of EMU_URING_IOC_PROBE
 * @probe: user pointer to a zeroed struct io_uring_probe followed by
 *	@nr_ops struct io_uring_probe_op; filled as IORING_REGISTER_PROBE fills
 *	it: last_op, ops_len, and for each op its number and
 *	IO_URING_OP_SUPPORTED when emu_uring implements it
 * @nr_ops: number of entries at @probe->ops; entries past the last opcode
 *	emu_uring knows (last_op) are left untouched
 * @__reserved: must be 0
 */
struct emu_uring_probe {
	__u64 probe;
	__u32 nr_ops;
	__u32 __reserved;
};

/**
 * struct emu_uring_register - argument of EMU_URING_IOC_REGISTER
 * @opcode: io_uring_register(2)'s second argument, an IORING_REGISTER_*
 *	opcode
 * @nr_args: its fourth argument
 * @arg: its third argument, a user pointer
 * @__reserved: must be 0
 *
 * The ioctl returns what io_uring_register(2) would.
 */
struct emu_uring_register {
	__u32 opcode;
	__u32 nr_args;
	__u64 arg;
	__u64 __reserved;
};

#define EMU_URING_IOC_MAGIC	0xE7

#define EMU_URING_IOC_SETUP	_IOWR(EMU_URING_IOC_MAGIC, 0x00, struct emu_uring_setup)
#define EMU_URING_IOC_ENTER	_IOW(EMU_URING_IOC_MAGIC, 0x01, struct emu_uring_enter)
#define EMU_URING_IOC_PROBE	_IOW(EMU_URING_IOC_MAGIC, 0x02, struct emu_uring_probe)
#define EMU_URING_IOC_REGISTER	_IOW(EMU_URING_IOC_MAGIC, 0x03, struct emu_uring_register)
/*
 * A new file of the device, as open("/dev/emu_uring", O_RDWR | O_CLOEXEC)
 * gives, from a file of it opened for reading and writing: for programs
 * that hold one from before they chroot()ed or changed mount namespace.
 * The argument must be 0; the ioctl returns the new fd.
 */
#define EMU_URING_IOC_OPEN	_IO(EMU_URING_IOC_MAGIC, 0x04)

#endif /* _UAPI_LINUX_EMU_URING_H */
