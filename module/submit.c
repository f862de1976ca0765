// SPDX-License-Identifier: GPL-2.0
/*
 * ENTER: SQ consumption, IOSQE_IO_LINK chains and IOSQE_IO_DRAIN.
 *
 * ENTER consumes SQEs and returns how many it consumed; the requests run
 * on (req.c), in ENTER or after it. A link chain is prepared whole before
 * its first member is issued, as io_uring does: a member that fails
 * preparation fails the whole chain unrun.
 */
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "emu_uring.h"
#include "compat.h"
#include "opdef.h"
#include "trace.h"
#include "req.h"

#define EMU_ENTER_FLAGS_SUPPORTED	(IORING_ENTER_GETEVENTS | \
					 IORING_ENTER_EXT_ARG | \
					 IORING_ENTER_ABS_TIMER)
#define EMU_LINK_FLAGS			(IOSQE_IO_LINK | IOSQE_IO_HARDLINK)

/* The chain being assembled. */
struct emu_link {
	struct emu_req *head;
	struct emu_req *last;
};

/*
 * IOSQE_IO_DRAIN, or a drained request still waiting: @head waits until
 * every request submitted before it completed if it is drained itself, and
 * behind every request already held back in any case. Returns true if it
 * was held back (or failed).
 */
static bool emu_drain_req(struct emu_ring_ctx *ctx, struct emu_req *head)
{
	bool drain = head->flags & IOSQE_IO_DRAIN;
	int ret;

	/* Count the completions of this ENTER first. */
	emu_compl_flush(ctx);
	spin_lock_irq(&ctx->completion_lock);
	if (list_empty(&ctx->defer_list) &&
	    (!drain || ctx->nr_completed >= head->seq)) {
		spin_unlock_irq(&ctx->completion_lock);
		ctx->drain_active = false;
		return false;
	}
	spin_unlock_irq(&ctx->completion_lock);

	ret = emu_req_make_async(head);
	if (unlikely(ret)) {
		emu_req_fail_chain(head, ret);
		return true;
	}
	spin_lock_irq(&ctx->completion_lock);
	/* Completions may have caught up meanwhile: decide again. */
	if (list_empty(&ctx->defer_list) &&
	    (!drain || ctx->nr_completed >= head->seq)) {
		spin_unlock_irq(&ctx->completion_lock);
		return false;
	}
	list_add_tail(&head->list, &ctx->defer_list);
	spin_unlock_irq(&ctx->completion_lock);
	return true;
}

static void emu_queue_head(struct emu_ring_ctx *ctx, struct emu_req *head)
{
	if (unlikely(ctx->drain_active) && emu_drain_req(ctx, head))
		return;
	emu_req_queue(head);
}

static void emu_link_flush(struct emu_ring_ctx *ctx, struct emu_link *link)
{
	struct emu_req *head = link->head;

	link->head = NULL;
	/* Nothing runs: the head reports why, the rest are cancelled. */
	if (unlikely(head->state & EMU_REQ_F_FAILED))
		emu_req_fail_chain(head, head->res);
	else
		emu_queue_head(ctx, head);
}

/* Checks of an SQE against the ring's state, after its own preparation. */
static int emu_req_init(struct emu_ring_ctx *ctx, struct emu_req *req,
			struct emu_link *link, bool borrow)
{
	if (unlikely(req->flags & (IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_DRAIN))) {
		/* As io_uring: CQE skipping breaks drain's CQE counting. */
		if (req->flags & IOSQE_CQE_SKIP_SUCCESS)
			ctx->drain_disabled = true;
		if (req->flags & IOSQE_IO_DRAIN) {
			if (ctx->drain_disabled)
				return -EOPNOTSUPP;
			ctx->drain_active = true;
			/* A drained link drains its chain and what follows. */
			if (link->head) {
				link->head->flags |= IOSQE_IO_DRAIN;
				ctx->drain_next = true;
			}
		}
	}
	/*
	 * The request after a drained chain is drained by the ring, after
	 * the checks of its own flags (as io_uring's io_init_req()).
	 */
	if (unlikely(ctx->drain_next) && !link->head) {
		req->flags |= IOSQE_IO_DRAIN;
		ctx->drain_active = true;
		ctx->drain_next = false;
	}
	/*
	 * A LINK_TIMEOUT guards the member before it, which must exist and
	 * not be one itself (io_uring's __io_timeout_prep()).
	 */
	if (unlikely(emu_req_def(req)->link_timeout)) {
		if (!link->head || emu_req_def(link->last)->link_timeout)
			return -EINVAL;
		link->last->state |= EMU_REQ_F_ARM_LTIMEOUT;
	}
	/* The file is looked up now: later the fd table may not be at hand. */
	if ((!borrow && emu_req_def(req)->needs_file) ||
	    (req->state & EMU_REQ_F_NEEDS_FILE)) {
		req->file = fget(req->fd);
		/*
		 * No request may hold a ring's own file: it would keep the ring
		 * alive (io_uring tracks such requests). A POLL_ADD holds the
		 * ring's struct instead, and the ring's release ends it; so
		 * does a cancel by fd, which only compares it (it may wait in
		 * a chain). The other ops have no use for one (rings have no
		 * read_iter, write_iter or fsync).
		 */
		if (req->file && unlikely(emu_is_ring_file(req->file))) {
			struct emu_ring_ctx *ring = req->file->private_data;

			if (req->opcode == IORING_OP_POLL_ADD) {
				req->poll_add.ring = ring;
				refcount_inc(&ring->refs);
				req->state |= EMU_REQ_F_RING_TARGET;
			} else if (req->opcode == IORING_OP_ASYNC_CANCEL) {
				req->cancel.ring = ring;
				refcount_inc(&ring->refs);
				req->state |= EMU_REQ_F_RING_TARGET;
			} else {
				req->state |= EMU_REQ_F_RING_FILE;
			}
			fput(req->file);
			req->file = NULL;
		}
		/* Reads and writes of O_DIRECT files go as async kiocbs. */
		if (req->file && emu_req_def(req)->dio &&
		    unlikely(emu_rw_is_dio(req->file)))
			req->state |= EMU_REQ_F_DIO;
	}
	return 0;
}

/*
 * Issue a request without links or drains that borrows its file: complete
 * it here if it can be; else it takes a reference to its file and goes the
 * whole way (emu_req_queue() issues it again).
 */
static void emu_req_run_fast(struct emu_ring_ctx *ctx, struct emu_req *req)
{
	struct fd f = {};
	int res;

	if (emu_req_def(req)->needs_file) {
		f = fdget(req->fd);
		req->file = fd_file(f);
		if (unlikely(!req->file)) {
			emu_req_done_inline(ctx, req, -EBADF);
			return;
		}
		/* As emu_req_init(): a ring's file is no target. */
		if (unlikely(emu_is_ring_file(req->file))) {
			req->file = NULL;
			fdput(f);
			emu_req_done_inline(ctx, req, -EINVAL);
			return;
		}
		/* O_DIRECT completes later: it needs a reference now. */
		if (unlikely(emu_rw_is_dio(req->file))) {
			get_file(req->file);
			fdput(f);
			req->state |= EMU_REQ_F_DIO;
			emu_req_queue(req);
			return;
		}
	}
	res = emu_req_issue(req, EMU_ISSUE_NONBLOCK);
	if (likely(res != -EAGAIN)) {
		req->file = NULL;
		fdput(f);
		emu_req_done_inline(ctx, req, res);
		return;
	}
	/*
	 * It waits (parked, or in the worker pool if it can only block: then
	 * EMU_REQ_F_BLOCK stays): it needs a file of its own.
	 */
	if (req->file)
		get_file(req->file);
	fdput(f);
	req->state &= ~EMU_REQ_F_NOWAIT;
	if (!emu_req_pollable(req))
		req->state |= EMU_REQ_F_BLOCK;
	emu_req_queue(req);
}

/* The ops that end other requests, which max_inflight lets through. */
static bool emu_op_ends_requests(u8 opcode)
{
	return opcode == IORING_OP_ASYNC_CANCEL ||
	       opcode == IORING_OP_POLL_REMOVE ||
	       opcode == IORING_OP_TIMEOUT_REMOVE;
}

/*
 * Prepare one SQE into the chain, and queue the chain if this SQE ends it.
 * Returns false if submission must stop here: a preparation failure
 * outside a chain, without IORING_SETUP_SUBMIT_ALL.
 */
static bool emu_submit_sqe(struct emu_ring_ctx *ctx, struct emu_link *link,
			   struct emu_req *req, const struct io_uring_sqe *sqe)
{
	int ret = emu_req_prep(req, sqe);
	const struct emu_op_def *def;
	bool alone, fast;

	/* Let in past max_inflight as one that ends requests: is it one? */
	if (unlikely(ctx->inflight_exempt)) {
		ctx->inflight_exempt = false;
		if (!ret && !emu_op_ends_requests(req->opcode))
			ret = -EBUSY;
	}
	alone = !ret && !link->head && !(req->flags & EMU_LINK_FLAGS);
	def = emu_req_def(req);
	/*
	 * The common case: a read, write or NOP that nothing holds back. It
	 * borrows its file as read(2) does (fdget(): no reference unless the
	 * fd table is shared) and takes a reference only if it must wait.
	 */
	fast = alone && !ctx->drain_active && !ctx->drain_next &&
	       !(req->flags & (IOSQE_IO_DRAIN | IOSQE_ASYNC)) &&
	       !def->queues &&
	       (!def->needs_file || def->pollin || def->pollout);

	req->seq = ctx->nr_submitted++;
	if (likely(!ret))
		ret = emu_req_init(ctx, req, link, fast);
	trace_emu_uring_submit_req(ctx, req, req->user_data, req->opcode,
				   req->fd, req->flags, ret);

	if (likely(fast && !ret && !req->state)) {
		emu_req_run_fast(ctx, req);
		return true;
	}
	/* Not in a chain: issue it now. */
	if (likely(alone && !ret)) {
		emu_queue_head(ctx, req);
		return true;
	}
	if (unlikely(ret)) {
		req->res = ret;
		req->state |= EMU_REQ_F_FAILED;
		if (link->head && !(link->head->state & EMU_REQ_F_FAILED)) {
			link->head->res = -ECANCELED;
			link->head->state |= EMU_REQ_F_FAILED;
		}
	}
	if (link->head)
		link->last->link = req;
	else
		link->head = req;
	link->last = req;
	if (req->flags & EMU_LINK_FLAGS)
		return true;
	emu_link_flush(ctx, link);
	return !ret || (ctx->flags & IORING_SETUP_SUBMIT_ALL);
}

/*
 * The SQE the SQ entry at @head names, or NULL for an index out of range
 * (counted in sq_dropped, as io_uring does).
 */
static const struct io_uring_sqe *emu_get_sqe(struct emu_ring_ctx *ctx,
					      u32 head)
{
	u32 idx = head & (ctx->sq_entries - 1);

	if (!(ctx->flags & IORING_SETUP_NO_SQARRAY)) {
		idx = READ_ONCE(ctx->sq_array[idx]);
		if (unlikely(idx >= ctx->sq_entries)) {
			ctx->sq_dropped++;
			WRITE_ONCE(ctx->rings->sq_dropped, ctx->sq_dropped);
			return NULL;
		}
		idx = array_index_nospec(idx, ctx->sq_entries);
	}
	return &ctx->sqes[idx];
}

/*
 * Whether the policy's max_inflight is reached (this ENTER's completions so
 * far are posted first: they may be what it counts) for the SQE @sqe.
 * One that ends requests goes in regardless, or a ring full of parked
 * requests could not be unstuck: emu_submit_sqe() checks the opcode its
 * preparation read (userspace may have changed it since).
 */
static bool emu_inflight_full(struct emu_ring_ctx *ctx,
			      const struct io_uring_sqe *sqe)
{
	if (ctx->nr_submitted - READ_ONCE(ctx->nr_completed) < ctx->max_inflight)
		return false;
	emu_compl_flush(ctx);
	if (ctx->nr_submitted - READ_ONCE(ctx->nr_completed) < ctx->max_inflight)
		return false;
	if (!emu_op_ends_requests(READ_ONCE(sqe->opcode)))
		return true;
	ctx->inflight_exempt = true;
	return false;
}

/*
 * Consume up to @to_submit SQEs. Returns how many were consumed, or
 * -EAGAIN when not even one request could be allocated. Signals do not
 * stop it: only waits are interruptible.
 */
static int emu_submit_sqes(struct emu_ring_ctx *ctx, u32 to_submit)
{
	struct emu_link link = { };
	struct emu_rings *rings = ctx->rings;
	u32 head = ctx->sq_head;
	u32 nr, done = 0;
	int ret = 0;

	/* Pairs with userspace's release of the tail after writing SQEs. */
	nr = smp_load_acquire(&rings->sq.tail) - head;
	nr = min3(nr, to_submit, ctx->sq_entries);

	while (done < nr) {
		const struct io_uring_sqe *sqe;
		struct emu_req *req;

		/* A reschedule point every 32 SQEs: cheap enough, often enough. */
		if (!(done & 31))
			cond_resched();
		req = emu_req_alloc(ctx);
		if (unlikely(!req)) {
			if (!done)
				ret = -EAGAIN;
			break;
		}
		sqe = emu_get_sqe(ctx, head++);
		if (unlikely(!sqe)) {
			__llist_add(&req->llnode, &ctx->req_cache);
			break;
		}
		/* Between chains only: a chain is submitted whole. */
		if (unlikely(ctx->max_inflight) && !link.head &&
		    emu_inflight_full(ctx, sqe)) {
			__llist_add(&req->llnode, &ctx->req_cache);
			head--;
			ctx->inflight_stop = true;
			if (!done)
				ret = -EBUSY;
			break;
		}
		done++;
		if (!emu_submit_sqe(ctx, &link, req, sqe))
			break;
	}
	/* A chain cut by the end of the submission runs as it is. */
	if (link.head)
		emu_link_flush(ctx, &link);
	emu_compl_flush(ctx);
	ctx->nr_compl = 0;

	ctx->sq_head = head;
	/* SQ entries up to the head are free for userspace to reuse. */
	smp_store_release(&rings->sq.head, head);
	return done ? done : ret;
}

/* struct io_uring_getevents_arg, whose third field 6.1 calls pad. */
struct emu_getevents_arg {
	u64 sigmask;
	u32 sigmask_sz;
	u32 min_wait_usec;
	u64 ts;
};

static_assert(sizeof(struct emu_getevents_arg) ==
	      sizeof(struct io_uring_getevents_arg));

/*
 * io_uring_enter(2)'s last two arguments, for the wait: a signal mask, or
 * with IORING_ENTER_EXT_ARG a struct io_uring_getevents_arg. As io_uring,
 * what they point to is read only by a wait that has to wait.
 */
static int emu_wait_prep(u32 flags, u64 uarg, u32 argsz, struct emu_wait *w)
{
	struct emu_getevents_arg arg;

	w->ts = NULL;
	w->abs = flags & IORING_ENTER_ABS_TIMER;
	w->sig = NULL;
	w->sigsz = 0;
	if (!(flags & IORING_ENTER_EXT_ARG)) {
		w->sig = u64_to_user_ptr(uarg);
		w->sigsz = argsz;
		return 0;
	}
	if (argsz != sizeof(arg))
		return -EINVAL;
	if (copy_from_user(&arg, u64_to_user_ptr(uarg), sizeof(arg)))
		return -EFAULT;
	/* IORING_FEAT_MIN_TIMEOUT is not offered. */
	if (arg.min_wait_usec)
		return -EINVAL;
	w->sig = u64_to_user_ptr(arg.sigmask);
	w->sigsz = arg.sigmask_sz;
	w->ts = u64_to_user_ptr(arg.ts);
	return 0;
}

/**
 * emu_enter() - submit SQEs and wait for CQEs, like io_uring_enter(2)
 * @ctx: the ring
 * @to_submit: SQEs to consume at most
 * @min_complete: with IORING_ENTER_GETEVENTS, CQEs to wait for
 * @flags: IORING_ENTER_* flags
 * @arg: io_uring_enter(2)'s argp: a sigset_t, or with IORING_ENTER_EXT_ARG a
 *	struct io_uring_getevents_arg
 * @argsz: its size
 *
 * As io_uring: the wait is skipped when fewer than @to_submit SQEs were
 * consumed, and a signal can end only the wait.
 *
 * Return: the number of SQEs consumed; or, if none was, -EINVAL for unknown
 * flags or a bad @arg, -EFAULT for an @arg that cannot be read, -EBADFD
 * before SETUP, -EEXIST for a task SINGLE_ISSUER refuses, -EAGAIN without
 * memory, -EINTR on a signal during the wait, -ETIME when its timeout
 * passed, -EBADR if completions were lost since the last -EBADR, or 0.
 */
long emu_enter(struct emu_ring_ctx *ctx, u32 to_submit, u32 min_complete,
	       u32 flags, u64 arg, u32 argsz)
{
	struct task_struct *submitter;
	bool limited = false;
	struct emu_wait w;
	long ret = 0;
	int ret2;

	if (flags & ~EMU_ENTER_FLAGS_SUPPORTED)
		return -EINVAL;
	/* Pairs with the release in SETUP. */
	if (!smp_load_acquire(&ctx->ready))
		return -EBADFD;
	/* Not enabled yet; pairs with the release in ENABLE_RINGS. */
	if (unlikely(smp_load_acquire(&ctx->r_disabled)))
		return -EBADFD;
	/*
	 * As io_uring: with SINGLE_ISSUER another task may not submit, and
	 * with DEFER_TASKRUN not wait either (-EEXIST).
	 */
	submitter = READ_ONCE(ctx->submitter);
	if (unlikely(submitter) && submitter != current &&
	    (to_submit || ((ctx->flags & IORING_SETUP_DEFER_TASKRUN) &&
			   (flags & IORING_ENTER_GETEVENTS))))
		return -EEXIST;

	if (to_submit) {
		if (unlikely(READ_ONCE(ctx->backlog_len)))
			emu_cq_flush_pending(ctx);
		/*
		 * Completions that come while this task submits (O_DIRECT,
		 * parked requests woken) are its to post, below or in its
		 * wait, as io_uring's task work: no worker is woken for them.
		 */
		mutex_lock(&ctx->uring_lock);
		emu_tw_waiter_enter(ctx);
		WRITE_ONCE(ctx->submit_task, current);
		ctx->inflight_stop = false;
		ret = emu_submit_sqes(ctx, to_submit);
		limited = ctx->inflight_stop;
		WRITE_ONCE(ctx->submit_task, NULL);
		mutex_unlock(&ctx->uring_lock);
		/*
		 * Stopped by max_inflight, the wait is what makes room: it
		 * goes on (nothing consumed is then 0, not -EBUSY).
		 */
		if (limited && (flags & IORING_ENTER_GETEVENTS)) {
			if (ret == -EBUSY)
				ret = 0;
		} else if (ret != to_submit) {
			goto out;
		}
	}

	if (flags & IORING_ENTER_GETEVENTS) {
		ret2 = emu_wait_prep(flags, arg, argsz, &w);
		if (!ret2)
			ret2 = emu_cq_wait(ctx, min_complete, &w);
		if (!ret) {
			ret = ret2;
			/* Reported: the application knows of the loss now. */
			if (ret2 == -EBADR)
				WRITE_ONCE(ctx->cq_dropped, false);
		}
	}
out:
	if (to_submit) {
		if (!llist_empty(&ctx->tw_list))
			emu_tw_run(ctx);
		emu_tw_waiter_exit(ctx);
	}
	return ret;
}
