// SPDX-License-Identifier: GPL-2.0
/*
 * O_DIRECT reads and writes: submitted as asynchronous kiocbs, as io_uring
 * does (io_uring/rw.c), so that a ring keeps as many transfers at the device
 * as it has requests. The file system or block device returns -EIOCBQUEUED
 * and later calls emu_dio_complete(), from any context (often a hard or soft
 * interrupt), which hands the request to the task-work executor to post its
 * CQE and run the rest of its chain.
 *
 * A request takes everything it needs to outlive ENTER before its kiocb is
 * submitted (emu_req_make_async()): the completion may come before the
 * submission returns.
 *
 * The first attempt carries IOCB_NOWAIT. If it would block (no request tag
 * free, a file system lock taken), it comes back -EAGAIN, either at once or
 * through the completion, and is issued again without IOCB_NOWAIT, which
 * may sleep in the issuing context.
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/ioprio.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "compat.h"
#include "emu_uring.h"
#include "opdef.h"

/**
 * emu_rw_is_dio() - whether reads and writes of @file go as async kiocbs
 * @file: the target of a read or write
 *
 * Return: true for O_DIRECT regular files and block devices with
 * read_iter and write_iter (a pipe opened with O_DIRECT is a packet pipe,
 * and is polled as any other).
 */
bool emu_rw_is_dio(const struct file *file)
{
	umode_t mode;

	if (!(file->f_flags & O_DIRECT))
		return false;
	/* ->read/->write only: no kiocb to submit (rw.c loops instead). */
	if (!file->f_op->read_iter || !file->f_op->write_iter)
		return false;
	mode = file_inode(file)->i_mode;
	return S_ISREG(mode) || S_ISBLK(mode);
}

static bool emu_dio_is_reg(const struct emu_req *req)
{
	return S_ISREG(file_inode(req->file)->i_mode);
}

/*
 * A write to a regular file holds the file system's write access (it must
 * not be frozen meanwhile) until it completes, which may be in another
 * context: lockdep is told it was released here, as io_uring does.
 */
static bool emu_dio_start_write(struct emu_req *req)
{
	struct kiocb *kiocb = &req->rw.kiocb;
	struct super_block *sb;

	if (!emu_dio_is_reg(req))
		return true;
	if (!(kiocb->ki_flags & IOCB_NOWAIT)) {
		kiocb_start_write(kiocb);
		return true;
	}
	sb = file_inode(req->file)->i_sb;
	if (!sb_start_write_trylock(sb))
		return false;
	__sb_writers_release(sb, SB_FREEZE_WRITE);
	return true;
}

static void emu_dio_end_write(struct emu_req *req)
{
	if ((req->rw.kiocb.ki_flags & IOCB_WRITE) && emu_dio_is_reg(req))
		kiocb_end_write(&req->rw.kiocb);
}

/* What a transfer that ended (here or in its completion) leaves behind. */
static s32 emu_dio_result(struct emu_req *req, ssize_t ret)
{
	struct emu_rw *rw = &req->rw;

	if (ret < 0)
		return ret;
	if (rw->dir == ITER_DEST)
		fsnotify_access(req->file);
	else
		fsnotify_modify(req->file);
	if (rw->cur_pos)
		req->file->f_pos = rw->kiocb.ki_pos;
	if (ret != rw->want)
		req->state |= EMU_REQ_F_FAILED;
	return ret;
}

/* The executor's half of a completion, in a task with the request's mm. */
static void emu_dio_done(struct emu_req *req)
{
	s32 res = req->res;

	/*
	 * A non-blocking attempt the device could not take: once more,
	 * blocking (emu_req_queue() sees EMU_REQ_F_BLOCK), unless the SQE
	 * asked for RWF_NOWAIT or the request is cancelled. A blocking one's
	 * -EAGAIN is its result.
	 */
	if (res == -EAGAIN && (req->rw.kiocb.ki_flags & IOCB_NOWAIT) &&
	    !(req->state & EMU_REQ_F_NOWAIT)) {
		req->state |= EMU_REQ_F_BLOCK;
		emu_req_queue(req);
		return;
	}
	emu_req_queue(emu_req_done(req, emu_dio_result(req, res)));
}

/* The kiocb's completion: any context, hard interrupts included. */
static void emu_dio_complete(struct kiocb *kiocb, long res)
{
	struct emu_req *req = container_of(kiocb, struct emu_req, rw.kiocb);

	/* Now, not in the executor: a freeze may be waiting for it. */
	emu_dio_end_write(req);
	req->res = res;
	/* Only a retry or the next member of its chain need its mm. */
	if (res != -EAGAIN && !data_race(req->link))
		req->state |= EMU_REQ_F_TW_ANY_MM;
	emu_tw_add(req, emu_dio_done);
}

/* Set up the kiocb for one attempt; returns 0 or a negative errno. */
static int emu_dio_init(struct emu_req *req, bool nowait, rwf_t flags)
{
	struct emu_rw *rw = &req->rw;
	struct kiocb *kiocb = &rw->kiocb;
	struct file *file = req->file;
	int ret;

	*kiocb = (struct kiocb) {
		.ki_filp = file,
		.ki_flags = iocb_flags(file),
		.ki_ioprio = rw->ioprio,
		.ki_complete = emu_dio_complete,
	};
	ret = emu_kiocb_set_rw_flags(kiocb, flags, rw->dir == ITER_DEST ?
				     READ : WRITE);
	if (unlikely(ret))
		return ret;
	if (nowait)
		kiocb->ki_flags |= IOCB_NOWAIT;
	/* As io_uring: a stream has no position; -1 is the file's. */
	rw->cur_pos = false;
	if (!(file->f_mode & FMODE_STREAM)) {
		if (rw->off == -1) {
			kiocb->ki_pos = file->f_pos;
			rw->cur_pos = true;
		} else {
			kiocb->ki_pos = rw->off;
		}
	}
	return 0;
}

/**
 * emu_dio_issue() - submit an O_DIRECT read or write
 * @req: the request, checked by emu_rw_issue()
 * @issue_flags: EMU_ISSUE_NONBLOCK for the first attempt
 * @flags: the SQE's RWF_* flags
 *
 * Return: EMU_ISSUE_QUEUED if the transfer is in flight (the request may
 * already be completed and gone); -EAGAIN if it must be issued again
 * blocking (EMU_REQ_F_BLOCK); else its result, as emu_rw_issue()'s.
 */
int emu_dio_issue(struct emu_req *req, unsigned int issue_flags, rwf_t flags)
{
	bool nowait = issue_flags & EMU_ISSUE_NONBLOCK;
	struct iovec fast_iov[UIO_FASTIOV], *iov = fast_iov;
	struct emu_rw *rw = &req->rw;
	struct kiocb *kiocb = &rw->kiocb;
	struct file *file = req->file;
	struct iov_iter iter;
	ssize_t ret;
	int err;

	if (nowait && (!(file->f_mode & FMODE_NOWAIT) ||
		       (req->state & EMU_REQ_F_BLOCK))) {
		req->state |= EMU_REQ_F_BLOCK;
		return -EAGAIN;
	}
	if (!(req->state & EMU_REQ_F_ASYNC)) {
		/* In the submitter, once: its priority, its references. */
		rw->ioprio = get_current_ioprio();
		/* The CQEs before it (its chain's among them) come first. */
		emu_compl_flush_if_submit(req->ctx);
		err = emu_req_make_async(req);
		if (unlikely(err))
			return err;
	}
	err = emu_dio_init(req, nowait, flags);
	if (unlikely(err))
		return err;
	ret = emu_rw_import(req, &iov, &iter);
	if (unlikely(ret < 0))
		return ret;
	rw->want = ret;
	err = rw_verify_area(rw->dir == ITER_DEST ? READ : WRITE, file,
			     (file->f_mode & FMODE_STREAM) ? NULL :
			     &kiocb->ki_pos, rw->want);
	if (unlikely(err)) {
		ret = err;
		goto out;
	}
	if (rw->dir == ITER_DEST) {
		ret = file->f_op->read_iter(kiocb, &iter);
	} else {
		if (!emu_dio_start_write(req)) {
			req->state |= EMU_REQ_F_BLOCK;
			ret = -EAGAIN;
			goto out;
		}
		kiocb->ki_flags |= IOCB_WRITE;
		ret = file->f_op->write_iter(kiocb, &iter);
	}
	/* In flight: the request belongs to its completion now. */
	if (ret == -EIOCBQUEUED) {
		kfree(iov);
		return EMU_ISSUE_QUEUED;
	}
	emu_dio_end_write(req);
	/*
	 * Some file systems, and raw block device writes, refuse IOCB_NOWAIT
	 * with -EOPNOTSUPP: as io_uring, either that or -EAGAIN is retried
	 * blocking, unless the SQE itself asked for RWF_NOWAIT.
	 */
	if ((ret == -EOPNOTSUPP || ret == -EAGAIN) && nowait &&
	    !(req->state & EMU_REQ_F_NOWAIT)) {
		req->state |= EMU_REQ_F_BLOCK;
		ret = -EAGAIN;
		goto out;
	}
	ret = emu_dio_result(req, ret);
out:
	kfree(iov);
	return ret;
}
