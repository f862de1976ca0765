// SPDX-License-Identifier: GPL-2.0
/*
 * libemu_uring_preload.so: io_uring's system calls, made the way programs
 * make them (libc's syscall() and the bare syscall instruction), must be
 * answered by /dev/emu_uring with the kernel's results, while the rest of
 * the program (other system calls, signal handlers and masks, fork, exec,
 * threads) behaves as without the shim. Runs with the shim preloaded
 * (selftests/vmtest.sh --user); SKIPs without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "kselftest_harness.h"

#define DEV "/dev/emu_uring"

#define SHIM_OR_SKIP() do {						\
	const char *pre = getenv("LD_PRELOAD");				\
	if (!pre || !strstr(pre, "libemu_uring_preload"))		\
		SKIP(return, "run with LD_PRELOAD=libemu_uring_preload.so"); \
	if (access(DEV, F_OK))						\
		SKIP(return, "%s missing: load emu_uring.ko", DEV);	\
} while (0)

/* The bare instruction, as liburing and fio issue it; e and f are 0. */
static long raw_syscall4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = 0;
	register long r9 __asm__("r9") = 0;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

struct uring {
	int fd;
	struct io_uring_params p;
	char *rings;
	size_t rings_sz;
	struct io_uring_sqe *sqes;
};

static int uring_open(struct uring *u, unsigned int entries)
{
	memset(u, 0, sizeof(*u));
	u->fd = syscall(__NR_io_uring_setup, entries, &u->p);
	if (u->fd < 0)
		return -errno;
	u->rings_sz = u->p.cq_off.cqes +
		      u->p.cq_entries * sizeof(struct io_uring_cqe);
	if (u->p.sq_off.array + u->p.sq_entries * 4 > u->rings_sz)
		u->rings_sz = u->p.sq_off.array + u->p.sq_entries * 4;
	u->rings = mmap(NULL, u->rings_sz, PROT_READ | PROT_WRITE, MAP_SHARED,
			u->fd, IORING_OFF_SQ_RING);
	u->sqes = mmap(NULL, u->p.sq_entries * sizeof(*u->sqes),
		       PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
		       IORING_OFF_SQES);
	if (u->rings == MAP_FAILED || u->sqes == MAP_FAILED)
		return -ENOMEM;
	return 0;
}

static void uring_close(struct uring *u)
{
	munmap(u->rings, u->rings_sz);
	munmap(u->sqes, u->p.sq_entries * sizeof(*u->sqes));
	close(u->fd);
}

#define U32(u, off) ((unsigned int *)((u)->rings + (off)))

/* Run n NOPs through the SQ, one ENTER (raw or libc), and check the CQEs. */
static int uring_nops(struct uring *u, unsigned int n, bool raw)
{
	unsigned int tail = *U32(u, u->p.sq_off.tail), head, i;
	unsigned int mask = u->p.sq_entries - 1;
	long ret;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = &u->sqes[(tail + i) & mask];

		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_NOP;
		sqe->user_data = 1000 + i;
		U32(u, u->p.sq_off.array)[(tail + i) & mask] = (tail + i) & mask;
	}
	__atomic_store_n(U32(u, u->p.sq_off.tail), tail + n, __ATOMIC_RELEASE);
	if (raw)
		ret = raw_syscall4(__NR_io_uring_enter, u->fd, n, n,
				   IORING_ENTER_GETEVENTS);
	else
		ret = syscall(__NR_io_uring_enter, u->fd, n, n,
			      IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret != n)
		return ret < 0 ? ret : -EIO;
	head = *U32(u, u->p.cq_off.head);
	if (__atomic_load_n(U32(u, u->p.cq_off.tail), __ATOMIC_ACQUIRE) -
	    head != n)
		return -EIO;
	for (i = 0; i < n; i++) {
		struct io_uring_cqe *cqe = (void *)(u->rings + u->p.cq_off.cqes);

		cqe += (head + i) & (u->p.cq_entries - 1);
		if (cqe->user_data != 1000 + i || cqe->res)
			return -EIO;
	}
	__atomic_store_n(U32(u, u->p.cq_off.head), head + n, __ATOMIC_RELEASE);
	return 0;
}

TEST(setup_enter_via_libc_syscall)
{
	struct uring u;
	struct stat st;

	SHIM_OR_SKIP();
	ASSERT_EQ(0, uring_open(&u, 8));
	EXPECT_EQ(8, u.p.sq_entries);
	EXPECT_TRUE(u.p.features & IORING_FEAT_SINGLE_MMAP);
	/* io_uring's fds are close-on-exec; ours is the device. */
	EXPECT_EQ(FD_CLOEXEC, fcntl(u.fd, F_GETFD));
	ASSERT_EQ(0, fstat(u.fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, uring_nops(&u, 8, false));
	EXPECT_EQ(0, uring_nops(&u, 3, false));
	uring_close(&u);
}

TEST(setup_enter_via_syscall_instruction)
{
	struct io_uring_params p = {};
	struct uring u;
	long fd;

	SHIM_OR_SKIP();
	fd = raw_syscall4(__NR_io_uring_setup, 4, (long)&p, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4, p.sq_entries);
	close(fd);
	ASSERT_EQ(0, uring_open(&u, 4));
	EXPECT_EQ(0, uring_nops(&u, 4, true));
	uring_close(&u);
	/* Errors come back in the return register, negative. */
	EXPECT_EQ(-EINVAL, raw_syscall4(__NR_io_uring_setup, 0, (long)&p, 0, 0));
	EXPECT_EQ(-EFAULT, raw_syscall4(__NR_io_uring_setup, 4, 0, 0, 0));
	EXPECT_EQ(-EBADF, raw_syscall4(__NR_io_uring_enter, -1, 0, 0, 0));
}

TEST(errno_like_the_kernel)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL };
	struct { struct io_uring_probe p; struct io_uring_probe_op ops[256]; } pr;
	int null = open("/dev/null", O_RDONLY);
	struct uring u;

	SHIM_OR_SKIP();
	EXPECT_EQ(-1, syscall(__NR_io_uring_setup, 4, &p));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, syscall(__NR_io_uring_setup, 4, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, uring_open(&u, 4));
	memset(&pr, 0, sizeof(pr));
	EXPECT_EQ(0, syscall(__NR_io_uring_register, u.fd,
			     IORING_REGISTER_PROBE, &pr, 256));
	EXPECT_LE(IORING_OP_WRITE, pr.p.last_op);
	EXPECT_TRUE(pr.p.ops[IORING_OP_READ].flags & IO_URING_OP_SUPPORTED);
	EXPECT_FALSE(pr.p.ops[IORING_OP_ACCEPT].flags & IO_URING_OP_SUPPORTED);
	/* Everything else: what a kernel without the opcode says. */
	EXPECT_EQ(-1, syscall(__NR_io_uring_register, u.fd,
			      IORING_REGISTER_BUFFERS, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, syscall(__NR_io_uring_enter, null, 0, 0, 0, NULL, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	uring_close(&u);
	close(null);
}

TEST(other_syscalls_untouched)
{
	char buf[4096];
	int fd;
	ssize_t n;

	SHIM_OR_SKIP();
	EXPECT_EQ(getpid(), syscall(SYS_getpid));
	EXPECT_EQ(-1, syscall(SYS_close, -1));
	EXPECT_EQ(EBADF, errno);
	/* The filter is there, and the process has no_new_privs. */
	fd = open("/proc/self/status", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = 0;
	close(fd);
	EXPECT_NE(NULL, strstr(buf, "NoNewPrivs:\t1"));
	EXPECT_NE(NULL, strstr(buf, "Seccomp:\t2"));
	EXPECT_NE(NULL, strstr(buf, "Seccomp_filters:\t1"));
}

static volatile sig_atomic_t got_sys, got_usr1;

static void on_sys(int sig, siginfo_t *si, void *uc)
{
	got_sys = si->si_code == SI_TKILL || si->si_code == SI_USER ? 1 : 2;
}

static void on_usr1(int sig)
{
	got_usr1++;
}

TEST(program_signal_handlers_kept)
{
	struct sigaction sa = { .sa_sigaction = on_sys, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	struct uring u;

	SHIM_OR_SKIP();
	/* The program's own SIGSYS handler: it reads back what it set ... */
	ASSERT_EQ(0, sigaction(SIGSYS, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGSYS, NULL, &old));
	EXPECT_EQ((void *)on_sys, (void *)old.sa_sigaction);
	/* ... gets the SIGSYS that are not io_uring calls ... */
	raise(SIGSYS);
	EXPECT_EQ(1, got_sys);
	/* ... and io_uring calls still work. */
	ASSERT_EQ(0, uring_open(&u, 4));
	EXPECT_EQ(0, uring_nops(&u, 2, true));
	uring_close(&u);
	EXPECT_EQ(1, got_sys);
	ASSERT_NE(SIG_ERR, signal(SIGUSR1, on_usr1));
	raise(SIGUSR1);
	EXPECT_EQ(1, got_usr1);
}

TEST(foreign_sigsys_default_still_kills)
{
	int status;
	pid_t pid;

	SHIM_OR_SKIP();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* No handler of the program's: SIGSYS ends it, as without us. */
		raise(SIGSYS);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSYS, WTERMSIG(status));
}

TEST(sigsys_blocked_by_program)
{
	sigset_t set, cur;
	struct uring u;

	SHIM_OR_SKIP();
	sigfillset(&set);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, NULL, &cur));
	EXPECT_TRUE(sigismember(&cur, SIGUSR1));
	/* Blocking SIGSYS would let a trapped call kill the process. */
	EXPECT_FALSE(sigismember(&cur, SIGSYS));
	ASSERT_EQ(0, uring_open(&u, 4));
	EXPECT_EQ(0, uring_nops(&u, 4, false));
	uring_close(&u);
}

TEST(enter_with_sigmask)
{
	unsigned long mask = 1UL << (SIGUSR2 - 1);
	struct uring u;

	SHIM_OR_SKIP();
	ASSERT_EQ(0, uring_open(&u, 4));
	EXPECT_EQ(0, syscall(__NR_io_uring_enter, u.fd, 0, 0,
			     IORING_ENTER_GETEVENTS, &mask, sizeof(mask)));
	/* A wait that would sleep checks the mask first, as io_uring. */
	EXPECT_EQ(-1, syscall(__NR_io_uring_enter, u.fd, 0, 1,
			      IORING_ENTER_GETEVENTS, &mask, 4));
	EXPECT_EQ(EINVAL, errno);
	uring_close(&u);
}

TEST(fork_parent_ring_and_own_ring)
{
	struct uring u;
	int status;
	pid_t pid;

	SHIM_OR_SKIP();
	ASSERT_EQ(0, uring_open(&u, 4));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct uring c;

		if (uring_nops(&u, 2, true))
			_exit(1);
		if (uring_open(&c, 4) || uring_nops(&c, 4, false))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, uring_nops(&u, 4, true));
	uring_close(&u);
}

static void *thread_nops(void *arg)
{
	struct uring u;
	long bad = 0;
	int i;

	if (uring_open(&u, 8))
		return (void *)1;
	for (i = 0; i < 500; i++)
		bad += !!uring_nops(&u, 1 + i % 8, i & 1);
	uring_close(&u);
	return (void *)bad;
}

TEST(threads)
{
	pthread_t t[4];
	void *bad;
	int i;

	SHIM_OR_SKIP();
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, thread_nops, NULL));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &bad));
		EXPECT_EQ(NULL, bad);
	}
}

static int run_self(const char *arg, const char *dev)
{
	char exe[256];
	int status;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	pid = fork();
	if (pid == 0) {
		if (dev)
			setenv("EMU_URING_DEVICE", dev, 1);
		execl(exe, exe, arg, NULL);
		_exit(100);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(exec_keeps_working_one_filter)
{
	SHIM_OR_SKIP();
	/* The child checks its own ring and that it has one filter, not two. */
	EXPECT_EQ(0, run_self("--child-ring", NULL));
}

/*
 * A program that chroot()s (or changes mount namespace) where there is no
 * /dev/emu_uring still sets up rings: the shim holds the device from load
 * time and opens new files of it from that one.
 */
TEST(setup_after_chroot)
{
	char dir[] = "/tmp/shim_test.root.XXXXXX";
	struct uring u;
	int status;
	pid_t pid;

	SHIM_OR_SKIP();
	if (geteuid())
		SKIP(return, "needs root to chroot()");
	ASSERT_NE(NULL, mkdtemp(dir));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (chroot(dir) || chdir("/"))
			_exit(101);
		if (!access(DEV, F_OK))
			_exit(102);
		if (uring_open(&u, 4))
			_exit(103);
		_exit(uring_nops(&u, 4, true) ? 104 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	rmdir(dir);
}

TEST(device_missing_is_enosys)
{
	SHIM_OR_SKIP();
	EXPECT_EQ(ENOSYS, run_self("--child-setup-errno", "/nonexistent/emu"));
}

TEST(device_not_permitted_is_eperm)
{
	char dev[] = "/tmp/shim_test.dev.XXXXXX";
	int fd;

	SHIM_OR_SKIP();
	if (geteuid())
		SKIP(return, "needs root to drop to an unprivileged user");
	/* A node only root may open, tried as nobody: EACCES. */
	fd = mkstemp(dev);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, chmod(dev, 0600));
	/* What io_uring_disabled gives a user it refuses. */
	EXPECT_EQ(EPERM, run_self("--child-setup-errno-nobody", dev));
	unlink(dev);
}

static int child_main(const char *what)
{
	struct io_uring_params p = {};
	struct uring u;
	char buf[4096];
	int fd;
	ssize_t n;

	if (!strcmp(what, "--child-setup-errno-nobody") &&
	    (setgid(65534) || setuid(65534)))
		return 101;
	if (!strncmp(what, "--child-setup-errno", 19))
		return syscall(__NR_io_uring_setup, 4, &p) < 0 ? errno : 0;
	if (uring_open(&u, 4) || uring_nops(&u, 4, true))
		return 1;
	uring_close(&u);
	fd = open("/proc/self/status", O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 2;
	buf[n] = 0;
	return strstr(buf, "Seccomp_filters:\t1\n") ? 0 : 3;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strncmp(argv[1], "--child-", 8))
		return child_main(argv[1]);
	return test_harness_run(argc, argv);
}
