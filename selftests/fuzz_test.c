// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer for emu_uring, with an oracle. Everything userspace can
 * hand the module is drawn from one PRNG: ioctls with random argument bytes
 * and sizes, rings of random sizes and flags, random SQEs (opcodes, flags,
 * fds that are closed, not files, read-only or write-only, pipes, sockets
 * and eventfds that make requests park, an O_DIRECT null_blk device (where
 * there is one) whose transfers complete from interrupts, buffers and
 * iovecs that are unmapped, read-only, kernel addresses or huge), random
 * scribbling of the ring header and SQ index array between ENTERs, fds
 * closed while requests use them, several threads entering one ring at
 * once, rings closed with requests parked, and processes SIGKILLed with
 * requests parked.
 *
 * The oracle. Each ring (an epoch) gives its SQEs unique user_data (a tag
 * of the ring and the SQE's index in the SQ) and remembers every SQE it
 * published. ENTER's return must match the SQ head it published; the
 * consumed SQEs are the first of those published. At the end of an epoch
 * whose ring was not scribbled on, every parked request is made to finish
 * (data written, write ends closed, sockets shut down, the eventfd written
 * and read) and the CQ is reaped, with bounded waits, until the CQEs are
 * consistent with the rules of Documentation "SQE flags" (see nfa_step()):
 * no CQE with a user_data the ring never used or for an SQE not consumed,
 * none twice, exactly one per consumed SQE except that IOSQE_CQE_SKIP_SUCCESS
 * hides a success and a failed member with it hides the CQEs of the members
 * it cancels; the members after a failed one are cancelled (-ECANCELED, or
 * their own preparation error), an SQE with an unknown opcode or flag fails
 * with -EINVAL, the CQEs of a chain come in chain order, and an
 * IOSQE_IO_DRAIN request and those after it complete after every request
 * submitted before it. Rings closed with requests still parked, and
 * SIGKILLed processes, must leave nothing behind: with the other threads
 * quiesced, the module's reference count comes back to its baseline within
 * 5 s. Bugs the oracle cannot see show up in the kernel log (KASAN,
 * lockdep, kmemleak) that the runner scans.
 *
 * Environment: EMU_FUZZ_SEED (default: time), EMU_FUZZ_SQES (stop after this
 * many SQEs consumed, default 200000), EMU_FUZZ_SECONDS (default 60),
 * EMU_FUZZ_THREADS (default 4). With EMU_FUZZ_THREADS=1 a run is
 * reproducible from its seed (up to signal timing). EMU_FUZZ_MUTATE=N
 * corrupts every Nth CQE on its way to the oracle: such a run must fail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/time_types.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define POOL_FDS	13
#define POOL_ADDRS	12
#define BUF_SIZE	(64 * 1024)
/* Per epoch: a pipe's two ends, a socketpair, an eventfd. */
#define EP_FDS		5
#define EP_MAX_SQES	(1U << 20)	/* SQEs published per epoch */
#define EP_POLL_BUDGET	1024		/* of them on files that park */
#define MAX_RW		0x7ffff000U	/* MAX_RW_COUNT, 4 KiB pages */
#define BAD_LOG_MAX	25		/* violations printed in full */
#define LINK_FLAGS	(IOSQE_IO_LINK | IOSQE_IO_HARDLINK)

struct fuzz_shared {
	uint64_t seed;
	uint64_t max_sqes;
	time_t deadline;
	int fds[POOL_FDS];
	uint64_t addrs[POOL_ADDRS];
	uint64_t sqes;		/* consumed, all threads */
	uint64_t enters, ioctls, rings;
	volatile int stop;
	int shared_fd;		/* a ring other threads also enter */
	int hammer_fd;		/* the ring the hammer enters now, or -1 */
	int bad;		/* oracle violations */
	unsigned int threads;
	/* What the oracle knows. */
	bool op_ok[256];	/* the probe's IO_URING_OP_SUPPORTED */
	uint8_t ops[16];		/* opcodes fill_sqe() picks from */
	unsigned int nops;
	int baseline;		/* module refcount, only the pool open */
	unsigned int drain_ms;	/* how long an epoch may take to drain */
	/* Statistics. */
	uint64_t epochs, checked, cqes, fed, kills, parked_closes, quiesces;
	uint64_t drain_early;	/* drains started early, as io_uring's */
	uint64_t late_cqes;	/* CQEs that needed the end of the epoch */
	uint64_t mutate;	/* EMU_FUZZ_MUTATE: test the oracle */
	/* Epochs hold it shared; leak checks exclusive (nothing else open). */
	pthread_rwlock_t epoch_lock;
};

static struct fuzz_shared fz;
static struct __test_metadata *fz_meta;	/* for TH_LOG() from threads */

/* One published SQE and what became of it. */
struct rec {
	int32_t res;		/* of its CQE */
	uint32_t want;		/* READ/WRITE: bytes asked (clamped) */
	uint32_t cqe_idx;	/* its CQE's place among the ring's CQEs */
	uint8_t op, flags;	/* as published */
	uint8_t ncqe;		/* final CQEs (no IORING_CQE_F_MORE) */
	uint8_t cut;		/* an ENTER started here: a new chain */
};

/* One epoch: a ring, its own fds, every SQE it published. */
struct ep {
	struct ring r;
	uint64_t *s;
	int worker;
	uint64_t nr;
	uint32_t tag;		/* user_data = tag << 32 | index */
	bool shared;		/* the hammer enters it too */
	bool scribbled;		/* no oracle */
	bool ext_arg;
	struct rec *recs;
	uint32_t nrecs, cap;
	uint32_t cut_pending;	/* an SQE published here starts an ENTER */
	uint32_t consumed;	/* the SQ head at the end */
	uint32_t ncqes;		/* CQEs reaped */
	uint32_t budget;	/* SQEs that may still name a file that parks */
	/*
	 * The fds SQEs name (slot): pipe read and write end, a socketpair, an
	 * eventfd. A slot "closed" mid-epoch gets an O_PATH fd dup2()ed over
	 * it: the number stays taken until the epoch ends, so queued SQEs
	 * never name another thread's file. priv: references of our own, to
	 * make parked requests finish (the pipe's are separate open file
	 * descriptions, non-blocking); anchor: an O_PATH fd of the pipe, to
	 * open it again through /proc when we closed all of ours.
	 */
	int slot[EP_FDS];
	int priv[EP_FDS];
	int anchor;
	bool slot_closed[EP_FDS];
	bool shut;		/* the socketpair is shut down */
};

enum { EP_NONE, EP_DRAINED, EP_CLOSED_PARKED };

static char feed_junk[4096];

static void ign(ssize_t ret)
{
	(void)ret;
}

static void __attribute__((format(printf, 1, 2)))
violation(const char *fmt, ...)
{
	struct __test_metadata *_metadata = fz_meta;
	char msg[1536];
	va_list ap;
	int n = __atomic_add_fetch(&fz.bad, 1, __ATOMIC_RELAXED);

	if (n > BAD_LOG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	TH_LOG("VIOLATION %d (seed %llu): %s", n, (unsigned long long)fz.seed,
	       msg);
}

/* xorshift64*: small, fast, and the same on every run for a seed. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static bool one_in(uint64_t *s, unsigned int n)
{
	return below(s, n) == 0;
}

static void on_alarm(int sig)
{
}

/* Which opcodes the module runs, from its probe. */
static void probe_ops(void)
{
	static const uint8_t base[] = {
		IORING_OP_NOP, IORING_OP_READV, IORING_OP_WRITEV,
		IORING_OP_FSYNC, IORING_OP_READ, IORING_OP_WRITE,
	};
	size_t sz = sizeof(struct io_uring_probe) +
		    256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *pr = calloc(1, sz);
	struct emu_uring_probe ep = { .probe = (uintptr_t)pr, .nr_ops = 256 };
	unsigned int i;

	fz.nops = 0;
	for (i = 0; i < sizeof(base); i++) {
		fz.ops[fz.nops++] = base[i];
		fz.op_ok[base[i]] = true;
	}
	if (pr && fz.fds[11] >= 0 &&
	    ioctl(fz.fds[11], EMU_URING_IOC_PROBE, &ep) == 0) {
		memset(fz.op_ok, 0, sizeof(fz.op_ok));
		for (i = 0; i < pr->ops_len && i < 256; i++)
			if (pr->ops[i].flags & IO_URING_OP_SUPPORTED)
				fz.op_ok[pr->ops[i].op] = true;
	}
	/* Newer ops, once the module has them: cancellation under load. */
	if (fz.op_ok[IORING_OP_POLL_ADD])
		fz.ops[fz.nops++] = IORING_OP_POLL_ADD;
	if (fz.op_ok[IORING_OP_ASYNC_CANCEL])
		fz.ops[fz.nops++] = IORING_OP_ASYNC_CANCEL;
	/* Sockets: the epoch's socketpair, and whatever else fds name. */
	if (fz.op_ok[IORING_OP_SEND])
		fz.ops[fz.nops++] = IORING_OP_SEND;
	if (fz.op_ok[IORING_OP_RECV])
		fz.ops[fz.nops++] = IORING_OP_RECV;
	free(pr);
}

static void pool_init(void)
{
	char name[] = "/tmp/emu_fuzz.XXXXXX";
	struct iovec *iov;
	char *buf, *ro;
	int p[2], fd, i;

	fd = mkstemp(name);
	fz.fds[0] = open(name, O_RDWR);
	fz.fds[1] = open(name, O_RDONLY);
	fz.fds[2] = open(name, O_WRONLY | O_APPEND);
	unlink(name);
	close(fd);
	fz.fds[3] = open("/dev/null", O_RDWR);
	fz.fds[4] = fz.fds[5] = -1;
	if (pipe2(p, O_NONBLOCK) == 0) {
		fz.fds[4] = p[0];
		fz.fds[5] = p[1];
	}
	fz.fds[6] = dup(fz.fds[3]);
	close(fz.fds[6]);			/* closed */
	fz.fds[7] = -1;
	fz.fds[8] = 1 << 20;			/* never open */
	fz.fds[9] = open("/", O_PATH);		/* not readable */
	fz.fds[10] = open("/proc/self/stat", O_RDONLY);
	fz.fds[11] = open(EMU_DEV, O_RDWR);	/* a ring fd, not set up */
	/* O_DIRECT: async kiocbs completed from interrupts, if there. */
	fz.fds[12] = open("/dev/nullb0", O_RDWR | O_DIRECT);
	if (fz.fds[12] < 0)
		fz.fds[12] = dup(fz.fds[3]);

	/* A buffer followed by a guard page, so huge lengths stop. */
	buf = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(buf + BUF_SIZE, 4096, PROT_NONE);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	iov = (struct iovec *)(buf + BUF_SIZE - 8 * sizeof(*iov));
	for (i = 0; i < 8; i++) {
		iov[i].iov_base = i & 1 ? ro : buf + i * 512;
		iov[i].iov_len = 512;
	}
	fz.addrs[0] = (uintptr_t)buf;
	fz.addrs[1] = (uintptr_t)buf + BUF_SIZE - 100;
	fz.addrs[2] = (uintptr_t)ro;
	fz.addrs[3] = 0;
	fz.addrs[4] = 16;
	fz.addrs[5] = 0xffffffff81000000ULL;	/* kernel text */
	fz.addrs[6] = 0xffff888000000000ULL;	/* direct map */
	fz.addrs[7] = (uintptr_t)iov;		/* iovecs: valid and ro */
	fz.addrs[8] = (uintptr_t)iov + 4 * sizeof(*iov);
	fz.addrs[9] = (uintptr_t)buf + BUF_SIZE;	/* the guard page */
	fz.addrs[10] = (uintptr_t)iov + 7 * sizeof(*iov);  /* runs off */
	fz.addrs[11] = -1ULL;
	probe_ops();
}

static uint64_t pick_u64(uint64_t *s)
{
	switch (below(s, 8)) {
	case 0: return 0;
	case 1: return -1ULL;
	case 2: return below(s, 4096);
	case 3: return 1ULL << below(s, 64);
	case 4: return (1ULL << below(s, 64)) - 1;
	default: return rnd(s);
	}
}

/*
 * A random address must not land in this process's own memory: the
 * kernel would then, rightly, read into it. 1 << 22 is the ELF header of
 * this static binary, whose program headers read as iovecs point at its
 * .data: READV there once overwrote glibc's locale data and crashed the
 * fuzzer. Such addresses become the guard page (always -EFAULT).
 */
static uint64_t not_ours(uint64_t addr)
{
	unsigned char vec;
	unsigned int i;

	for (i = 0; i < POOL_ADDRS; i++)
		if (addr == fz.addrs[i])
			return addr;
	if (addr >= (1ULL << 47) ||
	    mincore((void *)(uintptr_t)(addr & ~4095ULL), 4096, &vec))
		return addr;
	return fz.addrs[9];
}

/*
 * An fd for an SQE: a third from the epoch's own (pipe, sockets, eventfd),
 * the rest from the shared pool. Files that make requests park are
 * rationed per epoch (each wakeup retries every request parked on the
 * file, and the end of the epoch must finish them all): past the budget
 * the SQE gets /dev/null.
 */
static int pick_fd(struct ep *e)
{
	uint64_t *s = e->s;
	bool parks;
	int fd, k;

	if (one_in(s, 3)) {
		k = below(s, EP_FDS);
		fd = e->slot[k];
		parks = fd >= 0 && !e->slot_closed[k];
	} else {
		k = below(s, POOL_FDS);
		fd = fz.fds[k];
		parks = k == 4 || k == 5;
	}
	if (parks) {
		if (!e->budget)
			return fz.fds[3];
		e->budget--;
	}
	return fd;
}

static void fill_sqe(struct ep *e, struct io_uring_sqe *sqe, uint64_t ud)
{
	static const uint8_t flags[] = {
		0, IOSQE_IO_LINK, IOSQE_IO_HARDLINK, IOSQE_IO_DRAIN,
		IOSQE_CQE_SKIP_SUCCESS, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS,
	};
	uint64_t *s = e->s;

	if (one_in(s, 50)) {
		uint64_t *w = (uint64_t *)sqe;
		unsigned int i;

		for (i = 0; i < sizeof(*sqe) / 8; i++)
			w[i] = rnd(s);
		sqe->user_data = ud;
		sqe->addr = not_ours(sqe->addr);
		return;
	}
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = one_in(s, 10) ? rnd(s) : fz.ops[below(s, fz.nops)];
	sqe->flags = one_in(s, 20) ? rnd(s) : flags[below(s, sizeof(flags))];
	sqe->fd = pick_fd(e);
	sqe->addr = one_in(s, 10) ? not_ours(pick_u64(s)) :
				    fz.addrs[below(s, POOL_ADDRS)];
	switch (below(s, 6)) {
	case 0: sqe->len = rnd(s); break;
	case 1: sqe->len = below(s, 9); break;
	default: sqe->len = below(s, 8192); break;
	}
	switch (below(s, 5)) {
	case 0: sqe->off = -1ULL; break;
	case 1: sqe->off = pick_u64(s); break;
	default: sqe->off = below(s, 1 << 20); break;
	}
	if (one_in(s, 10))
		sqe->rw_flags = one_in(s, 2) ? rnd(s) : 1U << below(s, 8);
	if (one_in(s, 30))
		sqe->ioprio = rnd(s);
	if (one_in(s, 30))
		sqe->buf_index = rnd(s);
	if (one_in(s, 30))
		sqe->addr3 = rnd(s);
	sqe->user_data = ud;

	/* The newer ops, mostly well formed. */
	if (sqe->opcode == IORING_OP_POLL_ADD && !one_in(s, 8)) {
		sqe->addr = 0;
		sqe->off = 0;
		sqe->len = one_in(s, 4) ? IORING_POLL_ADD_MULTI : 0;
		sqe->poll32_events = one_in(s, 2) ? POLLIN : one_in(s, 2) ?
				     POLLOUT : rnd(s);
	} else if (sqe->opcode == IORING_OP_ASYNC_CANCEL && !one_in(s, 8)) {
		static const uint32_t how[] = {
			0, 0, IORING_ASYNC_CANCEL_ALL, IORING_ASYNC_CANCEL_ANY,
			IORING_ASYNC_CANCEL_FD, IORING_ASYNC_CANCEL_FD |
			IORING_ASYNC_CANCEL_ALL,
		};

		/* Some SQE of this ring, maybe one that is parked. */
		sqe->addr = (uint64_t)e->tag << 32 |
			    below(s, (uint32_t)ud + 1);
		sqe->off = 0;
		sqe->len = 0;
		sqe->cancel_flags = how[below(s, sizeof(how) / sizeof(how[0]))];
	} else if ((sqe->opcode == IORING_OP_SEND ||
		    sqe->opcode == IORING_OP_RECV) && !one_in(s, 8)) {
		static const uint32_t how[] = {
			0, 0, 0, MSG_DONTWAIT, MSG_WAITALL, MSG_PEEK,
		};

		sqe->off = 0;
		sqe->msg_flags = how[below(s, sizeof(how) / sizeof(how[0]))];
		if (one_in(s, 4))
			sqe->ioprio = IORING_RECVSEND_POLL_FIRST;
	}
}

/* Random bytes, random size, random direction, to a ring fd. */
static void random_ioctl(uint64_t *s, int fd)
{
	static uint64_t arg[64];
	unsigned int i, size = below(s, 300), dir = below(s, 4);
	unsigned long cmd;
	void *p = arg;

	for (i = 0; i < 64; i++)
		arg[i] = one_in(s, 2) ? 0 : rnd(s);
	arg[0] = not_ours(arg[0]);	/* PROBE's output pointer */
	if (one_in(s, 4))
		cmd = rnd(s);
	else
		cmd = _IOC(dir, EMU_URING_IOC_MAGIC, below(s, 5), size);
	if (one_in(s, 8))
		p = (void *)fz.addrs[below(s, POOL_ADDRS)];
	ioctl(fd, cmd, p);
	__atomic_add_fetch(&fz.ioctls, 1, __ATOMIC_RELAXED);
}

static int new_ring(uint64_t *s, struct ring *r)
{
	struct io_uring_params p = {};
	unsigned int entries;

	switch (below(s, 6)) {
	case 0: entries = 1 + below(s, 4); break;
	case 1: entries = 1 + below(s, 32768); break;
	case 2: entries = 32768 + below(s, 100000); break;
	default: entries = 1 + below(s, 256); break;
	}
	if (one_in(s, 2))
		p.flags |= IORING_SETUP_CQSIZE;
	if (one_in(s, 3))
		p.flags |= IORING_SETUP_CLAMP;
	if (one_in(s, 3))
		p.flags |= IORING_SETUP_SUBMIT_ALL;
	if (one_in(s, 3))
		p.flags |= IORING_SETUP_NO_SQARRAY;
	if (one_in(s, 20))
		p.flags |= 1U << below(s, 32);
	p.cq_entries = one_in(s, 3) ? pick_u64(s) : entries * (1 + below(s, 4));
	if (one_in(s, 30))
		p.resv[below(s, 3)] = rnd(s);
	__atomic_add_fetch(&fz.rings, 1, __ATOMIC_RELAXED);
	return ring_init(r, entries, &p);
}

static void scribble(uint64_t *s, struct ring *r)
{
	unsigned char *hdr = r->rings;
	unsigned int i;

	if (one_in(s, 2)) {
		for (i = 0; i < 64; i++)
			if (one_in(s, 4))
				hdr[i] = rnd(s);
	} else if (!(r->p.flags & IORING_SETUP_NO_SQARRAY)) {
		for (i = 0; i < r->p.sq_entries; i++)
			if (one_in(s, 4))
				r->sq_array[i] = one_in(s, 2) ? rnd(s) :
						 below(s, r->p.sq_entries + 2);
	}
}

/* The epoch's fds: the number of a slot stays taken until the epoch ends. */
static void slot_close(struct ep *e, int k)
{
	if (e->slot[k] < 0 || e->slot_closed[k])
		return;
	dup2(fz.fds[9] >= 0 ? fz.fds[9] : fz.fds[3], e->slot[k]);
	e->slot_closed[k] = true;
}

static void priv_close(struct ep *e, int k)
{
	if (e->priv[k] >= 0)
		close(e->priv[k]);
	e->priv[k] = -1;
}

/* The epoch's pipe, opened again (non-blocking) through its O_PATH fd. */
static int pipe_reopen(struct ep *e, int mode)
{
	char path[64];

	if (e->anchor < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->anchor);
	return open(path, mode | O_NONBLOCK | O_CLOEXEC);
}

static void ep_fds_open(struct ep *e)
{
	uint64_t *s = e->s;
	char path[64];
	int p[2], sv[2], k;

	for (k = 0; k < EP_FDS; k++) {
		e->slot[k] = e->priv[k] = -1;
		e->slot_closed[k] = false;
	}
	e->anchor = -1;
	e->shut = false;
	if (!pipe2(p, O_CLOEXEC | (one_in(s, 2) ? O_NONBLOCK : 0))) {
		e->slot[0] = p[0];
		e->slot[1] = p[1];
		/* A one-page pipe fills at once: writes park too. */
		if (one_in(s, 4))
			fcntl(p[1], F_SETPIPE_SZ, 4096);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
		e->anchor = open(path, O_PATH | O_CLOEXEC);
		e->priv[0] = pipe_reopen(e, O_RDONLY);
		e->priv[1] = pipe_reopen(e, O_WRONLY);
		if (e->priv[0] < 0 || e->priv[1] < 0) {
			/* No /proc: plain duplicates, never all closed. */
			priv_close(e, 0);
			priv_close(e, 1);
			if (e->anchor >= 0)
				close(e->anchor);
			e->anchor = -1;
			e->priv[0] = fcntl(p[0], F_DUPFD_CLOEXEC, 0);
			e->priv[1] = fcntl(p[1], F_DUPFD_CLOEXEC, 0);
		}
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
			(one_in(s, 2) ? SOCK_NONBLOCK : 0), 0, sv)) {
		e->slot[2] = sv[0];
		e->slot[3] = sv[1];
		e->priv[2] = fcntl(sv[0], F_DUPFD_CLOEXEC, 0);
		e->priv[3] = fcntl(sv[1], F_DUPFD_CLOEXEC, 0);
	}
	/*
	 * Not EFD_SEMAPHORE: a WRITE of a huge count parks until a read
	 * brings the count back to 0, which only a plain eventfd's does.
	 */
	k = eventfd(0, EFD_CLOEXEC | (one_in(s, 2) ? EFD_NONBLOCK : 0));
	if (k >= 0) {
		e->slot[4] = k;
		e->priv[4] = fcntl(k, F_DUPFD_CLOEXEC, 0);
	}
}

static void ep_fds_close(struct ep *e)
{
	int k;

	for (k = 0; k < EP_FDS; k++) {
		if (e->slot[k] >= 0)
			close(e->slot[k]);
		priv_close(e, k);
		e->slot[k] = -1;
	}
	if (e->anchor >= 0)
		close(e->anchor);
	e->anchor = -1;
}

/*
 * Close one of the epoch's fds while requests may hold its file: they go
 * on (or fail cleanly); SQEs that name it later get -EBADF. Sometimes our
 * last reference to that end goes too, so peers see EOF or EPIPE now, as
 * long as the end of the epoch can still make everything finish: a pipe
 * can be opened again through its anchor, a socketpair shut down through
 * its other end, an eventfd has neither and keeps our reference.
 */
static void ep_close_random(struct ep *e)
{
	int k = below(e->s, EP_FDS);

	slot_close(e, k);
	if (!one_in(e->s, 2))
		return;
	if (k <= 1 && e->anchor >= 0)
		priv_close(e, k);
	else if ((k == 2 || k == 3) && e->priv[k ^ 1] >= 0)
		priv_close(e, k);
}

static bool ep_reserve(struct ep *e)
{
	struct rec *n;
	uint32_t cap;

	if (e->nrecs < e->cap)
		return true;
	cap = e->cap ? 2 * e->cap : 4096;
	n = realloc(e->recs, cap * sizeof(*n));
	if (!n)
		return false;
	e->recs = n;
	e->cap = cap;
	return true;
}

/* The ENTER that comes after one that left the SQ head at @head. */
static void ep_mark_cut(struct ep *e, uint32_t head)
{
	if (head < e->nrecs)
		e->recs[head].cut = 1;
	else
		e->cut_pending = head;
}

static void account_one(struct ep *e, const struct io_uring_cqe *c);

/*
 * A CQE reaped from the epoch's ring. EMU_FUZZ_MUTATE=N checks the oracle
 * itself: every Nth CQE is lost, seen twice or gets another result, in
 * turn, before the oracle sees it, and the run must report violations.
 */
static void account(struct ep *e, const struct io_uring_cqe *c)
{
	static __thread uint64_t n;
	struct io_uring_cqe m = *c;

	if (!fz.mutate || ++n % fz.mutate) {
		account_one(e, c);
		return;
	}
	switch (n / fz.mutate % 3) {
	case 0:
		return;
	case 1:
		account_one(e, c);
		break;
	default:
		m.res = m.res ? 0 : -ECANCELED;
		break;
	}
	account_one(e, &m);
}

static void account_one(struct ep *e, const struct io_uring_cqe *c)
{
	uint32_t seq = (uint32_t)c->user_data, idx = e->ncqes++;
	struct rec *rc;

	if ((c->user_data >> 32) != e->tag || seq >= e->nrecs) {
		violation("worker %d epoch %llu: CQE with a user_data the ring "
			  "never used: %#llx (res %d, flags %#x; tag %#x, %u "
			  "SQEs published)", e->worker,
			  (unsigned long long)e->nr,
			  (unsigned long long)c->user_data, c->res, c->flags,
			  e->tag, e->nrecs);
		return;
	}
	rc = &e->recs[seq];
	if (c->flags & IORING_CQE_F_MORE)
		return;	/* a multishot CQE: the request goes on */
	if (rc->ncqe) {
		violation("worker %d epoch %llu: a second CQE for SQE %u "
			  "(user_data %#llx op %u flags %#x): res %d, the "
			  "first had %d", e->worker, (unsigned long long)e->nr,
			  seq, (unsigned long long)c->user_data, rc->op,
			  rc->flags, c->res, rc->res);
		if (rc->ncqe < 255)
			rc->ncqe++;
		return;
	}
	rc->ncqe = 1;
	rc->res = c->res;
	rc->cqe_idx = idx;
}

/* Pop what the CQ holds (twice its size at most); how many. */
static unsigned int reap(struct ep *e)
{
	struct io_uring_cqe cqe;
	unsigned int i;

	for (i = 0; i < 2 * e->r.p.cq_entries; i++) {
		if (ring_pop_cqe(&e->r, &cqe))
			break;
		/* A scribbled CQ head or SQ array makes CQEs meaningless. */
		if (!e->scribbled)
			account(e, &cqe);
	}
	return i;
}

/*
 * The rules a consumed SQE's CQEs follow (Documentation "SQE flags",
 * module/req.c emu_req_finish() and emu_req_wants_cqe()), as a small
 * automaton over each chain, in SQ order. The states a member can be in:
 */
enum {
	ST_HEAD = 1,	/* runs, first of its chain */
	ST_MID = 2,	/* runs, after members that succeeded (hard links) */
	ST_CPOST = 4,	/* cancelled by a failed member: CQE, res < 0 */
	ST_CSKIP = 8,	/* cancelled by a failed IOSQE_CQE_SKIP_SUCCESS
			 * member: no CQE */
	ST_ANY = 16,	/* behind an op the oracle does not model */
};
#define ST_ALL		(ST_HEAD | ST_MID | ST_CPOST | ST_CSKIP | ST_ANY)

#define OUT_OK		1	/* the result is a success */
#define OUT_FAIL	2	/* the result is a failure (breaks a chain) */

/* The ops whose results the oracle knows; unsupported ones fail -EINVAL. */
static bool modeled(uint8_t op)
{
	switch (op) {
	case IORING_OP_NOP: case IORING_OP_READV: case IORING_OP_WRITEV:
	case IORING_OP_FSYNC: case IORING_OP_READ: case IORING_OP_WRITE:
		return true;
	default:
		return !fz.op_ok[op];
	}
}

/* An SQE that fails preparation for its opcode or flags: -EINVAL, always. */
static bool invalid(const struct rec *rc)
{
	return !fz.op_ok[rc->op] || (rc->flags & ~EMU_SQE_FLAGS);
}

/*
 * What a result posted by a request that ran (or failed preparation) can
 * mean, @head if it is first of its chain: OUT_* bits; 0: it cannot be.
 */
static unsigned int outcome(const struct rec *rc, bool head)
{
	if (invalid(rc))
		return rc->res == -EINVAL ? OUT_FAIL : 0;
	if (rc->res == -ECANCELED) {
		/*
		 * The head of a chain a later member of which failed
		 * preparation; or a request cancelled while it waited on its
		 * file or in the worker pool (IORING_OP_ASYNC_CANCEL, a
		 * close). A NOP waits only with IOSQE_ASYNC.
		 */
		if (head || rc->op != IORING_OP_NOP ||
		    (rc->flags & IOSQE_ASYNC))
			return OUT_FAIL;
		return 0;
	}
	if (rc->res < 0)
		return OUT_FAIL;
	switch (rc->op) {
	case IORING_OP_NOP:
	case IORING_OP_FSYNC:
		return rc->res == 0 ? OUT_OK : 0;
	case IORING_OP_READ:
	case IORING_OP_WRITE:
		/* A short transfer is a failure; more than asked cannot be. */
		if ((uint32_t)rc->res == rc->want)
			return OUT_OK;
		return (uint32_t)rc->res < rc->want ? OUT_FAIL : 0;
	default:
		/* READV, WRITEV (short or not: random iovecs), newer ops. */
		return OUT_OK | OUT_FAIL;
	}
}

/*
 * The states the next member of the chain can be in after @rc, which
 * could be in any of @st; 0 if its CQEs fit none of them.
 */
static unsigned int nfa_step(unsigned int st, const struct rec *rc)
{
	bool skip = rc->flags & IOSQE_CQE_SKIP_SUCCESS;
	bool hard = rc->flags & IOSQE_IO_HARDLINK;
	unsigned int next = 0, r;
	bool posted = rc->ncqe;

	/*
	 * A LINK_TIMEOUT leaves its chain without breaking it: the member it
	 * guards reports what it did to it. Its own CQE says anything, or
	 * nothing with CQE_SKIP_SUCCESS; one that fails preparation (-EINVAL,
	 * -EFAULT for its time, -ENOMEM) fails its chain.
	 */
	if (rc->op == IORING_OP_LINK_TIMEOUT && !invalid(rc)) {
		if (posted && (rc->res == -EINVAL || rc->res == -EFAULT ||
			       rc->res == -ENOMEM))
			return st | ST_CPOST | ST_CSKIP;
		return st;
	}
	if (st & ST_ANY)
		next |= ST_ANY;
	if ((st & ST_CSKIP) && !posted)
		next |= ST_CSKIP;
	/* -ECANCELED, or the error it failed preparation with. */
	if ((st & ST_CPOST) && posted && rc->res < 0 &&
	    (!invalid(rc) || rc->res == -EINVAL))
		next |= ST_CPOST;
	for (r = ST_HEAD; r <= ST_MID; r <<= 1) {
		unsigned int out, cancel = skip ? ST_CSKIP : ST_CPOST;

		if (!(st & r))
			continue;
		if (!posted) {
			/* A success it asked not to hear of. */
			if (skip)
				next |= ST_MID;
			/*
			 * A newer op may still wait, for good (a POLL_ADD for
			 * events that never come, a multishot one), and the
			 * rest of its chain with it.
			 */
			if (!modeled(rc->op))
				next |= ST_ANY;
			continue;
		}
		out = outcome(rc, r == ST_HEAD);
		/* A CQE of a CQE_SKIP_SUCCESS request says it failed. */
		if (skip && modeled(rc->op))
			out &= ~OUT_OK;
		if (out & OUT_OK)
			next |= ST_MID;
		if (out & OUT_FAIL) {
			/*
			 * A hard link goes on after a failure, except that a
			 * chain failed in preparation fails whole, hard links
			 * or not: then the head reports the failure (its own
			 * error, or -ECANCELED) and cancels the rest.
			 */
			if (hard)
				next |= ST_MID;
			if (!hard || r == ST_HEAD)
				next |= cancel;
		}
	}
	return next;
}

static void report_rec(struct ep *e, uint32_t i, unsigned int st)
{
	const struct rec *rc = &e->recs[i];
	char chain[640];
	size_t len = 0;
	uint32_t j = i;

	while (j > 0 && i - j < 8 && !e->recs[j].cut &&
	       (e->recs[j - 1].flags & LINK_FLAGS))
		j--;
	chain[0] = 0;
	for (; j <= i && len < sizeof(chain) - 64; j++)
		len += snprintf(chain + len, sizeof(chain) - len,
				" [%u: op %u flags %#x %u CQE res %d%s]", j,
				e->recs[j].op, e->recs[j].flags,
				e->recs[j].ncqe, e->recs[j].res,
				e->recs[j].cut ? " ENTER" : "");
	violation("worker %d epoch %llu ring (sq %u cq %u setup %#x%s): SQE %u "
		  "(user_data %#llx, op %u, flags %#x, want %u) got %u CQE(s), "
		  "res %d: no outcome the rules allow (states %#x). Chain:%s",
		  e->worker, (unsigned long long)e->nr, e->r.p.sq_entries,
		  e->r.p.cq_entries, e->r.p.flags, e->shared ? ", shared" : "",
		  i, (unsigned long long)((uint64_t)e->tag << 32 | i), rc->op,
		  rc->flags, rc->want, rc->ncqe, rc->res, st, chain);
}

/*
 * Run the automaton over the consumed SQEs. A new ENTER starts a new
 * chain; on the ring the hammer enters too, any SQE may have started one.
 * Returns the number of SQEs whose CQEs fit no rule (with !@report, stops
 * at the first).
 */
static unsigned int nfa_check(struct ep *e, bool report)
{
	unsigned int st = ST_HEAD, next, bad = 0;
	uint32_t i;

	for (i = 0; i < e->consumed; i++) {
		const struct rec *rc = &e->recs[i];

		if (rc->cut)
			st = ST_HEAD;
		else if (e->shared)
			st |= ST_HEAD;
		next = nfa_step(st, rc);
		if (!next) {
			if (!report)
				return 1;
			bad++;
			report_rec(e, i, st);
			next = ST_ALL;
		}
		st = (rc->flags & LINK_FLAGS) ? next : ST_HEAD;
	}
	return bad;
}

/*
 * Orders: the CQEs of a chain come in chain order (where the chains are
 * known: not on the shared ring); and a drained request, and every request
 * after it, complete after every request before it (Documentation
 * "IOSQE_IO_DRAIN"). Requests after it that fail do not count: one that
 * fails preparation completes at once, as in io_uring. Such a completion
 * also counts towards the drain's count of completions, in io_uring
 * (req_need_defer() compares CQE counts) as here (nr_completed): the drain
 * may then start before an earlier request completed. That is io_uring's
 * behaviour, not a bug of the module: counted in fz.drain_early, not
 * reported.
 */
static void order_check(struct ep *e)
{
	uint32_t n = e->consumed, i, *smin, *fmin, pseq = 0;
	int64_t last = -1, pmax = -1;
	bool drains = false;

	for (i = 0; i < n; i++) {
		const struct rec *rc = &e->recs[i];

		/* A newer op (multishot) may let its chain go on early. */
		if (i == 0 || rc->cut || !(e->recs[i - 1].flags & LINK_FLAGS) ||
		    !modeled(e->recs[i - 1].op))
			last = -1;
		if (rc->ncqe && !e->shared) {
			if ((int64_t)rc->cqe_idx < last)
				violation("worker %d epoch %llu: SQE %u (op %u "
					  "flags %#x res %d) of a chain posted "
					  "its CQE (%u) before an earlier "
					  "member's (%lld)", e->worker,
					  (unsigned long long)e->nr, i, rc->op,
					  rc->flags, rc->res, rc->cqe_idx,
					  (long long)last);
			last = rc->cqe_idx;
		}
		if ((rc->flags & IOSQE_IO_DRAIN) && rc->ncqe && rc->res >= 0)
			drains = true;
	}
	if (!drains)
		return;
	/* The first CQE, from @i on, of a request that ran; that failed. */
	smin = malloc((n + 1) * sizeof(*smin));
	fmin = malloc((n + 1) * sizeof(*fmin));
	if (!smin || !fmin)
		goto out;
	smin[n] = fmin[n] = UINT32_MAX;
	for (i = n; i-- > 0;) {
		const struct rec *rc = &e->recs[i];

		smin[i] = smin[i + 1];
		fmin[i] = fmin[i + 1];
		if (rc->ncqe && rc->res >= 0 && rc->cqe_idx < smin[i])
			smin[i] = rc->cqe_idx;
		if (rc->ncqe && rc->res < 0 && rc->cqe_idx < fmin[i])
			fmin[i] = rc->cqe_idx;
	}
	for (i = 0; i < n; i++) {
		const struct rec *rc = &e->recs[i];
		uint32_t j = i;

		if (!(rc->flags & IOSQE_IO_DRAIN) || !rc->ncqe || rc->res < 0 ||
		    (int64_t)smin[i] >= pmax)
			goto next;
		if (fmin[i + 1] < smin[i]) {
			__atomic_add_fetch(&fz.drain_early, 1,
					   __ATOMIC_RELAXED);
			goto next;
		}
		while (j < n && !(e->recs[j].ncqe && e->recs[j].res >= 0 &&
				  e->recs[j].cqe_idx == smin[i]))
			j++;
		violation("worker %d epoch %llu: IOSQE_IO_DRAIN SQE %u (op %u "
			  "flags %#x res %d): SQE %u (op %u flags %#x res %d) "
			  "completed (CQE %u) before SQE %u, submitted before "
			  "the drain (op %u flags %#x res %d, CQE %lld)",
			  e->worker, (unsigned long long)e->nr, i, rc->op,
			  rc->flags, rc->res, j, j < n ? e->recs[j].op : 0,
			  j < n ? e->recs[j].flags : 0,
			  j < n ? e->recs[j].res : 0, smin[i], pseq,
			  e->recs[pseq].op, e->recs[pseq].flags,
			  e->recs[pseq].res, (long long)pmax);
next:
		if (rc->ncqe && (int64_t)rc->cqe_idx > pmax) {
			pmax = rc->cqe_idx;
			pseq = i;
		}
	}
out:
	free(smin);
	free(fmin);
}

/* Wait up to @ms for a CQE (IORING_ENTER_EXT_ARG), running task work. */
static void wait_cqe(struct ep *e, unsigned int ms)
{
	struct __kernel_timespec ts = { .tv_nsec = ms * 1000000LL };
	struct wait_arg wa = { .ts = (uintptr_t)&ts };
	struct emu_uring_enter en = {
		.min_complete = 1,
		.flags = IORING_ENTER_GETEVENTS,
	};

	if (e->ext_arg) {
		en.flags |= IORING_ENTER_EXT_ARG;
		en.argsz = sizeof(wa);
		en.arg = (uintptr_t)&wa;
	}
	/* Without EXT_ARG the 50 ms signal ends the wait. */
	if (ioctl(e->r.fd, EMU_URING_IOC_ENTER, &en) < 0 && errno == EBADR)
		violation("worker %d epoch %llu: a wait failed with EBADR: "
			  "completions were lost", e->worker,
			  (unsigned long long)e->nr);
}

static void feed_write(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	/* One page into a pipe with a free slot does not block. */
	if (fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLOUT))
		ign(write(fd, feed_junk, sizeof(feed_junk)));
}

static void feed_read(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[16384];

	if (fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		ign(read(fd, buf, sizeof(buf)));
}

/*
 * Make what is parked on the epoch's pipe finish: data for readers; then
 * EOF (all our write ends closed) and EPIPE (all our read ends closed);
 * then, for requests that hold an end themselves (a WRITE linked behind a
 * parked READ of the same pipe keeps it from ever seeing EOF), data and
 * room through ends opened again and closed at once.
 */
static void feed_pipe(struct ep *e, unsigned int iter)
{
	int fd;

	if (e->slot[0] < 0)
		return;
	if (e->anchor < 0) {
		if (iter & 1)
			feed_write(e->priv[1]);
		else
			feed_read(e->priv[0]);
		return;
	}
	switch (iter) {
	case 1:
		fd = e->priv[1] >= 0 ? e->priv[1] : pipe_reopen(e, O_WRONLY);
		feed_write(fd);
		if (fd >= 0 && fd != e->priv[1])
			close(fd);
		break;
	case 2:
		slot_close(e, 1);
		priv_close(e, 1);
		break;
	case 3:
		slot_close(e, 0);
		priv_close(e, 0);
		break;
	default:
		/* O_WRONLY fails (ENXIO) with no reader: nothing waits. */
		fd = pipe_reopen(e, iter & 1 ? O_WRONLY : O_RDONLY);
		if (fd < 0)
			break;
		if (iter & 1)
			feed_write(fd);
		else
			feed_read(fd);
		close(fd);
		break;
	}
}

/* Sockets: a byte each way, then a shutdown both ways (EOF and EPIPE). */
static void feed_socks(struct ep *e, unsigned int iter)
{
	int k;

	if (e->shut)
		return;
	for (k = 2; k <= 3; k++) {
		if (e->priv[k] < 0)
			continue;
		if (iter == 1) {
			ign(send(e->priv[k], "feed", 4,
				 MSG_DONTWAIT | MSG_NOSIGNAL));
			continue;
		}
		shutdown(e->priv[k], SHUT_RDWR);
		e->shut = true;
		return;
	}
}

/*
 * The eventfd: room for writers (the count read back to 0), then a count
 * for one reader. The reader woken by the last round has taken its count
 * by now: it completed before the wait for its CQE ended.
 */
static void feed_eventfd(struct ep *e, unsigned int iter)
{
	struct pollfd p = { .fd = e->priv[4], .events = POLLIN };
	uint64_t v = 64;

	if (p.fd < 0)
		return;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		ign(read(p.fd, &v, sizeof(v)));
	p.events = POLLOUT;
	v = 64;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT))
		ign(write(p.fd, &v, sizeof(v)));
}

/* The pool's pipe (non-blocking), shared by all threads: data, or room. */
static void feed_shared_pipe(void)
{
	char buf[16384];

	if (fz.fds[5] < 0)
		return;
	if (write(fz.fds[5], feed_junk, sizeof(feed_junk)) < 0 &&
	    errno == EAGAIN)
		ign(read(fz.fds[4], buf, sizeof(buf)));
}

static void feed(struct ep *e, unsigned int iter)
{
	if (!iter)
		return;	/* the first wait only flushes the backlog */
	feed_pipe(e, iter);
	feed_socks(e, iter);
	feed_eventfd(e, iter);
	feed_shared_pipe();
}

/*
 * The end of an epoch whose ring nobody scribbled on: make every parked
 * request finish, reap until the CQEs fit the rules (or fz.drain_ms
 * passed), and report what does not fit.
 */
static void drain_and_check(struct ep *e)
{
	long long end = emu_now_ms() + fz.drain_ms;
	uint32_t i, early = 0;
	unsigned int iter;
	bool fed = false;

	e->consumed = load_acquire(e->r.sq_head);
	if (e->consumed > e->nrecs) {
		violation("worker %d epoch %llu: the SQ head %u is past the %u "
			  "SQEs published", e->worker,
			  (unsigned long long)e->nr, e->consumed, e->nrecs);
		return;
	}
	for (iter = 0;;) {
		/* A full CQ: more may wait in the backlog; a wait moves it. */
		if (reap(e) >= e->r.p.cq_entries && emu_now_ms() < end) {
			wait_cqe(e, 1);
			continue;
		}
		if (!nfa_check(e, false) || emu_now_ms() >= end)
			break;
		if (iter == 1) {
			early = e->ncqes;
			fed = true;
			__atomic_add_fetch(&fz.fed, 1, __ATOMIC_RELAXED);
		}
		feed(e, iter);
		wait_cqe(e, iter ? 10 : 1);
		iter++;
	}
	nfa_check(e, true);
	for (i = e->consumed; i < e->nrecs; i++)
		if (e->recs[i].ncqe)
			violation("worker %d epoch %llu: a CQE (res %d) for SQE "
				  "%u, which was never consumed (SQ head %u)",
				  e->worker, (unsigned long long)e->nr,
				  e->recs[i].res, i, e->consumed);
	order_check(e);
	if (load_acquire(e->r.cq_overflow))
		violation("worker %d epoch %llu: CQ overflow %u: completions "
			  "were lost", e->worker, (unsigned long long)e->nr,
			  load_acquire(e->r.cq_overflow));
	__atomic_add_fetch(&fz.checked, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&fz.cqes, e->ncqes, __ATOMIC_RELAXED);
	if (fed)
		__atomic_add_fetch(&fz.late_cqes, e->ncqes - early,
				   __ATOMIC_RELAXED);
}

/* The hammer leaves the ring alone from now on. */
static void hammer_off(int fd)
{
	__atomic_store_n(&fz.shared_fd, -1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&fz.hammer_fd, __ATOMIC_SEQ_CST) == fd)
		usleep(100);
}

struct worker {
	pthread_t thread;
	uint64_t state;
	int id;
	int done;
	uint64_t epochs;	/* tried */
	uint64_t rings;		/* that could set up a ring */
	struct ep e;
};

/* One epoch: a ring, a few thousand SQEs at most, the oracle, close. */
static int epoch(struct worker *w)
{
	uint64_t *s = &w->state;
	unsigned int batches = 1 + below(s, 200), b;
	struct ep *e = &w->e;
	bool close_parked, scribbler;

	e->s = s;
	e->worker = w->id;
	e->nr = w->epochs++;
	e->nrecs = 0;
	e->cut_pending = 0;
	e->consumed = 0;
	e->ncqes = 0;
	e->budget = EP_POLL_BUDGET;
	e->scribbled = false;
	e->shared = false;
	if (new_ring(s, &e->r))
		return EP_NONE;
	__atomic_add_fetch(&fz.epochs, 1, __ATOMIC_RELAXED);
	e->tag = (uint32_t)rnd(s) | 1;
	e->ext_arg = e->r.p.features & IORING_FEAT_EXT_ARG;
	ep_fds_open(e);
	/* One ring in four gets scribbled on (and the oracle skips it). */
	scribbler = one_in(s, 4);
	if (w->id == 0 && fz.threads > 1) {
		e->shared = true;
		__atomic_store_n(&fz.shared_fd, e->r.fd, __ATOMIC_SEQ_CST);
	}
	for (b = 0; b < batches && !fz.stop; b++) {
		unsigned int n = 1 + below(s, e->r.p.sq_entries), i;
		unsigned int to_submit, flags = 0, min = 0;
		uint32_t before, after;
		int ret, err;

		for (i = 0; i < n && e->nrecs < EP_MAX_SQES; i++) {
			struct io_uring_sqe *sqe;
			struct rec *rc;
			uint32_t seq = e->nrecs;

			if (!ep_reserve(e))
				break;
			sqe = ring_get_sqe(&e->r);
			if (!sqe)
				break;
			fill_sqe(e, sqe, (uint64_t)e->tag << 32 | seq);
			rc = &e->recs[e->nrecs++];
			memset(rc, 0, sizeof(*rc));
			rc->cut = seq == e->cut_pending;
			rc->op = sqe->opcode;
			rc->flags = sqe->flags;
			if (rc->op == IORING_OP_READ ||
			    rc->op == IORING_OP_WRITE)
				rc->want = sqe->len < MAX_RW ? sqe->len :
							       MAX_RW;
		}
		ring_flush(&e->r);
		if (scribbler && one_in(s, 20)) {
			scribble(s, &e->r);
			e->scribbled = true;
		}
		if (one_in(s, 100)) {
			random_ioctl(s, e->r.fd);
			if (!e->scribbled)
				ep_mark_cut(e, load_acquire(e->r.sq_head));
		}
		if (one_in(s, 20))
			ep_close_random(e);
		to_submit = one_in(s, 10) ? rnd(s) : i + below(s, 3);
		if (one_in(s, 2)) {
			flags = IORING_ENTER_GETEVENTS;
			min = one_in(s, 50) ? rnd(s) : below(s, 2);
		}
		if (one_in(s, 100))
			flags = rnd(s);
		before = load_acquire(e->r.sq_head);
		ret = emu_enter(e->r.fd, to_submit, min, flags);
		err = errno;
		after = load_acquire(e->r.sq_head);
		__atomic_add_fetch(&fz.enters, 1, __ATOMIC_RELAXED);
		if (ret > 0)
			__atomic_add_fetch(&fz.sqes, ret, __ATOMIC_RELAXED);
		/* More than the SQ holds can never be consumed at once. */
		if (ret > (int)e->r.p.sq_entries)
			violation("worker %d epoch %llu: ENTER consumed %d, the "
				  "SQ has %u entries", e->worker,
				  (unsigned long long)e->nr, ret,
				  e->r.p.sq_entries);
		if (!e->scribbled) {
			uint32_t moved = after - before;

			if (ret < 0 && err == EBADR)
				violation("worker %d epoch %llu: ENTER failed "
					  "with EBADR: completions were lost",
					  e->worker, (unsigned long long)e->nr);
			/* The hammer may consume some too, meanwhile. */
			if (e->shared ? ret > 0 && moved < (uint32_t)ret :
			    moved != (uint32_t)(ret > 0 ? ret : 0))
				violation("worker %d epoch %llu: ENTER(%u) "
					  "returned %d (errno %d) but the SQ "
					  "head moved by %u", e->worker,
					  (unsigned long long)e->nr, to_submit,
					  ret, ret < 0 ? err : 0, moved);
			ep_mark_cut(e, after);
		}
		reap(e);
		if (e->scribbled && one_in(s, 4))
			break;	/* the ring is garbage: start a new one */
	}
	if (e->shared)
		hammer_off(e->r.fd);
	/* Rarely, close the ring with whatever is parked: only no leak. */
	close_parked = one_in(s, 25);
	if (!e->scribbled && !close_parked)
		drain_and_check(e);
	ring_exit(&e->r);
	ep_fds_close(e);
	if (!close_parked)
		return EP_DRAINED;
	__atomic_add_fetch(&fz.parked_closes, 1, __ATOMIC_RELAXED);
	return EP_CLOSED_PARKED;
}

/* With every other epoch over: the module holds no ring of ours. */
static void leak_check(const char *after)
{
	int now;

	if (fz.baseline < 0)
		return;
	now = emu_refcnt_wait(fz.baseline, 5000);
	if (now != fz.baseline)
		violation("module refcount %d, not back to %d within 5 s after "
			  "%s", now, fz.baseline, after);
}

/*
 * The child of kill mode: a ring of 512 entries, pipes and sockets of its
 * own, @nr READs of them (linked, hard-linked, drained at random) parked,
 * a few completed; then it waits to be killed, in pause() or in ENTER.
 */
static void __attribute__((noreturn))
kill_child_run(int st, uint64_t seed, unsigned int nr, bool in_enter)
{
	static char bufs[512][16];
	struct io_uring_params p = {
		.flags = IORING_SETUP_CQSIZE,
		.cq_entries = 1024,
	};
	int pipes[16][2], socks[4][2], np = 0, ns = 0, ret;
	uint64_t s = seed | 1;
	struct ring r;
	unsigned int i;

	/* Nothing of the parent's: its pipes must see EOF when it closes. */
	if (st > 3)
		close_range(3, st - 1, 0);
	close_range(st + 1, ~0U, 0);
	signal(SIGALRM, SIG_DFL);
	alarm(30);
	if (ring_init(&r, 512, &p))
		_exit(10);
	while (np < 16 && !pipe(pipes[np]))
		np++;
	while (ns < 4 && !socketpair(AF_UNIX, SOCK_STREAM, 0, socks[ns]))
		ns++;
	if (!np)
		_exit(11);
	for (i = 0; i < nr; i++) {
		int fd = i % 5 == 4 && ns ? socks[i % ns][0] : pipes[i % np][0];
		struct io_uring_sqe *sqe = ring_queue_rw(&r, IORING_OP_READ, fd,
							 bufs[i], 16, 0, i);

		if (!sqe)
			_exit(12);
		switch (below(&s, 10)) {
		case 0: sqe->flags = IOSQE_IO_LINK; break;
		case 1: sqe->flags = IOSQE_IO_HARDLINK; break;
		case 2: sqe->flags = IOSQE_IO_DRAIN; break;
		default: break;
		}
	}
	ring_flush(&r);
	ret = emu_enter(r.fd, nr, 0, 0);
	for (i = 0; i < (unsigned int)np; i += 3)
		ign(write(pipes[i][1], "k", 1));
	ign(write(st, &ret, sizeof(ret)));
	for (;;) {
		if (in_enter)
			emu_enter(r.fd, 0, nr, IORING_ENTER_GETEVENTS);
		else
			pause();
	}
}

/* Kill mode: fork, let the child park reads, SIGKILL it, see it die. */
static void kill_child(struct worker *w)
{
	uint64_t *s = &w->state;
	unsigned int nr = 100 + below(s, 400);
	bool report = !one_in(s, 3), in_enter = one_in(s, 2);
	uint64_t seed = rnd(s);
	int st[2], ret = -1, status = 0;
	pid_t pid;

	if (pipe2(st, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0)
		kill_child_run(st[1], seed, nr, in_enter);
	close(st[1]);
	if (pid < 0) {
		close(st[0]);
		return;
	}
	if (report) {
		struct pollfd pfd = { .fd = st[0], .events = POLLIN };
		long long end = emu_now_ms() + 5000;

		while (poll(&pfd, 1, 100) != 1 && emu_now_ms() < end)
			;
		if (read(st[0], &ret, sizeof(ret)) != sizeof(ret))
			ret = -1000;
	} else {
		/* Maybe while it is still setting up or submitting. */
		usleep(below(s, 5000));
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(st[0]);
	__atomic_add_fetch(&fz.kills, 1, __ATOMIC_RELAXED);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		violation("kill mode: the child did not die of SIGKILL (wait "
			  "status %#x)", status);
	if (report && ret != (int)nr)
		violation("kill mode: the child's ENTER(%u) of parked READs "
			  "returned %d", nr, ret);
}

/* Leak checks, with every other thread between epochs. */
static void quiesced(struct worker *w, bool closed_parked, bool kill)
{
	pthread_rwlock_wrlock(&fz.epoch_lock);
	__atomic_add_fetch(&fz.quiesces, 1, __ATOMIC_RELAXED);
	if (closed_parked)
		leak_check("a ring closed with requests parked");
	if (kill) {
		leak_check("the epochs before kill mode");
		kill_child(w);
		leak_check("SIGKILL of a process with parked READs");
	}
	pthread_rwlock_unlock(&fz.epoch_lock);
}

static bool fuzz_done(void)
{
	return fz.stop ||
	       __atomic_load_n(&fz.sqes, __ATOMIC_RELAXED) >= fz.max_sqes ||
	       time(NULL) >= fz.deadline;
}

static void *fuzz_worker(void *arg)
{
	struct worker *w = arg;

	while (!fuzz_done()) {
		bool kill;
		int ret;

		pthread_rwlock_rdlock(&fz.epoch_lock);
		ret = epoch(w);
		pthread_rwlock_unlock(&fz.epoch_lock);
		/*
		 * One ring in 50: kill mode; and once per run at least, at a
		 * worker's tenth ring.
		 */
		if (ret != EP_NONE)
			w->rings++;
		kill = ret != EP_NONE && (one_in(&w->state, 50) ||
					  (w->rings == 10 &&
					   !__atomic_load_n(&fz.kills,
							    __ATOMIC_RELAXED)));
		if (kill || ret == EP_CLOSED_PARKED)
			quiesced(w, ret == EP_CLOSED_PARKED, kill);
	}
	fz.stop = 1;
	free(w->e.recs);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Enters whatever ring worker 0 has open, at the same time as it does. */
static void *fuzz_hammer(void *arg)
{
	struct worker *w = arg;

	while (!fz.stop) {
		int fd = __atomic_load_n(&fz.shared_fd, __ATOMIC_SEQ_CST);
		int ret;

		if (fd < 0) {
			sched_yield();
			continue;
		}
		/* Pairs with hammer_off(): never a closed ring's fd. */
		__atomic_store_n(&fz.hammer_fd, fd, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&fz.shared_fd, __ATOMIC_SEQ_CST) != fd) {
			__atomic_store_n(&fz.hammer_fd, -1, __ATOMIC_SEQ_CST);
			continue;
		}
		ret = emu_enter(fd, below(&w->state, 64),
				below(&w->state, 2),
				one_in(&w->state, 2) ? IORING_ENTER_GETEVENTS : 0);
		if (ret > 0)
			__atomic_add_fetch(&fz.sqes, ret, __ATOMIC_RELAXED);
		if (one_in(&w->state, 500))
			random_ioctl(&w->state, fd);
		__atomic_store_n(&fz.hammer_fd, -1, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
	if (access(EMU_DEV, F_OK))
		SKIP(return, "%s missing: load emu_uring.ko", EMU_DEV);
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, random_everything, 3600)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned int threads = env_u64("EMU_FUZZ_THREADS", 4), i, running;
	pthread_rwlockattr_t rwa;
	struct worker w[16];
	time_t start = time(NULL);
	long long start_ms = emu_now_ms();

	fz_meta = _metadata;
	fz.seed = env_u64("EMU_FUZZ_SEED", (uint64_t)start ^ getpid());
	fz.max_sqes = env_u64("EMU_FUZZ_SQES", 200000);
	fz.deadline = start + env_u64("EMU_FUZZ_SECONDS", 60);
	fz.drain_ms = getenv("EMU_DEBUG") ? 30000 : 10000;
	fz.mutate = env_u64("EMU_FUZZ_MUTATE", 0);
	if (fz.mutate)
		fz.drain_ms = 300;
	fz.shared_fd = -1;
	fz.hammer_fd = -1;
	if (threads < 1 || threads > 16)
		threads = 4;
	fz.threads = threads;
	TH_LOG("seed %llu (EMU_FUZZ_SEED=%llu reproduces it), %u threads, "
	       "up to %llu SQEs", (unsigned long long)fz.seed,
	       (unsigned long long)fz.seed, threads,
	       (unsigned long long)fz.max_sqes);

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	/* Writes to pipes and sockets whose readers are gone: EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	pool_init();
	fz.baseline = emu_refcnt_settled();
	ASSERT_EQ(0, pthread_rwlockattr_init(&rwa));
	/* A leak check waiting for the lock holds new epochs back. */
	ASSERT_EQ(0, pthread_rwlockattr_setkind_np(&rwa,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP));
	ASSERT_EQ(0, pthread_rwlock_init(&fz.epoch_lock, &rwa));

	memset(w, 0, sizeof(w));
	for (i = 0; i < threads; i++) {
		w[i].id = i;
		w[i].state = fz.seed * 0x9e3779b97f4a7c15ULL + i + 1;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL,
					    i == 1 ? fuzz_hammer : fuzz_worker,
					    &w[i]));
	}
	/*
	 * Every 50 ms, interrupt each thread: whatever blocks (a wait that
	 * nothing completes) ends with EINTR, and signals land in the middle
	 * of submissions too.
	 */
	do {
		usleep(50000);
		running = 0;
		for (i = 0; i < threads; i++) {
			if (__atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE))
				continue;
			running++;
			pthread_kill(w[i].thread, SIGUSR1);
		}
		if (time(NULL) > fz.deadline + 60)
			fz.stop = 1;	/* a thread that does not stop */
	} while (running);
	for (i = 0; i < threads; i++)
		ASSERT_EQ(0, pthread_join(w[i].thread, NULL));
	/* Every ring is closed: none may stay behind. */
	leak_check("the end of the run");

	TH_LOG("fuzz: seed %llu: %llu SQEs consumed, %llu ENTERs, %llu rings, "
	       "%llu random ioctls in %ld s",
	       (unsigned long long)fz.seed, (unsigned long long)fz.sqes,
	       (unsigned long long)fz.enters, (unsigned long long)fz.rings,
	       (unsigned long long)fz.ioctls, (long)(time(NULL) - start));
	TH_LOG("oracle: %llu epochs, %llu checked (%llu CQEs; %llu needed "
	       "feeding, for %llu CQEs), %llu closed with requests parked, "
	       "%llu killed children, %llu leak checks, %llu drains started "
	       "by a later failure (as in io_uring), %d violations, %lld ms",
	       (unsigned long long)fz.epochs, (unsigned long long)fz.checked,
	       (unsigned long long)fz.cqes, (unsigned long long)fz.fed,
	       (unsigned long long)fz.late_cqes,
	       (unsigned long long)fz.parked_closes,
	       (unsigned long long)fz.kills, (unsigned long long)fz.quiesces,
	       (unsigned long long)fz.drain_early, fz.bad,
	       emu_now_ms() - start_ms);
	EXPECT_EQ(0, fz.bad);
	EXPECT_LT(0, fz.sqes);
	EXPECT_LT(0, fz.checked);
}

TEST_HARNESS_MAIN
