// SPDX-License-Identifier: GPL-2.0
/*
 * READ, WRITE, WRITEV and FSYNC: positional and current-position I/O,
 * O_APPEND, RLIMIT_FSIZE, stream files and signals, and a random data
 * check against pread(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

/* An empty temporary file, already unlinked, open with @flags. */
static int tmp_file(int flags)
{
	char name[] = "/tmp/emu_rw.XXXXXX";
	int fd = mkstemp(name);

	if (fd < 0)
		return -1;
	close(fd);
	fd = open(name, flags);
	unlink(name);
	return fd;
}

FIXTURE(rw) {
	struct ring r;
	int fd;
};

FIXTURE_SETUP(rw)
{
	self->r.fd = -1;
	self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
	self->fd = tmp_file(O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(rw)
{
	if (self->fd >= 0)
		close(self->fd);
	ring_exit(&self->r);
}

/* Submit all that is queued, wait for it, and pop the first CQE's res. */
static int run1(struct ring *r, int *res)
{
	struct io_uring_cqe cqe;
	int n = ring_flush(r);

	if (emu_enter(r->fd, n, n, IORING_ENTER_GETEVENTS) != n)
		return -1;
	if (ring_pop_cqe(r, &cqe))
		return -1;
	*res = cqe.res;
	return 0;
}

/* WRITE then READ a single buffer at an offset. */
TEST_F(rw, write_read_single_buffer)
{
	char out[] = "positional write", in[64] = {};
	int res;

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, out, 16, 100, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(16, res);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, in, sizeof(in), 100,
		      2);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(16, res);
	EXPECT_EQ(0, memcmp(in, out, 16));
	EXPECT_EQ(116, lseek(self->fd, 0, SEEK_END));
	/* Positional I/O leaves the file position alone. */
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_SET));
}

/* WRITEV gathers several buffers. */
TEST_F(rw, writev_gathers)
{
	char a[] = "abc", b[] = "defgh", in[16] = {};
	struct iovec iov[2] = { { a, 3 }, { b, 5 } };
	int res;

	ring_queue_rw(&self->r, IORING_OP_WRITEV, self->fd, iov, 2, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(8, res);
	ASSERT_EQ(8, pread(self->fd, in, sizeof(in), 0));
	EXPECT_EQ(0, memcmp(in, "abcdefgh", 8));
}

/* Offset -1 writes and reads at the file position and advances it. */
TEST_F(rw, current_position)
{
	char in[8] = {};
	int res;

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "1234", 4, -1, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(4, res);
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "5678", 4, -1, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(4, res);
	EXPECT_EQ(8, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(2, lseek(self->fd, 2, SEEK_SET));
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, in, 3, -1, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(3, res);
	EXPECT_EQ(0, memcmp(in, "345", 3));
	EXPECT_EQ(5, lseek(self->fd, 0, SEEK_CUR));
}

/* O_APPEND: a positional write still goes to the end, as pwrite(2). */
TEST_F(rw, o_append)
{
	char in[16] = {};
	int fd = tmp_file(O_RDWR | O_APPEND), res;

	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "head.", 5));
	ring_queue_rw(&self->r, IORING_OP_WRITE, fd, "tail", 4, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(4, res);
	ASSERT_EQ(9, pread(fd, in, sizeof(in), 0));
	EXPECT_EQ(0, memcmp(in, "head.tail", 9));
	close(fd);
}

/* RWF_APPEND in rw_flags appends, as pwritev2(2). */
TEST_F(rw, rwf_append)
{
	char in[16] = {};
	int res;

	ASSERT_EQ(3, pwrite(self->fd, "abc", 3, 0));
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "de", 2, 0,
		      1)->rw_flags = RWF_APPEND;
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(2, res);
	ASSERT_EQ(5, pread(self->fd, in, sizeof(in), 0));
	EXPECT_EQ(0, memcmp(in, "abcde", 5));
}

/* Unknown rw_flags on a write: -EOPNOTSUPP, as pwritev2(2). */
TEST_F(rw, write_unknown_rw_flags)
{
	int res;

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, "x", 1, 0,
		      1)->rw_flags = 1U << 30;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EOPNOTSUPP, res);
}

/* WRITE on an fd not open for writing is -EBADF. */
TEST_F(rw, write_read_only_fd)
{
	int fd = tmp_file(O_RDONLY), res;

	ASSERT_LE(0, fd);
	ring_queue_rw(&self->r, IORING_OP_WRITE, fd, "x", 1, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EBADF, res);
	close(fd);
}

/* READ on an fd not open for reading is -EBADF. */
TEST_F(rw, read_write_only_fd)
{
	char in[4];
	int fd = tmp_file(O_WRONLY), res;

	ASSERT_LE(0, fd);
	ring_queue_rw(&self->r, IORING_OP_READ, fd, in, 4, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EBADF, res);
	close(fd);
}

/* A closed fd is -EBADF for WRITE too. */
TEST_F(rw, write_closed_fd)
{
	int fd = dup(self->fd), res;

	ASSERT_EQ(0, close(fd));
	ring_queue_rw(&self->r, IORING_OP_WRITE, fd, "x", 1, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EBADF, res);
}

/* A READ or WRITE buffer that is not mapped is -EFAULT. */
TEST_F(rw, bad_buffer)
{
	int res;

	ASSERT_EQ(1, pwrite(self->fd, "x", 1, 0));
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, (void *)16, 1, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EFAULT, res);
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, (void *)16, 1, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EFAULT, res);
	/* A kernel address is refused as well. */
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd,
		      (void *)0xffffffff81000000UL, 1, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EFAULT, res);
}

/* A WRITEV iovec array that is not mapped is -EFAULT. */
TEST_F(rw, writev_bad_iovec)
{
	int res;

	ring_queue_rw(&self->r, IORING_OP_WRITEV, self->fd, (void *)16, 1, 0,
		      1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EFAULT, res);
}

/* Fields the read/write ops do not use must be zero. */
TEST_F(rw, unused_fields)
{
	static const uint8_t ops[] = {
		IORING_OP_READ, IORING_OP_WRITE, IORING_OP_WRITEV,
	};
	unsigned int i;
	char buf[4];
	int res;

	for (i = 0; i < sizeof(ops); i++) {
		ring_queue_rw(&self->r, ops[i], self->fd, buf, 4, 0,
			      1)->ioprio = 1;
		ASSERT_EQ(0, run1(&self->r, &res));
		EXPECT_EQ(-EINVAL, res);
		ring_queue_rw(&self->r, ops[i], self->fd, buf, 4, 0,
			      1)->addr3 = 1;
		ASSERT_EQ(0, run1(&self->r, &res));
		EXPECT_EQ(-EINVAL, res);
		ring_queue_rw(&self->r, ops[i], self->fd, buf, 4, 0,
			      1)->buf_index = 1;
		ASSERT_EQ(0, run1(&self->r, &res));
		EXPECT_EQ(-EINVAL, res);
	}
}

static void rlimit_child(struct ring *r, int fd, uint8_t sqe_flags)
{
	static char buf[2000];
	struct rlimit rl = { 1000, 1000 };
	struct io_uring_cqe cqe;

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl))
		_exit(10);
	/* Up to the limit: a short write. */
	ring_queue_rw(r, IORING_OP_WRITE, fd, buf, 2000, 0, 1)->flags =
		sqe_flags;
	/* At the limit: -EFBIG. */
	ring_queue_rw(r, IORING_OP_WRITE, fd, buf, 10, 1000, 2)->flags =
		sqe_flags;
	ring_flush(r);
	if (emu_enter(r->fd, 2, 2, IORING_ENTER_GETEVENTS) != 2)
		_exit(11);
	if (ring_pop_cqe(r, &cqe) || cqe.res != 1000)
		_exit(12);
	if (ring_pop_cqe(r, &cqe) || cqe.res != -EFBIG)
		_exit(13);
	_exit(0);
}

/* RLIMIT_FSIZE limits writes as it limits pwrite(2). */
TEST_F(rw, rlimit_fsize)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		rlimit_child(&self->r, self->fd, 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* The same from the worker pool (IOSQE_ASYNC): the submitter's limit. */
TEST_F(rw, rlimit_fsize_async)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		rlimit_child(&self->r, self->fd, IOSQE_ASYNC);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* FSYNC and FSYNC with IORING_FSYNC_DATASYNC complete with 0. */
TEST_F(rw, fsync)
{
	struct io_uring_sqe *sqe;
	int res;

	ASSERT_EQ(4, pwrite(self->fd, "data", 4, 0));
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = self->fd;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(0, res);

	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = self->fd;
	sqe->fsync_flags = IORING_FSYNC_DATASYNC;
	sqe->off = 0;
	sqe->len = 4;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(0, res);
}

/* FSYNC errors, each on its own. */
TEST_F(rw, fsync_errors)
{
	struct io_uring_sqe *sqe;
	int res;

	/* Unknown fsync flag. */
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = self->fd;
	sqe->fsync_flags = 2;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EINVAL, res);
	/* Negative offset. */
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = self->fd;
	sqe->off = -5;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EINVAL, res);
	/* A field FSYNC does not use. */
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = self->fd;
	sqe->addr = 1;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EINVAL, res);
	/* No such fd. */
	sqe = ring_get_sqe(&self->r);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = -1;
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EBADF, res);
}

/* Write random data at random offsets, read it back, compare with pread. */
TEST_F(rw, random_data_check)
{
	const size_t file_size = 1 << 20;
	unsigned char *shadow = calloc(1, file_size);
	unsigned char *buf = malloc(16384), *back = malloc(16384);
	unsigned int round, seed = 20261127;
	int res;

	ASSERT_NE(NULL, shadow);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, ftruncate(self->fd, file_size));
	srand(seed);
	for (round = 0; round < 300; round++) {
		size_t len = 1 + rand() % 16384;
		off_t off = rand() % (file_size - len);
		bool vec = rand() & 1;
		struct iovec iov[3];
		size_t i;

		for (i = 0; i < len; i++)
			buf[i] = rand();
		memcpy(shadow + off, buf, len);
		if (vec) {
			size_t a = len / 3, b = len / 3;

			iov[0] = (struct iovec){ buf, a };
			iov[1] = (struct iovec){ buf + a, b };
			iov[2] = (struct iovec){ buf + a + b, len - a - b };
			ring_queue_rw(&self->r, IORING_OP_WRITEV, self->fd,
				      iov, 3, off, round);
		} else {
			ring_queue_rw(&self->r, IORING_OP_WRITE, self->fd, buf,
				      len, off, round);
		}
		ASSERT_EQ(0, run1(&self->r, &res));
		ASSERT_EQ(len, res);

		/* Read back a random range through the ring. */
		off = rand() % (file_size - len);
		memset(back, 0, len);
		if (vec) {
			iov[0] = (struct iovec){ back, len };
			ring_queue_rw(&self->r, IORING_OP_READV, self->fd,
				      iov, 1, off, round);
		} else {
			ring_queue_rw(&self->r, IORING_OP_READ, self->fd, back,
				      len, off, round);
		}
		ASSERT_EQ(0, run1(&self->r, &res));
		ASSERT_EQ(len, res);
		ASSERT_EQ(0, memcmp(back, shadow + off, len)) {
			TH_LOG("round %u: ring read differs at %lld", round,
			       (long long)off);
		}
		ASSERT_EQ((ssize_t)len, pread(self->fd, buf, len, off));
		ASSERT_EQ(0, memcmp(buf, back, len));
	}
	free(shadow);
	free(buf);
	free(back);
}

FIXTURE(pipe) {
	struct ring r;
	int p[2];
};

FIXTURE_SETUP(pipe)
{
	self->r.fd = -1;
	self->p[0] = self->p[1] = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
	ASSERT_EQ(0, pipe(self->p));
}

FIXTURE_TEARDOWN(pipe)
{
	close(self->p[0]);
	close(self->p[1]);
	ring_exit(&self->r);
}

/* Pipes: WRITE then READ through the ring; the offset is not used. */
TEST_F(pipe, write_then_read)
{
	char in[16] = {};
	int res;

	ring_queue_rw(&self->r, IORING_OP_WRITE, self->p[1], "piped", 5, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(5, res);
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], in, sizeof(in),
		      -1, 2);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(5, res);
	EXPECT_EQ(0, memcmp(in, "piped", 5));
}

static void on_alarm(int sig)
{
}

/*
 * A READ of an empty pipe parks, as on io_uring: ENTER returns 2 at once
 * with the NOP after it done and the READ pending. A signal ends the
 * GETEVENTS wait (EINTR) but not the READ, which a write then completes.
 */
TEST_F(pipe, parked_read_not_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = {
		.it_value = { .tv_usec = 100000 },
		.it_interval = { .tv_usec = 100000 },
	};
	struct io_uring_cqe cqe;
	char in[16] = {};

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ring_queue_rw(&self->r, IORING_OP_READ, self->p[0], in, sizeof(in), 0,
		      1);
	ring_queue_nop(&self->r, 2);
	ring_flush(&self->r);
	/* Ticking from here: an ENTER that blocks in the READ ends too. */
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ASSERT_EQ(2, emu_enter(self->r.fd, 2, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(-EAGAIN, ring_pop_cqe(&self->r, &cqe));
	/* The signal ends the wait, not the READ. */
	EXPECT_EQ(-1, emu_enter(self->r.fd, 0, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(EINTR, errno);
	emu_tick(0);
	EXPECT_EQ(-EAGAIN, ring_pop_cqe(&self->r, &cqe));
	ASSERT_EQ(4, write(self->p[1], "data", 4));
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(4, cqe.res);
	EXPECT_EQ(0, memcmp(in, "data", 4));
}

/* An O_NONBLOCK pipe parks a READ too: nonblocking_pipe_parks, async_test.c. */

/* Writing to a pipe without readers is -EPIPE (SIGPIPE ignored). */
TEST_F(pipe, write_no_reader)
{
	int res;

	signal(SIGPIPE, SIG_IGN);
	close(self->p[0]);
	self->p[0] = -1;
	ring_queue_rw(&self->r, IORING_OP_WRITE, self->p[1], "x", 1, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EPIPE, res);
}

/*
 * /proc/self/mem has ->read and ->write only, cannot be polled and is not
 * FMODE_NOWAIT: a READ, a READV of two segments and a WRITE of the
 * process's own memory, run from the worker pool.
 */
TEST_F(rw, proc_mem_read_write)
{
	static char src[64] = "the quick brown fox jumps over the lazy dog";
	static char dst[64];
	char a[20], b[44];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	char buf[64];
	int fd, res;

	fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no /proc/self/mem (%d)", errno);
	ring_queue_rw(&self->r, IORING_OP_READ, fd, buf, sizeof(buf),
		      (uintptr_t)src, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(sizeof(buf), res);
	EXPECT_EQ(0, memcmp(buf, src, sizeof(buf)));

	ring_queue_rw(&self->r, IORING_OP_READV, fd, iov, 2, (uintptr_t)src, 2);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(sizeof(src), res);
	EXPECT_EQ(0, memcmp(a, src, sizeof(a)));
	EXPECT_EQ(0, memcmp(b, src + sizeof(a), sizeof(b)));

	ring_queue_rw(&self->r, IORING_OP_WRITE, fd, src, sizeof(src),
		      (uintptr_t)dst, 3);
	ASSERT_EQ(0, run1(&self->r, &res));
	ASSERT_EQ(sizeof(src), res);
	EXPECT_EQ(0, memcmp(dst, src, sizeof(src)));
	close(fd);
}

/*
 * inotify: a file with ->read but no ->read_iter, which io_uring serves
 * (one ->read per segment) and so must we.
 */
FIXTURE(inotify) {
	struct ring r;
	char dir[32];
	int fd;
};

FIXTURE_SETUP(inotify)
{
	self->r.fd = -1;
	self->fd = -1;
	EMU_RING_INIT_OR_SKIP(&self->r, 8, NULL);
	strcpy(self->dir, "/tmp/emu_inotifyXXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(inotify)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/a", self->dir);
	unlink(path);
	rmdir(self->dir);
	if (self->fd >= 0)
		close(self->fd);
	ring_exit(&self->r);
}

static int watch(FIXTURE_DATA(inotify) *self, int flags)
{
	self->fd = inotify_init1(IN_CLOEXEC | flags);
	if (self->fd < 0)
		return -errno;
	return inotify_add_watch(self->fd, self->dir, IN_CREATE) < 0 ? -errno : 0;
}

/* A kernel without CONFIG_INOTIFY_USER (the debug kernel) has none. */
#define WATCH_OR_SKIP(self, flags) do {					\
	int __ret = watch(self, flags);					\
	if (__ret == -ENOSYS)						\
		SKIP(return, "no inotify in this kernel");		\
	ASSERT_EQ(0, __ret);						\
} while (0)

static void touch(FIXTURE_DATA(inotify) *self)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/a", self->dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
}

/* The event's size, and that it is the IN_CREATE of "a". */
static int event_ok(const char *buf, int res)
{
	const struct inotify_event *ev = (const void *)buf;

	if (res < (int)sizeof(*ev) || res != (int)(sizeof(*ev) + ev->len))
		return 0;
	return (ev->mask & IN_CREATE) && !strcmp(ev->name, "a");
}

/*
 * A READ with no event yet waits without blocking ENTER, and the event
 * completes it.
 */
TEST_F(inotify, read_waits_for_event)
{
	char buf[256] __attribute__((aligned(8)));
	struct io_uring_cqe cqe;

	WATCH_OR_SKIP(self, 0);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, buf, sizeof(buf),
		      0, 1);
	ring_flush(&self->r);
	ASSERT_EQ(1, emu_enter(self->r.fd, 1, 0, 0));
	usleep(50000);
	EXPECT_EQ(-EAGAIN, ring_pop_cqe(&self->r, &cqe));
	touch(self);
	ASSERT_EQ(1, ring_wait_cqes(&self->r, 1, 5000));
	ASSERT_EQ(0, ring_pop_cqe(&self->r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_TRUE(event_ok(buf, cqe.res)) {
		TH_LOG("res %d", cqe.res);
	}
}

/*
 * READV with an event ready: one ->read per segment, and a short one ends
 * it (a read into the second segment would wait for another event).
 */
TEST_F(inotify, readv_stops_at_short_segment)
{
	char a[256] __attribute__((aligned(8))), b[256];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	int res;

	WATCH_OR_SKIP(self, 0);
	touch(self);
	ring_queue_rw(&self->r, IORING_OP_READV, self->fd, iov, 2, 0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_TRUE(event_ok(a, res)) {
		TH_LOG("res %d", res);
	}
}

/* O_NONBLOCK with no event: -EAGAIN, as read(2) gives. */
TEST_F(inotify, nonblocking_empty)
{
	char buf[256];
	int res;

	WATCH_OR_SKIP(self, IN_NONBLOCK);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, buf, sizeof(buf),
		      0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EAGAIN, res);
}

/* A buffer too small for the event: inotify's -EINVAL. */
TEST_F(inotify, small_buffer)
{
	char buf[8];
	int res;

	WATCH_OR_SKIP(self, 0);
	touch(self);
	ring_queue_rw(&self->r, IORING_OP_READ, self->fd, buf, sizeof(buf),
		      0, 1);
	ASSERT_EQ(0, run1(&self->r, &res));
	EXPECT_EQ(-EINVAL, res);
}

TEST_HARNESS_MAIN
