// SPDX-License-Identifier: GPL-2.0
/*
 * O_DIRECT reads and writes as asynchronous kiocbs (io_uring/rw.c:
 * io_rw_init_file(), io_complete_rw()): the device sees every request of a
 * submission at once, completions come in the device's order, chains and
 * drains run across them, and a ring closed (or a process killed) with
 * transfers in flight waits for them and leaves nothing behind.
 *
 * The devices are null_blk devices made through configfs for each test
 * (memory backed, with a completion delay from a timer: irqmode=2), so the
 * tests SKIP where null_blk is missing. Every wait is bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"
#include "nullb.h"

/* A block-aligned buffer of @n blocks. */
static char *blocks(unsigned int n)
{
	return aligned_alloc(BS, (size_t)n * BS);
}

static int submit(struct ring *r, unsigned int n)
{
	ring_flush(r);
	return emu_enter(r->fd, n, 0, 0);
}

static int pop(struct ring *r, struct io_uring_cqe *cqe)
{
	if (ring_pop_cqe(r, cqe))
		return -1;
	return 0;
}

FIXTURE(dio) {
	struct ring r;
	struct nullb a, b;
	char *buf;
};

FIXTURE_SETUP(dio)
{
	self->a.fd = self->b.fd = -1;
	self->a.dir[0] = self->b.dir[0] = 0;
	self->buf = blocks(64);
	ASSERT_NE(NULL, self->buf);
	EMU_RING_INIT_OR_SKIP(&self->r, 64, NULL);
}

FIXTURE_TEARDOWN(dio)
{
	ring_exit(&self->r);
	nullb_remove(&self->a);
	nullb_remove(&self->b);
	free(self->buf);
}

/*
 * 32 reads in one ENTER, each taking 200 ms at the device: ENTER returns
 * at once with all 32 consumed and none completed, and all of them
 * complete together (one at a time would take 6.4 s).
 */
TEST_F_TIMEOUT(dio, queue_depth_32, 30)
{
	struct io_uring_cqe cqe;
	long long t0, t1;
	unsigned int i;

	NULLB_OR_SKIP(&self->a, "qd", 200000);
	for (i = 0; i < 32; i++)
		ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd,
			      self->buf + (size_t)i * BS, BS,
			      (uint64_t)i * 7 * BS, i);
	t0 = emu_now_ms();
	ASSERT_EQ(32, submit(&self->r, 32));
	t1 = emu_now_ms();
	EXPECT_GT(150, t1 - t0);
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	ASSERT_EQ(32, ring_wait_cqes(&self->r, 32, 10000));
	EXPECT_GT(2000, emu_now_ms() - t0);
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, pop(&self->r, &cqe));
		EXPECT_EQ(BS, cqe.res);
	}
}

/*
 * A read on a slow device, then one on a fast device: the fast one's CQE
 * comes first.
 */
TEST_F_TIMEOUT(dio, out_of_order, 30)
{
	struct io_uring_cqe cqe;

	NULLB_OR_SKIP(&self->a, "slow", 400000);
	NULLB_OR_SKIP(&self->b, "fast", 1000);
	ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd, self->buf, BS, 0,
		      1);
	ring_queue_rw(&self->r, IORING_OP_READ, self->b.fd, self->buf + BS, BS,
		      0, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 10000));
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(BS, cqe.res);
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(BS, cqe.res);
}

/*
 * WRITE -> READV -> NOP linked, on a memory-backed device: each member
 * starts when the one before completed (the read sees the write's data),
 * CQEs in chain order.
 */
TEST_F_TIMEOUT(dio, write_then_read_linked, 30)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	struct iovec iov[2];
	char *in = self->buf + 8 * BS;
	unsigned int i;

	NULLB_OR_SKIP(&self->a, "wr", 20000);
	for (i = 0; i < 2 * BS; i++)
		self->buf[i] = (char)(i * 7 + 3);
	memset(in, 0, 2 * BS);
	iov[0] = (struct iovec){ in, BS };
	iov[1] = (struct iovec){ in + BS, BS };
	sqe = ring_queue_rw(&self->r, IORING_OP_WRITE, self->a.fd, self->buf,
			    2 * BS, 5 * BS, 1);
	sqe->flags = IOSQE_IO_LINK;
	sqe = ring_queue_readv(&self->r, self->a.fd, iov, 2, 5 * BS, 2);
	sqe->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, ring_wait_cqes(&self->r, 3, 10000));
	for (i = 1; i <= 3; i++) {
		ASSERT_EQ(0, pop(&self->r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(i == 3 ? 0 : 2 * BS, cqe.res);
	}
	EXPECT_EQ(0, memcmp(self->buf, in, 2 * BS));
}

/*
 * A read that ends at the end of the device comes back short, and breaks
 * its chain: the NOP behind it is cancelled.
 */
TEST_F_TIMEOUT(dio, short_read_breaks_link, 30)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;

	NULLB_OR_SKIP(&self->a, "short", 20000);
	sqe = ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd, self->buf,
			    2 * BS, (DEV_MB << 20) - BS, 1);
	sqe->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 10000));
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(BS, cqe.res);
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-ECANCELED, cqe.res);
}

/*
 * A buffer that is not block-aligned: -EINVAL, as pread(2) on the device
 * gives, and the chain behind it is cancelled.
 */
TEST_F_TIMEOUT(dio, misaligned_fails_chain, 30)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;

	NULLB_OR_SKIP(&self->a, "mis", 1000);
	EXPECT_EQ(-1, pread(self->a.fd, self->buf + 1, BS, 0));
	EXPECT_EQ(EINVAL, errno);
	sqe = ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd,
			    self->buf + 1, BS, 0, 1);
	sqe->flags = IOSQE_IO_LINK;
	ring_queue_nop(&self->r, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 10000));
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-ECANCELED, cqe.res);
}

/* IOSQE_IO_DRAIN behind a slow read: the drained NOP completes after it. */
TEST_F_TIMEOUT(dio, drain_waits_for_read, 30)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;

	NULLB_OR_SKIP(&self->a, "drain", 300000);
	ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd, self->buf, BS, 0,
		      1);
	sqe = ring_queue_nop(&self->r, 2);
	sqe->flags = IOSQE_IO_DRAIN;
	ring_queue_nop(&self->r, 3);
	ASSERT_EQ(3, submit(&self->r, 3));
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	ASSERT_EQ(3, ring_wait_cqes(&self->r, 3, 10000));
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(3, cqe.user_data);
}

/*
 * A transfer at the device cannot be recalled: ASYNC_CANCEL does not find
 * it (-ENOENT, as io_uring's io_try_cancel() gives), and it completes with
 * its data.
 */
TEST_F_TIMEOUT(dio, cancel_in_flight_enoent, 30)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;

	NULLB_OR_SKIP(&self->a, "cancel", 300000);
	ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd, self->buf, BS, 0,
		      1);
	ASSERT_EQ(1, submit(&self->r, 1));
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_ASYNC_CANCEL;
	sqe->fd = -1;
	sqe->addr = 1;
	sqe->user_data = 2;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 10000));
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-ENOENT, cqe.res);
	ASSERT_EQ(0, pop(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(BS, cqe.res);
}

/*
 * The ring is closed and unmapped with 32 transfers in flight: the close
 * returns at once, and the ring (and the module reference it holds) goes
 * once they complete.
 */
TEST_F_TIMEOUT(dio, close_in_flight, 30)
{
	int base, i;

	/* The baseline without the fixture's ring, then a ring again. */
	ring_exit(&self->r);
	EMU_REFCNT_OR_SKIP(base);
	ASSERT_EQ(0, ring_init(&self->r, 64, NULL));
	NULLB_OR_SKIP(&self->a, "close", 300000);
	for (i = 0; i < 32; i++)
		ring_queue_rw(&self->r, IORING_OP_READ, self->a.fd,
			      self->buf + (size_t)i * BS, BS,
			      (uint64_t)i * BS, i);
	ASSERT_EQ(32, submit(&self->r, 32));
	ring_exit(&self->r);
	memset(&self->r, 0, sizeof(self->r));
	self->r.fd = -1;
	EXPECT_EQ(base, emu_refcnt_wait(base, 5000));
}

/*
 * A process that exits with reads in flight (its buffers gone with its
 * address space) leaves nothing behind once they complete.
 */
TEST_F_TIMEOUT(dio, exit_in_flight, 30)
{
	int base, status;
	pid_t pid;

	ring_exit(&self->r);
	memset(&self->r, 0, sizeof(self->r));
	self->r.fd = -1;
	EMU_REFCNT_OR_SKIP(base);
	NULLB_OR_SKIP(&self->a, "exit", 300000);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct ring r;
		char *buf = blocks(32);
		int i;

		if (!buf || ring_init(&r, 64, NULL))
			_exit(2);
		for (i = 0; i < 32; i++)
			ring_queue_rw(&r, i & 1 ? IORING_OP_WRITE :
				      IORING_OP_READ, self->a.fd,
				      buf + (size_t)i * BS, BS,
				      (uint64_t)i * BS, i);
		ring_flush(&r);
		_exit(emu_enter(r.fd, 32, 0, 0) == 32 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, emu_refcnt_wait(base, 5000));
}

/*
 * Many rounds of a full queue, reaped as they come, with reads and writes
 * mixed: every SQE gets exactly one CQE with its result.
 */
TEST_F_TIMEOUT(dio, many_rounds, 60)
{
	unsigned int round, i, seen;
	struct io_uring_cqe cqe;
	uint64_t mask;

	NULLB_OR_SKIP(&self->a, "rounds", 2000);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 48; i++)
			ring_queue_rw(&self->r, i % 3 ? IORING_OP_READ :
				      IORING_OP_WRITE, self->a.fd,
				      self->buf + (size_t)i * BS, BS,
				      (uint64_t)((i * 13 + round) % 4096) * BS,
				      round * 100 + i);
		ASSERT_EQ(48, submit(&self->r, 48));
		ASSERT_EQ(48, ring_wait_cqes(&self->r, 48, 10000));
		seen = 0;
		mask = 0;
		while (!pop(&self->r, &cqe)) {
			EXPECT_EQ(BS, cqe.res);
			EXPECT_EQ(round, cqe.user_data / 100);
			mask |= 1ULL << (cqe.user_data % 100);
			seen++;
		}
		EXPECT_EQ(48, seen);
		EXPECT_EQ((1ULL << 48) - 1, mask);
	}
}

TEST_HARNESS_MAIN
