// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_FSYNC: fsync(2)/fdatasync(2) of a range of the target file.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/limits.h>

#include "opdef.h"

/**
 * emu_fsync_prep() - prepare an FSYNC
 * @req: the request
 * @sqe: the SQE
 *
 * FSYNC uses fd, off, len and fsync_flags (IORING_FSYNC_DATASYNC). Every
 * other field must be zero.
 *
 * Return: 0 or -EINVAL.
 */
int emu_fsync_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_sync *sync = &req->sync;

	if (READ_ONCE(sqe->ioprio) || READ_ONCE(sqe->addr) ||
	    READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->personality) ||
	    READ_ONCE(sqe->splice_fd_in) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;

	sync->flags = READ_ONCE(sqe->fsync_flags);
	if (sync->flags & ~IORING_FSYNC_DATASYNC)
		return -EINVAL;
	sync->off = READ_ONCE(sqe->off);
	if (sync->off < 0)
		return -EINVAL;
	sync->len = READ_ONCE(sqe->len);
	return 0;
}

/**
 * emu_fsync_issue() - run an FSYNC
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * An fsync always blocks: a non-blocking attempt is refused with -EAGAIN
 * and the request is issued again, blocking (files cannot be polled for
 * it).
 *
 * Return: 0, -EAGAIN for a non-blocking attempt, or the file system's
 * error.
 */
int emu_fsync_issue(struct emu_req *req, unsigned int issue_flags)
{
	struct emu_sync *sync = &req->sync;
	loff_t end = sync->off + sync->len;

	if (issue_flags & EMU_ISSUE_NONBLOCK)
		return -EAGAIN;
	return vfs_fsync_range(req->file, sync->off, end > 0 ? end : LLONG_MAX,
			       sync->flags & IORING_FSYNC_DATASYNC);
}
