/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The request's hot path inside ENTER: taking one from the ring's cache,
 * and completing one that needs nothing but its CQE. Inline, so that
 * the submission loop of a NOP or a page-cache read makes no other calls.
 */
#ifndef _EMU_URING_REQ_H
#define _EMU_URING_REQ_H

#include <linux/llist.h>

#include "emu_uring.h"
#include "opdef.h"

/* Inline completions posted per lock round, at most. */
#define EMU_COMPL_BATCH		32

/* Queue a completed request at the end of @done. */
static inline void emu_done_add(struct emu_done *done, struct emu_req *req)
{
	req->done_next = NULL;
	*done->tail = req;
	done->tail = &req->done_next;
}

/**
 * emu_req_alloc() - a request for the next SQE
 * @ctx: the ring, with @ctx->uring_lock held
 *
 * Return: the request, from the ring's cache when it has one, or NULL
 * without memory.
 */
static inline struct emu_req *emu_req_alloc(struct emu_ring_ctx *ctx)
{
	struct emu_req *req;

	struct llist_node *node;

	if (unlikely(!ctx->req_cache.first) && !emu_req_refill(ctx))
		return NULL;
	node = ctx->req_cache.first;
	ctx->req_cache.first = node->next;
	req = llist_entry(node, struct emu_req, llnode);
	req->ctx = ctx;
	req->link = NULL;
	req->file = NULL;
	req->cflags = 0;
	req->state = 0;
	req->async = NULL;
	return req;
}

/**
 * emu_req_done_inline() - complete, inside ENTER, a request with no links
 * @ctx: the ring, with @ctx->uring_lock held by the submission loop
 * @req: the request
 * @res: its result
 *
 * The CQE joins the batch of this ENTER.
 */
static inline void emu_req_done_inline(struct emu_ring_ctx *ctx,
				       struct emu_req *req, s32 res)
{
	req->res = res;
	if (res < 0)
		req->state |= EMU_REQ_F_FAILED;
	emu_done_add(&ctx->compl, req);
	if (unlikely(++ctx->nr_compl >= EMU_COMPL_BATCH))
		emu_compl_flush(ctx);
}

#endif /* _EMU_URING_REQ_H */
