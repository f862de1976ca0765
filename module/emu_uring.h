/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal types shared by the emu_uring module files.
 */
#ifndef _EMU_URING_INTERNAL_H
#define _EMU_URING_INTERNAL_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/seq_file.h>
#include <uapi/linux/emu_uring.h>

/* io_uring's limits on ring sizes. */
#define EMU_MAX_SQ_ENTRIES	32768U
#define EMU_MAX_CQ_ENTRIES	(2 * EMU_MAX_SQ_ENTRIES)

/*
 * The mmap offsets are IORING_OFF_* and a region never reaches the next
 * offset, so the page index inside a region is the file page offset modulo
 * the distance between two offsets.
 */
#define EMU_REGION_MAX_PAGES	(IORING_OFF_CQ_RING >> PAGE_SHIFT)

/**
 * struct emu_region - pages shared between the kernel and userspace
 * @pages: the order-0 pages, in mapping order
 * @nr_pages: number of entries in @pages
 * @vaddr: the kernel's contiguous view of @pages (vmap)
 */
struct emu_region {
	struct page **pages;
	unsigned int nr_pages;
	void *vaddr;
};

/* Head and tail of one ring, as io_uring lays them out. */
struct emu_ring_idx {
	u32 head;
	u32 tail;
};

/*
 * The SQ/CQ ring region header, laid out like io_uring's struct io_rings
 * (Linux 6.12); the CQE array follows at EMU_CQES_OFFSET. Userspace reaches
 * each field through the offsets in io_uring_params, and may write anything
 * to any of them: the kernel keeps its own copy of every value it relies on
 * and only publishes here.
 */
struct emu_rings {
	struct emu_ring_idx sq, cq;
	u32 sq_ring_mask, cq_ring_mask;
	u32 sq_ring_entries, cq_ring_entries;
	u32 sq_dropped;
	u32 sq_flags;
	u32 cq_flags;
	u32 cq_overflow;
};

/* Where the CQEs start in the ring region: io_uring's cache line. */
#define EMU_CQES_OFFSET		64
static_assert(sizeof(struct emu_rings) <= EMU_CQES_OFFSET);

struct emu_req;

/**
 * struct emu_ring_ctx - one ring, the private data of one open file
 * @uring_lock: serializes SETUP and ENTER's submission
 * @cq_wait: ENTER waiters for CQEs (IORING_ENTER_GETEVENTS)
 * @ready: set, with release semantics, once SETUP has completed
 * @flags: IORING_SETUP_* flags the ring was set up with
 * @rings_region: SQ and CQ ring memory (IORING_OFF_SQ_RING/CQ_RING)
 * @sqes_region: SQE array memory (IORING_OFF_SQES)
 * @rings: kernel view of the ring header
 * @cqes: kernel view of the CQE array
 * @sq_array: kernel view of the SQ index array
 * @sqes: kernel view of the SQE array
 * @reqs: room for the requests of one link chain (at most @sq_entries)
 * @sq_entries: SQ size, a power of two
 * @cq_entries: CQ size, a power of two
 * @sq_head: next SQ entry to consume (the kernel's, not the ring's copy)
 * @cq_tail: next CQE slot to fill, not yet published
 * @cq_tail_published: the CQ tail last published to the ring
 * @sq_dropped: invalid SQ indexes met so far
 * @cq_overflow: completions lost: the CQ was full and the backlog could
 *	not grow
 * @sq_flags: IORING_SQ_* flags published in the SQ ring
 * @backlog: completions waiting for room in the CQ, oldest first
 * @backlog_len: entries in @backlog
 * @cq_dropped: a completion was lost since the last -EBADR from ENTER
 */
struct emu_ring_ctx {
	struct mutex uring_lock;	/* serializes SETUP and submission */
	wait_queue_head_t cq_wait;
	bool ready;
	u32 flags;

	struct emu_region rings_region;
	struct emu_region sqes_region;
	struct emu_rings *rings;
	struct io_uring_cqe *cqes;
	u32 *sq_array;
	struct io_uring_sqe *sqes;
	struct emu_req *reqs;
	/* IORING_SETUP_SINGLE_ISSUER: the only task that may submit */
	struct task_struct *submitter;

	u32 sq_entries;
	u32 cq_entries;
	u32 sq_head;
	u32 cq_tail;
	u32 cq_tail_published;
	u32 sq_dropped;
	u32 cq_overflow;
	u32 sq_flags;

	struct list_head backlog;
	u32 backlog_len;
	bool cq_dropped;
};

/* ring.c */
struct emu_ring_ctx *emu_ring_ctx_alloc(void);
void emu_ring_ctx_free(struct emu_ring_ctx *ctx);
int emu_ring_create(struct emu_ring_ctx *ctx, u32 entries,
		    struct io_uring_params *p);
void emu_ring_destroy(struct emu_ring_ctx *ctx);
int emu_ring_mmap(struct emu_ring_ctx *ctx, struct vm_area_struct *vma);

/* submit.c */
long emu_enter(struct emu_ring_ctx *ctx, u32 to_submit, u32 min_complete,
	       u32 flags);

/* cq.c */
void emu_cq_backlog_add(struct emu_ring_ctx *ctx, u64 user_data, s32 res);
void emu_cq_flush_backlog(struct emu_ring_ctx *ctx);
void emu_cq_commit(struct emu_ring_ctx *ctx);
int emu_cq_wait(struct emu_ring_ctx *ctx, u32 min_complete);
void emu_cq_free_backlog(struct emu_ring_ctx *ctx);

/* fdinfo.c */
void emu_show_fdinfo(struct seq_file *m, struct file *file);

#endif /* _EMU_URING_INTERNAL_H */
