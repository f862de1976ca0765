// SPDX-License-Identifier: GPL-2.0
/*
 * ENTER: the serialized submission loop and IOSQE_IO_LINK chains.
 *
 * Requests run synchronously, in SQ order, in the caller's context. A link
 * chain is prepared whole before its first member runs, as io_uring does:
 * a member that fails preparation fails the whole chain unrun.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "cq.h"
#include "emu_uring.h"
#include "opdef.h"

#define EMU_ENTER_FLAGS_SUPPORTED	IORING_ENTER_GETEVENTS
#define EMU_LINK_FLAGS			(IOSQE_IO_LINK | IOSQE_IO_HARDLINK)

/* The chain being assembled: ctx->reqs[0..nr). */
struct emu_chain {
	unsigned int nr;
	bool failed;
};

static void emu_req_post(struct emu_ring_ctx *ctx, struct emu_req *req,
			 bool skip)
{
	if (!skip)
		emu_cqe_post(ctx, req->user_data, req->res);
}

/*
 * Complete the members after a failed one: each with its own error if it
 * failed preparation, -ECANCELED otherwise. Like io_uring, their CQEs are
 * skipped if the failed member asked to skip its CQE on success.
 */
static void emu_cancel_rest(struct emu_ring_ctx *ctx, struct emu_req *reqs,
			    unsigned int nr, bool skip)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (!reqs[i].failed)
			reqs[i].res = -ECANCELED;
		emu_req_post(ctx, &reqs[i], skip);
	}
}

/* Run one prepared request and post its CQE (unless skipped). */
static void emu_req_run(struct emu_ring_ctx *ctx, struct emu_req *req)
{
	req->res = emu_req_issue(req);
	if (req->res < 0)
		req->failed = true;
	emu_req_post(ctx, req,
		     (req->flags & IOSQE_CQE_SKIP_SUCCESS) && !req->failed);
}

/* Run the members in order; a failure cancels the rest unless HARDLINK. */
static void emu_chain_run(struct emu_ring_ctx *ctx, struct emu_req *reqs,
			  unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct emu_req *req = &reqs[i];

		emu_req_run(ctx, req);
		if (req->failed && !(req->flags & IOSQE_IO_HARDLINK)) {
			emu_cancel_rest(ctx, req + 1, nr - i - 1,
					req->flags & IOSQE_CQE_SKIP_SUCCESS);
			return;
		}
	}
}

static void emu_chain_flush(struct emu_ring_ctx *ctx, struct emu_chain *chain)
{
	struct emu_req *head = ctx->reqs;

	if (!chain->failed) {
		emu_chain_run(ctx, head, chain->nr);
	} else {
		/* Nothing runs: the head reports why, the rest are cancelled. */
		emu_req_post(ctx, head, false);
		emu_cancel_rest(ctx, head + 1, chain->nr - 1,
				head->flags & IOSQE_CQE_SKIP_SUCCESS);
	}
	chain->nr = 0;
	chain->failed = false;
}

/*
 * Prepare one SQE into the chain, and run the chain if this SQE ends it.
 * Returns false if submission must stop here: a preparation failure
 * outside a chain, without IORING_SETUP_SUBMIT_ALL.
 */
static bool emu_submit_sqe(struct emu_ring_ctx *ctx, struct emu_chain *chain,
			   const struct io_uring_sqe *sqe)
{
	struct emu_req *req = &ctx->reqs[chain->nr];
	int ret = emu_req_prep(req, sqe);

	/* Not in a chain: run it now. */
	if (likely(!ret && !chain->nr && !(req->flags & EMU_LINK_FLAGS))) {
		emu_req_run(ctx, req);
		return true;
	}
	if (unlikely(ret)) {
		req->res = ret;
		req->failed = true;
		if (chain->nr && !ctx->reqs[0].failed) {
			ctx->reqs[0].res = -ECANCELED;
			ctx->reqs[0].failed = true;
		}
		chain->failed = true;
	}
	chain->nr++;
	if (req->flags & EMU_LINK_FLAGS)
		return true;
	emu_chain_flush(ctx, chain);
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
 * Consume up to @to_submit SQEs. Returns how many were consumed, or -EINTR
 * when a signal came before the first.
 */
static int emu_submit_sqes(struct emu_ring_ctx *ctx, u32 to_submit)
{
	struct emu_chain chain = { };
	struct emu_rings *rings = ctx->rings;
	u32 head = ctx->sq_head;
	u32 nr, done = 0;
	int ret = 0;

	/* Pairs with userspace's release of the tail after writing SQEs. */
	nr = smp_load_acquire(&rings->sq.tail) - head;
	nr = min3(nr, to_submit, ctx->sq_entries);

	while (done < nr) {
		const struct io_uring_sqe *sqe;

		/*
		 * A real signal ends the submission. Task work (a native
		 * io_uring of the same task sets TIF_NOTIFY_SIGNAL for its
		 * completions) does not: it runs when ENTER returns anyway.
		 */
		if (task_sigpending(current)) {
			if (!done)
				ret = -EINTR;
			break;
		}
		/* A reschedule point every 32 SQEs: cheap enough, often enough. */
		if (!(done & 31))
			cond_resched();

		sqe = emu_get_sqe(ctx, head++);
		if (unlikely(!sqe))
			break;
		done++;
		if (!emu_submit_sqe(ctx, &chain, sqe))
			break;
	}
	/* A chain cut by the end of the submission runs as it is. */
	if (chain.nr)
		emu_chain_flush(ctx, &chain);

	ctx->sq_head = head;
	/* SQ entries up to the head are free for userspace to reuse. */
	smp_store_release(&rings->sq.head, head);
	return done ? done : ret;
}

/**
 * emu_enter() - submit SQEs and wait for CQEs, like io_uring_enter(2)
 * @ctx: the ring
 * @to_submit: SQEs to consume at most
 * @min_complete: with IORING_ENTER_GETEVENTS, CQEs to wait for
 * @flags: IORING_ENTER_* flags
 *
 * Return: the number of SQEs consumed; or, if none was, -EINVAL for unknown
 * flags, -EBADFD before SETUP, -EINTR on a signal, -EBADR if completions
 * were lost since the last -EBADR, or 0.
 */
long emu_enter(struct emu_ring_ctx *ctx, u32 to_submit, u32 min_complete,
	       u32 flags)
{
	long ret = 0;
	int ret2;

	if (flags & ~EMU_ENTER_FLAGS_SUPPORTED)
		return -EINVAL;
	/* Pairs with the release in SETUP. */
	if (!smp_load_acquire(&ctx->ready))
		return -EBADFD;
	/*
	 * As io_uring: with SINGLE_ISSUER another task may not submit, and
	 * with DEFER_TASKRUN not wait either (-EEXIST).
	 */
	if (unlikely(ctx->submitter) && ctx->submitter != current &&
	    (to_submit || ((ctx->flags & IORING_SETUP_DEFER_TASKRUN) &&
			   (flags & IORING_ENTER_GETEVENTS))))
		return -EEXIST;

	if (to_submit) {
		if (mutex_lock_interruptible(&ctx->uring_lock))
			return -EINTR;
		if (unlikely(ctx->backlog_len))
			emu_cq_flush_backlog(ctx);
		ret = emu_submit_sqes(ctx, to_submit);
		emu_cq_commit(ctx);
		mutex_unlock(&ctx->uring_lock);
		if (ret < 0)
			return ret;
	}

	if (flags & IORING_ENTER_GETEVENTS) {
		ret2 = emu_cq_wait(ctx, min_complete);
		if (!ret) {
			ret = ret2;
			/* Reported: the application knows of the loss now. */
			if (ret2 == -EBADR)
				WRITE_ONCE(ctx->cq_dropped, false);
		}
	}
	return ret;
}
