// SPDX-License-Identifier: MIT
/*
 * libemu_uring_preload.so: run an unmodified io_uring program on
 * /dev/emu_uring.
 *
 *   LD_PRELOAD=libemu_uring_preload.so program ...
 *
 * Programs reach io_uring by the syscall instruction itself (liburing,
 * fio), so interposing libc is not enough. Before main() this installs a
 * seccomp filter that traps io_uring_setup, io_uring_enter and
 * io_uring_register (SECCOMP_RET_TRAP raises SIGSYS instead of running
 * them; every other system call passes untouched) and a SIGSYS handler
 * that answers them from the device and writes the result, negative
 * errno included, into the return register as the kernel would.
 *
 * Keeping out of the program's way:
 *  - The program's own SIGSYS handler (sigaction/signal) is recorded, not
 *    installed, and gets every SIGSYS that is not one of ours.
 *  - SIGSYS is never blocked (sigprocmask, pthread_sigmask and handler
 *    masks are filtered): a trapped system call with SIGSYS blocked
 *    would kill the process.
 *  - The filter needs no_new_privs, which is inherited and permanent:
 *    set-user-ID and file-capability programs run from this process gain
 *    no privileges.
 *  - fork() children inherit filter and handler. execve() keeps the
 *    filter but resets the handler: the new program must load this
 *    library again (keep LD_PRELOAD in its environment) or its io_uring
 *    calls end it with SIGSYS. A process that already has the filter does
 *    not stack a second one.
 * Cost: one signal delivery and return per intercepted system call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sys.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static struct sigaction prog_sigsys;	/* what the program asked for */
static volatile sig_atomic_t trapped;	/* SIGSYS answered, ever */

typedef int (*sigaction_fn)(int, const struct sigaction *,
			    struct sigaction *);
typedef int (*sigmask_fn)(int, const sigset_t *, sigset_t *);

static sigaction_fn real_sigaction;
static sigmask_fn real_sigprocmask, real_pthread_sigmask;

/* Interposers can run before our constructor (other libraries' ones). */
static bool resolve(void)
{
	if (!real_sigaction)
		real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
	if (!real_sigprocmask)
		real_sigprocmask = (sigmask_fn)dlsym(RTLD_NEXT, "sigprocmask");
	if (!real_pthread_sigmask)
		real_pthread_sigmask =
			(sigmask_fn)dlsym(RTLD_NEXT, "pthread_sigmask");
	return real_sigaction && real_sigprocmask && real_pthread_sigmask;
}

static long emulate(long nr, const greg_t *g)
{
	switch (nr) {
	case __NR_io_uring_setup:
		return emu_sys_setup(g[REG_RDI], (void *)g[REG_RSI]);
	case __NR_io_uring_enter:
		return emu_sys_enter(g[REG_RDI], g[REG_RSI], g[REG_RDX],
				     g[REG_R10], (void *)g[REG_R8], g[REG_R9]);
	case __NR_io_uring_register:
		return emu_sys_register(g[REG_RDI], g[REG_RSI],
					(void *)g[REG_RDX], g[REG_R10]);
	}
	return -ENOSYS;
}

static bool ours(const siginfo_t *si)
{
	return si->si_code == SYS_SECCOMP && si->si_arch == AUDIT_ARCH_X86_64 &&
	       (si->si_syscall == __NR_io_uring_setup ||
		si->si_syscall == __NR_io_uring_enter ||
		si->si_syscall == __NR_io_uring_register);
}

/* A SIGSYS that is not ours: what the program's disposition would do. */
static void pass_on(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* sa_handler and sa_sigaction share storage: SIG_DFL is both. */
	if (prog_sigsys.sa_handler == SIG_IGN)
		return;
	if (prog_sigsys.sa_handler != SIG_DFL) {
		if (prog_sigsys.sa_flags & SA_SIGINFO)
			prog_sigsys.sa_sigaction(sig, si, uc);
		else
			prog_sigsys.sa_handler(sig);
		return;
	}
	/* Default action: die of it, as without us. */
	real_sigaction(SIGSYS, &dfl, NULL);
	raise(SIGSYS);
}

static void on_sigsys(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	if (!ours(si)) {
		pass_on(sig, si, ucp);
		return;
	}
	trapped = 1;
	uc->uc_mcontext.gregs[REG_RAX] =
		emulate(si->si_syscall, uc->uc_mcontext.gregs);
}

static int install_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register,
			 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(insns),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog))
		return -errno;
	return 0;
}

__attribute__((constructor)) static void emu_preload_init(void)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigsys,
		/* Not deferred: a handler that interrupts ours may trap too. */
		.sa_flags = SA_SIGINFO | SA_NODEFER,
	};
	sigset_t unblock;
	int err;

	if (!resolve()) {
		fprintf(stderr, "emu_uring preload: libc symbols missing\n");
		return;
	}
	/* Before the program can chroot() away from /dev. */
	emu_sys_hold_device();
	sigemptyset(&sa.sa_mask);
	if (real_sigaction(SIGSYS, &sa, NULL)) {
		fprintf(stderr, "emu_uring preload: SIGSYS: %s\n",
			strerror(errno));
		return;
	}
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGSYS);
	real_sigprocmask(SIG_UNBLOCK, &unblock, NULL);

	/*
	 * After execve() from a process running this library, the filter is
	 * already there: a setup with no params then comes to the handler.
	 * Stacking a second filter would only make each call slower.
	 */
	syscall(__NR_io_uring_setup, 0, NULL);
	if (trapped)
		return;
	err = install_filter();
	if (err)
		fprintf(stderr,
			"emu_uring preload: seccomp filter refused (%s): io_uring calls go to the kernel\n",
			strerror(-err));
}

/* The program's view of SIGSYS is kept apart from the real one. */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction copy;

	if (!resolve()) {
		errno = ENOSYS;
		return -1;
	}
	if (sig == SIGSYS) {
		if (old)
			*old = prog_sigsys;
		if (act)
			prog_sigsys = *act;
		return 0;
	}
	if (act && sigismember(&act->sa_mask, SIGSYS)) {
		copy = *act;
		sigdelset(&copy.sa_mask, SIGSYS);
		act = &copy;
	}
	return real_sigaction(sig, act, old);
}

sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct sigaction old;

	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old))
		return SIG_ERR;
	return old.sa_handler;
}

static const sigset_t *without_sigsys(int how, const sigset_t *set,
				      sigset_t *copy)
{
	if (!set || how == SIG_UNBLOCK || !sigismember(set, SIGSYS))
		return set;
	*copy = *set;
	sigdelset(copy, SIGSYS);
	return copy;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	if (!resolve())
		return -1;
	return real_sigprocmask(how, without_sigsys(how, set, &copy), old);
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;

	if (!resolve())
		return ENOSYS;
	return real_pthread_sigmask(how, without_sigsys(how, set, &copy), old);
}
