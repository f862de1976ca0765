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

/* Submit everything queued; expect @consumed; collect the CQEs. */
static int submit(struct ring *r, unsigned int to_submit,
		  struct io_uring_cqe *cqes, unsigned int max)
{
	unsigned int n = 0;
	int ret;

	ring_flush(r);
	ret = emu_enter(r->fd, to_submit, 0, 0);
	if (ret < 0)
		return ret;
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

	nop(&self->r, 1, IOSQE_CQE_SKIP_SUCCESS);
	bad_read(&self->r, 2, IOSQE_CQE_SKIP_SUCCESS, self->buf);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, self->buf, 200, 0,
		      3)->flags = IOSQE_CQE_SKIP_SUCCESS;	/* short */
	nop(&self->r, 4, 0);
	ASSERT_EQ(4003, submit(&self->r, 4, c, 8));
	EXPECT_EQ(2, c[0].user_data);
	EXPECT_EQ(-EBADF, c[0].res);
	EXPECT_EQ(3, c[1].user_data);
	EXPECT_EQ(100, c[1].res);
	EXPECT_EQ(4, c[2].user_data);
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

/* IOSQE_IO_DRAIN: the drained SQE starts after every earlier one ended. */
TEST_F(link, drain)
{
	struct io_uring_cqe c[8];
	char in[8] = {};

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "drained", 7, 0, 1);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, in, 7, 0,
		      2)->flags = IOSQE_IO_DRAIN;
	nop(&self->r, 3, 0);
	ASSERT_EQ(3003, submit(&self->r, 3, c, 8));
	EXPECT_EQ(7, c[0].res);
	EXPECT_EQ(7, c[1].res);
	EXPECT_EQ(0, memcmp(in, "drained", 7));
	EXPECT_EQ(3, c[2].user_data);
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
