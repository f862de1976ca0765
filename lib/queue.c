// SPDX-License-Identifier: MIT
/*
 * Submitting SQEs and waiting for CQEs. The SQ tail is published with a
 * release store (the module reads the SQEs after an acquire load of it);
 * the CQ tail is read with an acquire load (the module fills a CQE before
 * a release store of the tail). Only io_uring_submit*() and waits that
 * find nothing ready enter the module.
 */
#include <errno.h>

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

/*
 * Find a CQE, entering the module when wait_nr asks for more than is
 * ready, when SQEs are to be submitted, or when completions wait in the
 * backlog. Like liburing it enters at most once while a CQE is there, so
 * asking for more than the CQ can hold returns instead of spinning.
 */
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned int submit_nr, unsigned int wait_nr,
		       sigset_t *sigmask)
{
	bool looped = false;

	for (;;) {
		unsigned int avail, flags = 0;
		bool flush = io_uring_cq_has_overflow(ring);
		int ret;

		__io_uring_peek_cqe(ring, cqe_ptr, &avail);
		if (!*cqe_ptr && !wait_nr && !submit_nr && (looped || !flush))
			return -EAGAIN;
		if (wait_nr > avail || flush || !*cqe_ptr)
			flags = IORING_ENTER_GETEVENTS;
		if (!flags && !submit_nr)
			return 0;
		ret = emu_sys_enter(ring->enter_ring_fd, submit_nr, wait_nr,
				    flags, sigmask, sizeof(unsigned long));
		if (ret < 0)
			return ret;
		submit_nr -= submit_nr < (unsigned int)ret ? submit_nr :
			     (unsigned int)ret;
		if (*cqe_ptr)
			return 0;
		looped = true;
	}
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
