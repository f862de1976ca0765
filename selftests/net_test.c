// SPDX-License-Identifier: GPL-2.0
/*
 * SEND and RECV (io_uring/net.c's semantics): data both ways on a
 * socketpair, a RECV that parks until the peer writes, MSG_DONTWAIT's
 * -EAGAIN, MSG_WAITALL across several writes, sendto(2) with an address,
 * a peer that closes, -EPIPE without SIGPIPE, -ENOTSOCK, and the flags and
 * fields that are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

/* A SEND or RECV: a read or write with MSG_* flags and no offset. */
static struct io_uring_sqe *queue_sr(struct ring *r, uint8_t op, int fd,
				     const void *buf, unsigned int len,
				     int flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = ring_queue_rw(r, op, fd, buf, len, 0, ud);

	if (sqe)
		sqe->msg_flags = flags;
	return sqe;
}

FIXTURE(net) {
	struct ring r;
	int sv[2];
};

FIXTURE_SETUP(net)
{
	EMU_RING_INIT_OR_SKIP(&self->r, 16, NULL);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				self->sv));
}

FIXTURE_TEARDOWN(net)
{
	ring_exit(&self->r);
	close(self->sv[0]);
	close(self->sv[1]);
}

TEST_F(net, send_then_recv)
{
	char out[] = "hello, ring", in[32] = {};

	queue_sr(&self->r, IORING_OP_SEND, self->sv[0], out, sizeof(out), 0, 1);
	EXPECT_EQ((int)sizeof(out), ring_submit_one(&self->r, NULL));
	queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in), 0, 2);
	EXPECT_EQ((int)sizeof(out), ring_submit_one(&self->r, NULL));
	EXPECT_STREQ(out, in);
}

/* An empty socket: the RECV parks, ENTER returns, the peer's write ends it. */
TEST_F_TIMEOUT(net, recv_parks_until_written, 10)
{
	struct io_uring_cqe cqe;
	char in[8] = {};

	queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in), 0, 7);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	usleep(50 * 1000);
	EXPECT_EQ(0, ring_cq_ready(&self->r));
	ASSERT_EQ(3, write(self->sv[0], "abc", 3));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(7, cqe.user_data);
	EXPECT_EQ(3, cqe.res);
	EXPECT_STREQ("abc", in);
}

TEST_F(net, dontwait_is_eagain)
{
	char in[8];

	queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in),
		 MSG_DONTWAIT, 1);
	EXPECT_EQ(-EAGAIN, ring_submit_one(&self->r, NULL));
}

static void *write_in_pieces(void *arg)
{
	int fd = *(int *)arg;

	for (int i = 0; i < 4; i++) {
		usleep(30 * 1000);
		if (write(fd, "0123456789" + i * 2, 2) != 2)
			return (void *)1;
	}
	return NULL;
}

/* MSG_WAITALL on a stream socket: one CQE with the whole count. */
TEST_F_TIMEOUT(net, waitall_across_writes, 10)
{
	struct io_uring_cqe cqe;
	char in[9] = {};
	pthread_t t;

	queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, 8, MSG_WAITALL, 3);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, write_in_pieces, &self->sv[0]));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	pthread_join(t, NULL);
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(8, cqe.res);
	EXPECT_STREQ("01234567", in);
}

/* The peer goes: a parked RECV completes with 0. */
TEST_F_TIMEOUT(net, peer_closes_mid_recv, 10)
{
	struct io_uring_cqe cqe;
	char in[8];

	queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in), 0, 4);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	close(self->sv[0]);
	self->sv[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(0, cqe.res);
}

/* To a closed peer: -EPIPE, and no SIGPIPE (MSG_NOSIGNAL, as io_uring). */
TEST_F(net, send_to_closed_peer_no_sigpipe)
{
	close(self->sv[1]);
	self->sv[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	queue_sr(&self->r, IORING_OP_SEND, self->sv[0], "x", 1, 0, 5);
	EXPECT_EQ(-EPIPE, ring_submit_one(&self->r, NULL));
}

/* sendto(2): SEND with an address in addr2 and addr_len, on datagrams. */
TEST_F(net, send_with_address)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct io_uring_sqe *sqe;
	socklen_t len;
	char in[8] = {};
	int rx, tx;

	/* An abstract name, unique to this process. */
	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "emu-net-%d",
		 getpid());
	len = offsetof(struct sockaddr_un, sun_path) + 1 +
	      strlen(sa.sun_path + 1);
	rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, rx);
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, bind(rx, (struct sockaddr *)&sa, len));
	sqe = queue_sr(&self->r, IORING_OP_SEND, tx, "dgram", 5, 0, 6);
	sqe->addr2 = (uintptr_t)&sa;
	sqe->addr_len = len;
	EXPECT_EQ(5, ring_submit_one(&self->r, NULL));
	EXPECT_EQ(5, recv(rx, in, sizeof(in), MSG_DONTWAIT));
	EXPECT_STREQ("dgram", in);
	/* No address, not connected. */
	queue_sr(&self->r, IORING_OP_SEND, tx, "x", 1, 0, 7);
	EXPECT_EQ(-ENOTCONN, ring_submit_one(&self->r, NULL));
	close(rx);
	close(tx);
}

TEST_F(net, refused)
{
	struct io_uring_sqe *sqe;
	int p[2];
	char b[4];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	queue_sr(&self->r, IORING_OP_RECV, p[0], b, sizeof(b), 0, 1);
	EXPECT_EQ(-ENOTSOCK, ring_submit_one(&self->r, NULL));
	close(p[0]);
	close(p[1]);
	/* Not yet: multishot, bundles, fixed buffers. */
	sqe = queue_sr(&self->r, IORING_OP_RECV, self->sv[1], b, sizeof(b), 0, 2);
	sqe->ioprio = IORING_RECV_MULTISHOT;
	EXPECT_EQ(-EINVAL, ring_submit_one(&self->r, NULL));
	sqe = queue_sr(&self->r, IORING_OP_SEND, self->sv[0], b, sizeof(b), 0, 3);
	sqe->ioprio = IORING_RECVSEND_FIXED_BUF;
	EXPECT_EQ(-EINVAL, ring_submit_one(&self->r, NULL));
	sqe = queue_sr(&self->r, IORING_OP_RECV, self->sv[1], b, sizeof(b), 0, 4);
	sqe->file_index = 1;
	EXPECT_EQ(-EINVAL, ring_submit_one(&self->r, NULL));
	sqe = queue_sr(&self->r, IORING_OP_RECV, self->sv[1], b, sizeof(b), 0, 5);
	sqe->addr2 = 1;
	EXPECT_EQ(-EINVAL, ring_submit_one(&self->r, NULL));
	sqe = queue_sr(&self->r, IORING_OP_SEND, -1, b, sizeof(b), 0, 6);
	EXPECT_EQ(-EBADF, ring_submit_one(&self->r, NULL));
	/* A bad buffer. */
	ASSERT_EQ(1, write(self->sv[0], "z", 1));
	queue_sr(&self->r, IORING_OP_RECV, self->sv[1], (void *)8, 4, 0, 7);
	EXPECT_EQ(-EFAULT, ring_submit_one(&self->r, NULL));
}

/* IORING_RECVSEND_POLL_FIRST: the same result, data there or not. */
TEST_F_TIMEOUT(net, poll_first, 10)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	char in[8] = {};

	ASSERT_EQ(2, write(self->sv[0], "pf", 2));
	sqe = queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in), 0, 8);
	sqe->ioprio = IORING_RECVSEND_POLL_FIRST;
	EXPECT_EQ(2, ring_submit_one(&self->r, NULL));
	sqe = queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in), 0, 9);
	sqe->ioprio = IORING_RECVSEND_POLL_FIRST;
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	ASSERT_EQ(1, write(self->sv[0], "q", 1));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.res);
}

/* IOSQE_ASYNC: the worker pool blocks in the RECV instead. */
TEST_F_TIMEOUT(net, async_recv_in_pool, 10)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	char in[8] = {};

	sqe = queue_sr(&self->r, IORING_OP_RECV, self->sv[1], in, sizeof(in), 0, 10);
	sqe->flags = IOSQE_ASYNC;
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	usleep(50 * 1000);
	ASSERT_EQ(4, write(self->sv[0], "pool", 4));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(4, cqe.res);
	EXPECT_STREQ("pool", in);
}

TEST_HARNESS_MAIN
