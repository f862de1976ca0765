/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filling the CQ: the fast path, under ctx->completion_lock.
 */
#ifndef _EMU_URING_CQ_H
#define _EMU_URING_CQ_H

#include "emu_uring.h"
#include "opdef.h"
#include "trace.h"

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

	trace_emu_uring_complete(ctx, user_data, res, cflags);
	cqe = &ctx->cqes[ctx->cq_tail & (ctx->cq_entries - 1)];
	WRITE_ONCE(cqe->user_data, user_data);
	WRITE_ONCE(cqe->res, res);
	WRITE_ONCE(cqe->flags, cflags);
	ctx->cq_tail++;
}

/**
 * emu_cq_post_req() - post a completed request's CQE
 * @ctx: the ring, with @ctx->completion_lock held
 * @req: the request, on a list of completed requests
 *
 * The CQE goes into the CQ or, behind the completions already waiting, into
 * the backlog (emu_cq_backlog_add()). It is visible to userspace after
 * emu_cq_commit().
 */
static inline void emu_cq_post_req(struct emu_ring_ctx *ctx,
				   struct emu_req *req)
{
	if (likely(list_empty(&ctx->backlog) && emu_cq_has_room(ctx)))
		emu_cq_fill(ctx, req->user_data, req->res, req->cflags);
	else
		emu_cq_backlog_add(ctx, req);
}

#endif /* _EMU_URING_CQ_H */
