// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_TIMEOUT and IORING_OP_TIMEOUT_REMOVE, with io_uring's semantics
 * (io_uring/timeout.c, Linux 6.12).
 *
 * A timeout is an hrtimer that completes its request with -ETIME. With a
 * count (sqe->off) it completes earlier, with 0, once that many CQEs were
 * posted after it was issued, its own kind's CQEs not counted: the count
 * is the CQ tail less ctx->cq_timeouts, the timeouts that ended. Counting
 * timeouts are kept on ctx->timeout_list in the order of their targets,
 * ahead of the plain ones (and the multishot ones, which never count), so
 * that emu_timeout_flush() looks at the first ones only.
 *
 * ctx->timeout_lock guards the list and the counters; the timer callback
 * takes it from hard interrupt context (soft, on PREEMPT_RT). A timeout
 * leaves the list exactly once, by whoever stops its timer: the callback
 * itself, or hrtimer_try_to_cancel() succeeding (removal, cancellation,
 * its count reached). It is then completed through the task-work executor.
 * A timer whose callback runs already cannot be stopped: -EALREADY.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/uaccess.h>

#include "emu_uring.h"
#include "opdef.h"

/**
 * struct emu_timeout_data - a timeout's timer, allocated at preparation
 * @timer: the timer
 * @ts: its time: a duration, or with IORING_TIMEOUT_ABS a time on its clock
 * @mode: HRTIMER_MODE_REL or HRTIMER_MODE_ABS
 * @req: the request
 * @flags: the SQE's IORING_TIMEOUT_* flags
 */
struct emu_timeout_data {
	struct hrtimer timer;
	struct timespec64 ts;
	enum hrtimer_mode mode;
	struct emu_req *req;
	u32 flags;
};

#define EMU_TIMEOUT_FLAGS	(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK | \
				 IORING_TIMEOUT_ETIME_SUCCESS | \
				 IORING_TIMEOUT_MULTISHOT)

static enum hrtimer_restart emu_timeout_fn(struct hrtimer *timer);

static struct emu_timeout_data *emu_timeout_data(const struct emu_req *req)
{
	return req->async;
}

/* Neither counts completions: a plain timer, or a multishot one. */
static bool emu_timeout_noseq(const struct emu_req *req)
{
	return !req->timeout.off ||
	       (emu_timeout_data(req)->flags & IORING_TIMEOUT_MULTISHOT);
}

static clockid_t emu_timeout_clock(u32 flags)
{
	switch (flags & IORING_TIMEOUT_CLOCK_MASK) {
	case IORING_TIMEOUT_BOOTTIME:
		return CLOCK_BOOTTIME;
	case IORING_TIMEOUT_REALTIME:
		return CLOCK_REALTIME;
	default:
		return CLOCK_MONOTONIC;
	}
}

static enum hrtimer_mode emu_timeout_mode(u32 flags)
{
	return (flags & IORING_TIMEOUT_ABS) ? HRTIMER_MODE_ABS :
					      HRTIMER_MODE_REL;
}

/* Read a struct __kernel_timespec; -EFAULT, or -EINVAL if negative. */
static int emu_timeout_get_ts(struct timespec64 *ts, u64 addr)
{
	if (get_timespec64(ts, u64_to_user_ptr(addr)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0)
		return -EINVAL;
	return 0;
}

static int emu_timeout_prep_common(struct emu_req *req,
				   const struct io_uring_sqe *sqe, bool link)
{
	struct emu_timeout *t = &req->timeout;
	struct emu_timeout_data *data;
	u32 flags;
	int ret;

	if (READ_ONCE(sqe->ioprio) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->personality) || READ_ONCE(sqe->len) != 1 ||
	    READ_ONCE(sqe->splice_fd_in) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	t->off = READ_ONCE(sqe->off);
	if (link && t->off)
		return -EINVAL;
	flags = READ_ONCE(sqe->timeout_flags);
	if (flags & ~EMU_TIMEOUT_FLAGS)
		return -EINVAL;
	if (hweight32(flags & IORING_TIMEOUT_CLOCK_MASK) > 1)
		return -EINVAL;
	/* As io_uring: a multishot timeout repeats a duration. */
	if ((flags & IORING_TIMEOUT_MULTISHOT) && (flags & IORING_TIMEOUT_ABS))
		return -EINVAL;
	/* As io_uring too: a linked timeout fires once, whatever it asks. */
	if (link)
		flags &= ~IORING_TIMEOUT_MULTISHOT;
	INIT_LIST_HEAD(&t->list);
	t->head = NULL;
	t->prev = NULL;
	t->arming = false;
	/* A multishot timeout's count is how many times it fires (0: ever). */
	t->repeats = (flags & IORING_TIMEOUT_MULTISHOT) ? t->off : 0;
	t->stop = false;
	/* Before it can be issued: posters look at counts from now on. */
	if (t->off && !(flags & IORING_TIMEOUT_MULTISHOT) &&
	    !READ_ONCE(req->ctx->off_timeout_used))
		WRITE_ONCE(req->ctx->off_timeout_used, true);

	data = kmalloc(sizeof(*data), GFP_KERNEL_ACCOUNT);
	if (!data)
		return -ENOMEM;
	req->async = data;
	data->req = req;
	data->flags = flags;
	ret = emu_timeout_get_ts(&data->ts, READ_ONCE(sqe->addr));
	if (ret)
		return ret;
	data->mode = emu_timeout_mode(flags);
	hrtimer_init(&data->timer, emu_timeout_clock(flags), data->mode);
	if (flags & IORING_TIMEOUT_ETIME_SUCCESS)
		req->state |= EMU_REQ_F_ETIME_OK;
	return 0;
}

/**
 * emu_timeout_prep() - prepare a TIMEOUT
 * @req: the request
 * @sqe: the SQE: addr points to the time, off is the count, len must be 1
 *
 * Return: 0; -EINVAL for a field or flag TIMEOUT does not take, two clocks,
 * a multishot absolute timeout or a negative time; -EFAULT for a time that
 * cannot be read; -ENOMEM.
 */
int emu_timeout_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	return emu_timeout_prep_common(req, sqe, false);
}

/**
 * emu_link_timeout_prep() - prepare a LINK_TIMEOUT
 * @req: the request
 * @sqe: the SQE, as a TIMEOUT's without a count
 *
 * That it follows a member of a chain is checked at submission.
 *
 * Return: as emu_timeout_prep(), and -EINVAL for a count.
 */
int emu_link_timeout_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	return emu_timeout_prep_common(req, sqe, true);
}

/**
 * emu_link_timeout_issue() - a LINK_TIMEOUT that is reached as a member
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * A LINK_TIMEOUT leaves its chain when the member it guards completes or
 * is issued; it is never issued itself. Should it be, it is cancelled.
 *
 * Return: -ECANCELED.
 */
int emu_link_timeout_issue(struct emu_req *req, unsigned int issue_flags)
{
	return -ECANCELED;
}

/**
 * emu_timeout_cleanup() - free a timeout's timer
 * @req: the completed request; its timer is stopped
 */
void emu_timeout_cleanup(struct emu_req *req)
{
	kfree(req->async);
	req->async = NULL;
}

/* Start the timer of a timeout on the list, with ctx->timeout_lock held. */
static void emu_timeout_arm(struct emu_timeout_data *data)
{
	data->timer.function = emu_timeout_fn;
	hrtimer_start(&data->timer, timespec64_to_ktime(data->ts), data->mode);
}

/* The executor's half of a timeout that ended. */
static void emu_timeout_done(struct emu_req *req)
{
	struct emu_timeout_data *data = emu_timeout_data(req);
	struct emu_timeout *t = &req->timeout;
	struct emu_ring_ctx *ctx = req->ctx;

	/* A multishot timeout that fired, and fires again. */
	if ((data->flags & IORING_TIMEOUT_MULTISHOT) && req->res == -ETIME &&
	    !(req->state & EMU_REQ_F_CANCELED) &&
	    (!t->off || (t->repeats && --t->repeats))) {
		if (emu_cq_post_aux(ctx, req->user_data, -ETIME,
				    IORING_CQE_F_MORE)) {
			spin_lock_irq(&ctx->timeout_lock);
			/* Not once its ring or its process is gone. */
			if (!ctx->dying && !t->stop) {
				list_add_tail(&t->list, &ctx->timeout_list);
				emu_timeout_arm(data);
				spin_unlock_irq(&ctx->timeout_lock);
				return;
			}
			spin_unlock_irq(&ctx->timeout_lock);
			req->res = -ECANCELED;
			req->state &= ~EMU_REQ_F_ETIME_OK;
		}
	}
	emu_req_queue(emu_req_done(req, req->res));
}

/* A timeout ended: the counts leave its CQE out. */
static void emu_timeout_count_end(struct emu_ring_ctx *ctx)
{
	lockdep_assert_held(&ctx->timeout_lock);
	WRITE_ONCE(ctx->cq_timeouts, ctx->cq_timeouts + 1);
}

/* Have the executor post the CQE of a timeout off the list. */
static void emu_timeout_post(struct emu_req *req, s32 res)
{
	req->res = res;
	if (res == -ECANCELED)
		req->state &= ~EMU_REQ_F_ETIME_OK;
	/* Only the next member of its chain would need its mm. */
	if (!data_race(req->link))
		req->state |= EMU_REQ_F_TW_ANY_MM;
	emu_tw_add(req, emu_timeout_done);
}

/*
 * A timeout taken off the list ends with @res, with ctx->timeout_lock held
 * by a caller that holds the ring (not the timer callback).
 */
static void emu_timeout_end(struct emu_req *req, s32 res)
{
	emu_timeout_count_end(req->ctx);
	emu_timeout_post(req, res);
}

static enum hrtimer_restart emu_timeout_fn(struct hrtimer *timer)
{
	struct emu_timeout_data *data = container_of(timer,
						     struct emu_timeout_data,
						     timer);
	struct emu_req *req = data->req;
	struct emu_ring_ctx *ctx = req->ctx;
	unsigned long flags;

	spin_lock_irqsave(&ctx->timeout_lock, flags);
	list_del_init(&req->timeout.list);
	emu_timeout_count_end(ctx);
	spin_unlock_irqrestore(&ctx->timeout_lock, flags);
	/*
	 * After the unlock: once the request is with the executor it may
	 * complete and take the ring's last reference with it.
	 */
	emu_timeout_post(req, -ETIME);
	return HRTIMER_NORESTART;
}

/*
 * Take a timeout off the list if its timer can still be stopped, with
 * ctx->timeout_lock held. Returns false if its callback runs already.
 */
static bool emu_timeout_extract(struct emu_req *req)
{
	if (hrtimer_try_to_cancel(&emu_timeout_data(req)->timer) == -1)
		return false;
	list_del_init(&req->timeout.list);
	return true;
}

/**
 * emu_timeout_flush() - complete the counting timeouts whose count is in
 * @ctx: the ring, with @ctx->completion_lock held, after posting CQEs
 */
void emu_timeout_flush(struct emu_ring_ctx *ctx)
{
	struct emu_req *req, *next;
	unsigned long flags;
	u32 seq;

	lockdep_assert_held(&ctx->completion_lock);
	/* The timer callback takes it: interrupts may be on here. */
	spin_lock_irqsave(&ctx->timeout_lock, flags);
	seq = ctx->cq_tail - ctx->cq_timeouts;
	/*
	 * A timeout that ended counts before its CQE is posted, which can
	 * leave the count behind the last flush: nothing happened since.
	 */
	if ((s32)(seq - ctx->cq_last_tm_flush) < 0)
		seq = ctx->cq_last_tm_flush;
	list_for_each_entry_safe(req, next, &ctx->timeout_list, timeout.list) {
		/* Wrap-safe: both are measured from the last flush. */
		u32 needed = req->timeout.target_seq - ctx->cq_last_tm_flush;
		u32 got = seq - ctx->cq_last_tm_flush;

		if (emu_timeout_noseq(req) || got < needed)
			break;
		if (emu_timeout_extract(req))
			emu_timeout_end(req, 0);
	}
	ctx->cq_last_tm_flush = seq;
	spin_unlock_irqrestore(&ctx->timeout_lock, flags);
}

/**
 * emu_timeout_issue() - start a TIMEOUT
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Return: EMU_ISSUE_QUEUED (the CQE comes when it ends), or -ECANCELED if
 * the ring is being closed, or emu_req_make_async()'s error.
 */
int emu_timeout_issue(struct emu_req *req, unsigned int issue_flags)
{
	struct emu_timeout_data *data = emu_timeout_data(req);
	struct emu_timeout *t = &req->timeout;
	struct emu_ring_ctx *ctx = req->ctx;
	struct list_head *entry;
	u32 tail, base;
	int ret;

	ret = emu_req_make_async(req);
	if (ret)
		return ret;
	spin_lock_irq(&ctx->timeout_lock);
	if (unlikely(ctx->dying)) {
		spin_unlock_irq(&ctx->timeout_lock);
		return -ECANCELED;
	}
	if (emu_timeout_noseq(req)) {
		entry = ctx->timeout_list.prev;
		goto add;
	}
	tail = READ_ONCE(ctx->cq_tail) - ctx->cq_timeouts;
	/*
	 * With no counting timeout waiting, the count starts here. Else
	 * leave it: a target reached since the last flush stays reached.
	 */
	entry = ctx->timeout_list.next;
	if (entry == &ctx->timeout_list ||
	    emu_timeout_noseq(list_entry(entry, struct emu_req, timeout.list)))
		ctx->cq_last_tm_flush = tail;
	base = ctx->cq_last_tm_flush;
	if ((s32)(tail - base) < 0)
		tail = base;
	t->target_seq = tail + t->off;
	/* Sorted by target, after every earlier one. */
	list_for_each_prev(entry, &ctx->timeout_list) {
		struct emu_req *prev = list_entry(entry, struct emu_req,
						  timeout.list);

		if (emu_timeout_noseq(prev))
			continue;
		if (t->target_seq - base >= prev->timeout.target_seq - base)
			break;
	}
add:
	list_add(&t->list, entry);
	emu_timeout_arm(data);
	spin_unlock_irq(&ctx->timeout_lock);
	return EMU_ISSUE_QUEUED;
}

/**
 * emu_timeout_cancel() - cancel the timeouts that match
 * @ctx: the ring
 * @match: whether to cancel a timeout (called with @ctx->timeout_lock held)
 * @arg: for @match
 * @all: every match, not only the first
 *
 * A cancelled timeout completes with -ECANCELED.
 *
 * Return: how many were cancelled, or -EALREADY if the first match (with
 * !@all) is firing already, or -ENOENT if none matched.
 */
int emu_timeout_cancel(struct emu_ring_ctx *ctx,
		       bool (*match)(const struct emu_req *req, const void *arg),
		       const void *arg, bool all)
{
	struct emu_req *req, *next;
	int nr = 0, ret = -ENOENT;

	spin_lock_irq(&ctx->timeout_lock);
	list_for_each_entry_safe(req, next, &ctx->timeout_list, timeout.list) {
		if (!match(req, arg))
			continue;
		if (!emu_timeout_extract(req)) {
			/* Firing: it ends by itself (a multishot one too). */
			req->timeout.stop = true;
			if (!all) {
				ret = -EALREADY;
				break;
			}
			nr++;
			continue;
		}
		req->state |= EMU_REQ_F_FAILED;
		emu_timeout_end(req, -ECANCELED);
		nr++;
		if (!all)
			break;
	}
	spin_unlock_irq(&ctx->timeout_lock);
	return nr ? nr : ret;
}

/* Cancel the running TIMEOUT @target (number @seq): 0, -EALREADY, -ENOENT. */
static int emu_timeout_cancel_one(struct emu_ring_ctx *ctx,
				  struct emu_req *target, u64 seq)
{
	struct emu_req *req;
	int ret = -ENOENT;

	spin_lock_irq(&ctx->timeout_lock);
	list_for_each_entry(req, &ctx->timeout_list, timeout.list) {
		if (req != target || req->seq != seq)
			continue;
		ret = -EALREADY;
		if (emu_timeout_extract(req)) {
			req->state |= EMU_REQ_F_FAILED;
			emu_timeout_end(req, -ECANCELED);
			ret = 0;
		}
		break;
	}
	spin_unlock_irq(&ctx->timeout_lock);
	return ret;
}

/*
 * IORING_OP_LINK_TIMEOUT. It guards the member before it (head) from the
 * moment that member is issued. Three parties may end it, each under
 * ctx->timeout_lock:
 *
 * - the issuer of the head: emu_ltimeout_prepare() ties it to the head and
 *   marks it arming; once the head is in flight (parked, at the device, a
 *   timer) emu_ltimeout_arm() starts the timer, or, if the head completed
 *   meanwhile, completes it; if the head completes inline,
 *   emu_ltimeout_unarm() only clears arming;
 * - the head's completion, emu_ltimeout_disarm(): it takes the timeout out
 *   of the chain and returns it for a -ECANCELED CQE behind the head's if
 *   its timer can be stopped (or never ran, and nobody arms it);
 * - its timer, emu_ltimeout_fn(): it takes the timeout out of the chain (the
 *   members behind it now follow the head) and has the executor cancel the
 *   head and post -ETIME (or why the head could not be cancelled).
 */

/**
 * emu_ltimeout_prepare() - tie a LINK_TIMEOUT to the member it guards
 * @req: the member, with EMU_REQ_F_ARM_LTIMEOUT, about to be issued
 *
 * Return: the LINK_TIMEOUT, for emu_ltimeout_arm() or emu_ltimeout_unarm().
 */
struct emu_req *emu_ltimeout_prepare(struct emu_req *req)
{
	struct emu_ring_ctx *ctx = req->ctx;
	struct emu_req *lt = req->link;

	req->state &= ~EMU_REQ_F_ARM_LTIMEOUT;
	req->state |= EMU_REQ_F_LINK_TIMEOUT;
	spin_lock_irq(&ctx->timeout_lock);
	lt->timeout.head = req;
	lt->timeout.arming = true;
	spin_unlock_irq(&ctx->timeout_lock);
	return lt;
}

static enum hrtimer_restart emu_ltimeout_fn(struct hrtimer *timer);

/**
 * emu_ltimeout_arm() - start a LINK_TIMEOUT whose member went in flight
 * @lt: the LINK_TIMEOUT from emu_ltimeout_prepare()
 *
 * The member may be completed and gone already: then so is the timeout,
 * with -ECANCELED.
 */
void emu_ltimeout_arm(struct emu_req *lt)
{
	struct emu_timeout_data *data = emu_timeout_data(lt);
	struct emu_ring_ctx *ctx = lt->ctx;

	spin_lock_irq(&ctx->timeout_lock);
	lt->timeout.arming = false;
	if (lt->timeout.head) {
		list_add_tail(&lt->timeout.list, &ctx->ltimeout_list);
		data->timer.function = emu_ltimeout_fn;
		/* A ring being closed waits for nobody's time: fire now. */
		if (unlikely(ctx->dying))
			hrtimer_start(&data->timer, 0, HRTIMER_MODE_REL);
		else
			hrtimer_start(&data->timer,
				      timespec64_to_ktime(data->ts), data->mode);
		spin_unlock_irq(&ctx->timeout_lock);
		return;
	}
	spin_unlock_irq(&ctx->timeout_lock);
	lt->state |= EMU_REQ_F_NOFAIL;
	emu_req_queue(emu_req_done(lt, -ECANCELED));
}

/**
 * emu_ltimeout_unarm() - the member of a LINK_TIMEOUT completes inline
 * @lt: the LINK_TIMEOUT from emu_ltimeout_prepare()
 *
 * Its timer never starts: the member's completion cancels it.
 */
void emu_ltimeout_unarm(struct emu_req *lt)
{
	spin_lock_irq(&lt->ctx->timeout_lock);
	lt->timeout.arming = false;
	spin_unlock_irq(&lt->ctx->timeout_lock);
}

/**
 * emu_ltimeout_disarm() - a member guarded by a LINK_TIMEOUT completes
 * @req: the member, owned by its completion
 *
 * Return: the LINK_TIMEOUT, out of the chain, for the caller to complete
 * with -ECANCELED; or NULL if it is not there any more, or someone else
 * completes it (its timer fired, or the member's issuer arms it).
 */
struct emu_req *emu_ltimeout_disarm(struct emu_req *req)
{
	struct emu_ring_ctx *ctx = req->ctx;
	struct emu_req *lt = req->link;
	unsigned long flags;

	/* Never issued: the timeout is a plain member still. */
	if (req->state & EMU_REQ_F_ARM_LTIMEOUT) {
		req->state &= ~EMU_REQ_F_ARM_LTIMEOUT;
		req->link = lt->link;
		lt->link = NULL;
		return lt;
	}
	spin_lock_irqsave(&ctx->timeout_lock, flags);
	lt = req->link;
	if (!lt || !emu_req_def(lt)->link_timeout || lt->timeout.head != req) {
		/* Its timer took it out of the chain. */
		spin_unlock_irqrestore(&ctx->timeout_lock, flags);
		return NULL;
	}
	req->link = lt->link;
	lt->link = NULL;
	lt->timeout.head = NULL;
	if (lt->timeout.arming ||
	    hrtimer_try_to_cancel(&emu_timeout_data(lt)->timer) == -1) {
		/* The issuer, or the timer callback, completes it. */
		spin_unlock_irqrestore(&ctx->timeout_lock, flags);
		return NULL;
	}
	list_del_init(&lt->timeout.list);
	spin_unlock_irqrestore(&ctx->timeout_lock, flags);
	return lt;
}

/*
 * Cancel the member a LINK_TIMEOUT fired on, if it is still queued in the
 * pool, parked or a running timeout; @seq tells it from a later request in
 * its memory. As io_uring's io_try_cancel(): one that runs in the pool is
 * interrupted, and unless it is parked already that gives -ENOENT.
 */
static int emu_ltimeout_cancel_prev(struct emu_ring_ctx *ctx,
				    struct emu_req *prev, u64 seq)
{
	struct emu_req *req;
	LIST_HEAD(queued);
	int ret;

	spin_lock_irq(&ctx->completion_lock);
	ret = emu_wq_cancel_req(ctx, prev, seq, &queued);
	if (ret) {
		ret = -ENOENT;
		list_for_each_entry(req, &ctx->parked, park_node) {
			if (req == prev && req->seq == seq) {
				emu_poll_cancel(req);
				ret = 0;
				break;
			}
		}
	}
	spin_unlock_irq(&ctx->completion_lock);
	emu_wq_cancel_done(&queued);
	if (ret)
		ret = emu_timeout_cancel_one(ctx, prev, seq);
	return ret;
}

/* The executor's half of a LINK_TIMEOUT that fired. */
static void emu_ltimeout_fired(struct emu_req *lt)
{
	struct emu_req *prev = lt->timeout.prev;
	s32 res = -ETIME;

	/* As io_uring: -ETIME, or why the member was not cancelled. */
	if (prev && !(lt->state & EMU_REQ_F_CANCELED))
		res = emu_ltimeout_cancel_prev(lt->ctx, prev,
					       lt->timeout.prev_seq) ?: -ETIME;
	/* Not a failure either (IOSQE_CQE_SKIP_SUCCESS skips it). */
	lt->state |= EMU_REQ_F_NOFAIL;
	emu_req_queue(emu_req_done(lt, res));
}

static enum hrtimer_restart emu_ltimeout_fn(struct hrtimer *timer)
{
	struct emu_timeout_data *data = container_of(timer,
						     struct emu_timeout_data,
						     timer);
	struct emu_req *lt = data->req, *prev;
	struct emu_ring_ctx *ctx = lt->ctx;
	unsigned long flags;

	spin_lock_irqsave(&ctx->timeout_lock, flags);
	prev = lt->timeout.head;
	lt->timeout.head = NULL;
	lt->timeout.prev = prev;
	if (prev) {
		/* The members behind the timeout now follow its member. */
		prev->link = lt->link;
		lt->link = NULL;
		lt->timeout.prev_seq = prev->seq;
	}
	list_del_init(&lt->timeout.list);
	spin_unlock_irqrestore(&ctx->timeout_lock, flags);
	lt->state |= EMU_REQ_F_TW_ANY_MM;
	emu_tw_add(lt, emu_ltimeout_fired);
	return HRTIMER_NORESTART;
}

/**
 * emu_ltimeout_expire_all() - fire the running LINK_TIMEOUTs now
 * @ctx: the ring
 * @tgid: only those of requests this process submitted, or NULL for all
 *
 * When the ring is closed or the process exits: what they guard is
 * cancelled, or (an O_DIRECT transfer) runs on, but no timer keeps the
 * ring.
 */
void emu_ltimeout_expire_all(struct emu_ring_ctx *ctx, struct pid *tgid)
{
	struct emu_req *lt;

	spin_lock_irq(&ctx->timeout_lock);
	list_for_each_entry(lt, &ctx->ltimeout_list, timeout.list) {
		struct hrtimer *timer = &emu_timeout_data(lt)->timer;

		if (tgid && lt->tgid != tgid)
			continue;
		/* One that fires already needs nothing. */
		if (hrtimer_try_to_cancel(timer) != -1)
			hrtimer_start(timer, 0, HRTIMER_MODE_REL);
	}
	spin_unlock_irq(&ctx->timeout_lock);
}

/* IORING_LINK_TIMEOUT_UPDATE, with ctx->timeout_lock held. */
static int emu_ltimeout_update(struct emu_ring_ctx *ctx,
			       const struct emu_timeout_rem *tr)
{
	enum hrtimer_mode mode = emu_timeout_mode(tr->flags);
	struct emu_timeout_data *data;
	struct emu_req *lt;

	list_for_each_entry(lt, &ctx->ltimeout_list, timeout.list) {
		if (lt->user_data != tr->addr)
			continue;
		data = emu_timeout_data(lt);
		if (hrtimer_try_to_cancel(&data->timer) == -1)
			return -EALREADY;
		data->ts = tr->ts;
		data->mode = mode;
		hrtimer_init(&data->timer, emu_timeout_clock(data->flags),
			     mode);
		data->timer.function = emu_ltimeout_fn;
		hrtimer_start(&data->timer, timespec64_to_ktime(data->ts),
			      mode);
		return 0;
	}
	return -ENOENT;
}

/**
 * emu_timeout_remove_prep() - prepare a TIMEOUT_REMOVE
 * @req: the request
 * @sqe: the SQE: addr is the timeout's user_data; with IORING_TIMEOUT_UPDATE
 *	addr2 points to its new time
 *
 * Return: 0; -EINVAL for a field or flag it does not take, two clocks or a
 * negative time; -EFAULT for a time that cannot be read.
 */
int emu_timeout_remove_prep(struct emu_req *req,
			    const struct io_uring_sqe *sqe)
{
	struct emu_timeout_rem *tr = &req->timeout_rem;

	if (READ_ONCE(sqe->ioprio) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->personality) || READ_ONCE(sqe->len) ||
	    READ_ONCE(sqe->splice_fd_in) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	tr->addr = READ_ONCE(sqe->addr);
	tr->flags = READ_ONCE(sqe->timeout_flags);
	if (!(tr->flags & IORING_TIMEOUT_UPDATE_MASK))
		return tr->flags ? -EINVAL : 0;
	if (hweight32(tr->flags & IORING_TIMEOUT_CLOCK_MASK) > 1)
		return -EINVAL;
	if (tr->flags & ~(IORING_TIMEOUT_UPDATE_MASK | IORING_TIMEOUT_ABS))
		return -EINVAL;
	return emu_timeout_get_ts(&tr->ts, READ_ONCE(sqe->addr2));
}

static bool emu_timeout_match_user_data(const struct emu_req *req,
					const void *arg)
{
	return req->user_data == *(const u64 *)arg;
}

/* IORING_TIMEOUT_UPDATE of a timeout, with ctx->timeout_lock held. */
static int emu_timeout_update(struct emu_ring_ctx *ctx,
			      const struct emu_timeout_rem *tr)
{
	enum hrtimer_mode mode = emu_timeout_mode(tr->flags);
	struct emu_timeout_data *data;
	struct emu_req *req;

	list_for_each_entry(req, &ctx->timeout_list, timeout.list) {
		if (req->user_data != tr->addr)
			continue;
		data = emu_timeout_data(req);
		if ((data->flags & IORING_TIMEOUT_MULTISHOT) &&
		    mode == HRTIMER_MODE_ABS)
			return -EINVAL;
		if (!emu_timeout_extract(req))
			return -EALREADY;
		/* It is a plain timer now; a multishot one keeps its count. */
		if (!(data->flags & IORING_TIMEOUT_MULTISHOT))
			req->timeout.off = 0;
		data->ts = tr->ts;
		data->mode = mode;
		list_add_tail(&req->timeout.list, &ctx->timeout_list);
		hrtimer_init(&data->timer, emu_timeout_clock(data->flags),
			     mode);
		emu_timeout_arm(data);
		return 0;
	}
	return -ENOENT;
}

/**
 * emu_timeout_remove_issue() - run a TIMEOUT_REMOVE
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Return: 0 (the timeout completes with -ECANCELED, or runs on with its
 * new time), -ENOENT if no pending timeout has that user_data, -EALREADY
 * if it is firing, -EINVAL for an absolute update of a multishot one.
 */
int emu_timeout_remove_issue(struct emu_req *req, unsigned int issue_flags)
{
	struct emu_timeout_rem *tr = &req->timeout_rem;
	struct emu_ring_ctx *ctx = req->ctx;
	int ret;

	/* As io_uring: IORING_LINK_TIMEOUT_UPDATE alone removes. */
	if (!(tr->flags & IORING_TIMEOUT_UPDATE)) {
		ret = emu_timeout_cancel(ctx, emu_timeout_match_user_data,
					 &tr->addr, false);
		return ret < 0 ? ret : 0;
	}
	spin_lock_irq(&ctx->timeout_lock);
	if (tr->flags & IORING_LINK_TIMEOUT_UPDATE)
		ret = emu_ltimeout_update(ctx, tr);
	else
		ret = emu_timeout_update(ctx, tr);
	spin_unlock_irq(&ctx->timeout_lock);
	return ret;
}
