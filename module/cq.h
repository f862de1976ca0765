/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Posting a CQE: the fast path, inline in the submission loop.
 */
#ifndef _EMU_URING_CQ_H
#define _EMU_URING_CQ_H

#include <linux/list.h>

#include "emu_uring.h"

/* Whether the CQ has a free slot (the head is userspace's, masked below). */
static inline bool emu_cq_has_room(struct emu_ring_ctx *ctx)
{
	/* Pairs with userspace's release of the head after reading CQEs. */
	return ctx->cq_tail - smp_load_acquire(&ctx->rings->cq.head) <
	       ctx->cq_entries;
}

static inline void emu_cq_fill(struct emu_ring_ctx *ctx, u64 user_data,
			       s32 res, u32 cflags)
{
	struct io_uring_cqe *cqe;

	cqe = &ctx->cqes[ctx->cq_tail & (ctx->cq_entries - 1)];
	WRITE_ONCE(cqe->user_data, user_data);
	WRITE_ONCE(cqe->res, res);
	WRITE_ONCE(cqe->flags, cflags);
	ctx->cq_tail++;
}

/**
 * emu_cqe_post() - complete a request
 * @ctx: the ring, with @ctx->uring_lock held
 * @user_data: the request's user_data
 * @res: the request's result
 *
 * The CQE goes into the CQ, or behind the completions already waiting in
 * the backlog so that the order is kept. It is visible to userspace after
 * the next emu_cq_commit().
 */
static inline void emu_cqe_post(struct emu_ring_ctx *ctx, u64 user_data,
				s32 res)
{
	if (likely(list_empty(&ctx->backlog) && emu_cq_has_room(ctx)))
		emu_cq_fill(ctx, user_data, res, 0);
	else
		emu_cq_backlog_add(ctx, user_data, res);
}

#endif /* _EMU_URING_CQ_H */
