// SPDX-License-Identifier: GPL-2.0
/*
 * Cancellation of the requests a ring holds outside ENTER: all of them when
 * the ring is released, those of one process when it exits, and those an
 * IORING_OP_ASYNC_CANCEL names.
 */
#include <linux/list.h>
#include <linux/signal.h>
#include <linux/spinlock.h>

#include "emu_uring.h"
#include "opdef.h"

static bool emu_cancel_match_tgid(const struct emu_req *req, const void *arg)
{
	return !arg || req->tgid == arg;
}

/**
 * emu_cancel_all() - cancel parked, queued and deferred requests and
 *	timeouts
 * @ctx: the ring
 * @tgid: cancel only the requests this process submitted, or NULL for all
 *
 * Parked requests complete with -ECANCELED from the task-work executor, and
 * the links behind them with them; requests queued for the worker pool or
 * held back by IOSQE_IO_DRAIN complete now, timeouts too. Requests that
 * workers run are interrupted; others being issued finish what they do.
 */
void emu_cancel_all(struct emu_ring_ctx *ctx, struct pid *tgid)
{
	struct emu_req *req, *next;
	LIST_HEAD(deferred);
	LIST_HEAD(queued);

	emu_timeout_cancel(ctx, emu_cancel_match_tgid, tgid, true);
	emu_ltimeout_expire_all(ctx, tgid);

	spin_lock_irq(&ctx->completion_lock);
	/* Released: nothing is queued for the pool after this. */
	emu_wq_cancel(ctx, emu_cancel_match_tgid, tgid,
		      EMU_WQ_CANCEL_ALL | (tgid ? EMU_WQ_CANCEL_KILL :
					   EMU_WQ_CANCEL_DEAD), &queued);
	list_for_each_entry(req, &ctx->parked, park_node)
		if (!tgid || req->tgid == tgid)
			emu_poll_cancel(req);
	list_for_each_entry_safe(req, next, &ctx->defer_list, list)
		if (!tgid || req->tgid == tgid)
			list_move_tail(&req->list, &deferred);
	spin_unlock_irq(&ctx->completion_lock);

	emu_wq_cancel_done(&queued);
	list_for_each_entry_safe(req, next, &deferred, list) {
		list_del(&req->list);
		emu_req_fail_chain(req, -ECANCELED);
	}
}

#define EMU_CANCEL_FLAGS	(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | \
				 IORING_ASYNC_CANCEL_ANY | \
				 IORING_ASYNC_CANCEL_FD_FIXED | \
				 IORING_ASYNC_CANCEL_USERDATA | \
				 IORING_ASYNC_CANCEL_OP)

/**
 * emu_cancel_prep() - prepare an ASYNC_CANCEL
 * @req: the request
 * @sqe: the SQE
 *
 * ASYNC_CANCEL uses addr (the user_data to match), cancel_flags, fd (with
 * IORING_ASYNC_CANCEL_FD) and len (the opcode, with IORING_ASYNC_CANCEL_OP).
 *
 * Return: 0, or -EINVAL for unknown flags, FD or OP together with ANY, or a
 * field it does not use set.
 */
int emu_cancel_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_cancel *cancel = &req->cancel;
	u32 len;

	if (READ_ONCE(sqe->off) || READ_ONCE(sqe->splice_fd_in) ||
	    READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->personality) ||
	    READ_ONCE(sqe->addr3) || READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	cancel->user_data = READ_ONCE(sqe->addr);
	cancel->flags = READ_ONCE(sqe->cancel_flags);
	if (cancel->flags & ~EMU_CANCEL_FLAGS)
		return -EINVAL;
	if ((cancel->flags & IORING_ASYNC_CANCEL_ANY) &&
	    (cancel->flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)))
		return -EINVAL;
	/* Not a fixed file: the fd is looked up at submission. */
	if ((cancel->flags & IORING_ASYNC_CANCEL_FD) &&
	    !(cancel->flags & IORING_ASYNC_CANCEL_FD_FIXED))
		req->state |= EMU_REQ_F_NEEDS_FILE;
	len = READ_ONCE(sqe->len);
	/* As io_uring, the opcode is a byte: the rest of len is ignored. */
	if (cancel->flags & IORING_ASYNC_CANCEL_OP)
		cancel->opcode = len;
	return 0;
}

/*
 * Whether @req is on the file the cancel @creq names. Where that is a
 * ring, both hold its struct instead (a POLL_ADD of it, the cancel).
 */
static bool emu_cancel_file_match(const struct emu_req *req,
				  const struct emu_req *creq)
{
	const struct emu_ring_ctx *ring = NULL;

	if (unlikely(creq->state & EMU_REQ_F_RING_TARGET))
		ring = creq->cancel.ring;
	if (unlikely(req->state & EMU_REQ_F_RING_TARGET))
		return ring && emu_req_ring_target(req) == ring;
	return !ring && creq->file && req->file == creq->file;
}

/* io_uring's io_cancel_req_match(), for one parked request. */
static bool emu_cancel_match(const struct emu_req *req, const void *arg)
{
	const struct emu_req *creq = arg;
	const struct emu_cancel *cancel = &creq->cancel;
	bool match_user_data = cancel->flags & IORING_ASYNC_CANCEL_USERDATA;

	if (cancel->flags & IORING_ASYNC_CANCEL_ANY)
		return true;
	if (!(cancel->flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)))
		match_user_data = true;
	if ((cancel->flags & IORING_ASYNC_CANCEL_FD) &&
	    !emu_cancel_file_match(req, creq))
		return false;
	if ((cancel->flags & IORING_ASYNC_CANCEL_OP) &&
	    req->opcode != cancel->opcode)
		return false;
	return !match_user_data || req->user_data == cancel->user_data;
}

/*
 * io_uring's io_try_cancel(): the worker pool, then the parked requests,
 * then the timeouts. A request that runs in the pool may be parked
 * already: then *@running is set, and the search goes on. With @all it
 * goes everywhere and counts as io_uring's rounds do (the pool's queued
 * requests as one); else it stops at the first match.
 */
static int emu_cancel_find(struct emu_req *req, bool all, bool *running)
{
	struct emu_ring_ctx *ctx = req->ctx;
	unsigned int flags = all ? EMU_WQ_CANCEL_ALL : 0;
	struct emu_req *preq;
	LIST_HEAD(queued);
	int nr = 0, ret;

	spin_lock_irq(&ctx->completion_lock);
	ret = emu_wq_cancel(ctx, emu_cancel_match, req, flags, &queued);
	if (ret > 0) {
		if (!all) {
			spin_unlock_irq(&ctx->completion_lock);
			emu_wq_cancel_done(&queued);
			return 0;
		}
		nr++;
	} else if (ret == -EALREADY) {
		*running = true;
	}
	list_for_each_entry(preq, &ctx->parked, park_node) {
		if (!emu_cancel_match(preq, req))
			continue;
		emu_poll_cancel(preq);
		nr++;
		if (!all)
			break;
	}
	spin_unlock_irq(&ctx->completion_lock);
	emu_wq_cancel_done(&queued);
	if (nr && !all)
		return 0;
	/* Timeouts have no file. */
	if (req->cancel.flags & IORING_ASYNC_CANCEL_FD)
		return nr ?: -ENOENT;
	ret = emu_timeout_cancel(ctx, emu_cancel_match, req, all);
	if (!all)
		return ret > 0 ? 0 : ret;
	return nr + max(ret, 0) ?: -ENOENT;
}

/**
 * emu_cancel_issue() - run an ASYNC_CANCEL
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Cancels queued requests of the worker pool, parked requests (reads and
 * writes waiting on their file, POLL_ADD) and timeouts that match: they
 * complete with -ECANCELED. One that a worker runs is interrupted.
 *
 * Return: 0, -EALREADY (it runs, or its timer fires) or -ENOENT for one
 * request; with IORING_ASYNC_CANCEL_ALL or _ANY, as io_uring counts them,
 * the parked requests and timeouts cancelled, plus one if any was queued in
 * the pool and none that matches runs there; -EBADF for
 * IORING_ASYNC_CANCEL_FD with _FD_FIXED (no file is registered).
 */
int emu_cancel_issue(struct emu_req *req, unsigned int issue_flags)
{
	bool all = req->cancel.flags & (IORING_ASYNC_CANCEL_ALL |
					IORING_ASYNC_CANCEL_ANY);
	bool running = false;
	int ret;

	/* A fixed file (there are none) is what _FD_FIXED means, with _FD. */
	if ((req->cancel.flags & IORING_ASYNC_CANCEL_FD) &&
	    (req->cancel.flags & IORING_ASYNC_CANCEL_FD_FIXED))
		return -EBADF;
	ret = emu_cancel_find(req, all, &running);
	if (all)
		return max(ret, 0);
	/* Found running, though it may have finished since. */
	if (ret == -ENOENT && running)
		return -EALREADY;
	return ret;
}
