// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_TIMEOUT (relative, absolute, with a completion count, on the
 * three clocks, IORING_TIMEOUT_ETIME_SUCCESS and IORING_TIMEOUT_MULTISHOT),
 * IORING_OP_TIMEOUT_REMOVE (removal, IORING_TIMEOUT_UPDATE and
 * IORING_LINK_TIMEOUT_UPDATE) and IORING_OP_LINK_TIMEOUT, with io_uring's
 * (Linux 6.12) semantics: io_uring/timeout.c (__io_timeout_prep(),
 * io_timeout(), io_timeout_fn(), io_timeout_complete(), io_timeout_finish(),
 * io_flush_timeouts(), io_kill_timeout(), io_timeout_remove_prep(),
 * io_timeout_remove(), io_timeout_update(), io_linked_timeout_update(),
 * io_timeout_cancel(), io_timeout_extract(), io_link_timeout_fn(),
 * io_req_task_link_timeout(), io_queue_linked_timeout(), io_disarm_next(),
 * io_kill_timeouts()), io_uring/io_uring.c (io_init_req(), io_submit_sqe(),
 * io_issue_sqe(), __io_prep_linked_timeout(), __io_commit_cqring_flush(),
 * req_need_defer(), io_cqring_wait(), io_should_wake()) and
 * io_uring/cancel.c (io_try_cancel(), io_cancel_req_match()).
 *
 * The SQEs are written by hand, as liburing's io_uring_prep_timeout(),
 * io_uring_prep_timeout_remove(), io_uring_prep_timeout_update() and
 * io_uring_prep_link_timeout() write them.
 *
 * Completion counts: a TIMEOUT with a count (sqe->off) completes with 0
 * once that many CQEs were posted after it was issued, counted as CQ tail
 * movement less the CQEs of timeouts (cached_cq_tail - cq_timeouts). A
 * CQE_SKIP_SUCCESS request that posts nothing does not count; a failed
 * request's CQE does; so do the CQEs of requests submitted before the
 * TIMEOUT in the same io_uring_enter() call, which are only posted when
 * the submission ends.
 *
 * Built with -DTIMEOUT_TEST_IO_URING (by hand: the Makefile's command with
 * that flag added) the same tests run on the kernel's own io_uring
 * (io_uring_setup(2), io_uring_enter(2)) instead of the device: that is how
 * their expectations were checked, on the 6.12 guests' io_uring.
 *
 * Every wait is bounded: GETEVENTS waits carry an IORING_ENTER_EXT_ARG
 * timeout and a SIGALRM guard, submissions a SIGALRM guard. Times are
 * checked strictly for "not before" and loosely (SLOW_MS) for "not much
 * after": the guests are slow, noisy TCG machines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/time_types.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

/* Newer than the 6.1 uapi header; the value is io_uring's. */
#ifndef IORING_TIMEOUT_MULTISHOT
#define IORING_TIMEOUT_MULTISHOT	(1U << 6)
#endif

#define MAX_CQES	64
/* "Not much after": what a timeout may be late by in a TCG guest. */
#define SLOW_MS		2000

static void on_alarm(int sig)
{
}

/* A SIGALRM (no SA_RESTART) in @ms, to end a wrong wait; 0 stops it. */
static void guard(unsigned int ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = {
		.it_value = { ms / 1000, (ms % 1000) * 1000 },
	};

	if (ms)
		sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

#ifdef TIMEOUT_TEST_IO_URING
#define BACKEND_NAME	"io_uring"
#define NATIVE		1

static int t_enter(int fd, unsigned int to_submit, unsigned int min,
		   unsigned int flags, const void *arg, size_t argsz)
{
	return syscall(__NR_io_uring_enter, fd, to_submit, min, flags, arg,
		       argsz);
}

static int t_ring_init(struct ring *r, unsigned int entries)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, entries, &r->p);
	if (r->fd < 0)
		return -errno;
	ret = ring_map(r);
	if (ret)
		close(r->fd);
	return ret;
}

#define T_RING_INIT_OR_SKIP(r, entries) do {				\
	int __ret = t_ring_init((r), (entries));			\
	if (__ret == -ENOSYS || __ret == -EPERM)			\
		SKIP(return, "no io_uring here (%d)", __ret);		\
	ASSERT_EQ(0, __ret);						\
} while (0)
#else
#define BACKEND_NAME	"emu_uring"
#define NATIVE		0

static int t_enter(int fd, unsigned int to_submit, unsigned int min,
		   unsigned int flags, const void *arg, size_t argsz)
{
	struct emu_uring_enter e = {
		.to_submit = to_submit,
		.min_complete = min,
		.flags = flags,
		.argsz = argsz,
		.arg = (uintptr_t)arg,
	};

	return ioctl(fd, EMU_URING_IOC_ENTER, &e);
}

static int t_ring_init(struct ring *r, unsigned int entries)
{
	return ring_init(r, entries, NULL);
}

#define T_RING_INIT_OR_SKIP(r, entries) \
	EMU_RING_INIT_OR_SKIP((r), (entries), NULL)
#endif

/* Submit what is queued; ENTER's result or -errno, bounded by a guard. */
static int submit(struct ring *r, unsigned int n)
{
	int ret;

	ring_flush(r);
	guard(2000);
	ret = t_enter(r->fd, n, 0, 0, NULL, 0);
	if (ret < 0)
		ret = -errno;
	guard(0);
	return ret;
}

/*
 * Wait until the CQ holds @n CQEs, for @ms at most (EXT_ARG timeouts);
 * returns the CQEs ready.
 */
static unsigned int wait_cqes(struct ring *r, unsigned int n, unsigned int ms)
{
	long long end = emu_now_ms() + ms, left;

	guard(ms + 1000);
	while (ring_cq_ready(r) < n && (left = end - emu_now_ms()) > 0) {
		struct __kernel_timespec ts = {
			.tv_sec = left / 1000,
			.tv_nsec = (left % 1000) * 1000000,
		};
		struct wait_arg wa = { .ts = (uintptr_t)&ts };
		int ret = t_enter(r->fd, 0, n, IORING_ENTER_GETEVENTS |
				  IORING_ENTER_EXT_ARG, &wa, sizeof(wa));

		if (ret < 0 && errno != ETIME && errno != EINTR)
			break;
	}
	guard(0);
	return ring_cq_ready(r);
}

/* What arrives within @ms when nothing should: the CQEs ready then. */
static unsigned int cqes_within(struct ring *r, unsigned int ms)
{
	return wait_cqes(r, 1, ms);
}

/* CQEs reaped from the ring, in CQ order, looked up by user_data. */
struct cqes {
	unsigned int n;
	struct io_uring_cqe c[MAX_CQES];
};

/* Wait for @n CQEs (@ms at most) and reap all there; returns how many. */
static unsigned int reap_ms(struct ring *r, unsigned int n, unsigned int ms,
			    struct cqes *cs)
{
	wait_cqes(r, n, ms);
	cs->n = 0;
	while (cs->n < MAX_CQES && ring_pop_cqe(r, &cs->c[cs->n]) == 0)
		cs->n++;
	return cs->n;
}

/* Wait for @n CQEs (2 s at most) and reap all there; returns how many. */
static unsigned int reap(struct ring *r, unsigned int n, struct cqes *cs)
{
	return reap_ms(r, n, 2000, cs);
}

/* The index in CQ order of the first CQE of @ud, or -1. */
static int pos_of(const struct cqes *cs, uint64_t ud)
{
	unsigned int i;

	for (i = 0; i < cs->n; i++)
		if (cs->c[i].user_data == ud)
			return i;
	return -1;
}

static const struct io_uring_cqe *cqe_of(const struct cqes *cs, uint64_t ud)
{
	int i = pos_of(cs, ud);

	return i < 0 ? NULL : &cs->c[i];
}

static unsigned int count_of(const struct cqes *cs, uint64_t ud)
{
	unsigned int i, n = 0;

	for (i = 0; i < cs->n; i++)
		n += cs->c[i].user_data == ud;
	return n;
}

/* res of the CQE of @ud, or a value no CQE has. */
#define NO_CQE		(-100000)
static int res_of(const struct cqes *cs, uint64_t ud)
{
	const struct io_uring_cqe *c = cqe_of(cs, ud);

	return c ? c->res : NO_CQE;
}

/* The CQEs reaped, in the log. */
#define DUMP(cs) do {							\
	unsigned int __i;						\
	for (__i = 0; __i < (cs)->n; __i++)				\
		TH_LOG("CQE %u: user_data %llu res %d flags %#x", __i,	\
		       (cs)->c[__i].user_data, (cs)->c[__i].res,	\
		       (cs)->c[__i].flags);				\
} while (0)

static unsigned int flags_of(const struct cqes *cs, uint64_t ud)
{
	const struct io_uring_cqe *c = cqe_of(cs, ud);

	return c ? c->flags : ~0U;
}

/* A relative timespec of @ms milliseconds. */
static struct __kernel_timespec ts_ms(long long ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};

	return ts;
}

/* Now on @clk plus @ms milliseconds, for IORING_TIMEOUT_ABS. */
static struct __kernel_timespec ts_abs(clockid_t clk, long long ms)
{
	struct __kernel_timespec ts;
	struct timespec now;
	long long ns;

	clock_gettime(clk, &now);
	ns = now.tv_sec * 1000000000LL + now.tv_nsec + ms * 1000000LL;
	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	return ts;
}

/* Whether @clk has reached @ts. */
static bool clock_reached(clockid_t clk, const struct __kernel_timespec *ts)
{
	struct timespec now;

	clock_gettime(clk, &now);
	return now.tv_sec > ts->tv_sec ||
	       (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

/* io_uring_prep_timeout(): -ETIME after @ts, or 0 after @count CQEs. */
static struct io_uring_sqe *q_timeout(struct ring *r,
				      const struct __kernel_timespec *ts,
				      uint32_t count, uint32_t flags,
				      uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT;
		sqe->fd = -1;
		sqe->addr = (uintptr_t)ts;
		sqe->len = 1;
		sqe->off = count;
		sqe->timeout_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

/* io_uring_prep_timeout_remove(): remove the timeout of @target. */
static struct io_uring_sqe *q_remove(struct ring *r, uint64_t target,
				     uint32_t flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->timeout_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

/*
 * io_uring_prep_timeout_update(): the timespec goes in addr2 (off), the
 * target in addr, IORING_TIMEOUT_UPDATE is added to @flags.
 */
static struct io_uring_sqe *q_update(struct ring *r,
				     const struct __kernel_timespec *ts,
				     uint64_t target, uint32_t flags,
				     uint64_t ud)
{
	struct io_uring_sqe *sqe = q_remove(r, target,
					    flags | IORING_TIMEOUT_UPDATE, ud);

	if (sqe)
		sqe->off = (uintptr_t)ts;
	return sqe;
}

/* io_uring_prep_link_timeout(). */
static struct io_uring_sqe *q_link_timeout(struct ring *r,
					   const struct __kernel_timespec *ts,
					   uint32_t flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = q_timeout(r, ts, 0, flags, ud);

	if (sqe)
		sqe->opcode = IORING_OP_LINK_TIMEOUT;
	return sqe;
}

/* io_uring_prep_cancel64() with @flags. */
static struct io_uring_sqe *q_cancel(struct ring *r, uint64_t target,
				     uint32_t flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_ASYNC_CANCEL;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->cancel_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *q_read(struct ring *r, int fd, void *buf,
				   unsigned int len, uint64_t ud)
{
	return ring_queue_rw(r, IORING_OP_READ, fd, buf, len, 0, ud);
}

/* Submit one queued SQE and reap its CQE: its res, or NO_CQE. */
static int one(struct ring *r)
{
	struct io_uring_cqe cqe;

	if (submit(r, 1) != 1 || wait_cqes(r, 1, 2000) < 1 ||
	    ring_pop_cqe(r, &cqe))
		return NO_CQE;
	return cqe.res;
}

/* Submit one NOP; 0 or -1. */
static int nop(struct ring *r, uint64_t ud)
{
	ring_queue_nop(r, ud);
	return submit(r, 1) == 1 ? 0 : -1;
}

FIXTURE(tt) {
	struct ring r;
	int p[2];	/* a pipe, empty */
	int q[2];	/* another */
	char buf[64];
};

FIXTURE_SETUP(tt)
{
	self->r.fd = -1;
	self->p[0] = self->p[1] = self->q[0] = self->q[1] = -1;
	T_RING_INIT_OR_SKIP(&self->r, 32);
	ASSERT_EQ(0, pipe(self->p));
	ASSERT_EQ(0, pipe(self->q));
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(tt)
{
	int i;

	guard(0);
	for (i = 0; i < 2; i++) {
		if (self->p[i] >= 0)
			close(self->p[i]);
		if (self->q[i] >= 0)
			close(self->q[i]);
	}
	ring_exit(&self->r);
}

/* The backend the tests talk to, in the log. */
TEST_F(tt, backend)
{
	TH_LOG("backend: %s", BACKEND_NAME);
}

/*
 * A relative TIMEOUT (count 0) completes with -ETIME, not before its time,
 * with its user_data and no flags.
 */
TEST_F_TIMEOUT(tt, relative_etime, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	const uint64_t ud = 0xfedcba9876543210ULL;
	struct io_uring_cqe cqe;
	long long t0, dt;

	q_timeout(&self->r, &ts, 0, 0, ud);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, SLOW_MS + 100));
	dt = emu_now_ms() - t0;
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(-ETIME, cqe.res);
	EXPECT_EQ(0, cqe.flags);
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/* A zero timespec fires at once. */
TEST_F_TIMEOUT(tt, relative_zero, 10)
{
	struct __kernel_timespec ts = ts_ms(0);

	q_timeout(&self->r, &ts, 0, 0, 1);
	EXPECT_EQ(-ETIME, one(&self->r));
}

/* The timespec is read at submission: changing it after has no effect. */
TEST_F_TIMEOUT(tt, timespec_read_at_submit, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 0, 0, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ts = ts_ms(60000);
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 100, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_GT(SLOW_MS + 100, emu_now_ms() - t0);
}

/*
 * tv_nsec is not range checked (io_uring only refuses negative values):
 * 1.1e9 ns is 1.1 s.
 */
TEST_F_TIMEOUT(tt, tv_nsec_not_normalized, 10)
{
	struct __kernel_timespec ts = { .tv_nsec = 1100000000LL };
	struct cqes cs;
	long long t0, dt;

	q_timeout(&self->r, &ts, 0, 0, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 1100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_LE(1100, dt);
	EXPECT_GT(SLOW_MS + 1100, dt);
}

/*
 * A TIMEOUT with count 3 completes with 0 once 3 other CQEs were posted,
 * long before its time; its CQE comes after the third NOP's.
 */
TEST_F_TIMEOUT(tt, count_met_by_nops, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 3, 0, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, nop(&self->r, 10));
	ASSERT_EQ(0, nop(&self->r, 11));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 10));
	EXPECT_EQ(0, res_of(&cs, 11));
	EXPECT_EQ(0, cqes_within(&self->r, 100));

	ASSERT_EQ(0, nop(&self->r, 12));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, pos_of(&cs, 12));
	EXPECT_EQ(1, pos_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_GT(3000, emu_now_ms() - t0);
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/* With a count and the time passing first: -ETIME. */
TEST_F_TIMEOUT(tt, count_time_first, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;
	long long t0, dt;

	q_timeout(&self->r, &ts, 2, 0, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, nop(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);
	/* Gone: the second CQE does not complete it again. */
	ASSERT_EQ(0, nop(&self->r, 3));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * CQEs of the same submission count, on either side of the TIMEOUT: the
 * NOPs before it only post their CQEs when the submission ends, after the
 * TIMEOUT took its starting point. (Surprising, but what io_uring does:
 * io_timeout() reads cached_cq_tail, deferred completions are flushed by
 * io_submit_state_end().)
 */
TEST_F_TIMEOUT(tt, count_same_submission, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 2, 0, 1);
	ring_queue_nop(&self->r, 2);
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(2, pos_of(&cs, 1));

	ring_queue_nop(&self->r, 4);
	ring_queue_nop(&self->r, 5);
	q_timeout(&self->r, &ts, 2, 0, 6);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, res_of(&cs, 4));
	EXPECT_EQ(0, res_of(&cs, 5));
	EXPECT_EQ(0, res_of(&cs, 6));
	EXPECT_EQ(2, pos_of(&cs, 6));
}

/* CQEs posted before the TIMEOUT's submission do not count. */
TEST_F_TIMEOUT(tt, count_starts_at_issue, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	ASSERT_EQ(0, nop(&self->r, 1));
	ASSERT_EQ(0, nop(&self->r, 2));
	ASSERT_EQ(2, wait_cqes(&self->r, 2, 2000));
	q_timeout(&self->r, &ts, 1, 0, 3);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(0, nop(&self->r, 4));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
}

/*
 * Timeouts' own CQEs do not count: a pure timeout firing, a count timeout
 * completing, a timeout removed (its -ECANCELED). The remove's CQE does.
 */
TEST_F_TIMEOUT(tt, count_ignores_timeout_cqes, 10)
{
	struct __kernel_timespec t50 = ts_ms(50), t5s = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &t5s, 1, 0, 1);
	q_timeout(&self->r, &t50, 0, 0, 2);
	q_timeout(&self->r, &t5s, 0, 0, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 200));

	/* The remove's CQE counts; the cancelled timeout's does not. */
	q_remove(&self->r, 3, 0, 4);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, res_of(&cs, 4));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(0, res_of(&cs, 1));
}

/*
 * Count timeouts complete in the order of their targets, whatever the
 * order of submission: 1 before 2 before 3 CQEs.
 */
TEST_F_TIMEOUT(tt, count_targets_sorted, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;
	int i;

	q_timeout(&self->r, &ts, 3, 0, 103);
	q_timeout(&self->r, &ts, 1, 0, 101);
	q_timeout(&self->r, &ts, 2, 0, 102);
	ASSERT_EQ(3, submit(&self->r, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, nop(&self->r, i));
		ASSERT_EQ(2, reap(&self->r, 2, &cs));
		EXPECT_EQ(0, pos_of(&cs, i));
		EXPECT_EQ(1, pos_of(&cs, 100 + i));
		EXPECT_EQ(0, res_of(&cs, 100 + i));
		EXPECT_EQ(0, cqes_within(&self->r, 50));
	}
}

/* Two timeouts with the same count: one CQE completes both, in order. */
TEST_F_TIMEOUT(tt, count_same_target, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 1, 0, 1);
	q_timeout(&self->r, &ts, 1, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(0, nop(&self->r, 3));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, pos_of(&cs, 3));
	EXPECT_EQ(1, pos_of(&cs, 1));
	EXPECT_EQ(2, pos_of(&cs, 2));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
}

/* A failed request's CQE counts like any other. */
TEST_F_TIMEOUT(tt, count_failed_cqe_counts, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 1, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	q_read(&self->r, -1, self->buf, 1, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-EBADF, res_of(&cs, 2));
	EXPECT_EQ(0, res_of(&cs, 1));
}

/*
 * IOSQE_CQE_SKIP_SUCCESS requests that succeed post no CQE and do not
 * count (the CQ tail does not move); one that fails posts its CQE, which
 * counts.
 */
TEST_F_TIMEOUT(tt, count_skip_success, 10)
{
	struct __kernel_timespec ts = ts_ms(300);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 1, 0, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ring_queue_nop(&self->r, 2)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ring_queue_nop(&self->r, 3)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 300, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_LE(300, emu_now_ms() - t0);

	ts = ts_ms(5000);
	q_timeout(&self->r, &ts, 1, 0, 4);
	ASSERT_EQ(1, submit(&self->r, 1));
	q_read(&self->r, -1, self->buf, 1, 5)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-EBADF, res_of(&cs, 5));
	EXPECT_EQ(0, res_of(&cs, 4));
}

/*
 * A count TIMEOUT heading a link: met, it completes with 0 and the NOP
 * after it runs; timed out (-ETIME, a failure), the NOP is cancelled.
 */
TEST_F_TIMEOUT(tt, count_link_head, 10)
{
	struct __kernel_timespec t5s = ts_ms(5000), t50 = ts_ms(50);
	struct cqes cs;

	q_timeout(&self->r, &t5s, 1, 0, 1)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(0, nop(&self->r, 3));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_LT(pos_of(&cs, 1), pos_of(&cs, 2));

	q_timeout(&self->r, &t50, 1, 0, 4)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 5);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 4));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 5));
	EXPECT_LT(pos_of(&cs, 4), pos_of(&cs, 5));
}

/* IORING_TIMEOUT_ABS on CLOCK_MONOTONIC: not before the deadline. */
TEST_F_TIMEOUT(tt, abs_monotonic, 10)
{
	struct __kernel_timespec ts = ts_abs(CLOCK_MONOTONIC, 150);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_ABS, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 150, &cs));
	EXPECT_TRUE(clock_reached(CLOCK_MONOTONIC, &ts));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);

	/* A deadline in the past fires at once. */
	ts = ts_abs(CLOCK_MONOTONIC, -1000);
	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_ABS, 2);
	t0 = emu_now_ms();
	EXPECT_EQ(-ETIME, one(&self->r));
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);
}

/* IORING_TIMEOUT_BOOTTIME, relative and absolute. */
TEST_F_TIMEOUT(tt, boottime, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;
	long long t0, dt;

	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_BOOTTIME, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);

	ts = ts_abs(CLOCK_BOOTTIME, 150);
	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_BOOTTIME |
		  IORING_TIMEOUT_ABS, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 150, &cs));
	EXPECT_TRUE(clock_reached(CLOCK_BOOTTIME, &ts));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
}

/*
 * IORING_TIMEOUT_REALTIME: relative; absolute in the future, not before
 * it; absolute in the past, at once.
 */
TEST_F_TIMEOUT(tt, realtime, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;
	long long t0, dt;

	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_REALTIME, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);

	ts = ts_abs(CLOCK_REALTIME, 150);
	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_REALTIME |
		  IORING_TIMEOUT_ABS, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS + 150, &cs));
	EXPECT_TRUE(clock_reached(CLOCK_REALTIME, &ts));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));

	ts = ts_abs(CLOCK_REALTIME, -10000);
	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_REALTIME |
		  IORING_TIMEOUT_ABS, 3);
	t0 = emu_now_ms();
	EXPECT_EQ(-ETIME, one(&self->r));
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);
}

/*
 * IORING_TIMEOUT_ETIME_SUCCESS: the CQE still says -ETIME, but it is not
 * a failure: a NOP linked behind it runs (without the flag it is
 * cancelled, see count_link_head).
 */
TEST_F_TIMEOUT(tt, etime_success_link, 10)
{
	struct __kernel_timespec ts = ts_ms(50);
	struct cqes cs;

	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_ETIME_SUCCESS,
		  1)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_LT(pos_of(&cs, 1), pos_of(&cs, 2));

	q_timeout(&self->r, &ts, 0, 0, 3)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 4);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 4));
}

/*
 * IOSQE_CQE_SKIP_SUCCESS on a TIMEOUT: an -ETIME is a failure and posts
 * its CQE; with ETIME_SUCCESS it is a success and posts nothing; a count
 * met (0) posts nothing.
 */
TEST_F_TIMEOUT(tt, skip_success_timeout, 10)
{
	struct __kernel_timespec t50 = ts_ms(50), t5s = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &t50, 0, 0, 1)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, reap_ms(&self->r, 1, SLOW_MS, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));

	q_timeout(&self->r, &t50, 0, IORING_TIMEOUT_ETIME_SUCCESS,
		  2)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, submit(&self->r, 1));
	EXPECT_EQ(0, cqes_within(&self->r, 400));

	q_timeout(&self->r, &t5s, 1, 0, 3)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, nop(&self->r, 4));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(0, res_of(&cs, 4));
	EXPECT_EQ(0, cqes_within(&self->r, 200));
}

/*
 * IORING_TIMEOUT_MULTISHOT with count 3: three -ETIME CQEs a period
 * apart, the first two with IORING_CQE_F_MORE, the last without; then
 * nothing, and nothing left to remove.
 */
TEST_F_TIMEOUT(tt, multishot_count, 10)
{
	struct __kernel_timespec ts = ts_ms(60);
	struct io_uring_cqe cqe;
	long long t0;
	int i;

	q_timeout(&self->r, &ts, 3, IORING_TIMEOUT_MULTISHOT, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, wait_cqes(&self->r, 1, SLOW_MS)) {
			TH_LOG("no CQE for shot %d", i);
		}
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_LE(60 * (i + 1), emu_now_ms() - t0);
		EXPECT_EQ(1, cqe.user_data);
		EXPECT_EQ(-ETIME, cqe.res);
		EXPECT_EQ(i < 2 ? IORING_CQE_F_MORE : 0, cqe.flags) {
			TH_LOG("shot %d", i);
		}
	}
	EXPECT_EQ(0, cqes_within(&self->r, 300));
	q_remove(&self->r, 1, 0, 2);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/*
 * MULTISHOT with count 0 goes on until removed: F_MORE CQEs, then the
 * remove (0) and the timeout's last CQE, -ECANCELED without F_MORE.
 */
TEST_F_TIMEOUT(tt, multishot_infinite, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct io_uring_cqe cqe;
	struct cqes cs;
	unsigned int i;
	int shots = 0;

	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_MULTISHOT, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	while (shots < 4) {
		ASSERT_EQ(1, wait_cqes(&self->r, 1, SLOW_MS));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(1, cqe.user_data);
		EXPECT_EQ(-ETIME, cqe.res);
		EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
		shots++;
	}
	q_remove(&self->r, 1, 0, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	/* Shots that fired meanwhile may come before the end. */
	ASSERT_LE(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	for (i = 0; i < cs.n; i++) {
		if (cs.c[i].user_data != 1)
			continue;
		if (cs.c[i].res == -ETIME) {
			EXPECT_EQ(IORING_CQE_F_MORE, cs.c[i].flags);
			continue;
		}
		EXPECT_EQ(-ECANCELED, cs.c[i].res);
		EXPECT_EQ(0, cs.c[i].flags);
		EXPECT_EQ(cs.n - 1, i);
	}
	EXPECT_EQ(-ECANCELED, cs.c[cs.n - 1].res);
	EXPECT_EQ(0, cqes_within(&self->r, 200));
}

/*
 * MULTISHOT: with IORING_TIMEOUT_ABS it is -EINVAL; its count is a number
 * of shots, not of CQEs (a NOP does not end it); its CQEs do not count for
 * a count timeout.
 */
TEST_F_TIMEOUT(tt, multishot_not_a_count, 10)
{
	struct __kernel_timespec ts = ts_abs(CLOCK_MONOTONIC, 50);
	struct __kernel_timespec t5s = ts_ms(5000), t40 = ts_ms(40);
	struct cqes cs;
	unsigned int i;

	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_MULTISHOT |
		  IORING_TIMEOUT_ABS, 1);
	EXPECT_EQ(-EINVAL, one(&self->r));

	q_timeout(&self->r, &t5s, 1, 0, 2);
	q_timeout(&self->r, &t40, 2, IORING_TIMEOUT_MULTISHOT, 3);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, nop(&self->r, 4));
	ASSERT_EQ(4, reap_ms(&self->r, 4, SLOW_MS, &cs));
	EXPECT_EQ(0, res_of(&cs, 4));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(2, count_of(&cs, 3));
	for (i = 0; i < cs.n; i++)
		if (cs.c[i].user_data == 3)
			EXPECT_EQ(-ETIME, cs.c[i].res);
	EXPECT_EQ(0, cqes_within(&self->r, 200));

	/* Two shots of CQEs do not meet a count of 1. */
	q_timeout(&self->r, &t5s, 1, 0, 5);
	q_timeout(&self->r, &t40, 2, IORING_TIMEOUT_MULTISHOT, 6);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS, &cs));
	EXPECT_EQ(2, count_of(&cs, 6));
	EXPECT_EQ(0, cqes_within(&self->r, 200));
	ASSERT_EQ(0, nop(&self->r, 7));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 5));
}

/*
 * TIMEOUT preparation errors (__io_timeout_prep(), io_init_req()): all
 * -EINVAL but for the timespec's address (-EFAULT). The timespec is short:
 * a TIMEOUT that wrongly went ahead completes with -ETIME.
 */
TEST_F_TIMEOUT(tt, prep_errors, 20)
{
	static const uint32_t bad_flags[] = {
		IORING_TIMEOUT_UPDATE, IORING_LINK_TIMEOUT_UPDATE,
		IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME,
		IORING_TIMEOUT_ABS | IORING_TIMEOUT_BOOTTIME |
			IORING_TIMEOUT_REALTIME,
		1U << 7, 1U << 31,
	};
	struct __kernel_timespec ts = ts_ms(10);
	struct __kernel_timespec neg_sec = { .tv_sec = -1 };
	struct __kernel_timespec neg_nsec = { .tv_nsec = -1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		q_timeout(&self->r, &ts, 0, bad_flags[i], 1);
		EXPECT_EQ(-EINVAL, one(&self->r)) {
			TH_LOG("timeout_flags %#x", bad_flags[i]);
		}
	}
	q_timeout(&self->r, &ts, 0, 0, 2)->len = 0;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 3)->len = 2;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 4)->buf_index = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 5)->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 6)->addr3 = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 7)->__pad2[0] = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 8)->ioprio = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &neg_sec, 0, 0, 9);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, &neg_nsec, 0, 0, 10);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_timeout(&self->r, NULL, 0, 0, 11);
	EXPECT_EQ(-EFAULT, one(&self->r));
	q_timeout(&self->r, (void *)8, 0, 0, 12);
	EXPECT_EQ(-EFAULT, one(&self->r));
	/* An SQE flag io_uring does not know. */
	q_timeout(&self->r, &ts, 0, 0, 13)->flags = 1U << 7;
	EXPECT_EQ(-EINVAL, one(&self->r));
	/* MULTISHOT with ABS, on a count too. */
	q_timeout(&self->r, &ts, 2, IORING_TIMEOUT_MULTISHOT |
		  IORING_TIMEOUT_ABS, 14);
	EXPECT_EQ(-EINVAL, one(&self->r));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * What TIMEOUT does not look at: fd. ETIME_SUCCESS goes with a clock flag.
 * Both fire.
 */
TEST_F_TIMEOUT(tt, ignored_fields, 10)
{
	struct __kernel_timespec ts = ts_ms(10);

	q_timeout(&self->r, &ts, 0, 0, 1)->fd = 12345;
	EXPECT_EQ(-ETIME, one(&self->r));
	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_ETIME_SUCCESS |
		  IORING_TIMEOUT_BOOTTIME, 2);
	EXPECT_EQ(-ETIME, one(&self->r));
}

/*
 * IOSQE flags on a TIMEOUT: IOSQE_ASYNC is taken (it is armed from the
 * worker pool, as from io-wq); io_uring accepts IOSQE_FIXED_FILE (a
 * TIMEOUT has no file: ignored) and refuses IOSQE_BUFFER_SELECT with
 * -EOPNOTSUPP, while emu_uring refuses both for all requests (-EINVAL, see
 * enter_test's invalid_sqe_flags).
 */
TEST_F_TIMEOUT(tt, sqe_flags_native, 10)
{
	struct __kernel_timespec ts = ts_ms(10);

	q_timeout(&self->r, &ts, 0, 0, 1)->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(NATIVE ? -ETIME : -EINVAL, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 2)->flags = IOSQE_ASYNC;
	EXPECT_EQ(-ETIME, one(&self->r));
	q_timeout(&self->r, &ts, 0, 0, 3)->flags = IOSQE_BUFFER_SELECT;
	EXPECT_EQ(NATIVE ? -EOPNOTSUPP : -EINVAL, one(&self->r));
}

/*
 * TIMEOUT_REMOVE of a pending timeout: the remove's CQE (0) comes first,
 * then the timeout's (-ECANCELED), at once.
 */
TEST_F_TIMEOUT(tt, remove_pending, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_remove(&self->r, 1, 0, 2);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_EQ(0, pos_of(&cs, 2)) {
		DUMP(&cs);
	}
	/* Gone. */
	q_remove(&self->r, 1, 0, 3);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/* A remove in the same submission as its timeout finds it. */
TEST_F_TIMEOUT(tt, remove_same_submission, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 0, 0, 1);
	q_remove(&self->r, 1, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, pos_of(&cs, 2));
}

/*
 * TIMEOUT_REMOVE of a user_data no timeout has, of a timeout that has
 * fired, of a request that is not a timeout: -ENOENT.
 */
TEST_F_TIMEOUT(tt, remove_not_found, 10)
{
	struct __kernel_timespec ts = ts_ms(20);
	struct cqes cs;

	q_remove(&self->r, 12345, 0, 1);
	EXPECT_EQ(-ENOENT, one(&self->r));

	q_timeout(&self->r, &ts, 0, 0, 2);
	EXPECT_EQ(-ETIME, one(&self->r));
	q_remove(&self->r, 2, 0, 3);
	EXPECT_EQ(-ENOENT, one(&self->r));

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 4);
	ASSERT_EQ(1, submit(&self->r, 1));
	q_remove(&self->r, 4, 0, 5);
	EXPECT_EQ(-ENOENT, one(&self->r));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(1, res_of(&cs, 4));
}

/* A count timeout removed: -ECANCELED; later CQEs find nothing. */
TEST_F_TIMEOUT(tt, remove_count_timeout, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 2, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, nop(&self->r, 2));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	q_remove(&self->r, 1, 0, 3);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	ASSERT_EQ(0, nop(&self->r, 4));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/* Two timeouts with one user_data: each remove takes one, oldest first. */
TEST_F_TIMEOUT(tt, remove_same_user_data, 10)
{
	struct __kernel_timespec t1 = ts_ms(5000), t2 = ts_ms(6000);
	struct cqes cs;

	q_timeout(&self->r, &t1, 0, 0, 7);
	q_timeout(&self->r, &t2, 0, 0, 7);
	ASSERT_EQ(2, submit(&self->r, 2));
	q_remove(&self->r, 7, 0, 8);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 8));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 7));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_remove(&self->r, 7, 0, 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 7));
	q_remove(&self->r, 7, 0, 10);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/* A removed timeout heading a link fails it: the NOP is -ECANCELED. */
TEST_F_TIMEOUT(tt, remove_link_head, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 0, 0, 1)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_remove(&self->r, 1, 0, 3);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 3));
	EXPECT_LT(pos_of(&cs, 1), pos_of(&cs, 2));
}

/*
 * TIMEOUT_REMOVE preparation errors (io_timeout_remove_prep(),
 * io_init_req()): len, buf_index, splice_fd_in, addr3, __pad2, ioprio,
 * flags without IORING_TIMEOUT_UPDATE, IOSQE_FIXED_FILE (-EINVAL); for an
 * update, clock flags (even one), ETIME_SUCCESS, MULTISHOT, unknown bits,
 * a negative timespec (-EINVAL), a bad timespec address (-EFAULT). The
 * timeout stays pending.
 */
TEST_F_TIMEOUT(tt, remove_prep_errors, 20)
{
	static const uint32_t bad_update[] = {
		IORING_TIMEOUT_BOOTTIME, IORING_TIMEOUT_REALTIME,
		IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME,
		IORING_TIMEOUT_ETIME_SUCCESS, IORING_TIMEOUT_MULTISHOT,
		1U << 7, 1U << 31,
	};
	static const uint32_t bad_remove[] = {
		IORING_TIMEOUT_ABS, IORING_TIMEOUT_BOOTTIME,
		IORING_TIMEOUT_REALTIME, IORING_TIMEOUT_ETIME_SUCCESS,
		IORING_TIMEOUT_MULTISHOT, 1U << 7,
	};
	struct __kernel_timespec t5s = ts_ms(5000), t10 = ts_ms(10);
	struct __kernel_timespec neg_sec = { .tv_sec = -1 };
	struct __kernel_timespec neg_nsec = { .tv_nsec = -1 };
	struct cqes cs;
	unsigned int i;

	q_timeout(&self->r, &t5s, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));

	q_remove(&self->r, 1, 0, 2)->len = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_remove(&self->r, 1, 0, 3)->buf_index = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_remove(&self->r, 1, 0, 4)->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_remove(&self->r, 1, 0, 5)->addr3 = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_remove(&self->r, 1, 0, 6)->__pad2[0] = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_remove(&self->r, 1, 0, 7)->ioprio = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_remove(&self->r, 1, 0, 8)->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(-EINVAL, one(&self->r));
	for (i = 0; i < ARRAY_SIZE(bad_remove); i++) {
		q_remove(&self->r, 1, bad_remove[i], 10 + i);
		EXPECT_EQ(-EINVAL, one(&self->r)) {
			TH_LOG("remove timeout_flags %#x", bad_remove[i]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(bad_update); i++) {
		q_update(&self->r, &t10, 1, bad_update[i], 20 + i);
		EXPECT_EQ(-EINVAL, one(&self->r)) {
			TH_LOG("update timeout_flags %#x", bad_update[i]);
		}
	}
	q_update(&self->r, &neg_sec, 1, 0, 30);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_update(&self->r, &neg_nsec, 1, 0, 31);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_update(&self->r, NULL, 1, 0, 32);
	EXPECT_EQ(-EFAULT, one(&self->r));
	q_update(&self->r, (void *)8, 1, IORING_LINK_TIMEOUT_UPDATE, 33);
	EXPECT_EQ(-EFAULT, one(&self->r));
	q_update(&self->r, &t10, 1, 0, 34)->len = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));

	/* None of them touched the timeout. */
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_remove(&self->r, 1, 0, 40);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 40));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
}

/*
 * IORING_LINK_TIMEOUT_UPDATE without IORING_TIMEOUT_UPDATE is a removal
 * (io_timeout_remove() only looks at IORING_TIMEOUT_UPDATE), though the
 * timespec is read (and must be readable).
 */
TEST_F_TIMEOUT(tt, link_update_flag_alone_removes, 10)
{
	struct __kernel_timespec t5s = ts_ms(5000), t10 = ts_ms(10);
	struct io_uring_sqe *sqe;
	struct cqes cs;

	q_timeout(&self->r, &t5s, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	sqe = q_remove(&self->r, 1, IORING_LINK_TIMEOUT_UPDATE, 2);
	sqe->off = (uintptr_t)&t10;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
}

/*
 * IORING_TIMEOUT_UPDATE shortens a pending timeout: the new time runs
 * from the update. The update's CQE is 0, the timeout keeps its user_data.
 */
TEST_F_TIMEOUT(tt, update_shorten, 10)
{
	struct __kernel_timespec t10s = ts_ms(10000), t100 = ts_ms(100);
	struct cqes cs;
	long long t0, dt;

	q_timeout(&self->r, &t10s, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	usleep(100000);
	q_update(&self->r, &t100, 1, 0, 2);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 2));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);
}

/*
 * IORING_TIMEOUT_UPDATE extends one: a 300 ms timeout updated after 100
 * ms to 400 ms fires 400 ms after the update, not at 300 ms.
 */
TEST_F_TIMEOUT(tt, update_extend, 10)
{
	struct __kernel_timespec t300 = ts_ms(300), t400 = ts_ms(400);
	struct cqes cs;
	long long t0, dt;

	q_timeout(&self->r, &t300, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	usleep(100000);
	q_update(&self->r, &t400, 1, 0, 2);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 400, &cs));
	dt = emu_now_ms() - t0;
	if (res_of(&cs, 2) == -ENOENT)
		SKIP(return, "the guest was too slow: fired before the update");
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 2));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_LE(400, dt);
	EXPECT_GT(SLOW_MS + 400, dt);
}

/* An update with IORING_TIMEOUT_ABS: the deadline on CLOCK_MONOTONIC. */
TEST_F_TIMEOUT(tt, update_abs, 10)
{
	struct __kernel_timespec t10s = ts_ms(10000), dl;
	struct cqes cs;

	q_timeout(&self->r, &t10s, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	dl = ts_abs(CLOCK_MONOTONIC, 150);
	q_update(&self->r, &dl, 1, IORING_TIMEOUT_ABS, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 150, &cs));
	EXPECT_TRUE(clock_reached(CLOCK_MONOTONIC, &dl));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
}

/* An update of a user_data no timeout has, or of a fired one: -ENOENT. */
TEST_F_TIMEOUT(tt, update_not_found, 10)
{
	struct __kernel_timespec t10 = ts_ms(10);

	q_update(&self->r, &t10, 999, 0, 1);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_timeout(&self->r, &t10, 0, 0, 2);
	EXPECT_EQ(-ETIME, one(&self->r));
	q_update(&self->r, &t10, 2, 0, 3);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_update(&self->r, &t10, 999, IORING_LINK_TIMEOUT_UPDATE, 4);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/*
 * An updated count timeout becomes a pure timeout (io_timeout_update()
 * clears its count): CQEs no longer complete it, the time does.
 */
TEST_F_TIMEOUT(tt, update_drops_count, 10)
{
	struct __kernel_timespec t10s = ts_ms(10000), t300 = ts_ms(300);
	struct cqes cs;

	q_timeout(&self->r, &t10s, 1, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	q_update(&self->r, &t300, 1, 0, 2);
	EXPECT_EQ(0, one(&self->r));
	ASSERT_EQ(0, nop(&self->r, 3));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 300, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
}

/*
 * An update of a MULTISHOT timeout: the new period applies to the shots
 * left, which it keeps; an ABS update of it is -EINVAL.
 */
TEST_F_TIMEOUT(tt, update_multishot, 10)
{
	struct __kernel_timespec t10s = ts_ms(10000), t50 = ts_ms(50), dl;
	struct io_uring_cqe cqe;
	int i;

	q_timeout(&self->r, &t10s, 2, IORING_TIMEOUT_MULTISHOT, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	dl = ts_abs(CLOCK_MONOTONIC, 50);
	q_update(&self->r, &dl, 1, IORING_TIMEOUT_ABS, 2);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_update(&self->r, &t50, 1, 0, 3);
	EXPECT_EQ(0, one(&self->r));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, wait_cqes(&self->r, 1, SLOW_MS));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(1, cqe.user_data);
		EXPECT_EQ(-ETIME, cqe.res);
		EXPECT_EQ(i ? 0 : IORING_CQE_F_MORE, cqe.flags);
	}
	EXPECT_EQ(0, cqes_within(&self->r, 200));
}

/* ASYNC_CANCEL of a TIMEOUT by user_data: cancel 0 first, then -ECANCELED. */
TEST_F_TIMEOUT(tt, cancel_timeout, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_timeout(&self->r, &ts, 0, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 1, 0, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, pos_of(&cs, 2)) {
		DUMP(&cs);
	}
	q_cancel(&self->r, 1, 0, 3);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/*
 * ASYNC_CANCEL with ALL takes every timeout of the user_data (the count),
 * ANY every timeout there is, OP the TIMEOUTs.
 */
TEST_F_TIMEOUT(tt, cancel_timeouts_all_any_op, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct io_uring_sqe *sqe;
	struct cqes cs;

	q_timeout(&self->r, &ts, 0, 0, 5);
	q_timeout(&self->r, &ts, 3, 0, 5);
	q_timeout(&self->r, &ts, 0, IORING_TIMEOUT_MULTISHOT, 5);
	q_timeout(&self->r, &ts, 0, 0, 6);
	ASSERT_EQ(4, submit(&self->r, 4));
	q_cancel(&self->r, 5, IORING_ASYNC_CANCEL_ALL, 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(4, reap(&self->r, 4, &cs));
	EXPECT_EQ(3, res_of(&cs, 9));
	EXPECT_EQ(3, count_of(&cs, 5));
	EXPECT_EQ(0, cqes_within(&self->r, 100));

	q_timeout(&self->r, &ts, 0, 0, 7);
	ASSERT_EQ(1, submit(&self->r, 1));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, 10);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 10));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 6));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 7));

	q_timeout(&self->r, &ts, 0, 0, 8);
	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 11);
	ASSERT_EQ(2, submit(&self->r, 2));
	sqe = q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_OP |
		       IORING_ASYNC_CANCEL_ALL, 12);
	sqe->len = IORING_OP_TIMEOUT;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(1, res_of(&cs, 12));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 8));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(1, res_of(&cs, 11));
}

/*
 * A LINK_TIMEOUT behind a READ on an empty pipe: after its time the READ
 * is cancelled. The link timeout's CQE (-ETIME) comes first, then the
 * READ's (-ECANCELED); the pipe keeps what is written after.
 */
TEST_F_TIMEOUT(tt, link_timeout_expires, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;
	long long t0, dt;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 2);
	t0 = emu_now_ms();
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 2)) {
		DUMP(&cs);
	}
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * LINK_TIMEOUT flags: IORING_TIMEOUT_ABS gives a deadline; MULTISHOT is
 * accepted but means nothing for a link timeout (io_link_timeout_fn()
 * does not look at it): one -ETIME CQE without F_MORE.
 */
TEST_F_TIMEOUT(tt, link_timeout_abs_multishot, 10)
{
	struct __kernel_timespec dl = ts_abs(CLOCK_MONOTONIC, 150);
	struct __kernel_timespec ts = ts_ms(50);
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &dl, IORING_TIMEOUT_ABS, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 150, &cs));
	EXPECT_TRUE(clock_reached(CLOCK_MONOTONIC, &dl));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       3)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, IORING_TIMEOUT_MULTISHOT, 4);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(-ETIME, res_of(&cs, 4));
	EXPECT_EQ(0, flags_of(&cs, 4));
	EXPECT_EQ(0, cqes_within(&self->r, 300));
}

/*
 * A READ that completes in time: its CQE (the bytes) first, then the link
 * timeout's, -ECANCELED, at once.
 */
TEST_F_TIMEOUT(tt, link_timeout_request_in_time, 10)
{
	struct __kernel_timespec ts = ts_ms(3000);
	struct cqes cs;
	long long t0;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	t0 = emu_now_ms();
	ASSERT_EQ(3, write(self->p[1], "abc", 3));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);
	EXPECT_EQ(3, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 1));
	EXPECT_EQ(1, pos_of(&cs, 2));
	EXPECT_EQ(0, memcmp(self->buf, "abc", 3));
}

/*
 * A LINK_TIMEOUT behind a request that completes inline (a NOP, a READ
 * of a pipe with data): -ECANCELED after the request's CQE.
 */
TEST_F_TIMEOUT(tt, link_timeout_inline_head, 10)
{
	struct __kernel_timespec ts = ts_ms(3000);
	struct cqes cs;
	long long t0 = emu_now_ms();

	ring_queue_nop(&self->r, 1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 1));

	ASSERT_EQ(2, write(self->p[1], "hi", 2));
	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       3)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 4);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(2, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 4));
	EXPECT_EQ(0, pos_of(&cs, 3));
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);
}

/*
 * A LINK_TIMEOUT that is not behind a link member: alone, or after a
 * request without IOSQE_IO_LINK, -EINVAL (the NOP before it is not
 * touched).
 */
TEST_F_TIMEOUT(tt, link_timeout_standalone, 10)
{
	struct __kernel_timespec ts = ts_ms(10);
	struct cqes cs;

	q_link_timeout(&self->r, &ts, 0, 1);
	EXPECT_EQ(-EINVAL, one(&self->r));
	ring_queue_nop(&self->r, 2);
	q_link_timeout(&self->r, &ts, 0, 3);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-EINVAL, res_of(&cs, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * LINK_TIMEOUT preparation errors fail the link: with a count (off), or
 * right behind another LINK_TIMEOUT, it is -EINVAL and the READ before it
 * is -ECANCELED without being issued (the pipe keeps its data).
 */
TEST_F_TIMEOUT(tt, link_timeout_prep_errors, 10)
{
	struct __kernel_timespec ts = ts_ms(10);
	struct cqes cs;

	ASSERT_EQ(1, write(self->p[1], "x", 1));
	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 2)->off = 1;
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-EINVAL, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 1));

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       3)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 4)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 5);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 4));
	EXPECT_EQ(-EINVAL, res_of(&cs, 5));
	EXPECT_EQ(0, pos_of(&cs, 3));
	EXPECT_EQ(1, pos_of(&cs, 4));

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       6)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 7)->len = 0;
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 6));
	EXPECT_EQ(-EINVAL, res_of(&cs, 7));
	ASSERT_EQ(0, set_nonblock(self->p[0], true));
	EXPECT_EQ(1, read(self->p[0], self->buf, sizeof(self->buf)));
}

/*
 * A LINK_TIMEOUT in the middle of a chain, with IOSQE_IO_LINK itself:
 * READ -> LINK_TIMEOUT -> NOP. Expired: the READ and the NOP are
 * -ECANCELED, the link timeout -ETIME (first). In time: the READ's bytes,
 * the link timeout -ECANCELED, then the NOP runs (0). A short READ in
 * time fails the link all the same: the NOP is -ECANCELED.
 */
TEST_F_TIMEOUT(tt, link_timeout_mid_chain, 10)
{
	struct __kernel_timespec t100 = ts_ms(100), t3s = ts_ms(3000);
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, 2, 1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &t100, 0, 2)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, reap_ms(&self->r, 3, SLOW_MS + 100, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(0, pos_of(&cs, 2));
	EXPECT_EQ(1, pos_of(&cs, 1));
	EXPECT_EQ(2, pos_of(&cs, 3)) {
		DUMP(&cs);
	}

	q_read(&self->r, self->p[0], self->buf, 2, 4)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &t3s, 0, 5)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 6);
	ASSERT_EQ(3, submit(&self->r, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(2, write(self->p[1], "ok", 2));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 4));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 5));
	EXPECT_EQ(0, res_of(&cs, 6));
	EXPECT_EQ(0, pos_of(&cs, 4));
	EXPECT_EQ(1, pos_of(&cs, 5));
	EXPECT_EQ(2, pos_of(&cs, 6));

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       7)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &t3s, 0, 8)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 9);
	ASSERT_EQ(3, submit(&self->r, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(2, write(self->p[1], "ok", 2));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 7));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 8));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 9));
	EXPECT_EQ(0, pos_of(&cs, 7));
	EXPECT_EQ(1, pos_of(&cs, 8));
	EXPECT_EQ(2, pos_of(&cs, 9));
}

/*
 * IOSQE_IO_HARDLINK: READ (hardlink) -> LINK_TIMEOUT (hardlink) -> NOP.
 * The READ cancelled by the timeout does not stop the NOP (0).
 */
TEST_F_TIMEOUT(tt, link_timeout_hardlink, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_HARDLINK;
	q_link_timeout(&self->r, &ts, 0, 2)->flags = IOSQE_IO_HARDLINK;
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, reap_ms(&self->r, 3, SLOW_MS + 100, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
	EXPECT_EQ(0, res_of(&cs, 3));
}

/*
 * A LINK_TIMEOUT guards the request right before it, and its time starts
 * when that request is issued: READ(p) -> READ(q) -> LINK_TIMEOUT waits
 * with no timer until the first READ completes; then the second READ is
 * cancelled a period after that.
 */
TEST_F_TIMEOUT(tt, link_timeout_armed_at_issue, 10)
{
	struct __kernel_timespec ts = ts_ms(200);
	char b2[8];
	struct cqes cs;
	long long t0, dt;

	/* Exactly one byte: a short read would fail the link. */
	q_read(&self->r, self->p[0], self->buf, 1, 1)->flags = IOSQE_IO_LINK;
	q_read(&self->r, self->q[0], b2, sizeof(b2), 2)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 400));
	t0 = emu_now_ms();
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(3, reap_ms(&self->r, 3, SLOW_MS + 200, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(1, res_of(&cs, 1));
	EXPECT_EQ(0, pos_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(-ETIME, res_of(&cs, 3));
	EXPECT_LE(200, dt);
	EXPECT_GT(SLOW_MS + 200, dt);
}

/*
 * A LINK_TIMEOUT behind the second member: NOP -> READ -> LINK_TIMEOUT.
 * The NOP runs (0), the READ is cancelled (-ECANCELED), the link timeout
 * -ETIME.
 */
TEST_F_TIMEOUT(tt, link_timeout_second_member, 10)
{
	struct __kernel_timespec ts = ts_ms(100);
	struct cqes cs;

	ring_queue_nop(&self->r, 1)->flags = IOSQE_IO_LINK;
	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       2)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, reap_ms(&self->r, 3, SLOW_MS + 100, &cs));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(-ETIME, res_of(&cs, 3));
	EXPECT_EQ(0, pos_of(&cs, 1));
}

/*
 * A LINK_TIMEOUT guarding a TIMEOUT: the shorter link timeout cancels it
 * (-ECANCELED), itself -ETIME.
 */
TEST_F_TIMEOUT(tt, link_timeout_guards_timeout, 10)
{
	struct __kernel_timespec t5s = ts_ms(5000), t100 = ts_ms(100);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &t5s, 0, 0, 1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &t100, 0, 2);
	t0 = emu_now_ms();
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 100, &cs));
	EXPECT_LE(100, emu_now_ms() - t0);
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
}

/*
 * IORING_LINK_TIMEOUT_UPDATE on a pending link timeout: 0, and the new
 * time applies from the update. Link timeouts are not on the list the
 * other removals and updates search: TIMEOUT_REMOVE, a plain
 * IORING_TIMEOUT_UPDATE and ASYNC_CANCEL of its user_data are -ENOENT, as
 * is a LINK_TIMEOUT_UPDATE of a plain TIMEOUT.
 */
TEST_F_TIMEOUT(tt, link_timeout_update, 10)
{
	struct __kernel_timespec t5s = ts_ms(5000), t100 = ts_ms(100);
	struct cqes cs;
	long long t0, dt;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &t5s, 0, 2);
	q_timeout(&self->r, &t5s, 0, 0, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	EXPECT_EQ(0, cqes_within(&self->r, 100));

	q_remove(&self->r, 2, 0, 10);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_update(&self->r, &t100, 2, 0, 11);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_cancel(&self->r, 2, 0, 12);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_update(&self->r, &t100, 3, IORING_LINK_TIMEOUT_UPDATE, 13);
	EXPECT_EQ(-ENOENT, one(&self->r));
	EXPECT_EQ(0, cqes_within(&self->r, 50));

	q_update(&self->r, &t100, 2, IORING_LINK_TIMEOUT_UPDATE, 14);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap_ms(&self->r, 3, SLOW_MS + 100, &cs));
	dt = emu_now_ms() - t0;
	EXPECT_EQ(0, res_of(&cs, 14));
	EXPECT_EQ(0, pos_of(&cs, 14));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ETIME, res_of(&cs, 2));
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS, dt);

	/* It is gone; the plain TIMEOUT is still there. */
	q_update(&self->r, &t100, 2, IORING_LINK_TIMEOUT_UPDATE, 15);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_remove(&self->r, 3, 0, 16);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 16));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
}

/*
 * Cancelling the request a LINK_TIMEOUT guards: it is -ECANCELED, and the
 * link timeout is -ECANCELED too (disarmed).
 */
TEST_F_TIMEOUT(tt, link_timeout_head_cancelled, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
	       1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 1, 0, 3);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_LT(pos_of(&cs, 1), pos_of(&cs, 2));
}

/*
 * A drained NOP behind a pending TIMEOUT waits for it: it runs once the
 * timeout fired, after its CQE.
 */
TEST_F_TIMEOUT(tt, drain_waits_for_timeout, 10)
{
	struct __kernel_timespec ts = ts_ms(200);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 0, 0, 1);
	ring_queue_nop(&self->r, 2)->flags = IOSQE_IO_DRAIN;
	t0 = emu_now_ms();
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 200, &cs));
	EXPECT_LE(200, emu_now_ms() - t0);
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 1));
}

/*
 * A count TIMEOUT and a drained NOP behind it wait for each other: the
 * NOP waits for the timeout, the timeout for a CQE. The time breaks it:
 * -ETIME, then the NOP.
 */
TEST_F_TIMEOUT(tt, drain_and_count, 10)
{
	struct __kernel_timespec ts = ts_ms(500);
	struct cqes cs;
	long long t0;

	q_timeout(&self->r, &ts, 1, 0, 1);
	ring_queue_nop(&self->r, 2)->flags = IOSQE_IO_DRAIN;
	t0 = emu_now_ms();
	ASSERT_EQ(2, submit(&self->r, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 150));
	ASSERT_EQ(2, reap_ms(&self->r, 2, SLOW_MS + 500, &cs));
	EXPECT_LE(500, emu_now_ms() - t0);
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(0, pos_of(&cs, 1));
}

/*
 * A drained TIMEOUT with a count starts counting when the drain lets it
 * be issued: the NOP before it does not count, the one after does.
 */
TEST_F_TIMEOUT(tt, drained_count_timeout, 10)
{
	struct __kernel_timespec ts = ts_ms(5000);
	struct cqes cs;

	ring_queue_nop(&self->r, 1);
	q_timeout(&self->r, &ts, 1, 0, 2)->flags = IOSQE_IO_DRAIN;
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(0, res_of(&cs, 1));
	EXPECT_EQ(0, cqes_within(&self->r, 200));
	ASSERT_EQ(0, nop(&self->r, 3));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(0, res_of(&cs, 2));
}

/*
 * A timeout firing ends a GETEVENTS wait for more CQEs than there are
 * (io_should_wake(): any timeout since the wait began): waiting for 2
 * CQEs with a 5 s limit returns with the one -ETIME CQE, soon after the
 * 100 ms.
 */
TEST_F_TIMEOUT(tt, timeout_ends_wait, 15)
{
	struct __kernel_timespec ts = ts_ms(100), limit = ts_ms(5000);
	struct wait_arg wa = { .ts = (uintptr_t)&limit };
	struct cqes cs;
	long long t0, dt;
	int ret;

	q_timeout(&self->r, &ts, 0, 0, 1);
	t0 = emu_now_ms();
	ASSERT_EQ(1, submit(&self->r, 1));
	guard(8000);
	do {
		ret = t_enter(self->r.fd, 0, 2, IORING_ENTER_GETEVENTS |
			      IORING_ENTER_EXT_ARG, &wa, sizeof(wa));
	} while (ret < 0 && errno == EINTR && !ring_cq_ready(&self->r) &&
		 emu_now_ms() - t0 < 6000);
	guard(0);
	dt = emu_now_ms() - t0;
	EXPECT_EQ(0, ret);
	EXPECT_LE(100, dt);
	EXPECT_GT(SLOW_MS + 100, dt);
	ASSERT_EQ(1, reap_ms(&self->r, 0, 0, &cs));
	EXPECT_EQ(-ETIME, res_of(&cs, 1));
}

/*
 * Closing a ring with a 10 s TIMEOUT, a count timeout and a MULTISHOT one
 * pending takes no time; on emu_uring the module reference goes.
 */
TEST_F_TIMEOUT(tt, close_with_timeouts_pending, 15)
{
	struct __kernel_timespec ts = ts_ms(10000);
	struct ring r;
	long long t0;
	int base = -1;

	if (!NATIVE) {
		ring_exit(&self->r);
		self->r.fd = -1;
		self->r.rings = self->r.sqes = NULL;
		base = emu_refcnt_settled();
	}
	ASSERT_EQ(0, t_ring_init(&r, 8));
	q_timeout(&r, &ts, 0, 0, 1);
	q_timeout(&r, &ts, 5, 0, 2);
	q_timeout(&r, &ts, 0, IORING_TIMEOUT_MULTISHOT, 3);
	ring_queue_nop(&r, 4)->flags = IOSQE_IO_LINK;
	q_read(&r, self->p[0], self->buf, sizeof(self->buf),
	       5)->flags = IOSQE_IO_LINK;
	q_link_timeout(&r, &ts, 0, 6);
	ASSERT_EQ(6, submit(&r, 6));
	ASSERT_EQ(1, wait_cqes(&r, 1, 2000));
	t0 = emu_now_ms();
	ring_exit(&r);
	EXPECT_GT(SLOW_MS, emu_now_ms() - t0);
	if (base >= 0)
		EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
	/* The READ took nothing. */
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(0, set_nonblock(self->p[0], true));
	EXPECT_EQ(1, read(self->p[0], self->buf, sizeof(self->buf)));
}

/*
 * A process that exits with a 10 s TIMEOUT and a MULTISHOT one pending
 * exits promptly; on emu_uring the module reference goes.
 */
TEST_F_TIMEOUT(tt, exit_with_timeout_pending, 15)
{
	int base = NATIVE ? -1 : emu_refcnt_settled();
	long long t0;
	int status;
	pid_t pid;

	t0 = emu_now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct __kernel_timespec ts = ts_ms(10000);
		struct ring r;

		alarm(5);
		if (t_ring_init(&r, 8))
			_exit(2);
		q_timeout(&r, &ts, 0, 0, 1);
		q_timeout(&r, &ts, 0, IORING_TIMEOUT_MULTISHOT, 2);
		_exit(submit(&r, 2) == 2 ? 0 : 3);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_GT(SLOW_MS + 1000, emu_now_ms() - t0);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	if (base >= 0)
		EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
}

/*
 * Reap @n -ETIME CQEs of @r, checking that their user_data increase; the
 * number reaped.
 */
static unsigned int reap_in_order(struct __test_metadata *_metadata,
				  struct ring *r, unsigned int n)
{
	struct io_uring_cqe cqe;
	unsigned int got = 0;
	int last = -1;

	while (got < n) {
		if (!wait_cqes(r, 1, SLOW_MS + 1000))
			break;
		while (ring_pop_cqe(r, &cqe) == 0) {
			got++;
			EXPECT_EQ(-ETIME, cqe.res);
			EXPECT_LT(last, (int)cqe.user_data) {
				TH_LOG("%llu after %d", cqe.user_data, last);
			}
			last = cqe.user_data;
		}
	}
	return got;
}

/*
 * 200 timeouts fire in the order of their expiry: relative ones of 20 ms +
 * 5 ms * k submitted in the order of k, then absolute ones, 400 ms + 5 ms
 * * k from one starting point, submitted out of order (relative times out
 * of order would not do: each runs from its own SQE's issue, and issuing
 * 200 SQEs takes long in a TCG guest). user_data k. The test keeps to one
 * CPU: timers on two CPUs of a TCG guest, 5 ms apart, may fire the wrong
 * way round.
 */
TEST_F_TIMEOUT(tt, many_in_order, 30)
{
	enum { N = 200 };
	static struct __kernel_timespec ts[N];
	struct timespec now;
	long long base;
	cpu_set_t cpus;
	struct ring r;
	unsigned int i;

	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	ASSERT_EQ(0, t_ring_init(&r, 256));
	for (i = 0; i < N; i++) {
		ts[i] = ts_ms(20 + 5 * i);
		ASSERT_NE(NULL, q_timeout(&r, &ts[i], 0, 0, i));
	}
	ASSERT_EQ(N, submit(&r, N));
	EXPECT_EQ(N, reap_in_order(_metadata, &r, N));

	clock_gettime(CLOCK_MONOTONIC, &now);
	base = now.tv_sec * 1000000000LL + now.tv_nsec + 400000000LL;
	for (i = 0; i < N; i++) {
		unsigned int k = (i * 73) % N;
		long long ns = base + k * 5000000LL;

		ts[k].tv_sec = ns / 1000000000LL;
		ts[k].tv_nsec = ns % 1000000000LL;
		ASSERT_NE(NULL, q_timeout(&r, &ts[k], 0, IORING_TIMEOUT_ABS,
					  k));
	}
	ASSERT_EQ(N, submit(&r, N));
	EXPECT_EQ(N, reap_in_order(_metadata, &r, N));
	ring_exit(&r);
}

/*
 * 32 count timeouts, counts 1..32 submitted out of order: after the i-th
 * NOP, exactly the timeout with count i completes (0).
 */
TEST_F_TIMEOUT(tt, many_counts, 30)
{
	enum { N = 32 };
	struct __kernel_timespec ts = ts_ms(20000);
	struct cqes cs;
	unsigned int i;

	for (i = 0; i < N; i++) {
		unsigned int k = (i * 13) % N + 1;

		q_timeout(&self->r, &ts, k, 0, 100 + k);
	}
	ASSERT_EQ(N, submit(&self->r, N));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	for (i = 1; i <= N; i++) {
		ASSERT_EQ(0, nop(&self->r, i));
		ASSERT_EQ(2, reap(&self->r, 2, &cs)) {
			TH_LOG("NOP %u", i);
		}
		EXPECT_EQ(0, pos_of(&cs, i));
		EXPECT_EQ(0, res_of(&cs, 100 + i)) {
			TH_LOG("count %u", i);
		}
	}
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

TEST_HARNESS_MAIN
