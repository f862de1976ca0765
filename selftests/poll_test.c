// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_POLL_ADD (one-shot and IORING_POLL_ADD_MULTI), IORING_OP_POLL_REMOVE
 * (removal and IORING_POLL_UPDATE_*) and IORING_OP_ASYNC_CANCEL, with
 * io_uring's (Linux 6.12) semantics: io_uring/poll.c (io_poll_add_prep(),
 * io_poll_remove_prep(), io_poll_remove(), io_poll_parse_events(),
 * __io_arm_poll_handler(), io_poll_check_events()) and io_uring/cancel.c
 * (io_async_cancel_prep(), io_cancel_req_match(), __io_async_cancel()).
 *
 * The SQEs are written by hand, as liburing's io_uring_prep_poll_add(),
 * io_uring_prep_poll_update() and io_uring_prep_cancel64() write them.
 *
 * Built with -DPOLL_TEST_IO_URING (by hand: the Makefile's command with
 * that flag added) the same tests run on the kernel's own io_uring
 * (io_uring_setup(2), io_uring_enter(2)) instead of the device: that is how
 * their expectations were checked, on the 6.12 guests' io_uring.
 *
 * Every wait is bounded: GETEVENTS waits carry an IORING_ENTER_EXT_ARG
 * timeout and a SIGALRM guard, submissions a SIGALRM guard.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/time_types.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define MAX_CQES	64

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

#ifdef POLL_TEST_IO_URING
#define BACKEND_NAME	"io_uring"

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

#define EMU_ONLY() SKIP(return, "emu_uring only")
#else
#define BACKEND_NAME	"emu_uring"

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

#define T_RING_INIT_OR_SKIP(r, entries) \
	EMU_RING_INIT_OR_SKIP((r), (entries), NULL)

#define EMU_ONLY() do { } while (0)
#endif

/* Close a ring early; the fixture's teardown then leaves it alone. */
static void ring_drop(struct ring *r)
{
	ring_exit(r);
	r->fd = -1;
	r->rings = r->sqes = NULL;
}

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

/* CQEs reaped from the ring, looked up by user_data. */
struct cqes {
	unsigned int n;
	struct io_uring_cqe c[MAX_CQES];
};

/* Wait for @n CQEs (2 s at most) and reap all there; returns how many. */
static unsigned int reap(struct ring *r, unsigned int n, struct cqes *cs)
{
	wait_cqes(r, n, 2000);
	cs->n = 0;
	while (cs->n < MAX_CQES && ring_pop_cqe(r, &cs->c[cs->n]) == 0)
		cs->n++;
	return cs->n;
}

/* The first CQE of @ud, or NULL. */
static const struct io_uring_cqe *cqe_of(const struct cqes *cs, uint64_t ud)
{
	unsigned int i;

	for (i = 0; i < cs->n; i++)
		if (cs->c[i].user_data == ud)
			return &cs->c[i];
	return NULL;
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

static unsigned int flags_of(const struct cqes *cs, uint64_t ud)
{
	const struct io_uring_cqe *c = cqe_of(cs, ud);

	return c ? c->flags : ~0U;
}

/* What poll(2) reports for @events on @fd now (0: nothing). */
static int poll_revents(int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, 0) == 1 ? pfd.revents : 0;
}

/* liburing's __io_uring_prep_poll_mask(): little-endian halfwords. */
static uint32_t poll_mask(uint32_t events)
{
#if __BYTE_ORDER == __BIG_ENDIAN
	events = (events << 16) | (events >> 16);
#endif
	return events;
}

/* io_uring_prep_poll_add() (@flags in len: IORING_POLL_ADD_MULTI). */
static struct io_uring_sqe *q_poll_add(struct ring *r, int fd, uint32_t events,
				       uint32_t flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_ADD;
		sqe->fd = fd;
		sqe->poll32_events = poll_mask(events);
		sqe->len = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

/* io_uring_prep_poll_update(), io_uring_prep_poll_remove() with @flags 0. */
static struct io_uring_sqe *q_poll_remove(struct ring *r, uint64_t target,
					  uint32_t flags, uint64_t new_ud,
					  uint32_t events, uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_REMOVE;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->len = flags;
		sqe->off = new_ud;
		sqe->poll32_events = poll_mask(events);
		sqe->user_data = ud;
	}
	return sqe;
}

/* io_uring_prep_cancel64() with @flags, fd as io_uring_prep_cancel_fd(). */
static struct io_uring_sqe *q_cancel(struct ring *r, uint64_t target,
				     uint32_t flags, int fd, uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_ASYNC_CANCEL;
		sqe->fd = fd;
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

/* Make the pipe 4 KiB and fill it; 0 or -1. */
static int fill_pipe(int wfd)
{
	static char chunk[4096];

	if (fcntl(wfd, F_SETPIPE_SZ, 4096) != 4096 || set_nonblock(wfd, true))
		return -1;
	while (write(wfd, chunk, sizeof(chunk)) > 0)
		;
	if (errno != EAGAIN)
		return -1;
	return set_nonblock(wfd, false);
}

/* A tmpfile in /tmp, already unlinked. */
static int tmp_file(void)
{
	char name[] = "/tmp/emu_poll.XXXXXX";
	int fd = mkstemp(name);

	if (fd >= 0)
		unlink(name);
	return fd;
}

FIXTURE(pt) {
	struct ring r;
	int p[2];	/* a pipe, empty */
	int q[2];	/* another */
	char buf[64];
};

FIXTURE_SETUP(pt)
{
	self->r.fd = -1;
	self->p[0] = self->p[1] = self->q[0] = self->q[1] = -1;
	T_RING_INIT_OR_SKIP(&self->r, 16);
	ASSERT_EQ(0, pipe(self->p));
	ASSERT_EQ(0, pipe(self->q));
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(pt)
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
TEST_F(pt, backend)
{
	TH_LOG("backend: %s", BACKEND_NAME);
}

/* POLLIN on an empty pipe parks; a write completes it once, as poll(2) says. */
TEST_F_TIMEOUT(pt, oneshot_pipe_pollin, 10)
{
	struct io_uring_cqe cqe;
	int revents;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));

	ASSERT_EQ(1, write(self->p[1], "a", 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	revents = poll_revents(self->p[0], POLLIN);
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_TRUE(cqe.res & POLLIN);
	EXPECT_EQ(revents, cqe.res);
	EXPECT_EQ(0, cqe.flags);

	/* One-shot: a second write posts nothing. */
	ASSERT_EQ(1, write(self->p[1], "b", 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/* A pipe with data: POLLIN|POLLRDNORM completes at once with both. */
TEST_F_TIMEOUT(pt, oneshot_ready_at_once, 10)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(1, write(self->p[1], "a", 1));
	q_poll_add(&self->r, self->p[0], POLLIN | POLLRDNORM, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLIN | POLLRDNORM, cqe.res);
	EXPECT_EQ(poll_revents(self->p[0], POLLIN | POLLRDNORM), cqe.res);
}

/* POLLOUT on a pipe's write end with room completes at once. */
TEST_F_TIMEOUT(pt, pollout_pipe_room, 10)
{
	struct io_uring_cqe cqe;

	q_poll_add(&self->r, self->p[1], POLLOUT, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(POLLOUT, cqe.res);
	EXPECT_EQ(poll_revents(self->p[1], POLLOUT), cqe.res);
}

/* POLLIN on a pipe whose writer closes completes with POLLHUP. */
TEST_F_TIMEOUT(pt, pipe_writer_closes_hup, 10)
{
	struct io_uring_cqe cqe;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	close(self->p[1]);
	self->p[1] = -1;
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_TRUE(cqe.res & POLLHUP);
	EXPECT_EQ(poll_revents(self->p[0], POLLIN), cqe.res);
}

/*
 * A regular file (no ->poll) completes at once with DEFAULT_POLLMASK's
 * share of the events; none of them: -EINVAL (__io_arm_poll_handler()).
 */
TEST_F_TIMEOUT(pt, regular_file, 10)
{
	int fd = tmp_file();

	ASSERT_LE(0, fd);
	q_poll_add(&self->r, fd, POLLIN | POLLOUT, 0, 1);
	EXPECT_EQ(POLLIN | POLLOUT, one(&self->r));
	EXPECT_EQ(poll_revents(fd, POLLIN | POLLOUT), POLLIN | POLLOUT);
	q_poll_add(&self->r, fd, POLLIN, 0, 2);
	EXPECT_EQ(POLLIN, one(&self->r));
	q_poll_add(&self->r, fd, POLLPRI, 0, 3);
	EXPECT_EQ(-EINVAL, one(&self->r));
	close(fd);
}

/* POLLIN on an eventfd parks until the counter is written. */
TEST_F_TIMEOUT(pt, eventfd_readable, 10)
{
	struct io_uring_cqe cqe;
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	q_poll_add(&self->r, efd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(0, eventfd_write(efd, 3));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLIN, cqe.res);
	close(efd);
}

/*
 * A reader also hears the peer's shutdown: POLLIN on a socket whose peer
 * does SHUT_WR completes with POLLIN|POLLRDHUP (io_poll_unmask()).
 */
TEST_F_TIMEOUT(pt, socket_peer_shutdown_rdhup, 10)
{
	struct io_uring_cqe cqe;
	int s[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	q_poll_add(&self->r, s[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(0, shutdown(s[1], SHUT_WR));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLIN | POLLRDHUP, cqe.res);
	close(s[0]);
	close(s[1]);
}

/*
 * A POLLOUT poll does not hear POLLRDHUP (io_poll_unmask() of 6.12): it
 * stays armed through the peer's SHUT_WR, and completes once there is room.
 */
TEST_F_TIMEOUT(pt, pollout_ignores_rdhup, 10)
{
	static char chunk[65536];
	struct io_uring_cqe cqe;
	int s[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	ASSERT_EQ(0, set_nonblock(s[0], true));
	while (send(s[0], chunk, sizeof(chunk), 0) > 0)
		;
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, poll_revents(s[0], POLLOUT));

	q_poll_add(&self->r, s[0], POLLOUT, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(0, shutdown(s[1], SHUT_WR));
	EXPECT_EQ(0, cqes_within(&self->r, 200)) {
		ring_pop_cqe(&self->r, &cqe);
		TH_LOG("completed on the peer's SHUT_WR with %#x", cqe.res);
		return;
	}
	ASSERT_EQ(0, set_nonblock(s[1], true));
	while (recv(s[1], chunk, sizeof(chunk), 0) > 0)
		;
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLOUT, cqe.res);
	close(s[0]);
	close(s[1]);
}

/* A one-shot poll with IOSQE_CQE_SKIP_SUCCESS posts no CQE; cancelled, it does. */
TEST_F_TIMEOUT(pt, oneshot_skip_success, 10)
{
	struct cqes cs;

	ASSERT_EQ(1, write(self->p[1], "a", 1));
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1)->flags =
		IOSQE_CQE_SKIP_SUCCESS;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));

	q_poll_add(&self->r, self->q[0], POLLIN, 0, 3)->flags =
		IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 3, 0, -1, 4);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(0, res_of(&cs, 4));
}

/*
 * Multishot: each of 3 writes (drained between) gives a CQE with
 * IORING_CQE_F_MORE; POLL_REMOVE ends it with -ECANCELED, without F_MORE.
 */
TEST_F_TIMEOUT(pt, multishot_three_events, 10)
{
	struct io_uring_cqe cqe;
	struct cqes cs;
	int i;

	q_poll_add(&self->r, self->p[0], POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, write(self->p[1], "x", 1));
		ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000)) {
			TH_LOG("no CQE for event %d", i);
		}
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(1, cqe.user_data);
		EXPECT_EQ(POLLIN, cqe.res);
		EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
		ASSERT_EQ(1, read(self->p[0], self->buf, sizeof(self->buf)));
		EXPECT_EQ(0, cqes_within(&self->r, 50));
	}
	q_poll_remove(&self->r, 1, 0, 0, 0, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * Multishot and a hangup: the writer's close gives a POLLHUP CQE with
 * F_MORE, and the poll stays armed until removed.
 */
TEST_F_TIMEOUT(pt, multishot_hup_stays_armed, 10)
{
	struct io_uring_cqe cqe;
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	close(self->p[1]);
	self->p[1] = -1;
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLHUP, cqe.res);
	EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, 0, 0, 0, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
}

/*
 * A drain behind a multishot poll waits for its last CQE: the F_MORE
 * CQEs do not count as completions (io_uring's cq_extra).
 */
TEST_F_TIMEOUT(pt, drain_waits_for_multishot, 10)
{
	struct io_uring_cqe cqe;
	int i;

	q_poll_add(&self->r, self->p[0], POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ring_queue_nop(&self->r, 2)->flags = IOSQE_IO_DRAIN;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(1, write(self->p[1], "x", 1));
		ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(1, cqe.user_data);
		EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
		ASSERT_EQ(1, read(self->p[0], self->buf, 1));
	}
	EXPECT_EQ(0, cqes_within(&self->r, 100)) {
		ring_pop_cqe(&self->r, &cqe);
		TH_LOG("CQE %llu (%d) came out", cqe.user_data, cqe.res);
	}
}

/*
 * Multishot is edge-triggered: ready at arming, one CQE, then nothing
 * until the next write.
 */
TEST_F_TIMEOUT(pt, multishot_edge_triggered, 10)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(1, write(self->p[1], "x", 1));
	q_poll_add(&self->r, self->p[0], POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLIN, cqe.res);
	EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
	EXPECT_EQ(0, cqes_within(&self->r, 150));
	ASSERT_EQ(1, write(self->p[1], "y", 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLIN, cqe.res);
	EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * EPOLLONESHOT in poll32_events makes a multishot poll one-shot: one CQE,
 * without F_MORE (io_poll_parse_events() keeps EPOLLONESHOT).
 */
TEST_F_TIMEOUT(pt, multishot_user_oneshot, 10)
{
	struct io_uring_cqe cqe;

	q_poll_add(&self->r, self->p[0], POLLIN | EPOLLONESHOT,
		   IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(POLLIN, cqe.res);
	EXPECT_EQ(0, cqe.flags);
	ASSERT_EQ(1, read(self->p[0], self->buf, 1));
	ASSERT_EQ(1, write(self->p[1], "y", 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, 0, 0, 0, 2);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/*
 * EPOLLEXCLUSIVE in poll32_events: two such polls on one pipe, a write
 * wakes one of them (add_wait_queue_exclusive() in __io_queue_proc()).
 */
TEST_F_TIMEOUT(pt, exclusive_wakes_one, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN | EPOLLEXCLUSIVE, 0, 1);
	q_poll_add(&self->r, self->p[0], POLLIN | EPOLLEXCLUSIVE, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_LE(1, wait_cqes(&self->r, 1, 2000));
	EXPECT_EQ(1, wait_cqes(&self->r, 2, 200));
	reap(&self->r, 0, &cs);
	EXPECT_EQ(1, cs.n);
	EXPECT_EQ(POLLIN, cs.c[0].res);
	/* The other one takes the next event. */
	ASSERT_EQ(1, read(self->p[0], self->buf, 1));
	ASSERT_EQ(1, write(self->p[1], "y", 1));
	if (cs.n == 1) {
		ASSERT_EQ(1, reap(&self->r, 1, &cs));
		EXPECT_EQ(POLLIN, cs.c[0].res);
	}
}

/* Multishot with IOSQE_CQE_SKIP_SUCCESS is -EINVAL. */
TEST_F(pt, multishot_skip_success_einval)
{
	q_poll_add(&self->r, self->p[0], POLLIN, IORING_POLL_ADD_MULTI,
		   1)->flags = IOSQE_CQE_SKIP_SUCCESS;
	EXPECT_EQ(-EINVAL, one(&self->r));
}

/* len flags other than IORING_POLL_ADD_MULTI are -EINVAL (LEVEL too). */
TEST_F(pt, add_bad_flags)
{
	static const uint32_t bad[] = {
		IORING_POLL_UPDATE_EVENTS, IORING_POLL_UPDATE_USER_DATA,
		IORING_POLL_ADD_LEVEL,
		IORING_POLL_ADD_MULTI | IORING_POLL_ADD_LEVEL,
		IORING_POLL_ADD_MULTI | IORING_POLL_UPDATE_EVENTS,
		1U << 4, 1U << 31,
	};
	unsigned int i;

	/* Ready: a poll that wrongly went ahead completes at once. */
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		q_poll_add(&self->r, self->p[0], POLLIN, bad[i], 1);
		EXPECT_EQ(-EINVAL, one(&self->r)) {
			TH_LOG("len %#x", bad[i]);
		}
	}
}

/* addr, off or buf_index set is -EINVAL. */
TEST_F(pt, add_bad_fields)
{
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1)->addr = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 2)->off = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 3)->buf_index = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	/* The same SQE without them is fine. */
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 4);
	EXPECT_EQ(POLLIN, one(&self->r));
}

/* An fd that is not open is -EBADF. */
TEST_F(pt, add_bad_fd)
{
	int fd = dup(self->p[0]);

	ASSERT_LE(0, fd);
	close(fd);
	q_poll_add(&self->r, -1, POLLIN, 0, 1);
	EXPECT_EQ(-EBADF, one(&self->r));
	q_poll_add(&self->r, fd, POLLIN, 0, 2);
	EXPECT_EQ(-EBADF, one(&self->r));
	q_poll_add(&self->r, fd, POLLIN, IORING_POLL_ADD_MULTI, 3);
	EXPECT_EQ(-EBADF, one(&self->r));
}

/*
 * A POLL_ADD heads a link: its events (res > 0) let the NOP run; its
 * cancellation cancels the NOP.
 */
TEST_F_TIMEOUT(pt, poll_add_link_head, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(POLLIN, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));

	q_poll_add(&self->r, self->q[0], POLLIN, 0, 3)->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 4);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 3, 0, 0, 0, 5);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 4));
	EXPECT_EQ(0, res_of(&cs, 5));
}

/* POLL_REMOVE of a user_data no poll has is -ENOENT. */
TEST_F(pt, remove_unknown)
{
	q_poll_remove(&self->r, 12345, 0, 0, 0, 1);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/* POLL_REMOVE of a one-shot poll: it completes -ECANCELED, the remove 0. */
TEST_F_TIMEOUT(pt, remove_oneshot, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, 0, 0, 0, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	/* Gone: a write posts nothing, a second remove finds nothing. */
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, 0, 0, 0, 3);
	EXPECT_EQ(-ENOENT, one(&self->r));
}

/*
 * In one submission with their target: a POLL_REMOVE finds a POLL_ADD
 * just armed, an ASYNC_CANCEL a READ just parked.
 */
TEST_F_TIMEOUT(pt, remove_and_cancel_same_submit, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	q_poll_remove(&self->r, 1, 0, 0, 0, 2);
	q_read(&self->r, self->q[0], self->buf, sizeof(self->buf), 3);
	q_cancel(&self->r, 3, 0, -1, 4);
	ASSERT_EQ(4, submit(&self->r, 4));
	ASSERT_EQ(4, reap(&self->r, 4, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(0, res_of(&cs, 4));
}

/* POLL_REMOVE finds POLL_ADDs only: a parked READ's user_data is -ENOENT. */
TEST_F_TIMEOUT(pt, remove_not_a_poll, 10)
{
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, 0, 0, 0, 2);
	EXPECT_EQ(-ENOENT, one(&self->r));
	ASSERT_EQ(0, cqes_within(&self->r, 50));
	ASSERT_EQ(2, write(self->p[1], "hi", 2));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(2, res_of(&cs, 1));
}

/*
 * POLL_REMOVE preparation errors (io_poll_remove_prep()): IORING_POLL_ADD_MULTI
 * alone, off without UPDATE_USER_DATA, poll32_events without UPDATE_EVENTS,
 * unknown len bits, buf_index, splice_fd_in. The poll stays armed.
 */
TEST_F_TIMEOUT(pt, remove_prep_errors, 10)
{
	struct io_uring_sqe *sqe;
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));

	q_poll_remove(&self->r, 1, IORING_POLL_ADD_MULTI, 0, 0, 2);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_remove(&self->r, 1, 0, 5, 0, 3);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_remove(&self->r, 1, IORING_POLL_UPDATE_EVENTS, 5, POLLIN, 4);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_remove(&self->r, 1, 0, 0, POLLIN, 5);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_remove(&self->r, 1, IORING_POLL_UPDATE_USER_DATA, 9, POLLIN, 6);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_remove(&self->r, 1, IORING_POLL_ADD_LEVEL, 0, 0, 7);
	EXPECT_EQ(-EINVAL, one(&self->r));
	q_poll_remove(&self->r, 1, 1U << 4, 0, 0, 8);
	EXPECT_EQ(-EINVAL, one(&self->r));
	sqe = q_poll_remove(&self->r, 1, 0, 0, 0, 9);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	sqe = q_poll_remove(&self->r, 1, 0, 0, 0, 10);
	sqe->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));

	/* None of them touched the poll. */
	ASSERT_EQ(0, cqes_within(&self->r, 50));
	q_poll_remove(&self->r, 1, 0, 0, 0, 11);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 11));
}

/*
 * IORING_POLL_UPDATE_USER_DATA: the poll goes on under the new user_data;
 * the old one is not found any more.
 */
TEST_F_TIMEOUT(pt, update_user_data, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, IORING_POLL_UPDATE_USER_DATA, 2, 0, 10);
	EXPECT_EQ(0, one(&self->r));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, 0, 0, 0, 11);
	EXPECT_EQ(-ENOENT, one(&self->r));

	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(POLLIN, res_of(&cs, 2));
	EXPECT_EQ(0, flags_of(&cs, 2));
}

/*
 * IORING_POLL_UPDATE_EVENTS: a POLLIN poll on an eventfd (not readable)
 * updated to POLLOUT (writable) completes with POLLOUT.
 */
TEST_F_TIMEOUT(pt, update_events, 10)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct cqes cs;

	ASSERT_LE(0, efd);
	q_poll_add(&self->r, efd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, IORING_POLL_UPDATE_EVENTS, 0, POLLOUT, 10);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 10));
	EXPECT_EQ(POLLOUT, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	close(efd);
}

/* Both updates at once on a multishot poll: it goes on, with F_MORE. */
TEST_F_TIMEOUT(pt, update_both_multishot, 10)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct cqes cs;

	ASSERT_LE(0, efd);
	q_poll_add(&self->r, efd, POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_poll_remove(&self->r, 1, IORING_POLL_UPDATE_EVENTS |
		      IORING_POLL_UPDATE_USER_DATA, 2, POLLOUT, 10);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 10));
	EXPECT_EQ(POLLOUT, res_of(&cs, 2));
	EXPECT_EQ(IORING_CQE_F_MORE, flags_of(&cs, 2));
	/* Still armed: the remove ends it. */
	q_poll_remove(&self->r, 2, 0, 0, 0, 11);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 11));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, flags_of(&cs, 2));
	close(efd);
}

/* ASYNC_CANCEL of a parked pipe READ: it completes -ECANCELED, the cancel 0. */
TEST_F_TIMEOUT(pt, cancel_parked_read, 10)
{
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 1, 0, -1, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, res_of(&cs, 2));
	/* It took nothing: the data stays in the pipe. */
	ASSERT_EQ(2, write(self->p[1], "hi", 2));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
	EXPECT_EQ(2, read(self->p[0], self->buf, sizeof(self->buf)));
}

/* ASYNC_CANCEL of a parked WRITE (full pipe) and of a POLL_ADD by user_data. */
TEST_F_TIMEOUT(pt, cancel_parked_write_and_poll, 10)
{
	struct cqes cs;

	ASSERT_EQ(0, fill_pipe(self->q[1]));
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->q[1], "abc", 3, 0, 1);
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 1, 0, -1, 3);
	q_cancel(&self->r, 2, 0, -1, 4);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(4, reap(&self->r, 4, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, res_of(&cs, 3));
	EXPECT_EQ(0, res_of(&cs, 4));
}

/* ASYNC_CANCEL of a user_data nothing has is -ENOENT; with ALL or ANY, 0. */
TEST_F(pt, cancel_unknown)
{
	q_cancel(&self->r, 777, 0, -1, 1);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_cancel(&self->r, 777, IORING_ASYNC_CANCEL_USERDATA, -1, 2);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_cancel(&self->r, 777, IORING_ASYNC_CANCEL_ALL, -1, 3);
	EXPECT_EQ(0, one(&self->r));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, -1, 4);
	EXPECT_EQ(0, one(&self->r));
}

/*
 * Three READs parked with one user_data: a plain cancel takes one (0), then
 * IORING_ASYNC_CANCEL_ALL the other two (2); three more: ALL returns 3.
 */
TEST_F_TIMEOUT(pt, cancel_all_same_user_data, 10)
{
	static char bufs[6][8];
	int pp[3][2], i;
	struct cqes cs;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pipe(pp[i]));
	for (i = 0; i < 3; i++)
		q_read(&self->r, pp[i][0], bufs[i], sizeof(bufs[i]), 5);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(0, cqes_within(&self->r, 100));

	q_cancel(&self->r, 5, 0, -1, 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 5));
	EXPECT_EQ(0, cqes_within(&self->r, 50));

	q_cancel(&self->r, 5, IORING_ASYNC_CANCEL_ALL, -1, 10);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 10));
	EXPECT_EQ(2, count_of(&cs, 5));

	for (i = 0; i < 3; i++)
		q_read(&self->r, pp[i][0], bufs[3 + i], sizeof(bufs[i]), 5);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 5, IORING_ASYNC_CANCEL_ALL, -1, 11);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(4, reap(&self->r, 4, &cs));
	EXPECT_EQ(3, res_of(&cs, 11));
	EXPECT_EQ(3, count_of(&cs, 5));
	for (i = 0; i < cs.n; i++)
		if (cs.c[i].user_data == 5)
			EXPECT_EQ(-ECANCELED, cs.c[i].res);
	for (i = 0; i < 3; i++) {
		close(pp[i][0]);
		close(pp[i][1]);
	}
}

/*
 * IORING_ASYNC_CANCEL_ANY cancels everything parked (READ, WRITE, one-shot
 * and multishot POLL_ADD) and returns the count; then 0.
 */
TEST_F_TIMEOUT(pt, cancel_any, 10)
{
	int efd = eventfd(0, EFD_CLOEXEC), pp[2];
	struct cqes cs;
	int i;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, pipe(pp));
	ASSERT_EQ(0, fill_pipe(self->q[1]));
	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 1);
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->q[1], "abc", 3, 0, 2);
	q_poll_add(&self->r, efd, POLLIN, 0, 3);
	q_poll_add(&self->r, pp[0], POLLIN, IORING_POLL_ADD_MULTI, 4);
	ASSERT_EQ(4, submit(&self->r, 4));
	ASSERT_EQ(0, cqes_within(&self->r, 100));

	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, -1, 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(5, reap(&self->r, 5, &cs));
	EXPECT_EQ(4, res_of(&cs, 9));
	for (i = 1; i <= 4; i++) {
		EXPECT_EQ(-ECANCELED, res_of(&cs, i)) {
			TH_LOG("user_data %d", i);
		}
		EXPECT_EQ(0, flags_of(&cs, i));
	}
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, -1, 10);
	EXPECT_EQ(0, one(&self->r));
	close(efd);
	close(pp[0]);
	close(pp[1]);
}

/*
 * IORING_ASYNC_CANCEL_FD cancels a request on that file only (0); with
 * ALL, every one there (the count). The other pipe's READ stays parked.
 */
TEST_F_TIMEOUT(pt, cancel_fd, 10)
{
	char b1[8], b2[8], b3[8];
	struct cqes cs;

	q_read(&self->r, self->p[0], b1, sizeof(b1), 1);
	q_read(&self->r, self->q[0], b2, sizeof(b2), 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD, self->p[0], 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(0, cqes_within(&self->r, 50));

	/* Nothing left on p[0]: -ENOENT, or 0 with ALL. */
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD, self->p[0], 10);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL,
		 self->p[0], 11);
	EXPECT_EQ(0, one(&self->r));

	/* A READ and a POLL_ADD on p[0]: ALL cancels both. */
	q_read(&self->r, self->p[0], b3, sizeof(b3), 3);
	q_poll_add(&self->r, self->p[0], POLLIN, 0, 4);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL,
		 self->p[0], 12);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 12));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 3));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 4));

	/* q[0]'s READ was parked all along. */
	ASSERT_EQ(0, cqes_within(&self->r, 50));
	ASSERT_EQ(2, write(self->q[1], "ok", 2));
	ASSERT_EQ(1, reap(&self->r, 1, &cs));
	EXPECT_EQ(2, res_of(&cs, 2));
	EXPECT_EQ(0, memcmp(b2, "ok", 2));
}

/* IORING_ASYNC_CANCEL_FD | _USERDATA: both must match. */
TEST_F_TIMEOUT(pt, cancel_fd_and_user_data, 10)
{
	char b1[8], b2[8], b3[8];
	struct cqes cs;

	q_read(&self->r, self->p[0], b1, sizeof(b1), 1);
	q_read(&self->r, self->p[0], b2, sizeof(b2), 2);
	q_read(&self->r, self->q[0], b3, sizeof(b3), 2);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 2, IORING_ASYNC_CANCEL_FD |
		 IORING_ASYNC_CANCEL_USERDATA | IORING_ASYNC_CANCEL_ALL,
		 self->p[0], 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(1, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 50));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, -1, 10);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 10));
}

/*
 * IORING_ASYNC_CANCEL_OP: opcode POLL_ADD with ALL cancels the polls and
 * leaves the parked READs; opcode READ without ALL cancels one READ.
 */
TEST_F_TIMEOUT(pt, cancel_op, 10)
{
	char b1[8], b2[8];
	struct io_uring_sqe *sqe;
	struct cqes cs;
	uint64_t left;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	q_poll_add(&self->r, self->q[0], POLLIN, IORING_POLL_ADD_MULTI, 2);
	q_read(&self->r, self->p[0], b1, sizeof(b1), 3);
	q_read(&self->r, self->q[0], b2, sizeof(b2), 4);
	ASSERT_EQ(4, submit(&self->r, 4));
	ASSERT_EQ(0, cqes_within(&self->r, 100));

	sqe = q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_OP |
		       IORING_ASYNC_CANCEL_ALL, -1, 9);
	sqe->len = IORING_OP_POLL_ADD;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, reap(&self->r, 3, &cs));
	EXPECT_EQ(2, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 2));
	EXPECT_EQ(0, cqes_within(&self->r, 50));

	sqe = q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_OP, -1, 10);
	sqe->len = IORING_OP_READ;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 10));
	EXPECT_EQ(1, count_of(&cs, 3) + count_of(&cs, 4));
	EXPECT_EQ(0, cqes_within(&self->r, 50));

	left = cqe_of(&cs, 3) ? 4 : 3;

	/* No POLL_ADD left; OP with USERDATA: the READ of that user_data. */
	sqe = q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_OP, -1, 11);
	sqe->len = IORING_OP_POLL_ADD;
	EXPECT_EQ(-ENOENT, one(&self->r));
	sqe = q_cancel(&self->r, left, IORING_ASYNC_CANCEL_OP |
		       IORING_ASYNC_CANCEL_USERDATA, -1, 12);
	sqe->len = IORING_OP_READ;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 12));
	EXPECT_EQ(-ECANCELED, res_of(&cs, left));
}

/*
 * IORING_ASYNC_CANCEL_OP takes the opcode from len as a u8 (struct
 * io_cancel's opcode): len 0x100 | POLL_ADD matches POLL_ADDs.
 */
TEST_F_TIMEOUT(pt, cancel_op_len_is_u8, 10)
{
	struct io_uring_sqe *sqe;
	struct cqes cs;

	q_poll_add(&self->r, self->p[0], POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	sqe = q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_OP |
		       IORING_ASYNC_CANCEL_ALL, -1, 9);
	sqe->len = 0x100 | IORING_OP_POLL_ADD;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(1, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, -1, 10);
	submit(&self->r, 1);
	reap(&self->r, 2, &cs);
}

/*
 * ASYNC_CANCEL preparation errors (io_async_cancel_prep()): FD or OP with
 * ANY, unknown flags, off or splice_fd_in set. The READ stays parked.
 */
TEST_F_TIMEOUT(pt, cancel_prep_errors, 10)
{
	static const uint32_t bad[] = {
		IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY,
		IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_ANY,
		IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP |
			IORING_ASYNC_CANCEL_ANY,
		1U << 6, 1U << 31, IORING_ASYNC_CANCEL_ALL | 1U << 7,
	};
	struct io_uring_sqe *sqe;
	struct cqes cs;
	unsigned int i;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		q_cancel(&self->r, 1, bad[i], self->p[0], 10 + i);
		EXPECT_EQ(-EINVAL, one(&self->r)) {
			TH_LOG("cancel_flags %#x", bad[i]);
		}
	}
	sqe = q_cancel(&self->r, 1, 0, -1, 20);
	sqe->off = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));
	sqe = q_cancel(&self->r, 1, 0, -1, 21);
	sqe->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, one(&self->r));

	ASSERT_EQ(0, cqes_within(&self->r, 50));
	q_cancel(&self->r, 1, 0, -1, 22);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 22));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
}

/* IORING_ASYNC_CANCEL_FD with _FD_FIXED: no file is registered, -EBADF. */
TEST_F_TIMEOUT(pt, cancel_fd_fixed, 10)
{
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 1, IORING_ASYNC_CANCEL_FD |
		 IORING_ASYNC_CANCEL_FD_FIXED, 0, 9);
	EXPECT_EQ(-EBADF, one(&self->r));
	q_cancel(&self->r, 1, IORING_ASYNC_CANCEL_FD |
		 IORING_ASYNC_CANCEL_FD_FIXED | IORING_ASYNC_CANCEL_ALL, 0, 10);
	EXPECT_EQ(-EBADF, one(&self->r));
	ASSERT_EQ(0, cqes_within(&self->r, 50));
	q_cancel(&self->r, 1, 0, -1, 11);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
}

/*
 * _FD_FIXED without _FD means nothing (io_async_cancel() only looks at it
 * with _FD): the cancel goes by user_data.
 */
TEST_F_TIMEOUT(pt, cancel_fd_fixed_without_fd, 10)
{
	struct cqes cs;

	q_read(&self->r, self->p[0], self->buf, sizeof(self->buf), 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 1, IORING_ASYNC_CANCEL_FD_FIXED, -1, 9);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 9));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_ANY, -1, 10);
	submit(&self->r, 1);
	reap(&self->r, 2, &cs);
}

/* IORING_ASYNC_CANCEL_FD with an fd that is not open is -EBADF. */
TEST_F(pt, cancel_fd_bad_fd)
{
	int fd = dup(self->p[0]);

	ASSERT_LE(0, fd);
	close(fd);
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD, -1, 1);
	EXPECT_EQ(-EBADF, one(&self->r));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL,
		 fd, 2);
	EXPECT_EQ(-EBADF, one(&self->r));
}

/*
 * IORING_ASYNC_CANCEL_FD naming the ring's own fd: a file nothing waits on,
 * -ENOENT (0 with ALL).
 */
TEST_F(pt, cancel_fd_ring_fd)
{
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD, self->r.fd, 1);
	EXPECT_EQ(-ENOENT, one(&self->r));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL,
		 self->r.fd, 2);
	EXPECT_EQ(0, one(&self->r));
}

/*
 * A cancelled READ's chain: [READ, IO_LINK NOP] gives -ECANCELED twice;
 * with IO_HARDLINK the NOP still runs (0). The NOP, not parked, is not
 * found by a cancel (-ENOENT).
 */
TEST_F_TIMEOUT(pt, cancel_link_chain, 10)
{
	static const uint8_t links[] = { IOSQE_IO_LINK, IOSQE_IO_HARDLINK };
	struct cqes cs;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		q_read(&self->r, self->p[0], self->buf, sizeof(self->buf),
		       1)->flags = links[i];
		ring_queue_nop(&self->r, 2);
		ASSERT_EQ(2, submit(&self->r, 2));
		ASSERT_EQ(0, cqes_within(&self->r, 100));
		q_cancel(&self->r, 2, 0, -1, 8);
		EXPECT_EQ(-ENOENT, one(&self->r));
		q_cancel(&self->r, 1, 0, -1, 9);
		ASSERT_EQ(1, submit(&self->r, 1));
		ASSERT_EQ(3, reap(&self->r, 3, &cs));
		EXPECT_EQ(0, res_of(&cs, 9));
		EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
		EXPECT_EQ(i ? 0 : -ECANCELED, res_of(&cs, 2)) {
			TH_LOG("%s", i ? "IO_HARDLINK" : "IO_LINK");
		}
	}
}

/* A parked one-shot and multishot POLL_ADD and two parked READs. */
static int park_some(struct ring *r, int p0, int q0, char *buf)
{
	q_poll_add(r, p0, POLLIN, IORING_POLL_ADD_MULTI, 1);
	q_poll_add(r, q0, POLLIN, 0, 2);
	q_read(r, p0, buf, 8, 3);
	q_read(r, q0, buf + 8, 8, 4);
	if (submit(r, 4) != 4)
		return -1;
	return cqes_within(r, 100) ? -1 : 0;
}

/*
 * Closing a ring with a multishot POLL_ADD and parked READs: the module
 * reference goes, the READs take no data.
 */
TEST_F_TIMEOUT(pt, close_with_polls_parked, 10)
{
	int base;

	EMU_ONLY();
	/* The baseline without the fixture's ring; then a ring of our own. */
	ring_drop(&self->r);
	EMU_REFCNT_OR_SKIP(base);
	ASSERT_EQ(0, ring_init(&self->r, 8, NULL));
	ASSERT_EQ(0, park_some(&self->r, self->p[0], self->q[0], self->buf));
	EXPECT_LT(base, emu_refcnt());
	ring_drop(&self->r);
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));

	ASSERT_EQ(2, write(self->p[1], "ab", 2));
	ASSERT_EQ(2, write(self->q[1], "cd", 2));
	ASSERT_EQ(0, set_nonblock(self->p[0], true));
	ASSERT_EQ(0, set_nonblock(self->q[0], true));
	EXPECT_EQ(2, read(self->p[0], self->buf, sizeof(self->buf)));
	EXPECT_EQ(2, read(self->q[0], self->buf, sizeof(self->buf)));
}

/* A process that exits with those parked: the module reference goes. */
TEST_F_TIMEOUT(pt, exit_with_polls_parked, 10)
{
	int base, status;
	pid_t pid;

	EMU_ONLY();
	ring_drop(&self->r);
	EMU_REFCNT_OR_SKIP(base);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char buf[16];
		struct ring r;

		alarm(3);
		if (ring_init(&r, 8, NULL))
			_exit(2);
		_exit(park_some(&r, self->p[0], self->q[0], buf) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
}

/* A ring in the fixture's stead: @r2 is set up, and closed in the test. */
#define T_RING2(r2) T_RING_INIT_OR_SKIP(r2, 8)

/*
 * POLL_ADD of another ring's fd, as event loops nest rings: POLLIN once
 * that ring has a CQE.
 */
TEST_F_TIMEOUT(pt, poll_other_ring, 10)
{
	struct io_uring_cqe cqe;
	struct ring b;

	T_RING2(&b);
	q_poll_add(&self->r, b.fd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ring_queue_nop(&b, 7);
	ASSERT_EQ(1, submit(&b, 1));
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(POLLIN, cqe.res);
	ring_exit(&b);
}

/* POLL_ADD of the ring's own fd: its next CQE (a NOP's) completes it. */
TEST_F_TIMEOUT(pt, poll_own_ring, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->r.fd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(POLLIN, res_of(&cs, 1));
}

/*
 * A multishot POLL_ADD of the ring's own fd would feed itself (each CQE
 * an event for the next): as io_uring, a ring's wakeup makes it one-shot,
 * and its CQE comes without IORING_CQE_F_MORE.
 */
TEST_F_TIMEOUT(pt, multishot_own_ring_is_oneshot, 10)
{
	struct cqes cs;

	q_poll_add(&self->r, self->r.fd, POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(POLLIN, res_of(&cs, 1));
	EXPECT_EQ(0, flags_of(&cs, 1));
	EXPECT_EQ(0, cqes_within(&self->r, 100));
}

/*
 * Closing a ring that polls itself, and two rings that poll each other:
 * the polls hold no ring alive, and the module's references come back.
 */
TEST_F_TIMEOUT(pt, close_ring_polls_cycle, 10)
{
	struct ring a, b;
	int base;

	EMU_ONLY();
	ring_drop(&self->r);
	EMU_REFCNT_OR_SKIP(base);

	ASSERT_EQ(0, ring_init(&a, 8, NULL));
	q_poll_add(&a, a.fd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&a, 1));
	ring_exit(&a);
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));

	ASSERT_EQ(0, ring_init(&a, 8, NULL));
	ASSERT_EQ(0, ring_init(&b, 8, NULL));
	q_poll_add(&a, b.fd, POLLIN, IORING_POLL_ADD_MULTI, 1);
	ASSERT_EQ(1, submit(&a, 1));
	q_poll_add(&b, a.fd, POLLIN, 0, 2);
	ASSERT_EQ(1, submit(&b, 1));
	ring_exit(&a);
	ring_exit(&b);
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
}

/*
 * The ring a POLL_ADD polls is closed: the poll ends with -ECANCELED
 * (io_uring holds that ring's file, and would wait on).
 */
TEST_F_TIMEOUT(pt, polled_ring_closed, 10)
{
	struct io_uring_cqe cqe;
	struct ring b;

	EMU_ONLY();
	ASSERT_EQ(0, ring_init(&b, 8, NULL));
	q_poll_add(&self->r, b.fd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	ring_exit(&b);
	ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(-ECANCELED, cqe.res);
}

/*
 * IORING_ASYNC_CANCEL_FD naming another ring's fd finds a POLL_ADD of that
 * ring (0), which ends with -ECANCELED.
 */
TEST_F_TIMEOUT(pt, cancel_fd_polled_ring, 10)
{
	struct cqes cs;
	struct ring b;

	T_RING2(&b);
	q_poll_add(&self->r, b.fd, POLLIN, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(0, cqes_within(&self->r, 100));
	q_cancel(&self->r, 0, IORING_ASYNC_CANCEL_FD, b.fd, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, reap(&self->r, 2, &cs));
	EXPECT_EQ(0, res_of(&cs, 2));
	EXPECT_EQ(-ECANCELED, res_of(&cs, 1));
	ring_exit(&b);
}

/*
 * A cancel by the ring's own fd that waits in a chain behind a parked
 * READ: closing the ring frees it (the cancel holds no file of it), and
 * the module's references come back.
 */
TEST_F_TIMEOUT(pt, cancel_fd_own_ring_in_chain_closes, 10)
{
	struct ring a;
	int base;

	EMU_ONLY();
	ring_drop(&self->r);
	EMU_REFCNT_OR_SKIP(base);
	ASSERT_EQ(0, ring_init(&a, 8, NULL));
	q_read(&a, self->p[0], self->buf, sizeof(self->buf), 1)->flags =
		IOSQE_IO_LINK;
	q_cancel(&a, 0, IORING_ASYNC_CANCEL_FD, a.fd, 2);
	ASSERT_EQ(2, submit(&a, 2));
	ASSERT_EQ(0, cqes_within(&a, 100));
	EXPECT_LT(base, emu_refcnt());
	ring_exit(&a);
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
}

/*
 * A POLL_ADD of a ring that a worker arms (IOSQE_ASYNC) while that ring is
 * closed: each ends with -ECANCELED, and nothing joins the closed
 * ring's wait queue after its release woke it (the kernel log stays clean).
 */
TEST_F_TIMEOUT(pt, polled_ring_closed_while_arming, 30)
{
	struct io_uring_cqe cqe;
	unsigned int i;
	struct ring b;

	EMU_ONLY();
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, ring_init(&b, 8, NULL));
		q_poll_add(&self->r, b.fd, POLLIN, 0, i)->flags = IOSQE_ASYNC;
		ASSERT_EQ(1, submit(&self->r, 1));
		ring_exit(&b);
		ASSERT_EQ(1, wait_cqes(&self->r, 1, 2000));
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(-ECANCELED, cqe.res);
	}
}

/*
 * A POLL_ADD that a worker runs (IOSQE_ASYNC) cancelled at once: whether
 * the cancel finds it queued, parked (0) or running (-EALREADY), the poll
 * ends (-ECANCELED), and is not left parked.
 */
TEST_F_TIMEOUT(pt, async_poll_add_cancel_race, 60)
{
	unsigned int i, n;
	struct cqes cs;
	int res;

	for (i = 0; i < 300; i++) {
		q_poll_add(&self->r, self->p[0], POLLIN, 0, 1)->flags =
			IOSQE_ASYNC;
		q_cancel(&self->r, 1, 0, -1, 2);
		ASSERT_EQ(2, submit(&self->r, 2));
		n = reap(&self->r, 2, &cs);
		ASSERT_EQ(2, n) {
			TH_LOG("round %u: the POLL_ADD stayed parked", i);
		}
		res = res_of(&cs, 2);
		if (res != -EALREADY)
			ASSERT_EQ(0, res);
		ASSERT_EQ(-ECANCELED, res_of(&cs, 1));
	}
}

TEST_HARNESS_MAIN
