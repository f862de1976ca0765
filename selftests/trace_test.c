// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints under events/emu_uring/ (module/trace.h), read back
 * through tracefs: a ring's creation and end, a request's submission and
 * CQE, a CQE that goes to the backlog, a request parked on its file and one
 * handed to the worker pool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define TRACEFS "/sys/kernel/tracing/"

static int tfs_write(const char *file, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), TRACEFS "%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The trace buffer, NUL-terminated, in a malloc()ed buffer. */
static char *tfs_read_trace(void)
{
	size_t size = 1 << 20, len = 0;
	char *buf = malloc(size);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(TRACEFS "trace", O_RDONLY);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Whether a line of @trace has @event and @what. */
static bool traced(const char *trace, const char *event, const char *what)
{
	const char *line = trace;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char tmp[512];

		if (len >= sizeof(tmp))
			len = sizeof(tmp) - 1;
		memcpy(tmp, line, len);
		tmp[len] = 0;
		if (strstr(tmp, event) && strstr(tmp, what))
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

FIXTURE(trace) {
	int ok;
};

FIXTURE_SETUP(trace)
{
	struct stat st;
	int fd;

	EMU_OPEN_OR_SKIP(fd);
	close(fd);
	if (stat(TRACEFS "trace", &st))
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (stat(TRACEFS "events/emu_uring", &st))
		SKIP(return, "no %sevents/emu_uring (tracefs: %s)", TRACEFS,
		     strerror(errno));
	ASSERT_EQ(0, tfs_write("tracing_on", "0"));
	ASSERT_EQ(0, tfs_write("trace", ""));
	ASSERT_EQ(0, tfs_write("events/emu_uring/enable", "1"));
	ASSERT_EQ(0, tfs_write("tracing_on", "1"));
	self->ok = 1;
}

FIXTURE_TEARDOWN(trace)
{
	if (!self->ok)
		return;
	tfs_write("events/emu_uring/enable", "0");
	tfs_write("trace", "");
}

/* Every event, each with the fields that tie it to its request. */
TEST_F_TIMEOUT(trace, events, 20)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 2 };
	struct io_uring_cqe cqe;
	char data[8], *t;
	struct ring r;
	int pfd[2];

	ASSERT_EQ(0, ring_init(&r, 2, &p));
	ASSERT_EQ(0, pipe(pfd));
	/* A NOP inline, one through the pool, then a READ parked on a pipe. */
	ring_queue_nop(&r, 0xe1e10001);
	ring_queue_nop(&r, 0xe1e10002)->flags = IOSQE_ASYNC;
	ring_flush(&r);
	ASSERT_EQ(2, emu_enter(r.fd, 2, 2, IORING_ENTER_GETEVENTS));
	ring_queue_rw(&r, IORING_OP_READ, pfd[0], data, sizeof(data), 0,
		      0xe1e10003);
	ring_flush(&r);
	ASSERT_EQ(1, emu_enter(r.fd, 1, 0, 0));
	/* The CQ of 2 holds the NOPs': the READ's CQE goes to the backlog. */
	ASSERT_EQ(8, write(pfd[1], "abcdefgh", 8));
	usleep(200000);
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	/* A wait flushes the backlog into the room made. */
	ASSERT_EQ(1, ring_wait_cqes(&r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(0xe1e10003, cqe.user_data);
	EXPECT_EQ(8, cqe.res);
	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
	usleep(100000);
	ASSERT_EQ(0, tfs_write("tracing_on", "0"));

	t = tfs_read_trace();
	ASSERT_NE(NULL, t);
	EXPECT_TRUE(traced(t, "emu_uring_create:", "sq size 2, cq size 2"));
	EXPECT_TRUE(traced(t, "emu_uring_submit_req:",
			   "user_data 0xe1e10001, opcode 0, fd 0, flags 0x0, res 0"));
	EXPECT_TRUE(traced(t, "emu_uring_submit_req:",
			   "user_data 0xe1e10003, opcode 22"));
	EXPECT_TRUE(traced(t, "emu_uring_complete:",
			   "user_data 0xe1e10001, result 0, cflags 0x0"));
	EXPECT_TRUE(traced(t, "emu_uring_queue_async_work:",
			   "user_data 0xe1e10002, opcode 0"));
	EXPECT_TRUE(traced(t, "emu_uring_poll_arm:",
			   "user_data 0xe1e10003, opcode 22"));
	EXPECT_TRUE(traced(t, "emu_uring_cqe_overflow:",
			   "user_data 0xe1e10003, res 8, cflags 0x0, backlog"));
	EXPECT_TRUE(traced(t, "emu_uring_complete:",
			   "user_data 0xe1e10003, result 8"));
	EXPECT_TRUE(traced(t, "emu_uring_destroy:", "ring "));
	free(t);
}

/* A preparation error shows in the submission's res. */
TEST_F(trace, submit_error)
{
	struct io_uring_cqe cqe;
	struct ring r;
	char *t;

	ASSERT_EQ(0, ring_init(&r, 4, NULL));
	ring_queue_nop(&r, 0xe1e20001)->flags = 0x80;
	ring_flush(&r);
	ASSERT_EQ(1, emu_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(-EINVAL, cqe.res);
	ring_exit(&r);
	ASSERT_EQ(0, tfs_write("tracing_on", "0"));
	t = tfs_read_trace();
	ASSERT_NE(NULL, t);
	EXPECT_TRUE(traced(t, "emu_uring_submit_req:",
			   "user_data 0xe1e20001, opcode 0, fd 0, flags 0x80, res -22"));
	free(t);
}

TEST_HARNESS_MAIN
