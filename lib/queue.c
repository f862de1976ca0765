// SPDX-License-Identifier: MIT
/*
 * Submitting SQEs and waiting for CQEs. The SQ tail is published with a
 * release store (the module reads the SQEs after an acquire load of it);
 * the CQ tail is read with an acquire load (the module fills a CQE before
 * a release store of the tail). Only io_uring_submit*() and waits that
 * find nothing ready enter the module.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <liburing.h>

#include "sys.h"

struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned int head = io_uring_smp_load_acquire(sq->khead);

	if (sq->sqe_tail - head >= sq->ring_entries)
		return NULL;
	return &sq->sqes[sq->sqe_tail++ & sq->ring_mask];
}

/* Publish the SQEs handed out; returns how many the module has not taken. */
static unsigned int flush_sq(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;

	if (sq->sqe_head != sq->sqe_tail) {
		sq->sqe_head = sq->sqe_tail;
		io_uring_smp_store_release(sq->ktail, sq->sqe_tail);
	}
	return sq->sqe_tail - io_uring_smp_load_acquire(sq->khead);
}

static int submit(struct io_uring *ring, unsigned int wait_nr, bool getevents)
{
	unsigned int submitted = flush_sq(ring);
	unsigned int flags = 0;

	/* Completions in the module's backlog want an ENTER to move. */
	if (wait_nr || getevents || io_uring_cq_has_overflow(ring))
		flags |= IORING_ENTER_GETEVENTS;
	return emu_sys_enter(ring->enter_ring_fd, submitted, wait_nr, flags,
			     NULL, 0);
}

int io_uring_submit(struct io_uring *ring)
{
	return submit(ring, 0, false);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned int wait_nr)
{
	return submit(ring, wait_nr, false);
}

int io_uring_submit_and_get_events(struct io_uring *ring)
{
	return submit(ring, 0, true);
}

int io_uring_get_events(struct io_uring *ring)
{
	return emu_sys_enter(ring->enter_ring_fd, 0, 0, IORING_ENTER_GETEVENTS,
			     NULL, 0);
}

/* What one search for a CQE asks of ENTER (liburing's get_data). */
struct get_data {
	unsigned int submit;
	unsigned int wait_nr;
	unsigned int get_flags;
	size_t sz;
	bool has_ts;
	void *arg;
};

/*
 * Find a CQE, entering the module when wait_nr asks for more than is
 * ready, when SQEs are to be submitted, or when completions wait in the
 * backlog. As liburing: it enters at most once while a CQE is there (so
 * asking for more than the CQ can hold returns), and at most once with a
 * timeout, which then gives -ETIME if no CQE came. It returns the count the
 * first ENTER submitted, or an error.
 */
static int get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		   struct get_data *data)
{
	struct io_uring_cqe *cqe = NULL;
	bool looped = false;
	int err = 0;

	for (;;) {
		bool flush = io_uring_cq_has_overflow(ring);
		unsigned int avail, flags = 0;
		int ret;

		__io_uring_peek_cqe(ring, &cqe, &avail);
		if (!cqe && !data->wait_nr && !data->submit &&
		    (looped || !flush)) {
			if (!err)
				err = -EAGAIN;
			break;
		}
		if (data->wait_nr > avail || flush || !cqe)
			flags = IORING_ENTER_GETEVENTS | data->get_flags;
		if (!flags && !data->submit)
			break;
		if (looped && data->has_ts) {
			if (!cqe && !err)
				err = -ETIME;
			break;
		}
		ret = emu_sys_enter(ring->enter_ring_fd, data->submit,
				    data->wait_nr, flags, data->arg, data->sz);
		if (ret < 0) {
			if (!err)
				err = ret;
			break;
		}
		data->submit -= data->submit < (unsigned int)ret ?
				data->submit : (unsigned int)ret;
		if (cqe)
			break;
		if (!looped) {
			looped = true;
			err = ret;
		}
	}
	*cqe_ptr = cqe;
	return err;
}

int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned int submit_nr, unsigned int wait_nr,
		       sigset_t *sigmask)
{
	struct get_data data = {
		.submit = submit_nr,
		.wait_nr = wait_nr,
		.sz = _NSIG / 8,
		.arg = sigmask,
	};

	return get_cqe(ring, cqe_ptr, &data);
}

/* The module always has IORING_FEAT_EXT_ARG: timeouts need no TIMEOUT SQE. */
static int get_cqe_ext(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned int submit, unsigned int wait_nr,
		       struct __kernel_timespec *ts, sigset_t *sigmask)
{
	struct io_uring_getevents_arg arg = {
		.sigmask = (uintptr_t)sigmask,
		.sigmask_sz = _NSIG / 8,
		.ts = (uintptr_t)ts,
	};
	struct get_data data = {
		.submit = submit,
		.wait_nr = wait_nr,
		.get_flags = IORING_ENTER_EXT_ARG,
		.sz = sizeof(arg),
		.has_ts = !!ts,
		.arg = &arg,
	};

	return get_cqe(ring, cqe_ptr, &data);
}

int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned int wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask)
{
	if (!ts)
		return __io_uring_get_cqe(ring, cqe_ptr, 0, wait_nr, sigmask);
	return get_cqe_ext(ring, cqe_ptr, 0, wait_nr, ts, sigmask);
}

int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts)
{
	return io_uring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned int wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask)
{
	unsigned int to_submit = flush_sq(ring);

	if (!ts)
		return __io_uring_get_cqe(ring, cqe_ptr, to_submit, wait_nr,
					  sigmask);
	return get_cqe_ext(ring, cqe_ptr, to_submit, wait_nr, ts, sigmask);
}

unsigned int io_uring_peek_batch_cqe(struct io_uring *ring,
				     struct io_uring_cqe **cqes,
				     unsigned int count)
{
	unsigned int ready = io_uring_cq_ready(ring), head, i;

	if (!ready && io_uring_cq_has_overflow(ring)) {
		io_uring_get_events(ring);
		ready = io_uring_cq_ready(ring);
	}
	if (count > ready)
		count = ready;
	head = *ring->cq.khead;
	for (i = 0; i < count; i++)
		cqes[i] = &ring->cq.cqes[(head + i) & ring->cq.ring_mask];
	return count;
}
