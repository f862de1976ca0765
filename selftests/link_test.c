// SPDX-License-Identifier: GPL-2.0
/*
 * SQE flags: IOSQE_IO_LINK and IOSQE_IO_HARDLINK chains, IOSQE_IO_DRAIN,
 * IOSQE_CQE_SKIP_SUCCESS, and IORING_SETUP_SUBMIT_ALL, with io_uring's
 * (Linux 6.12) semantics.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

FIXTURE(link) {
	struct ring r;
	int fd;		/* a 100-byte file */
	char buf[256];
};

FIXTURE_SETUP(link)
{
	char name[] = "/tmp/emu_link.XXXXXX";

	self->r.fd = -1;
	self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 16, NULL);
	self->fd = mkstemp(name);
	ASSERT_LE(0, self->fd);
	unlink(name);
	memset(self->buf, 'x', sizeof(self->buf));
	ASSERT_EQ(100, write(self->fd, self->buf, 100));
}

FIXTURE_TEARDOWN(link)
{
	if (self->fd >= 0)
		close(self->fd);
	ring_exit(&self->r);
}

static struct io_uring_sqe *nop(struct ring *r, uint64_t ud, uint8_t flags)
{
	struct io_uring_sqe *sqe = ring_queue_nop(r, ud);

	sqe->flags = flags;
	return sqe;
}

/* A READ that fails with -EBADF. */
static struct io_uring_sqe *bad_read(struct ring *r, uint64_t ud,
				     uint8_t flags, char *buf)
{
	struct io_uring_sqe *sqe = ring_queue_rw(r, IORING_OP_READ, -1, buf, 1,
						 0, ud);

	sqe->flags = flags;
	return sqe;
}

/*
 * Submit everything queued; expect @consumed; collect the CQEs, once there
 * is one per SQE or 300 ms passed (a read of a file without FMODE_NOWAIT
 * completes from the worker pool, as from io-wq).
 */
static int submit(struct ring *r, unsigned int to_submit,
		  struct io_uring_cqe *cqes, unsigned int max)
{
	unsigned int n = 0;
	int ret;

	ring_flush(r);
	ret = emu_enter(r->fd, to_submit, 0, 0);
	if (ret < 0)
		return ret;
	ring_wait_cqes(r, ret, 300);
	while (n < max && ring_pop_cqe(r, &cqes[n]) == 0)
		n++;
	return ret * 1000 + n;	/* consumed, CQEs */
}

/* A chain that succeeds runs in order, one CQE each. */
TEST_F(link, chain_success)
{
	struct io_uring_cqe c[8];

	nop(&self->r, 1, IOSQE_IO_LINK);
	nop(&self->r, 2, IOSQE_IO_LINK);
	nop(&self->r, 3, 0);
	ASSERT_EQ(3003, submit(&self->r, 3, c, 8));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(2, c[1].user_data);
	EXPECT_EQ(3, c[2].user_data);
	EXPECT_EQ(0, c[0].res + c[1].res + c[2].res);
}

/* A failure cancels the rest of the chain with -ECANCELED. */
TEST_F(link, failure_cancels_rest)
{
	struct io_uring_cqe c[8];

	bad_read(&self->r, 1, IOSQE_IO_LINK, self->buf);
	nop(&self->r, 2, IOSQE_IO_LINK);
	nop(&self->r, 3, 0);
	nop(&self->r, 4, 0);	/* not in the chain */
	ASSERT_EQ(4004, submit(&self->r, 4, c, 8));
	EXPECT_EQ(-EBADF, c[0].res);
	EXPECT_EQ(-ECANCELED, c[1].res);
	EXPECT_EQ(-ECANCELED, c[2].res);
	EXPECT_EQ(4, c[3].user_data);
	EXPECT_EQ(0, c[3].res);
}

/* A short read breaks an IO_LINK chain. */
TEST_F(link, short_read_cancels_rest)
{
	struct io_uring_cqe c[8];

	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, self->buf, 200, 0,
		      1)->flags = IOSQE_IO_LINK;
	nop(&self->r, 2, 0);
	ASSERT_EQ(2002, submit(&self->r, 2, c, 8));
	EXPECT_EQ(100, c[0].res);
	EXPECT_EQ(-ECANCELED, c[1].res);
}

/* A full read keeps the chain going. */
TEST_F(link, full_read_continues)
{
	struct io_uring_cqe c[8];

	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, self->buf, 100, 0,
		      1)->flags = IOSQE_IO_LINK;
	nop(&self->r, 2, 0);
	ASSERT_EQ(2002, submit(&self->r, 2, c, 8));
	EXPECT_EQ(100, c[0].res);
	EXPECT_EQ(0, c[1].res);
}

/* IOSQE_IO_HARDLINK: the chain goes on after a failure or a short read. */
TEST_F(link, hardlink_continues)
{
	struct io_uring_cqe c[8];

	bad_read(&self->r, 1, IOSQE_IO_HARDLINK, self->buf);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, self->buf, 200, 0,
		      2)->flags = IOSQE_IO_HARDLINK;
	nop(&self->r, 3, 0);
	ASSERT_EQ(3003, submit(&self->r, 3, c, 8));
	EXPECT_EQ(-EBADF, c[0].res);
	EXPECT_EQ(100, c[1].res);
	EXPECT_EQ(0, c[2].res);
}

/* A chain cut by the end of the submission runs as it is, and ends. */
TEST_F(link, chain_cut_by_submission_end)
{
	struct io_uring_cqe c[8];

	bad_read(&self->r, 1, IOSQE_IO_LINK, self->buf);
	nop(&self->r, 2, 0);
	ASSERT_EQ(1001, submit(&self->r, 1, c, 8));
	EXPECT_EQ(-EBADF, c[0].res);
	/* The next ENTER starts afresh: the NOP is not cancelled. */
	ASSERT_EQ(1001, submit(&self->r, 1, c, 8));
	EXPECT_EQ(2, c[0].user_data);
	EXPECT_EQ(0, c[0].res);
}

/*
 * A member that fails preparation fails the whole chain before any member
 * runs: it reports its error, the others -ECANCELED.
 */
TEST_F(link, prep_failure_fails_whole_chain)
{
	struct io_uring_cqe c[8];
	char in[4] = {};

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "WWWW", 4, 0,
		      1)->flags = IOSQE_IO_LINK;
	nop(&self->r, 2, IOSQE_IO_LINK)->opcode = 0xfe;
	nop(&self->r, 3, 0);
	nop(&self->r, 4, 0);
	/* The failed member is linked: submission goes on to its end. */
	ASSERT_EQ(4004, submit(&self->r, 4, c, 8));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(-ECANCELED, c[0].res);
	EXPECT_EQ(-EINVAL, c[1].res);
	EXPECT_EQ(-ECANCELED, c[2].res);
	EXPECT_EQ(0, c[3].res);
	/* The WRITE never ran. */
	ASSERT_EQ(4, pread(self->fd, in, 4, 0));
	EXPECT_EQ(0, memcmp(in, "xxxx", 4));
}

/* A chain's last member failing preparation ends the submission there. */
TEST_F(link, prep_failure_last_member_stops)
{
	struct io_uring_cqe c[8];

	nop(&self->r, 1, IOSQE_IO_LINK);
	nop(&self->r, 2, 0)->opcode = 0xfe;
	nop(&self->r, 3, 0);
	ASSERT_EQ(2002, submit(&self->r, 3, c, 8));
	EXPECT_EQ(-ECANCELED, c[0].res);
	EXPECT_EQ(-EINVAL, c[1].res);
	ASSERT_EQ(1001, submit(&self->r, 1, c, 8));
	EXPECT_EQ(3, c[0].user_data);
}

/* IOSQE_CQE_SKIP_SUCCESS: no CQE on success; a failure still posts one. */
TEST_F(link, cqe_skip_success)
{
	struct io_uring_cqe c[8];
	unsigned int i;

	nop(&self->r, 1, IOSQE_CQE_SKIP_SUCCESS);
	bad_read(&self->r, 2, IOSQE_CQE_SKIP_SUCCESS, self->buf);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, self->buf, 200, 0,
		      3)->flags = IOSQE_CQE_SKIP_SUCCESS;	/* short */
	nop(&self->r, 4, 0);
	ASSERT_EQ(4003, submit(&self->r, 4, c, 8));
	/*
	 * Not linked: the read may complete last (from the worker pool, on
	 * a file without FMODE_NOWAIT).
	 */
	for (i = 0; i < 3; i++) {
		if (c[i].user_data == 2) {
			EXPECT_EQ(-EBADF, c[i].res);
		} else if (c[i].user_data == 3) {
			EXPECT_EQ(100, c[i].res);
		} else {
			EXPECT_EQ(4, c[i].user_data);
		}
	}
}

/* A chain of skipped successes posts nothing at all. */
TEST_F(link, cqe_skip_whole_chain)
{
	struct io_uring_cqe c[8];

	nop(&self->r, 1, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS);
	nop(&self->r, 2, IOSQE_CQE_SKIP_SUCCESS);
	ASSERT_EQ(2000, submit(&self->r, 2, c, 8));
}

/*
 * Like io_uring: when a member that asked to skip its CQE on success fails,
 * it posts its CQE and the members it cancels post none.
 */
TEST_F(link, cqe_skip_failed_member_hides_cancelled)
{
	struct io_uring_cqe c[8];

	bad_read(&self->r, 1, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS,
		 self->buf);
	nop(&self->r, 2, IOSQE_IO_LINK);
	nop(&self->r, 3, 0);
	ASSERT_EQ(3001, submit(&self->r, 3, c, 8));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(-EBADF, c[0].res);
}

/* Cancelled members post their CQE even if they asked to skip one. */
TEST_F(link, cancelled_members_post_cqes)
{
	struct io_uring_cqe c[8];

	bad_read(&self->r, 1, IOSQE_IO_LINK, self->buf);
	nop(&self->r, 2, IOSQE_CQE_SKIP_SUCCESS);
	ASSERT_EQ(2002, submit(&self->r, 2, c, 8));
	EXPECT_EQ(-ECANCELED, c[1].res);
}

/* A long chain, as long as the SQ. */
TEST_F(link, chain_as_long_as_sq)
{
	struct io_uring_cqe c[16];
	int i;

	for (i = 0; i < 16; i++)
		nop(&self->r, i, i < 15 ? IOSQE_IO_LINK : 0);
	ASSERT_EQ(16016, submit(&self->r, 16, c, 16));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(i, c[i].user_data);
}

/*
 * IOSQE_IO_DRAIN behind requests that wait: a drained request starts only
 * when every request submitted before it has completed (here: a pipe READ
 * parked before it), and holds back the requests submitted after it until
 * it starts. A drain on a member of a chain drains the whole chain, and
 * the request after the chain (io_uring's drain_next; module/submit.c
 * emu_req_init()).
 */
FIXTURE(drain) {
	struct ring r;
	int a[2], b[2];		/* pipes the READs park on */
	int fd;			/* an empty file */
	char ina[8], inb[8];
};

FIXTURE_SETUP(drain)
{
	char name[] = "/tmp/emu_drain.XXXXXX";

	self->r.fd = -1;
	self->a[0] = self->a[1] = self->b[0] = self->b[1] = self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 16, NULL);
	ASSERT_EQ(0, pipe(self->a));
	ASSERT_EQ(0, pipe(self->b));
	self->fd = mkstemp(name);
	ASSERT_LE(0, self->fd);
	unlink(name);
	memset(self->ina, 0, sizeof(self->ina));
	memset(self->inb, 0, sizeof(self->inb));
}

FIXTURE_TEARDOWN(drain)
{
	int i;

	emu_tick(0);
	for (i = 0; i < 2; i++) {
		if (self->a[i] >= 0)
			close(self->a[i]);
		if (self->b[i] >= 0)
			close(self->b[i]);
	}
	if (self->fd >= 0)
		close(self->fd);
	ring_exit(&self->r);
}

/* Submit what is queued, bounded by SIGALRM ticks; ENTER's return. */
static int drain_submit(struct ring *r, unsigned int n)
{
	int ret;

	ring_flush(r);
	emu_tick(2000);
	ret = emu_enter(r->fd, n, 0, 0);
	emu_tick(0);
	return ret;
}

/* The CQEs that came without help after 50 ms, popped into @c. */
static unsigned int settle(struct ring *r, struct io_uring_cqe *c,
			   unsigned int max)
{
	unsigned int n = 0;

	usleep(50000);
	while (n < max && ring_pop_cqe(r, &c[n]) == 0)
		n++;
	return n;
}

/* Wait (2 s at most) for @n CQEs and pop what came, up to @n. */
static unsigned int reap_n(struct ring *r, struct io_uring_cqe *c,
			   unsigned int n)
{
	unsigned int got = 0;

	ring_wait_cqes(r, n, 2000);
	while (got < n && ring_pop_cqe(r, &c[got]) == 0)
		got++;
	return got;
}

static off_t file_size(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) ? -1 : sb.st_size;
}

/* A READ parked before a drain holds back the drain and what follows. */
TEST_F_TIMEOUT(drain, parked_read_holds_drain_and_later, 10)
{
	struct io_uring_cqe c[8];
	char out[8] = {};

	ring_queue_rw(&self->r, IORING_OP_READ, self->a[0], self->ina, 5, 0, 1);
	nop(&self->r, 2, IOSQE_IO_DRAIN);
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "later", 5, 0, 3);
	ASSERT_EQ(3, drain_submit(&self->r, 3));
	ASSERT_EQ(0, settle(&self->r, c, 8)) {
		TH_LOG("user_data %llu completed while the READ was parked",
		       (unsigned long long)c[0].user_data);
	}
	/* The WRITE after the drain did not run either. */
	EXPECT_EQ(0, file_size(self->fd));

	ASSERT_EQ(5, write(self->a[1], "hello", 5));
	ASSERT_EQ(3, reap_n(&self->r, c, 3));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(5, c[0].res);
	EXPECT_EQ(2, c[1].user_data);
	EXPECT_EQ(0, c[1].res);
	EXPECT_EQ(3, c[2].user_data);
	EXPECT_EQ(5, c[2].res);
	ASSERT_EQ(5, pread(self->fd, out, sizeof(out), 0));
	EXPECT_EQ(0, memcmp(out, "later", 5));
}

/*
 * A drain on a later member of a chain drains the chain's head too: the
 * chain waits for the parked READ as a whole. The request after the chain
 * is drained as well: it waits for the chain to complete.
 */
TEST_F_TIMEOUT(drain, member_drains_whole_chain, 10)
{
	struct io_uring_cqe c[8];
	int i;

	ring_queue_rw(&self->r, IORING_OP_READ, self->a[0], self->ina, 5, 0, 1);
	nop(&self->r, 2, IOSQE_IO_LINK);
	nop(&self->r, 3, IOSQE_IO_DRAIN);
	nop(&self->r, 4, 0);
	ASSERT_EQ(4, drain_submit(&self->r, 4));
	ASSERT_EQ(0, settle(&self->r, c, 8)) {
		TH_LOG("user_data %llu did not wait for the parked READ",
		       (unsigned long long)c[0].user_data);
	}

	ASSERT_EQ(5, write(self->a[1], "hello", 5));
	ASSERT_EQ(4, reap_n(&self->r, c, 4));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(i + 1, c[i].user_data);
		EXPECT_EQ(i ? 0 : 5, c[i].res);
	}
}

/*
 * The request after a chain with a drained member waits until the whole
 * chain has completed, here until the chain's own READ, parked on another
 * pipe, is done; without the drain it would run as soon as the chain
 * started.
 */
TEST_F_TIMEOUT(drain, member_drains_request_after_chain, 10)
{
	struct io_uring_cqe c[8];
	unsigned int n;

	ring_queue_rw(&self->r, IORING_OP_READ, self->a[0], self->ina, 5, 0, 1);
	ring_queue_rw(&self->r, IORING_OP_READ, self->b[0], self->inb, 5, 0,
		      2)->flags = IOSQE_IO_LINK;
	nop(&self->r, 3, IOSQE_IO_DRAIN);
	nop(&self->r, 4, 0);
	ASSERT_EQ(4, drain_submit(&self->r, 4));
	ASSERT_EQ(0, settle(&self->r, c, 8));

	/* The first READ completes; the chain starts and its READ parks. */
	ASSERT_EQ(5, write(self->a[1], "hello", 5));
	ASSERT_EQ(1, reap_n(&self->r, c, 1));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(5, c[0].res);
	n = settle(&self->r, c, 8);
	EXPECT_EQ(0, n) {
		TH_LOG("user_data %llu (res %d) ran while the chain before it "
		       "was not done", (unsigned long long)c[0].user_data,
		       c[0].res);
	}

	ASSERT_EQ(5, write(self->b[1], "world", 5));
	ASSERT_EQ(3 - n, reap_n(&self->r, c + n, 3 - n));
	EXPECT_EQ(2, c[0].user_data);
	EXPECT_EQ(5, c[0].res);
	EXPECT_EQ(3, c[1].user_data);
	EXPECT_EQ(0, c[1].res);
	EXPECT_EQ(4, c[2].user_data);
	EXPECT_EQ(0, c[2].res);
	EXPECT_EQ(0, memcmp(self->inb, "world", 5));
}

/*
 * A drain after a chain whose head parks waits for the whole chain: the
 * READ, then the WRITE of what it read.
 */
TEST_F_TIMEOUT(drain, after_chain_with_parked_head, 10)
{
	struct io_uring_cqe c[8];
	char out[8] = {};

	ring_queue_rw(&self->r, IORING_OP_READ, self->a[0], self->ina, 5, 0,
		      1)->flags = IOSQE_IO_LINK;
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, self->ina, 5, 0, 2);
	nop(&self->r, 3, IOSQE_IO_DRAIN);
	ASSERT_EQ(3, drain_submit(&self->r, 3));
	ASSERT_EQ(0, settle(&self->r, c, 8));
	EXPECT_EQ(0, file_size(self->fd));

	ASSERT_EQ(5, write(self->a[1], "hello", 5));
	ASSERT_EQ(3, reap_n(&self->r, c, 3));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(5, c[0].res);
	EXPECT_EQ(2, c[1].user_data);
	EXPECT_EQ(5, c[1].res);
	EXPECT_EQ(3, c[2].user_data);
	EXPECT_EQ(0, c[2].res);
	ASSERT_EQ(5, pread(self->fd, out, sizeof(out), 0));
	EXPECT_EQ(0, memcmp(out, "hello", 5));
}

/*
 * Members cancelled behind a failed one count as completed: a short read
 * (EOF) of the parked head cancels the rest of its chain, then the drain
 * runs.
 */
TEST_F_TIMEOUT(drain, cancelled_members_release_drain, 10)
{
	struct io_uring_cqe c[8];

	ring_queue_rw(&self->r, IORING_OP_READ, self->a[0], self->ina, 5, 0,
		      1)->flags = IOSQE_IO_LINK;
	nop(&self->r, 2, 0);
	nop(&self->r, 3, IOSQE_IO_DRAIN);
	ASSERT_EQ(3, drain_submit(&self->r, 3));
	ASSERT_EQ(0, settle(&self->r, c, 8));

	ASSERT_EQ(0, close(self->a[1]));
	self->a[1] = -1;
	ASSERT_EQ(3, reap_n(&self->r, c, 3));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(0, c[0].res);
	EXPECT_EQ(2, c[1].user_data);
	EXPECT_EQ(-ECANCELED, c[1].res);
	EXPECT_EQ(3, c[2].user_data);
	EXPECT_EQ(0, c[2].res);
}

/*
 * A drained head: its chain waits for the parked READ, and so does the
 * request after it, but only until the chain starts, not until it ends
 * (that one is not drained): it runs while the chain's second READ is
 * parked.
 */
TEST_F_TIMEOUT(drain, later_request_waits_until_drain_starts, 10)
{
	struct io_uring_cqe c[8];

	ring_queue_rw(&self->r, IORING_OP_READ, self->a[0], self->ina, 5, 0, 1);
	nop(&self->r, 2, IOSQE_IO_DRAIN | IOSQE_IO_LINK);
	ring_queue_rw(&self->r, IORING_OP_READ, self->b[0], self->inb, 5, 0,
		      3)->flags = IOSQE_IO_LINK;
	nop(&self->r, 4, 0);
	nop(&self->r, 5, 0);
	ASSERT_EQ(5, drain_submit(&self->r, 5));
	ASSERT_EQ(0, settle(&self->r, c, 8)) {
		TH_LOG("user_data %llu did not wait for the drain",
		       (unsigned long long)c[0].user_data);
	}

	ASSERT_EQ(5, write(self->a[1], "hello", 5));
	ASSERT_EQ(3, reap_n(&self->r, c, 3));
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(2, c[1].user_data);
	EXPECT_EQ(5, c[2].user_data);
	EXPECT_EQ(0, settle(&self->r, c + 3, 5));

	ASSERT_EQ(5, write(self->b[1], "world", 5));
	ASSERT_EQ(2, reap_n(&self->r, c, 2));
	EXPECT_EQ(3, c[0].user_data);
	EXPECT_EQ(5, c[0].res);
	EXPECT_EQ(4, c[1].user_data);
	EXPECT_EQ(0, c[1].res);
}

/*
 * The request a drained chain member drains is drained by the ring, not by
 * its SQE: if it asks for IOSQE_CQE_SKIP_SUCCESS it is not refused with
 * -EOPNOTSUPP (io_uring's io_init_req() checks the SQE's own flags, before
 * it applies drain_next), and it succeeds without a CQE. It disables
 * drains from then on, as any CQE_SKIP_SUCCESS SQE does.
 */
TEST_F_TIMEOUT(drain, skip_success_after_drained_chain, 10)
{
	struct io_uring_cqe c[8];
	unsigned int n;

	nop(&self->r, 1, IOSQE_IO_LINK);
	nop(&self->r, 2, IOSQE_IO_DRAIN);
	nop(&self->r, 3, IOSQE_CQE_SKIP_SUCCESS);
	ASSERT_EQ(3, drain_submit(&self->r, 3));
	n = settle(&self->r, c, 8);
	ASSERT_LE(2, n);
	EXPECT_EQ(1, c[0].user_data);
	EXPECT_EQ(0, c[0].res);
	EXPECT_EQ(2, c[1].user_data);
	EXPECT_EQ(0, c[1].res);
	EXPECT_EQ(2, n) {
		TH_LOG("the CQE_SKIP_SUCCESS NOP after the chain posted res %d",
		       c[2].res);
	}

	nop(&self->r, 4, IOSQE_IO_DRAIN);
	ASSERT_EQ(1, drain_submit(&self->r, 1));
	ASSERT_EQ(1, reap_n(&self->r, c, 1));
	EXPECT_EQ(4, c[0].user_data);
	EXPECT_EQ(-EOPNOTSUPP, c[0].res);
}

/* IORING_SETUP_SUBMIT_ALL: submission goes on past a failed preparation. */
TEST(submit_all)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SUBMIT_ALL };
	struct io_uring_cqe c[8];
	struct ring r;

	EMU_RING_INIT_OR_SKIP(&r, 4, &p);
	nop(&r, 1, 0)->opcode = 0xfe;
	nop(&r, 2, 0);
	nop(&r, 3, 0)->len = 1;	/* a field NOP does not use */
	nop(&r, 4, 0);
	ASSERT_EQ(4004, submit(&r, 4, c, 8));
	EXPECT_EQ(-EINVAL, c[0].res);
	EXPECT_EQ(0, c[1].res);
	EXPECT_EQ(-EINVAL, c[2].res);
	EXPECT_EQ(0, c[3].res);
	ring_exit(&r);
}

/* IORING_SETUP_NO_SQARRAY: SQEs are taken in ring order, no index array. */
TEST(no_sqarray_submission)
{
	struct io_uring_params p = { .flags = IORING_SETUP_NO_SQARRAY };
	struct io_uring_cqe c[8];
	struct ring r;
	int round;

	EMU_RING_INIT_OR_SKIP(&r, 4, &p);
	for (round = 0; round < 10; round++) {
		nop(&r, round * 3, 0);
		nop(&r, round * 3 + 1, 0);
		nop(&r, round * 3 + 2, 0);
		ASSERT_EQ(3003, submit(&r, 3, c, 8));
		EXPECT_EQ(round * 3, c[0].user_data);
		EXPECT_EQ(round * 3 + 2, c[2].user_data);
	}
	EXPECT_EQ(0, *r.sq_dropped);
	ring_exit(&r);
}

TEST_HARNESS_MAIN
