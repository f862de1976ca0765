// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_FSYNC: fsync(2)/fdatasync(2) of a range of the target file.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/limits.h>

#include "compat.h"
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
	sync->fd = READ_ONCE(sqe->fd);
	return 0;
}

/**
 * emu_fsync_issue() - run an FSYNC
 * @req: the request
 *
 * Return: 0, -EBADF for an fd that is not open, or the file system's error.
 */
int emu_fsync_issue(struct emu_req *req)
{
	struct emu_sync *sync = &req->sync;
	loff_t end = sync->off + sync->len;
	struct fd f = fdget(sync->fd);
	int ret;

	if (!fd_file(f))
		return -EBADF;
	ret = vfs_fsync_range(fd_file(f), sync->off, end > 0 ? end : LLONG_MAX,
			      sync->flags & IORING_FSYNC_DATASYNC);
	fdput(f);
	return ret;
}
