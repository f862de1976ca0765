// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_REGISTER_EVENTFD, _EVENTFD_ASYNC and IORING_UNREGISTER_EVENTFD
 * through EMU_URING_IOC_REGISTER: their errnos, a signal when CQEs are
 * posted (and none without new ones, before the registration, after it
 * ends or with IORING_CQ_EVENTFD_DISABLED), _ASYNC only for the worker
 * pool's CQEs, and a parked read's CQE signalling from another task.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

/* The eventfd's count, read and reset (0 if none: it is non-blocking). */
static uint64_t evfd_take(int efd)
{
	uint64_t v;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

FIXTURE(evfd) {
	struct ring r;
	int efd;
};

FIXTURE_SETUP(evfd)
{
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
	self->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(evfd)
{
	ring_exit(&self->r);
	close(self->efd);
}

/* As io_uring_register(2)'s. */
TEST_F(evfd, errnos)
{
	int pfd[2], bad = -1, fd = self->efd;

	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 0));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 2));
	EXPECT_EQ(-EFAULT, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, NULL, 1));
	EXPECT_EQ(-EBADF, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &bad, 1));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &pfd[0], 1));
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_EQ(-ENXIO, emu_register(self->r.fd, IORING_UNREGISTER_EVENTFD, NULL, 0));

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 1));
	EXPECT_EQ(-EBUSY, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 1));
	EXPECT_EQ(-EBUSY, emu_register(self->r.fd, IORING_REGISTER_EVENTFD_ASYNC, &fd, 1));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_UNREGISTER_EVENTFD, &fd, 0));
	EXPECT_EQ(-EINVAL, emu_register(self->r.fd, IORING_UNREGISTER_EVENTFD, NULL, 1));
	EXPECT_EQ(0, emu_register(self->r.fd, IORING_UNREGISTER_EVENTFD, NULL, 0));
	EXPECT_EQ(-ENXIO, emu_register(self->r.fd, IORING_UNREGISTER_EVENTFD, NULL, 0));
	/* Again, after one ended. */
	EXPECT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD_ASYNC, &fd, 1));
}

/* Signalled when CQEs come, and only then. */
TEST_F(evfd, signal_per_round)
{
	int i, fd = self->efd;

	/* A CQE before the registration does not count. */
	ring_queue_nop(&self->r, 1);
	ASSERT_EQ(0, ring_submit_one(&self->r, NULL));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 1));
	EXPECT_EQ(0, evfd_take(fd));

	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(0, ring_submit_one(&self->r, NULL));
	EXPECT_LE(1, evfd_take(fd));
	/* An ENTER that posts nothing signals nothing. */
	EXPECT_EQ(0, emu_enter(self->r.fd, 0, 0, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(0, evfd_take(fd));

	/* Four CQEs posted in one round: one signal. */
	for (i = 0; i < 4; i++)
		ring_queue_nop(&self->r, 10 + i);
	ring_flush(&self->r);
	ASSERT_EQ(4, emu_enter(self->r.fd, 4, 4, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(1, evfd_take(fd));

	/* Unregistered: no more. */
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_UNREGISTER_EVENTFD, NULL, 0));
	ring_queue_nop(&self->r, 3);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(0, evfd_take(fd));
}

/* IORING_CQ_EVENTFD_DISABLED in cq.flags: no signal while it is set. */
TEST_F(evfd, disabled_flag)
{
	unsigned int *cq_flags = RING_PTR(&self->r, self->r.p.cq_off.flags);
	int fd = self->efd;

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 1));
	__atomic_or_fetch(cq_flags, IORING_CQ_EVENTFD_DISABLED, __ATOMIC_RELEASE);
	ring_queue_nop(&self->r, 1);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(0, evfd_take(fd));
	__atomic_and_fetch(cq_flags, ~IORING_CQ_EVENTFD_DISABLED, __ATOMIC_RELEASE);
	/*
	 * The CQE posted while disabled is passed over for good: a round
	 * that posts nothing new (a successful CQE_SKIP_SUCCESS) does not
	 * signal it late.
	 */
	ring_get_sqe(&self->r)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	EXPECT_EQ(0, evfd_take(fd));
	ring_queue_nop(&self->r, 2);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_LE(1, evfd_take(fd));
}

/*
 * _ASYNC: as io_uring, only CQEs the worker pool posts signal it; an
 * inline NOP does not, an IOSQE_ASYNC one (run by a worker) does.
 */
TEST_F(evfd, async_only_workers)
{
	struct io_uring_sqe *sqe;
	int fd = self->efd;
	uint64_t ud = 0;

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD_ASYNC, &fd, 1));
	ring_queue_nop(&self->r, 1);
	ASSERT_EQ(0, ring_submit_one(&self->r, NULL));
	EXPECT_EQ(0, evfd_take(fd));

	/* A worker's round that posts nothing does not signal the inline CQE. */
	sqe = ring_queue_nop(&self->r, 3);
	sqe->flags = IOSQE_ASYNC | IOSQE_CQE_SKIP_SUCCESS;
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	usleep(100 * 1000);
	EXPECT_EQ(0, evfd_take(fd));

	sqe = ring_queue_nop(&self->r, 2);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(0, ring_submit_one(&self->r, &ud));
	EXPECT_EQ(2, ud);
	EXPECT_LE(1, evfd_take(fd));
}

/*
 * A multishot POLL_ADD on the ring's own eventfd: the signal for a CQE
 * wakes it as a ring's wakeup (EPOLL_URING_WAKE), which makes it
 * one-shot, as io_uring does, else each of its CQEs would signal the
 * eventfd that posts the next.
 */
TEST_F_TIMEOUT(evfd, multishot_poll_on_own_eventfd, 10)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	int fd = self->efd, n, polls = 0;

	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 1));
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = fd;
	sqe->poll32_events = POLLIN;
	sqe->len = IORING_POLL_ADD_MULTI;
	sqe->user_data = 100;
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	ring_queue_nop(&self->r, 1);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_LE(2, ring_wait_cqes(&self->r, 2, 2000));
	/* Time for any CQE a still armed poll would post. */
	usleep(200 * 1000);
	emu_enter(self->r.fd, 0, 0, IORING_ENTER_GETEVENTS);
	n = ring_cq_ready(&self->r);
	EXPECT_EQ(2, n);
	while (!ring_pop_cqe(&self->r, &cqe)) {
		if (cqe.user_data != 100)
			continue;
		polls++;
		EXPECT_TRUE(cqe.res & POLLIN);
		EXPECT_FALSE(cqe.flags & IORING_CQE_F_MORE);
	}
	EXPECT_EQ(1, polls);
}

static void *write_later(void *arg)
{
	usleep(100 * 1000);
	if (write(*(int *)arg, "x", 1) != 1)
		return (void *)1;
	return NULL;
}

/*
 * What event loops do: wait on the eventfd, not the ring. A READ parked
 * on a pipe completes when another thread writes it, and the eventfd
 * becomes readable.
 */
TEST_F_TIMEOUT(evfd, parked_read_wakes_poll, 10)
{
	struct pollfd pfd = { .fd = self->efd, .events = POLLIN };
	struct io_uring_cqe cqe;
	int p[2], fd = self->efd;
	pthread_t t;
	char c;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, emu_register(self->r.fd, IORING_REGISTER_EVENTFD, &fd, 1));
	ring_queue_rw(&self->r, IORING_OP_READ, p[0], &c, 1, 0, 9);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	EXPECT_EQ(0, evfd_take(fd));
	ASSERT_EQ(0, pthread_create(&t, NULL, write_later, &p[1]));
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_LE(1, evfd_take(fd));
	pthread_join(t, NULL);
	/* The CQE is there, or comes with the next ENTER's task work. */
	if (ring_cq_ready(&self->r) == 0)
		emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(9, cqe.user_data);
	EXPECT_EQ(1, cqe.res);
	close(p[0]);
	close(p[1]);
}

/* A ring closed with its eventfd registered lets go of it. */
TEST_F(evfd, close_with_eventfd)
{
	struct io_uring_params p = {};
	int fd = self->efd, ring = open(EMU_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, ring);
	ASSERT_EQ(0, emu_setup(ring, 4, &p));
	ASSERT_EQ(0, emu_register(ring, IORING_REGISTER_EVENTFD, &fd, 1));
	close(ring);
	/* The eventfd lives on, ours. */
	EXPECT_EQ(0, evfd_take(fd));
}

TEST_HARNESS_MAIN
