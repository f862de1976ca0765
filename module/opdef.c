// SPDX-License-Identifier: GPL-2.0
/*
 * The op table. Adding an op adds a row here and a small file; the
 * submission loop never looks at an opcode itself.
 */
#include <linux/errno.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/printk.h>

#include <linux/sched.h>

#include "emu_uring.h"
#include "opdef.h"

/* SQE flags the submission loop implements. */
#define EMU_SQE_FLAGS_SUPPORTED	(IOSQE_IO_DRAIN | IOSQE_IO_LINK | \
				 IOSQE_IO_HARDLINK | IOSQE_ASYNC | \
				 IOSQE_CQE_SKIP_SUCCESS)

const struct emu_op_def emu_op_defs[EMU_OP_TABLE_SIZE] = {
	[IORING_OP_NOP] = {
		.name	= "NOP",
		.prep	= emu_nop_prep,
		.issue	= emu_nop_issue,
	},
	[IORING_OP_READV] = {
		.name	= "READV",
		.dio	= 1,
		.prep	= emu_readv_prep,
		.issue	= emu_rw_issue,
		.prep_async = emu_rw_prep_async,
		.cleanup = emu_rw_cleanup,
		.needs_file = 1,
		.pollin	= 1,
	},
	[IORING_OP_WRITEV] = {
		.name	= "WRITEV",
		.dio	= 1,
		.hash_reg_file = 1,
		.prep	= emu_writev_prep,
		.issue	= emu_rw_issue,
		.prep_async = emu_rw_prep_async,
		.cleanup = emu_rw_cleanup,
		.needs_file = 1,
		.pollout = 1,
	},
	[IORING_OP_FSYNC] = {
		.name	= "FSYNC",
		.prep	= emu_fsync_prep,
		.issue	= emu_fsync_issue,
		.needs_file = 1,
	},
	[IORING_OP_POLL_ADD] = {
		.name	= "POLL_ADD",
		.prep	= emu_poll_add_prep,
		.issue	= emu_poll_add_issue,
		.needs_file = 1,
	},
	[IORING_OP_POLL_REMOVE] = {
		.name	= "POLL_REMOVE",
		.prep	= emu_poll_remove_prep,
		.issue	= emu_poll_remove_issue,
	},
	[IORING_OP_TIMEOUT] = {
		.name	= "TIMEOUT",
		.prep	= emu_timeout_prep,
		.issue	= emu_timeout_issue,
		.cleanup = emu_timeout_cleanup,
		.queues	= 1,
	},
	[IORING_OP_TIMEOUT_REMOVE] = {
		.name	= "TIMEOUT_REMOVE",
		.prep	= emu_timeout_remove_prep,
		.issue	= emu_timeout_remove_issue,
	},
	[IORING_OP_LINK_TIMEOUT] = {
		.name	= "LINK_TIMEOUT",
		.prep	= emu_link_timeout_prep,
		.issue	= emu_link_timeout_issue,
		.cleanup = emu_timeout_cleanup,
		.link_timeout = 1,
	},
	[IORING_OP_ASYNC_CANCEL] = {
		.name	= "ASYNC_CANCEL",
		.prep	= emu_cancel_prep,
		.issue	= emu_cancel_issue,
	},
	[IORING_OP_READ] = {
		.name	= "READ",
		.dio	= 1,
		.prep	= emu_read_prep,
		.issue	= emu_rw_issue,
		.needs_file = 1,
		.pollin	= 1,
	},
	[IORING_OP_WRITE] = {
		.name	= "WRITE",
		.dio	= 1,
		.hash_reg_file = 1,
		.prep	= emu_write_prep,
		.issue	= emu_rw_issue,
		.needs_file = 1,
		.pollout = 1,
	},
	[IORING_OP_SEND] = {
		.name	= "SEND",
		.prep	= emu_send_prep,
		.issue	= emu_send_issue,
		.prep_async = emu_send_prep_async,
		.cleanup = emu_send_cleanup,
		.needs_file = 1,
		.pollout = 1,
	},
	[IORING_OP_RECV] = {
		.name	= "RECV",
		.prep	= emu_recv_prep,
		.issue	= emu_recv_issue,
		.needs_file = 1,
		.pollin	= 1,
	},
};

/* The row of an opcode from userspace, or NULL if it has none. */
static const struct emu_op_def *emu_op_def(unsigned int opcode)
{
	const struct emu_op_def *def;

	if (opcode >= ARRAY_SIZE(emu_op_defs))
		return NULL;
	def = &emu_op_defs[array_index_nospec(opcode, ARRAY_SIZE(emu_op_defs))];
	return def->prep ? def : NULL;
}

/**
 * emu_req_prep() - check an SQE's opcode and flags and prepare its request
 * @req: the request to fill
 * @sqe: the SQE, in memory userspace can change at any time
 *
 * @req->user_data, @req->flags and @req->fd are set even when this fails;
 * a request that fails has the opcode of a NOP (nothing to clean up).
 *
 * Return: 0, or a negative errno for the request's CQE.
 */
int emu_req_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	const struct emu_op_def *def = emu_op_def(READ_ONCE(sqe->opcode));

	req->user_data = READ_ONCE(sqe->user_data);
	req->flags = READ_ONCE(sqe->flags);
	req->fd = READ_ONCE(sqe->fd);
	req->opcode = IORING_OP_NOP;
	if (!def || (req->flags & ~EMU_SQE_FLAGS_SUPPORTED))
		return -EINVAL;
	req->opcode = def - emu_op_defs;
	/*
	 * Refused by the policy the ring was set up under (policy.c), or by
	 * its IORING_REGISTER_RESTRICTIONS (register.c).
	 */
	if (unlikely(req->ctx->ops_restricted || req->ctx->restricted) &&
	    (!test_bit(req->opcode, req->ctx->allowed_ops) ||
	     (req->ctx->restricted && emu_req_restricted(req->ctx, req))))
		return -EACCES;
	/* Direct calls for the hottest ops: no retpoline on the fast path. */
	return INDIRECT_CALL_2(def->prep, emu_nop_prep, emu_readv_prep, req,
			       sqe);
}

/**
 * emu_req_issue() - run a prepared request
 * @req: a request emu_req_prep() accepted
 * @issue_flags: EMU_ISSUE_* flags
 *
 * An op interrupted by a signal completes with -EINTR: the restart codes
 * of the syscall layer never reach a CQE.
 *
 * Return: the result for the request's CQE, -EAGAIN if it would block and
 * EMU_ISSUE_NONBLOCK was given, or -ECANCELED outside its submitter's
 * address space.
 */
int emu_req_issue(struct emu_req *req, unsigned int issue_flags)
{
	int res;

	/*
	 * Outside ENTER a request runs only in its submitter's address space
	 * (a worker that could not borrow it, because the process is gone,
	 * must not touch whatever memory it has).
	 */
	if (unlikely(req->state & EMU_REQ_F_ASYNC) && current->mm != req->mm)
		return -ECANCELED;
	res = INDIRECT_CALL_2(emu_op_defs[req->opcode].issue, emu_nop_issue,
			      emu_rw_issue, req, issue_flags);

	switch (res) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	default:
		return res;
	}
}

/**
 * emu_op_last() - the highest opcode the table has a row for
 *
 * Return: the opcode, for IORING_REGISTER_PROBE's last_op.
 */
unsigned int emu_op_last(void)
{
	return ARRAY_SIZE(emu_op_defs) - 1;
}

/**
 * emu_op_supported() - whether an opcode is implemented
 * @opcode: any value
 *
 * Return: true if SQEs with this opcode are run.
 */
bool emu_op_supported(unsigned int opcode)
{
	return emu_op_def(opcode);
}

/**
 * emu_optable_init() - check the op table at module load
 *
 * Return: 0, or -EINVAL if a row has a prep without an issue or the reverse.
 */
int emu_optable_init(void)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(emu_op_defs) > 256);
	for (i = 0; i < ARRAY_SIZE(emu_op_defs); i++) {
		const struct emu_op_def *def = &emu_op_defs[i];

		if (!def->prep != !def->issue || (def->prep && !def->name)) {
			pr_err("emu_uring: op table row %u is incomplete\n", i);
			return -EINVAL;
		}
	}
	return 0;
}
