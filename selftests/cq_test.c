// SPDX-License-Identifier: GPL-2.0
/*
 * The completion queue without loss (IORING_FEAT_NODROP): the backlog,
 * its order, IORING_SQ_CQ_OVERFLOW, and no loss when memory runs out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "cgroup.h"
#include "kselftest_harness.h"

FIXTURE(ring) {
	struct ring r;
};

FIXTURE_SETUP(ring)
{
	self->r.fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 4, NULL);	/* CQ: 8 */
}

FIXTURE_TEARDOWN(ring)
{
	ring_exit(&self->r);
}

static int submit_nops(struct ring *r, uint64_t first, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!ring_queue_nop(r, first + i))
			return -1;
	ring_flush(r);
	return emu_enter(r->fd, nr, 0, 0);
}

/* Completions past a full CQ wait in the backlog, flagged, none lost. */
TEST_F(ring, backlog_keeps_all_in_order)
{
	struct ring *r = &self->r;
	struct io_uring_cqe cqe;
	uint64_t i;

	ASSERT_EQ(4, submit_nops(r, 0, 4));
	ASSERT_EQ(4, submit_nops(r, 4, 4));
	EXPECT_FALSE(*r->sq_flags & IORING_SQ_CQ_OVERFLOW);
	ASSERT_EQ(4, submit_nops(r, 8, 4));
	EXPECT_EQ(8, ring_cq_ready(r));
	EXPECT_TRUE(*r->sq_flags & IORING_SQ_CQ_OVERFLOW);
	EXPECT_EQ(0, *r->cq_overflow);

	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
	}
	/* GETEVENTS flushes the backlog into the room made. */
	ASSERT_EQ(0, emu_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS));
	EXPECT_FALSE(*r->sq_flags & IORING_SQ_CQ_OVERFLOW);
	for (i = 8; i < 12; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
	}
	EXPECT_EQ(-EAGAIN, ring_pop_cqe(r, &cqe));
	EXPECT_EQ(0, *r->cq_overflow);
}

/* New completions queue behind the backlog; a submitting ENTER flushes. */
TEST_F(ring, new_completions_behind_backlog)
{
	struct ring *r = &self->r;
	struct io_uring_cqe cqe;
	uint64_t want = 0;

	ASSERT_EQ(4, submit_nops(r, 0, 4));
	ASSERT_EQ(4, submit_nops(r, 4, 4));
	ASSERT_EQ(4, submit_nops(r, 8, 4));	/* 8..11 in the backlog */
	/* Make room for two only, then complete two more. */
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe));
	want = 2;
	ASSERT_EQ(2, submit_nops(r, 12, 2));
	/* The flush at ENTER moved 8 and 9 in; 10..13 wait, in order. */
	EXPECT_EQ(8, ring_cq_ready(r));
	EXPECT_TRUE(*r->sq_flags & IORING_SQ_CQ_OVERFLOW);
	while (want < 14) {
		if (ring_pop_cqe(r, &cqe)) {
			ASSERT_EQ(0, emu_enter(r->fd, 0, 1,
					       IORING_ENTER_GETEVENTS));
			continue;
		}
		ASSERT_EQ(want, cqe.user_data);
		want++;
	}
	EXPECT_FALSE(*r->sq_flags & IORING_SQ_CQ_OVERFLOW);
}

/* A wait whose backlog finds no room returns at once: the app must reap. */
TEST_F(ring, wait_with_full_cq_returns)
{
	struct ring *r = &self->r;

	ASSERT_EQ(4, submit_nops(r, 0, 4));
	ASSERT_EQ(4, submit_nops(r, 4, 4));
	ASSERT_EQ(4, submit_nops(r, 8, 4));
	ASSERT_EQ(0, emu_enter(r->fd, 0, 1000, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(8, ring_cq_ready(r));
}

/* The backlog of a ring closed with completions waiting is freed. */
TEST_F(ring, close_with_backlog)
{
	struct ring *r = &self->r;

	ASSERT_EQ(4, submit_nops(r, 0, 4));
	ASSERT_EQ(4, submit_nops(r, 4, 4));
	ASSERT_EQ(4, submit_nops(r, 8, 4));
	ASSERT_EQ(4, submit_nops(r, 12, 4));
	EXPECT_TRUE(*r->sq_flags & IORING_SQ_CQ_OVERFLOW);
	/* Teardown closes and unmaps; the kernel log must stay clean. */
}

/*
 * A million NOPs through a 2-entry CQ with a reader that reaps one CQE for
 * every two it submits: every user_data comes back exactly once, in
 * submission order, and nothing is counted as lost.
 */
FIXTURE(million) {
	int unused;
};

FIXTURE_SETUP(million)
{
}

FIXTURE_TEARDOWN(million)
{
}

/* Minutes in a KASAN kernel under TCG: a longer timeout than the default. */
TEST_F_TIMEOUT(million, nops_two_entry_cq, 1200)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 2,
	};
	const uint64_t total = 1000000;
	uint64_t next = 0, want = 0;
	struct io_uring_cqe cqe;
	size_t max_backlog = 0;
	struct ring r;

	EMU_RING_INIT_OR_SKIP(&r, 2, &p);
	ASSERT_EQ(2, r.p.cq_entries);
	while (want < total) {
		unsigned int i, n = 0;

		for (i = 0; i < 2 && next < total; i++, n++)
			ASSERT_NE(NULL, ring_queue_nop(&r, next++));
		ring_flush(&r);
		if (n) {
			ASSERT_EQ(n, emu_enter(r.fd, n, 0, 0));
		} else {
			ASSERT_EQ(0, emu_enter(r.fd, 0, 1,
					       IORING_ENTER_GETEVENTS));
		}
		if (ring_pop_cqe(&r, &cqe) == 0) {
			ASSERT_EQ(want, cqe.user_data);
			ASSERT_EQ(0, cqe.res);
			want++;
		}
		if (next - want > max_backlog)
			max_backlog = next - want;
	}
	EXPECT_EQ(0, *r.cq_overflow);
	EXPECT_FALSE(*r.sq_flags & IORING_SQ_CQ_OVERFLOW);
	TH_LOG("%llu NOPs, largest backlog %zu", (unsigned long long)total,
	       max_backlog);
	ring_exit(&r);
}

#define CG_TEST EMU_CG_ROOT "/emu_uring_test"

/*
 * In a memory cgroup too small for the backlog, nothing is lost: the
 * completions wait in the requests that made them, and when no request
 * can be allocated, submission stops with the SQE left in the SQ (-EAGAIN
 * if it consumed none, as io_uring). Once reaped, every consumed SQE has
 * its CQE, in order, and the SQE left behind runs.
 */
TEST(backlog_no_memory_eagain)
{
	const char *why = emu_cgroup_create(CG_TEST, "4M");
	int status;
	pid_t child;

	if (why)
		SKIP(return, "%s", why);

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct io_uring_params p = {
			.flags = IORING_SETUP_CQSIZE,
			.cq_entries = 2,
		};
		struct io_uring_cqe cqe;
		uint64_t n = 0, consumed = 0, seen = 0;
		struct ring r;
		int ret;

		if (emu_cgroup_enter(CG_TEST))
			_exit(10);
		if (ring_init(&r, 2, &p))
			_exit(11);
		/* Never reap: the backlog grows until memory runs out. */
		for (;;) {
			while (ring_queue_nop(&r, n))
				n++;
			ring_flush(&r);
			ret = emu_enter(r.fd, 2, 0, 0);
			if (ret == -1 && errno == EAGAIN)
				break;
			if (ret < 1 || ret > 2)
				_exit(12);
			consumed += ret;
			if (ret < 2)
				break;
			if (n > 100000000)
				_exit(13);
		}
		if (*r.cq_overflow != 0)
			_exit(14);
		/* Reap everything: each consumed SQE once, in order. */
		while (seen < consumed) {
			if (ring_pop_cqe(&r, &cqe)) {
				if (emu_enter(r.fd, 0, 1,
					      IORING_ENTER_GETEVENTS) != 0)
					_exit(15);
				continue;
			}
			if (cqe.user_data != seen++)
				_exit(16);
		}
		/* The SQEs left behind run now. */
		ret = emu_enter(r.fd, 2, 1, IORING_ENTER_GETEVENTS);
		if (ret < 1)
			_exit(17);
		if (ring_pop_cqe(&r, &cqe) || cqe.user_data != seen)
			_exit(18);
		ring_exit(&r);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	rmdir(CG_TEST);
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	}
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
