// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_NOP: completes with res 0.
 */
#include <linux/errno.h>

#include "opdef.h"

/**
 * emu_nop_prep() - prepare a NOP
 * @req: the request
 * @sqe: the SQE
 *
 * Like io_uring, the fd is ignored (liburing sets it to -1). Every other
 * field must be zero: io_uring's NOP flags are not supported.
 *
 * Return: 0 or -EINVAL.
 */
int emu_nop_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	if (READ_ONCE(sqe->ioprio) || READ_ONCE(sqe->off) ||
	    READ_ONCE(sqe->addr) || READ_ONCE(sqe->len) ||
	    READ_ONCE(sqe->rw_flags) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->personality) || READ_ONCE(sqe->splice_fd_in) ||
	    READ_ONCE(sqe->addr3) || READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	return 0;
}

/**
 * emu_nop_issue() - complete a NOP
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Return: 0.
 */
int emu_nop_issue(struct emu_req *req, unsigned int issue_flags)
{
	return 0;
}
