// SPDX-License-Identifier: GPL-2.0
/*
 * The completion side: posting CQEs into the ring, the backlog that keeps
 * completions when the CQ is full (IORING_FEAT_NODROP), publishing, and
 * waiting for completions.
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "cq.h"
#include "emu_uring.h"

/**
 * struct emu_ocqe - a completion waiting in the backlog
 * @list: in emu_ring_ctx.backlog
 * @cqe: the completion
 */
struct emu_ocqe {
	struct list_head list;
	struct io_uring_cqe cqe;
};

static void emu_sq_flags_update(struct emu_ring_ctx *ctx, u32 set, u32 clear)
{
	ctx->sq_flags = (ctx->sq_flags | set) & ~clear;
	WRITE_ONCE(ctx->rings->sq_flags, ctx->sq_flags);
}

/**
 * emu_cq_backlog_add() - keep a completion that finds no room in the CQ
 * @ctx: the ring, with @ctx->uring_lock held
 * @user_data: the request's user_data
 * @res: the request's result
 *
 * The slow path of emu_cqe_post(). Without memory the completion is lost:
 * counted in the overflow counter and reported by the next wait as -EBADR.
 */
void emu_cq_backlog_add(struct emu_ring_ctx *ctx, u64 user_data, s32 res)
{
	struct emu_ocqe *ocqe;

	ocqe = kmalloc(sizeof(*ocqe),
		       GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	if (!ocqe) {
		ctx->cq_overflow++;
		WRITE_ONCE(ctx->rings->cq_overflow, ctx->cq_overflow);
		WRITE_ONCE(ctx->cq_dropped, true);
		return;
	}
	ocqe->cqe.user_data = user_data;
	ocqe->cqe.res = res;
	ocqe->cqe.flags = 0;
	if (list_empty(&ctx->backlog))
		emu_sq_flags_update(ctx, IORING_SQ_CQ_OVERFLOW, 0);
	list_add_tail(&ocqe->list, &ctx->backlog);
	WRITE_ONCE(ctx->backlog_len, ctx->backlog_len + 1);
}

/**
 * emu_cq_flush_backlog() - move waiting completions into free CQ slots
 * @ctx: the ring, with @ctx->uring_lock held
 */
void emu_cq_flush_backlog(struct emu_ring_ctx *ctx)
{
	struct emu_ocqe *ocqe, *next;

	list_for_each_entry_safe(ocqe, next, &ctx->backlog, list) {
		if (!emu_cq_has_room(ctx))
			return;
		emu_cq_fill(ctx, ocqe->cqe.user_data, ocqe->cqe.res,
			    ocqe->cqe.flags);
		list_del(&ocqe->list);
		kfree(ocqe);
		WRITE_ONCE(ctx->backlog_len, ctx->backlog_len - 1);
	}
	emu_sq_flags_update(ctx, 0, IORING_SQ_CQ_OVERFLOW);
}

/**
 * emu_cq_free_backlog() - drop the backlog of a ring being freed
 * @ctx: the ring
 */
void emu_cq_free_backlog(struct emu_ring_ctx *ctx)
{
	struct emu_ocqe *ocqe, *next;

	list_for_each_entry_safe(ocqe, next, &ctx->backlog, list)
		kfree(ocqe);
	INIT_LIST_HEAD(&ctx->backlog);
	ctx->backlog_len = 0;
}

/**
 * emu_cq_commit() - publish the CQEs posted so far and wake the waiters
 * @ctx: the ring, with @ctx->uring_lock held
 *
 * The tail is stored even when unchanged: that repairs a tail userspace
 * scribbled over.
 */
void emu_cq_commit(struct emu_ring_ctx *ctx)
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

static u32 emu_cq_ready(struct emu_ring_ctx *ctx)
{
	return READ_ONCE(ctx->cq_tail_published) -
	       READ_ONCE(ctx->rings->cq.head);
}

/* Flush the backlog; *stuck says whether some of it still finds no room. */
static int emu_cq_wait_flush(struct emu_ring_ctx *ctx, bool *stuck)
{
	if (!READ_ONCE(ctx->backlog_len)) {
		*stuck = false;
		return 0;
	}
	if (mutex_lock_interruptible(&ctx->uring_lock))
		return -EINTR;
	emu_cq_flush_backlog(ctx);
	emu_cq_commit(ctx);
	*stuck = ctx->backlog_len;
	mutex_unlock(&ctx->uring_lock);
	return 0;
}

/**
 * emu_cq_wait() - wait until the CQ holds at least @min_complete CQEs
 * @ctx: the ring, set up, without @ctx->uring_lock held
 * @min_complete: CQEs to wait for; clamped to the CQ size
 *
 * Like io_uring's wait: the backlog is flushed first; if it still finds no
 * room, only the application can make some, so the wait ends.
 *
 * Return: 0; -EBADR if a completion was lost (the caller clears
 * @ctx->cq_dropped once it reported it); -EINTR on a signal.
 */
int emu_cq_wait(struct emu_ring_ctx *ctx, u32 min_complete)
{
	bool stuck;
	int ret;

	min_complete = min(min_complete, ctx->cq_entries);
	ret = emu_cq_wait_flush(ctx, &stuck);
	if (ret || emu_cq_ready(ctx) >= min_complete)
		return ret;

	for (;;) {
		if (stuck)
			return 0;
		if (READ_ONCE(ctx->cq_dropped))
			return -EBADR;
		if (emu_cq_ready(ctx) >= min_complete)
			return 0;
		if (wait_event_interruptible(ctx->cq_wait,
					     emu_cq_ready(ctx) >= min_complete ||
					     READ_ONCE(ctx->backlog_len) ||
					     READ_ONCE(ctx->cq_dropped)))
			return -EINTR;
		ret = emu_cq_wait_flush(ctx, &stuck);
		if (ret)
			return ret;
	}
}
