// SPDX-License-Identifier: GPL-2.0
/*
 * libemu_uring: liburing's API on /dev/emu_uring. Each test uses the API
 * the way a liburing program does and checks the result it must give.
 * Run in a guest with the module loaded (selftests/vmtest.sh --user).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "kselftest_harness.h"

#define DEV "/dev/emu_uring"

FIXTURE(ring) {
	struct io_uring ring;
	char path[64];
	int fd;
};

FIXTURE_SETUP(ring)
{
	int ret;

	if (access(DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", DEV);
	ret = io_uring_queue_init(8, &self->ring, 0);
	ASSERT_EQ(0, ret);
	snprintf(self->path, sizeof(self->path), "/tmp/lib_test.XXXXXX");
	self->fd = mkstemp(self->path);
	ASSERT_LE(0, self->fd);
	unlink(self->path);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd > 0)
		close(self->fd);
	if (self->ring.ring_fd > 0)
		io_uring_queue_exit(&self->ring);
}

/* Submit what is queued and take exactly one CQE. */
static int one_cqe(struct io_uring *ring, struct io_uring_cqe *out)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return ret;
	*out = *cqe;
	io_uring_cqe_seen(ring, cqe);
	return 0;
}

TEST_F(ring, params_and_features)
{
	/* The ring is io_uring's: power-of-two sizes, CQ twice the SQ. */
	EXPECT_EQ(8, self->ring.sq.ring_entries);
	EXPECT_EQ(16, self->ring.cq.ring_entries);
	EXPECT_EQ(7, self->ring.sq.ring_mask);
	EXPECT_TRUE(self->ring.features & IORING_FEAT_SINGLE_MMAP);
	EXPECT_TRUE(self->ring.features & IORING_FEAT_NODROP);
	EXPECT_TRUE(self->ring.features & IORING_FEAT_EXT_ARG);
	EXPECT_EQ(self->ring.sq.ring_ptr, self->ring.cq.ring_ptr);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Nothing completes: the wait ends with -ETIME once the timeout passed. */
TEST_F(ring, wait_cqe_timeout_etime)
{
	struct __kernel_timespec ts = { .tv_nsec = 100 * 1000000 };
	struct io_uring_cqe *cqe = (void *)1;
	long long t0 = now_ms();

	EXPECT_EQ(-ETIME, io_uring_wait_cqe_timeout(&self->ring, &cqe, &ts));
	EXPECT_LE(90, now_ms() - t0);
	EXPECT_EQ(NULL, cqe);
}

/* A CQE that is there, or comes, ends the wait before the timeout. */
TEST_F(ring, wait_cqe_timeout_cqe)
{
	struct __kernel_timespec ts = { .tv_sec = 5 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);
	struct io_uring_cqe *cqe;
	long long t0 = now_ms();

	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 7);
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, io_uring_wait_cqe_timeout(&self->ring, &cqe, &ts));
	EXPECT_EQ(7, cqe->user_data);
	EXPECT_GT(2000, now_ms() - t0);
	io_uring_cqe_seen(&self->ring, cqe);
}

/* Submit and wait with a timeout in one call: liburing returns the count. */
TEST_F(ring, submit_and_wait_timeout)
{
	struct __kernel_timespec ts = { .tv_sec = 5 };
	struct io_uring_cqe *cqe = NULL;

	io_uring_prep_nop(io_uring_get_sqe(&self->ring));
	io_uring_prep_nop(io_uring_get_sqe(&self->ring));
	EXPECT_EQ(2, io_uring_submit_and_wait_timeout(&self->ring, &cqe, 2,
						      &ts, NULL));
	ASSERT_NE(NULL, cqe);
	EXPECT_EQ(2, io_uring_cq_ready(&self->ring));
	io_uring_cq_advance(&self->ring, 2);
}

/* io_uring_wait_cqes() for more than will come: -ETIME, CQEs kept. */
TEST_F(ring, wait_cqes_timeout_fewer)
{
	struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000 };
	struct io_uring_cqe *cqe;
	sigset_t mask;

	sigemptyset(&mask);
	io_uring_prep_nop(io_uring_get_sqe(&self->ring));
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	/* One CQE is there: the kernel's wait gives 0, liburing the CQE. */
	ASSERT_EQ(0, io_uring_wait_cqes(&self->ring, &cqe, 2, &ts, &mask));
	ASSERT_NE(NULL, cqe);
	io_uring_cqe_seen(&self->ring, cqe);
	EXPECT_EQ(-ETIME, io_uring_wait_cqes(&self->ring, &cqe, 1, &ts,
					     &mask));
}

TEST_F(ring, nop_user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);
	struct io_uring_cqe cqe;
	int marker;

	ASSERT_NE(NULL, sqe);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data(sqe, &marker);
	EXPECT_EQ(1, io_uring_sq_ready(&self->ring));
	EXPECT_EQ(7, io_uring_sq_space_left(&self->ring));
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(&marker, io_uring_cqe_get_data(&cqe));
	EXPECT_EQ(0, io_uring_sq_ready(&self->ring));
	EXPECT_EQ(0, io_uring_cq_ready(&self->ring));
}

/* SEND and RECV over a socketpair, with liburing's prep helpers. */
TEST_F(ring, send_recv)
{
	char in[16] = {};
	struct io_uring_cqe cqe;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	io_uring_prep_send(io_uring_get_sqe(&self->ring), sv[0], "ping", 4, 0);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(4, cqe.res);
	io_uring_prep_recv(io_uring_get_sqe(&self->ring), sv[1], in,
			   sizeof(in), 0);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(4, cqe.res);
	EXPECT_STREQ("ping", in);
	close(sv[0]);
	close(sv[1]);
}

/* An eventfd registered, toggled off and on through cq.flags. */
TEST_F(ring, eventfd)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct io_uring_cqe cqe;
	eventfd_t v;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, io_uring_register_eventfd(&self->ring, efd));
	EXPECT_EQ(-EBUSY, io_uring_register_eventfd(&self->ring, efd));
	EXPECT_TRUE(io_uring_cq_eventfd_enabled(&self->ring));
	io_uring_prep_nop(io_uring_get_sqe(&self->ring));
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(0, eventfd_read(efd, &v));

	ASSERT_EQ(0, io_uring_cq_eventfd_toggle(&self->ring, false));
	EXPECT_FALSE(io_uring_cq_eventfd_enabled(&self->ring));
	io_uring_prep_nop(io_uring_get_sqe(&self->ring));
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(-1, eventfd_read(efd, &v));
	ASSERT_EQ(0, io_uring_cq_eventfd_toggle(&self->ring, true));

	ASSERT_EQ(0, io_uring_unregister_eventfd(&self->ring));
	EXPECT_EQ(-ENXIO, io_uring_unregister_eventfd(&self->ring));
	close(efd);
}

TEST_F(ring, get_sqe_full)
{
	int i;

	for (i = 0; i < 8; i++)
		ASSERT_NE(NULL, io_uring_get_sqe(&self->ring));
	/* The SQ holds 8: the ninth must wait for a submit. */
	EXPECT_EQ(NULL, io_uring_get_sqe(&self->ring));
	for (i = 0; i < 8; i++)
		io_uring_prep_nop(&self->ring.sq.sqes[i]);
	EXPECT_EQ(8, io_uring_submit(&self->ring));
	EXPECT_NE(NULL, io_uring_get_sqe(&self->ring));
}

TEST_F(ring, peek_empty)
{
	struct io_uring_cqe *cqe = (void *)1;

	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&self->ring, &cqe));
	EXPECT_EQ(NULL, cqe);
}

TEST_F(ring, for_each_cqe_and_advance)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	__u64 i;

	for (i = 0; i < 8; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&self->ring);

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 100 + i);
	}
	ASSERT_EQ(8, io_uring_submit_and_wait(&self->ring, 8));
	EXPECT_EQ(8, io_uring_cq_ready(&self->ring));
	io_uring_for_each_cqe(&self->ring, head, cqe) {
		EXPECT_EQ(100 + seen, io_uring_cqe_get_data64(cqe));
		seen++;
	}
	EXPECT_EQ(8, seen);
	io_uring_cq_advance(&self->ring, seen);
	EXPECT_EQ(0, io_uring_cq_ready(&self->ring));
}

TEST_F(ring, wait_cqe_nr_and_batch)
{
	struct io_uring_cqe *cqes[8], *cqe;
	int i;

	for (i = 0; i < 4; i++)
		io_uring_prep_nop(io_uring_get_sqe(&self->ring));
	ASSERT_EQ(4, io_uring_submit(&self->ring));
	ASSERT_EQ(0, io_uring_wait_cqe_nr(&self->ring, &cqe, 4));
	EXPECT_EQ(4, io_uring_peek_batch_cqe(&self->ring, cqes, 8));
	EXPECT_EQ(2, io_uring_peek_batch_cqe(&self->ring, cqes, 2));
	io_uring_cq_advance(&self->ring, 4);
	EXPECT_EQ(0, io_uring_peek_batch_cqe(&self->ring, cqes, 8));
}

/* More than the CQ holds: it returns with what there is, as liburing. */
TEST_F(ring, wait_cqe_nr_more_than_cq)
{
	struct io_uring_cqe *cqe;
	int i, round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < 8; i++)
			io_uring_prep_nop(io_uring_get_sqe(&self->ring));
		ASSERT_EQ(8, io_uring_submit(&self->ring));
	}
	ASSERT_EQ(16, io_uring_cq_ready(&self->ring));
	ASSERT_EQ(0, io_uring_wait_cqe_nr(&self->ring, &cqe, 20));
	EXPECT_NE(NULL, cqe);
	io_uring_cq_advance(&self->ring, 16);
	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&self->ring, &cqe));
}

TEST_F(ring, write_read_fsync)
{
	char out[8192], in[8192], a[100], b[100];
	struct iovec wv[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct iovec rv[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct io_uring_cqe cqe;
	unsigned int i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = i * 7;
	io_uring_prep_write(io_uring_get_sqe(&self->ring), self->fd, out,
			    sizeof(out), 0);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(sizeof(out), cqe.res);
	io_uring_prep_fsync(io_uring_get_sqe(&self->ring), self->fd,
			    IORING_FSYNC_DATASYNC);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(0, cqe.res);
	io_uring_prep_read(io_uring_get_sqe(&self->ring), self->fd, in,
			   sizeof(in), 0);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	ASSERT_EQ(sizeof(in), cqe.res);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	io_uring_prep_writev(io_uring_get_sqe(&self->ring), self->fd, wv, 2,
			     8192);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(200, cqe.res);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	io_uring_prep_readv2(io_uring_get_sqe(&self->ring), self->fd, rv, 2,
			     8192 + 50, 0);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(150, cqe.res);
	EXPECT_EQ('a', a[49]);
	EXPECT_EQ('b', a[50]);
	EXPECT_EQ('b', b[49]);
}

TEST_F(ring, link_failure_cancels_rest)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	char buf[16];

	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_read(sqe, 1000, buf, sizeof(buf), 0);
	io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
	io_uring_sqe_set_data64(sqe, 1);
	sqe = io_uring_get_sqe(&self->ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 2);
	ASSERT_EQ(2, io_uring_submit_and_wait(&self->ring, 2));
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(-EBADF, cqe.res);
	ASSERT_EQ(0, one_cqe(&self->ring, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(-ECANCELED, cqe.res);
}

TEST_F(ring, probe)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(&self->ring);
	struct io_uring_probe *q = io_uring_get_probe();

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, q);
	EXPECT_TRUE(io_uring_opcode_supported(p, IORING_OP_NOP));
	EXPECT_TRUE(io_uring_opcode_supported(p, IORING_OP_READV));
	EXPECT_TRUE(io_uring_opcode_supported(p, IORING_OP_WRITE));
	EXPECT_TRUE(io_uring_opcode_supported(p, IORING_OP_FSYNC));
	EXPECT_FALSE(io_uring_opcode_supported(p, IORING_OP_ACCEPT));
	EXPECT_FALSE(io_uring_opcode_supported(p, -1));
	EXPECT_EQ(0, memcmp(p, q, sizeof(*p) + 256 * sizeof(p->ops[0])));
	io_uring_free_probe(p);
	io_uring_free_probe(q);
}

TEST_F(ring, register_errors)
{
	int null = open("/dev/null", O_RDWR);

	/* Opcodes the module lacks: what a kernel without them says. */
	EXPECT_EQ(-EINVAL, io_uring_register(self->ring.ring_fd,
					     IORING_REGISTER_BUFFERS, NULL, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(self->ring.ring_fd, 9999, NULL, 0));
	/* Not a ring at all. */
	EXPECT_EQ(-EOPNOTSUPP, io_uring_register(null, IORING_REGISTER_PROBE,
						 NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, io_uring_register(null, IORING_REGISTER_FILES,
						 NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, io_uring_enter(null, 0, 0, 0, NULL));
	EXPECT_EQ(-EBADF, io_uring_enter(-1, 0, 0, 0, NULL));
	close(null);
}

/*
 * A ring set up disabled, confined to NOP with io_uring_register_restrictions(),
 * then enabled with io_uring_enable_rings(): READV is refused (-EACCES).
 * And io_uring_register() on another character device is -EOPNOTSUPP.
 */
TEST(restrictions)
{
	struct io_uring_params p = { .flags = IORING_SETUP_R_DISABLED };
	struct io_uring_restriction res = {
		.opcode = IORING_RESTRICTION_SQE_OP,
		.sqe_op = IORING_OP_NOP,
	};
	struct io_uring_cqe cqe;
	struct io_uring ring;
	struct iovec iov = { NULL, 0 };
	int zero;

	ASSERT_EQ(0, io_uring_queue_init_params(4, &ring, &p));
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	EXPECT_EQ(-EBADFD, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_register_restrictions(&ring, &res, 1));
	ASSERT_EQ(0, io_uring_enable_rings(&ring));
	EXPECT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, one_cqe(&ring, &cqe));
	EXPECT_EQ(0, cqe.res);
	io_uring_prep_readv(io_uring_get_sqe(&ring), 0, &iov, 1, 0);
	EXPECT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, one_cqe(&ring, &cqe));
	EXPECT_EQ(-EACCES, cqe.res);
	io_uring_queue_exit(&ring);

	zero = open("/dev/zero", O_RDWR);
	ASSERT_LE(0, zero);
	EXPECT_EQ(-EOPNOTSUPP, io_uring_register(zero, IORING_REGISTER_PROBE,
						 NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, io_uring_register(zero,
						 IORING_REGISTER_ENABLE_RINGS,
						 NULL, 0));
	close(zero);
}

TEST_F(ring, overflow_backlog_reaped_in_order)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 2 };
	struct io_uring small;
	struct io_uring_cqe *cqe;
	__u64 i, next = 0;

	ASSERT_EQ(0, io_uring_queue_init_params(2, &small, &p));
	ASSERT_EQ(2, small.cq.ring_entries);
	/* Eight CQEs into a CQ of two: six wait in the module's backlog. */
	for (i = 0; i < 8; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&small);

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, i);
		if (i & 1)
			ASSERT_EQ(2, io_uring_submit(&small));
	}
	EXPECT_TRUE(io_uring_cq_has_overflow(&small));
	while (next < 8) {
		ASSERT_EQ(0, io_uring_wait_cqe(&small, &cqe));
		EXPECT_EQ(next, cqe->user_data);
		next++;
		io_uring_cqe_seen(&small, cqe);
	}
	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&small, &cqe));
	EXPECT_FALSE(io_uring_cq_has_overflow(&small));
	io_uring_queue_exit(&small);
}

TEST_F(ring, fork_child_uses_ring)
{
	struct io_uring_cqe cqe;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		io_uring_prep_nop(io_uring_get_sqe(&self->ring));
		_exit(one_cqe(&self->ring, &cqe) || cqe.res ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

TEST(setup_errors)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL };
	struct io_uring ring;

	if (access(DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", DEV);
	EXPECT_EQ(-EINVAL, io_uring_queue_init(0, &ring, 0));
	/* SQPOLL needs a kernel thread the module does not have. */
	EXPECT_EQ(-EINVAL, io_uring_queue_init_params(4, &ring, &p));
	EXPECT_EQ(-EFAULT, io_uring_setup(4, NULL));
	EXPECT_EQ(-EFAULT, io_uring_setup(4, (void *)16));
}

/* Re-run as a child with EMU_URING_DEVICE pointing nowhere. */
TEST(device_missing_is_enosys)
{
	char exe[256];
	int status;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		setenv("EMU_URING_DEVICE", "/nonexistent/emu_uring", 1);
		execl(exe, exe, "--child-init", NULL);
		_exit(100);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/* The errno a kernel without io_uring gives. */
	EXPECT_EQ(ENOSYS, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--child-init")) {
		struct io_uring ring;
		int ret = io_uring_queue_init(4, &ring, 0);

		if (!ret)
			io_uring_queue_exit(&ring);
		return -ret;
	}
	return test_harness_run(argc, argv);
}
