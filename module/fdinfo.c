// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/fdinfo/<fd> of a ring: its state, like io_uring's fdinfo.
 */
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "emu_uring.h"

/**
 * emu_show_fdinfo() - print a ring's state
 * @m: the fdinfo file
 * @file: the ring's file
 *
 * Reads without the ring lock: a snapshot, racy by design, like io_uring's.
 */
void emu_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct emu_ring_ctx *ctx = file->private_data;
	u64 submitted, completed;
	struct emu_rings *rings;

	/* Pairs with the release in SETUP. */
	if (!smp_load_acquire(&ctx->ready)) {
		seq_puts(m, "SetUp:\t0\n");
		return;
	}
	rings = ctx->rings;
	seq_puts(m, "SetUp:\t1\n");
	/* As io_uring's: R_DISABLED goes once the ring is enabled. */
	seq_printf(m, "Flags:\t0x%x\n", ctx->flags &
		   (READ_ONCE(ctx->r_disabled) ? ~0U :
		    ~IORING_SETUP_R_DISABLED));
	seq_printf(m, "SqEntries:\t%u\n", ctx->sq_entries);
	seq_printf(m, "SqHead:\t%u\n", READ_ONCE(rings->sq.head));
	seq_printf(m, "SqTail:\t%u\n", READ_ONCE(rings->sq.tail));
	seq_printf(m, "CachedSqHead:\t%u\n", READ_ONCE(ctx->sq_head));
	seq_printf(m, "SqDropped:\t%u\n", READ_ONCE(ctx->sq_dropped));
	seq_printf(m, "CqEntries:\t%u\n", ctx->cq_entries);
	seq_printf(m, "CqHead:\t%u\n", READ_ONCE(rings->cq.head));
	seq_printf(m, "CqTail:\t%u\n", READ_ONCE(rings->cq.tail));
	seq_printf(m, "CachedCqTail:\t%u\n", READ_ONCE(ctx->cq_tail));
	seq_printf(m, "CqOverflow:\t%u\n", READ_ONCE(ctx->cq_overflow));
	seq_printf(m, "CqBacklog:\t%u\n", READ_ONCE(ctx->backlog_len));
	/* Completed first: it never passes submitted, read after it. */
	completed = READ_ONCE(ctx->nr_completed);
	/*
	 * The reads in that order: a request is counted submitted before
	 * it can complete (its handing on orders the two counts).
	 */
	smp_rmb();
	submitted = READ_ONCE(ctx->nr_submitted);
	seq_printf(m, "Submitted:\t%llu\n", submitted);
	seq_printf(m, "Completed:\t%llu\n", completed);
	seq_printf(m, "Inflight:\t%llu\n", submitted - completed);
	emu_policy_show_fdinfo(m, ctx);
}
