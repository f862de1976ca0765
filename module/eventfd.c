// SPDX-License-Identifier: GPL-2.0
/*
 * An eventfd signalled when CQEs are posted (io_uring/eventfd.c):
 *
 *   IORING_REGISTER_EVENTFD        one per ring (-EBUSY for a second);
 *                                  signalled when a completion round posts
 *                                  at least one CQE, unless the ring's
 *                                  cq.flags has IORING_CQ_EVENTFD_DISABLED
 *   IORING_REGISTER_EVENTFD_ASYNC  the same, but only for CQEs posted by
 *                                  the worker pool, as io_uring signals only
 *                                  from io-wq
 *   IORING_UNREGISTER_EVENTFD      -ENXIO without one
 *
 * Completions read the registration under RCU, from any task; it is freed
 * after a grace period (emu_uring_exit() waits for the last). Signalling
 * from inside an eventfd's own wakeup is not allowed (it could recurse):
 * an RCU callback signals then instead, as in io_uring.
 */
#include <linux/errno.h>
#include <linux/eventfd.h>
#include <linux/poll.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "emu_uring.h"

/**
 * struct emu_evfd - a ring's registered eventfd
 * @evctx: the eventfd, one reference
 * @async: IORING_REGISTER_EVENTFD_ASYNC: only for the worker pool's CQEs
 * @last_tail: the CQ tail the last signal (or decision not to) was for
 * @refs: one for the registration, one for a signal deferred to @rcu
 * @deferred: a signal waits in @rcu
 * @rcu: for the deferred signal, then for the free
 */
struct emu_evfd {
	struct eventfd_ctx *evctx;
	bool async;
	u32 last_tail;
	refcount_t refs;
	atomic_t deferred;
	struct rcu_head rcu;
};

#if !defined(EMU_HAVE_EVENTFD_SIGNAL_MASK) && !defined(CONFIG_PREEMPT_RT)
/*
 * Linux 6.1 does not export eventfd_signal_mask(): the wakeup cannot say
 * EPOLL_URING_WAKE, which keeps a ring's multishot POLL_ADD on the
 * eventfd it signals (its own, or a ring's that polls it back) from
 * feeding itself. The flag says it instead, to emu_poll_wake(), which the
 * wakeup calls on this CPU with interrupts off.
 */
DEFINE_PER_CPU(bool, emu_evfd_waking);

static void emu_evfd_signal(struct eventfd_ctx *evctx)
{
	unsigned long flags;

	local_irq_save(flags);
	this_cpu_write(emu_evfd_waking, true);
	eventfd_signal(evctx, 1);
	this_cpu_write(emu_evfd_waking, false);
	local_irq_restore(flags);
}
#elif defined(EMU_HAVE_EVENTFD_SIGNAL_MASK)
static void emu_evfd_signal(struct eventfd_ctx *evctx)
{
	eventfd_signal_mask(evctx, EPOLL_URING_WAKE);
}
#else
static void emu_evfd_signal(struct eventfd_ctx *evctx)
{
	eventfd_signal(evctx, 1);
}
#endif

static void emu_evfd_free_rcu(struct rcu_head *rcu)
{
	struct emu_evfd *ev = container_of(rcu, struct emu_evfd, rcu);

	eventfd_ctx_put(ev->evctx);
	kfree(ev);
}

/* Readers under RCU may still see it: freed after a grace period. */
static void emu_evfd_put(struct emu_evfd *ev)
{
	if (refcount_dec_and_test(&ev->refs))
		call_rcu(&ev->rcu, emu_evfd_free_rcu);
}

static void emu_evfd_deferred_rcu(struct rcu_head *rcu)
{
	struct emu_evfd *ev = container_of(rcu, struct emu_evfd, rcu);

	/* @rcu is free again: a later signal may defer once more. */
	atomic_set(&ev->deferred, 0);
	emu_evfd_signal(ev->evctx);
	emu_evfd_put(ev);
}

/*
 * Whether the published CQ tail moved since the last decision, which this
 * one then is: the tail only advances, so an older round's wakeup that
 * comes last changes nothing (as io_uring's evfd_last_cq_tail).
 */
static bool emu_evfd_tail_moved(struct emu_ring_ctx *ctx, struct emu_evfd *ev)
{
	u32 tail = READ_ONCE(ctx->cq_tail_published);
	u32 last = READ_ONCE(ev->last_tail);

	do {
		if ((s32)(tail - last) <= 0)
			return false;
	} while (!try_cmpxchg(&ev->last_tail, &last, tail));
	return true;
}

/**
 * __emu_eventfd_signal() - signal the ring's eventfd for new CQEs
 * @ctx: the ring, with an eventfd registered a moment ago; its
 *	completion_lock not held
 *
 * Signals once per call that finds the published CQ tail moved since the
 * last call that did, as io_uring does: the count says that CQEs came,
 * not how many; CQEs posted while IORING_CQ_EVENTFD_DISABLED was set, or
 * outside the worker pool for _ASYNC, are passed over for good.
 */
void __emu_eventfd_signal(struct emu_ring_ctx *ctx)
{
	struct emu_evfd *ev;

	rcu_read_lock();
	ev = rcu_dereference(ctx->evfd);
	if (!ev || !emu_evfd_tail_moved(ctx, ev))
		goto out;
	if (READ_ONCE(ctx->rings->cq_flags) & IORING_CQ_EVENTFD_DISABLED)
		goto out;
	if (ev->async && !emu_wq_current_is_worker())
		goto out;
	if (likely(eventfd_signal_allowed())) {
		emu_evfd_signal(ev->evctx);
	} else if (refcount_inc_not_zero(&ev->refs)) {
		/* Inside an eventfd's wakeup: signal after a grace period. */
		if (!atomic_xchg(&ev->deferred, 1))
			call_rcu(&ev->rcu, emu_evfd_deferred_rcu);
		else
			emu_evfd_put(ev);
	}
out:
	rcu_read_unlock();
}

static int emu_eventfd_register(struct emu_ring_ctx *ctx, void __user *arg,
				bool async)
{
	struct emu_evfd *ev;
	s32 fd;

	if (rcu_access_pointer(ctx->evfd))
		return -EBUSY;
	if (copy_from_user(&fd, arg, sizeof(fd)))
		return -EFAULT;
	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return -ENOMEM;
	ev->evctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ev->evctx)) {
		int ret = PTR_ERR(ev->evctx);

		kfree(ev);
		return ret;
	}
	ev->async = async;
	refcount_set(&ev->refs, 1);
	/* CQEs posted before it registered do not signal it. */
	spin_lock(&ctx->completion_lock);
	ev->last_tail = ctx->cq_tail_published;
	spin_unlock(&ctx->completion_lock);
	rcu_assign_pointer(ctx->evfd, ev);
	return 0;
}

/**
 * emu_eventfd_register_op() - IORING_(UN)REGISTER_EVENTFD(_ASYNC)
 * @ctx: the ring, with its uring_lock held
 * @opcode: one of the three
 * @arg: for a registration, a pointer to the eventfd's fd (an __s32)
 * @nr_args: 1 for a registration, 0 with no @arg for the unregistration
 *
 * Return: 0; -EINVAL for bad arguments; -EBUSY if one is registered;
 * -EFAULT; -EBADF or -EINVAL for an fd that is not an eventfd; -ENXIO to
 * unregister none; -ENOMEM.
 */
int emu_eventfd_register_op(struct emu_ring_ctx *ctx, u32 opcode,
			    void __user *arg, u32 nr_args)
{
	struct emu_evfd *ev;

	lockdep_assert_held(&ctx->uring_lock);
	if (opcode != IORING_UNREGISTER_EVENTFD) {
		if (nr_args != 1)
			return -EINVAL;
		return emu_eventfd_register(ctx, arg,
					    opcode == IORING_REGISTER_EVENTFD_ASYNC);
	}
	if (arg || nr_args)
		return -EINVAL;
	ev = rcu_replace_pointer(ctx->evfd, NULL,
				 lockdep_is_held(&ctx->uring_lock));
	if (!ev)
		return -ENXIO;
	emu_evfd_put(ev);
	return 0;
}

/**
 * emu_eventfd_ring_free() - drop a freed ring's eventfd
 * @ctx: the ring, nothing running for it any more
 */
void emu_eventfd_ring_free(struct emu_ring_ctx *ctx)
{
	struct emu_evfd *ev = rcu_dereference_protected(ctx->evfd, true);

	if (ev) {
		RCU_INIT_POINTER(ctx->evfd, NULL);
		emu_evfd_put(ev);
	}
}
