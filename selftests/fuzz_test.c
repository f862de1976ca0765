// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer for emu_uring. Everything userspace can hand the module
 * is drawn from one PRNG: ioctls with random argument bytes and sizes,
 * rings of random sizes and flags, random SQEs (opcodes, flags, fds that
 * are closed, not files, read-only or write-only, buffers and iovecs that
 * are unmapped, read-only, kernel addresses or huge), random scribbling of
 * the ring header and SQ index array between ENTERs, and several threads
 * entering one ring at once.
 *
 * The kernel must survive all of it; the test itself only checks that the
 * ring protocol keeps working (ENTER returns sane counts). Bugs show up in
 * the kernel log (KASAN, lockdep, kmemleak) that the runner scans.
 *
 * Environment: EMU_FUZZ_SEED (default: time), EMU_FUZZ_SQES (stop after this
 * many SQEs consumed, default 200000), EMU_FUZZ_SECONDS (default 60),
 * EMU_FUZZ_THREADS (default 4). With EMU_FUZZ_THREADS=1 a run is
 * reproducible from its seed (up to signal timing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "emu_ring.h"
#include "kselftest_harness.h"

#define POOL_FDS	12
#define POOL_ADDRS	12
#define BUF_SIZE	(64 * 1024)

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
	int bad;		/* ENTER answers that make no sense */
};

static struct fuzz_shared fz;

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

static void fill_sqe(uint64_t *s, struct io_uring_sqe *sqe, uint64_t ud)
{
	static const uint8_t ops[] = {
		IORING_OP_NOP, IORING_OP_READV, IORING_OP_WRITEV,
		IORING_OP_FSYNC, IORING_OP_READ, IORING_OP_WRITE,
	};
	static const uint8_t flags[] = {
		0, IOSQE_IO_LINK, IOSQE_IO_HARDLINK, IOSQE_IO_DRAIN,
		IOSQE_CQE_SKIP_SUCCESS, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS,
	};

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
	sqe->opcode = one_in(s, 10) ? rnd(s) : ops[below(s, sizeof(ops))];
	sqe->flags = one_in(s, 20) ? rnd(s) : flags[below(s, sizeof(flags))];
	sqe->fd = fz.fds[below(s, POOL_FDS)];
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

/* One epoch: a ring, a few thousand SQEs at most, then close. */
static void epoch(uint64_t *s, bool share)
{
	unsigned int batches = 1 + below(s, 200), b;
	bool scribbled = false;
	struct ring r;

	if (new_ring(s, &r))
		return;
	if (share)
		__atomic_store_n(&fz.shared_fd, r.fd, __ATOMIC_RELEASE);
	for (b = 0; b < batches && !fz.stop; b++) {
		unsigned int n = 1 + below(s, r.p.sq_entries), i;
		unsigned int to_submit, flags = 0, min = 0;
		struct io_uring_cqe cqe;
		int ret;

		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = ring_get_sqe(&r);

			if (!sqe)
				break;
			fill_sqe(s, sqe, rnd(s));
		}
		ring_flush(&r);
		if (one_in(s, 20)) {
			scribble(s, &r);
			scribbled = true;
		}
		if (one_in(s, 100))
			random_ioctl(s, r.fd);
		to_submit = one_in(s, 10) ? rnd(s) : i + below(s, 3);
		if (one_in(s, 2)) {
			flags = IORING_ENTER_GETEVENTS;
			min = one_in(s, 50) ? rnd(s) : below(s, 2);
		}
		if (one_in(s, 100))
			flags = rnd(s);
		ret = emu_enter(r.fd, to_submit, min, flags);
		__atomic_add_fetch(&fz.enters, 1, __ATOMIC_RELAXED);
		if (ret > 0)
			__atomic_add_fetch(&fz.sqes, ret, __ATOMIC_RELAXED);
		/* More than the SQ holds can never be consumed at once. */
		if (ret > (int)r.p.sq_entries)
			__atomic_add_fetch(&fz.bad, 1, __ATOMIC_RELAXED);
		for (i = 0; i < 2 * r.p.cq_entries; i++)
			if (ring_pop_cqe(&r, &cqe))
				break;
		if (scribbled && one_in(s, 4))
			break;	/* the ring is garbage: start a new one */
	}
	if (share)
		__atomic_store_n(&fz.shared_fd, -1, __ATOMIC_RELEASE);
	ring_exit(&r);
}

struct worker {
	pthread_t thread;
	uint64_t state;
	int id;
	int done;
};

static bool fuzz_done(void)
{
	return fz.stop ||
	       __atomic_load_n(&fz.sqes, __ATOMIC_RELAXED) >= fz.max_sqes ||
	       time(NULL) >= fz.deadline;
}

static void *fuzz_worker(void *arg)
{
	struct worker *w = arg;

	while (!fuzz_done())
		epoch(&w->state, w->id == 0);
	fz.stop = 1;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Enters whatever ring worker 0 has open, at the same time as it does. */
static void *fuzz_hammer(void *arg)
{
	struct worker *w = arg;

	while (!fz.stop) {
		int fd = __atomic_load_n(&fz.shared_fd, __ATOMIC_ACQUIRE);
		int ret;

		if (fd < 0) {
			sched_yield();
			continue;
		}
		ret = emu_enter(fd, below(&w->state, 64),
				below(&w->state, 2),
				one_in(&w->state, 2) ? IORING_ENTER_GETEVENTS : 0);
		if (ret > 0)
			__atomic_add_fetch(&fz.sqes, ret, __ATOMIC_RELAXED);
		if (one_in(&w->state, 500))
			random_ioctl(&w->state, fd);
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
	struct worker w[16];
	time_t start = time(NULL);

	fz.seed = env_u64("EMU_FUZZ_SEED", (uint64_t)start ^ getpid());
	fz.max_sqes = env_u64("EMU_FUZZ_SQES", 200000);
	fz.deadline = start + env_u64("EMU_FUZZ_SECONDS", 60);
	fz.shared_fd = -1;
	if (threads < 1 || threads > 16)
		threads = 4;
	TH_LOG("seed %llu (EMU_FUZZ_SEED=%llu reproduces it), %u threads, "
	       "up to %llu SQEs", (unsigned long long)fz.seed,
	       (unsigned long long)fz.seed, threads,
	       (unsigned long long)fz.max_sqes);

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	pool_init();

	for (i = 0; i < threads; i++) {
		w[i].id = i;
		w[i].done = 0;
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

	TH_LOG("fuzz: seed %llu: %llu SQEs consumed, %llu ENTERs, %llu rings, "
	       "%llu random ioctls in %ld s",
	       (unsigned long long)fz.seed, (unsigned long long)fz.sqes,
	       (unsigned long long)fz.enters, (unsigned long long)fz.rings,
	       (unsigned long long)fz.ioctls, (long)(time(NULL) - start));
	EXPECT_EQ(0, fz.bad);
	EXPECT_LT(0, fz.sqes);
}

TEST_HARNESS_MAIN
