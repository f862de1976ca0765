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
 * Completions read the registration under RCU, from any task. Signalling
 * from inside an eventfd's own wakeup is not allowed (it could recurse):
 * a work item signals then instead.
 */
#include <linux/errno.h>
#include <linux/eventfd.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "emu_uring.h"

/**
 * struct emu_evfd - a ring's registered eventfd
 * @evctx: the eventfd, one reference
 * @async: IORING_REGISTER_EVENTFD_ASYNC: only for the worker pool's CQEs
 * @last_tail: the CQ tail at the last signal
 * @work: signals when the completion could not
 */
struct emu_evfd {
	struct eventfd_ctx *evctx;
	bool async;
	u32 last_tail;
	struct work_struct work;
};

/* As io_uring: EPOLL_URING_WAKE tells a ring polling it that a ring woke it. */
static void emu_evfd_signal(struct eventfd_ctx *evctx)
{
#ifdef EMU_HAVE_EVENTFD_SIGNAL_MASK
	eventfd_signal_mask(evctx, EPOLL_URING_WAKE);
#else
	/* Linux 6.1 does not export eventfd_signal_mask(). */
	eventfd_signal(evctx, 1);
#endif
}

static void emu_evfd_work(struct work_struct *work)
{
	emu_evfd_signal(container_of(work, struct emu_evfd, work)->evctx);
}

/**
 * __emu_eventfd_signal() - signal the ring's eventfd for new CQEs
 * @ctx: the ring, with an eventfd registered a moment ago; its
 *	completion_lock not held
 *
 * Signals once per call that finds the published CQ tail moved since the
 * last signal, as io_uring does: the count says that CQEs came, not how
 * many.
 */
void __emu_eventfd_signal(struct emu_ring_ctx *ctx)
{
	struct emu_evfd *ev;
	u32 tail;

	if (READ_ONCE(ctx->rings->cq_flags) & IORING_CQ_EVENTFD_DISABLED)
		return;
	rcu_read_lock();
	ev = rcu_dereference(ctx->evfd);
	if (!ev || (ev->async && !emu_wq_current_is_worker()))
		goto out;
	tail = READ_ONCE(ctx->cq_tail_published);
	if (tail == READ_ONCE(ev->last_tail))
		goto out;
	/* Two racing rounds may both signal: a count of 2 says as much. */
	WRITE_ONCE(ev->last_tail, tail);
	if (eventfd_signal_allowed())
		emu_evfd_signal(ev->evctx);
	else
		schedule_work(&ev->work);
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
	INIT_WORK(&ev->work, emu_evfd_work);
	/* CQEs posted before it registered do not signal it. */
	spin_lock(&ctx->completion_lock);
	ev->last_tail = ctx->cq_tail_published;
	spin_unlock(&ctx->completion_lock);
	rcu_assign_pointer(ctx->evfd, ev);
	return 0;
}

/* No completion sees it any more: let its last signal out, then free it. */
static void emu_evfd_free(struct emu_evfd *ev)
{
	synchronize_rcu();
	flush_work(&ev->work);
	eventfd_ctx_put(ev->evctx);
	kfree(ev);
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
	emu_evfd_free(ev);
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
		emu_evfd_free(ev);
	}
}
