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

#include "emu_uring.h"
#include "opdef.h"

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
			emu_tw_add(req, emu_poll_task_func);
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
	if (emu_poll_get_ownership(req)) {
		/* We hold the queue's lock: unlink here, saves the owner one. */
		list_del_init(&wait->entry);
		WRITE_ONCE(e->head, NULL);
		emu_tw_add(req, emu_poll_task_func);
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
	WRITE_ONCE(e->head, head);
	add_wait_queue(head, &e->wait);
}

/*
 * Put the request on its file's queues. Returns the events already
 * pending, or a negative errno (-EAGAIN: the file has no queue to wait on
 * after all).
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
	mask = vfs_poll(req->file, &ept.pt);
	*error = ept.error;
	if (!ept.error && !ept.nr)
		*error = -EAGAIN;
	if (*error)
		emu_poll_remove_entries(req);
	return mask;
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
				ret = emu_req_issue(req, 0);
				break;
			}
		}
		issued = false;
		mask = emu_poll_arm(req, &ret);
		if (unlikely(ret)) {
			/* Nothing to wait on: the op may block instead. */
			if (ret == -EAGAIN)
				ret = emu_req_issue(req, 0);
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
 *
 * The request and the links behind it take what they need to run later;
 * the request then waits on its file, or is issued again at once if the
 * file became ready meanwhile.
 *
 * Return: the next member of the chain to issue now, or NULL.
 */
struct emu_req *emu_poll_park(struct emu_req *req)
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
	WRITE_ONCE(req->poll.entries[0].head, NULL);
	WRITE_ONCE(req->poll.entries[1].head, NULL);
	/* Owned by us until emu_poll_run() lets go. */
	atomic_set(&req->poll.refs, 1);

	/* Where cancellation finds it, before it can be woken. */
	spin_lock_irq(&ctx->completion_lock);
	if (unlikely(ctx->dying)) {
		spin_unlock_irq(&ctx->completion_lock);
		return emu_req_done(req, -ECANCELED);
	}
	req->state |= EMU_REQ_F_PARKED;
	list_add_tail(&req->park_node, &ctx->parked);
	spin_unlock_irq(&ctx->completion_lock);

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
		emu_tw_add(req, emu_poll_task_func);
}
