// SPDX-License-Identifier: GPL-2.0
/*
 * The completion side: CQEs into the ring, the backlog that keeps
 * completions when the CQ is full (IORING_FEAT_NODROP), publishing, and
 * waiting for completions. Posting happens under ctx->completion_lock, in
 * process context only: completions that come in interrupt context (a
 * transfer, a timer, a wakeup) reach it through the task-work executor, so
 * that, as io_uring's, the lock needs no interrupts disabled where it is
 * taken alone (emu_post_done()); sites that nest an interrupt-safe lock
 * in it (a wait queue's, the timers') disable them. Waiters are woken after
 * it is dropped.
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/poll.h>
#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/time64.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "cq.h"
#include "emu_uring.h"
#include "opdef.h"

static void emu_sq_flags_update(struct emu_ring_ctx *ctx, u32 set, u32 clear)
{
	ctx->sq_flags = (ctx->sq_flags | set) & ~clear;
	WRITE_ONCE(ctx->rings->sq_flags, ctx->sq_flags);
}

/**
 * emu_cq_backlog_add() - keep a completed request's CQE in the backlog
 * @ctx: the ring, with @ctx->completion_lock held
 * @req: the request, on a list of completed requests
 *
 * The slow path of emu_cq_post_req(): the request itself is moved to the
 * backlog and holds the CQE until emu_cq_flush_backlog() finds room, so
 * nothing is allocated here and nothing is lost.
 */
void emu_cq_backlog_add(struct emu_ring_ctx *ctx, struct emu_req *req)
{
	lockdep_assert_held(&ctx->completion_lock);
	trace_emu_uring_cqe_overflow(ctx, req->user_data, req->res, req->cflags,
				     false);
	if (list_empty(&ctx->backlog))
		emu_sq_flags_update(ctx, IORING_SQ_CQ_OVERFLOW, 0);
	list_move_tail(&req->list, &ctx->backlog);
	WRITE_ONCE(ctx->backlog_len, ctx->backlog_len + 1);
}

/**
 * emu_cq_post_aux() - post a CQE of a request that goes on (multishot)
 * @ctx: the ring, without @ctx->completion_lock held
 * @user_data: the request's user_data
 * @res: the CQE's res
 * @cflags: the CQE's flags (IORING_CQE_F_MORE)
 *
 * Process context (cq.c's header). A CQE that finds no room goes into the
 * backlog in a carrier
 * of its own; if none can be allocated it is lost, counted as io_uring
 * counts it (the overflow counter, -EBADR from the next wait).
 *
 * Return: false if the CQE was lost: the request must not go on.
 */
bool emu_cq_post_aux(struct emu_ring_ctx *ctx, u64 user_data, s32 res,
		     u32 cflags)
{
	struct emu_req *carrier = NULL;
	unsigned long flags;
	bool posted = true;

	spin_lock_irqsave(&ctx->completion_lock, flags);
	if (likely(list_empty(&ctx->backlog) && emu_cq_has_room(ctx))) {
		emu_cq_fill(ctx, user_data, res, cflags);
		goto commit;
	}
	spin_unlock_irqrestore(&ctx->completion_lock, flags);
	carrier = emu_req_alloc_cqe();
	spin_lock_irqsave(&ctx->completion_lock, flags);
	if (likely(list_empty(&ctx->backlog) && emu_cq_has_room(ctx))) {
		emu_cq_fill(ctx, user_data, res, cflags);
	} else if (carrier) {
		carrier->user_data = user_data;
		carrier->res = res;
		carrier->cflags = cflags;
		INIT_LIST_HEAD(&carrier->list);
		emu_cq_backlog_add(ctx, carrier);
		carrier = NULL;
	} else {
		trace_emu_uring_cqe_overflow(ctx, user_data, res, cflags, true);
		ctx->cq_overflow++;
		WRITE_ONCE(ctx->rings->cq_overflow, ctx->cq_overflow);
		WRITE_ONCE(ctx->cq_dropped, true);
		posted = false;
	}
commit:
	emu_cq_commit(ctx);
	spin_unlock_irqrestore(&ctx->completion_lock, flags);
	emu_cq_wake(ctx);
	/* Room appeared meanwhile: the carrier goes to the cache. */
	if (carrier)
		llist_add(&carrier->llnode, &ctx->req_free);
	return posted;
}

/*
 * Move waiting completions into free CQ slots, with ctx->completion_lock
 * held; at most one CQ's worth of entries moves per call.
 */
static void emu_cq_flush_backlog(struct emu_ring_ctx *ctx)
{
	struct emu_req *req, *next;

	lockdep_assert_held(&ctx->completion_lock);
	list_for_each_entry_safe(req, next, &ctx->backlog, list) {
		if (!emu_cq_has_room(ctx))
			return;
		emu_cq_fill(ctx, req->user_data, req->res, req->cflags);
		list_del(&req->list);
		llist_add(&req->llnode, &ctx->req_free);
		WRITE_ONCE(ctx->backlog_len, ctx->backlog_len - 1);
	}
	emu_sq_flags_update(ctx, 0, IORING_SQ_CQ_OVERFLOW);
}

/**
 * emu_cq_free_backlog() - drop the backlog of a ring being freed
 * @ctx: the ring, which nothing else uses any more
 */
void emu_cq_free_backlog(struct emu_ring_ctx *ctx)
{
	struct emu_req *req, *next;
	unsigned int n = 0;

	list_for_each_entry_safe(req, next, &ctx->backlog, list) {
		list_del(&req->list);
		llist_add(&req->llnode, &ctx->req_free);
		if (!(++n & 1023))
			cond_resched();
	}
	ctx->backlog_len = 0;
}

/**
 * emu_cq_commit() - publish the CQEs posted so far
 * @ctx: the ring, with @ctx->completion_lock held
 *
 * The tail is stored even when unchanged: that repairs a tail userspace
 * scribbled over. emu_cq_wake() then wakes the waiters.
 */
void emu_cq_commit(struct emu_ring_ctx *ctx)
{
	lockdep_assert_held(&ctx->completion_lock);
	if (unlikely(READ_ONCE(ctx->off_timeout_used)))
		emu_timeout_flush(ctx);
	/* The CQEs must be visible before the tail that covers them. */
	smp_store_release(&ctx->rings->cq.tail, ctx->cq_tail);
	WRITE_ONCE(ctx->cq_tail_published, ctx->cq_tail);
}

/**
 * emu_cq_wake() - wake ENTER, poll(2) and epoll waiters for CQEs, and
 *	signal the ring's eventfd
 * @ctx: the ring, without @ctx->completion_lock held
 */
void emu_cq_wake(struct emu_ring_ctx *ctx)
{
	/*
	 * The eventfd first, as io_uring's __io_cq_unlock_post(): a waiter
	 * woken for the CQE then finds the eventfd signalled too.
	 */
	emu_eventfd_signal(ctx);
	/*
	 * Pairs with the barrier in the waiters' prepare_to_wait() and in
	 * emu_uring_poll(): one for both queues.
	 */
	smp_mb();
	/* Ordered by the barrier above. */
	if (waitqueue_active(&ctx->cq_wait))
		wake_up_all(&ctx->cq_wait);
	/* Ordered by the barrier above too. */
	if (waitqueue_active(&ctx->poll_wq))
		/*
		 * As io_uring wakes them: EPOLL_URING_WAKE tells a multishot
		 * POLL_ADD of a ring that a CQE woke it (it may be its own).
		 */
		__wake_up(&ctx->poll_wq, TASK_NORMAL, 0,
			  poll_to_key(EPOLLIN | EPOLL_URING_WAKE));
}

/**
 * emu_cq_ready() - CQEs published and not yet consumed
 * @ctx: the ring
 *
 * Return: the count, as userspace would compute it.
 */
u32 emu_cq_ready(struct emu_ring_ctx *ctx)
{
	return READ_ONCE(ctx->cq_tail_published) -
	       READ_ONCE(ctx->rings->cq.head);
}

/**
 * emu_cq_flush_pending() - flush the backlog into the room made
 * @ctx: the ring, without @ctx->completion_lock held
 *
 * Return: whether some of the backlog still finds no room.
 */
bool emu_cq_flush_pending(struct emu_ring_ctx *ctx)
{
	bool stuck;

	if (!READ_ONCE(ctx->backlog_len))
		return false;
	spin_lock_irq(&ctx->completion_lock);
	emu_cq_flush_backlog(ctx);
	emu_cq_commit(ctx);
	stuck = ctx->backlog_len;
	spin_unlock_irq(&ctx->completion_lock);
	emu_cq_wake(ctx);
	return stuck;
}

/*
 * Wait with the signal mask userspace asked for, as pselect(2) does: on a
 * signal the mask stays until the handler has run, else it is restored.
 */
static int emu_cq_wait_sigmask(const struct emu_wait *w)
{
	sigset_t mask;

	if (!w->sig)
		return 0;
	if (w->sigsz != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, w->sig, sizeof(mask)))
		return -EFAULT;
	sigdelsetmask(&mask, sigmask(SIGKILL) | sigmask(SIGSTOP));
	current->saved_sigmask = current->blocked;
	set_restore_sigmask();
	return sigprocmask(SIG_SETMASK, &mask, NULL);
}

static void emu_cq_wait_sigmask_done(const struct emu_wait *w, int ret)
{
	/* Interrupted: signal delivery restores it, after the handler. */
	if (!w->sig || ret == -EINTR)
		return;
	if (test_and_clear_restore_sigmask())
		sigprocmask(SIG_SETMASK, &current->saved_sigmask, NULL);
}

/**
 * emu_cq_wait() - wait until the CQ holds at least @min_complete CQEs
 * @ctx: the ring, set up, without @ctx->uring_lock held
 * @min_complete: CQEs to wait for; clamped to the CQ size
 * @w: the timeout and signal mask to wait with
 *
 * Like io_uring's wait: the backlog is flushed first; if it still finds no
 * room, only the application can make some, so the wait ends. While it
 * waits, the task runs the ring's task work that belongs to its address
 * space (parked requests woken, links and drained requests to issue). As
 * io_uring, a wait that fails while CQEs are ready returns 0.
 *
 * Return: 0; -EBADR if a completion was lost (the caller clears
 * @ctx->cq_dropped once it reported it); -EINTR on a signal; -ERESTARTSYS
 * for task work only; -ETIME when the timeout passed; -EINVAL or -EFAULT
 * for a bad timeout or signal mask.
 */
int emu_cq_wait(struct emu_ring_ctx *ctx, u32 min_complete,
		const struct emu_wait *w)
{
	ktime_t timeout = KTIME_MAX;
	DEFINE_WAIT(wait);
	u32 nr_timeouts;
	int ret = 0;

	min_complete = min(min_complete, ctx->cq_entries);
	/* Enough there and nothing to run: the common case, no atomics. */
	if (emu_cq_ready(ctx) >= min_complete && !READ_ONCE(ctx->backlog_len) &&
	    llist_empty(&ctx->tw_list))
		return 0;
	/* As io_uring: a timeout that ends, ends the wait too. */
	nr_timeouts = READ_ONCE(ctx->cq_timeouts);
	emu_tw_waiter_enter(ctx);
	emu_tw_run(ctx);
	if (emu_cq_flush_pending(ctx) || emu_cq_ready(ctx) >= min_complete)
		goto out;
	/* The arguments' own errors are returned as they are. */
	if (w->ts) {
		struct timespec64 ts;

		if (get_timespec64(&ts, w->ts)) {
			ret = -EFAULT;
			goto out;
		}
		timeout = timespec64_to_ktime(ts);
		if (!w->abs)
			timeout = ktime_add(timeout, ktime_get());
	}
	ret = emu_cq_wait_sigmask(w);
	if (ret)
		goto out;
	for (;;) {
		if (READ_ONCE(ctx->cq_dropped)) {
			ret = -EBADR;
			break;
		}
		prepare_to_wait(&ctx->cq_wait, &wait, TASK_INTERRUPTIBLE);
		if (emu_cq_ready(ctx) < min_complete &&
		    llist_empty(&ctx->tw_list) && !READ_ONCE(ctx->backlog_len) &&
		    !READ_ONCE(ctx->cq_dropped) &&
		    READ_ONCE(ctx->cq_timeouts) == nr_timeouts) {
			/*
			 * A real signal ends the wait. Task work of the task's
			 * own io_uring (TIF_NOTIFY_SIGNAL) cannot be run from
			 * here: it runs on the way out, and the wait restarts.
			 */
			if (signal_pending(current)) {
				ret = task_sigpending(current) ? -EINTR :
								 -ERESTARTSYS;
				break;
			}
			if (timeout == KTIME_MAX) {
				schedule();
			} else if (!schedule_hrtimeout_range(&timeout, 0,
							     HRTIMER_MODE_ABS)) {
				ret = -ETIME;
				break;
			}
		}
		finish_wait(&ctx->cq_wait, &wait);
		emu_tw_run(ctx);
		if (emu_cq_flush_pending(ctx) ||
		    emu_cq_ready(ctx) >= min_complete ||
		    READ_ONCE(ctx->cq_timeouts) != nr_timeouts)
			break;
		cond_resched();
	}
	finish_wait(&ctx->cq_wait, &wait);
	emu_cq_wait_sigmask_done(w, ret);
	/* As io_uring: a wait that ends in an error with CQEs there is 0. */
	if (ret && emu_cq_ready(ctx))
		ret = 0;
out:
	emu_tw_waiter_exit(ctx);
	return ret;
}
