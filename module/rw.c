// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_READ, READV, WRITE and WRITEV: read(2)/preadv2(2) and
 * write(2)/pwritev2(2) on the target file. Each opcode has a one-line prep;
 * all four share one issue function.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "compat.h"
#include "opdef.h"

/*
 * All four use fd, off, addr, len and rw_flags; every other field must be
 * zero.
 */
static int emu_rw_prep(struct emu_req *req, const struct io_uring_sqe *sqe,
		       u8 dir, bool vectored)
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
	rw->dir = dir;
	rw->vectored = vectored;
	return 0;
}

/**
 * emu_read_prep() - prepare a READ (one buffer)
 * @req: the request
 * @sqe: the SQE
 *
 * Return: 0 or -EINVAL for a field READ does not use.
 */
int emu_read_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	return emu_rw_prep(req, sqe, ITER_DEST, false);
}

/**
 * emu_readv_prep() - prepare a READV (an iovec array)
 * @req: the request
 * @sqe: the SQE
 *
 * Return: 0 or -EINVAL for a field READV does not use.
 */
int emu_readv_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	return emu_rw_prep(req, sqe, ITER_DEST, true);
}

/**
 * emu_write_prep() - prepare a WRITE (one buffer)
 * @req: the request
 * @sqe: the SQE
 *
 * Return: 0 or -EINVAL for a field WRITE does not use.
 */
int emu_write_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	return emu_rw_prep(req, sqe, ITER_SOURCE, false);
}

/**
 * emu_writev_prep() - prepare a WRITEV (an iovec array)
 * @req: the request
 * @sqe: the SQE
 *
 * Return: 0 or -EINVAL for a field WRITEV does not use.
 */
int emu_writev_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	return emu_rw_prep(req, sqe, ITER_SOURCE, true);
}

static ssize_t emu_rw_import(const struct emu_rw *rw, struct iovec **iov,
			     struct iov_iter *iter)
{
	void __user *buf = u64_to_user_ptr(rw->addr);
	size_t len = min_t(size_t, rw->len, MAX_RW_COUNT);

	if (rw->vectored)
		return import_iovec(rw->dir, buf, rw->len, UIO_FASTIOV, iov,
				    iter);
	*iov = NULL;
	if (!access_ok(buf, len))
		return -EFAULT;
	iov_iter_ubuf(iter, rw->dir, buf, len);
	return len;
}

static ssize_t emu_rw_do(struct file *file, struct iov_iter *iter,
			 const struct emu_rw *rw, loff_t *ppos)
{
	if (rw->dir == ITER_DEST)
		return vfs_iter_read(file, iter, ppos, rw->rw_flags);
	return emu_vfs_iter_write(file, iter, ppos, rw->rw_flags);
}

/*
 * Transfer at rw->off, or at the file position when it is -1 (which then
 * advances). Like io_uring, a stream file has no position to use, and f_pos
 * is not locked against other users of the file.
 */
static ssize_t emu_rw_at(struct file *file, struct iov_iter *iter,
			 const struct emu_rw *rw)
{
	loff_t pos = rw->off;
	ssize_t ret;

	if (file->f_mode & FMODE_STREAM)
		return emu_rw_do(file, iter, rw, NULL);
	if (pos != -1)
		return emu_rw_do(file, iter, rw, &pos);

	pos = file->f_pos;
	ret = emu_rw_do(file, iter, rw, &pos);
	if (ret > 0)
		file->f_pos = pos;
	return ret;
}

/**
 * emu_rw_issue() - run a READ, READV, WRITE or WRITEV
 * @req: the request
 *
 * A transfer shorter than asked is marked failed (it breaks a link chain),
 * as io_uring does.
 *
 * Return: bytes transferred (0 at end of file), or a negative errno: -EBADF
 * for an fd that is not open or not open in the needed direction, -EFAULT
 * for a bad buffer, the errno of preadv2(2)/pwritev2(2) otherwise.
 */
int emu_rw_issue(struct emu_req *req)
{
	struct iovec fast_iov[UIO_FASTIOV], *iov = fast_iov;
	struct emu_rw *rw = &req->rw;
	struct iov_iter iter;
	ssize_t ret;
	size_t want;
	/*
	 * The op runs inside ENTER, in the caller's context, like read(2):
	 * fdget() takes no reference unless the fd table is shared.
	 */
	struct fd f = fdget(rw->fd);

	if (!fd_file(f))
		return -EBADF;

	ret = emu_rw_import(rw, &iov, &iter);
	if (ret >= 0) {
		want = ret;
		ret = emu_rw_at(fd_file(f), &iter, rw);
		if (ret >= 0 && ret != want)
			req->failed = true;
		kfree(iov);
	}
	fdput(f);
	return ret;
}
