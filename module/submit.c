// SPDX-License-Identifier: GPL-2.0
/*
 * ENTER: the serialized submission loop, CQ posting and the CQ wait.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "emu_uring.h"
#include "opdef.h"

#define EMU_ENTER_FLAGS_SUPPORTED	IORING_ENTER_GETEVENTS

/*
 * Fill the next CQE slot, or count the completion as lost when the CQ is
 * full (the head is userspace's: whatever it says, the slot index is masked).
 */
static void emu_cqe_post(struct emu_ring_ctx *ctx, u64 user_data, s32 res)
{
	struct emu_rings *rings = ctx->rings;
	struct io_uring_cqe *cqe;
	u32 tail = ctx->cq_tail;

	/* Pairs with userspace's release of the head after reading CQEs. */
	if (tail - smp_load_acquire(&rings->cq.head) >= ctx->cq_entries) {
		ctx->cq_overflow++;
		WRITE_ONCE(rings->cq_overflow, ctx->cq_overflow);
		return;
	}
	cqe = &ctx->cqes[tail & (ctx->cq_entries - 1)];
	WRITE_ONCE(cqe->user_data, user_data);
	WRITE_ONCE(cqe->res, res);
	WRITE_ONCE(cqe->flags, 0);
	ctx->cq_tail = tail + 1;
}

/*
 * Publish the CQEs posted so far and wake the waiters. The tail is stored
 * even when unchanged: it repairs a tail userspace scribbled over.
 */
static void emu_cq_commit(struct emu_ring_ctx *ctx)
{
	bool posted = ctx->cq_tail != ctx->cq_tail_published;

	/* The CQEs must be visible before the tail that covers them. */
	smp_store_release(&ctx->rings->cq.tail, ctx->cq_tail);
	if (!posted)
		return;
	WRITE_ONCE(ctx->cq_tail_published, ctx->cq_tail);
	if (wq_has_sleeper(&ctx->cq_wait))
		wake_up_all(&ctx->cq_wait);
}

/*
 * Prepare and issue one SQE and post its CQE. Returns false when the SQE
 * failed its preparation: submission stops there, as io_uring's does.
 */
static bool emu_submit_one(struct emu_ring_ctx *ctx,
			   const struct io_uring_sqe *sqe)
{
	struct emu_req req;
	int ret;

	req.user_data = READ_ONCE(sqe->user_data);
	ret = emu_req_prep(&req, sqe);
	if (ret) {
		emu_cqe_post(ctx, req.user_data, ret);
		return false;
	}
	emu_cqe_post(ctx, req.user_data, emu_req_issue(&req));
	return true;
}

/*
 * Consume up to @to_submit SQEs. Returns how many were consumed, or -EINTR
 * when a signal came before the first.
 */
static int emu_submit_sqes(struct emu_ring_ctx *ctx, u32 to_submit)
{
	struct emu_rings *rings = ctx->rings;
	u32 head = ctx->sq_head;
	u32 nr, done = 0;
	int ret = 0;

	/* Pairs with userspace's release of the tail after writing SQEs. */
	nr = smp_load_acquire(&rings->sq.tail) - head;
	nr = min3(nr, to_submit, ctx->sq_entries);

	while (done < nr) {
		u32 idx;

		if (signal_pending(current)) {
			if (!done)
				ret = -EINTR;
			break;
		}
		cond_resched();

		idx = READ_ONCE(ctx->sq_array[head & (ctx->sq_entries - 1)]);
		head++;
		if (unlikely(idx >= ctx->sq_entries)) {
			/* Like io_uring: count it, drop it, stop here. */
			ctx->sq_dropped++;
			WRITE_ONCE(rings->sq_dropped, ctx->sq_dropped);
			break;
		}
		idx = array_index_nospec(idx, ctx->sq_entries);
		done++;
		if (!emu_submit_one(ctx, &ctx->sqes[idx]))
			break;
	}

	ctx->sq_head = head;
	/* SQ entries up to the head are free for userspace to reuse. */
	smp_store_release(&rings->sq.head, head);
	emu_cq_commit(ctx);
	return done ? done : ret;
}

static u32 emu_cq_ready(struct emu_ring_ctx *ctx)
{
	return READ_ONCE(ctx->cq_tail_published) -
	       READ_ONCE(ctx->rings->cq.head);
}

/**
 * emu_enter() - submit SQEs and wait for CQEs, like io_uring_enter(2)
 * @ctx: the ring
 * @to_submit: SQEs to consume at most
 * @min_complete: with IORING_ENTER_GETEVENTS, CQEs to wait for
 * @flags: IORING_ENTER_* flags
 *
 * Return: the number of SQEs consumed; or, if none was, -EINVAL for unknown
 * flags, -EBADFD before SETUP, -EINTR on a signal, or 0.
 */
long emu_enter(struct emu_ring_ctx *ctx, u32 to_submit, u32 min_complete,
	       u32 flags)
{
	long ret = 0;

	if (flags & ~EMU_ENTER_FLAGS_SUPPORTED)
		return -EINVAL;
	/* Pairs with the release in SETUP. */
	if (!smp_load_acquire(&ctx->ready))
		return -EBADFD;

	if (to_submit) {
		if (mutex_lock_interruptible(&ctx->uring_lock))
			return -EINTR;
		ret = emu_submit_sqes(ctx, to_submit);
		mutex_unlock(&ctx->uring_lock);
		if (ret < 0)
			return ret;
	}

	if (flags & IORING_ENTER_GETEVENTS) {
		min_complete = min(min_complete, ctx->cq_entries);
		if (wait_event_interruptible(ctx->cq_wait,
					     emu_cq_ready(ctx) >= min_complete) &&
		    !ret)
			ret = -EINTR;
	}
	return ret;
}
