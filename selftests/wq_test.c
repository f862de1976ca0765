// SPDX-License-Identifier: GPL-2.0
/*
 * The worker pool (io_uring's io-wq): requests that can only block run in
 * kernel workers, never in ENTER; IOSQE_ASYNC sends a request there at
 * once; the pool is bounded by the max_workers module parameter and fair
 * between rings; buffered writes to one file run in order; queued
 * requests can be cancelled, running ones are interrupted (-EALREADY);
 * closing a ring or exiting with requests in the pool leaves nothing.
 *
 * Blocking work is a buffered read of a null_blk device whose requests
 * take a fixed time (page cache misses: the first attempt without blocking
 * gets -EAGAIN, but has started the device's read); with IOSQE_ASYNC the
 * worker does the whole read itself, which is what the tests of the
 * pool's bound, fairness and interruption use. The tests SKIP where null_blk is missing. Every wait is
 * bounded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"
#include "nullb.h"

#define MAX_WORKERS	"/sys/module/emu_uring/parameters/max_workers"
#define MB		(1U << 20)

static int set_max_workers(unsigned int n)
{
	char val[16];
	int fd = open(MAX_WORKERS, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	snprintf(val, sizeof(val), "%u", n);
	w = write(fd, val, strlen(val));
	close(fd);
	return w == (ssize_t)strlen(val) ? 0 : -EIO;
}

static int submit(struct ring *r, unsigned int n)
{
	ring_flush(r);
	return emu_enter(r->fd, n, 0, 0);
}

/* The byte at @off of the device, as the fixture writes it. */
static char pattern(uint64_t off)
{
	return (char)((off >> 12) * 31 + (off & 0xfff) * 7 + 1);
}

FIXTURE(wq) {
	struct ring r;
	struct nullb a;
	int bfd;
	char *buf;
};

FIXTURE_SETUP(wq)
{
	self->a.fd = self->bfd = -1;
	self->a.dir[0] = 0;
	self->buf = aligned_alloc(BS, 64 * BS);
	ASSERT_NE(NULL, self->buf);
	EMU_RING_INIT_OR_SKIP(&self->r, 64, NULL);
	if (access(MAX_WORKERS, F_OK))
		SKIP(return, "no %s", MAX_WORKERS);
}

FIXTURE_TEARDOWN(wq)
{
	set_max_workers(0);
	ring_exit(&self->r);
	if (self->bfd >= 0)
		close(self->bfd);
	nullb_remove(&self->a);
	free(self->buf);
}

/*
 * A device whose requests take @delay_us, with the pattern written at the
 * start of each MiB, and a buffered fd of it (nothing in its page cache).
 */
static void dev_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(wq) *self, unsigned int delay_us)
{
	unsigned int i, j;
	char *blk = aligned_alloc(BS, BS);

	ASSERT_NE(NULL, blk);
	for (i = 0; i < DEV_MB; i++) {
		for (j = 0; j < BS; j++)
			blk[j] = pattern((uint64_t)i * MB + j);
		ASSERT_EQ(BS, pwrite(self->a.fd, blk, BS, (off_t)i * MB));
	}
	free(blk);
	self->bfd = open(self->a.dev, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	/*
	 * Nothing of it cached: every first read goes to the device.  BLKFLSBUF
	 * rather than fadvise, which a kernel without ADVISE_SYSCALLS lacks.
	 */
	ASSERT_EQ(0, ioctl(self->bfd, BLKFLSBUF, 0));
}

#define DEV_OR_SKIP(self, name, delay) do {				\
	NULLB_OR_SKIP(&(self)->a, (name), (delay));			\
	dev_setup(_metadata, (self), (delay));				\
} while (0)

/* Queue a buffered read of the block at MiB @mib, into buf block @slot. */
static struct io_uring_sqe *q_read(FIXTURE_DATA(wq) *self, struct ring *r,
				   unsigned int mib, unsigned int slot,
				   uint64_t user_data)
{
	return ring_queue_rw(r, IORING_OP_READ, self->bfd,
			     self->buf + (size_t)slot * BS, BS,
			     (uint64_t)mib * MB, user_data);
}

static bool block_ok(FIXTURE_DATA(wq) *self, unsigned int mib,
		     unsigned int slot)
{
	unsigned int j;

	for (j = 0; j < BS; j++)
		if (self->buf[(size_t)slot * BS + j] !=
		    pattern((uint64_t)mib * MB + j))
			return false;
	return true;
}

/*
 * Four reads that must wait for the device (400 ms each): ENTER consumes
 * them and returns at once, and they run side by side in the pool.
 */
TEST_F_TIMEOUT(wq, blocking_reads_leave_enter, 30)
{
	struct io_uring_cqe cqe;
	long long t0, t1;
	unsigned int i;

	DEV_OR_SKIP(self, "ent", 400000);
	for (i = 0; i < 4; i++)
		q_read(self, &self->r, 2 * i + 1, i, i);
	t0 = emu_now_ms();
	ASSERT_EQ(4, submit(&self->r, 4));
	t1 = emu_now_ms();
	EXPECT_GT(200, t1 - t0);
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	ASSERT_EQ(4, ring_wait_cqes(&self->r, 4, 10000));
	/* One after the other would take 1.6 s. */
	EXPECT_GT(1200, emu_now_ms() - t0);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		EXPECT_EQ(BS, cqe.res);
		EXPECT_TRUE(block_ok(self, 2 * cqe.user_data + 1,
				     cqe.user_data));
	}
}

/* max_workers=1 runs them one at a time; back at 0, side by side again. */
TEST_F_TIMEOUT(wq, max_workers_bounds_pool, 30)
{
	char val[16] = "";
	long long t0;
	unsigned int i;
	int fd;

	DEV_OR_SKIP(self, "max", 300000);
	ASSERT_EQ(0, set_max_workers(1));
	fd = open(MAX_WORKERS, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, val, sizeof(val) - 1));
	close(fd);
	EXPECT_EQ(1, atoi(val));

	for (i = 0; i < 3; i++)
		q_read(self, &self->r, 2 * i + 1, i, i)->flags = IOSQE_ASYNC;
	t0 = emu_now_ms();
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(3, ring_wait_cqes(&self->r, 3, 10000));
	EXPECT_LE(800, emu_now_ms() - t0);

	ASSERT_EQ(0, set_max_workers(0));
	for (i = 0; i < 3; i++)
		q_read(self, &self->r, 2 * i + 8, i + 3, i + 3)->flags =
			IOSQE_ASYNC;
	t0 = emu_now_ms();
	ASSERT_EQ(3, submit(&self->r, 3));
	ASSERT_EQ(6, ring_wait_cqes(&self->r, 6, 10000));
	EXPECT_GT(800, emu_now_ms() - t0);
}

/*
 * Four reads queued behind max_workers=1: raising the bound lets the
 * three still queued run side by side at once, not one after the other.
 */
TEST_F_TIMEOUT(wq, raising_max_workers_runs_queued, 30)
{
	long long t0;
	unsigned int i;

	DEV_OR_SKIP(self, "rai", 500000);
	ASSERT_EQ(0, set_max_workers(1));
	for (i = 0; i < 4; i++)
		q_read(self, &self->r, 2 * i + 1, i, i)->flags = IOSQE_ASYNC;
	t0 = emu_now_ms();
	ASSERT_EQ(4, submit(&self->r, 4));
	usleep(200000);
	ASSERT_EQ(0, set_max_workers(0));
	ASSERT_EQ(4, ring_wait_cqes(&self->r, 4, 10000));
	/* One after the other: 2 s; the last three together: about 1 s. */
	EXPECT_GT(1500, emu_now_ms() - t0);
}

/*
 * One worker, six reads from ring A, then one from ring B: B's turn comes
 * after at most two of A's, not after all six.
 */
TEST_F_TIMEOUT(wq, fair_between_rings, 30)
{
	struct io_uring_cqe cqe;
	struct ring b;
	unsigned int i, a_done;

	DEV_OR_SKIP(self, "fair", 200000);
	ASSERT_EQ(0, ring_init(&b, 8, NULL));
	ASSERT_EQ(0, set_max_workers(1));
	for (i = 0; i < 6; i++)
		q_read(self, &self->r, i + 1, i, i)->flags = IOSQE_ASYNC;
	ASSERT_EQ(6, submit(&self->r, 6));
	q_read(self, &b, 10, 8, 100)->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, submit(&b, 1));
	ASSERT_EQ(1, ring_wait_cqes(&b, 1, 10000));
	a_done = ring_cq_ready(&self->r);
	EXPECT_GE(3, a_done) {
		TH_LOG("ring A had %u of 6 done before ring B's one", a_done);
	}
	ASSERT_EQ(0, ring_pop_cqe(&b, &cqe));
	EXPECT_EQ(BS, cqe.res);
	EXPECT_TRUE(block_ok(self, 10, 8));
	EXPECT_EQ(6, ring_wait_cqes(&self->r, 6, 10000));
	ring_exit(&b);
}

/* IOSQE_ASYNC: a NOP and a read of a cached file, from the pool. */
TEST_F_TIMEOUT(wq, async_flag, 30)
{
	char path[] = "/tmp/emu_wq_XXXXXX", out[64] = "";
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(11, pwrite(fd, "hello, pool", 11, 0));
	sqe = ring_queue_nop(&self->r, 1);
	sqe->flags = IOSQE_ASYNC;
	sqe = ring_queue_rw(&self->r, IORING_OP_READ, fd, out, sizeof(out), 0,
			    2);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(2, submit(&self->r, 2));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 5000));
	while (!ring_pop_cqe(&self->r, &cqe))
		EXPECT_EQ(cqe.user_data == 1 ? 0 : 11, cqe.res);
	EXPECT_STREQ("hello, pool", out);
	close(fd);
}

/*
 * IOSQE_ASYNC reads of empty pipes wait on the pipes (as from io-wq), not
 * in a worker: with one worker, a blocking read still runs meanwhile.
 */
TEST_F_TIMEOUT(wq, async_pipe_reads_park, 30)
{
	int p1[2], p2[2];
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	char in1[8] = "", in2[8] = "";

	DEV_OR_SKIP(self, "pipe", 100000);
	ASSERT_EQ(0, pipe(p1));
	ASSERT_EQ(0, pipe(p2));
	ASSERT_EQ(0, set_max_workers(1));
	sqe = ring_queue_rw(&self->r, IORING_OP_READ, p1[0], in1, 4, -1, 1);
	sqe->flags = IOSQE_ASYNC;
	sqe = ring_queue_rw(&self->r, IORING_OP_READ, p2[0], in2, 4, -1, 2);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(2, submit(&self->r, 2));
	usleep(100000);
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	q_read(self, &self->r, 3, 0, 3);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(3, cqe.user_data);
	EXPECT_EQ(BS, cqe.res);
	ASSERT_EQ(4, write(p1[1], "abcd", 4));
	ASSERT_EQ(4, write(p2[1], "efgh", 4));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 5000));
	while (!ring_pop_cqe(&self->r, &cqe))
		EXPECT_EQ(4, cqe.res);
	EXPECT_STREQ("abcd", in1);
	EXPECT_STREQ("efgh", in2);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

/*
 * 64 IOSQE_ASYNC appending writes to one file run one at a time, in
 * submission order (hashed by inode, as io-wq does), with every worker of
 * the pool there to take them.
 */
TEST_F_TIMEOUT(wq, hashed_appends_in_order, 30)
{
	char path[] = "/tmp/emu_wq_XXXXXX";
	static char recs[64][32], back[64 * 32];
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	unsigned int i;
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < 64; i++) {
		snprintf(recs[i], sizeof(recs[i]), "record %04u of the log....\n",
			 i);
		sqe = ring_queue_rw(&self->r, IORING_OP_WRITE, fd, recs[i], 32,
				    -1, i);
		sqe->flags = IOSQE_ASYNC;
	}
	ASSERT_EQ(64, submit(&self->r, 64));
	ASSERT_EQ(64, ring_wait_cqes(&self->r, 64, 10000));
	while (!ring_pop_cqe(&self->r, &cqe))
		EXPECT_EQ(32, cqe.res);
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(back), read(fd, back, sizeof(back)));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, memcmp(back + i * 32, recs[i], 32)) {
			TH_LOG("record %u: %.26s", i, back + i * 32);
			break;
		}
	close(fd);
	unlink(path);
}

static struct io_uring_sqe *q_cancel(struct ring *r, uint64_t target,
				     uint64_t user_data)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	sqe->opcode = IORING_OP_ASYNC_CANCEL;
	sqe->addr = target;
	sqe->user_data = user_data;
	return sqe;
}

/* The result of @user_data's CQE among the first @n, or 1 if absent. */
static int res_of(struct ring *r, unsigned int n, uint64_t user_data,
		  int *pos)
{
	struct io_uring_cqe cqe;
	unsigned int i;
	int res = 1;

	for (i = 0; i < n; i++) {
		unsigned int head = *r->cq_head + i;

		cqe = r->cqes[head & (r->p.cq_entries - 1)];
		if (cqe.user_data == user_data) {
			res = cqe.res;
			if (pos)
				*pos = i;
		}
	}
	return res;
}

/*
 * One worker busy with a read, a second one queued behind it: cancelling
 * the queued one completes it with -ECANCELED at once; the running one is
 * left to finish.
 */
TEST_F_TIMEOUT(wq, cancel_queued, 30)
{
	int pos = -1;

	DEV_OR_SKIP(self, "cq", 600000);
	ASSERT_EQ(0, set_max_workers(1));
	q_read(self, &self->r, 1, 0, 1);
	q_read(self, &self->r, 3, 1, 2);
	ASSERT_EQ(2, submit(&self->r, 2));
	usleep(100000);
	q_cancel(&self->r, 2, 3);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(3, ring_wait_cqes(&self->r, 3, 10000));
	EXPECT_EQ(0, res_of(&self->r, 3, 3, NULL));
	EXPECT_EQ(-ECANCELED, res_of(&self->r, 3, 2, &pos));
	EXPECT_EQ(BS, res_of(&self->r, 3, 1, NULL));
	/* Before the running read's CQE. */
	EXPECT_GT(2, pos);
}

/*
 * Cancelling a read a worker runs: -EALREADY, as io_uring; the read is
 * interrupted or finishes, and its CQE comes either way.
 */
TEST_F_TIMEOUT(wq, cancel_running, 30)
{
	int res;

	DEV_OR_SKIP(self, "cr", 800000);
	q_read(self, &self->r, 1, 0, 1);
	ASSERT_EQ(1, submit(&self->r, 1));
	usleep(150000);
	q_cancel(&self->r, 1, 2);
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(2, ring_wait_cqes(&self->r, 2, 10000));
	EXPECT_EQ(-EALREADY, res_of(&self->r, 2, 2, NULL));
	res = res_of(&self->r, 2, 1, NULL);
	EXPECT_TRUE(res == BS || res == -EINTR) {
		TH_LOG("the running read gave %d", res);
	}
}

/*
 * IORING_ASYNC_CANCEL_ALL of user_data 5 with a read of another running
 * and three of 5 queued: they complete with -ECANCELED and count as one,
 * as io_uring counts what it takes from io-wq in one round. Then _ANY with
 * one running and two queued: those are cancelled too, but as io-wq says
 * "running" when any match runs, the count is 0.
 */
TEST_F_TIMEOUT(wq, cancel_all_counts_as_io_wq, 30)
{
	unsigned int i;
	int res;

	DEV_OR_SKIP(self, "ca", 800000);
	ASSERT_EQ(0, set_max_workers(1));
	q_read(self, &self->r, 1, 0, 1);
	for (i = 0; i < 3; i++)
		q_read(self, &self->r, 2 + i, 1 + i, 5);
	ASSERT_EQ(4, submit(&self->r, 4));
	usleep(150000);
	q_cancel(&self->r, 5, 9)->cancel_flags = IORING_ASYNC_CANCEL_ALL;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(4, ring_wait_cqes(&self->r, 4, 10000));
	EXPECT_EQ(1, res_of(&self->r, 4, 9, NULL));
	EXPECT_EQ(-ECANCELED, res_of(&self->r, 4, 5, NULL));
	ASSERT_EQ(5, ring_wait_cqes(&self->r, 5, 10000));
	EXPECT_EQ(BS, res_of(&self->r, 5, 1, NULL));
	store_release(self->r.cq_head, *self->r.cq_head + 5);

	for (i = 0; i < 3; i++)
		q_read(self, &self->r, 6 + i, i, 1 + i);
	ASSERT_EQ(3, submit(&self->r, 3));
	usleep(150000);
	q_cancel(&self->r, 0, 9)->cancel_flags = IORING_ASYNC_CANCEL_ANY;
	ASSERT_EQ(1, submit(&self->r, 1));
	ASSERT_EQ(4, ring_wait_cqes(&self->r, 4, 10000));
	EXPECT_EQ(0, res_of(&self->r, 4, 9, NULL));
	for (i = 1; i < 3; i++)
		EXPECT_EQ(-ECANCELED, res_of(&self->r, 4, 1 + i, NULL));
	res = res_of(&self->r, 4, 1, NULL);
	EXPECT_TRUE(res == BS || res == -EINTR) {
		TH_LOG("the running read gave %d", res);
	}
}

static void q_link_timeout(struct ring *r, struct __kernel_timespec *ts,
			   uint64_t user_data)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	sqe->opcode = IORING_OP_LINK_TIMEOUT;
	sqe->addr = (uintptr_t)ts;
	sqe->len = 1;
	sqe->user_data = user_data;
}

/*
 * A LINK_TIMEOUT on a read queued in the pool cancels it (-ECANCELED, and
 * -ETIME for the timeout); on one that runs it interrupts it and gets
 * -ENOENT, as io_uring's io_try_cancel() gives it (only ASYNC_CANCEL turns
 * that into -EALREADY).
 */
TEST_F_TIMEOUT(wq, link_timeout_on_pool, 30)
{
	struct __kernel_timespec ts = { .tv_nsec = 150 * 1000000 };
	int res;

	DEV_OR_SKIP(self, "lt", 700000);
	ASSERT_EQ(0, set_max_workers(1));
	/* Runs, guarded. */
	q_read(self, &self->r, 1, 0, 1)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 2);
	/* Queued behind it, guarded. */
	q_read(self, &self->r, 3, 1, 3)->flags = IOSQE_IO_LINK;
	q_link_timeout(&self->r, &ts, 4);
	ASSERT_EQ(4, submit(&self->r, 4));
	ASSERT_EQ(4, ring_wait_cqes(&self->r, 4, 10000));
	EXPECT_EQ(-ENOENT, res_of(&self->r, 4, 2, NULL));
	res = res_of(&self->r, 4, 1, NULL);
	EXPECT_TRUE(res == BS || res == -EINTR) {
		TH_LOG("the running read gave %d", res);
	}
	EXPECT_EQ(-ECANCELED, res_of(&self->r, 4, 3, NULL));
	EXPECT_EQ(-ETIME, res_of(&self->r, 4, 4, NULL));
}

/*
 * Closing a ring with one read running and eight queued: the queued ones
 * are cancelled, the running one finishes, and the ring goes (the module's
 * reference count comes back).
 */
TEST_F_TIMEOUT(wq, close_with_queued, 30)
{
	struct ring b;
	unsigned int i;
	int base;

	DEV_OR_SKIP(self, "cl", 800000);
	EMU_REFCNT_OR_SKIP(base);
	ASSERT_EQ(0, ring_init(&b, 16, NULL));
	ASSERT_EQ(0, set_max_workers(1));
	for (i = 0; i < 9; i++)
		q_read(self, &b, i + 1, i, i)->flags = IOSQE_ASYNC;
	ASSERT_EQ(9, submit(&b, 9));
	usleep(100000);
	ring_exit(&b);
	/* Nine one after the other would take 7 s. */
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
}

/*
 * A process that exits with a read running in a worker (5 s at the
 * device) does not leave its ring behind for that long: its exit
 * interrupts the worker.
 */
TEST_F_TIMEOUT(wq, exit_interrupts_worker, 30)
{
	long long t0;
	pid_t pid;
	int base, status;

	DEV_OR_SKIP(self, "ex", 5000000);
	EMU_REFCNT_OR_SKIP(base);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ring c;

		if (ring_init(&c, 8, NULL))
			_exit(2);
		q_read(self, &c, 2, 0, 1)->flags = IOSQE_ASYNC;
		if (submit(&c, 1) != 1)
			_exit(3);
		usleep(200000);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	t0 = emu_now_ms();
	EXPECT_EQ(base, emu_refcnt_wait(base, 3000));
	EXPECT_GT(3000, emu_now_ms() - t0);
}

TEST_HARNESS_MAIN
