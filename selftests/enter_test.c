// SPDX-License-Identifier: GPL-2.0
/*
 * EMU_URING_IOC_ENTER: the submission loop, NOP, CQ posting, overflow,
 * invalid SQEs, waiting for completions and concurrent callers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

FIXTURE(ring) {
	struct ring r;
};

FIXTURE_SETUP(ring)
{
	self->r.fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 4, NULL);
}

FIXTURE_TEARDOWN(ring)
{
	ring_exit(&self->r);
}

/* One NOP: res 0, user_data returned as is. */
TEST_F(ring, nop_one)
{
	struct io_uring_cqe cqe;

	ASSERT_NE(NULL, ring_queue_nop(&self->r, 0xdeadbeefcafef00dULL));
	ASSERT_EQ(1, ring_flush(&self->r));
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(0xdeadbeefcafef00dULL, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(0, cqe.flags);
	EXPECT_EQ(-EAGAIN, ring_pop_cqe(&self->r, &cqe));
	/* The SQ head moved past what was consumed. */
	EXPECT_EQ(1, *self->r.sq_head);
}

/* Several queued NOPs, consumed by one ENTER, complete in order. */
TEST_F(ring, nop_several_queued)
{
	struct io_uring_cqe cqe;
	uint64_t i;

	for (i = 0; i < 4; i++)
		ASSERT_NE(NULL, ring_queue_nop(&self->r, 100 + i));
	/* The SQ is full now. */
	ASSERT_EQ(NULL, ring_get_sqe(&self->r));
	ASSERT_EQ(4, ring_flush(&self->r));
	ASSERT_EQ(4, emu_enter(self->r.fd, 4, 0, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(100 + i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
	}
}

/* to_submit limits each ENTER: 4 queued, taken 1 + 2 + 1. */
TEST_F(ring, nop_several_enters)
{
	struct io_uring_cqe cqe;
	uint64_t i;

	for (i = 0; i < 4; i++)
		ASSERT_NE(NULL, ring_queue_nop(&self->r, i));
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	ASSERT_EQ(1, ring_cq_ready(&self->r));
	ASSERT_EQ(2, emu_enter(self->r.fd, 2, 0, 0));
	ASSERT_EQ(3, ring_cq_ready(&self->r));
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
	}
}

/* to_submit 0 consumes nothing; more than queued consumes what is there. */
TEST_F(ring, to_submit_bounds)
{
	ASSERT_NE(NULL, ring_queue_nop(&self->r, 1));
	ASSERT_NE(NULL, ring_queue_nop(&self->r, 2));
	ring_flush(&self->r);
	ASSERT_EQ(0, emu_enter(self->r.fd, 0, 0, 0));
	ASSERT_EQ(0, ring_cq_ready(&self->r));
	ASSERT_EQ(2, emu_enter(self->r.fd, 1000, 0, 0));
	ASSERT_EQ(2, ring_cq_ready(&self->r));
	/* An empty SQ gives 0. */
	ASSERT_EQ(0, emu_enter(self->r.fd, 1000, 0, 0));
}

/* Head and tail wrap many times around a 4-entry SQ and 8-entry CQ. */
TEST_F(ring, nop_wraparound)
{
	struct io_uring_cqe cqe;
	uint64_t next = 0, want = 0;
	int round;

	for (round = 0; round < 1000; round++) {
		int i;

		for (i = 0; i < 3; i++)
			ASSERT_NE(NULL, ring_queue_nop(&self->r, next++));
		ring_flush(&self->r);
		ASSERT_EQ(3, emu_enter(self->r.fd, 3, 0, 0));
		while (ring_pop_cqe(&self->r, &cqe) == 0) {
			ASSERT_EQ(want, cqe.user_data);
			want++;
		}
	}
	ASSERT_EQ(3000, want);
	EXPECT_EQ(3000, *self->r.sq_head);
	EXPECT_EQ(0, *self->r.cq_overflow);
}

/* Unknown or unsupported opcodes complete with -EINVAL. */
TEST_F(ring, invalid_opcode)
{
	static const uint8_t ops[] = {
		0xff, 0x80, IORING_OP_OPENAT, IORING_OP_SENDMSG, 40,
	};
	struct io_uring_cqe cqe;
	unsigned int i;

	for (i = 0; i < sizeof(ops); i++) {
		struct io_uring_sqe *sqe = ring_queue_nop(&self->r, 7000 + i);

		ASSERT_NE(NULL, sqe);
		sqe->opcode = ops[i];
		ring_flush(&self->r);
		ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(7000 + i, cqe.user_data);
		EXPECT_EQ(-EINVAL, cqe.res) {
			TH_LOG("opcode %u gave %d", ops[i], cqe.res);
		}
	}
}

/* Unsupported SQE flags complete with -EINVAL. */
TEST_F(ring, invalid_sqe_flags)
{
	static const uint8_t flags[] = {
		IOSQE_FIXED_FILE, IOSQE_BUFFER_SELECT, 1 << 7,
	};
	struct io_uring_cqe cqe;
	unsigned int i;

	for (i = 0; i < sizeof(flags); i++) {
		struct io_uring_sqe *sqe = ring_queue_nop(&self->r, i);

		ASSERT_NE(NULL, sqe);
		sqe->flags = flags[i];
		ring_flush(&self->r);
		ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(-EINVAL, cqe.res) {
			TH_LOG("SQE flag %#x gave %d", flags[i], cqe.res);
		}
	}
}

/* A NOP with a field it does not use set is -EINVAL; fd is ignored. */
TEST_F(ring, nop_unused_field)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;

	sqe = ring_queue_nop(&self->r, 1);
	sqe->addr = 0x1000;
	sqe = ring_queue_nop(&self->r, 2);
	sqe->len = 1;
	sqe = ring_queue_nop(&self->r, 3);
	sqe->fd = -1;	/* what liburing's io_uring_prep_nop() sets */
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 3, 0, 0));
	ASSERT_EQ(1, emu_enter(self->r.fd, 2, 0, 0));
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(3, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

/*
 * Like io_uring without IORING_SETUP_SUBMIT_ALL: submission stops after an
 * SQE that fails preparation; that SQE is consumed and gets its CQE.
 */
TEST_F(ring, prep_failure_stops_submission)
{
	struct io_uring_cqe cqe;

	ring_queue_nop(&self->r, 1)->opcode = 0xff;
	ring_queue_nop(&self->r, 2);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 2, 0, 0));
	ASSERT_EQ(1, ring_cq_ready(&self->r));
	ASSERT_EQ(1, emu_enter(self->r.fd, 2, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

/* An SQ array index out of range is dropped and counted, as in Linux. */
TEST_F(ring, sq_index_out_of_range_dropped)
{
	struct io_uring_cqe cqe;

	ring_queue_nop(&self->r, 1);
	self->r.sq_array[0] = 4;	/* sq_entries: one past the end */
	ring_queue_nop(&self->r, 2);
	ring_flush(&self->r);
	ASSERT_EQ(0, emu_enter(self->r.fd, 2, 0, 0));
	EXPECT_EQ(1, *self->r.sq_dropped);
	EXPECT_EQ(1, *self->r.sq_head);
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	/* The next entry is still there and valid. */
	ASSERT_EQ(1, emu_enter(self->r.fd, 2, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
}

#define EMU_ENTER_FLAGS	(IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG | \
			 IORING_ENTER_ABS_TIMER)

/* Unknown ENTER flags are refused, one at a time. */
TEST_F(ring, enter_unknown_flags)
{
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & EMU_ENTER_FLAGS)
			continue;
		EXPECT_EQ(-1, emu_enter(self->r.fd, 0, 0, 1U << bit)) {
			TH_LOG("enter flag bit %u accepted", bit);
		}
		EXPECT_EQ(EINVAL, errno);
	}
}

/*
 * EXT_ARG and ABS_TIMER without GETEVENTS are accepted and their argument
 * is not read (io_uring_enter() reads it only for the wait); so is a
 * sigset_t argument without GETEVENTS. The wait itself: wait_test.c.
 */
TEST_F(ring, enter_wait_flags_without_getevents)
{
	struct emu_uring_enter e = { .arg = 16, .argsz = 3 };

	e.flags = IORING_ENTER_EXT_ARG;
	EXPECT_EQ(0, ioctl(self->r.fd, EMU_URING_IOC_ENTER, &e));
	e.flags = IORING_ENTER_ABS_TIMER;
	EXPECT_EQ(0, ioctl(self->r.fd, EMU_URING_IOC_ENTER, &e));
	e.flags = IORING_ENTER_EXT_ARG | IORING_ENTER_ABS_TIMER;
	EXPECT_EQ(0, ioctl(self->r.fd, EMU_URING_IOC_ENTER, &e));
	e.flags = 0;
	EXPECT_EQ(0, ioctl(self->r.fd, EMU_URING_IOC_ENTER, &e));
}

/* Each reserved word of the ENTER argument must be zero. */
TEST_F(ring, enter_reserved_nonzero)
{
	struct emu_uring_enter e0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(e0.__reserved); i++) {
		struct emu_uring_enter e = { .to_submit = 1 };

		e.__reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->r.fd, EMU_URING_IOC_ENTER, &e));
		EXPECT_EQ(EINVAL, errno);
	}
}

/* An unreadable ENTER argument is -EFAULT. */
TEST_F(ring, enter_bad_pointer)
{
	ASSERT_EQ(-1, ioctl(self->r.fd, EMU_URING_IOC_ENTER, (void *)16));
	ASSERT_EQ(EFAULT, errno);
}

/* GETEVENTS with min_complete already met returns at once. */
TEST_F(ring, getevents_ready)
{
	ring_queue_nop(&self->r, 5);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(1, ring_cq_ready(&self->r));
	/* min_complete is clamped to the CQ size (8). */
	ring_queue_nop(&self->r, 6);
	ring_queue_nop(&self->r, 7);
	ring_queue_nop(&self->r, 8);
	ring_queue_nop(&self->r, 9);
	ring_flush(&self->r);
	ASSERT_EQ(4, emu_enter(self->r.fd, 4, 0, 0));
	ring_queue_nop(&self->r, 10);
	ring_queue_nop(&self->r, 11);
	ring_queue_nop(&self->r, 12);
	ring_flush(&self->r);
	ASSERT_EQ(3, emu_enter(self->r.fd, 3, 1000, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(8, ring_cq_ready(&self->r));
}

static void on_alarm(int sig)
{
}

/* A GETEVENTS wait that nothing completes ends with -EINTR on a signal. */
TEST_F(ring, getevents_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ASSERT_EQ(-1, emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(EINTR, errno);
}

static void *submit_later(void *arg)
{
	struct ring *r = arg;

	usleep(100000);
	ring_queue_nop(r, 77);
	ring_flush(r);
	return (void *)(intptr_t)emu_enter(r->fd, 1, 0, 0);
}

/* A GETEVENTS waiter is woken by a completion from another thread. */
TEST_F(ring, getevents_woken_by_other_thread)
{
	struct io_uring_cqe cqe;
	pthread_t t;
	void *ret;

	ASSERT_EQ(0, pthread_create(&t, NULL, submit_later, &self->r));
	ASSERT_EQ(0, emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, pthread_join(t, &ret));
	ASSERT_EQ(1, (intptr_t)ret);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(77, cqe.user_data);
}

/*
 * Scribbling garbage over the ring header, the SQ index array and the SQEs
 * does not hurt the kernel, and the ring works again once userspace puts
 * its own fields back.
 */
TEST_F(ring, scribbled_header)
{
	struct ring *r = &self->r;
	struct io_uring_cqe cqe;
	unsigned int i, round;

	srand(1234);
	for (round = 0; round < 200; round++) {
		unsigned char *hdr = r->rings;
		int ret;

		for (i = 0; i < 64; i++)
			hdr[i] = rand();
		for (i = 0; i < r->p.sq_entries; i++)
			r->sq_array[i] = rand() % (2 * r->p.sq_entries);
		for (i = 0; i < r->p.sq_entries; i++) {
			memset(&r->sqes[i], rand(), sizeof(r->sqes[i]));
			r->sqes[i].opcode = 0xee;	/* no real I/O */
		}
		ret = emu_enter(r->fd, rand(), 0, 0);
		EXPECT_TRUE(ret >= 0 && ret <= (int)r->p.sq_entries) {
			TH_LOG("enter gave %d (errno %d)", ret, errno);
		}
	}
	/*
	 * The kernel keeps its own indexes and publishes them on each ENTER:
	 * the second ENTER finds the SQ empty and the ring is in sync again.
	 */
	for (i = 0; i < 2; i++) {
		*r->sq_tail = *r->sq_head;
		ASSERT_LE(0, emu_enter(r->fd, 1, 0, 0));
	}
	ASSERT_EQ(*r->sq_head, *r->sq_tail);
	r->sqe_tail = *r->sq_head;
	*r->cq_head = *r->cq_tail;
	ring_queue_nop(r, 4242);
	ring_flush(r);
	ASSERT_EQ(1, emu_enter(r->fd, 1, 0, 0));
	/*
	 * Completions the garbage CQ head sent to the backlog come first;
	 * reap until the NOP's, which must arrive.
	 */
	for (i = 0; i < 100000; i++) {
		if (ring_pop_cqe(r, &cqe)) {
			ASSERT_EQ(0, emu_enter(r->fd, 0, 1,
					       IORING_ENTER_GETEVENTS));
			continue;
		}
		if (cqe.user_data == 4242)
			break;
	}
	EXPECT_EQ(4242, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

#define THREADS		4
#define PER_THREAD	500

struct mt_state {
	struct ring r;
	pthread_mutex_t lock;
	unsigned char seen[THREADS * PER_THREAD];
	int dup, bad, errors;
};

static void mt_reap(struct mt_state *s)
{
	struct io_uring_cqe cqe;

	while (ring_pop_cqe(&s->r, &cqe) == 0) {
		if (cqe.user_data >= THREADS * PER_THREAD || cqe.res)
			s->bad++;
		else if (s->seen[cqe.user_data]++)
			s->dup++;
	}
}

static struct mt_state *mt;

static void *mt_worker(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		pthread_mutex_lock(&mt->lock);
		while (!ring_queue_nop(&mt->r, id * PER_THREAD + i)) {
			pthread_mutex_unlock(&mt->lock);
			sched_yield();
			pthread_mutex_lock(&mt->lock);
		}
		ring_flush(&mt->r);
		pthread_mutex_unlock(&mt->lock);

		/* Concurrent ENTERs: whoever gets the ring lock submits. */
		if (emu_enter(mt->r.fd, 1, 0, 0) < 0)
			__atomic_add_fetch(&mt->errors, 1, __ATOMIC_RELAXED);

		pthread_mutex_lock(&mt->lock);
		mt_reap(mt);
		pthread_mutex_unlock(&mt->lock);
	}
	return NULL;
}

/* Four threads enter at once; every NOP completes exactly once. */
TEST(nop_four_threads)
{
	pthread_t t[THREADS];
	int missing = 0;
	uintptr_t i;

	mt = calloc(1, sizeof(*mt));
	ASSERT_NE(NULL, mt);
	EMU_RING_INIT_OR_SKIP(&mt->r, 64, NULL);
	pthread_mutex_init(&mt->lock, NULL);
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, mt_worker, (void *)i));
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	/* An SQE queued after the last ENTER of a thread may remain. */
	ASSERT_LE(0, emu_enter(mt->r.fd, 64, 0, 0));
	mt_reap(mt);
	EXPECT_EQ(0, mt->errors);
	EXPECT_EQ(0, mt->dup);
	EXPECT_EQ(0, mt->bad);
	EXPECT_EQ(0, *mt->r.cq_overflow);
	for (i = 0; i < THREADS * PER_THREAD; i++)
		if (mt->seen[i] != 1)
			missing++;
	EXPECT_EQ(0, missing);
	ring_exit(&mt->r);
	free(mt);
}

TEST_HARNESS_MAIN
