// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_READV: positional and current-position reads of real files,
 * short reads, EOF and every errno on its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define FILE_SIZE	8192

/* A temporary file of @size bytes of a known pattern; returns an fd. */
static int make_file(size_t size, int flags, unsigned char *pattern)
{
	char name[] = "/tmp/emu_readv.XXXXXX";
	unsigned char *buf = malloc(size ? size : 1);
	size_t i;
	int fd;

	if (!buf)
		return -1;
	for (i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 8));
	if (pattern)
		memcpy(pattern, buf, size);
	fd = mkstemp(name);
	if (fd >= 0) {
		if (write(fd, buf, size) != (ssize_t)size) {
			close(fd);
			fd = -1;
		} else {
			close(fd);
			fd = open(name, flags);
		}
		unlink(name);
	}
	free(buf);
	return fd;
}

FIXTURE(readv) {
	struct ring r;
	int fd;
	unsigned char data[FILE_SIZE];
	unsigned char buf[FILE_SIZE];
};

FIXTURE_SETUP(readv)
{
	self->r.fd = -1;
	self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
	self->fd = make_file(FILE_SIZE, O_RDONLY, self->data);
	ASSERT_LE(0, self->fd);
	memset(self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(readv)
{
	if (self->fd >= 0)
		close(self->fd);
	ring_exit(&self->r);
}

/* Submit everything queued, expect @nr consumed, return the first CQE. */
static int submit_one_cqe(struct ring *r, struct io_uring_cqe *cqe)
{
	int n = ring_flush(r);

	if (emu_enter(r->fd, n, n, IORING_ENTER_GETEVENTS) != n)
		return -1;
	return ring_pop_cqe(r, cqe);
}

/* Two iovecs at offset 0 of one file. */
TEST_F(readv, single_file)
{
	struct iovec iov[2] = {
		{ self->buf, 100 },
		{ self->buf + 1000, 200 },
	};
	struct io_uring_cqe cqe;

	ASSERT_NE(NULL, ring_queue_readv(&self->r, self->fd, iov, 2, 0, 11));
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(11, cqe.user_data);
	ASSERT_EQ(300, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, self->data, 100));
	EXPECT_EQ(0, memcmp(self->buf + 1000, self->data + 100, 200));
	/* A positional read leaves the file position alone. */
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
}

/* A read at an offset returns the bytes from that offset. */
TEST_F(readv, at_offset)
{
	struct iovec iov = { self->buf, 1000 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, &iov, 1, 4097, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	ASSERT_EQ(1000, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, self->data + 4097, 1000));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
}

/* Offset -1 reads at the file position and advances it, like readv(2). */
TEST_F(readv, current_position)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;

	ASSERT_EQ(5, lseek(self->fd, 5, SEEK_SET));
	ring_queue_readv(&self->r, self->fd, &iov, 1, (uint64_t)-1, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	ASSERT_EQ(10, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, self->data + 5, 10));
	EXPECT_EQ(15, lseek(self->fd, 0, SEEK_CUR));

	iov.iov_base = self->buf + 10;
	ring_queue_readv(&self->r, self->fd, &iov, 1, (uint64_t)-1, 2);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	ASSERT_EQ(10, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf + 10, self->data + 15, 10));
	EXPECT_EQ(25, lseek(self->fd, 0, SEEK_CUR));
}

/* A read past the end is short; at the end it is 0. */
TEST_F(readv, short_read_and_eof)
{
	struct iovec iov = { self->buf, 4096 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, &iov, 1, FILE_SIZE - 100, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	ASSERT_EQ(100, cqe.res);
	EXPECT_EQ(0, memcmp(self->buf, self->data + FILE_SIZE - 100, 100));

	ring_queue_readv(&self->r, self->fd, &iov, 1, FILE_SIZE, 2);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

/* An empty file reads 0 bytes. */
TEST_F(readv, empty_file)
{
	struct iovec iov = { self->buf, 4096 };
	struct io_uring_cqe cqe;
	int fd = make_file(0, O_RDONLY, NULL);

	ASSERT_LE(0, fd);
	ring_queue_readv(&self->r, fd, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(0, cqe.res);
	close(fd);
}

/* Zero iovecs read nothing. */
TEST_F(readv, zero_iovecs)
{
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, NULL, 0, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(0, cqe.res);
}

/* Three files of different sizes, read in one ENTER. */
TEST_F(readv, three_files_one_enter)
{
	static const size_t sizes[3] = { 17, 4096, 5000 };
	static unsigned char want[3][5000], got[3][5000];
	struct io_uring_cqe cqe;
	struct iovec iov[3];
	int fds[3], i;

	for (i = 0; i < 3; i++) {
		fds[i] = make_file(sizes[i], O_RDONLY, want[i]);
		ASSERT_LE(0, fds[i]);
		iov[i].iov_base = got[i];
		iov[i].iov_len = sizeof(got[i]);
		ring_queue_readv(&self->r, fds[i], &iov[i], 1, 0, 300 + i);
	}
	ASSERT_EQ(3, ring_flush(&self->r));
	ASSERT_EQ(3, emu_enter(self->r.fd, 3, 3, IORING_ENTER_GETEVENTS));
	/*
	 * In any order, as io_uring's: one that would block (a file system
	 * that refuses IOCB_NOWAIT now) completes after the others.
	 */
	for (i = 0; i < 3; i++) {
		int k;

		ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
		k = (int)cqe.user_data - 300;
		ASSERT_TRUE(k >= 0 && k < 3 && fds[k] >= 0);
		ASSERT_EQ(sizes[k], cqe.res);
		EXPECT_EQ(0, memcmp(got[k], want[k], sizes[k]));
		close(fds[k]);
		fds[k] = -1;
	}
}

/* A closed fd is -EBADF. */
TEST_F(readv, closed_fd)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;
	int fd = dup(self->fd);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	ring_queue_readv(&self->r, fd, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EBADF, cqe.res);
}

/* A negative fd is -EBADF. */
TEST_F(readv, negative_fd)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, -1, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EBADF, cqe.res);
}

/* An fd open only for writing is -EBADF. */
TEST_F(readv, write_only_fd)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;
	int fd = make_file(100, O_WRONLY, NULL);

	ASSERT_LE(0, fd);
	ring_queue_readv(&self->r, fd, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EBADF, cqe.res);
	close(fd);
}

/* An O_PATH fd cannot be read: -EBADF. */
TEST_F(readv, o_path_fd)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;
	int fd = open("/", O_PATH);

	ASSERT_LE(0, fd);
	ring_queue_readv(&self->r, fd, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EBADF, cqe.res);
	close(fd);
}

/* The ring's own fd has nothing to read: -EINVAL. */
TEST_F(readv, ring_fd)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->r.fd, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
}

/* An iovec array at an unmapped address is -EFAULT. */
TEST_F(readv, bad_iovec_pointer)
{
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, (struct iovec *)16, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EFAULT, cqe.res);
}

/* A buffer at an unmapped address is -EFAULT. */
TEST_F(readv, bad_buffer_pointer)
{
	struct iovec iov = { (void *)16, 10 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, &iov, 1, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EFAULT, cqe.res);
}

/* More iovecs than UIO_MAXIOV (1024) is -EINVAL, as for readv(2). */
TEST_F(readv, too_many_iovecs)
{
	static struct iovec iov[1025];
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, iov, 1025, 0, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
}

/* A negative offset other than -1 is -EINVAL, as for preadv(2). */
TEST_F(readv, negative_offset)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, &iov, 1, (uint64_t)-2, 1);
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
}

/* rw_flags unknown to preadv2(2) give its errno, -EOPNOTSUPP. */
TEST_F(readv, unknown_rw_flags)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, &iov, 1, 0, 1)->rw_flags =
		1U << 30;
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EOPNOTSUPP, cqe.res);
}

/*
 * RWF_HIPRI asks to poll for the completion, which only an
 * IORING_SETUP_IOPOLL ring does: -EINVAL, as io_uring's io_rw_init_file().
 */
TEST_F(readv, rwf_hipri)
{
	struct iovec iov = { self->buf, 10 };
	struct io_uring_cqe cqe;

	ring_queue_readv(&self->r, self->fd, &iov, 1, 0, 1)->rw_flags =
		RWF_HIPRI;
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
}

/* Fields READV does not use must be zero: one variant per field. */
FIXTURE(unused_field) {
	struct ring r;
	int fd;
};

FIXTURE_VARIANT(unused_field) {
	void (*set)(struct io_uring_sqe *sqe);
};

static void set_ioprio(struct io_uring_sqe *sqe) { sqe->ioprio = 1; }
static void set_buf_index(struct io_uring_sqe *sqe) { sqe->buf_index = 1; }
static void set_personality(struct io_uring_sqe *sqe) { sqe->personality = 1; }
static void set_splice_fd_in(struct io_uring_sqe *sqe) { sqe->splice_fd_in = 1; }
static void set_addr3(struct io_uring_sqe *sqe) { sqe->addr3 = 1; }
static void set_pad2(struct io_uring_sqe *sqe) { sqe->__pad2[0] = 1; }

FIXTURE_VARIANT_ADD(unused_field, ioprio) { .set = set_ioprio };
FIXTURE_VARIANT_ADD(unused_field, buf_index) { .set = set_buf_index };
FIXTURE_VARIANT_ADD(unused_field, personality) { .set = set_personality };
FIXTURE_VARIANT_ADD(unused_field, splice_fd_in) { .set = set_splice_fd_in };
FIXTURE_VARIANT_ADD(unused_field, addr3) { .set = set_addr3 };
FIXTURE_VARIANT_ADD(unused_field, pad2) { .set = set_pad2 };

FIXTURE_SETUP(unused_field)
{
	self->r.fd = -1;
	self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 2, NULL);
	self->fd = make_file(100, O_RDONLY, NULL);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(unused_field)
{
	if (self->fd >= 0)
		close(self->fd);
	ring_exit(&self->r);
}

TEST_F(unused_field, readv_rejects)
{
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_cqe cqe;

	variant->set(ring_queue_readv(&self->r, self->fd, &iov, 1, 0, 5));
	ASSERT_EQ(0, submit_one_cqe(&self->r, &cqe));
	EXPECT_EQ(5, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
}

TEST_HARNESS_MAIN
