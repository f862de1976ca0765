// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_READV: readv(2)/preadv2(2) on the target file.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "opdef.h"

/**
 * emu_readv_prep() - prepare a READV
 * @req: the request
 * @sqe: the SQE
 *
 * READV uses fd, off, addr (the iovec array), len (the iovec count) and
 * rw_flags. Every other field must be zero.
 *
 * Return: 0 or -EINVAL.
 */
int emu_readv_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_rw *rw = &req->rw;

	if (READ_ONCE(sqe->ioprio) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->personality) || READ_ONCE(sqe->splice_fd_in) ||
	    READ_ONCE(sqe->addr3) || READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;

	rw->fd = READ_ONCE(sqe->fd);
	rw->off = READ_ONCE(sqe->off);
	rw->addr = READ_ONCE(sqe->addr);
	rw->len = READ_ONCE(sqe->len);
	rw->rw_flags = (__force rwf_t)READ_ONCE(sqe->rw_flags);
	return 0;
}

/*
 * Read at rw->off, or at the file position when it is -1. Like io_uring,
 * the position of a stream file is not used and f_pos is not locked.
 */
static ssize_t emu_rw_read_iter(struct file *file, struct iov_iter *iter,
				const struct emu_rw *rw)
{
	loff_t pos = rw->off;
	ssize_t ret;

	if (file->f_mode & FMODE_STREAM)
		return vfs_iter_read(file, iter, NULL, rw->rw_flags);
	if (pos != -1)
		return vfs_iter_read(file, iter, &pos, rw->rw_flags);

	pos = file->f_pos;
	ret = vfs_iter_read(file, iter, &pos, rw->rw_flags);
	if (ret > 0)
		file->f_pos = pos;
	return ret;
}

/**
 * emu_readv_issue() - run a READV
 * @req: the request
 *
 * Return: bytes read (0 at end of file), or a negative errno: -EBADF for an
 * fd that is not open or not open for reading, -EFAULT for a bad iovec.
 */
int emu_readv_issue(struct emu_req *req)
{
	struct iovec fast_iov[UIO_FASTIOV], *iov = fast_iov;
	struct emu_rw *rw = &req->rw;
	struct iov_iter iter;
	struct file *file;
	ssize_t ret;

	file = fget(rw->fd);
	if (!file)
		return -EBADF;

	ret = import_iovec(ITER_DEST, u64_to_user_ptr(rw->addr), rw->len,
			   ARRAY_SIZE(fast_iov), &iov, &iter);
	if (ret >= 0) {
		ret = emu_rw_read_iter(file, &iter, rw);
		kfree(iov);
	}
	fput(file);
	return ret;
}
