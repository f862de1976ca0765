// SPDX-License-Identifier: GPL-2.0
/*
 * Cancellation of the requests a ring holds outside ENTER: all of them when
 * the ring is released, or those of one process when it exits.
 */
#include <linux/list.h>
#include <linux/spinlock.h>

#include "emu_uring.h"
#include "opdef.h"

/**
 * emu_cancel_all() - cancel parked and deferred requests
 * @ctx: the ring
 * @tgid: cancel only the requests this process submitted, or NULL for all
 *
 * Parked requests complete with -ECANCELED from the task-work executor, and
 * the links behind them with them; requests IOSQE_IO_DRAIN held back
 * complete now. Requests being issued finish what they do.
 */
void emu_cancel_all(struct emu_ring_ctx *ctx, struct pid *tgid)
{
	struct emu_req *req, *next;
	LIST_HEAD(deferred);

	spin_lock_irq(&ctx->completion_lock);
	list_for_each_entry(req, &ctx->parked, park_node)
		if (!tgid || req->tgid == tgid)
			emu_poll_cancel(req);
	list_for_each_entry_safe(req, next, &ctx->defer_list, list)
		if (!tgid || req->tgid == tgid)
			list_move_tail(&req->list, &deferred);
	spin_unlock_irq(&ctx->completion_lock);

	list_for_each_entry_safe(req, next, &deferred, list) {
		list_del(&req->list);
		emu_req_fail_chain(req, -ECANCELED);
	}
}
