// SPDX-License-Identifier: GPL-2.0
/*
 * The GETEVENTS wait with io_uring_enter(2)'s last two arguments, with
 * io_uring's (Linux 6.12) semantics: IORING_ENTER_EXT_ARG's struct
 * io_uring_getevents_arg (a timeout, relative or IORING_ENTER_ABS_TIMER,
 * and a signal mask), and a bare sigset_t without it; -ETIME, the signal
 * mask applied atomically during the wait (as ppoll(2)), the errors and
 * the order in which io_uring reports them (io_uring/io_uring.c of
 * 6.12: io_uring_enter(), io_get_ext_arg(), io_cqring_wait()).
 *
 * Every wait is bounded (a timeout in the argument, or a one-shot SIGALRM
 * without SA_RESTART, and the harness timeout), so a module that ignores
 * an argument fails these tests instead of hanging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/time_types.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define MS		1000000LL	/* ns */
#define KSIGSET_SZ	8		/* the kernel's sizeof(sigset_t) */
#define BAD_PTR		16		/* never mapped */

_Static_assert(sizeof(struct wait_arg) == sizeof(struct io_uring_getevents_arg),
	       "struct io_uring_getevents_arg layout");

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct __kernel_timespec kts(long long ns)
{
	struct __kernel_timespec ts = {
		.tv_sec = ns / 1000000000LL,
		.tv_nsec = ns % 1000000000LL,
	};

	return ts;
}

static volatile sig_atomic_t alarm_hits;

static void on_alarm(int sig)
{
	alarm_hits++;
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

/*
 * ENTER with io_uring_enter(2)'s @arg and @argsz, bounded by a 1 s guard;
 * returns what ENTER returned, or -errno.
 */
static int enter_raw(int fd, unsigned int to_submit, unsigned int min,
		     unsigned int flags, uintptr_t arg, unsigned int argsz)
{
	struct emu_uring_enter e = {
		.to_submit = to_submit,
		.min_complete = min,
		.flags = flags,
		.argsz = argsz,
		.arg = arg,
	};
	int ret;

	guard(1000);
	ret = ioctl(fd, EMU_URING_IOC_ENTER, &e);
	if (ret < 0)
		ret = -errno;
	guard(0);
	return ret;
}

/* ENTER with GETEVENTS | EXT_ARG (and @flags) and @wa, as enter_raw(). */
static int enter_wait(int fd, unsigned int to_submit, unsigned int min,
		      unsigned int flags, const struct wait_arg *wa)
{
	return enter_raw(fd, to_submit, min,
			 flags | IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
			 (uintptr_t)wa, sizeof(*wa));
}

FIXTURE(wait) {
	struct ring r;
	int p[2];
	char buf[64];
};

FIXTURE_SETUP(wait)
{
	self->r.fd = -1;
	self->p[0] = self->p[1] = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 4, NULL);
	ASSERT_EQ(0, pipe(self->p));
}

FIXTURE_TEARDOWN(wait)
{
	guard(0);
	if (self->p[0] >= 0)
		close(self->p[0]);
	if (self->p[1] >= 0)
		close(self->p[1]);
	ring_exit(&self->r);
}

/* Queue and submit one NOP: one CQE in the CQ. */
static int one_cqe(struct ring *r, uint64_t user_data)
{
	ring_queue_nop(r, user_data);
	ring_flush(r);
	return emu_enter(r->fd, 1, 0, 0) == 1 && ring_cq_ready(r) == 1 ? 0 : -1;
}

/* Queue and submit a READ of the empty pipe: it parks, no CQE yet. */
static int parked_read(FIXTURE_DATA(wait) *self)
{
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 42);
	ring_flush(&self->r);
	if (emu_enter(self->r.fd, 1, 0, 0) != 1)
		return -1;
	usleep(20000);
	return ring_cq_ready(&self->r) ? -1 : 0;
}

/*
 * A helper thread: it waits until the test's thread sleeps in ENTER, then
 * sends it @sig (if any), then after @delay_ms writes 5 bytes to @wfd (if
 * not -1).
 */
struct helper {
	pthread_t thread;
	pthread_t target;
	pid_t target_tid;
	int sig;
	int wfd;
	unsigned int delay_ms;
	bool saw_wait;
	long long sent_ns, wrote_ns;
};

/* Whether thread @tid sleeps in ENTER (in a system call, where that shows). */
static bool sleeps_in_ioctl(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	/* io_uring_enter(2) too: the test runs against io_uring as well. */
	return atoi(buf) == SYS_ioctl || atoi(buf) == SYS_io_uring_enter;
}

static void *helper_fn(void *arg)
{
	struct helper *h = arg;
	long long end = now_ns() + 2000 * MS;
	sigset_t all;

	/* Signals are for the thread under test. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!(h->saw_wait = sleeps_in_ioctl(h->target_tid)) &&
	       now_ns() < end)
		usleep(1000);
	if (h->sig) {
		h->sent_ns = now_ns();
		pthread_kill(h->target, h->sig);
	}
	if (h->wfd >= 0) {
		usleep(h->delay_ms * 1000);
		h->wrote_ns = now_ns();
		if (write(h->wfd, "hello", 5) != 5)
			h->wrote_ns = -1;
	}
	return NULL;
}

static int helper_start(struct helper *h, int sig, int wfd,
			unsigned int delay_ms)
{
	*h = (struct helper){
		.target = pthread_self(), .target_tid = gettid(),
		.sig = sig, .wfd = wfd, .delay_ms = delay_ms,
	};
	return pthread_create(&h->thread, NULL, helper_fn, h);
}

static volatile sig_atomic_t usr1_hits;
static volatile long long usr1_ns;

static void on_usr1(int sig)
{
	usr1_hits++;
	usr1_ns = now_ns();
}

/* SIGUSR1 to on_usr1() (no SA_RESTART), and @blocked in this thread's mask. */
static int usr1_setup(bool blocked)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t s;

	usr1_hits = 0;
	usr1_ns = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	if (sigaction(SIGUSR1, &sa, NULL))
		return -1;
	return pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

/* This thread's mask, with SIGUSR1 added (@block) or taken out. */
static sigset_t mask_with_usr1(bool block)
{
	sigset_t s;

	pthread_sigmask(SIG_SETMASK, NULL, &s);
	if (block)
		sigaddset(&s, SIGUSR1);
	else
		sigdelset(&s, SIGUSR1);
	return s;
}

static bool usr1_blocked(void)
{
	sigset_t cur;

	sigprocmask(0, NULL, &cur);
	return sigismember(&cur, SIGUSR1) == 1;
}

static bool usr1_pending(void)
{
	sigset_t pend;

	sigpending(&pend);
	return sigismember(&pend, SIGUSR1) == 1;
}

/* Relative timeout of 100 ms, nothing queued: -ETIME after 100..600 ms. */
TEST_F_TIMEOUT(wait, timeout_relative, 5)
{
	struct __kernel_timespec ts = kts(100 * MS);
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	long long start = now_ns(), took;

	ASSERT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, 0, &wa));
	took = now_ns() - start;
	EXPECT_LE(100 * MS, took);
	EXPECT_GT(600 * MS, took) {
		TH_LOG("took %lld ms", took / MS);
	}
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	/* The argument is only read: a second wait times out the same way. */
	ASSERT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, 0, &wa));
}

/* ABS_TIMER: now + 100 ms is -ETIME at that time; a past time at once. */
TEST_F_TIMEOUT(wait, timeout_absolute, 5)
{
	struct __kernel_timespec ts;
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	long long deadline, end, start;

	deadline = now_ns() + 100 * MS;
	ts = kts(deadline);
	ASSERT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, IORING_ENTER_ABS_TIMER,
				     &wa));
	end = now_ns();
	EXPECT_LE(deadline, end);
	EXPECT_GT(deadline + 500 * MS, end) {
		TH_LOG("%lld ms late", (end - deadline) / MS);
	}

	/* One second ago. */
	start = now_ns();
	ts = kts(start - 1000 * MS);
	ASSERT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, IORING_ENTER_ABS_TIMER,
				     &wa));
	EXPECT_GT(100 * MS, now_ns() - start);

	/* Time 0 of CLOCK_MONOTONIC. */
	start = now_ns();
	ts = kts(0);
	ASSERT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, IORING_ENTER_ABS_TIMER,
				     &wa));
	EXPECT_GT(100 * MS, now_ns() - start);
}

/*
 * A timeout with CQEs ready but fewer than min_complete returns 0, as
 * io_uring (io_uring.c:2719: an error with a non-empty CQ is 0).
 */
TEST_F_TIMEOUT(wait, timeout_some_ready_is_0, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	long long start;

	ASSERT_EQ(0, one_cqe(&self->r, 1));
	start = now_ns();
	ASSERT_EQ(0, enter_wait(self->r.fd, 0, 2, 0, &wa));
	/* It did wait for the timeout: 1 < 2. */
	EXPECT_LE(50 * MS, now_ns() - start);
	EXPECT_GT(600 * MS, now_ns() - start);
	EXPECT_EQ(1, ring_cq_ready(&self->r));
}

/* A CQE before the timeout: 0 with the CQE, long before the 2 s. */
TEST_F_TIMEOUT(wait, timeout_not_hit, 5)
{
	struct __kernel_timespec ts = kts(2000 * MS);
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	struct io_uring_cqe cqe;
	struct helper h;
	long long start;

	ASSERT_EQ(0, parked_read(self));
	ASSERT_EQ(0, helper_start(&h, 0, self->p[1], 50));
	start = now_ns();
	ASSERT_EQ(0, enter_wait(self->r.fd, 0, 1, 0, &wa));
	EXPECT_GT(1500 * MS, now_ns() - start);
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_LT(0, h.wrote_ns);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(42, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));
}

/*
 * Submit and wait with a timeout in one call returns the SQEs consumed:
 * met at once, or after the timeout (-ETIME does not replace the count).
 */
TEST_F_TIMEOUT(wait, submit_and_wait_timeout, 5)
{
	struct __kernel_timespec ts = kts(1000 * MS);
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	struct io_uring_cqe cqe;
	long long start;

	ring_queue_nop(&self->r, 7);
	ring_flush(&self->r);
	start = now_ns();
	ASSERT_EQ(1, enter_wait(self->r.fd, 1, 1, 0, &wa));
	EXPECT_GT(500 * MS, now_ns() - start);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(7, cqe.user_data);

	/* min_complete 2: the wait times out, the count stays. */
	ts = kts(50 * MS);
	ring_queue_nop(&self->r, 8);
	ring_flush(&self->r);
	start = now_ns();
	ASSERT_EQ(1, enter_wait(self->r.fd, 1, 2, 0, &wa));
	EXPECT_LE(50 * MS, now_ns() - start);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(8, cqe.user_data);
}

/*
 * SIGUSR1 blocked normally, not in the wait's mask: the signal sent during
 * the wait ends it with EINTR, its handler runs, the normal mask is back.
 * @ext: the mask in a struct io_uring_getevents_arg, else a bare sigset_t.
 */
static void wait_mask_unblocks(struct __test_metadata *_metadata,
			       FIXTURE_DATA(wait) *self, bool ext)
{
	struct __kernel_timespec ts = kts(2000 * MS);
	sigset_t mask;
	struct wait_arg wa = {
		.sigmask = (uintptr_t)&mask,
		.sigmask_sz = KSIGSET_SZ,
		.ts = (uintptr_t)&ts,
	};
	struct helper h;
	long long start;
	int ret;

	ASSERT_EQ(0, usr1_setup(true));
	mask = mask_with_usr1(false);
	ASSERT_EQ(0, helper_start(&h, SIGUSR1, -1, 0));
	start = now_ns();
	alarm_hits = 0;
	if (ext)
		ret = enter_wait(self->r.fd, 0, 1, 0, &wa);
	else	/* No timeout: the 1 s guard (SIGALRM) bounds it. */
		ret = enter_raw(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS,
				(uintptr_t)&mask, KSIGSET_SZ);
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_TRUE(h.saw_wait);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(1, usr1_hits);
	EXPECT_EQ(0, alarm_hits);
	EXPECT_GT(900 * MS, now_ns() - start);
	/* The normal mask is back, and nothing is left pending. */
	EXPECT_TRUE(usr1_blocked());
	EXPECT_FALSE(usr1_pending());
	EXPECT_EQ(0, ring_cq_ready(&self->r));
}

/* EXT_ARG sigmask that unblocks SIGUSR1: the signal interrupts the wait. */
TEST_F_TIMEOUT(wait, sigmask_unblocks, 5)
{
	wait_mask_unblocks(_metadata, self, true);
}

/* Without EXT_ARG, a bare sigset_t (argsz 8) works the same way. */
TEST_F_TIMEOUT(wait, sigset_unblocks, 5)
{
	wait_mask_unblocks(_metadata, self, false);
}

/*
 * SIGUSR1 unblocked normally, blocked by the wait's mask: the signal sent
 * during the wait does not end it (it times out), the handler runs only
 * once the normal mask is back, after the wait.
 */
TEST_F_TIMEOUT(wait, sigmask_blocks_until_timeout, 5)
{
	struct __kernel_timespec ts = kts(500 * MS);
	sigset_t mask;
	struct wait_arg wa = {
		.sigmask = (uintptr_t)&mask,
		.sigmask_sz = KSIGSET_SZ,
		.ts = (uintptr_t)&ts,
	};
	struct helper h;
	long long start;

	ASSERT_EQ(0, usr1_setup(false));
	mask = mask_with_usr1(true);
	ASSERT_EQ(0, helper_start(&h, SIGUSR1, -1, 0));
	start = now_ns();
	EXPECT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, 0, &wa));
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_TRUE(h.saw_wait);
	/* The signal came during the wait... */
	EXPECT_GT(start + 500 * MS, h.sent_ns);
	/* ...and was handled after it, once. */
	EXPECT_EQ(1, usr1_hits);
	EXPECT_LE(start + 500 * MS, usr1_ns) {
		TH_LOG("handler ran %lld ms into a 500 ms wait",
		       (usr1_ns - start) / MS);
	}
	EXPECT_FALSE(usr1_blocked());
	EXPECT_FALSE(usr1_pending());
}

/*
 * As above, the wait ending with a CQE: the blocked signal does not end
 * it early; the handler runs after the CQE came.
 */
TEST_F_TIMEOUT(wait, sigmask_blocks_until_cqe, 5)
{
	struct __kernel_timespec ts = kts(2000 * MS);
	sigset_t mask;
	struct wait_arg wa = {
		.sigmask = (uintptr_t)&mask,
		.sigmask_sz = KSIGSET_SZ,
		.ts = (uintptr_t)&ts,
	};
	struct io_uring_cqe cqe;
	struct helper h;

	ASSERT_EQ(0, parked_read(self));
	ASSERT_EQ(0, usr1_setup(false));
	mask = mask_with_usr1(true);
	ASSERT_EQ(0, helper_start(&h, SIGUSR1, self->p[1], 100));
	EXPECT_EQ(0, enter_wait(self->r.fd, 0, 1, 0, &wa));
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_TRUE(h.saw_wait);
	EXPECT_LT(0, h.wrote_ns);
	EXPECT_EQ(1, usr1_hits);
	EXPECT_LE(h.wrote_ns, usr1_ns);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(5, cqe.res);
	EXPECT_FALSE(usr1_blocked());
}

/* A bare sigset_t (no EXT_ARG) blocking SIGUSR1: the wait ends by its CQE. */
TEST_F_TIMEOUT(wait, sigset_blocks_until_cqe, 5)
{
	struct io_uring_cqe cqe;
	struct helper h;
	sigset_t mask;

	ASSERT_EQ(0, parked_read(self));
	ASSERT_EQ(0, usr1_setup(false));
	mask = mask_with_usr1(true);
	ASSERT_EQ(0, helper_start(&h, SIGUSR1, self->p[1], 100));
	EXPECT_EQ(0, enter_raw(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS,
			       (uintptr_t)&mask, KSIGSET_SZ));
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_TRUE(h.saw_wait);
	EXPECT_EQ(1, usr1_hits);
	EXPECT_LE(h.wrote_ns, usr1_ns);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(5, cqe.res);
	EXPECT_FALSE(usr1_blocked());
}

/*
 * A signal during a wait with CQEs ready (fewer than min_complete) gives
 * 0, not -EINTR (io_uring.c:2719); the handler runs.
 */
TEST_F_TIMEOUT(wait, interrupted_some_ready_is_0, 5)
{
	struct helper h;

	ASSERT_EQ(0, one_cqe(&self->r, 1));
	ASSERT_EQ(0, usr1_setup(false));
	alarm_hits = 0;
	ASSERT_EQ(0, helper_start(&h, SIGUSR1, -1, 0));
	EXPECT_EQ(0, enter_raw(self->r.fd, 0, 2, IORING_ENTER_GETEVENTS, 0, 0));
	ASSERT_EQ(0, pthread_join(h.thread, NULL));
	EXPECT_TRUE(h.saw_wait);
	EXPECT_EQ(1, usr1_hits);
	EXPECT_EQ(0, alarm_hits);
}

/* EXT_ARG's argsz must be sizeof(struct io_uring_getevents_arg): -EINVAL. */
TEST_F_TIMEOUT(wait, err_argsz, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	struct wait_arg wa[2] = { { .ts = (uintptr_t)&ts } };
	unsigned int flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;

	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, flags,
				     (uintptr_t)wa, 16));
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, flags,
				     (uintptr_t)wa, 32));
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, flags,
				     (uintptr_t)wa, 0));
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, flags,
				     (uintptr_t)wa, 25));
	/* The right size works. */
	EXPECT_EQ(-ETIME, enter_raw(self->r.fd, 0, 1, flags,
				    (uintptr_t)wa, 24));
}

/* An unreadable struct io_uring_getevents_arg: -EFAULT. */
TEST_F_TIMEOUT(wait, err_arg_fault, 5)
{
	EXPECT_EQ(-EFAULT, enter_raw(self->r.fd, 0, 1,
				     IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				     BAD_PTR, sizeof(struct wait_arg)));
	EXPECT_EQ(-EFAULT, enter_raw(self->r.fd, 0, 1,
				     IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				     0, sizeof(struct wait_arg)));
}

/* An unreadable timespec: -EFAULT. */
TEST_F_TIMEOUT(wait, err_ts_fault, 5)
{
	struct wait_arg wa = { .ts = BAD_PTR };

	EXPECT_EQ(-EFAULT, enter_wait(self->r.fd, 0, 1, 0, &wa));
	EXPECT_EQ(-EFAULT, enter_wait(self->r.fd, 0, 1,
				      IORING_ENTER_ABS_TIMER, &wa));
}

/* sigmask_sz must be the kernel's sizeof(sigset_t) (8): -EINVAL. */
TEST_F_TIMEOUT(wait, err_sigmask_sz, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	sigset_t mask = mask_with_usr1(false);
	struct wait_arg wa = {
		.sigmask = (uintptr_t)&mask,
		.sigmask_sz = 4,
		.ts = (uintptr_t)&ts,
	};

	EXPECT_EQ(-EINVAL, enter_wait(self->r.fd, 0, 1, 0, &wa));
	wa.sigmask_sz = sizeof(sigset_t);	/* glibc's 128 */
	EXPECT_EQ(-EINVAL, enter_wait(self->r.fd, 0, 1, 0, &wa));
	wa.sigmask_sz = 0;
	EXPECT_EQ(-EINVAL, enter_wait(self->r.fd, 0, 1, 0, &wa));
	/* No mask: its size is not looked at (set_user_sigmask()). */
	wa.sigmask = 0;
	wa.sigmask_sz = 4;
	EXPECT_EQ(-ETIME, enter_wait(self->r.fd, 0, 1, 0, &wa));
}

/* An unreadable sigmask: -EFAULT. */
TEST_F_TIMEOUT(wait, err_sigmask_fault, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	struct wait_arg wa = {
		.sigmask = BAD_PTR,
		.sigmask_sz = KSIGSET_SZ,
		.ts = (uintptr_t)&ts,
	};

	EXPECT_EQ(-EFAULT, enter_wait(self->r.fd, 0, 1, 0, &wa));
}

/*
 * min_wait_usec (pad before 6.12) not 0: -EINVAL, as emu_uring does not
 * offer IORING_FEAT_MIN_TIMEOUT (io_uring 6.12 does, and takes it).
 */
TEST_F_TIMEOUT(wait, err_min_wait_usec, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	struct wait_arg wa = { .min_wait_usec = 1, .ts = (uintptr_t)&ts };

	EXPECT_FALSE(self->r.p.features & (1U << 15));	/* FEAT_MIN_TIMEOUT */
	EXPECT_EQ(-EINVAL, enter_wait(self->r.fd, 0, 1, 0, &wa));
	wa.min_wait_usec = 0x80000000;
	EXPECT_EQ(-EINVAL, enter_wait(self->r.fd, 0, 1, 0, &wa));
}

/* No EXT_ARG: a sigset_t argsz other than 8 is -EINVAL, unreadable -EFAULT. */
TEST_F_TIMEOUT(wait, err_sigset, 5)
{
	sigset_t mask = mask_with_usr1(false);

	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS,
				     (uintptr_t)&mask, 4));
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS,
				     (uintptr_t)&mask, sizeof(mask)));
	EXPECT_EQ(-EFAULT, enter_raw(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS,
				     BAD_PTR, KSIGSET_SZ));
}

/*
 * With a CQE there, the struct itself is still checked: io_uring_enter()
 * reads it (io_get_ext_arg(), io_uring.c:3499; argsz 3380, copy 3382)
 * before io_cqring_wait() looks at the CQ.
 */
TEST_F_TIMEOUT(wait, ready_ext_arg_still_checked, 5)
{
	struct wait_arg wa[2] = {};
	unsigned int flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;

	ASSERT_EQ(0, one_cqe(&self->r, 1));
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, flags,
				     (uintptr_t)wa, 16));
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 1, flags,
				     (uintptr_t)wa, 32));
	EXPECT_EQ(-EFAULT, enter_raw(self->r.fd, 0, 1, flags,
				     BAD_PTR, sizeof(struct wait_arg)));
	EXPECT_EQ(1, ring_cq_ready(&self->r));
}

/*
 * With min_complete CQEs there, the timespec and the signal mask are not
 * read: io_cqring_wait() returns 0 (io_uring.c:2602) before it reads the
 * timespec (2620) and the mask (2635).
 */
TEST_F_TIMEOUT(wait, ready_wait_args_not_read, 5)
{
	sigset_t mask = mask_with_usr1(false);
	struct wait_arg wa = { .ts = BAD_PTR };

	ASSERT_EQ(0, one_cqe(&self->r, 1));
	EXPECT_EQ(0, enter_wait(self->r.fd, 0, 1, 0, &wa)) {
		TH_LOG("unreadable ts with the CQE there");
	}
	wa.ts = 0;
	wa.sigmask = (uintptr_t)&mask;
	wa.sigmask_sz = 4;
	EXPECT_EQ(0, enter_wait(self->r.fd, 0, 1, 0, &wa)) {
		TH_LOG("bad sigmask_sz with the CQE there");
	}
	wa.sigmask = BAD_PTR;
	wa.sigmask_sz = KSIGSET_SZ;
	EXPECT_EQ(0, enter_wait(self->r.fd, 0, 1, 0, &wa)) {
		TH_LOG("unreadable sigmask with the CQE there");
	}
	EXPECT_EQ(0, enter_raw(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS,
			       (uintptr_t)&mask, 4)) {
		TH_LOG("bad sigset argsz with the CQE there");
	}
	EXPECT_EQ(1, ring_cq_ready(&self->r));
}

/*
 * With CQEs there but fewer than min_complete, io_cqring_wait() reads the
 * timespec and the mask and returns their error as is (io_uring.c:2621,
 * 2637-2638), not through the rule that makes an error with a non-empty
 * CQ 0 (2719).
 */
TEST_F_TIMEOUT(wait, short_wait_args_fail, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	sigset_t mask = mask_with_usr1(false);
	struct wait_arg wa = { .ts = BAD_PTR };

	ASSERT_EQ(0, one_cqe(&self->r, 1));
	EXPECT_EQ(-EFAULT, enter_wait(self->r.fd, 0, 2, 0, &wa)) {
		TH_LOG("unreadable ts, 1 of 2 CQEs there");
	}
	wa.ts = (uintptr_t)&ts;
	wa.sigmask = (uintptr_t)&mask;
	wa.sigmask_sz = 4;
	EXPECT_EQ(-EINVAL, enter_wait(self->r.fd, 0, 2, 0, &wa)) {
		TH_LOG("bad sigmask_sz, 1 of 2 CQEs there");
	}
	wa.sigmask = BAD_PTR;
	wa.sigmask_sz = KSIGSET_SZ;
	EXPECT_EQ(-EFAULT, enter_wait(self->r.fd, 0, 2, 0, &wa)) {
		TH_LOG("unreadable sigmask, 1 of 2 CQEs there");
	}
	EXPECT_EQ(-EINVAL, enter_raw(self->r.fd, 0, 2, IORING_ENTER_GETEVENTS,
				     (uintptr_t)&mask, 4)) {
		TH_LOG("bad sigset argsz, 1 of 2 CQEs there");
	}
	EXPECT_EQ(1, ring_cq_ready(&self->r));
}

/*
 * SQEs consumed and a failing wait argument: ENTER returns the count
 * (io_uring_enter(): ret2 only replaces a ret of 0). Each time one NOP is
 * submitted with min_complete 2, so that the wait would sleep.
 */
TEST_F_TIMEOUT(wait, consumed_count_wins, 5)
{
	struct __kernel_timespec ts = kts(50 * MS);
	sigset_t mask = mask_with_usr1(false);
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	struct wait_arg bad_ts = { .ts = BAD_PTR };
	struct wait_arg bad_sz = {
		.sigmask = (uintptr_t)&mask, .sigmask_sz = 4,
		.ts = (uintptr_t)&ts,
	};
	struct wait_arg bad_min = { .min_wait_usec = 1, .ts = (uintptr_t)&ts };
	unsigned int flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
	struct io_uring_cqe cqe;
	int i, ret;

	for (i = 0; i < 7; i++) {
		ring_queue_nop(&self->r, i);
		ring_flush(&self->r);
		switch (i) {
		case 0:	/* argsz 16 */
			ret = enter_raw(self->r.fd, 1, 2, flags,
					(uintptr_t)&wa, 16);
			break;
		case 1:	/* unreadable struct */
			ret = enter_raw(self->r.fd, 1, 2, flags, BAD_PTR,
					sizeof(wa));
			break;
		case 2:	/* unreadable ts */
			ret = enter_wait(self->r.fd, 1, 2, 0, &bad_ts);
			break;
		case 3:	/* sigmask_sz 4 */
			ret = enter_wait(self->r.fd, 1, 2, 0, &bad_sz);
			break;
		case 4:	/* min_wait_usec */
			ret = enter_wait(self->r.fd, 1, 2, 0, &bad_min);
			break;
		case 5:	/* no EXT_ARG, sigset argsz 4 */
			ret = enter_raw(self->r.fd, 1, 2,
					IORING_ENTER_GETEVENTS,
					(uintptr_t)&mask, 4);
			break;
		default: /* and the timeout passing */
			ret = enter_wait(self->r.fd, 1, 2, 0, &wa);
			break;
		}
		EXPECT_EQ(1, ret) {
			TH_LOG("case %d", i);
		}
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(-EAGAIN, ring_pop_cqe(&self->r, &cqe));
	}
}

/* IORING_FEAT_EXT_ARG is reported. */
TEST_F(wait, feature_ext_arg)
{
	EXPECT_TRUE(self->r.p.features & IORING_FEAT_EXT_ARG);
}

TEST_HARNESS_MAIN
