// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, injected one at a time with the kernel's fault
 * injection (/proc/thread-self/fail-nth with failslab and fail_page_alloc),
 * and memory cgroup limits. Every failure must give a clean errno; leaks
 * show up in the kmemleak scan the debug runner does at the end.
 *
 * Needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and
 * CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel of make check-debug);
 * SKIPs elsewhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#define FAIL_NTH "/proc/thread-self/fail-nth"
#define DEBUGFS "/sys/kernel/debug"

/*
 * One fd on fail-nth for the whole test, so that setting and reading the
 * countdown allocates nothing (an open() or close() in between would use
 * up the countdown before the call under test).
 */
static int nth_fd = -1;

static int fail_nth_set(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -1;
}

/* What is left of the countdown: 0 means the fault was injected. */
static int fail_nth_get(void)
{
	char buf[16] = {};

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		return -1;
	return atoi(buf);
}

/* Make sleeping allocations fail too: the module's all can sleep. */
static const char *fault_setup(void)
{
	if (access(EMU_DEV, F_OK))
		return "/dev/emu_uring missing: load emu_uring.ko";
	if (access(FAIL_NTH, F_OK))
		return "no fail-nth: kernel without CONFIG_FAULT_INJECTION";
	if (nth_fd < 0)
		nth_fd = open(FAIL_NTH, O_RDWR);
	if (nth_fd < 0)
		return "cannot open fail-nth";
	if (access(DEBUGFS "/failslab", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (access(DEBUGFS "/failslab", F_OK) ||
	    access(DEBUGFS "/fail_page_alloc", F_OK))
		return "no failslab/fail_page_alloc in debugfs";
	if (emu_write_file(DEBUGFS "/failslab/ignore-gfp-wait", "N") ||
	    emu_write_file(DEBUGFS "/failslab/verbose", getenv("EMU_FAULT_VERBOSE") ? "2" : "0") ||
	    emu_write_file(DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N") ||
	    emu_write_file(DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N") ||
	    emu_write_file(DEBUGFS "/fail_page_alloc/min-order", "0") ||
	    emu_write_file(DEBUGFS "/fail_page_alloc/verbose", getenv("EMU_FAULT_VERBOSE") ? "2" : "0"))
		return "cannot configure fault injection";
	return NULL;
}

#define FAULT_SETUP_OR_SKIP() do {				\
	const char *__why = fault_setup();			\
	if (__why)						\
		SKIP(return, "%s", __why);			\
} while (0)

FIXTURE(sizes) {
	int unused;
};

FIXTURE_VARIANT(sizes) {
	unsigned int entries;
	unsigned int flags;
};

FIXTURE_VARIANT_ADD(sizes, e1) { .entries = 1 };
FIXTURE_VARIANT_ADD(sizes, e8) { .entries = 8 };
FIXTURE_VARIANT_ADD(sizes, e256_nosqarray) {
	.entries = 256, .flags = IORING_SETUP_NO_SQARRAY,
};
FIXTURE_VARIANT_ADD(sizes, e4096) { .entries = 4096 };
FIXTURE_VARIANT_ADD(sizes, e32768) { .entries = 32768 };

FIXTURE_SETUP(sizes)
{
}

FIXTURE_TEARDOWN(sizes)
{
}

/*
 * Fail the 1st, 2nd, 3rd... allocation of SETUP until one SETUP makes it
 * through: each failure is -ENOMEM and leaves the file ready to try again.
 */
TEST_F_TIMEOUT(sizes, setup_every_allocation_fails_cleanly, 600)
{
	unsigned int n, injected = 0;

	FAULT_SETUP_OR_SKIP();
	for (n = 1; n < 100000; n++) {
		struct io_uring_params p = { .flags = variant->flags };
		int fd = open(EMU_DEV, O_RDWR), ret, left, err;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, fail_nth_set(n));
		ret = emu_setup(fd, variant->entries, &p);
		err = errno;
		left = fail_nth_get();
		ASSERT_EQ(0, fail_nth_set(0));
		if (left) {
			/* Fewer than n allocations: SETUP went through. */
			ASSERT_EQ(0, ret);
			close(fd);
			break;
		}
		injected++;
		if (ret == 0) {
			/* Absorbed by a fallback (kvmalloc tries vmalloc). */
			close(fd);
			continue;
		}
		ASSERT_EQ(-1, ret);
		ASSERT_EQ(ENOMEM, err) {
			TH_LOG("allocation %u: errno %d", n, err);
		}
		/* Nothing half set up: no mapping, and SETUP works now. */
		EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
					   fd, IORING_OFF_SQ_RING));
		ASSERT_EQ(0, emu_setup(fd, variant->entries, &p));
		close(fd);
	}
	TH_LOG("%u entries: %u allocation failures injected", variant->entries,
	       injected);
	EXPECT_LT(0, injected);
}

/* open() of the device with each of its allocations failing. */
TEST(open_allocation_fails_cleanly)
{
	unsigned int n, injected = 0;

	FAULT_SETUP_OR_SKIP();
	for (n = 1; n < 1000; n++) {
		int fd, err, left;

		ASSERT_EQ(0, fail_nth_set(n));
		fd = open(EMU_DEV, O_RDWR);
		err = errno;
		left = fail_nth_get();
		ASSERT_EQ(0, fail_nth_set(0));
		if (fd >= 0) {
			close(fd);
			if (left)
				break;
			continue;
		}
		injected++;
		EXPECT_TRUE(err == ENOMEM || err == ENFILE) {
			TH_LOG("allocation %u: errno %d", n, err);
		}
	}
	EXPECT_LT(0, injected);
}

/*
 * No request can be allocated for an SQE: submission stops before it, the
 * SQE stays queued and runs on the next ENTER; nothing is lost. A ring's
 * requests are cached, so only its first ENTER allocates them.
 */
TEST(request_allocation_fails)
{
	struct io_uring_cqe cqe;
	unsigned int n, seen = 0;

	FAULT_SETUP_OR_SKIP();
	/*
	 * Fail the n-th allocation of a new ring's first ENTER, for each n,
	 * until one shows (a slab's first page may be retried quietly).
	 */
	for (n = 1; n < 100 && !seen; n++) {
		int ret, left, consumed, i;
		struct ring r;

		ASSERT_EQ(0, ring_init(&r, 4, NULL));
		for (i = 0; i < 4; i++)
			ring_queue_nop(&r, i);
		ring_flush(&r);
		ASSERT_EQ(0, fail_nth_set(n));
		ret = emu_enter(r.fd, 4, 0, 0);
		left = fail_nth_get();
		ASSERT_EQ(0, fail_nth_set(0));
		if (ret == 4) {
			ring_exit(&r);
			if (left)
				break;	/* fewer than n allocations */
			continue;
		}
		seen++;
		if (ret < 0) {
			ASSERT_EQ(EAGAIN, errno);
			consumed = 0;
		} else {
			consumed = ret;
		}
		/* What was left queued runs now; nothing was lost. */
		ASSERT_EQ(4 - consumed, emu_enter(r.fd, 4 - consumed, 4,
						  IORING_ENTER_GETEVENTS));
		for (i = 0; i < 4; i++) {
			ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
			EXPECT_EQ(i, cqe.user_data);
			EXPECT_EQ(0, cqe.res);
		}
		EXPECT_EQ(0, *r.cq_overflow);
		ring_exit(&r);
	}
	EXPECT_EQ(1, seen);
}

/*
 * A READV that parks keeps its iovecs (IORING_FEAT_SUBMIT_STABLE); if that
 * allocation fails, the request completes with -ENOMEM, it is not lost.
 */
TEST(park_allocation_fails)
{
	char buf[8];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_cqe cqe;
	struct ring r;
	int p[2], ret;

	FAULT_SETUP_OR_SKIP();
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_init(&r, 4, NULL));
	/* Warm the request cache so the park's allocation is the first. */
	ring_queue_nop(&r, 0);
	ring_flush(&r);
	ASSERT_EQ(1, emu_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	ring_queue_readv(&r, p[0], &iov, 1, 0, 1);
	ring_flush(&r);
	ASSERT_EQ(0, fail_nth_set(1));
	ret = emu_enter(r.fd, 1, 0, 0);
	ASSERT_EQ(0, fail_nth_get());
	ASSERT_EQ(0, fail_nth_set(0));
	ASSERT_EQ(1, ret);
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(-ENOMEM, cqe.res);
	close(p[0]);
	close(p[1]);
	ring_exit(&r);
}

/* PROBE's buffer cannot be allocated: -ENOMEM. */
TEST(probe_allocation_fails)
{
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[8];
	} buf = {};
	struct emu_uring_probe arg = { .probe = (uintptr_t)&buf, .nr_ops = 8 };
	int fd, ret, err;

	FAULT_SETUP_OR_SKIP();
	fd = open(EMU_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fail_nth_set(1));
	ret = ioctl(fd, EMU_URING_IOC_PROBE, &arg);
	err = errno;
	ASSERT_EQ(0, fail_nth_get());
	ASSERT_EQ(0, fail_nth_set(0));
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(ENOMEM, err);
	close(fd);
}

#define CG_TEST EMU_CG_ROOT "/emu_uring_limit"

/*
 * SETUP of the largest ring in a memory cgroup too small for it fails with
 * -ENOMEM: it does not OOM-kill anyone, the caller included.
 */
TEST(memcg_limit_setup_enomem)
{
	const char *why = emu_cgroup_create(CG_TEST, "1M");
	int status;
	pid_t pid;

	if (why)
		SKIP(return, "%s", why);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct io_uring_params p = {};
		int fd = open(EMU_DEV, O_RDWR);

		if (fd < 0 || emu_cgroup_enter(CG_TEST))
			_exit(10);
		if (emu_setup(fd, 32768, &p) == 0)
			_exit(11);
		_exit(errno == ENOMEM ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	rmdir(CG_TEST);
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("killed by signal %d", WTERMSIG(status));
	}
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
