// SPDX-License-Identifier: GPL-2.0
/*
 * Parking: a request that would block on a file that can be polled waits
 * on the file's wait queues, with no thread sleeping for it, and is issued
 * again when the file is ready.
 *
 * Ownership. poll.refs counts parties that want the request: a wakeup, a
 * cancellation, or the task that is arming it. The one that moves the count
 * from 0 owns the request; only the owner may touch it (remove its wait
 * entries, issue it, complete it). Others only leave their mark in the
 * count, and the owner, before it lets go, subtracts what it has seen: if
 * anything came in meanwhile it stays the owner and looks again. A
 * cancellation sets EMU_POLL_CANCEL first, so the owner sees it.
 *
 * Wait entries. A wakeup that wins ownership removes its own entry (it holds
 * the queue's lock); the owner removes the others. A queue can be freed
 * while the request waits on it (POLLFREE: signalfd, binder): the wakeup
 * then marks the request cancelled, kicks its owner, unlinks the entry and,
 * as its very last access to the request, stores NULL into its head with
 * release semantics. The owner reads the head under rcu_read_lock() with
 * acquire semantics and takes the queue's lock, which the wakeup holds, so
 * it cannot complete the request before the wakeup is done with it; the
 * queue's memory is RCU-freed by its owner.
 *
 * A file that says it is ready and still has nothing to give is retried a
 * bounded number of times (EMU_POLL_MAX_RETRY), then gets -EAGAIN.
 *
 * A woken request is issued from the task-work executor (req.c), which
 * gives it its submitter's address space and credentials.
 */
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/swab.h>

#include "emu_uring.h"
#include "opdef.h"
#include "trace.h"

#define EMU_POLL_CANCEL		BIT(31)
#define EMU_POLL_REF_MASK	GENMASK(30, 0)
#define EMU_POLL_MAX_RETRY	128

/* Arming: the file's poll callback adds the request to its queues. */
struct emu_poll_table {
	struct poll_table_struct pt;
	struct emu_req *req;
	unsigned int nr;
	int error;
};

static void emu_poll_remove_entry(struct emu_poll_entry *e)
{
	/* Pairs with the release in emu_poll_wake() on POLLFREE. */
	wait_queue_head_t *head = smp_load_acquire(&e->head);

	if (head) {
		spin_lock_irq(&head->lock);
		list_del_init(&e->wait.entry);
		WRITE_ONCE(e->head, NULL);
		spin_unlock_irq(&head->lock);
	}
}

/* The owner takes the request off every queue it waits on. */
static void emu_poll_remove_entries(struct emu_req *req)
{
	struct emu_poll *p = &req->poll;

	/* Cheap check first: nothing armed (never, or all already woken). */
	if (!READ_ONCE(p->entries[0].head) && !READ_ONCE(p->entries[1].head))
		return;
	/* A queue freed by POLLFREE stays valid until the grace period ends. */
	rcu_read_lock();
	emu_poll_remove_entry(&p->entries[0]);
	emu_poll_remove_entry(&p->entries[1]);
	rcu_read_unlock();
}

static bool emu_poll_get_ownership(struct emu_req *req)
{
	return !(atomic_fetch_inc(&req->poll.refs) & EMU_POLL_REF_MASK);
}

static void emu_poll_task_func(struct emu_req *req);
static void emu_poll_add_task_func(struct emu_req *req);
static int emu_poll_start(struct emu_req *req, const bool *abort);

/* A multishot POLL_ADD stays on its queues between events. */
static bool emu_poll_multishot(const struct emu_req *req)
{
	return req->opcode == IORING_OP_POLL_ADD && req->poll_add.multishot;
}

/* What the owner runs: a POLL_ADD reports events, others are issued. */
static void emu_poll_kick(struct emu_req *req)
{
	emu_tw_add(req, req->opcode == IORING_OP_POLL_ADD ?
			emu_poll_add_task_func : emu_poll_task_func);
}

static int emu_poll_wake(struct wait_queue_entry *wait, unsigned int mode,
			 int sync, void *key)
{
	struct emu_poll_entry *e = container_of(wait, struct emu_poll_entry,
						wait);
	struct emu_req *req = wait->private;
	__poll_t mask = key_to_poll(key);

	if (unlikely(mask & POLLFREE)) {
		/* The queue goes away: the request can only be cancelled. */
		atomic_or(EMU_POLL_CANCEL, &req->poll.refs);
		if (emu_poll_get_ownership(req))
			emu_poll_kick(req);
		list_del_init(&wait->entry);
		/*
		 * Last: after this the queue may be freed, and the owner,
		 * which no longer waits for its lock, may free the request.
		 */
		smp_store_release(&e->head, NULL);
		return 1;
	}
	/* Wakeups for other events (a reader woken on a writer's queue). */
	if (mask && !(mask & req->poll.events))
		return 0;
	/*
	 * What the wakeup says is what a POLL_ADD reports (as io_uring). A
	 * ring's CQE makes a multishot one one-shot: else a ring polling
	 * itself would feed itself.
	 */
	if (unlikely(emu_eventfd_waking()))
		mask |= EPOLL_URING_WAKE;
	if (mask)
		atomic_or((__force int)(mask & (req->poll.events |
						EPOLL_URING_WAKE)),
			  &req->poll.wake_mask);
	if (emu_poll_get_ownership(req)) {
		/* We hold the queue's lock: unlink here, saves the owner one. */
		if (!emu_poll_multishot(req)) {
			list_del_init(&wait->entry);
			WRITE_ONCE(e->head, NULL);
		}
		emu_poll_kick(req);
	}
	return 1;
}

static void emu_poll_queue_proc(struct file *file, wait_queue_head_t *head,
				poll_table *pt)
{
	struct emu_poll_table *ept = container_of(pt, struct emu_poll_table,
						  pt);
	struct emu_poll *p = &ept->req->poll;
	struct emu_poll_entry *e;
	unsigned long flags;

	/* A file that waits twice on one queue needs one entry there. */
	if (ept->nr && READ_ONCE(p->entries[0].head) == head)
		return;
	if (ept->nr >= ARRAY_SIZE(p->entries)) {
		ept->error = -EINVAL;
		return;
	}
	e = &p->entries[ept->nr++];
	init_waitqueue_func_entry(&e->wait, emu_poll_wake);
	e->wait.private = ept->req;
	if (ept->req->opcode == IORING_OP_POLL_ADD &&
	    ept->req->poll_add.exclusive)
		e->wait.flags |= WQ_FLAG_EXCLUSIVE;
	spin_lock_irqsave(&head->lock, flags);
	/*
	 * A polled ring's release sets @dying, then wakes its queue with
	 * POLLFREE under this lock: past that wakeup nothing may join the
	 * queue (__wake_up_pollfree() checks), so @dying is read under it.
	 */
	if (unlikely(ept->req->state & EMU_REQ_F_RING_TARGET) &&
	    READ_ONCE(ept->req->poll_add.ring->dying)) {
		spin_unlock_irqrestore(&head->lock, flags);
		ept->nr--;
		ept->error = -ECANCELED;
		return;
	}
	WRITE_ONCE(e->head, head);
	if (e->wait.flags & WQ_FLAG_EXCLUSIVE)
		__add_wait_queue_entry_tail(head, &e->wait);
	else
		__add_wait_queue(head, &e->wait);
	spin_unlock_irqrestore(&head->lock, flags);
}

/* The file's events; a polled ring's come from the ring's struct. */
static __poll_t emu_poll_file(struct emu_req *req, poll_table *pt)
{
	if (unlikely(req->state & EMU_REQ_F_RING_TARGET))
		return emu_ring_poll(req->poll_add.ring, NULL, pt);
	return vfs_poll(req->file, pt);
}

/*
 * Put the request on its file's queues. Returns the events already
 * pending, or a negative errno (-EAGAIN: the file has no queue to wait on
 * after all; -ECANCELED: the ring polled is released).
 */
static __poll_t emu_poll_arm(struct emu_req *req, int *error)
{
	struct emu_poll_table ept;
	__poll_t mask;

	init_poll_funcptr(&ept.pt, emu_poll_queue_proc);
	ept.pt._key = req->poll.events;
	ept.req = req;
	ept.nr = 0;
	ept.error = 0;
	mask = emu_poll_file(req, &ept.pt);
	*error = ept.error;
	if (!ept.error && !ept.nr)
		*error = -EAGAIN;
	/* Its release woke the queue before this waited on it: no more. */
	if (unlikely(req->state & EMU_REQ_F_RING_TARGET) &&
	    READ_ONCE(req->poll_add.ring->dying))
		*error = -ECANCELED;
	if (*error)
		emu_poll_remove_entries(req);
	return mask;
}

/*
 * The request cannot wait on its file after all: off the parked list and
 * to the worker pool, which is to block in it, unless it was cancelled
 * meanwhile. Returns 0 if the pool has it, else the result to complete it
 * with.
 */
static int emu_poll_punt(struct emu_req *req)
{
	struct emu_ring_ctx *ctx = req->ctx;
	bool grow;
	int ret;

	req->state |= EMU_REQ_F_BLOCK;
	/*
	 * Cancellation marks parked requests, and looks in the pool, under
	 * this lock: it finds the request in one place or the other.
	 */
	spin_lock_irq(&ctx->completion_lock);
	if (atomic_read(&req->poll.refs) & EMU_POLL_CANCEL) {
		spin_unlock_irq(&ctx->completion_lock);
		return -ECANCELED;
	}
	req->state &= ~EMU_REQ_F_PARKED;
	list_del(&req->park_node);
	/* The pool's from here: a worker may run it before the unlock. */
	ret = emu_wq_enqueue_locked(req, &grow);
	spin_unlock_irq(&ctx->completion_lock);
	if (grow)
		emu_wq_grow();
	return ret;
}

/*
 * The owner's loop: issue, and while the file is not ready, stay parked.
 * @issued: the caller has just issued the request and got -EAGAIN.
 * Returns the next request of the chain to issue, or NULL.
 */
static struct emu_req *emu_poll_run(struct emu_req *req, bool issued)
{
	struct emu_poll *p = &req->poll;
	unsigned int retries = 0;
	int ret = -EAGAIN;

	for (;;) {
		int v = atomic_read(&p->refs);
		__poll_t mask;

		emu_poll_remove_entries(req);
		if (unlikely(v & EMU_POLL_CANCEL)) {
			ret = -ECANCELED;
			break;
		}
		if (!issued) {
			ret = emu_req_issue(req, EMU_ISSUE_NONBLOCK);
			if (ret != -EAGAIN || (req->state & EMU_REQ_F_NOWAIT))
				break;
			if (req->state & EMU_REQ_F_BLOCK) {
				ret = emu_poll_punt(req);
				if (!ret)
					return NULL;
				break;
			}
		}
		issued = false;
		mask = emu_poll_arm(req, &ret);
		if (unlikely(ret)) {
			/* Nothing to wait on: the op may block instead. */
			if (ret == -EAGAIN) {
				ret = emu_poll_punt(req);
				if (!ret)
					return NULL;
			}
			break;
		}
		if (mask & p->events) {
			/* Ready already: again, but let others run first. */
			if (++retries > EMU_POLL_MAX_RETRY) {
				emu_poll_remove_entries(req);
				ret = -EAGAIN;
				break;
			}
			cond_resched();
			continue;
		}
		/* Let go; if anything came in meanwhile, look again. */
		if (!(atomic_sub_return(v & EMU_POLL_REF_MASK, &p->refs) &
		      EMU_POLL_REF_MASK))
			return NULL;
	}
	return emu_req_done(req, ret);
}

static void emu_poll_task_func(struct emu_req *req)
{
	emu_req_queue(emu_poll_run(req, false));
}

/**
 * emu_poll_park() - park a request that would block on a pollable file
 * @req: the request, owned by the caller, just issued with -EAGAIN
 * @abort: NULL, or a flag that cancellation sets under
 *	ctx->completion_lock: if it is set when the request would be parked,
 *	it fails with -ECANCELED instead (a worker's request, cancelled as
 *	it ran)
 *
 * The request and the links behind it take what they need to run later;
 * the request then waits on its file, or is issued again at once if the
 * file became ready meanwhile.
 *
 * Return: the next member of the chain to issue now, or NULL.
 */
struct emu_req *emu_poll_park(struct emu_req *req, const bool *abort)
{
	struct emu_ring_ctx *ctx = req->ctx;
	const struct emu_op_def *def = emu_req_def(req);
	int ret;

	ret = emu_req_make_async(req);
	if (unlikely(ret))
		return emu_req_done(req, ret);
	/* Earlier CQEs of this ENTER first: a link's order is kept. */
	emu_compl_flush_if_submit(ctx);

	req->poll.events = EPOLLERR | EPOLLHUP;
	if (def->pollin)
		req->poll.events |= EPOLLIN | EPOLLRDNORM;
	if (def->pollout)
		req->poll.events |= EPOLLOUT | EPOLLWRNORM;
	/* Where cancellation finds it, before it can be woken. */
	ret = emu_poll_start(req, abort);
	if (unlikely(ret))
		return emu_req_done(req, ret);
	return emu_poll_run(req, true);
}

/**
 * emu_poll_mark_canceled() - have a parked request's owner cancel it
 * @req: the request
 */
void emu_poll_mark_canceled(struct emu_req *req)
{
	atomic_or(EMU_POLL_CANCEL, &req->poll.refs);
}

/**
 * emu_poll_cancel() - cancel a parked request
 * @req: a request on ctx->parked, with ctx->completion_lock held
 *
 * If nobody owns it, the executor completes it with -ECANCELED; else its
 * owner does.
 */
void emu_poll_cancel(struct emu_req *req)
{
	lockdep_assert_held(&req->ctx->completion_lock);
	emu_poll_mark_canceled(req);
	if (emu_poll_get_ownership(req))
		emu_poll_kick(req);
}

/*
 * POLL_ADD and POLL_REMOVE. A POLL_ADD waits on its file's queues like a
 * parked request and has the same owner rules; what its owner does is
 * report the events instead of issuing an op: once (the default, as an
 * EPOLLONESHOT | EPOLLET poll), or each time the file signals an event
 * while it stays queued (IORING_POLL_ADD_MULTI, each CQE with
 * IORING_CQE_F_MORE until the last).
 */

/* As io_uring: a reader also hears a hangup of the peer. */
static __poll_t emu_poll_unmask(__poll_t events)
{
	__poll_t unmask = EPOLLERR | EPOLLHUP | EPOLLNVAL;

	if (events & (EPOLLIN | EPOLLRDNORM | EPOLLRDBAND))
		unmask |= EPOLLRDHUP;
	return unmask;
}

/* The events of poll32_events, and its EPOLLONESHOT/EPOLLEXCLUSIVE bits. */
static __poll_t emu_poll_parse_events(const struct io_uring_sqe *sqe,
				      u32 *flag_bits)
{
	u32 events = READ_ONCE(sqe->poll32_events);

	if (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN))
		events = swahw32(events);
	*flag_bits = events & (__force u32)(EPOLLONESHOT | EPOLLEXCLUSIVE);
	return demangle_poll(events);
}

/**
 * emu_poll_add_prep() - prepare a POLL_ADD
 * @req: the request
 * @sqe: the SQE
 *
 * POLL_ADD uses fd, poll32_events and len (IORING_POLL_ADD_MULTI).
 *
 * Return: 0, or -EINVAL for other flags, a multishot poll that asks to
 * skip its CQEs, or a field it does not use set.
 */
int emu_poll_add_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_poll_add *pa = &req->poll_add;
	u32 flags, bits;

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->off) ||
	    READ_ONCE(sqe->addr) || READ_ONCE(sqe->personality) ||
	    READ_ONCE(sqe->splice_fd_in) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	flags = READ_ONCE(sqe->len);
	if (flags & ~IORING_POLL_ADD_MULTI)
		return -EINVAL;
	if ((flags & IORING_POLL_ADD_MULTI) &&
	    (req->flags & IOSQE_CQE_SKIP_SUCCESS))
		return -EINVAL;
	pa->events = emu_poll_parse_events(sqe, &bits);
	/* An EPOLLONESHOT of the user's makes a multishot poll one-shot. */
	pa->multishot = (flags & IORING_POLL_ADD_MULTI) &&
			!(bits & (__force u32)EPOLLONESHOT);
	pa->exclusive = bits & (__force u32)EPOLLEXCLUSIVE;
	return 0;
}

/*
 * The POLL_ADD owner's loop: report what the file has, or wait for more.
 * Returns true when the request is finished, with its result in *res (off
 * its queues, to be completed by the caller); false once it waits again
 * and the owner has let go.
 */
static bool emu_poll_add_step(struct emu_req *req, bool rearm, s32 *res)
{
	struct emu_poll *p = &req->poll;
	__poll_t mask;
	int ret;

	for (;;) {
		int v = atomic_read(&p->refs);
		bool armed = rearm, last;

		if (unlikely(v & EMU_POLL_CANCEL)) {
			*res = -ECANCELED;
			break;
		}
		if (rearm) {
			/* Off its queues: new, updated, or one-shot woken. */
			emu_poll_remove_entries(req);
			mask = emu_poll_arm(req, &ret);
			/* A file with nothing to wait on may be ready. */
			if (unlikely(ret) &&
			    (ret != -EAGAIN || !(mask & p->events))) {
				*res = ret == -EAGAIN ? -EINVAL : ret;
				break;
			}
			rearm = false;
		} else {
			/* The wakeups' events, or the file's if they had none. */
			mask = (__force __poll_t)atomic_xchg(&p->wake_mask, 0);
			if (!mask)
				mask = emu_poll_file(req, NULL);
		}
		/* A ring's CQE woke it: one-shot, as io_uring makes it. */
		last = mask & EPOLL_URING_WAKE;
		mask &= p->events;
		*res = mangle_poll(mask);
		if (mask && (!req->poll_add.multishot || last))
			break;
		/* A multishot CQE that was lost ends it: this one is last. */
		if (mask && !emu_cq_post_aux(req->ctx, req->user_data, *res,
					     IORING_CQE_F_MORE))
			break;
		/* A one-shot poll woken for nothing is off one queue. */
		if (!mask && !req->poll_add.multishot && !armed) {
			rearm = true;
			continue;
		}
		if (!(atomic_sub_return(v & EMU_POLL_REF_MASK, &p->refs) &
		      EMU_POLL_REF_MASK))
			return false;
	}
	emu_poll_remove_entries(req);
	return true;
}

static void emu_poll_add_task_func(struct emu_req *req)
{
	s32 res;

	if (emu_poll_add_step(req, false, &res))
		emu_req_queue(emu_req_done(req, res));
}

/* Take an updated POLL_ADD back to its queues: it is owned by the caller. */
static void emu_poll_add_rearm_func(struct emu_req *req)
{
	s32 res;

	if (emu_poll_add_step(req, true, &res))
		emu_req_queue(emu_req_done(req, res));
}

/*
 * Park a POLL_ADD (or a request going async) where cancel sees it, unless
 * *@abort, which cancellation sets under ctx->completion_lock.
 */
static int emu_poll_start(struct emu_req *req, const bool *abort)
{
	struct emu_ring_ctx *ctx = req->ctx;

	WRITE_ONCE(req->poll.entries[0].head, NULL);
	WRITE_ONCE(req->poll.entries[1].head, NULL);
	atomic_set(&req->poll.wake_mask, 0);
	/* Owned by us until the owner's loop lets go. */
	atomic_set(&req->poll.refs, 1);
	spin_lock_irq(&ctx->completion_lock);
	if (unlikely(ctx->dying || (abort && READ_ONCE(*abort)))) {
		spin_unlock_irq(&ctx->completion_lock);
		return -ECANCELED;
	}
	req->state |= EMU_REQ_F_PARKED;
	list_add_tail(&req->park_node, &ctx->parked);
	spin_unlock_irq(&ctx->completion_lock);
	trace_emu_uring_poll_arm(ctx, req, req->user_data, req->opcode,
				 (__force u32)req->poll.events);
	return 0;
}

/**
 * emu_poll_add_issue() - run a POLL_ADD
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Return: the events (as poll(2) reports them) if some are there now for
 * a one-shot poll; -EINVAL for a file that cannot be polled and is not
 * ready; else EMU_ISSUE_QUEUED: the CQE comes with the events.
 */
int emu_poll_add_issue(struct emu_req *req, unsigned int issue_flags)
{
	s32 res;
	int ret;

	ret = emu_req_make_async(req);
	if (unlikely(ret))
		return ret;
	emu_compl_flush_if_submit(req->ctx);
	req->poll.events = req->poll_add.events |
			   emu_poll_unmask(req->poll_add.events);
	/* In the pool (IOSQE_ASYNC), a cancel may have found it running. */
	ret = emu_poll_start(req, emu_wq_abort());
	if (unlikely(ret))
		return ret;
	if (emu_poll_add_step(req, true, &res))
		return res;
	return EMU_ISSUE_QUEUED;
}

/**
 * emu_poll_remove_prep() - prepare a POLL_REMOVE
 * @req: the request
 * @sqe: the SQE
 *
 * POLL_REMOVE uses addr (the user_data of the POLL_ADD), len
 * (IORING_POLL_UPDATE_EVENTS, IORING_POLL_UPDATE_USER_DATA), poll32_events
 * (with UPDATE_EVENTS) and off (the new user_data, with UPDATE_USER_DATA).
 *
 * Return: 0 or -EINVAL.
 */
int emu_poll_remove_prep(struct emu_req *req, const struct io_uring_sqe *sqe)
{
	struct emu_poll_update *upd = &req->poll_update;
	u32 flags, bits;

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in) ||
	    READ_ONCE(sqe->personality) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	flags = READ_ONCE(sqe->len);
	if (flags & ~(IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA |
		      IORING_POLL_ADD_MULTI))
		return -EINVAL;
	/* Meaningless without an update, as io_uring says. */
	if (flags == IORING_POLL_ADD_MULTI)
		return -EINVAL;
	upd->old_user_data = READ_ONCE(sqe->addr);
	upd->update_events = flags & IORING_POLL_UPDATE_EVENTS;
	upd->update_user_data = flags & IORING_POLL_UPDATE_USER_DATA;
	upd->new_user_data = READ_ONCE(sqe->off);
	if (!upd->update_user_data && upd->new_user_data)
		return -EINVAL;
	if (upd->update_events)
		upd->events = emu_poll_parse_events(sqe, &bits);
	else if (READ_ONCE(sqe->poll32_events))
		return -EINVAL;
	return 0;
}

/**
 * emu_poll_remove_issue() - run a POLL_REMOVE
 * @req: the request
 * @issue_flags: EMU_ISSUE_* flags
 *
 * Without an update the POLL_ADD completes with -ECANCELED; with one it
 * goes on with its new events or user_data.
 *
 * Return: 0, -ENOENT if no POLL_ADD has that user_data, -EALREADY if the
 * one found is reporting an event (or being cancelled) right now.
 */
int emu_poll_remove_issue(struct emu_req *req, unsigned int issue_flags)
{
	struct emu_poll_update *upd = &req->poll_update;
	struct emu_ring_ctx *ctx = req->ctx;
	struct emu_req *preq, *found = NULL;

	spin_lock_irq(&ctx->completion_lock);
	list_for_each_entry(preq, &ctx->parked, park_node) {
		if (preq->opcode == IORING_OP_POLL_ADD &&
		    preq->user_data == upd->old_user_data) {
			found = preq;
			break;
		}
	}
	if (!found) {
		spin_unlock_irq(&ctx->completion_lock);
		return -ENOENT;
	}
	/* As io_uring, the poll must be disarmed: not reporting right now. */
	if (!emu_poll_get_ownership(found)) {
		spin_unlock_irq(&ctx->completion_lock);
		return -EALREADY;
	}
	if (!upd->update_events && !upd->update_user_data) {
		emu_poll_mark_canceled(found);
		spin_unlock_irq(&ctx->completion_lock);
		emu_tw_add(found, emu_poll_add_task_func);
		return 0;
	}
	/* Ours now: its owner's loop is the only other writer. */
	if (upd->update_events) {
		found->poll_add.events = upd->events;
		found->poll.events = upd->events | emu_poll_unmask(upd->events);
	}
	if (upd->update_user_data)
		found->user_data = upd->new_user_data;
	spin_unlock_irq(&ctx->completion_lock);
	emu_tw_add(found, emu_poll_add_rearm_func);
	return 0;
}
