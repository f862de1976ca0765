// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_READ, READV, WRITE and WRITEV: read(2)/preadv2(2) and
 * write(2)/pwritev2(2) on the target file. Each opcode has a one-line prep;
 * all four share one issue function.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/kernel.h>
#include <linux/poll.h>
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

	rw->off = READ_ONCE(sqe->off);
	rw->addr = READ_ONCE(sqe->addr);
	rw->len = READ_ONCE(sqe->len);
	rw->rw_flags = (__force rwf_t)READ_ONCE(sqe->rw_flags);
	rw->dir = dir;
	rw->vectored = vectored;
	/* Set when it goes to the device; none for a link issued later. */
	rw->ioprio = 0;
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

/**
 * emu_rw_import() - the iterator over a read's or write's buffers
 * @req: the request
 * @iov: set to the iovec array to kfree() after the transfer, or NULL
 * @iter: the iterator to set up
 *
 * A parked request's iovecs were kept by emu_rw_prep_async(); else they
 * are read from user memory now, into the array *@iov points to
 * (UIO_FASTIOV entries) if they fit.
 *
 * Return: the bytes the buffers hold, or import_iovec()'s error, or
 * -EFAULT.
 */
ssize_t emu_rw_import(struct emu_req *req, struct iovec **iov,
		      struct iov_iter *iter)
{
	const struct emu_rw *rw = &req->rw;
	void __user *buf = u64_to_user_ptr(rw->addr);
	size_t len = min_t(size_t, rw->len, MAX_RW_COUNT);
	struct emu_rw_async *a = req->async;

	if (rw->vectored && !a)
		return import_iovec(rw->dir, buf, rw->len, UIO_FASTIOV, iov,
				    iter);
	*iov = NULL;
	if (a) {
		/* Parked: the iovecs were kept when it parked. */
		iov_iter_init(iter, rw->dir, a->iov, a->nr_segs, a->count);
		return a->count;
	}
	if (!access_ok(buf, len))
		return -EFAULT;
	iov_iter_ubuf(iter, rw->dir, buf, len);
	return len;
}

/**
 * emu_rw_prep_async() - keep a READV's or WRITEV's iovecs before it parks
 * @req: the request, in the submitter's context
 *
 * Return: 0, -ENOMEM, or import_iovec()'s error (-EFAULT, -EINVAL).
 */
int emu_rw_prep_async(struct emu_req *req)
{
	struct emu_rw *rw = &req->rw;
	struct emu_rw_async *a;
	struct iov_iter iter;
	struct iovec *iov;
	ssize_t ret;

	if (!rw->vectored)
		return 0;
	a = kmalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	iov = a->fast_iov;
	ret = import_iovec(rw->dir, u64_to_user_ptr(rw->addr), rw->len,
			   UIO_FASTIOV, &iov, &iter);
	if (ret < 0) {
		kfree(a);
		return ret;
	}
	if (iter_is_ubuf(&iter)) {
		/* One iovec, imported as a plain buffer. */
		a->fast_iov[0].iov_base = iter.ubuf;
		a->fast_iov[0].iov_len = iter.count;
		a->iov = a->fast_iov;
		a->nr_segs = 1;
	} else {
		a->iov = iov ?: a->fast_iov;
		a->nr_segs = iter.nr_segs;
	}
	a->count = ret;
	req->async = a;
	return 0;
}

/**
 * emu_rw_cleanup() - free what emu_rw_prep_async() kept
 * @req: the completed request
 */
void emu_rw_cleanup(struct emu_req *req)
{
	struct emu_rw_async *a = req->async;

	if (a->iov != a->fast_iov)
		kfree(a->iov);
	kfree(a);
	req->async = NULL;
}

/* A file with ->read or ->write but not the iterator kind (inotify). */
static bool emu_rw_is_loop(const struct file *file, u8 dir)
{
	return !(dir == ITER_DEST ? file->f_op->read_iter :
				    file->f_op->write_iter);
}

/*
 * One ->read or ->write call per segment, as io_uring's loop_rw_iter() and
 * readv(2) make them, with the checks and notifications that
 * vfs_iter_read() and vfs_iter_write() make for the others. A short
 * segment ends the transfer.
 */
static ssize_t emu_rw_loop(struct file *file, struct iov_iter *iter,
			   const struct emu_rw *rw, loff_t *ppos, rwf_t flags)
{
	bool rd = rw->dir == ITER_DEST;
	ssize_t ret = 0;
	int err;

	/* As loop_rw_iter(): no waiting is no call. */
	if ((flags & RWF_NOWAIT) && !(file->f_flags & O_NONBLOCK))
		return -EAGAIN;
	err = rw_verify_area(rd ? READ : WRITE, file, ppos,
			     iov_iter_count(iter));
	if (err)
		return err;
	/* A frozen file system is waited for only by a write that may block. */
	if (!rd && !(flags & RWF_NOWAIT) && !(file->f_flags & O_NONBLOCK))
		file_start_write(file);
	else if (!rd && !file_start_write_trylock(file))
		return -EAGAIN;
	while (iov_iter_count(iter)) {
		size_t len;
		void __user *buf = emu_iter_seg(iter, &len);
		ssize_t nr;

		if (rd)
			nr = file->f_op->read(file, buf, len, ppos);
		else
			nr = file->f_op->write(file, buf, len, ppos);
		if (nr < 0) {
			if (!ret)
				ret = nr;
			break;
		}
		ret += nr;
		iov_iter_advance(iter, nr);
		if (nr != len)
			break;
	}
	if (!rd)
		file_end_write(file);
	if (ret > 0) {
		if (rd)
			fsnotify_access(file);
		else
			fsnotify_modify(file);
	}
	return ret;
}

static ssize_t emu_rw_do(struct file *file, struct iov_iter *iter,
			 const struct emu_rw *rw, loff_t *ppos, rwf_t flags)
{
	if (unlikely(emu_rw_is_loop(file, rw->dir)))
		return emu_rw_loop(file, iter, rw, ppos, flags);
	if (rw->dir == ITER_DEST)
		return vfs_iter_read(file, iter, ppos, flags);
	return emu_vfs_iter_write(file, iter, ppos, flags);
}

/*
 * Transfer at rw->off, or at the file position when it is -1 (which then
 * advances). Like io_uring, a stream file has no position to use, and f_pos
 * is not locked against other users of the file.
 */
static ssize_t emu_rw_at(struct file *file, struct iov_iter *iter,
			 const struct emu_rw *rw, rwf_t flags)
{
	loff_t pos = rw->off;
	ssize_t ret;

	if (file->f_mode & FMODE_STREAM)
		return emu_rw_do(file, iter, rw, NULL, flags);
	if (pos != -1)
		return emu_rw_do(file, iter, rw, &pos, flags);

	pos = file->f_pos;
	ret = emu_rw_do(file, iter, rw, &pos, flags);
	if (ret > 0)
		file->f_pos = pos;
	return ret;
}

/*
 * Whether a non-blocking attempt can be made, and with which flags, as
 * io_uring decides it: files with FMODE_NOWAIT take RWF_NOWAIT; a file that
 * can be polled and is ready now will not block either. Else the caller
 * gets -EAGAIN and the op is parked (pollable) or issued blocking.
 *
 * ->read and ->write take no IOCB_NOWAIT: unless the file is O_NONBLOCK
 * (or the SQE asked for RWF_NOWAIT, which then fails), such a request
 * waits parked until its file is ready, and then goes to the worker pool
 * (io_uring's loop_rw_iter() refuses IOCB_NOWAIT, and the request goes to
 * io-wq after one poll).
 */
static bool emu_rw_nowait_flags(struct emu_req *req, rwf_t *flags)
{
	struct poll_table_struct pt = {};
	struct file *file = req->file;
	bool loop = emu_rw_is_loop(file, req->rw.dir);
	__poll_t mask;

	if (unlikely(loop) &&
	    ((file->f_flags & O_NONBLOCK) || (*flags & RWF_NOWAIT)))
		return true;
	if (!loop && (file->f_mode & FMODE_NOWAIT)) {
		*flags |= RWF_NOWAIT;
		return true;
	}
	/* Nothing to wait on: issue it blocking, without trying first. */
	if (!file_can_poll(file)) {
		req->state |= EMU_REQ_F_BLOCK;
		return false;
	}
	/* An error or hangup is an answer too: read_iter will give it. */
	mask = EPOLLERR | EPOLLHUP;
	mask |= req->rw.dir == ITER_DEST ? EPOLLIN | EPOLLRDNORM :
					   EPOLLOUT | EPOLLWRNORM;
	pt._key = mask;
	if (!(vfs_poll(file, &pt) & mask))
		return false;
	/* Ready: a blocking call will not wait, but it must not be made here. */
	if (loop) {
		req->state |= EMU_REQ_F_BLOCK;
		return false;
	}
	return true;
}

/**
 * emu_rw_issue() - run a READ, READV, WRITE or WRITEV
 * @req: the request
 * @issue_flags: EMU_ISSUE_NONBLOCK for an attempt that must not block
 *
 * A transfer shorter than asked is marked failed (it breaks a link chain),
 * as io_uring does. -EAGAIN is final (EMU_REQ_F_NOWAIT) when the SQE asked
 * for RWF_NOWAIT, or the file is O_NONBLOCK and cannot do non-blocking
 * I/O otherwise; else it means the request must wait or block.
 *
 * Return: bytes transferred (0 at end of file), or a negative errno: -EBADF
 * for a file not open in the needed direction, -EFAULT for a bad buffer,
 * -EINVAL for RWF_HIPRI (no ring polls for completions), the errno of
 * preadv2(2)/pwritev2(2) otherwise.
 */
int emu_rw_issue(struct emu_req *req, unsigned int issue_flags)
{
	struct iovec fast_iov[UIO_FASTIOV], *iov = fast_iov;
	struct emu_rw *rw = &req->rw;
	struct file *file = req->file;
	rwf_t flags = rw->rw_flags;
	struct iov_iter iter;
	ssize_t ret;
	size_t want;

	/* What vfs_iter_read()/write() would refuse, before any waiting. */
	if (!(file->f_mode & (rw->dir == ITER_DEST ? FMODE_READ : FMODE_WRITE)))
		return -EBADF;
	if (!(rw->dir == ITER_DEST ? file->f_op->read_iter || file->f_op->read :
				     file->f_op->write_iter || file->f_op->write))
		return -EINVAL;
	/* As kiocb_set_rw_flags(): no unknown flags, RWF_NOWAIT if it can. */
	if (unlikely(flags & ~RWF_SUPPORTED))
		return -EOPNOTSUPP;
	if (unlikely((flags & RWF_NOWAIT) && !(file->f_mode & FMODE_NOWAIT)))
		return -EOPNOTSUPP;
#ifdef RWF_ATOMIC
	/* Nor can ->write do an atomic write (kiocb_set_rw_flags() says). */
	if (unlikely((flags & RWF_ATOMIC) && emu_rw_is_loop(file, rw->dir)))
		return -EOPNOTSUPP;
#endif
	/* As io_uring on a ring without IORING_SETUP_IOPOLL. */
	if (unlikely(flags & RWF_HIPRI))
		return -EINVAL;
	if (unlikely((flags & RWF_NOWAIT) ||
		     ((file->f_flags & O_NONBLOCK) &&
		      !(file->f_mode & FMODE_NOWAIT))))
		req->state |= EMU_REQ_F_NOWAIT;
	/* Decided once, with a reference held (the flags may change). */
	if (unlikely(req->state & EMU_REQ_F_DIO))
		return emu_dio_issue(req, issue_flags, flags);
	if ((issue_flags & EMU_ISSUE_NONBLOCK) &&
	    !emu_rw_nowait_flags(req, &flags))
		return -EAGAIN;

	ret = emu_rw_import(req, &iov, &iter);
	if (ret < 0)
		return ret;
	want = ret;
	ret = emu_rw_at(file, &iter, rw, flags);
	/*
	 * Some file systems refuse IOCB_NOWAIT with -EOPNOTSUPP; so do bad
	 * RWF_* flags. Either way, as io_uring: try again blocking, which
	 * gives the real answer.
	 */
	if (ret == -EOPNOTSUPP && (issue_flags & EMU_ISSUE_NONBLOCK) &&
	    !(rw->rw_flags & RWF_NOWAIT)) {
		req->state |= EMU_REQ_F_BLOCK;
		ret = -EAGAIN;
	}
	if (ret >= 0 && ret != want)
		req->state |= EMU_REQ_F_FAILED;
	kfree(iov);
	return ret;
}
