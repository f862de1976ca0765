// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's policy (module/policy.c): the device's mode, the
 * disabled/group switch (kernel.io_uring_disabled's meanings), the opcode
 * allowlist, the size, ring-count and in-flight limits, each changed at run
 * time through /sys/module/emu_uring/parameters/ and restored after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define PARAMS "/sys/module/emu_uring/parameters/"

/* Write a parameter: 0 or -errno. */
static int param_set(const char *name, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a parameter into @buf, without its newline: 0 or -errno. */
static int param_get(const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	if (n && buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
	return 0;
}

/* SETUP on a fresh fd: 0 or -errno. */
static int try_setup(unsigned int entries, struct io_uring_params *p)
{
	struct io_uring_params local = {};
	int fd = open(EMU_DEV, O_RDWR | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (emu_setup(fd, entries, p ? p : &local) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int probe_flags(int fd, unsigned int op)
{
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[256];
	} buf;
	struct emu_uring_probe arg = { .probe = (uintptr_t)&buf, .nr_ops = 256 };

	memset(&buf, 0, sizeof(buf));
	if (ioctl(fd, EMU_URING_IOC_PROBE, &arg))
		return -errno;
	if (op >= buf.p.ops_len)
		return 0;
	return buf.ops[op].flags;
}

/* In a child: drop to nobody with supplementary group @gid, then SETUP. */
static int setup_as_nobody(int fd, gid_t gid)
{
	struct io_uring_params p = {};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1000;
	if (!pid) {
		if (setgroups(1, &gid) || setgid(65534) || setuid(65534))
			_exit(101);
		_exit(emu_setup(fd, 4, &p) < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1001;
	return WEXITSTATUS(status);
}

/* The parameters a test may change: saved before, restored after. */
static const char *const run_time[] = {
	"disabled", "group", "allowed_ops", "max_sq_entries",
	"max_cq_entries", "max_rings_per_user", "max_inflight",
};

#define NR_RUN_TIME (sizeof(run_time) / sizeof(run_time[0]))

static volatile int race_stop;
static pthread_t race_thread;
static bool race_running;

FIXTURE(policy) {
	char saved[NR_RUN_TIME][512];
};

FIXTURE_SETUP(policy)
{
	unsigned int i;
	int fd;

	EMU_OPEN_OR_SKIP(fd);
	close(fd);
	if (param_get("disabled", self->saved[0], sizeof(self->saved[0])))
		SKIP(return, "no " PARAMS ": a module without the policy");
	for (i = 0; i < NR_RUN_TIME; i++)
		ASSERT_EQ(0, param_get(run_time[i], self->saved[i],
				       sizeof(self->saved[i])));
}

/* Whatever a test changed (or a thread of it changes) is put back. */
FIXTURE_TEARDOWN(policy)
{
	unsigned int i;

	if (race_running) {
		race_stop = 1;
		pthread_join(race_thread, NULL);
		race_running = false;
	}
	for (i = 0; i < NR_RUN_TIME; i++)
		if (self->saved[i][0] || !strcmp(run_time[i], "allowed_ops"))
			param_set(run_time[i], self->saved[i]);
}

/* Loaded without parameters: root only, all opcodes, no limits. */
TEST_F(policy, defaults)
{
	char buf[256];
	struct stat st;

	ASSERT_EQ(0, stat(EMU_DEV, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, param_get("disabled", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, param_get("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("ALL", buf);
	ASSERT_EQ(0, param_get("dev_mode", buf, sizeof(buf)));
	EXPECT_STREQ("0600", buf);
	/* Load time only. */
	EXPECT_EQ(-EACCES, param_set("dev_mode", "0666"));
}

/* In a child: drop to nobody with @ngroups (0 or 1) groups, @gid, and open. */
static int open_as_nobody(int ngroups, gid_t gid)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1000;
	if (!pid) {
		int fd;

		if (setgroups(ngroups, &gid) || setgid(65534) || setuid(65534))
			_exit(101);
		fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
		_exit(fd < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1001;
	return WEXITSTATUS(status);
}

/*
 * A non-root user against the node's modes: refused at dev_mode's 0600,
 * let in by 0660 only as a member of the node's group (what the package's
 * udev rule sets up), and by nothing else.
 */
TEST_F(policy, dev_mode_non_root)
{
	struct stat st;

	ASSERT_EQ(0, stat(EMU_DEV, &st));
	ASSERT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(EACCES, open_as_nobody(0, 0));
	EXPECT_EQ(EACCES, open_as_nobody(1, 1234));

	ASSERT_EQ(0, chown(EMU_DEV, 0, 1234));
	ASSERT_EQ(0, chmod(EMU_DEV, 0660));
	EXPECT_EQ(0, open_as_nobody(1, 1234));
	EXPECT_EQ(EACCES, open_as_nobody(1, 4321));
	EXPECT_EQ(EACCES, open_as_nobody(0, 0));
	/* Back as it was made. */
	ASSERT_EQ(0, chmod(EMU_DEV, st.st_mode & 07777));
	ASSERT_EQ(0, chown(EMU_DEV, st.st_uid, st.st_gid));
	EXPECT_EQ(EACCES, open_as_nobody(1, 1234));
}

/* Values outside their meanings are refused, and change nothing. */
TEST_F(policy, bad_values)
{
	char buf[64];

	EXPECT_EQ(-EINVAL, param_set("disabled", "3"));
	EXPECT_EQ(-EINVAL, param_set("disabled", "-1"));
	EXPECT_EQ(-EINVAL, param_set("max_sq_entries", "100"));
	EXPECT_EQ(-EINVAL, param_set("max_sq_entries", "65536"));
	EXPECT_EQ(-EINVAL, param_set("max_cq_entries", "131072"));
	EXPECT_EQ(-EINVAL, param_set("max_inflight", "-1"));
	EXPECT_EQ(-EINVAL, param_set("allowed_ops", "NOP,SENDMSG_ZC"));
	EXPECT_EQ(-EINVAL, param_set("allowed_ops", "NOP,"));
	ASSERT_EQ(0, param_get("disabled", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, param_get("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("ALL", buf);
	ASSERT_EQ(0, param_get("max_sq_entries", buf, sizeof(buf)));
	EXPECT_STREQ("32768", buf);
}

/*
 * disabled=2: nobody sets up a ring, root and the group included (-EPERM,
 * as io_uring_setup(2)); a ring set up before keeps working.
 */
TEST_F(policy, disabled_2)
{
	struct ring r;

	int fd;

	ASSERT_EQ(0, ring_init(&r, 4, NULL));
	ASSERT_EQ(0, param_set("disabled", "2"));
	EXPECT_EQ(-EPERM, try_setup(4, NULL));
	/* Nor a non-root user, even in the group. */
	ASSERT_EQ(0, param_set("group", "1234"));
	fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EPERM, setup_as_nobody(fd, 1234));
	close(fd);
	ring_queue_nop(&r, 7);
	EXPECT_EQ(0, ring_submit_one(&r, NULL));
	ring_exit(&r);
	ASSERT_EQ(0, param_set("disabled", "0"));
	EXPECT_EQ(0, try_setup(4, NULL));
}

/*
 * disabled=1: CAP_SYS_ADMIN may; another user only as a member of
 * @group (its fd opened before it dropped its privileges).
 */
TEST_F(policy, disabled_1_group)
{
	int fd;

	ASSERT_EQ(0, param_set("disabled", "1"));
	EXPECT_EQ(0, try_setup(4, NULL));

	fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* No group set: refused. */
	EXPECT_EQ(EPERM, setup_as_nobody(fd, 1234));
	/* Another group: refused. */
	ASSERT_EQ(0, param_set("group", "4321"));
	EXPECT_EQ(EPERM, setup_as_nobody(fd, 1234));
	/* Its group: allowed. */
	ASSERT_EQ(0, param_set("group", "1234"));
	EXPECT_EQ(0, setup_as_nobody(fd, 1234));
	close(fd);

	/* disabled=0: anyone who can open the device. */
	fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, param_set("disabled", "0"));
	ASSERT_EQ(0, param_set("group", "-1"));
	EXPECT_EQ(0, setup_as_nobody(fd, 1234));
	close(fd);
}

/*
 * allowed_ops: a ring set up after the change may use only those; every
 * other opcode that exists gets -EACCES in its CQE (an unknown one still
 * -EINVAL), for each of 0-255. A ring set up before keeps its rules.
 */
TEST_F(policy, allowed_ops_every_opcode)
{
	struct ring before, r;
	char buf[256];
	unsigned int op;
	uint64_t ud;

	bool implemented[256];
	int fd;

	/* What exists, from PROBE before any restriction. */
	fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (op = 0; op < 256; op++)
		implemented[op] = probe_flags(fd, op) == IO_URING_OP_SUPPORTED;
	close(fd);
	ASSERT_TRUE(implemented[IORING_OP_WRITE]);

	ASSERT_EQ(0, ring_init(&before, 4, NULL));
	ASSERT_EQ(0, param_set("allowed_ops", "nop, READV"));
	ASSERT_EQ(0, param_get("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("NOP,READV", buf);
	ASSERT_EQ(0, ring_init(&r, 4, NULL));

	for (op = 0; op < 256; op++) {
		struct io_uring_sqe *sqe = ring_get_sqe(&r);
		int res, flags = probe_flags(r.fd, op);

		ASSERT_NE(NULL, sqe);
		sqe->opcode = op;
		sqe->fd = -1;
		sqe->user_data = op;
		res = ring_submit_one(&r, &ud);
		EXPECT_EQ(op, ud);
		if (op == IORING_OP_NOP) {
			EXPECT_EQ(0, res);
			EXPECT_EQ(IO_URING_OP_SUPPORTED, flags);
		} else if (op == IORING_OP_READV) {
			/* Allowed: fails on its bad fd. */
			EXPECT_EQ(-EBADF, res);
			EXPECT_EQ(IO_URING_OP_SUPPORTED, flags);
		} else if (implemented[op]) {
			/* Before its own checks (a zeroed TIMEOUT is bad). */
			EXPECT_EQ(-EACCES, res) {
				TH_LOG("opcode %u", op);
			}
			EXPECT_EQ(0, flags);
		} else {
			EXPECT_EQ(-EINVAL, res);
			EXPECT_EQ(0, flags);
		}
	}
	/* The ring set up before: WRITE is no -EACCES there. */
	{
		struct io_uring_sqe *sqe = ring_get_sqe(&before);

		ASSERT_NE(NULL, sqe);
		sqe->opcode = IORING_OP_WRITE;
		sqe->fd = -1;
		EXPECT_EQ(-EBADF, ring_submit_one(&before, NULL));
		EXPECT_EQ(IO_URING_OP_SUPPORTED,
			  probe_flags(before.fd, IORING_OP_WRITE));
	}
	ring_exit(&before);
	ring_exit(&r);
}

/* A refused opcode in a chain fails the chain as a bad SQE does. */
TEST_F(policy, allowed_ops_in_chain)
{
	struct io_uring_cqe cqe[2];
	struct io_uring_sqe *sqe;
	struct ring r;
	int i;

	ASSERT_EQ(0, param_set("allowed_ops", "NOP"));
	ASSERT_EQ(0, ring_init(&r, 4, NULL));
	ring_queue_nop(&r, 1)->flags = IOSQE_IO_LINK;
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_FSYNC;
	sqe->fd = -1;
	sqe->user_data = 2;
	ring_flush(&r);
	ASSERT_EQ(2, emu_enter(r.fd, 2, 2, IORING_ENTER_GETEVENTS));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe[i]));
	for (i = 0; i < 2; i++) {
		int want = cqe[i].user_data == 1 ? -ECANCELED : -EACCES;

		EXPECT_EQ(want, cqe[i].res);
	}
	ring_exit(&r);
}

/* PROBE before SETUP reports the policy in force now. */
TEST_F(policy, probe_before_setup)
{
	int fd;

	ASSERT_EQ(0, param_set("allowed_ops", "READ"));
	fd = open(EMU_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(IO_URING_OP_SUPPORTED, probe_flags(fd, IORING_OP_READ));
	EXPECT_EQ(0, probe_flags(fd, IORING_OP_NOP));
	close(fd);
}

/* max_sq_entries and max_cq_entries: -EINVAL beyond, the limit with CLAMP. */
TEST_F(policy, size_limits)
{
	struct io_uring_params p;

	ASSERT_EQ(0, param_set("max_sq_entries", "64"));
	EXPECT_EQ(0, try_setup(64, NULL));
	EXPECT_EQ(-EINVAL, try_setup(65, NULL));
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CLAMP;
	EXPECT_EQ(0, try_setup(1000, &p));
	EXPECT_EQ(64, p.sq_entries);
	EXPECT_EQ(128, p.cq_entries);

	ASSERT_EQ(0, param_set("max_cq_entries", "64"));
	/* The default CQ (twice the SQ) is beyond it. */
	EXPECT_EQ(-EINVAL, try_setup(64, NULL));
	EXPECT_EQ(0, try_setup(32, NULL));
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 128;
	EXPECT_EQ(-EINVAL, try_setup(8, &p));
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CLAMP;
	EXPECT_EQ(0, try_setup(64, &p));
	EXPECT_EQ(64, p.sq_entries);
	EXPECT_EQ(64, p.cq_entries);
}

/* max_rings_per_user: the next SETUP fails with -EAGAIN until one goes. */
TEST_F(policy, rings_per_user)
{
	struct ring a, b;

	ASSERT_EQ(0, param_set("max_rings_per_user", "2"));
	ASSERT_EQ(0, ring_init(&a, 4, NULL));
	ASSERT_EQ(0, ring_init(&b, 4, NULL));
	EXPECT_EQ(-EAGAIN, try_setup(4, NULL));
	ring_exit(&a);
	EXPECT_EQ(0, try_setup(4, NULL));
	ring_exit(&b);
}

/*
 * max_inflight: ENTER stops consuming SQEs at the limit, and with none
 * consumed fails with -EBUSY; completions make room. fdinfo shows it.
 */
TEST_F(policy, inflight_limit)
{
	struct io_uring_cqe cqe;
	char data[3][8];
	char buf[4096];
	struct ring r;
	int p[2], i;

	ASSERT_EQ(0, param_set("max_inflight", "2"));
	ASSERT_EQ(0, ring_init(&r, 8, NULL));
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 3; i++)
		ring_queue_rw(&r, IORING_OP_READ, p[0], data[i], sizeof(data[i]),
			      0, i);
	ring_flush(&r);
	EXPECT_EQ(2, emu_enter(r.fd, 3, 0, 0));
	EXPECT_EQ(-1, emu_enter(r.fd, 1, 0, 0));
	EXPECT_EQ(EBUSY, errno);

	ASSERT_LT(0, emu_fdinfo(r.fd, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "Inflight:\t2\n"));
	EXPECT_NE(NULL, strstr(buf, "MaxInflight:\t2\n"));

	ASSERT_EQ(8, write(p[1], "abcdefgh", 8));
	ASSERT_EQ(1, ring_wait_cqes(&r, 1, 2000));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(8, cqe.res);
	EXPECT_EQ(1, emu_enter(r.fd, 1, 0, 0));
	ASSERT_EQ(16, write(p[1], "abcdefghabcdefgh", 16));
	EXPECT_EQ(2, ring_wait_cqes(&r, 2, 2000));
	close(p[0]);
	close(p[1]);
	ring_exit(&r);
}

static void *race_params(void *arg)
{
	unsigned int i = 0;

	while (!race_stop) {
		param_set("allowed_ops", i & 1 ? "ALL" : "NOP,READ");
		param_set("max_inflight", i & 2 ? "0" : "16");
		param_set("max_sq_entries", i & 4 ? "32768" : "8");
		i++;
	}
	return NULL;
}

/*
 * Parameters changed while rings are set up: each ring gets one allowlist
 * or the other, and does as its fdinfo says: a WRITE is refused (-EACCES)
 * under NOP,READ and runs (-EBADF on its bad fd) under ALL.
 */
TEST_F_TIMEOUT(policy, params_race_setup, 60)
{
	int i, nr[2] = { 0, 0 };
	char buf[4096];

	race_stop = 0;
	ASSERT_EQ(0, pthread_create(&race_thread, NULL, race_params, NULL));
	race_running = true;
	for (i = 0; i < 300; i++) {
		struct io_uring_sqe *sqe;
		bool all;
		struct ring r;
		char *ops;

		ASSERT_EQ(0, ring_init(&r, 8, NULL));
		ASSERT_LT(0, emu_fdinfo(r.fd, buf, sizeof(buf)));
		ops = strstr(buf, "AllowedOps:\t");
		ASSERT_NE(NULL, ops);
		all = !strncmp(ops, "AllowedOps:\tALL\n", 16);
		if (!all)
			ASSERT_EQ(0, strncmp(ops, "AllowedOps:\tNOP,READ\n", 21));
		nr[all]++;
		sqe = ring_get_sqe(&r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = IORING_OP_WRITE;
		sqe->fd = -1;
		EXPECT_EQ(all ? -EBADF : -EACCES, ring_submit_one(&r, NULL));
		ring_exit(&r);
	}
	TH_LOG("%d rings under NOP,READ, %d under ALL", nr[0], nr[1]);
}

/*
 * max_inflight counts between chains: a chain longer than the limit goes
 * in whole, and the next SQE waits for room.
 */
TEST_F_TIMEOUT(policy, inflight_chain_whole, 20)
{
	char data[4][8];
	struct ring r;
	int p[2], i;

	ASSERT_EQ(0, param_set("max_inflight", "2"));
	ASSERT_EQ(0, ring_init(&r, 8, NULL));
	ASSERT_EQ(0, pipe(p));
	for (i = 0; i < 3; i++)
		ring_queue_rw(&r, IORING_OP_READ, p[0], data[i], 8, 0,
			      i)->flags = i < 2 ? IOSQE_IO_LINK : 0;
	ring_queue_rw(&r, IORING_OP_READ, p[0], data[3], 8, 0, 3);
	ring_flush(&r);
	EXPECT_EQ(3, emu_enter(r.fd, 4, 0, 0));
	ASSERT_EQ(32, write(p[1], "abcdefghabcdefghabcdefghabcdefgh", 32));
	EXPECT_EQ(3, ring_wait_cqes(&r, 3, 2000));
	EXPECT_EQ(1, emu_enter(r.fd, 1, 0, 0));
	EXPECT_EQ(4, ring_wait_cqes(&r, 4, 2000));
	close(p[0]);
	close(p[1]);
	ring_exit(&r);
}

/* Write 8 bytes to the pipe *@arg a moment later. */
static void *late_write(void *arg)
{
	usleep(200000);
	if (write(*(int *)arg, "abcdefgh", 8) != 8)
		return arg;
	return NULL;
}

/*
 * At max_inflight, a cancel still goes in (else parked requests would
 * hold the ring forever), and a GETEVENTS ENTER that consumed nothing
 * waits instead of failing: the cancel's CQEs make the room.
 */
TEST_F_TIMEOUT(policy, inflight_cancel_and_wait, 20)
{
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	char data[8];
	struct ring r;
	int p[2], n = 0;
	pthread_t t;

	ASSERT_EQ(0, param_set("max_inflight", "1"));
	ASSERT_EQ(0, ring_init(&r, 8, NULL));
	ASSERT_EQ(0, pipe(p));
	ring_queue_rw(&r, IORING_OP_READ, p[0], data, 8, 0, 1);
	ring_flush(&r);
	ASSERT_EQ(1, emu_enter(r.fd, 1, 0, 0));
	ring_queue_nop(&r, 2);
	ring_flush(&r);
	EXPECT_EQ(-1, emu_enter(r.fd, 1, 0, 0));
	EXPECT_EQ(EBUSY, errno);
	/* Full, and the NOP is first in line: so a GETEVENTS wait. */
	ASSERT_EQ(0, pthread_create(&t, NULL, late_write, &p[1]));
	EXPECT_EQ(0, emu_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	pthread_join(t, NULL);
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(1, cqe.user_data);
	EXPECT_EQ(1, emu_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe));
	EXPECT_EQ(2, cqe.user_data);

	/* A parked READ fills it; its cancel goes in all the same. */
	ring_queue_rw(&r, IORING_OP_READ, p[0], data, 8, 0, 3);
	ring_flush(&r);
	ASSERT_EQ(1, emu_enter(r.fd, 1, 0, 0));
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_ASYNC_CANCEL;
	sqe->addr = 3;
	sqe->fd = -1;
	sqe->user_data = 4;
	ring_flush(&r);
	EXPECT_EQ(1, emu_enter(r.fd, 1, 2, IORING_ENTER_GETEVENTS));
	while (!ring_pop_cqe(&r, &cqe)) {
		n++;
		EXPECT_EQ(cqe.user_data == 3 ? -ECANCELED : 0, cqe.res);
	}
	EXPECT_EQ(2, n);
	close(p[0]);
	close(p[1]);
	ring_exit(&r);
}

/* CLAMP with a CQ limit below the SQ's: both fit, the CQ no smaller. */
TEST_F(policy, clamp_cq_below_sq)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CLAMP };

	ASSERT_EQ(0, param_set("max_cq_entries", "4096"));
	EXPECT_EQ(0, try_setup(8192, &p));
	EXPECT_EQ(4096, p.sq_entries);
	EXPECT_EQ(4096, p.cq_entries);
}

TEST_HARNESS_MAIN
