/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The op table: one row per supported opcode, and the request that lives
 * from an SQE to its CQE.
 */
#ifndef _EMU_URING_OPDEF_H
#define _EMU_URING_OPDEF_H

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <uapi/linux/io_uring.h>

struct emu_ring_ctx;

/**
 * struct emu_rw - a read or write, as prepared from its SQE
 * @addr: user address of the buffer, or of the iovec array
 * @len: buffer length, or number of iovecs
 * @off: file offset; -1 means the file's current position
 * @rw_flags: RWF_* flags, as preadv2(2)/pwritev2(2) take them
 * @dir: ITER_DEST to read, ITER_SOURCE to write
 * @vectored: @addr and @len describe an iovec array
 * @cur_pos: an O_DIRECT transfer at the file position (dio.c)
 * @ioprio: the submitter's I/O priority, for O_DIRECT
 * @want: bytes an O_DIRECT transfer asked for
 * @kiocb: the O_DIRECT transfer in flight
 */
struct emu_rw {
	u64 addr;
	u32 len;
	loff_t off;
	rwf_t rw_flags;
	u8 dir;
	bool vectored;
	bool cur_pos;
	u16 ioprio;
	u32 want;
	struct kiocb kiocb;
};

/**
 * struct emu_sr - a SEND or RECV, as prepared from its SQE (net.c)
 * @buf: user address of the buffer, advanced past what MSG_WAITALL moved
 * @len: its length, less that
 * @addr: SEND: user address of the destination (sqe->addr2), or 0
 * @addr_len: its length
 * @flags: IORING_RECVSEND_* flags (sqe->ioprio)
 * @polled: IORING_RECVSEND_POLL_FIRST: the first attempt was skipped
 * @msg_flags: MSG_* flags
 * @done_io: bytes moved by earlier attempts (MSG_WAITALL)
 */
struct emu_sr {
	u64 buf;
	u32 len;
	u64 addr;
	u16 addr_len;
	u16 flags;
	bool polled;
	u32 msg_flags;
	int done_io;
};

/**
 * struct emu_sync - an fsync, as prepared from its SQE
 * @off: start of the range
 * @len: length of the range; 0 means to the end of the file
 * @flags: IORING_FSYNC_* flags
 */
struct emu_sync {
	loff_t off;
	u32 len;
	u32 flags;
};

/**
 * struct emu_poll_add - a POLL_ADD, as prepared from its SQE
 * @events: the events asked for, in the kernel's __poll_t form
 * @multishot: IORING_POLL_ADD_MULTI: a CQE per event, until cancelled
 * @exclusive: EPOLLEXCLUSIVE: an exclusive waiter on the file's queue
 * @ring: with EMU_REQ_F_RING_TARGET, the ring polled, whose struct (not
 *	file) it holds a reference to: the polled ring's file may go, so
 *	that no cycle of polls keeps rings alive (a ring polling itself,
 *	two polling each other)
 */
struct emu_poll_add {
	__poll_t events;
	bool multishot;
	bool exclusive;
	struct emu_ring_ctx *ring;
};

/**
 * struct emu_poll_update - a POLL_REMOVE, as prepared from its SQE
 * @old_user_data: the POLL_ADD to remove or update
 * @new_user_data: its new user_data (IORING_POLL_UPDATE_USER_DATA)
 * @events: its new events (IORING_POLL_UPDATE_EVENTS)
 * @update_events: IORING_POLL_UPDATE_EVENTS
 * @update_user_data: IORING_POLL_UPDATE_USER_DATA
 */
struct emu_poll_update {
	u64 old_user_data;
	u64 new_user_data;
	__poll_t events;
	bool update_events;
	bool update_user_data;
};

/**
 * struct emu_cancel - an ASYNC_CANCEL, as prepared from its SQE
 * @user_data: the user_data to match
 * @flags: IORING_ASYNC_CANCEL_* flags
 * @opcode: the opcode to match (IORING_ASYNC_CANCEL_OP)
 * @ring: with EMU_REQ_F_RING_TARGET, the ring whose fd IORING_ASYNC_CANCEL_FD
 *	names: as a POLL_ADD of one, it holds the ring's struct, not its file
 */
struct emu_cancel {
	u64 user_data;
	u32 flags;
	u8 opcode;
	struct emu_ring_ctx *ring;
};

/**
 * struct emu_timeout - a TIMEOUT, as prepared from its SQE (timeout.c)
 * @off: CQEs to wait for (0: a plain timer); multishot: how many times it
 *	fires (0: until cancelled)
 * @target_seq: the count at which it completes
 * @repeats: a multishot timeout's shots left
 * @list: on ctx->timeout_list (LINK_TIMEOUT: ctx->ltimeout_list) while its
 *	timer runs
 * @head: LINK_TIMEOUT: the request it guards, while it does
 * @prev: LINK_TIMEOUT: the request it fired on, to cancel
 * @prev_seq: @prev's emu_req.seq, which tells it from a reuse of its memory
 * @arming: LINK_TIMEOUT: its request is being issued (see timeout.c)
 * @stop: a cancel found it firing: a multishot timeout does not go on
 */
struct emu_timeout {
	u32 off;
	u32 target_seq;
	u32 repeats;
	bool arming;
	bool stop;
	struct list_head list;
	struct emu_req *head;
	struct emu_req *prev;
	u64 prev_seq;
};

/**
 * struct emu_timeout_rem - a TIMEOUT_REMOVE, as prepared from its SQE
 * @addr: the user_data of the timeout
 * @ts: its new time (IORING_TIMEOUT_UPDATE)
 * @flags: IORING_TIMEOUT_* flags
 */
struct emu_timeout_rem {
	u64 addr;
	struct timespec64 ts;
	u32 flags;
};

/**
 * struct emu_poll_entry - one wait queue entry of a parked request
 * @wait: on the file's wait queue; @wait.private is the request
 * @head: the queue @wait is on, NULL once removed (RCU: see poll.c)
 */
struct emu_poll_entry {
	struct wait_queue_entry wait;
	wait_queue_head_t *head;
};

/**
 * struct emu_poll - a request parked on a file's wait queues
 * @entries: files may wait on two queues (pipes, ttys)
 * @events: the events that make the request worth retrying
 * @refs: ownership, see poll.c
 * @wake_mask: events wakeups reported since the owner last looked
 */
struct emu_poll {
	struct emu_poll_entry entries[2];
	__poll_t events;
	atomic_t refs;
	atomic_t wake_mask;
};

/**
 * struct emu_rw_async - what a parked read or write keeps of its SQE
 * @iov: the imported iovecs (IORING_FEAT_SUBMIT_STABLE: userspace may
 *	reuse its array once the SQE is consumed)
 * @fast_iov: room for small arrays
 * @nr_segs: entries in @iov
 * @count: bytes the iovecs describe
 */
struct emu_rw_async {
	struct iovec *iov;
	struct iovec fast_iov[UIO_FASTIOV];
	unsigned long nr_segs;
	size_t count;
};

/* Internal request state (emu_req.state). */
enum {
	/* failed: breaks an IOSQE_IO_LINK chain, always posts its CQE */
	EMU_REQ_F_FAILED	= BIT(0),
	/* holds references to run outside ENTER (emu_req_make_async) */
	EMU_REQ_F_ASYNC		= BIT(1),
	/* -EAGAIN is its result, not a reason to park (RWF_NOWAIT) */
	EMU_REQ_F_NOWAIT	= BIT(2),
	/* to be completed with -ECANCELED without running again */
	EMU_REQ_F_CANCELED	= BIT(3),
	/* on ctx->parked */
	EMU_REQ_F_PARKED	= BIT(4),
	/* the CQEs of the links cancelled behind it are skipped */
	EMU_REQ_F_SKIP_LINKS	= BIT(5),
	/* its -EAGAIN asks for a blocking attempt, not for parking */
	EMU_REQ_F_BLOCK		= BIT(6),
	/* its fd is a ring, which it does not hold: it fails with -EINVAL */
	EMU_REQ_F_RING_FILE	= BIT(7),
	/* a POLL_ADD of a ring's fd: it holds the ring (poll_add.ring) */
	EMU_REQ_F_RING_TARGET	= BIT(15),
	/* the op looks its fd up although its row does not say so */
	EMU_REQ_F_NEEDS_FILE	= BIT(8),
	/* its task work only posts: it needs no mm, any executor runs it */
	EMU_REQ_F_TW_ANY_MM	= BIT(9),
	/* -ETIME is a success (IORING_TIMEOUT_ETIME_SUCCESS) */
	EMU_REQ_F_ETIME_OK	= BIT(10),
	/* an O_DIRECT transfer: an asynchronous kiocb (dio.c), never parked */
	EMU_REQ_F_DIO		= BIT(13),
	/* a negative result is no failure (a LINK_TIMEOUT's) */
	EMU_REQ_F_NOFAIL	= BIT(14),
	/* the next member is its IORING_OP_LINK_TIMEOUT, not started yet */
	EMU_REQ_F_ARM_LTIMEOUT	= BIT(11),
	/* its IORING_OP_LINK_TIMEOUT was started when it was issued */
	EMU_REQ_F_LINK_TIMEOUT	= BIT(12),
};

/**
 * struct emu_req - one request, from SQE to CQE
 * @ctx: the ring
 * @link: the next member of its IOSQE_IO_LINK chain
 * @file: the target file, with a reference, or NULL
 * @user_data: copied to the CQE unchanged
 * @res: the result for the CQE
 * @cflags: the CQE's flags
 * @opcode: the SQE's opcode, bounded by the op table
 * @flags: the SQE's IOSQE_* flags
 * @state: EMU_REQ_F_* bits
 * @fd: the SQE's fd
 * @seq: requests submitted before it (IOSQE_IO_DRAIN)
 * @list: in the deferred list or the CQ backlog
 * @llnode: on the request cache, the free list or the task-work list
 * @done_next: the next completed request in a batch being posted
 * @park_node: on ctx->parked while parked
 * @tw_func: what the task-work executor runs for it
 * @poll: wait queue entries while parked
 * @mm: the submitter's address space (EMU_REQ_F_ASYNC)
 * @creds: the submitter's credentials (EMU_REQ_F_ASYNC)
 * @tgid: the submitter's process (EMU_REQ_F_ASYNC), to cancel at its exit
 * @task: the submitting task (EMU_REQ_F_ASYNC), whose task work posts its
 *	completion
 * @async: state kept by a parked op
 * @rw: state of the read/write family
 * @sr: state of SEND and RECV
 * @sync: state of FSYNC
 * @poll_add: state of POLL_ADD
 * @poll_update: state of POLL_REMOVE
 * @cancel: state of ASYNC_CANCEL
 * @timeout: state of TIMEOUT
 * @timeout_rem: state of TIMEOUT_REMOVE
 */
struct emu_req {
	struct emu_ring_ctx *ctx;
	struct emu_req *link;
	struct file *file;
	u64 user_data;
	s32 res;
	u32 cflags;
	u8 opcode;
	u8 flags;
	u16 state;
	int fd;
	u64 seq;
	union {
		struct list_head list;
		struct llist_node llnode;
	};
	struct emu_req *done_next;
	struct list_head park_node;
	void (*tw_func)(struct emu_req *req);
	struct emu_poll poll;
	struct mm_struct *mm;
	const struct cred *creds;
	struct pid *tgid;
	struct task_struct *task;
	void *async;
	union {
		struct emu_rw rw;
		struct emu_sr sr;
		struct emu_sync sync;
		struct emu_poll_add poll_add;
		struct emu_poll_update poll_update;
		struct emu_cancel cancel;
		struct emu_timeout timeout;
		struct emu_timeout_rem timeout_rem;
	};
};

/* An issue that handed the request on: it completes elsewhere. */
#define EMU_ISSUE_QUEUED	(-EIOCBQUEUED)

/* Issue flags. */
enum {
	/* the op must not block: return -EAGAIN instead */
	EMU_ISSUE_NONBLOCK	= BIT(0),
};

/**
 * struct emu_op_def - what the submission loop knows about one opcode
 * @name: for diagnostics and documentation
 * @prep: reads the SQE once into @req; rejects fields the op does not use
 *	with -EINVAL. Returns 0 or a negative errno.
 * @issue: runs the request; returns the CQE's res. With EMU_ISSUE_NONBLOCK
 *	it returns -EAGAIN instead of blocking. It may mark @req failed for a
 *	result that is not negative (a short transfer).
 * @prep_async: keeps what @issue needs from user memory before the
 *	request parks (optional)
 * @cleanup: frees what @prep_async kept (optional)
 * @queues: @issue may hand the request on (EMU_ISSUE_QUEUED) without a
 *	file: never for the inline path that borrows files
 * @link_timeout: IORING_OP_LINK_TIMEOUT: guards the SQE before it
 * @dio: a read or write: O_DIRECT makes it an async kiocb (dio.c)
 * @hash_reg_file: in the worker pool, it runs one at a time with the
 *	others of its regular file (a write: wq.c)
 * @needs_file: the SQE's fd names the target file
 * @pollin: a would-block attempt waits for EPOLLIN
 * @pollout: a would-block attempt waits for EPOLLOUT
 */
struct emu_op_def {
	const char *name;
	int (*prep)(struct emu_req *req, const struct io_uring_sqe *sqe);
	int (*issue)(struct emu_req *req, unsigned int issue_flags);
	int (*prep_async)(struct emu_req *req);
	void (*cleanup)(struct emu_req *req);
	unsigned int queues : 1;
	unsigned int link_timeout : 1;
	unsigned int dio : 1;
	unsigned int hash_reg_file : 1;
	unsigned int needs_file : 1;
	unsigned int pollin : 1;
	unsigned int pollout : 1;
};

/* One row per opcode up to the highest one implemented. */
#define EMU_OP_TABLE_SIZE	(IORING_OP_RECV + 1)
extern const struct emu_op_def emu_op_defs[EMU_OP_TABLE_SIZE];

/* The op table row of a prepared request (its opcode is bounded). */
static inline const struct emu_op_def *emu_req_def(const struct emu_req *req)
{
	return &emu_op_defs[req->opcode];
}

/**
 * emu_req_ring_target() - the ring a request with EMU_REQ_F_RING_TARGET
 *	names by its fd
 * @req: a POLL_ADD or an ASYNC_CANCEL, with EMU_REQ_F_RING_TARGET
 *
 * Return: the ring, whose struct the request holds a reference to.
 */
static inline struct emu_ring_ctx *
emu_req_ring_target(const struct emu_req *req)
{
	if (req->opcode == IORING_OP_POLL_ADD)
		return req->poll_add.ring;
	return req->cancel.ring;
}

int emu_req_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
bool emu_req_restricted(const struct emu_ring_ctx *ctx,
			const struct emu_req *req);
int emu_req_issue(struct emu_req *req, unsigned int issue_flags);
int emu_optable_init(void);
unsigned int emu_op_last(void);
bool emu_op_supported(unsigned int opcode);

/* nop.c */
int emu_nop_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_nop_issue(struct emu_req *req, unsigned int issue_flags);

/* rw.c */
int emu_read_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_readv_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_write_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_writev_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_rw_issue(struct emu_req *req, unsigned int issue_flags);
int emu_rw_prep_async(struct emu_req *req);
void emu_rw_cleanup(struct emu_req *req);
ssize_t emu_rw_import(struct emu_req *req, struct iovec **iov,
		      struct iov_iter *iter);

/* dio.c */
bool emu_rw_is_dio(const struct file *file);
int emu_dio_issue(struct emu_req *req, unsigned int issue_flags, rwf_t flags);

/* net.c */
int emu_send_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_recv_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_send_issue(struct emu_req *req, unsigned int issue_flags);
int emu_recv_issue(struct emu_req *req, unsigned int issue_flags);
int emu_send_prep_async(struct emu_req *req);
void emu_send_cleanup(struct emu_req *req);

/* sync.c */
int emu_fsync_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_fsync_issue(struct emu_req *req, unsigned int issue_flags);

/* poll.c */
int emu_poll_add_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_poll_add_issue(struct emu_req *req, unsigned int issue_flags);
int emu_poll_remove_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_poll_remove_issue(struct emu_req *req, unsigned int issue_flags);

/* timeout.c */
int emu_timeout_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_timeout_issue(struct emu_req *req, unsigned int issue_flags);
void emu_timeout_cleanup(struct emu_req *req);
int emu_timeout_remove_prep(struct emu_req *req,
			    const struct io_uring_sqe *sqe);
int emu_timeout_remove_issue(struct emu_req *req, unsigned int issue_flags);
int emu_link_timeout_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_link_timeout_issue(struct emu_req *req, unsigned int issue_flags);
struct emu_req *emu_ltimeout_prepare(struct emu_req *req);
void emu_ltimeout_arm(struct emu_req *lt);
void emu_ltimeout_unarm(struct emu_req *lt);
struct emu_req *emu_ltimeout_disarm(struct emu_req *req);
int emu_timeout_cancel(struct emu_ring_ctx *ctx,
		       bool (*match)(const struct emu_req *req, const void *arg),
		       const void *arg, bool all);

/* cancel.c */
int emu_cancel_prep(struct emu_req *req, const struct io_uring_sqe *sqe);
int emu_cancel_issue(struct emu_req *req, unsigned int issue_flags);

#endif /* _EMU_URING_OPDEF_H */
