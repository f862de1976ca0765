// SPDX-License-Identifier: GPL-2.0
/*
 * The op table. Adding an op adds a row here and a small file; the
 * submission loop never looks at an opcode itself.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/printk.h>

#include "opdef.h"

/* SQE flags the submission loop implements: none yet. */
#define EMU_SQE_FLAGS_SUPPORTED	0U

static const struct emu_op_def emu_op_defs[] = {
	[IORING_OP_NOP] = {
		.name	= "NOP",
		.prep	= emu_nop_prep,
		.issue	= emu_nop_issue,
	},
	[IORING_OP_READV] = {
		.name	= "READV",
		.prep	= emu_readv_prep,
		.issue	= emu_readv_issue,
	},
};

/**
 * emu_req_prep() - check an SQE's opcode and flags and prepare its request
 * @req: the request to fill; @req->user_data must already be set
 * @sqe: the SQE, in memory userspace can change at any time
 *
 * Return: 0, or a negative errno for the request's CQE.
 */
int emu_req_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	unsigned int opcode = READ_ONCE(sqe->opcode);

	req->flags = READ_ONCE(sqe->flags);
	if (opcode >= ARRAY_SIZE(emu_op_defs))
		return -EINVAL;
	opcode = array_index_nospec(opcode, ARRAY_SIZE(emu_op_defs));
	if (!emu_op_defs[opcode].prep)
		return -EINVAL;
	if (req->flags & ~EMU_SQE_FLAGS_SUPPORTED)
		return -EINVAL;
	req->opcode = opcode;
	return emu_op_defs[opcode].prep(req, sqe);
}

/**
 * emu_req_issue() - run a prepared request
 * @req: a request emu_req_prep() accepted
 *
 * Return: the result for the request's CQE.
 */
int emu_req_issue(struct emu_req *req)
{
	return emu_op_defs[req->opcode].issue(req);
}

/**
 * emu_optable_init() - check the op table at module load
 *
 * Return: 0, or -EINVAL if a row has a prep without an issue or the reverse.
 */
int emu_optable_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(emu_op_defs); i++) {
		const struct emu_op_def *def = &emu_op_defs[i];

		if (!def->prep != !def->issue || (def->prep && !def->name)) {
			pr_err("emu_uring: op table row %u is incomplete\n", i);
			return -EINVAL;
		}
	}
	return 0;
}
