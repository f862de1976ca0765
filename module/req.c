// SPDX-License-Identifier: GPL-2.0
/*
 * The request: its cache, the references it takes to outlive ENTER, where
 * it is issued, and its completion (which may start in any context, and
 * is posted in process context).
 *
 * A request is first issued inline, in ENTER, without blocking. If it would
 * block on a file that can be polled, poll.c parks it on the file's wait
 * queues; otherwise the worker pool (wq.c) issues it again, blocking, as it
 * does at once with IOSQE_ASYNC. A request that runs after
 * its ENTER (a parked one woken, a link behind it, one held back by
 * IOSQE_IO_DRAIN) runs from the task-work executor: a task waiting in ENTER
 * for completions, if it shares the request's address space; else, as
 * io_uring's task work, the submitting task on its way back to userspace
 * (task_work_add() with TWA_SIGNAL); else (the task is gone, or the ring
 * asked for COOP_TASKRUN or DEFER_TASKRUN, which promise not to interrupt
 * it) a kernel worker that borrows that address space (kthread_use_mm())
 * and the submitter's credentials. Nothing else ever runs a request.
 *
 * Before a request leaves ENTER it takes, once, everything it needs later
 * (emu_req_make_async()): a reference on the ring (ctx->refs), the mm
 * (mmgrab: the structure, not the address space), the credentials, the
 * submitting task (for its task work) and its process (to cancel the
 * request when that process exits). Each is
 * released once, in emu_req_put(). Its file reference is taken at
 * submission, for every request.
 *
 * Completions are posted under ctx->completion_lock, in process context
 * (cq.c). Those made inside ENTER are collected in ctx->compl and posted
 * together.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "cq.h"
#include "emu_uring.h"
#include "opdef.h"
#include "req.h"

static struct kmem_cache *emu_req_cachep;

/**
 * emu_req_cache_init() - create the slab cache of requests
 *
 * Return: 0 or -ENOMEM.
 */
int emu_req_cache_init(void)
{
	emu_req_cachep = KMEM_CACHE(emu_req, SLAB_ACCOUNT | SLAB_HWCACHE_ALIGN);
	return emu_req_cachep ? 0 : -ENOMEM;
}

/**
 * emu_req_cache_exit() - destroy the slab cache of requests
 */
void emu_req_cache_exit(void)
{
	kmem_cache_destroy(emu_req_cachep);
}

/**
 * emu_req_refill() - refill the request cache of a ring
 * @ctx: the ring, with @ctx->uring_lock held and an empty request cache
 *
 * The slow path of emu_req_alloc(): requests freed from other contexts,
 * else a new one.
 *
 * Return: true if the cache has a request now.
 */
bool emu_req_refill(struct emu_ring_ctx *ctx)
{
	struct emu_req *req;

	/* The requests freed elsewhere, all at once. */
	ctx->req_cache.first = llist_del_all(&ctx->req_free);
	if (ctx->req_cache.first)
		return true;
	/* No OOM kill for it: submission stops (-EAGAIN). */
	req = kmem_cache_alloc(emu_req_cachep, GFP_KERNEL_ACCOUNT |
			       __GFP_NOWARN | __GFP_NORETRY);
	if (!req)
		return false;
	__llist_add(&req->llnode, &ctx->req_cache);
	return true;
}

/**
 * emu_req_alloc_cqe() - a request that only carries a CQE to the backlog
 *
 * For the extra CQEs of multishot requests, under ctx->completion_lock.
 *
 * Return: the carrier, or NULL without memory.
 */
struct emu_req *emu_req_alloc_cqe(void)
{
	return kmem_cache_alloc(emu_req_cachep,
				GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);
}

/**
 * emu_req_cache_free() - free the requests a ring keeps for reuse
 * @ctx: the ring, being freed
 */
void emu_req_cache_free(struct emu_ring_ctx *ctx)
{
	struct llist_node *node = llist_del_all(&ctx->req_free);
	struct emu_req *req, *next;
	unsigned int n = 0;

	llist_for_each_entry_safe(req, next, node, llnode) {
		kmem_cache_free(emu_req_cachep, req);
		if (!(++n & 1023))
			cond_resched();
	}
	node = __llist_del_all(&ctx->req_cache);
	llist_for_each_entry_safe(req, next, node, llnode) {
		kmem_cache_free(emu_req_cachep, req);
		if (!(++n & 1023))
			cond_resched();
	}
}

/**
 * emu_req_make_async() - take what @req and the links behind it need to
 *	run after ENTER returns
 * @req: a request in the submitter's context
 *
 * A link whose op cannot keep what it needs fails itself when its turn
 * comes (its own CQE carries the error).
 *
 * Return: 0, or a negative errno from the op's prep_async of @req itself
 * (-ENOMEM, -EFAULT): @req then fails with it.
 */
int emu_req_make_async(struct emu_req *req)
{
	struct emu_req *head = req;

	for (; req; req = req->link) {
		const struct emu_op_def *def = emu_req_def(req);
		int ret;

		if (req->state & EMU_REQ_F_ASYNC)
			continue;
		if (unlikely(!current->mm))
			return -ECANCELED;
		refcount_inc(&req->ctx->refs);
		req->state |= EMU_REQ_F_ASYNC;
		mmgrab(current->mm);
		req->mm = current->mm;
		req->creds = get_current_cred();
		req->tgid = get_pid(task_tgid(current));
		req->task = get_task_struct(current);
		if (def->prep_async && !(req->state & EMU_REQ_F_FAILED)) {
			ret = def->prep_async(req);
			if (ret && req == head)
				return ret;
			if (ret) {
				req->res = ret;
				req->state |= EMU_REQ_F_FAILED;
			}
		}
	}
	return 0;
}

/* Drop what a completed request holds, but not its ring reference. */
static void emu_req_put(struct emu_req *req)
{
	const struct emu_op_def *def = emu_req_def(req);

	if (req->async && def->cleanup)
		def->cleanup(req);
	if (req->file) {
		fput(req->file);
		req->file = NULL;
	}
	if (unlikely(req->state & EMU_REQ_F_RING_TARGET))
		emu_ring_put(emu_req_ring_target(req), 1);
	if (req->state & EMU_REQ_F_ASYNC) {
		mmdrop(req->mm);
		put_cred(req->creds);
		put_pid(req->tgid);
		put_task_struct(req->task);
	}
}

/* Whether a completed request posts a CQE. */
static bool emu_req_wants_cqe(const struct emu_req *req)
{
	if (req->state & EMU_REQ_F_SKIP_LINKS)
		return false;
	return !(req->flags & IOSQE_CQE_SKIP_SUCCESS) ||
	       (req->state & EMU_REQ_F_FAILED);
}

/*
 * Release the requests IOSQE_IO_DRAIN held back that may now run: those at
 * the front, up to a drained one that still has earlier requests running.
 */
static void emu_defer_release(struct emu_ring_ctx *ctx,
			      struct list_head *out)
{
	struct emu_req *req, *next;

	lockdep_assert_held(&ctx->completion_lock);
	list_for_each_entry_safe(req, next, &ctx->defer_list, list) {
		if ((req->flags & IOSQE_IO_DRAIN) &&
		    ctx->nr_completed < req->seq)
			break;
		list_move_tail(&req->list, out);
	}
}

static void emu_tw_add_list(struct emu_ring_ctx *ctx, struct list_head *reqs,
			    void (*func)(struct emu_req *req));

/*
 * Post the CQEs of the completed requests on @done, in order, then free
 * them. Requests that find no room in the CQ are kept, as they are, in the
 * backlog (IORING_FEAT_NODROP without an allocation).
 */
static void emu_post_done(struct emu_ring_ctx *ctx, struct emu_done *done,
			  bool locked)
{
	struct emu_req *req, *next;
	unsigned int nr_async = 0;
	LIST_HEAD(released);

	for (req = done->first; req; req = req->done_next) {
		if (unlikely(req->file || req->async ||
			     (req->state & (EMU_REQ_F_ASYNC |
					    EMU_REQ_F_RING_TARGET)))) {
			emu_req_put(req);
			if (req->state & EMU_REQ_F_ASYNC)
				nr_async++;
		}
	}

	spin_lock(&ctx->completion_lock);
	for (req = done->first; req; req = next) {
		next = req->done_next;
		/* Read without the lock by max_inflight and fdinfo. */
		WRITE_ONCE(ctx->nr_completed, ctx->nr_completed + 1);
		if (unlikely(req->state & EMU_REQ_F_PARKED))
			list_del(&req->park_node);
		if (likely(emu_req_wants_cqe(req))) {
			if (unlikely(!list_empty(&ctx->backlog) ||
				     !emu_cq_has_room(ctx))) {
				/* The request holds its CQE there. */
				INIT_LIST_HEAD(&req->list);
				emu_cq_backlog_add(ctx, req);
				continue;
			}
			emu_cq_fill(ctx, req->user_data, req->res, req->cflags);
		}
		/* Back to the cache: its own, or the free list. */
		if (locked)
			__llist_add(&req->llnode, &ctx->req_cache);
		else
			llist_add(&req->llnode, &ctx->req_free);
	}
	if (unlikely(!list_empty(&ctx->defer_list)))
		emu_defer_release(ctx, &released);
	emu_cq_commit(ctx);
	spin_unlock(&ctx->completion_lock);
	emu_cq_wake(ctx);

	if (unlikely(!list_empty(&released)))
		emu_tw_add_list(ctx, &released, emu_req_queue);
	emu_done_init(done);
	/* Last: the ring may go away with its last reference. */
	if (nr_async)
		emu_ring_put(ctx, nr_async);
}

/**
 * emu_compl_flush() - post the completions collected inside ENTER
 * @ctx: the ring, with @ctx->uring_lock held
 */
void emu_compl_flush(struct emu_ring_ctx *ctx)
{
	ctx->nr_compl = 0;
	if (ctx->compl.first)
		emu_post_done(ctx, &ctx->compl, true);
}

/*
 * Set @req's result and queue it on @done. A failed member (unless
 * IOSQE_IO_HARDLINK) cancels the rest of its chain, which is queued behind
 * it. Returns the next member to issue, or NULL.
 */
static struct emu_req *emu_req_finish(struct emu_req *req, s32 res,
				      struct emu_done *done)
{
	struct emu_req *next, *lt = NULL;
	bool skip;

	req->res = res;
	if (res < 0 && !(req->state & EMU_REQ_F_NOFAIL) &&
	    !(res == -ETIME && (req->state & EMU_REQ_F_ETIME_OK)))
		req->state |= EMU_REQ_F_FAILED;
	/* Its linked timeout leaves the chain: -ECANCELED, right behind it. */
	if (unlikely(req->state & (EMU_REQ_F_ARM_LTIMEOUT |
				   EMU_REQ_F_LINK_TIMEOUT)))
		lt = emu_ltimeout_disarm(req);
	next = req->link;
	req->link = NULL;
	emu_done_add(done, req);
	/* As io_uring, not a failure: CQE_SKIP_SUCCESS skips it. */
	if (lt) {
		lt->res = -ECANCELED;
		emu_done_add(done, lt);
	}
	if (!next)
		return NULL;
	if (!(req->state & EMU_REQ_F_FAILED) ||
	    (req->flags & IOSQE_IO_HARDLINK))
		return next;

	/*
	 * Like io_uring, the CQEs of the cancelled links are skipped if the
	 * failed member asked to skip its CQE on success.
	 */
	skip = req->flags & IOSQE_CQE_SKIP_SUCCESS;
	while (next) {
		struct emu_req *link = next->link;

		if (!(next->state & EMU_REQ_F_FAILED))
			next->res = -ECANCELED;
		next->state |= EMU_REQ_F_FAILED;
		if (skip)
			next->state |= EMU_REQ_F_SKIP_LINKS;
		next->link = NULL;
		emu_done_add(done, next);
		next = link;
	}
	return NULL;
}

/* The issuing context holds ctx->uring_lock: ENTER's submission. */
static bool emu_in_submit(struct emu_ring_ctx *ctx)
{
	return mutex_is_locked(&ctx->uring_lock) &&
	       READ_ONCE(ctx->submit_task) == current;
}

/**
 * emu_req_done() - complete a request from a context that may issue more
 * @req: the request, owned by the caller
 * @res: its result
 *
 * Inside ENTER the CQE joins the batch; elsewhere it is posted now.
 *
 * Return: the next member of its chain to issue, or NULL.
 */
struct emu_req *emu_req_done(struct emu_req *req, s32 res)
{
	struct emu_ring_ctx *ctx = req->ctx;
	struct emu_req *next;
	struct emu_done done;

	if (emu_in_submit(ctx)) {
		next = emu_req_finish(req, res, &ctx->compl);
		if (++ctx->nr_compl >= EMU_COMPL_BATCH)
			emu_compl_flush(ctx);
		return next;
	}
	emu_done_init(&done);
	next = emu_req_finish(req, res, &done);
	emu_post_done(ctx, &done, false);
	return next;
}

/**
 * emu_req_fail_chain() - fail a request and every link behind it
 * @req: the head of a chain no member of which has run
 * @res: the head's result; the others get -ECANCELED (or their own
 *	preparation error)
 */
void emu_req_fail_chain(struct emu_req *req, s32 res)
{
	req->flags &= ~IOSQE_IO_HARDLINK;
	req->state |= EMU_REQ_F_FAILED;
	emu_req_done(req, res);
}

/**
 * emu_compl_flush_if_submit() - post this ENTER's completions so far, if
 *	called inside its submission
 * @ctx: the ring
 *
 * Before a request leaves ENTER (parks, blocks, is held back): the CQEs of
 * the requests before it, its own links' among them, come first.
 */
void emu_compl_flush_if_submit(struct emu_ring_ctx *ctx)
{
	if (emu_in_submit(ctx))
		emu_compl_flush(ctx);
}

/**
 * emu_req_punt() - hand a request that can only block to the worker pool
 * @req: the request, owned by the caller, with a file of its own
 *
 * Return: EMU_ISSUE_QUEUED, or the error to complete it with: what
 * emu_req_make_async() gives, or -ECANCELED if the ring is released.
 */
int emu_req_punt(struct emu_req *req)
{
	int ret = emu_req_make_async(req);

	if (unlikely(ret))
		return ret;
	/*
	 * Earlier CQEs of this ENTER first: a worker may complete it before
	 * ENTER posts them, and a link's order must be kept.
	 */
	emu_compl_flush_if_submit(req->ctx);
	ret = emu_wq_enqueue(req);
	return ret ?: EMU_ISSUE_QUEUED;
}

/**
 * emu_req_pollable() - whether a request that would block waits on its
 *	file's wait queues
 * @req: the request, with its file
 *
 * Return: true for a read or write of a file that can be polled, but not
 * an O_DIRECT one.
 */
bool emu_req_pollable(struct emu_req *req)
{
	const struct emu_op_def *def = emu_req_def(req);

	return (def->pollin || def->pollout) &&
	       !(req->state & EMU_REQ_F_DIO) && file_can_poll(req->file);
}

/**
 * emu_req_queue() - issue a request, and the links behind it that can run
 * @req: a prepared request, owned by the caller
 *
 * Called inside ENTER, from the task-work executor and from the worker
 * pool. Each member is issued without blocking first; one that would block
 * is parked on its file (and the rest of its chain with it), or handed to
 * the worker pool if its file cannot be polled. IOSQE_ASYNC goes to the
 * pool at once.
 */
void emu_req_queue(struct emu_req *req)
{
	struct emu_req *lt = NULL, *next;

	while (req) {
		int ret;

		if (unlikely(req->state & (EMU_REQ_F_CANCELED | EMU_REQ_F_FAILED))) {
			/* Cancelled, or a link that failed when it went async. */
			req = emu_req_done(req, req->state & EMU_REQ_F_CANCELED ?
					   -ECANCELED : req->res);
			continue;
		}
		if (unlikely(!req->file &&
			     !(req->state & EMU_REQ_F_RING_TARGET) &&
			     (emu_req_def(req)->needs_file ||
			      (req->state & EMU_REQ_F_NEEDS_FILE)))) {
			req = emu_req_done(req, req->state & EMU_REQ_F_RING_FILE ?
					   -EINVAL : -EBADF);
			continue;
		}
		/* Its IORING_OP_LINK_TIMEOUT starts when it is issued. */
		if (unlikely(req->state & EMU_REQ_F_ARM_LTIMEOUT))
			lt = emu_ltimeout_prepare(req);
		/* IOSQE_ASYNC, or known to block: straight to the pool. */
		if (unlikely((req->flags & IOSQE_ASYNC) ||
			     (req->state & EMU_REQ_F_BLOCK)))
			ret = emu_req_punt(req);
		else
			ret = emu_req_issue(req, EMU_ISSUE_NONBLOCK);
		if (unlikely(ret == -EAGAIN) &&
		    !(req->state & EMU_REQ_F_NOWAIT)) {
			if (emu_req_pollable(req) &&
			    !(req->state & EMU_REQ_F_BLOCK)) {
				next = emu_poll_park(req, NULL);
				/* Parked (or done): no longer ours to touch. */
				if (lt)
					emu_ltimeout_arm(lt);
				lt = NULL;
				req = next;
				continue;
			}
			ret = emu_req_punt(req);
		}
		/* In flight (the pool, O_DIRECT, a timer): done elsewhere. */
		if (ret == EMU_ISSUE_QUEUED) {
			if (lt)
				emu_ltimeout_arm(lt);
			return;
		}
		if (lt)
			emu_ltimeout_unarm(lt);
		lt = NULL;
		req = emu_req_done(req, ret);
	}
}

static void emu_tw_task_func(struct callback_head *cb);

/*
 * Have the task work of @task run the executor's list, or a worker if it
 * cannot: it is exiting, or the ring asked not to be interrupted. The
 * caller holds a reference on the ring.
 */
static void emu_tw_kick(struct emu_ring_ctx *ctx, struct task_struct *task)
{
	if (task && !(ctx->flags & (IORING_SETUP_COOP_TASKRUN |
				    IORING_SETUP_DEFER_TASKRUN))) {
		/*
		 * Queued and not started: it takes what was added, this too.
		 * Fully ordered: pairs with emu_tw_task_func().
		 */
		if (atomic_xchg(&ctx->tw_task_queued, 1)) {
			if (READ_ONCE(ctx->tw_task) == task)
				return;
			/* Another task's: it may be stopped. */
			queue_work(emu_wq, &ctx->tw_work);
			return;
		}
		WRITE_ONCE(ctx->tw_task, task);
		/* The task work's: emu_tw_task_func() drops it. */
		refcount_inc(&ctx->refs);
		init_task_work(&ctx->tw_cb, emu_tw_task_func);
		if (!task_work_add(task, &ctx->tw_cb, TWA_SIGNAL))
			return;
		/* Past its exit_task_work(): the worker does it. */
		atomic_set(&ctx->tw_task_queued, 0);
		refcount_dec(&ctx->refs);
	}
	queue_work(emu_wq, &ctx->tw_work);
}

/*
 * The task work: in the submitting task, on its way back to userspace
 * (or out of a wait), with its own mm and credentials.
 */
static void emu_tw_task_func(struct callback_head *cb)
{
	struct emu_ring_ctx *ctx = container_of(cb, struct emu_ring_ctx, tw_cb);

	/*
	 * What is added from now on queues it again (task_work_run() is done
	 * with @cb): cleared before the list is taken, fully ordered, pairs
	 * with emu_tw_kick().
	 */
	atomic_xchg(&ctx->tw_task_queued, 0);
	/* In do_exit(), after exit_mm(): only the worker can run it now. */
	if (unlikely(current->flags & PF_EXITING))
		queue_work(emu_wq, &ctx->tw_work);
	else
		emu_tw_run(ctx);
	emu_ring_put(ctx, 1);
}

/* Add the chain first..last to the executor's list and kick it. */
static void emu_tw_add_batch(struct emu_ring_ctx *ctx, struct llist_node *first,
			     struct llist_node *last, struct task_struct *task)
{
	/*
	 * Once on the list the requests may run, complete and drop the last
	 * reference to the ring before this returns: hold one meanwhile.
	 */
	refcount_inc(&ctx->refs);
	/* Only the first of a run of additions needs to kick anyone. */
	if (llist_add_batch(first, last, &ctx->tw_list)) {
		/* Fully ordered: pairs with emu_tw_waiter_exit(). */
		if (atomic_read(&ctx->tw_waiters))
			wake_up_all(&ctx->cq_wait);
		else
			emu_tw_kick(ctx, task);
	}
	emu_ring_put(ctx, 1);
}

/**
 * emu_tw_add() - have the task-work executor run @func on @req
 * @req: a request, with EMU_REQ_F_ASYNC
 * @func: what to run, in a context with the request's mm and credentials
 *
 * Any context. A task waiting in ENTER runs it if it can; else the
 * submitting task's task work; else a worker.
 */
void emu_tw_add(struct emu_req *req, void (*func)(struct emu_req *req))
{
	req->tw_func = func;
	emu_tw_add_batch(req->ctx, &req->llnode, &req->llnode, req->task);
}

/*
 * Hand requests to the executor in one go, in their order: one executor
 * takes them all and runs them one after the other (the requests a drain
 * releases must start in submission order).
 */
static void emu_tw_add_list(struct emu_ring_ctx *ctx, struct list_head *reqs,
			    void (*func)(struct emu_req *req))
{
	struct llist_node *first = NULL, *last = NULL;
	struct task_struct *task = NULL;
	struct emu_req *req, *next;

	/* llist is LIFO and the executor reverses it: add the last first. */
	list_for_each_entry_safe_reverse(req, next, reqs, list) {
		list_del(&req->list);
		req->tw_func = func;
		req->llnode.next = NULL;
		if (last)
			last->next = &req->llnode;
		else
			first = &req->llnode;
		last = &req->llnode;
		task = req->task;
	}
	emu_tw_add_batch(ctx, first, last, task);
}

static void emu_tw_call(struct emu_req *req)
{
	const struct cred *old = NULL;

	if (req->creds != current_cred())
		old = override_creds(req->creds);
	req->tw_func(req);
	if (old)
		revert_creds(old);
}

/**
 * emu_tw_run() - run the task work a waiter in ENTER can run
 * @ctx: the ring
 *
 * Requests of another address space (a ring shared with a forked child)
 * are handed to the worker.
 *
 * Return: true if anything was taken from the list.
 */
bool emu_tw_run(struct emu_ring_ctx *ctx)
{
	struct llist_node *node = llist_del_all(&ctx->tw_list);
	struct emu_req *req, *next;
	bool foreign = false;

	if (!node)
		return false;
	node = llist_reverse_order(node);
	llist_for_each_entry_safe(req, next, node, llnode) {
		if (req->mm != current->mm &&
		    !(req->state & EMU_REQ_F_TW_ANY_MM)) {
			llist_add(&req->llnode, &ctx->tw_foreign);
			foreign = true;
			continue;
		}
		emu_tw_call(req);
	}
	if (foreign)
		queue_work(emu_wq, &ctx->tw_work);
	return true;
}

/**
 * emu_tw_waiter_enter() - a task in ENTER runs the task work from now on
 * @ctx: the ring
 *
 * Task work added until emu_tw_waiter_exit() wakes ENTER's waiters instead
 * of the worker; the task runs it (emu_tw_run()) before it leaves ENTER.
 */
void emu_tw_waiter_enter(struct emu_ring_ctx *ctx)
{
	atomic_inc(&ctx->tw_waiters);
	/* Pairs with llist_add() in emu_tw_add(). */
	smp_mb__after_atomic();
}

/**
 * emu_tw_waiter_exit() - a waiter leaves: run what it was left
 * @ctx: the ring
 *
 * What was added while it was a waiter only woke it: it runs that on its
 * way out. What is added after this kicks the task work or the worker.
 */
void emu_tw_waiter_exit(struct emu_ring_ctx *ctx)
{
	atomic_dec(&ctx->tw_waiters);
	/* Pairs with llist_add() in emu_tw_add(). */
	smp_mb__after_atomic();
	if (!llist_empty(&ctx->tw_list))
		emu_tw_run(ctx);
}

/* Mark a request whose address space is gone: it can only be cancelled. */
static void emu_req_mark_canceled(struct emu_req *req)
{
	req->state |= EMU_REQ_F_CANCELED;
	emu_poll_mark_canceled(req);
}

/**
 * emu_tw_work() - the worker side of the task-work executor
 * @work: the ring's tw_work
 *
 * Runs in a kernel worker: the request's address space is borrowed with
 * kthread_use_mm() while it still has users; if it has none (the process
 * is gone) the request is cancelled.
 */
void emu_tw_work(struct work_struct *work)
{
	struct emu_ring_ctx *ctx = container_of(work, struct emu_ring_ctx,
						tw_work);
	struct mm_struct *mm = NULL;

	for (;;) {
		struct llist_node *node = llist_del_all(&ctx->tw_foreign);
		struct emu_req *req, *next;

		if (!node)
			node = llist_del_all(&ctx->tw_list);
		if (!node)
			break;
		node = llist_reverse_order(node);
		llist_for_each_entry_safe(req, next, node, llnode) {
			/* Nothing to borrow an address space for. */
			if (req->state & EMU_REQ_F_TW_ANY_MM) {
				emu_tw_call(req);
				cond_resched();
				continue;
			}
			if (req->mm != mm) {
				if (mm) {
					kthread_unuse_mm(mm);
					mmput(mm);
					mm = NULL;
				}
				if (mmget_not_zero(req->mm)) {
					mm = req->mm;
					kthread_use_mm(mm);
				}
			}
			if (req->mm != mm)
				emu_req_mark_canceled(req);
			emu_tw_call(req);
			cond_resched();
		}
	}
	if (mm) {
		kthread_unuse_mm(mm);
		mmput(mm);
	}
}
