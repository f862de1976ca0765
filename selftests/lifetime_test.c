// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime of a ring: mappings that outlive the fd, fork, and the module
 * pinned while a ring is open or mapped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

static int try_unload(void)
{
	return syscall(SYS_delete_module, "emu_uring", O_NONBLOCK);
}

FIXTURE(ring) {
	struct ring r;
};

FIXTURE_SETUP(ring)
{
	self->r.fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
}

FIXTURE_TEARDOWN(ring)
{
	ring_exit(&self->r);
}

/* After close() the mapping stays valid, readable and writable. */
TEST_F(ring, close_with_mapping_alive)
{
	struct ring *r = &self->r;

	ASSERT_EQ(0, close(r->fd));
	r->fd = -1;
	EXPECT_EQ(7, *r->sq_mask);
	EXPECT_EQ(16, *r->cq_entries);
	r->sqes[7].user_data = 0x1234;
	EXPECT_EQ(0x1234, r->sqes[7].user_data);
	/* Pages not touched before close() fault in after it. */
	((volatile char *)r->rings)[r->rings_sz - 1] = 1;
	EXPECT_EQ(0, munmap(r->rings, r->rings_sz));
	EXPECT_EQ(0, munmap(r->sqes, r->sqes_sz));
	r->rings = NULL;
	r->sqes = NULL;
}

/* The module cannot be removed while a ring is open. */
TEST_F(ring, module_busy_while_open)
{
	if (geteuid())
		SKIP(return, "needs root to try delete_module");
	ASSERT_EQ(-1, try_unload());
	ASSERT_EQ(EWOULDBLOCK, errno);
}

/* Nor while a ring is only mapped, its fd closed. */
TEST_F(ring, module_busy_while_mapped)
{
	if (geteuid())
		SKIP(return, "needs root to try delete_module");
	ASSERT_EQ(0, close(self->r.fd));
	self->r.fd = -1;
	ASSERT_EQ(-1, try_unload());
	ASSERT_EQ(EWOULDBLOCK, errno);
}

/*
 * Across fork() the child shares the rings: it submits through its copy of
 * the mapping and fd, and the parent sees the CQE in its own mapping.
 */
TEST_F(ring, fork_shares_rings)
{
	struct ring *r = &self->r;
	struct io_uring_cqe cqe;
	int status;
	pid_t pid;

	/* Leave the SQE pages unfaulted so the child faults them itself. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!ring_queue_nop(r, 0xc41d))
			_exit(2);
		ring_flush(r);
		if (emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS) != 1)
			_exit(3);
		_exit(ring_cq_ready(r) == 1 ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(1, *r->sq_head);
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	EXPECT_EQ(0xc41d, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	/* The parent goes on using the ring after the child is gone. */
	r->sqe_tail = *r->sq_tail;
	ring_queue_nop(r, 0xfa7e);
	ring_flush(r);
	ASSERT_EQ(1, emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	EXPECT_EQ(0xfa7e, cqe.user_data);
}

/* A child that closes everything and exits leaves the parent's ring alone. */
TEST_F(ring, fork_child_exits)
{
	struct ring *r = &self->r;
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		ring_exit(r);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ring_queue_nop(r, 9);
	ring_flush(r);
	ASSERT_EQ(1, emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(1, ring_cq_ready(r));
}

/* Queue @n NOPs (user_data 0..n-1) without submitting them. */
static void prefill(struct ring *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ring_queue_nop(r, i);
	ring_flush(r);
}

static void *enter_loop(void *arg)
{
	struct ring *r = arg;
	intptr_t consumed = 0;
	int i, ret;

	/* Only the ioctl: this thread never touches the mapping. */
	for (i = 0; i < 4000; i++) {
		ret = emu_enter(r->fd, 1, 0, 0);
		if (ret < 0)
			return (void *)-1;
		consumed += ret;
	}
	return (void *)consumed;
}

/* The kernel's own CQ tail, from fdinfo: it does not need the mapping. */
static long fdinfo_cq_tail(int fd)
{
	char buf[2048], *p;
	long tail = -1;

	if (emu_fdinfo(fd, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nCqTail:");
	if (p)
		tail = strtol(p + 8, NULL, 10);
	return tail;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

enum { SWAP_MUNMAP, SWAP_REPLACE, SWAP_MPROTECT };

/*
 * What becomes of the rings' user mappings while the kernel writes CQEs:
 * unmapped; replaced by anonymous memory at the same addresses (which must
 * stay zero: the kernel writes its own pages, never through user
 * addresses); or made inaccessible.
 */
static int swap_out(struct ring *r, int mode)
{
	void *a, *b;

	switch (mode) {
	case SWAP_MUNMAP:
		if (munmap(r->rings, r->rings_sz) ||
		    munmap(r->sqes, r->sqes_sz))
			return -1;
		r->rings = NULL;
		r->sqes = NULL;
		return 0;
	case SWAP_REPLACE:
		a = mmap(r->rings, r->rings_sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		b = mmap(r->sqes, r->sqes_sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return a == r->rings && b == r->sqes ? 0 : -1;
	default:
		return mprotect(r->rings, r->rings_sz, PROT_NONE) ||
		       mprotect(r->sqes, r->sqes_sz, PROT_NONE);
	}
}

/*
 * Back to a ring mapping: the anonymous replacement, checked to be still
 * all zero (false if not), unmapped; then the rings mapped again.
 */
static bool swap_in(struct ring *r, int mode, int *ret)
{
	bool zero = true;

	*ret = 0;
	if (mode == SWAP_MPROTECT) {
		*ret = mprotect(r->rings, r->rings_sz,
				PROT_READ | PROT_WRITE) ||
		       mprotect(r->sqes, r->sqes_sz, PROT_READ | PROT_WRITE);
		return true;
	}
	if (mode == SWAP_REPLACE) {
		zero = all_zero(r->rings, r->rings_sz) &&
		       all_zero(r->sqes, r->sqes_sz);
		munmap(r->rings, r->rings_sz);
		munmap(r->sqes, r->sqes_sz);
	}
	*ret = ring_map(r);
	return zero;
}

struct enter_arg {
	int fd;
	unsigned int n;
	int ret;
	int done;
};

static void *enter_once(void *arg)
{
	struct enter_arg *a = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	a->ret = emu_enter(a->fd, a->n, 0, 0);
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

FIXTURE(munmap_during_enter) {
	struct ring r;
};

FIXTURE_VARIANT(munmap_during_enter) {
	int mode;
};

FIXTURE_VARIANT_ADD(munmap_during_enter, munmap) {
	.mode = SWAP_MUNMAP,
};

FIXTURE_VARIANT_ADD(munmap_during_enter, replace) {
	.mode = SWAP_REPLACE,
};

FIXTURE_VARIANT_ADD(munmap_during_enter, mprotect) {
	.mode = SWAP_MPROTECT,
};

FIXTURE_SETUP(munmap_during_enter)
{
	self->r.fd = -1;
	if (access(EMU_DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);
}

FIXTURE_TEARDOWN(munmap_during_enter)
{
	if (self->r.fd >= 0)
		ring_exit(&self->r);
}

#define SWAP_NOPS	32768

/*
 * One thread's ENTER posts 32768 NOP CQEs (flushed 32 at a time); once the
 * CQ tail shows it is halfway, another thread takes the rings' mappings
 * away. The kernel must be still posting after that (fdinfo's CQ tail,
 * read after the swap, below 32768), and go on writing into its own pages:
 * with the rings mapped again every CQE is there, in order, and the ring
 * keeps working; memory mapped at the old addresses meanwhile stays zero.
 * Rounds in which ENTER finished first do not count; 20 at most.
 */
TEST_F_TIMEOUT(munmap_during_enter, cqes_land_in_ring_pages, 300)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 2 * SWAP_NOPS,
	};
	struct ring *r = &self->r;
	unsigned int round, caught = 0, seen = 0;
	long after = -1;

	for (round = 0; round < 20 && !caught; round++) {
		struct enter_arg a = { .n = SWAP_NOPS };
		struct io_uring_cqe cqe;
		long long end;
		pthread_t t;
		bool zero;
		int ret;
		unsigned int i, bad = 0;

		ASSERT_EQ(0, ring_init(r, SWAP_NOPS, &p));
		ASSERT_EQ(SWAP_NOPS, r->p.sq_entries);
		for (i = 0; i < SWAP_NOPS; i++)
			ring_queue_nop(r, i);
		ring_flush(r);
		a.fd = r->fd;
		ASSERT_EQ(0, pthread_create(&t, NULL, enter_once, &a));
		/* Inside ENTER: some CQEs published, not all. */
		end = emu_now_ms() + 10000;
		while (!(seen = load_acquire(r->cq_tail)) &&
		       !__atomic_load_n(&a.done, __ATOMIC_ACQUIRE) &&
		       emu_now_ms() < end)
			;
		if (seen && seen < SWAP_NOPS) {
			ASSERT_EQ(0, swap_out(r, variant->mode));
			after = fdinfo_cq_tail(r->fd);
			if (!__atomic_load_n(&a.done, __ATOMIC_ACQUIRE) &&
			    after >= 0 && after < SWAP_NOPS)
				caught++;
		} else {
			ASSERT_EQ(0, swap_out(r, variant->mode));
		}
		ASSERT_EQ(0, pthread_join(t, NULL));
		EXPECT_EQ(SWAP_NOPS, a.ret);

		zero = swap_in(r, variant->mode, &ret);
		ASSERT_EQ(0, ret);
		EXPECT_TRUE(zero) {
			TH_LOG("the memory mapped at the rings' old addresses "
			       "was written to");
		}
		/* Every CQE in the ring's own pages, in order. */
		EXPECT_EQ(SWAP_NOPS, load_acquire(r->sq_head));
		ASSERT_EQ(SWAP_NOPS, ring_cq_ready(r));
		for (i = 0; i < SWAP_NOPS; i++) {
			if (ring_pop_cqe(r, &cqe) || cqe.user_data != i ||
			    cqe.res)
				bad++;
		}
		EXPECT_EQ(0, bad);
		/* And the ring goes on. */
		r->sqe_tail = *r->sq_tail;
		for (i = 0; i < 16; i++)
			ring_queue_nop(r, 1000000 + i);
		ring_flush(r);
		ASSERT_EQ(16, emu_enter(r->fd, 16, 16, IORING_ENTER_GETEVENTS));
		ASSERT_EQ(16, ring_cq_ready(r));
		for (i = 0; i < 16; i++) {
			ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
			EXPECT_EQ(1000000 + i, cqe.user_data);
		}
		ring_exit(r);
		r->fd = -1;
	}
	TH_LOG("%u round(s); the swap came with %u CQEs published, %ld after",
	       round, seen, after);
	ASSERT_EQ(1, caught) {
		TH_LOG("ENTER never still posting after the swap in %u rounds",
		       round);
	}
}

/*
 * Parked READs complete from the task-work executor (a kernel worker: no
 * task waits in ENTER) while the rings' user mappings are replaced by
 * anonymous memory: their CQEs go to the ring's pages, which the new
 * mapping of the ring shows; the anonymous memory stays zero.
 */
TEST_F_TIMEOUT(munmap_during_enter, executor_posts_while_unmapped, 30)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 512,
	};
	static char bufs[64][4];
	unsigned char seen[64] = {};
	struct ring *r = &self->r;
	struct io_uring_cqe cqe;
	int pipes[64][2], i, ret, bad = 0;
	long long end;
	long tail;
	bool zero;

	ASSERT_EQ(0, ring_init(r, 64, &p));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(0, pipe(pipes[i]));
		ring_queue_rw(r, IORING_OP_READ, pipes[i][0], bufs[i], 4, 0, i);
	}
	ring_flush(r);
	ASSERT_EQ(64, emu_enter(r->fd, 64, 0, 0));
	usleep(50000);
	ASSERT_EQ(0, ring_cq_ready(r));

	ASSERT_EQ(0, swap_out(r, variant->mode));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(1, write(pipes[i][1], "z", 1));
	end = emu_now_ms() + 5000;
	while ((tail = fdinfo_cq_tail(r->fd)) < 64 && emu_now_ms() < end)
		usleep(10000);
	EXPECT_EQ(64, tail);

	zero = swap_in(r, variant->mode, &ret);
	ASSERT_EQ(0, ret);
	EXPECT_TRUE(zero);
	ASSERT_EQ(64, ring_cq_ready(r));
	while (ring_pop_cqe(r, &cqe) == 0) {
		if (cqe.user_data >= 64 || seen[cqe.user_data]++ ||
		    cqe.res != 1 || bufs[cqe.user_data][0] != 'z')
			bad++;
	}
	EXPECT_EQ(0, bad);
	/* And the ring goes on. */
	r->sqe_tail = *r->sq_tail;
	ring_queue_nop(r, 100);
	ring_flush(r);
	ASSERT_EQ(1, emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	EXPECT_EQ(100, cqe.user_data);
	for (i = 0; i < 64; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}

/* Parent and child both enter the shared ring; each SQE is taken once. */
TEST(fork_both_enter)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 4096,
	};
	unsigned char seen[2048] = {};
	struct io_uring_cqe cqe;
	intptr_t mine, theirs;
	struct ring r;
	int pfd[2], status, dup_or_bad = 0, n = 0;
	pid_t pid;

	EMU_RING_INIT_OR_SKIP(&r, 2048, &p);
	prefill(&r, 2048);
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		theirs = (intptr_t)enter_loop(&r);
		_exit(write(pfd[1], &theirs, sizeof(theirs)) != sizeof(theirs));
	}
	mine = (intptr_t)enter_loop(&r);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(theirs), read(pfd[0], &theirs, sizeof(theirs)));
	ASSERT_LE(0, mine);
	ASSERT_LE(0, theirs);
	EXPECT_EQ(2048, mine + theirs);
	while (ring_pop_cqe(&r, &cqe) == 0) {
		if (cqe.user_data >= 2048 || seen[cqe.user_data]++)
			dup_or_bad++;
		n++;
	}
	EXPECT_EQ(2048, n);
	EXPECT_EQ(0, dup_or_bad);
	TH_LOG("parent consumed %ld, child %ld", (long)mine, (long)theirs);
	close(pfd[0]);
	close(pfd[1]);
	ring_exit(&r);
}

/*
 * A ring with a READ of an empty pipe queued: ENTER submits it, it parks,
 * and a GETEVENTS wait for it blocks.
 */
static int ring_with_pipe_read(struct ring *r)
{
	static char buf[64];
	int p[2];

	if (pipe(p) || ring_init(r, 4, NULL))
		return -1;
	ring_queue_rw(r, IORING_OP_READ, p[0], buf, sizeof(buf), 0, 1);
	ring_flush(r);
	return 0;
}

static void *wait_for_read(void *arg)
{
	struct ring *r = arg;

	emu_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS);
	return NULL;
}

/*
 * A process exits (exit_group from another thread) while one of its
 * threads is inside ENTER, in the GETEVENTS wait for the pipe READ it
 * submitted and that parked; the ring goes with the process, and the
 * module reference with it.
 */
TEST(exit_inside_enter)
{
	int status, base;
	pid_t pid;

	if (access(EMU_DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);
	base = emu_refcnt_settled();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ring r;
		pthread_t t;

		if (ring_with_pipe_read(&r))
			_exit(2);
		if (pthread_create(&t, NULL, wait_for_read, &r))
			_exit(3);
		usleep(200000);
		_exit(0);	/* exit_group: the waiter dies inside ENTER */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	if (base >= 0)
		EXPECT_EQ(base, emu_refcnt_wait(base, 5000));
}

/*
 * Fork a child that sets up a ring and blocks in ENTER's GETEVENTS wait
 * (@parked_read: for the pipe READ it submits in that ENTER, which parks;
 * otherwise for a CQE that nothing posts), SIGKILL it there, and return
 * its wait status.
 */
static int kill_child_in_enter(bool parked_read)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct ring r;

		if (parked_read ? ring_with_pipe_read(&r) :
				  ring_init(&r, 4, NULL))
			_exit(2);
		emu_enter(r.fd, parked_read, 1, IORING_ENTER_GETEVENTS);
		_exit(3);
	}
	if (pid < 0)
		return -1;
	usleep(200000);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* SIGKILL while ENTER waits for completions that never come. */
TEST(fatal_signal_in_wait)
{
	int status, base;

	if (access(EMU_DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);
	base = emu_refcnt_settled();
	status = kill_child_in_enter(false);
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
	if (base >= 0)
		EXPECT_EQ(base, emu_refcnt_wait(base, 5000));
}

/*
 * SIGKILL while ENTER waits for a READ it submitted, parked on an empty
 * pipe: the parked READ, the ring and the module reference all go.
 */
TEST(fatal_signal_in_blocking_op)
{
	int status, base;

	if (access(EMU_DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);
	base = emu_refcnt_settled();
	status = kill_child_in_enter(true);
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
	if (base >= 0)
		EXPECT_EQ(base, emu_refcnt_wait(base, 5000));
}

FIXTURE(many) {
	int unused;
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

/* 1,000 rings opened, set up, mapped, used and closed. */
TEST_F_TIMEOUT(many, rings_1000, 600)
{
	int i;

	for (i = 0; i < 1000; i++) {
		struct ring r;

		EMU_RING_INIT_OR_SKIP(&r, 1 + i * 37 % 4096, NULL);
		ring_queue_nop(&r, i);
		ring_flush(&r);
		ASSERT_EQ(1, emu_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS));
		ring_exit(&r);
	}
}

TEST_HARNESS_MAIN
