// SPDX-License-Identifier: GPL-2.0
/*
 * The worker pool: kernel threads that run the requests that can only
 * block (io_uring's io-wq).
 *
 * A request goes here when it would block and its file cannot be polled
 * (buffered I/O that needs the disk, FSYNC, files without FMODE_NOWAIT),
 * when a blocking retry is needed (O_DIRECT the device refused without
 * waiting), and at once with IOSQE_ASYNC. ENTER never blocks on one.
 *
 * One pool serves every ring. It has at most max_workers threads (a module
 * parameter; 0 means four per CPU, io_uring's bound); one is always there,
 * the others are made on demand and leave after EMU_WQ_IDLE_TIMEOUT idle.
 * Rings with queued work take turns: a worker takes one request from the
 * first ring and sends it to the back, and a ring takes no more than its
 * share of the pool while others wait.
 *
 * Buffered writes to a regular file are hashed by inode, as io-wq does: the
 * requests of one bucket run one at a time, in order, so appending writes
 * land in submission order and one busy file cannot take every worker.
 * Requests of one bucket are kept next to each other in the ring's queue
 * (@hash_tail), so a worker passes a busy bucket in one step.
 *
 * A worker runs a request with its submitter's address space
 * (kthread_use_mm()), credentials, memory and block cgroups, and file size
 * limit; its files were taken at submission. Cancelling a request that
 * runs signals its worker, as io-wq does: SIGINT ends interruptible waits
 * (the request then fails with -EINTR), and when the submitter exits,
 * SIGKILL ends killable ones too, as the exit ends those of io_uring's
 * workers, which are its threads. The worker forgets the signal before its
 * next request.
 */
#include <linux/blk-cgroup.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "emu_uring.h"
#include "opdef.h"
#include "trace.h"

#define EMU_WQ_IDLE_TIMEOUT	(5 * HZ)

static unsigned int max_workers;

static void emu_wq_kick(void);

/* A larger bound lets waiting work run now. */
static int emu_wq_set_max(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		emu_wq_kick();
	return ret;
}

static const struct kernel_param_ops emu_wq_max_ops = {
	.set	= emu_wq_set_max,
	.get	= param_get_uint,
};

module_param_cb(max_workers, &emu_wq_max_ops, &max_workers, 0644);
MODULE_PARM_DESC(max_workers,
		 "Worker threads for blocking requests, across all rings (0: 4 per CPU)");

/**
 * struct emu_worker - one thread of the pool
 * @task: the thread
 * @node: on emu_pool.workers
 * @idle_node: on emu_pool.idle while it sleeps
 * @req: the request it runs, or NULL; only compared, never followed
 * @ctx: the ring of @req
 * @key: the fields of @req cancellation matches on, copied when it was
 *	taken: @req itself may complete elsewhere (an O_DIRECT retry) while
 *	the worker still has it
 * @hash: the bucket it holds, or -1
 * @canceled: cancellation found @req running: it is not parked after all
 * @stop: emu_wq_exit() has it, and frees it
 */
struct emu_worker {
	struct task_struct *task;
	struct list_head node;
	struct list_head idle_node;
	struct emu_req *req;
	struct emu_ring_ctx *ctx;
	struct emu_req key;
	int hash;
	bool canceled;
	bool stop;
};

/**
 * struct emu_wq_pool - the workers and the rings with queued work
 * @lock: everything here, and every ring's struct emu_wq_ring
 * @rings: rings with queued requests, in the order they take turns
 * @workers: every worker
 * @idle: workers sleeping for work
 * @nr_workers: workers made or being made
 * @nr_running: workers that run a request
 * @nr_rings: entries in @rings
 */
static struct emu_wq_pool {
	spinlock_t lock;	/* the pool and every ring's queue */
	struct list_head rings;
	struct list_head workers;
	struct list_head idle;
	unsigned int nr_workers;
	unsigned int nr_running;
	unsigned int nr_rings;
} emu_pool = {
	.lock		= __SPIN_LOCK_UNLOCKED(emu_pool.lock),
	.rings		= LIST_HEAD_INIT(emu_pool.rings),
	.workers	= LIST_HEAD_INIT(emu_pool.workers),
	.idle		= LIST_HEAD_INIT(emu_pool.idle),
};

static unsigned int emu_wq_limit(void)
{
	unsigned int n = READ_ONCE(max_workers);

	return n ?: 4 * num_online_cpus();
}

/* A buffered write to a regular file: its bucket, else -1. */
static int emu_wq_hash(const struct emu_req *req)
{
	const struct emu_op_def *def = emu_req_def(req);

	if (!def->hash_reg_file || !req->file ||
	    !S_ISREG(file_inode(req->file)->i_mode))
		return -1;
	return hash_ptr(file_inode(req->file), EMU_WQ_HASH_BITS);
}

/**
 * emu_wq_ring_init() - set up a ring's queue
 * @wq: the queue, in a ring being made
 */
void emu_wq_ring_init(struct emu_wq_ring *wq)
{
	memset(wq, 0, sizeof(*wq));
	INIT_LIST_HEAD(&wq->work);
	INIT_LIST_HEAD(&wq->node);
}

static int emu_worker_fn(void *data);

/* Make a worker; false if it could not be made. */
static bool emu_worker_create(void)
{
	struct emu_worker *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *task;

	if (!w)
		return false;
	w->hash = -1;
	INIT_LIST_HEAD(&w->idle_node);
	task = kthread_create(emu_worker_fn, w, "emu_uring-wrk");
	if (IS_ERR(task)) {
		kfree(w);
		return false;
	}
	w->task = task;
	spin_lock_irq(&emu_pool.lock);
	list_add_tail(&w->node, &emu_pool.workers);
	spin_unlock_irq(&emu_pool.lock);
	wake_up_process(task);
	return true;
}

/* Wake an idle worker, if there is one; the pool lock is held. */
static void emu_wq_wake_idle(void)
{
	struct emu_worker *w;

	w = list_first_entry_or_null(&emu_pool.idle, struct emu_worker,
				     idle_node);
	if (w) {
		list_del_init(&w->idle_node);
		wake_up_process(w->task);
	}
}

/* Take a request out of its ring's queue; the pool lock is held. */
static void emu_wq_unqueue(struct emu_wq_ring *wq, struct emu_req *req,
			   int hash)
{
	if (hash >= 0 && wq->hash_tail[hash] == req) {
		struct emu_req *prev = list_prev_entry(req, list);

		/* The bucket's run ends one earlier, or is gone. */
		if (&prev->list != &wq->work && emu_wq_hash(prev) == hash)
			wq->hash_tail[hash] = prev;
		else
			wq->hash_tail[hash] = NULL;
	}
	list_del(&req->list);
	if (list_empty(&wq->work)) {
		list_del_init(&wq->node);
		emu_pool.nr_rings--;
		/* A ring fewer: the others' shares grow. */
		if (emu_pool.nr_rings)
			emu_wq_wake_idle();
	}
}

/* Wake an idle worker, or say that one should be made; the lock is held. */
static bool emu_wq_wake_one(void)
{
	if (!list_empty(&emu_pool.idle)) {
		emu_wq_wake_idle();
		return false;
	}
	if (emu_pool.nr_workers < emu_wq_limit()) {
		emu_pool.nr_workers++;
		return true;
	}
	return false;
}

/**
 * emu_wq_grow() - make the worker emu_wq_enqueue_locked() asked for
 *
 * Process context. Without it, the workers there are take the request in
 * their turn.
 */
void emu_wq_grow(void)
{
	if (!emu_worker_create()) {
		spin_lock_irq(&emu_pool.lock);
		emu_pool.nr_workers--;
		spin_unlock_irq(&emu_pool.lock);
	}
}

/* Queue @req unless its ring is released; the pool lock is held. */
static int __emu_wq_enqueue(struct emu_req *req, bool *grow)
{
	struct emu_wq_ring *wq = &req->ctx->wq;
	int hash = emu_wq_hash(req);

	*grow = false;
	if (unlikely(wq->dead))
		return -ECANCELED;
	trace_emu_uring_queue_async_work(req->ctx, req, req->user_data,
					 req->opcode, hash >= 0);
	if (hash >= 0 && wq->hash_tail[hash])
		list_add(&req->list, &wq->hash_tail[hash]->list);
	else
		list_add_tail(&req->list, &wq->work);
	if (hash >= 0)
		wq->hash_tail[hash] = req;
	if (list_empty(&wq->node)) {
		list_add_tail(&wq->node, &emu_pool.rings);
		emu_pool.nr_rings++;
	}
	*grow = emu_wq_wake_one();
	return 0;
}

/**
 * emu_wq_enqueue_locked() - queue a parked request for the pool
 * @req: a request with EMU_REQ_F_ASYNC, owned by the caller
 * @grow: set if the caller is to call emu_wq_grow() once it may sleep
 *
 * Under ctx->completion_lock, which the request leaves the parked list
 * under, so that cancellation (which holds it too) finds the request in
 * one place or the other. The request and the links behind it are the
 * pool's from now on.
 *
 * Return: 0, or -ECANCELED if its ring is being released (the request is
 * still the caller's).
 */
int emu_wq_enqueue_locked(struct emu_req *req, bool *grow)
{
	int ret;

	lockdep_assert_held(&req->ctx->completion_lock);
	spin_lock(&emu_pool.lock);
	ret = __emu_wq_enqueue(req, grow);
	spin_unlock(&emu_pool.lock);
	return ret;
}

/**
 * emu_wq_enqueue() - queue a request for the pool
 * @req: a request with EMU_REQ_F_ASYNC, owned by the caller
 *
 * Process context. The request and the links behind it are the pool's
 * from now on.
 *
 * Return: 0, or -ECANCELED if its ring is being released (the request is
 * still the caller's).
 */
int emu_wq_enqueue(struct emu_req *req)
{
	bool grow;
	int ret;

	spin_lock_irq(&emu_pool.lock);
	ret = __emu_wq_enqueue(req, &grow);
	spin_unlock_irq(&emu_pool.lock);
	if (grow)
		emu_wq_grow();
	return ret;
}

/* The requests queued in the pool, counted up to @max; the lock is held. */
static unsigned int emu_wq_nr_queued(unsigned int max)
{
	struct emu_wq_ring *wq;
	struct emu_req *req;
	unsigned int n = 0;

	list_for_each_entry(wq, &emu_pool.rings, node)
		list_for_each_entry(req, &wq->work, list)
			if (++n >= max)
				return n;
	return n;
}

/*
 * Queued work may run now (the bound was raised): as many workers as may
 * run come to look.
 */
static void emu_wq_kick(void)
{
	unsigned int i, n;

	spin_lock_irq(&emu_pool.lock);
	n = emu_wq_limit();
	n = n > emu_pool.nr_running ? n - emu_pool.nr_running : 0;
	/* No more than there are requests queued. */
	n = min(n, emu_wq_nr_queued(n));
	spin_unlock_irq(&emu_pool.lock);
	for (i = 0; i < n; i++) {
		bool grow = false, more;

		spin_lock_irq(&emu_pool.lock);
		more = emu_pool.nr_rings;
		if (more)
			grow = emu_wq_wake_one();
		spin_unlock_irq(&emu_pool.lock);
		if (!more)
			break;
		if (grow)
			emu_wq_grow();
	}
}

/*
 * The next request for @w, from the first ring in turn that is below its
 * share of the pool and has one whose bucket is free. The pool lock is
 * held.
 */
static struct emu_req *emu_wq_pick(struct emu_worker *w)
{
	unsigned int share, limit = emu_wq_limit();
	struct emu_wq_ring *wq;

	/* The bound holds when it is lowered too: the extra workers wait. */
	if (!emu_pool.nr_rings || emu_pool.nr_running >= limit)
		return NULL;
	share = DIV_ROUND_UP(limit, emu_pool.nr_rings);
	list_for_each_entry(wq, &emu_pool.rings, node) {
		struct emu_req *req;

		if (wq->nr_running >= share)
			continue;
		list_for_each_entry(req, &wq->work, list) {
			int hash = emu_wq_hash(req);

			if (hash >= 0 && test_bit(hash, wq->hash_busy)) {
				/* Past the whole run of the busy bucket. */
				req = wq->hash_tail[hash];
				continue;
			}
			emu_wq_unqueue(wq, req, hash);
			if (hash >= 0)
				__set_bit(hash, wq->hash_busy);
			/* Its turn is over: to the back. */
			if (!list_empty(&wq->node))
				list_move_tail(&wq->node, &emu_pool.rings);
			/*
			 * The worker's own hold on the ring: an issue that
			 * hands the request on (O_DIRECT, a timer) may see it
			 * complete, and its ring freed, before the worker lets
			 * go (emu_wq_release()).
			 */
			refcount_inc(&req->ctx->refs);
			wq->nr_running++;
			emu_pool.nr_running++;
			w->hash = hash;
			w->req = req;
			w->ctx = req->ctx;
			w->key.ctx = req->ctx;
			w->key.user_data = req->user_data;
			w->key.file = req->file;
			w->key.opcode = req->opcode;
			w->key.tgid = req->tgid;
			w->key.seq = req->seq;
			/* A polled ring: cancel by fd matches on it. */
			w->key.state = req->state & EMU_REQ_F_RING_TARGET;
			if (w->key.state && req->opcode == IORING_OP_POLL_ADD)
				w->key.poll_add.ring = req->poll_add.ring;
			else if (w->key.state)
				w->key.cancel.ring = req->cancel.ring;
			w->canceled = false;
			/*
			 * Others may run now too: the ring's share grows as
			 * rings run dry, or another ring waits.
			 */
			if (emu_pool.nr_rings)
				emu_wq_wake_idle();
			return req;
		}
	}
	return NULL;
}

/*
 * The request has been issued: cancellation no longer finds it in @w,
 * and its bucket is free. A signal that cancellation sent meanwhile is
 * forgotten: it was for this request, not for the links the worker issues
 * next.
 */
static void emu_wq_release(struct emu_worker *w)
{
	struct emu_ring_ctx *ctx = w->ctx;
	struct emu_wq_ring *wq = &ctx->wq;

	spin_lock_irq(&emu_pool.lock);
	if (w->hash >= 0)
		__clear_bit(w->hash, wq->hash_busy);
	wq->nr_running--;
	emu_pool.nr_running--;
	w->req = NULL;
	w->ctx = NULL;
	w->hash = -1;
	spin_unlock_irq(&emu_pool.lock);
	if (signal_pending(current))
		flush_signals(current);
	emu_ring_put(ctx, 1);
}

/**
 * emu_wq_abort() - where a request that a pool worker runs learns it is
 *	cancelled
 *
 * Return: in a pool worker, the flag that cancellation sets for the
 * request it runs (an op that is to wait on its file checks it under
 * ctx->completion_lock, as emu_poll_park() does); elsewhere NULL.
 */
const bool *emu_wq_abort(void)
{
	struct emu_worker *w;

	if (!emu_wq_current_is_worker())
		return NULL;
	w = kthread_data(current);
	return &w->canceled;
}

/**
 * emu_wq_current_is_worker() - whether a pool worker is running this
 *
 * Return: true in one of the pool's workers, as io_wq_current_is_worker().
 */
bool emu_wq_current_is_worker(void)
{
	return in_task() && (current->flags & PF_KTHREAD) &&
	       kthread_func(current) == emu_worker_fn;
}

/* Run one request; the worker has its address space and credentials. */
static void emu_wq_issue(struct emu_worker *w, struct emu_req *req)
{
	struct emu_req *next;
	int ret;

	/* Cancelled since it was picked: as io-wq, it does not start. */
	if ((req->state & EMU_REQ_F_CANCELED) || READ_ONCE(w->canceled)) {
		ret = -ECANCELED;
	} else if ((req->flags & IOSQE_ASYNC) && emu_req_pollable(req) &&
		   !(req->state & EMU_REQ_F_BLOCK)) {
		/* As io-wq: a file that can be polled is waited on instead. */
		ret = emu_req_issue(req, EMU_ISSUE_NONBLOCK);
		if (ret == -EAGAIN && !(req->state & EMU_REQ_F_NOWAIT)) {
			if (req->state & EMU_REQ_F_BLOCK) {
				ret = emu_req_issue(req, 0);
			} else {
				/*
				 * Parked before the worker lets go: a
				 * cancellation finds it in one place or the
				 * other, and one that found it running
				 * keeps it from being parked.
				 */
				next = emu_poll_park(req, &w->canceled);
				emu_wq_release(w);
				emu_req_queue(next);
				return;
			}
		}
	} else {
		ret = emu_req_issue(req, 0);
	}
	emu_wq_release(w);
	/* In flight (O_DIRECT, a timer): it completes elsewhere. */
	if (ret == EMU_ISSUE_QUEUED)
		return;
	emu_req_queue(emu_req_done(req, ret));
}

/* The submitter's file size limit, from its process (the mm's owner). */
static void emu_wq_set_fsize(struct mm_struct *mm)
{
	struct rlimit *rlim = &current->signal->rlim[RLIMIT_FSIZE];
	unsigned long cur = RLIM_INFINITY, max = RLIM_INFINITY;
#ifdef CONFIG_MEMCG
	struct task_struct *owner;

	rcu_read_lock();
	owner = rcu_dereference(mm->owner);
	if (owner) {
		cur = READ_ONCE(owner->signal->rlim[RLIMIT_FSIZE].rlim_cur);
		max = READ_ONCE(owner->signal->rlim[RLIMIT_FSIZE].rlim_max);
	}
	rcu_read_unlock();
#endif
	/* A kthread's signal_struct is its own. */
	task_lock(current);
	rlim->rlim_cur = cur;
	rlim->rlim_max = max;
	task_unlock(current);
}

/* The submitter's block cgroup, through the mm's owner, or NULL. */
static struct cgroup_subsys_state *emu_wq_blkcg(struct mm_struct *mm)
{
	struct cgroup_subsys_state *css = NULL;
#if defined(CONFIG_MEMCG) && defined(CONFIG_BLK_CGROUP)
	struct task_struct *owner;

	rcu_read_lock();
	owner = rcu_dereference(mm->owner);
	if (owner)
		css = task_get_css(owner, io_cgrp_id);
	rcu_read_unlock();
#endif
	return css;
}

/* Run @req as its submitter would, then let go of what was borrowed. */
static void emu_worker_run(struct emu_worker *w, struct emu_req *req)
{
	struct mm_struct *mm = req->mm;
	struct cgroup_subsys_state *blkcg;
	struct mem_cgroup *memcg, *old_memcg;
	const struct cred *old_cred;

	/* Its process is gone: nothing to run it in. */
	if (!mmget_not_zero(mm)) {
		req->state |= EMU_REQ_F_CANCELED;
		emu_wq_issue(w, req);
		return;
	}
	kthread_use_mm(mm);
	old_cred = override_creds(req->creds);
	memcg = get_mem_cgroup_from_mm(mm);
	old_memcg = set_active_memcg(memcg);
	blkcg = emu_wq_blkcg(mm);
	kthread_associate_blkcg(blkcg);
	emu_wq_set_fsize(mm);

	emu_wq_issue(w, req);

	kthread_associate_blkcg(NULL);
	if (blkcg)
		css_put(blkcg);
	set_active_memcg(old_memcg);
	mem_cgroup_put(memcg);
	revert_creds(old_cred);
	kthread_unuse_mm(mm);
	mmput(mm);
}

static int emu_worker_fn(void *data)
{
	struct emu_worker *w = data;

	/* What cancellation sends; the worker itself never dies of them. */
	allow_signal(SIGINT);
	allow_signal(SIGKILL);
	for (;;) {
		struct emu_req *req;
		long left;

		spin_lock_irq(&emu_pool.lock);
		req = emu_wq_pick(w);
		if (req) {
			spin_unlock_irq(&emu_pool.lock);
			emu_worker_run(w, req);
			flush_signals(current);
			cond_resched();
			continue;
		}
		if (w->stop)
			break;
		list_add(&w->idle_node, &emu_pool.idle);
		set_current_state(TASK_IDLE);
		spin_unlock_irq(&emu_pool.lock);

		left = schedule_timeout(EMU_WQ_IDLE_TIMEOUT);

		spin_lock_irq(&emu_pool.lock);
		list_del_init(&w->idle_node);
		/*
		 * Idle for long: one worker stays, the others go, holding the
		 * module until their last instruction (none leaves once the
		 * module is going: emu_wq_exit() stops them).
		 */
		if (!left && !emu_pool.nr_rings && emu_pool.nr_workers > 1 &&
		    !w->stop && try_module_get(THIS_MODULE)) {
			emu_pool.nr_workers--;
			list_del(&w->node);
			spin_unlock_irq(&emu_pool.lock);
			kfree(w);
			module_put_and_kthread_exit(0);
		}
		spin_unlock_irq(&emu_pool.lock);
	}
	/* kthread_stop(): emu_wq_exit() has taken it off the list. */
	spin_unlock_irq(&emu_pool.lock);
	return 0;
}

/**
 * emu_wq_cancel() - cancel a ring's requests in the pool
 * @ctx: the ring, with ctx->completion_lock held: a request that moves
 *	between the pool and the parked list does so under it, so that the
 *	caller finds it in one or the other
 * @match: whether a request is one to cancel; it is given the request, or
 *	for one that runs a copy of its ctx, user_data, file, opcode, tgid
 *	and seq
 * @arg: for @match
 * @flags: EMU_WQ_CANCEL_ALL (every match, not the first only),
 *	EMU_WQ_CANCEL_DEAD (the ring is being released: nothing may be
 *	queued from now on), EMU_WQ_CANCEL_KILL (the submitter exits)
 * @canceled: the queued requests that matched are moved here; the caller
 *	completes them with emu_wq_cancel_done() once it has unlocked
 *
 * A running request that matches is interrupted and finishes on its own:
 * its worker gets SIGINT, which ends interruptible waits (the request then
 * fails with -EINTR), or SIGKILL with EMU_WQ_CANCEL_KILL, which ends
 * killable ones too. If it was about to wait on its file, it is not
 * parked but fails with -ECANCELED.
 *
 * Return: how many queued requests were taken, or -EALREADY if none was
 * (or, with EMU_WQ_CANCEL_ALL, any was) but one that matches runs, or
 * -ENOENT.
 */
int emu_wq_cancel(struct emu_ring_ctx *ctx,
		  bool (*match)(const struct emu_req *req, const void *arg),
		  const void *arg, unsigned int flags,
		  struct list_head *canceled)
{
	bool all = flags & EMU_WQ_CANCEL_ALL;
	struct emu_wq_ring *wq = &ctx->wq;
	struct emu_req *req, *next;
	struct emu_worker *w;
	int nr = 0, running = 0;

	lockdep_assert_held(&ctx->completion_lock);
	spin_lock(&emu_pool.lock);
	if (flags & EMU_WQ_CANCEL_DEAD)
		wq->dead = true;
	list_for_each_entry_safe(req, next, &wq->work, list) {
		if (!match(req, arg))
			continue;
		emu_wq_unqueue(wq, req, emu_wq_hash(req));
		list_add_tail(&req->list, canceled);
		nr++;
		if (!all)
			break;
	}
	if (all || !nr) {
		struct emu_req *first = NULL;
		u64 first_seq = 0;

		list_for_each_entry(w, &emu_pool.workers, node) {
			if (w->ctx != ctx || !w->req || !match(&w->key, arg))
				continue;
			/*
			 * Without @all, one request: it may show in two
			 * workers (one that parked it and has not let go yet,
			 * one that runs it again), so all of its are told.
			 */
			if (!all && first &&
			    (w->req != first || w->key.seq != first_seq))
				continue;
			if (!first) {
				first = w->req;
				first_seq = w->key.seq;
				running++;
			} else if (all) {
				running++;
			}
			WRITE_ONCE(w->canceled, true);
			send_sig(flags & EMU_WQ_CANCEL_KILL ? SIGKILL : SIGINT,
				 w->task, 1);
		}
	}
	spin_unlock(&emu_pool.lock);
	/* As io-wq's: with EMU_WQ_CANCEL_ALL, what runs is the answer. */
	if (nr && !(all && running))
		return nr;
	return running ? -EALREADY : -ENOENT;
}

/**
 * emu_wq_cancel_done() - complete the requests emu_wq_cancel() took
 * @canceled: the list it filled
 *
 * Not under ctx->completion_lock. They complete with -ECANCELED, which
 * breaks their chains as any failure does (not a hard link's).
 */
void emu_wq_cancel_done(struct list_head *canceled)
{
	struct emu_req *req, *next;

	list_for_each_entry_safe(req, next, canceled, list) {
		list_del(&req->list);
		emu_req_queue(emu_req_done(req, -ECANCELED));
	}
}

/**
 * emu_wq_cancel_req() - cancel one request in the pool, by identity
 * @ctx: the ring, with ctx->completion_lock held
 * @target: the request, which may have completed (then it is not found)
 * @seq: its emu_req.seq, which tells it from a later request in its memory
 * @canceled: where it goes if it was queued, as for emu_wq_cancel()
 *
 * As emu_wq_cancel(), for a LINK_TIMEOUT that fired.
 *
 * Return: 0 if it was queued, -EALREADY if it runs (it is interrupted),
 * or -ENOENT.
 */
int emu_wq_cancel_req(struct emu_ring_ctx *ctx, struct emu_req *target,
		      u64 seq, struct list_head *canceled)
{
	struct emu_wq_ring *wq = &ctx->wq;
	struct emu_worker *w;
	struct emu_req *req;
	int ret = -ENOENT;

	lockdep_assert_held(&ctx->completion_lock);
	spin_lock(&emu_pool.lock);
	list_for_each_entry(req, &wq->work, list) {
		if (req == target && req->seq == seq) {
			emu_wq_unqueue(wq, req, emu_wq_hash(req));
			list_add_tail(&req->list, canceled);
			ret = 0;
			break;
		}
	}
	if (ret) {
		list_for_each_entry(w, &emu_pool.workers, node) {
			/*
			 * Not only the first: the worker that parked it may
			 * not have let go yet when another runs it again.
			 */
			if (w->ctx == ctx && w->req == target &&
			    w->key.seq == seq) {
				WRITE_ONCE(w->canceled, true);
				send_sig(SIGINT, w->task, 1);
				ret = -EALREADY;
			}
		}
	}
	spin_unlock(&emu_pool.lock);
	return ret;
}

/**
 * emu_wq_init() - start the pool with its first worker
 *
 * Return: 0 or -ENOMEM.
 */
int emu_wq_init(void)
{
	spin_lock_irq(&emu_pool.lock);
	emu_pool.nr_workers++;
	spin_unlock_irq(&emu_pool.lock);
	if (emu_worker_create())
		return 0;
	emu_pool.nr_workers--;
	return -ENOMEM;
}

/**
 * emu_wq_exit() - stop every worker, at module exit (no ring is left)
 *
 * Also when module init fails after emu_wq_init(): a worker that never
 * ran is stopped and freed the same way.
 */
void emu_wq_exit(void)
{
	for (;;) {
		struct emu_worker *w;

		spin_lock_irq(&emu_pool.lock);
		w = list_first_entry_or_null(&emu_pool.workers,
					     struct emu_worker, node);
		if (w) {
			/* No longer leaves on its own, nor is woken for work. */
			w->stop = true;
			list_del(&w->node);
			list_del_init(&w->idle_node);
			emu_pool.nr_workers--;
			get_task_struct(w->task);
		}
		spin_unlock_irq(&emu_pool.lock);
		if (!w)
			break;
		kthread_stop(w->task);
		put_task_struct(w->task);
		kfree(w);
	}
}
