// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_register(2) as EMU_URING_IOC_REGISTER: its opcodes, arguments
 * and errnos (io_uring/register.c). The ring's own opcodes so far: PROBE,
 * the eventfd's (eventfd.c), and io_uring's restrictions, with which a ring set up with
 * IORING_SETUP_R_DISABLED is confined before it is enabled (sandboxes
 * such as QEMU's hand such a ring to a guest):
 *
 *   IORING_REGISTER_RESTRICTIONS  once, while disabled: the register
 *                                 opcodes, SQE opcodes and SQE flags
 *                                 allowed (and required) from then on
 *   IORING_REGISTER_ENABLE_RINGS  ends R_DISABLED; the restrictions then
 *                                 hold for the ring's life: a refused SQE
 *                                 gets -EACCES in its CQE, a refused
 *                                 register opcode fails with -EACCES
 *
 * Restrictions narrow what the administrator's policy (policy.c) allows;
 * they never widen it.
 */
#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "emu_uring.h"
#include "opdef.h"

#define EMU_MAX_RESTRICTIONS	(IORING_RESTRICTION_LAST + \
				 IORING_REGISTER_LAST + IORING_OP_LAST)

/**
 * emu_register_probe() - fill a struct io_uring_probe
 * @ctx: the ring, or NULL before SETUP (the policy in force now)
 * @uprobe: userspace's probe, zeroed, with room for @nr_args ops
 * @nr_args: its ops
 *
 * As IORING_REGISTER_PROBE: last_op, ops_len, and IO_URING_OP_SUPPORTED for
 * each op that is implemented and that the policy lets the ring use.
 *
 * Return: 0, -EFAULT, -EINVAL for a probe that is not zeroed, -ENOMEM.
 */
int emu_register_probe(struct emu_ring_ctx *ctx,
		       struct io_uring_probe __user *uprobe, u32 nr_args)
{
	struct io_uring_probe *p;
	unsigned int i, nr;
	size_t size;
	int ret;

	nr = min(nr_args, emu_op_last() + 1);
	size = struct_size(p, ops, nr);
	p = memdup_user(uprobe, size);
	if (IS_ERR(p))
		return PTR_ERR(p);
	/* What comes in must be zeroed. */
	ret = -EINVAL;
	if (memchr_inv(p, 0, size))
		goto out;
	p->last_op = emu_op_last();
	for (i = 0; i < nr; i++) {
		p->ops[i].op = i;
		/* What the policy refuses is not supported, as restrictions. */
		if (emu_op_supported(i) && emu_policy_op_allowed(ctx, i))
			p->ops[i].flags = IO_URING_OP_SUPPORTED;
	}
	p->ops_len = nr;
	ret = copy_to_user(uprobe, p, size) ? -EFAULT : 0;
out:
	kfree(p);
	return ret;
}

/* io_register_restrictions(): all of them or none. */
static int emu_register_restrictions(struct emu_ring_ctx *ctx,
				     void __user *arg, u32 nr_args)
{
	struct emu_restrictions *r = &ctx->restrictions;
	struct io_uring_restriction *res;
	unsigned int i;
	int ret = 0;

	if (!READ_ONCE(ctx->r_disabled))
		return -EBADFD;
	/* Once only: a second set could widen the first. */
	if (r->registered)
		return -EBUSY;
	if (!arg || nr_args > EMU_MAX_RESTRICTIONS)
		return -EINVAL;
	res = memdup_user(arg, array_size(nr_args, sizeof(*res)));
	if (IS_ERR(res))
		return PTR_ERR(res);
	for (i = 0; i < nr_args; i++) {
		switch (res[i].opcode) {
		case IORING_RESTRICTION_REGISTER_OP:
			if (res[i].register_op >= IORING_REGISTER_LAST) {
				ret = -EINVAL;
				goto out;
			}
			__set_bit(res[i].register_op, r->register_op);
			break;
		case IORING_RESTRICTION_SQE_OP:
			if (res[i].sqe_op >= IORING_OP_LAST) {
				ret = -EINVAL;
				goto out;
			}
			__set_bit(res[i].sqe_op, r->sqe_op);
			break;
		case IORING_RESTRICTION_SQE_FLAGS_ALLOWED:
			r->sqe_flags_allowed = res[i].sqe_flags;
			break;
		case IORING_RESTRICTION_SQE_FLAGS_REQUIRED:
			r->sqe_flags_required = res[i].sqe_flags;
			break;
		default:
			ret = -EINVAL;
			goto out;
		}
	}
out:
	/* As io_uring: a failed set leaves none (another may be tried). */
	if (ret)
		memset(r, 0, sizeof(*r));
	else
		r->registered = true;
	kfree(res);
	return ret;
}

/* io_register_enable_rings(). */
static int emu_register_enable_rings(struct emu_ring_ctx *ctx)
{
	if (!READ_ONCE(ctx->r_disabled))
		return -EBADFD;
	/* SINGLE_ISSUER's task is the one that enables the ring. */
	if ((ctx->flags & IORING_SETUP_SINGLE_ISSUER) && !ctx->submitter)
		WRITE_ONCE(ctx->submitter, get_task_struct(current));
	if (ctx->restrictions.registered)
		ctx->restricted = true;
	/* The submitter and the restrictions before ENTER may run. */
	smp_store_release(&ctx->r_disabled, false);
	return 0;
}

/**
 * emu_req_restricted() - whether IORING_REGISTER_RESTRICTIONS refuse an SQE
 * @ctx: the ring, restricted
 * @req: the request, its opcode and flags read
 *
 * Return: true if the SQE's opcode is not allowed, a required flag is
 * missing or a flag is neither allowed nor required.
 */
bool emu_req_restricted(const struct emu_ring_ctx *ctx,
			const struct emu_req *req)
{
	const struct emu_restrictions *r = &ctx->restrictions;

	if (!test_bit(req->opcode, r->sqe_op))
		return true;
	if ((req->flags & r->sqe_flags_required) != r->sqe_flags_required)
		return true;
	return req->flags & ~(r->sqe_flags_allowed | r->sqe_flags_required);
}

/**
 * emu_register_allowed() - whether a task may run a register opcode
 * @ctx: the ring, with its uring_lock held
 * @opcode: the IORING_REGISTER_* opcode, below IORING_REGISTER_LAST
 *
 * Return: 0; -EBADFD before SETUP; -EEXIST for another task than a
 * SINGLE_ISSUER ring's; -EACCES for an opcode its restrictions refuse.
 */
int emu_register_allowed(struct emu_ring_ctx *ctx, u32 opcode)
{
	lockdep_assert_held(&ctx->uring_lock);
	if (!ctx->ready)
		return -EBADFD;
	if (ctx->submitter && ctx->submitter != current)
		return -EEXIST;
	if (ctx->restricted &&
	    !test_bit(array_index_nospec(opcode, IORING_REGISTER_LAST),
		      ctx->restrictions.register_op))
		return -EACCES;
	return 0;
}

/**
 * emu_register() - run an io_uring_register(2) opcode on a ring
 * @ctx: the ring
 * @opcode: the IORING_REGISTER_* opcode
 * @arg: its argument, a user pointer
 * @nr_args: its count
 *
 * Return: as io_uring_register(2): 0 (or the opcode's value), -EBADFD
 * before SETUP, -EEXIST for another task on a SINGLE_ISSUER ring, -EACCES
 * for an opcode the ring's restrictions refuse, -EINVAL for an opcode
 * emu_uring does not have or bad arguments, or the opcode's own errno.
 */
long emu_register(struct emu_ring_ctx *ctx, u32 opcode, void __user *arg,
		  u32 nr_args)
{
	long ret;

	/* No ring registration (IORING_REGISTER_USE_REGISTERED_RING) yet. */
	if (opcode >= IORING_REGISTER_LAST)
		return -EINVAL;
	/* As io_uring's: not interruptible, and held only briefly. */
	mutex_lock(&ctx->uring_lock);
	ret = emu_register_allowed(ctx, opcode);
	if (ret)
		goto out;
	opcode = array_index_nospec(opcode, IORING_REGISTER_LAST);
	switch (opcode) {
	case IORING_REGISTER_PROBE:
		ret = -EINVAL;
		if (!arg || nr_args > 256)
			break;
		ret = emu_register_probe(ctx, arg, nr_args);
		break;
	case IORING_REGISTER_RESTRICTIONS:
		ret = emu_register_restrictions(ctx, arg, nr_args);
		break;
	case IORING_REGISTER_EVENTFD:
	case IORING_REGISTER_EVENTFD_ASYNC:
	case IORING_UNREGISTER_EVENTFD:
		ret = emu_eventfd_register_op(ctx, opcode, arg, nr_args);
		break;
	case IORING_REGISTER_ENABLE_RINGS:
		ret = -EINVAL;
		if (arg || nr_args)
			break;
		ret = emu_register_enable_rings(ctx);
		break;
	default:
		ret = -EINVAL;
		break;
	}
out:
	mutex_unlock(&ctx->uring_lock);
	return ret;
}
