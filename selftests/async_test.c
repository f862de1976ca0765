// SPDX-License-Identifier: GPL-2.0
/*
 * Requests that outlive ENTER, with io_uring's (Linux 6.12) semantics: a
 * READ or WRITE on a pollable file (pipe, socket, eventfd) that would block
 * parks on the file's waitqueue and completes when the file is ready, and
 * ENTER returns the SQEs it consumed without waiting for it. Drains and
 * links across parked requests, poll(2) and epoll on the ring fd, signals,
 * and rings closed, killed or exited with requests parked.
 *
 * Every wait is bounded (SIGALRM ticks, a POSIX timer, poll timeouts), so
 * a module that blocks inside ENTER fails these tests instead of hanging.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define NR_MANY		1000

/* A tmpfile in /tmp, already unlinked. */
static int tmp_file(void)
{
	char name[] = "/tmp/emu_async.XXXXXX";
	int fd = mkstemp(name);

	if (fd >= 0)
		unlink(name);
	return fd;
}

/*
 * Submit what is queued with ENTER(@n, 0, 0), bounded by SIGALRM ticks
 * (an op that wrongly blocks inside ENTER is interrupted); *ms is how long
 * ENTER took.
 */
static int submit(struct ring *r, unsigned int n, long long *ms)
{
	long long start = emu_now_ms();
	int ret;

	ring_flush(r);
	emu_tick(2000);
	ret = emu_enter(r->fd, n, 0, 0);
	emu_tick(0);
	if (ms)
		*ms = emu_now_ms() - start;
	return ret;
}

/* The CQEs ready after 50 ms: what completes without further help. */
static unsigned int cqes_after_a_while(struct ring *r)
{
	usleep(50000);
	return ring_cq_ready(r);
}

/* RLIMIT_NOFILE of at least @n; 0, or -1 if it cannot be raised. */
static int raise_nofile(rlim_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= n)
		return 0;
	rl.rlim_cur = n;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* A write(2) from another thread, @ms from now. */
struct later {
	pthread_t thread;
	int fd;
	const void *buf;
	size_t len;
	unsigned int ms;
	ssize_t ret;
};

static void *later_fn(void *arg)
{
	struct later *l = arg;
	sigset_t all;

	/* Signals are for the thread under test. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	usleep(l->ms * 1000);
	l->ret = write(l->fd, l->buf, l->len);
	return NULL;
}

static int write_later(struct later *l, int fd, const void *buf, size_t len,
		       unsigned int ms)
{
	*l = (struct later){ .fd = fd, .buf = buf, .len = len, .ms = ms };
	return pthread_create(&l->thread, NULL, later_fn, l);
}

/*
 * A watchdog for waits that a signal under test might restart forever: a
 * POSIX timer sends SIGUSR2 (handler without SA_RESTART) in @ms and every
 * 100 ms after, until disarmed.
 */
static timer_t wd_timer;
static volatile sig_atomic_t wd_fired;

static void on_watchdog(int sig)
{
	wd_fired = 1;
}

static int watchdog_arm(unsigned int ms)
{
	struct sigaction sa = { .sa_handler = on_watchdog };
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGUSR2,
	};
	struct itimerspec its = {
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
		.it_interval = { 0, 100000000L },
	};

	wd_fired = 0;
	if (sigaction(SIGUSR2, &sa, NULL) ||
	    timer_create(CLOCK_MONOTONIC, &sev, &wd_timer))
		return -1;
	return timer_settime(wd_timer, 0, &its, NULL);
}

static void watchdog_disarm(void)
{
	timer_delete(wd_timer);
}

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	signals_seen++;
}

FIXTURE(async) {
	struct ring r;
	int p[2];
	char buf[64];
};

FIXTURE_SETUP(async)
{
	self->r.fd = -1;
	self->p[0] = self->p[1] = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 16, NULL);
	ASSERT_EQ(0, pipe(self->p));
	memset(self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(async)
{
	emu_tick(0);
	if (self->p[0] >= 0)
		close(self->p[0]);
	if (self->p[1] >= 0)
		close(self->p[1]);
	ring_exit(&self->r);
}

/* An empty pipe's READ parks: ENTER returns 1 at once; a write completes it. */
TEST_F_TIMEOUT(async, parked_pipe_read_enter_returns, 10)
{
	struct io_uring_cqe cqe;
	long long ms;
	int ret;

	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, &ms));
	EXPECT_GT(1000, ms);
	ASSERT_EQ(0, cqes_after_a_while(&self->r));
	EXPECT_EQ(1, *self->r.sq_head);

	ASSERT_EQ(5, write(self->p[1], "hello", 5));
	emu_tick(2000);
	ret = emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS);
	emu_tick(0);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));
	EXPECT_EQ(-EAGAIN, ring_pop_cqe(&self->r, &cqe));
}

/* A drain behind a parked READ holds back the drained NOP and the next NOP. */
TEST_F_TIMEOUT(async, read_drain_nop, 10)
{
	struct io_uring_cqe cqe;
	long long ms;
	int i;

	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ring_queue_nop(&self->r, 2)->flags = IOSQE_IO_DRAIN;
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(3, submit(&self->r, 3, &ms));
	EXPECT_GT(1000, ms);
	ASSERT_EQ(0, cqes_after_a_while(&self->r));

	ASSERT_EQ(5, write(self->p[1], "hello", 5));
	ASSERT_EQ(3, ring_wait_cqes(&self->r, 3, 2000));
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(i == 1 ? 5 : 0, cqe.res);
	}
}

struct waiter {
	pthread_t thread;
	int fd;
	int ret;
	int err;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	w->ret = emu_enter(w->fd, 0, 1, IORING_ENTER_GETEVENTS);
	w->err = errno;
	return NULL;
}

/* A waiter gets a NOP's CQE from another ENTER while a READ stays parked. */
TEST_F_TIMEOUT(async, reaper_not_blocked, 10)
{
	struct waiter w = { .fd = self->r.fd, .ret = -2 };
	struct io_uring_cqe cqe;
	struct timespec ts;

	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(0, cqes_after_a_while(&self->r));
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, waiter_fn, &w));
	usleep(100000);	/* the waiter is in its wait by now */
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	ASSERT_EQ(0, pthread_timedjoin_np(w.thread, NULL, &ts)) {
		TH_LOG("the waiter did not return with the NOP's CQE");
	}
	EXPECT_EQ(0, w.ret) {
		TH_LOG("waiter: errno %d", w.err);
	}
	ASSERT_EQ(1, ring_cq_ready(&self->r));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	/* The READ was parked all along. */
	ASSERT_EQ(0, cqes_after_a_while(&self->r));
	ASSERT_EQ(3, write(self->p[1], "abc", 3));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(3, cqe.res);
}

/*
 * poll(2) and epoll on the ring fd: POLLIN only with a CQE there; a poll
 * blocks until a parked READ completes. POLLOUT while the SQ has room.
 */
TEST_F_TIMEOUT(async, poll_ring_fd, 10)
{
	struct pollfd pfd = { .fd = self->r.fd, .events = POLLIN };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	struct io_uring_cqe cqe;
	struct later l;
	long long start;
	int epfd, i, n;

	/* An empty CQ: no POLLIN. */
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	/* As io_uring_poll(): POLLOUT while the SQ is not full... */
	pfd.events = POLLOUT;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents & (POLLIN | POLLOUT));
	/* ...and none once SQ tail - head is the SQ size. */
	for (i = 0; i < 16; i++)
		ring_queue_nop(&self->r, 100 + i);
	ring_flush(&self->r);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(16, submit(&self->r, 16, NULL));
	ASSERT_EQ(16, ring_wait_cqes(&self->r, 16, 2000));

	/* A CQE there: POLLIN, until it is consumed. */
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);
	while (ring_pop_cqe(&self->r, &cqe) == 0)
		;
	ASSERT_EQ(0, poll(&pfd, 1, 0));

	/* poll() sleeps until the parked READ completes. */
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, write_later(&l, self->p[1], "hello", 5, 100));
	start = emu_now_ms();
	ASSERT_EQ(1, poll(&pfd, 1, 3000));
	EXPECT_LE(90, emu_now_ms() - start);
	EXPECT_TRUE(pfd.revents & POLLIN);
	pthread_join(l.thread, NULL);
	EXPECT_EQ(5, l.ret);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(5, cqe.res);

	/* The same through epoll. */
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->r.fd, &ev));
	ASSERT_EQ(0, epoll_wait(epfd, &ev, 1, 0));
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 2);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(0, epoll_wait(epfd, &ev, 1, 0));
	ASSERT_EQ(0, write_later(&l, self->p[1], "epoll", 5, 100));
	start = emu_now_ms();
	/*
	 * io_uring's completion task_work (TWA_SIGNAL) ends an epoll_wait of
	 * the submitter with EINTR (epoll does not restart); just wait on.
	 */
	do {
		n = epoll_wait(epfd, &ev, 1, 3000);
	} while (n < 0 && errno == EINTR && emu_now_ms() - start < 3000);
	ASSERT_EQ(1, n);
	EXPECT_LE(90, emu_now_ms() - start);
	EXPECT_TRUE(ev.events & EPOLLIN);
	EXPECT_EQ(42, ev.data.u64);
	pthread_join(l.thread, NULL);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, "epoll", 5));
	/* Level-triggered: nothing once the CQ is empty again. */
	EXPECT_EQ(0, epoll_wait(epfd, &ev, 1, 0));
	close(epfd);
}

/*
 * Submission stopped early by a failed SQE (no SUBMIT_ALL): ENTER does
 * not wait for min_complete and returns the count consumed.
 */
TEST_F_TIMEOUT(async, submit_and_wait_stops_early, 10)
{
	struct io_uring_cqe cqe;
	long long start;
	int ret;

	ring_queue_nop(&self->r, 1);
	ring_queue_nop(&self->r, 2)->opcode = 200;
	ring_queue_nop(&self->r, 3);
	ring_flush(&self->r);
	start = emu_now_ms();
	emu_tick(2000);
	ret = emu_enter(self->r.fd, 3, 3, IORING_ENTER_GETEVENTS);
	emu_tick(0);
	ASSERT_EQ(2, ret);
	EXPECT_GT(1000, emu_now_ms() - start) {
		TH_LOG("ENTER waited for CQEs after a short submission");
	}
	ASSERT_EQ(2, ring_cq_ready(&self->r));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
	/* The third NOP is still in the SQ. */
	EXPECT_EQ(2, load_acquire(self->r.sq_head));
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(3, cqe.user_data);
}

struct signaller {
	pthread_t thread;
	pthread_t target;
	volatile int stop;
};

static void *signaller_fn(void *arg)
{
	struct signaller *sg = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!sg->stop)
		pthread_kill(sg->target, SIGALRM);
	return NULL;
}

/*
 * Signals every 20 us: a submission is never cut (no EINTR, all 16 SQEs
 * consumed) and a failed head cancels its whole chain every time.
 */
TEST_F_TIMEOUT(async, signal_does_not_cut_chain, 20)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval it = {
		.it_value = { 0, 20 },
		.it_interval = { 0, 20 },
	};
	int round, i, ret, eintr = 0, cut = 0, bad = 0, other = 0;
	struct signaller sg = { .target = pthread_self() };
	long long start, end, hard_end;
	struct io_uring_cqe cqe;

	signals_seen = 0;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	/*
	 * A guest's timer delivers far fewer than one signal per 20 us: a
	 * thread keeps one pending too, nearly all the time.
	 */
	ASSERT_EQ(0, pthread_create(&sg.thread, NULL, signaller_fn, &sg));
	start = emu_now_ms();
	end = start + 3000;
	hard_end = end + 5000;
	for (round = 0; round < 2000 && emu_now_ms() < end; round++) {
		unsigned int done = 0;

		ring_queue_rw(&self->r, IORING_OP_READ, -1, self->buf, 1, 0,
			      0)->flags = IOSQE_IO_LINK;
		for (i = 1; i < 16; i++)
			ring_queue_nop(&self->r, i)->flags =
				i < 15 ? IOSQE_IO_LINK : 0;
		ring_flush(&self->r);
		ret = emu_enter(self->r.fd, 16, 0, 0);
		if (ret < 0 && errno == EINTR)
			eintr++;
		else if (ret < 0)
			other++;
		else if (ret != 16)
			cut++;
		done = ret > 0 ? ret : 0;
		/* Whatever was left goes in later ENTERs. */
		while (done < 16 && emu_now_ms() < hard_end) {
			ret = emu_enter(self->r.fd, 16 - done, 0, 0);
			if (ret > 0)
				done += ret;
		}
		while (ring_cq_ready(&self->r) < 16 &&
		       emu_now_ms() < hard_end)
			emu_enter(self->r.fd, 0, 16, IORING_ENTER_GETEVENTS);
		ASSERT_EQ(16, ring_cq_ready(&self->r)) {
			sg.stop = 1;
			pthread_join(sg.thread, NULL);
			it = (struct itimerval){};
			setitimer(ITIMER_REAL, &it, NULL);
		}
		for (i = 0; i < 16; i++) {
			ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
			if (cqe.user_data != i ||
			    cqe.res != (i ? -ECANCELED : -EBADF))
				bad++;
		}
	}
	sg.stop = 1;
	pthread_join(sg.thread, NULL);
	it = (struct itimerval){};
	setitimer(ITIMER_REAL, &it, NULL);
	TH_LOG("%d rounds, %d signals in %lld ms", round, (int)signals_seen,
	       emu_now_ms() - start);
	EXPECT_EQ(0, eintr);
	EXPECT_EQ(0, cut);
	EXPECT_EQ(0, other);
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, signals_seen);
}

/*
 * Signals, with and without SA_RESTART, sent while a READ is parked and
 * while ENTER waits for it, do not complete it: it completes with the data.
 */
TEST_F_TIMEOUT(async, parked_read_survives_signals, 10)
{
	struct itimerval it = {
		.it_value = { 0, 20000 },
		.it_interval = { 0, 20000 },
	};
	struct io_uring_cqe cqe;
	int k, i;

	signals_seen = 0;
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	for (k = 0; k < 2; k++) {
		struct sigaction sa = {
			.sa_handler = on_signal,
			.sa_flags = k ? 0 : SA_RESTART,
		};

		ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
		ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
		for (i = 0; i < 10; i++)
			kill(getpid(), SIGUSR1);
		/* Signals into the GETEVENTS wait, which they may end. */
		ASSERT_EQ(0, watchdog_arm(1000));
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		for (i = 0; i < 5 && !wd_fired; i++)
			emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS);
		setitimer(ITIMER_REAL, &(struct itimerval){}, NULL);
		watchdog_disarm();
		ASSERT_EQ(0, ring_cq_ready(&self->r)) {
			ring_pop_cqe(&self->r, &cqe);
			TH_LOG("the parked READ completed with %d", cqe.res);
		}
	}
	EXPECT_LE(20, signals_seen);
	ASSERT_EQ(5, write(self->p[1], "hello", 5));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));
}

/*
 * io_uring's GETEVENTS wait ends with EINTR on a signal even with
 * SA_RESTART (io_cqring_wait_schedule() returns -EINTR, not -ERESTARTSYS),
 * and the parked READ stays parked.
 */
TEST_F_TIMEOUT(async, wait_eintr_despite_sa_restart, 10)
{
	struct sigaction sa = { .sa_handler = on_signal,
				.sa_flags = SA_RESTART };
	struct itimerval it = { .it_value = { 0, 100000 } };
	struct io_uring_cqe cqe;
	long long start;
	int ret, err;

	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/* If the wait restarts, a signal without SA_RESTART ends it at 2 s. */
	ASSERT_EQ(0, watchdog_arm(2000));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	start = emu_now_ms();
	ret = emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS);
	err = errno;
	watchdog_disarm();
	ASSERT_EQ(-1, ret);
	EXPECT_EQ(EINTR, err);
	EXPECT_FALSE(wd_fired) {
		TH_LOG("the wait was restarted after the SA_RESTART signal");
	}
	EXPECT_GT(1500, emu_now_ms() - start);
	ASSERT_EQ(0, ring_cq_ready(&self->r));
	ASSERT_EQ(2, write(self->p[1], "ok", 2));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.res);
}

/*
 * The child of parked_read_survives_stop_cont: park a READ of @rd, report
 * ENTER's result on @status, wait for the CQE through EINTRs.
 */
static void stop_cont_child(int rd, int status)
{
	static char buf[16];
	struct io_uring_cqe cqe;
	struct ring r;
	int ret;

	alarm(5);	/* default action: a child stuck anywhere dies */
	if (ring_init(&r, 4, NULL))
		_exit(10);
	ring_queue_rw(&r, IORING_OP_READ, rd, buf, sizeof(buf), 0, 7);
	ring_flush(&r);
	ret = emu_enter(r.fd, 1, 0, 0);
	if (write(status, &ret, sizeof(ret)) != sizeof(ret) || ret != 1)
		_exit(11);
	while (!ring_cq_ready(&r)) {
		ret = emu_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS);
		if (ret < 0 && errno != EINTR)
			_exit(12);
	}
	if (ring_pop_cqe(&r, &cqe) || cqe.user_data != 7)
		_exit(13);
	if (cqe.res == -EINTR)
		_exit(14);
	if (cqe.res != 5 || memcmp(buf, "hello", 5))
		_exit(15);
	_exit(0);
}

/*
 * SIGSTOP/SIGCONT of a child waiting in ENTER for its parked READ (the
 * data even arrives while it is stopped): the READ completes with it.
 */
TEST_F_TIMEOUT(async, parked_read_survives_stop_cont, 10)
{
	int st[2], ret = -100, status, i;
	struct pollfd pfd;
	long long end;
	pid_t pid;

	ASSERT_EQ(0, pipe(st));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(st[0]);
		stop_cont_child(self->p[0], st[1]);
	}
	close(st[1]);
	pfd = (struct pollfd){ .fd = st[0], .events = POLLIN };
	if (poll(&pfd, 1, 3000) != 1 ||
	    read(st[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -100;
	close(st[0]);
	if (ret != 1)
		kill(pid, SIGKILL);
	ASSERT_EQ(1, ret) {
		waitpid(pid, NULL, 0);
		TH_LOG("the child's ENTER did not return 1 at once");
	}
	usleep(50000);	/* into its wait */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, kill(pid, SIGSTOP));
		ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
		ASSERT_TRUE(WIFSTOPPED(status));
		usleep(20000);
		if (i == 3) {
			/* Ready while the child is stopped. */
			ASSERT_EQ(5, write(self->p[1], "hello", 5));
			usleep(50000);
		}
		ASSERT_EQ(0, kill(pid, SIGCONT));
		usleep(20000);
	}
	end = emu_now_ms() + 5000;
	while ((ret = waitpid(pid, &status, WNOHANG)) == 0 &&
	       emu_now_ms() < end)
		usleep(10000);
	if (ret == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, ret);
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	}
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * O_NONBLOCK does not stop a pipe READ from parking (pipes have
 * FMODE_NOWAIT; io_rw_init_file()); RWF_NOWAIT does: -EAGAIN at once.
 */
TEST_F_TIMEOUT(async, nonblocking_pipe_parks, 10)
{
	struct iovec probe = { self->buf, 1 };
	struct io_uring_cqe cqe;
	bool pipe_nowait;
	long long ms;

	/*
	 * Whether this kernel's pipes have FMODE_NOWAIT (6.12 does): if not,
	 * io_uring takes O_NONBLOCK as the final word (-EAGAIN), and
	 * RWF_NOWAIT fails with -EOPNOTSUPP, as preadv2() does.
	 */
	pipe_nowait = preadv2(self->p[0], &probe, 1, -1, RWF_NOWAIT) < 0 &&
		      errno == EAGAIN;
	ASSERT_EQ(0, set_nonblock(self->p[0], true));
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, &ms));
	EXPECT_GT(1000, ms);
	if (!pipe_nowait) {
		ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 1000));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(-EAGAIN, cqe.res);
		ASSERT_EQ(0, set_nonblock(self->p[0], false));
		ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
			      sizeof(self->buf), 0, 2)->rw_flags = RWF_NOWAIT;
		ASSERT_EQ(1, submit(&self->r, 1, &ms));
		ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 1000));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(-EOPNOTSUPP, cqe.res);
		return;
	}
	ASSERT_EQ(0, cqes_after_a_while(&self->r)) {
		ring_pop_cqe(&self->r, &cqe);
		TH_LOG("completed at once with %d", cqe.res);
	}
	ASSERT_EQ(5, write(self->p[1], "hello", 5));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, "hello", 5));

	/* RWF_NOWAIT, on a blocking pipe fd: no parking. */
	ASSERT_EQ(0, set_nonblock(self->p[0], false));
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 2)->rw_flags = RWF_NOWAIT;
	ASSERT_EQ(1, submit(&self->r, 1, &ms));
	EXPECT_GT(1000, ms);
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 1000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-EAGAIN, cqe.res);
}

/* A WRITE to a full pipe parks and completes once the reader makes room. */
TEST_F_TIMEOUT(async, write_full_pipe_parks, 10)
{
	static char chunk[4096], out[100], in[4096];
	struct io_uring_cqe cqe;
	ssize_t n, filled = 0, got = 0;
	long long ms;

	memset(out, 'w', sizeof(out));
	ASSERT_EQ(4096, fcntl(self->p[1], F_SETPIPE_SZ, 4096));
	ASSERT_EQ(0, set_nonblock(self->p[1], true));
	while ((n = write(self->p[1], chunk, sizeof(chunk))) > 0)
		filled += n;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, set_nonblock(self->p[1], false));
	ASSERT_EQ(4096, filled);

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->p[1], out, sizeof(out),
		      0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, &ms));
	EXPECT_GT(1000, ms);
	ASSERT_EQ(0, cqes_after_a_while(&self->r));

	while (got < filled) {
		n = read(self->p[0], in, sizeof(in));
		ASSERT_LT(0, n);
		got += n;
	}
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(100, cqe.res);
	ASSERT_EQ(100, read(self->p[0], in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, out, 100));
}

/* An eventfd READ parks until the counter is written. */
TEST_F_TIMEOUT(async, parked_eventfd_read, 10)
{
	struct io_uring_cqe cqe;
	uint64_t v = 0;
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ring_queue_rw(&self->r, IORING_OP_READ, efd, &v, sizeof(v), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(0, cqes_after_a_while(&self->r));
	ASSERT_EQ(0, eventfd_write(efd, 7));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(8, cqe.res);
	EXPECT_EQ(7, v);
	close(efd);
}

/* A drain behind a READ parked by an earlier ENTER waits for the READ. */
TEST_F_TIMEOUT(async, drain_after_parked, 10)
{
	struct io_uring_cqe cqe;
	long long ms;

	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf,
		      sizeof(self->buf), 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ring_queue_nop(&self->r, 2)->flags = IOSQE_IO_DRAIN;
	ASSERT_EQ(1, submit(&self->r, 1, &ms));
	EXPECT_GT(1000, ms);
	ASSERT_EQ(0, cqes_after_a_while(&self->r));

	ASSERT_EQ(5, write(self->p[1], "hello", 5));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

/*
 * Once any SQE had IOSQE_CQE_SKIP_SUCCESS, io_uring sets drain_disabled
 * and fails every later IOSQE_IO_DRAIN SQE with -EOPNOTSUPP (io_init_req()),
 * which ends the submission like any failed SQE.
 */
TEST_F_TIMEOUT(async, drain_after_skip_success, 10)
{
	struct io_uring_cqe cqe;

	ring_queue_nop(&self->r, 1)->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(0, cqes_after_a_while(&self->r));

	ring_queue_nop(&self->r, 2)->flags = IOSQE_IO_DRAIN;
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(1, submit(&self->r, 2, NULL));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 1000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-EOPNOTSUPP, cqe.res);

	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 1000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(3, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	/* For good: a later ENTER's drain fails the same way. */
	ring_queue_nop(&self->r, 4)->flags = IOSQE_IO_DRAIN;
	ASSERT_EQ(1, submit(&self->r, 1, NULL));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 1000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(4, cqe.user_data);
	EXPECT_EQ(-EOPNOTSUPP, cqe.res);
}

/* A chain whose head parks: READ of a pipe (5 bytes), WRITE it to a file. */
FIXTURE(chain) {
	struct ring r;
	int p[2];
	int fd;
	char buf[8];
};

FIXTURE_VARIANT(chain) {
	int written;		/* bytes the pipe gets */
	uint8_t link;		/* the READ's link flag */
	int write_res;		/* the WRITE's CQE */
	const char *file;	/* what the file holds after */
};

/* The full read: the WRITE runs after it, with the data. */
FIXTURE_VARIANT_ADD(chain, full) {
	.written = 5,
	.link = IOSQE_IO_LINK,
	.write_res = 5,
	.file = "hello",
};

/* A short read breaks the link: the WRITE is cancelled. */
FIXTURE_VARIANT_ADD(chain, short_read) {
	.written = 3,
	.link = IOSQE_IO_LINK,
	.write_res = -ECANCELED,
	.file = "",
};

/* A hard link holds through a short read: the WRITE still runs. */
FIXTURE_VARIANT_ADD(chain, hardlink_short_read) {
	.written = 3,
	.link = IOSQE_IO_HARDLINK,
	.write_res = 5,
	.file = "hel..",
};

FIXTURE_SETUP(chain)
{
	self->r.fd = -1;
	self->p[0] = self->p[1] = self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
	ASSERT_EQ(0, pipe(self->p));
	self->fd = tmp_file();
	ASSERT_LE(0, self->fd);
	memset(self->buf, '.', sizeof(self->buf));
}

FIXTURE_TEARDOWN(chain)
{
	close(self->p[0]);
	close(self->p[1]);
	close(self->fd);
	ring_exit(&self->r);
}

/* The chain waits for its parked head, then goes on (or not) as io_uring's. */
TEST_F_TIMEOUT(chain, chain_across_parked, 10)
{
	struct io_uring_cqe cqe;
	char in[16] = {};
	struct stat sb;

	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], self->buf, 5, 0,
		      1)->flags = variant->link;
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, self->buf, 5, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2, NULL));
	ASSERT_EQ(0, cqes_after_a_while(&self->r));
	ASSERT_EQ(0, fstat(self->fd, &sb));
	ASSERT_EQ(0, sb.st_size);	/* the WRITE waits for the READ */

	ASSERT_EQ(variant->written,
		  write(self->p[1], "hello", variant->written));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(variant->written, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(variant->write_res, cqe.res);
	ASSERT_EQ(strlen(variant->file), pread(self->fd, in, sizeof(in), 0));
	EXPECT_EQ(0, memcmp(in, variant->file, strlen(variant->file)));
}

/* Rings with NR_MANY parked READs, and what their end leaves behind. */
FIXTURE(many) {
	int pipes[NR_MANY / 2][2];
	int socks[NR_MANY / 2][2];
	unsigned char bufs[NR_MANY][4];
};

FIXTURE_SETUP(many)
{
	int i;

	for (i = 0; i < NR_MANY / 2; i++)
		self->pipes[i][0] = self->pipes[i][1] =
			self->socks[i][0] = self->socks[i][1] = -1;
	memset(self->bufs, 0, sizeof(self->bufs));
	if (access(EMU_DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);
	/* Two fds per pipe or socketpair, and room for the rest. */
	if (raise_nofile(2 * NR_MANY + 1024))
		SKIP(return, "cannot raise RLIMIT_NOFILE to %d",
		     2 * NR_MANY + 1024);
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(many)
{
	int i, j;

	for (i = 0; i < NR_MANY / 2; i++)
		for (j = 0; j < 2; j++) {
			if (self->pipes[i][j] >= 0)
				close(self->pipes[i][j]);
			if (self->socks[i][j] >= 0)
				close(self->socks[i][j]);
		}
}

static int many_open(FIXTURE_DATA(many) *self)
{
	int i;

	for (i = 0; i < NR_MANY / 2; i++)
		if (pipe(self->pipes[i]) ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
			       self->socks[i]))
			return -1;
	return 0;
}

/* The read end of the i-th of NR_MANY (pipes, sockets alternate); its peer. */
static int many_rd(FIXTURE_DATA(many) *self, int i)
{
	return i & 1 ? self->socks[i / 2][0] : self->pipes[i / 2][0];
}

static int many_wr(FIXTURE_DATA(many) *self, int i)
{
	return i & 1 ? self->socks[i / 2][1] : self->pipes[i / 2][1];
}

/* A ring of 1024 SQ entries (CQ 2048) with NR_MANY READs queued. */
static int many_ring(FIXTURE_DATA(many) *self, struct ring *r)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 2048,
	};
	int i, ret = ring_init(r, 1024, &p);

	if (ret)
		return ret;
	for (i = 0; i < NR_MANY; i++)
		ring_queue_rw(r, IORING_OP_READ, many_rd(self, i),
			      self->bufs[i], sizeof(self->bufs[i]), 0, i);
	return 0;
}

static unsigned char many_byte(int i)
{
	return i * 7 + 1;
}

/* 1,000 socket READs park; bytes written in random order complete each. */
TEST_F_TIMEOUT(many, socket_reads_1000, 15)
{
	static unsigned char seen[NR_MANY];
	static int order[NR_MANY];
	struct io_uring_cqe cqe;
	int i, bad = 0, wrong = 0;
	struct ring r;

	/* Sockets only: socketpairs in the pipes' slots too. */
	for (i = 0; i < NR_MANY / 2; i++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					0, self->socks[i]));
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					0, self->pipes[i]));
	}
	ASSERT_EQ(0, many_ring(self, &r));
	ASSERT_EQ(NR_MANY, submit(&r, NR_MANY, NULL));
	ASSERT_EQ(0, cqes_after_a_while(&r));

	for (i = 0; i < NR_MANY; i++)
		order[i] = i;
	srand(20261203);
	for (i = NR_MANY - 1; i > 0; i--) {
		int j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < NR_MANY; i++) {
		unsigned char b = many_byte(order[i]);

		ASSERT_EQ(1, write(many_wr(self, order[i]), &b, 1));
	}
	ASSERT_EQ(NR_MANY, ring_wait_cqes(&r, NR_MANY, 5000));
	while (ring_pop_cqe(&r, &cqe) == 0) {
		if (cqe.user_data >= NR_MANY || seen[cqe.user_data]++ ||
		    cqe.res != 1) {
			bad++;
			continue;
		}
		if (self->bufs[cqe.user_data][0] != many_byte(cqe.user_data))
			wrong++;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, wrong);
	ring_exit(&r);
}

/*
 * Closing a ring with 1,000 parked READs: close returns at once, the module
 * reference goes, the READs never take data or touch their buffers.
 */
TEST_F_TIMEOUT(many, close_with_1000_parked, 15)
{
	int base, i, wrote = 0, kept = 0, touched = 0;
	struct ring r;
	long long start;

	EMU_REFCNT_OR_SKIP(base);
	ASSERT_EQ(0, many_open(self));
	ASSERT_EQ(0, many_ring(self, &r));
	ASSERT_EQ(NR_MANY, submit(&r, NR_MANY, NULL));
	ASSERT_EQ(0, cqes_after_a_while(&r));
	EXPECT_LT(base, emu_refcnt());

	start = emu_now_ms();
	ASSERT_EQ(0, munmap(r.rings, r.rings_sz));
	ASSERT_EQ(0, munmap(r.sqes, r.sqes_sz));
	ASSERT_EQ(0, close(r.fd));
	EXPECT_GT(1000, emu_now_ms() - start);
	EXPECT_EQ(base, emu_refcnt_wait(base, 5000));

	/* The peers still work; the data stays for the fds' other readers. */
	for (i = 0; i < NR_MANY; i++) {
		unsigned char b = many_byte(i), in = 0;

		if (write(many_wr(self, i), &b, 1) == 1)
			wrote++;
		set_nonblock(many_rd(self, i), true);
		if (read(many_rd(self, i), &in, 1) == 1 && in == b)
			kept++;
		if (self->bufs[i][0])
			touched++;
	}
	EXPECT_EQ(NR_MANY, wrote);
	EXPECT_EQ(NR_MANY, kept);
	EXPECT_EQ(0, touched);
}

/* Writes to every peer; how many still have a reader (did not fail EPIPE). */
static int many_readers_left(FIXTURE_DATA(many) *self)
{
	int i, left = 0;

	for (i = 0; i < NR_MANY; i++)
		if (write(many_wr(self, i), "x", 1) != -1 || errno != EPIPE)
			left++;
	return left;
}

/*
 * SIGKILL of a process with 1,000 parked READs: the module reference goes,
 * and the files the READs held are released (their peers see EPIPE).
 */
TEST_F_TIMEOUT(many, sigkill_with_1000_parked, 20)
{
	int base, st[2], ret = -100, status, i, left;
	struct pollfd pfd;
	long long end;
	pid_t pid;

	EMU_REFCNT_OR_SKIP(base);
	ASSERT_EQ(0, many_open(self));
	ASSERT_EQ(0, pipe(st));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ring r;

		close(st[0]);
		if (many_ring(self, &r))
			_exit(2);
		ring_flush(&r);
		ret = emu_enter(r.fd, NR_MANY, 0, 0);
		if (write(st[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(3);
		for (;;)
			pause();
	}
	close(st[1]);
	pfd = (struct pollfd){ .fd = st[0], .events = POLLIN };
	if (poll(&pfd, 1, 3000) != 1 ||
	    read(st[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -100;
	close(st[0]);
	/* Only the child's READs hold the read ends now. */
	for (i = 0; i < NR_MANY / 2; i++) {
		close(self->pipes[i][0]);
		close(self->socks[i][0]);
		self->pipes[i][0] = self->socks[i][0] = -1;
	}
	usleep(50000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(NR_MANY, ret);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_EQ(base, emu_refcnt_wait(base, 5000));

	end = emu_now_ms() + 5000;
	while ((left = many_readers_left(self)) && emu_now_ms() < end)
		usleep(20000);
	EXPECT_EQ(0, left) {
		TH_LOG("%d read ends still held after the process died", left);
	}
}

static void *wait_forever(void *arg)
{
	struct ring *r = arg;

	for (;;)
		emu_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS);
	return NULL;
}

/*
 * _exit(0) of a process with a parked READ while another of its threads
 * waits in ENTER: the process exits, the module reference goes.
 */
TEST_F_TIMEOUT(many, parked_read_then_exit, 15)
{
	int base, status, ret;
	long long end;
	pid_t pid;

	EMU_REFCNT_OR_SKIP(base);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char buf[16];
		struct ring r;
		pthread_t t;
		int p[2];

		alarm(3);	/* default action: stuck, the child dies */
		if (pipe(p) || ring_init(&r, 4, NULL))
			_exit(2);
		ring_queue_rw(&r, IORING_OP_READ, p[0], buf, sizeof(buf), 0, 1);
		ring_flush(&r);
		if (emu_enter(r.fd, 1, 0, 0) != 1)
			_exit(3);
		if (pthread_create(&t, NULL, wait_forever, &r))
			_exit(4);
		usleep(100000);
		_exit(0);
	}
	end = emu_now_ms() + 5000;
	while ((ret = waitpid(pid, &status, WNOHANG)) == 0 &&
	       emu_now_ms() < end)
		usleep(10000);
	if (ret == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, ret);
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	}
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, emu_refcnt_wait(base, 5000));
}

TEST_HARNESS_MAIN
