/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal types shared by the emu_uring module files.
 */
#ifndef _EMU_URING_INTERNAL_H
#define _EMU_URING_INTERNAL_H

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/bitmap.h>
#include <linux/wait.h>
#include <linux/seq_file.h>
#include <linux/signal.h>
#include <uapi/linux/emu_uring.h>

/* io_uring's limits on ring sizes. */
#define EMU_MAX_SQ_ENTRIES	32768U
#define EMU_MAX_CQ_ENTRIES	(2 * EMU_MAX_SQ_ENTRIES)

/*
 * The mmap offsets are IORING_OFF_* and a region never reaches the next
 * offset, so the page index inside a region is the file page offset modulo
 * the distance between two offsets.
 */
#define EMU_REGION_MAX_PAGES	(IORING_OFF_CQ_RING >> PAGE_SHIFT)

/**
 * struct emu_region - pages shared between the kernel and userspace
 * @pages: the order-0 pages, in mapping order
 * @nr_pages: number of entries in @pages
 * @vaddr: the kernel's contiguous view of @pages (vmap)
 */
struct emu_region {
	struct page **pages;
	unsigned int nr_pages;
	void *vaddr;
};

/* Head and tail of one ring, as io_uring lays them out. */
struct emu_ring_idx {
	u32 head;
	u32 tail;
};

/*
 * The SQ/CQ ring region header, laid out like io_uring's struct io_rings
 * (Linux 6.12); the CQE array follows at EMU_CQES_OFFSET. Userspace reaches
 * each field through the offsets in io_uring_params, and may write anything
 * to any of them: the kernel keeps its own copy of every value it relies on
 * and only publishes here.
 */
struct emu_rings {
	struct emu_ring_idx sq, cq;
	u32 sq_ring_mask, cq_ring_mask;
	u32 sq_ring_entries, cq_ring_entries;
	u32 sq_dropped;
	u32 sq_flags;
	u32 cq_flags;
	u32 cq_overflow;
};

/* Where the CQEs start in the ring region: io_uring's cache line. */
#define EMU_CQES_OFFSET		64
static_assert(sizeof(struct emu_rings) <= EMU_CQES_OFFSET);

struct emu_req;

/**
 * struct emu_done - completed requests to post, in order (singly linked
 *	through emu_req.done_next: no list checks on the hot path)
 * @first: the oldest, or NULL
 * @tail: where the next one is linked
 */
struct emu_done {
	struct emu_req *first;
	struct emu_req **tail;
};

static inline void emu_done_init(struct emu_done *done)
{
	done->first = NULL;
	done->tail = &done->first;
}

/* Buckets of the worker pool's hashed writes (wq.c). */
#define EMU_WQ_HASH_BITS	6

/**
 * struct emu_wq_ring - a ring's requests in the worker pool (wq.c), under
 *	the pool's lock
 * @work: queued requests, in order; those of one bucket next to each other
 * @hash_tail: the last queued request of each bucket, or NULL
 * @hash_busy: buckets a worker runs a request of
 * @node: on the pool's list of rings with queued requests
 * @nr_running: its requests that workers run
 * @dead: the ring is released: nothing may be queued
 */
struct emu_wq_ring {
	struct list_head work;
	struct emu_req *hash_tail[1 << EMU_WQ_HASH_BITS];
	DECLARE_BITMAP(hash_busy, 1 << EMU_WQ_HASH_BITS);
	struct list_head node;
	unsigned int nr_running;
	bool dead;
};

/**
 * struct emu_restrictions - IORING_REGISTER_RESTRICTIONS of a ring
 * @register_op: the register opcodes allowed
 * @sqe_op: the SQE opcodes allowed
 * @sqe_flags_allowed: the SQE flags allowed
 * @sqe_flags_required: the SQE flags every SQE must have
 * @registered: they were registered (once only)
 */
struct emu_restrictions {
	DECLARE_BITMAP(register_op, IORING_REGISTER_LAST);
	DECLARE_BITMAP(sqe_op, IORING_OP_LAST);
	u8 sqe_flags_allowed;
	u8 sqe_flags_required;
	bool registered;
};

/**
 * struct emu_ring_ctx - one ring, the private data of one open file
 *
 * The submission side (SQ, request cache, chain and drain bookkeeping) is
 * serialized by @uring_lock; the completion side (CQ tail, backlog, deferred
 * and parked requests) by @completion_lock, taken from any context.
 *
 * @uring_lock: serializes SETUP and ENTER's submission
 * @ready: set, with release semantics, once SETUP has completed
 * @dying: the file is released: nothing new may park
 * @flags: IORING_SETUP_* flags the ring was set up with
 * @rings_region: SQ and CQ ring memory (IORING_OFF_SQ_RING/CQ_RING)
 * @sqes_region: SQE array memory (IORING_OFF_SQES)
 * @rings: kernel view of the ring header
 * @cqes: kernel view of the CQE array
 * @sq_array: kernel view of the SQ index array
 * @sqes: kernel view of the SQE array
 * @submitter: with IORING_SETUP_SINGLE_ISSUER, the only task that may submit
 * @sq_entries: SQ size, a power of two
 * @cq_entries: CQ size, a power of two
 * @sq_head: next SQ entry to consume (the kernel's, not the ring's copy)
 * @sq_dropped: invalid SQ indexes met so far
 * @req_cache: free requests, for the submission side (used without
 *	atomics: only under @uring_lock)
 * @req_free: requests freed outside the submission side
 * @compl: requests completed inside ENTER, posted together
 * @nr_compl: requests in @compl
 * @submit_task: the task inside the submission loop, or NULL
 * @nr_submitted: requests submitted so far (for IOSQE_IO_DRAIN)
 * @drain_active: a drained request may be waiting: check @defer_list
 * @drain_next: a drained link member drains the request after its chain
 * @drain_disabled: an SQE asked to skip its CQE: IOSQE_IO_DRAIN is refused
 * @completion_lock: the completion side
 * @cq_tail: next CQE slot to fill, not yet published
 * @cq_tail_published: the CQ tail last published to the ring
 * @cq_overflow: completions lost: the CQ was full and the backlog could
 *	not grow
 * @sq_flags: IORING_SQ_* flags published in the SQ ring
 * @backlog: completed requests waiting for room in the CQ, oldest first
 * @backlog_len: entries in @backlog
 * @cq_dropped: a completion was lost since the last -EBADR from ENTER
 * @nr_completed: requests completed so far (for IOSQE_IO_DRAIN)
 * @defer_list: requests held back by IOSQE_IO_DRAIN, in submission order
 * @parked: requests waiting on a file's wait queue, for cancellation
 * @timeout_lock: the timeouts (timeout.c); taken inside @completion_lock
 *	and from hard interrupts
 * @timeout_list: running TIMEOUTs: counting ones by target, then the others
 * @ltimeout_list: running LINK_TIMEOUTs
 * @cq_timeouts: timeouts that ended, which the counts leave out
 * @cq_last_tm_flush: the count when timeouts were last looked at
 * @off_timeout_used: a counting timeout was issued: look at them on commit
 * @cq_wait: ENTER waiters for CQEs (IORING_ENTER_GETEVENTS)
 * @poll_wq: poll(2) and epoll waiters on the ring file
 * @tw_list: requests for the task-work executor (req.c)
 * @tw_foreign: task work a waiter of another address space left to the
 *	worker
 * @tw_waiters: tasks in ENTER that run @tw_list themselves (submitting
 *	or waiting)
 * @tw_work: runs @tw_list in a kernel worker when neither a waiter nor
 *	the submitter's task work does
 * @tw_cb: the task work that runs @tw_list in a submitting task, on its way
 *	back to userspace (rings without COOP_TASKRUN or DEFER_TASKRUN)
 * @tw_task: the task @tw_cb was last queued on
 * @tw_task_queued: @tw_cb is queued and has not started
 * @allowed_ops: the opcodes the ring may use, from the policy at SETUP
 *	(policy.c)
 * @ops_restricted: @allowed_ops leaves some implemented opcode out
 * @max_inflight: requests it may have in flight (0: any number)
 * @inflight_stop: this ENTER's submission stopped at @max_inflight
 * @inflight_exempt: the SQE being submitted was let past @max_inflight as
 *	one that ends requests (a cancel, a remove)
 * @user: its user's count of rings, which it is charged to (policy.c)
 * @r_disabled: set up with IORING_SETUP_R_DISABLED and not enabled yet:
 *	ENTER fails with -EBADFD (register.c)
 * @restricted: @restrictions hold (enabled after they were registered)
 * @restrictions: what IORING_REGISTER_RESTRICTIONS allows
 * @wq: its requests in the worker pool
 * @evfd: the eventfd IORING_REGISTER_EVENTFD registered, or NULL (eventfd.c)
 * @refs: one for the file, one for each request that outlives ENTER
 * @exit_work: frees the ring once @refs is gone
 */
struct emu_ring_ctx {
	struct mutex uring_lock;	/* serializes SETUP and submission */
	bool ready;
	bool dying;
	u32 flags;

	struct emu_region rings_region;
	struct emu_region sqes_region;
	struct emu_rings *rings;
	struct io_uring_cqe *cqes;
	u32 *sq_array;
	struct io_uring_sqe *sqes;
	struct task_struct *submitter;
	DECLARE_BITMAP(allowed_ops, 256);
	bool ops_restricted;
	u32 max_inflight;
	bool inflight_stop;
	bool inflight_exempt;
	struct emu_user *user;
	bool r_disabled;
	bool restricted;
	struct emu_restrictions restrictions;

	u32 sq_entries;
	u32 cq_entries;
	u32 sq_head;
	u32 sq_dropped;
	struct llist_head req_cache;
	struct llist_head req_free;
	struct emu_done compl;
	unsigned int nr_compl;
	struct task_struct *submit_task;
	u64 nr_submitted;
	bool drain_active;
	bool drain_next;
	bool drain_disabled;

	spinlock_t completion_lock;	/* the completion side */
	u32 cq_tail;
	u32 cq_tail_published;
	u32 cq_overflow;
	u32 sq_flags;
	struct list_head backlog;
	u32 backlog_len;
	bool cq_dropped;
	u64 nr_completed;
	struct list_head defer_list;
	struct list_head parked;

	spinlock_t timeout_lock;	/* the timeouts */
	struct list_head timeout_list;
	struct list_head ltimeout_list;
	u32 cq_timeouts;
	u32 cq_last_tm_flush;
	bool off_timeout_used;

	wait_queue_head_t cq_wait;
	wait_queue_head_t poll_wq;

	struct llist_head tw_list;
	struct llist_head tw_foreign;
	atomic_t tw_waiters;
	struct work_struct tw_work;
	struct callback_head tw_cb;
	struct task_struct *tw_task;
	atomic_t tw_task_queued;

	struct emu_wq_ring wq;
	struct emu_evfd __rcu *evfd;

	refcount_t refs;
	struct work_struct exit_work;
};

/* eventfd.c */
void __emu_eventfd_signal(struct emu_ring_ctx *ctx);
int emu_eventfd_register_op(struct emu_ring_ctx *ctx, u32 opcode,
			    void __user *arg, u32 nr_args);
void emu_eventfd_ring_free(struct emu_ring_ctx *ctx);

static inline void emu_eventfd_signal(struct emu_ring_ctx *ctx)
{
	if (unlikely(rcu_access_pointer(ctx->evfd)))
		__emu_eventfd_signal(ctx);
}

#if !defined(EMU_HAVE_EVENTFD_SIGNAL_MASK) && !defined(CONFIG_PREEMPT_RT)
DECLARE_PER_CPU(bool, emu_evfd_waking);

/* Whether a ring's eventfd signal is what wakes (Linux 6.1: eventfd.c). */
static inline bool emu_eventfd_waking(void)
{
	return this_cpu_read(emu_evfd_waking);
}
#else
/* The wakeup's key says it: EPOLL_URING_WAKE. */
static inline bool emu_eventfd_waking(void)
{
	return false;
}
#endif

/* register.c */
int emu_register_probe(struct emu_ring_ctx *ctx,
		       struct io_uring_probe __user *uprobe, u32 nr_args);
int emu_register_allowed(struct emu_ring_ctx *ctx, u32 opcode);
long emu_register(struct emu_ring_ctx *ctx, u32 opcode, void __user *arg,
		  u32 nr_args);

/* policy.c */
struct seq_file;
int emu_policy_init(umode_t *mode);
void emu_policy_limits(u32 *sq, u32 *cq);
int emu_policy_ring_setup(struct emu_ring_ctx *ctx);
void emu_policy_ring_free(struct emu_ring_ctx *ctx);
bool emu_policy_op_allowed(const struct emu_ring_ctx *ctx, unsigned int opcode);
void emu_policy_show_fdinfo(struct seq_file *m, struct emu_ring_ctx *ctx);

/* main.c */
extern struct workqueue_struct *emu_wq;
bool emu_is_ring_file(const struct file *file);
__poll_t emu_ring_poll(struct emu_ring_ctx *ctx, struct file *file,
		       poll_table *wait);

/* ring.c */
struct emu_ring_ctx *emu_ring_ctx_alloc(void);
void emu_ring_ctx_release(struct emu_ring_ctx *ctx);
void emu_ring_put(struct emu_ring_ctx *ctx, unsigned int nr);
int emu_ring_create(struct emu_ring_ctx *ctx, u32 entries,
		    struct io_uring_params *p);
void emu_ring_destroy(struct emu_ring_ctx *ctx);
int emu_ring_mmap(struct emu_ring_ctx *ctx, struct vm_area_struct *vma);

/**
 * struct emu_wait - what a GETEVENTS wait is asked for besides a count
 * @ts: a struct __kernel_timespec: when the wait ends with -ETIME, or NULL
 * @abs: @ts is a CLOCK_MONOTONIC time, not a duration
 * @sig: a signal mask to wait with, or NULL
 * @sigsz: the size userspace gave for it
 */
struct emu_wait {
	const struct __kernel_timespec __user *ts;
	bool abs;
	const sigset_t __user *sig;
	size_t sigsz;
};

/* submit.c */
long emu_enter(struct emu_ring_ctx *ctx, u32 to_submit, u32 min_complete,
	       u32 flags, u64 arg, u32 argsz);

/* req.c */
int emu_req_cache_init(void);
void emu_req_cache_exit(void);
void emu_req_cache_free(struct emu_ring_ctx *ctx);
bool emu_req_refill(struct emu_ring_ctx *ctx);
struct emu_req *emu_req_alloc_cqe(void);
void emu_req_queue(struct emu_req *req);
struct emu_req *emu_req_done(struct emu_req *req, s32 res);
int emu_req_make_async(struct emu_req *req);
void emu_req_fail_chain(struct emu_req *req, s32 res);
void emu_tw_add(struct emu_req *req, void (*func)(struct emu_req *req));
bool emu_tw_run(struct emu_ring_ctx *ctx);
void emu_tw_waiter_enter(struct emu_ring_ctx *ctx);
void emu_tw_waiter_exit(struct emu_ring_ctx *ctx);
int emu_req_punt(struct emu_req *req);
bool emu_req_pollable(struct emu_req *req);
void emu_tw_work(struct work_struct *work);
void emu_compl_flush(struct emu_ring_ctx *ctx);
void emu_compl_flush_if_submit(struct emu_ring_ctx *ctx);

/* wq.c */
int emu_wq_init(void);
void emu_wq_exit(void);
void emu_wq_ring_init(struct emu_wq_ring *wq);
int emu_wq_enqueue(struct emu_req *req);
int emu_wq_enqueue_locked(struct emu_req *req, bool *grow);
void emu_wq_grow(void);

#define EMU_WQ_CANCEL_ALL	BIT(0)	/* every match */
#define EMU_WQ_CANCEL_DEAD	BIT(1)	/* the ring is released */
#define EMU_WQ_CANCEL_KILL	BIT(2)	/* the submitter exits */

int emu_wq_cancel(struct emu_ring_ctx *ctx,
		  bool (*match)(const struct emu_req *req, const void *arg),
		  const void *arg, unsigned int flags,
		  struct list_head *canceled);
void emu_wq_cancel_done(struct list_head *canceled);
const bool *emu_wq_abort(void);
bool emu_wq_current_is_worker(void);
int emu_wq_cancel_req(struct emu_ring_ctx *ctx, struct emu_req *target,
		      u64 seq, struct list_head *canceled);

/* poll.c */
struct emu_req *emu_poll_park(struct emu_req *req, const bool *abort);
void emu_poll_mark_canceled(struct emu_req *req);
void emu_poll_cancel(struct emu_req *req);

/* timeout.c */
void emu_timeout_flush(struct emu_ring_ctx *ctx);
void emu_ltimeout_expire_all(struct emu_ring_ctx *ctx, struct pid *tgid);

/* cancel.c */
void emu_cancel_all(struct emu_ring_ctx *ctx, struct pid *tgid);

/* cq.c */
void emu_cq_backlog_add(struct emu_ring_ctx *ctx, struct emu_req *req);
bool emu_cq_post_aux(struct emu_ring_ctx *ctx, u64 user_data, s32 res,
		     u32 cflags);
bool emu_cq_flush_pending(struct emu_ring_ctx *ctx);
void emu_cq_commit(struct emu_ring_ctx *ctx);
void emu_cq_wake(struct emu_ring_ctx *ctx);
int emu_cq_wait(struct emu_ring_ctx *ctx, u32 min_complete,
		const struct emu_wait *w);
void emu_cq_free_backlog(struct emu_ring_ctx *ctx);
u32 emu_cq_ready(struct emu_ring_ctx *ctx);

/* fdinfo.c */
void emu_show_fdinfo(struct seq_file *m, struct file *file);

#endif /* _EMU_URING_INTERNAL_H */
