// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory: page allocation, the kernel's view, sizes and offsets, and
 * the userspace mapping served page by page from .fault.
 */
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "emu_uring.h"
#include "opdef.h"
#include "trace.h"

/*
 * COOP_TASKRUN, TASKRUN_FLAG and DEFER_TASKRUN are about when task work
 * runs. As io_uring, a ring without them interrupts the submitter
 * (TWA_SIGNAL) to post a completion that comes while it is outside ENTER;
 * with either, that is left to a worker instead, so the submitter is never
 * interrupted, which is what they ask for. The flags are validated like
 * io_uring does. SINGLE_ISSUER is enforced (submitter below,
 * emu_enter()).
 */
#define EMU_SETUP_FLAGS_SUPPORTED	(IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | \
					 IORING_SETUP_SUBMIT_ALL | \
					 IORING_SETUP_NO_SQARRAY | \
					 IORING_SETUP_COOP_TASKRUN | \
					 IORING_SETUP_TASKRUN_FLAG | \
					 IORING_SETUP_SINGLE_ISSUER | \
					 IORING_SETUP_DEFER_TASKRUN | \
					 IORING_SETUP_R_DISABLED)

/*
 * What is true of every ring. SUBMIT_STABLE: SQEs (and iovecs) are consumed
 * during ENTER. FAST_POLL: a request that would block on a pollable file
 * waits on it, no thread sleeps for it. Not LINKED_FILE: a request's file is
 * looked up at submission, for every member of a chain. EXT_ARG: ENTER
 * takes a struct io_uring_getevents_arg (timeout, signal mask).
 */
#define EMU_FEATURES	(IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | \
			 IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_RW_CUR_POS | \
			 IORING_FEAT_CQE_SKIP | IORING_FEAT_FAST_POLL | \
			 IORING_FEAT_EXT_ARG)

static void emu_region_free(struct emu_region *r)
{
	unsigned int i;

	if (r->vaddr)
		vunmap(r->vaddr);
	for (i = 0; i < r->nr_pages; i++)
		put_page(r->pages[i]);
	kvfree(r->pages);
	memset(r, 0, sizeof(*r));
}

/*
 * Zeroed order-0 pages charged to the caller's memory cgroup, and one
 * contiguous kernel mapping of them so the rings are used in place.
 * __GFP_NORETRY: a ring that does not fit fails SETUP with -ENOMEM rather
 * than invoking the OOM killer.
 */
static int emu_region_alloc(struct emu_region *r, size_t size)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN |
			  __GFP_NORETRY;
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE);

	if (nr > EMU_REGION_MAX_PAGES)
		return -EINVAL;
	r->pages = kvcalloc(nr, sizeof(*r->pages), GFP_KERNEL_ACCOUNT);
	if (!r->pages)
		return -ENOMEM;
	for (r->nr_pages = 0; r->nr_pages < nr; r->nr_pages++) {
		r->pages[r->nr_pages] = alloc_page(gfp);
		if (!r->pages[r->nr_pages])
			goto fail;
	}
	r->vaddr = vmap(r->pages, nr, VM_MAP, PAGE_KERNEL);
	if (!r->vaddr)
		goto fail;
	return 0;
fail:
	emu_region_free(r);
	return -ENOMEM;
}

/* Once the last reference is gone: nothing runs for the ring any more. */
static void emu_ring_ctx_free(struct emu_ring_ctx *ctx)
{
	/* The worker may still be on its way out of its last round. */
	cancel_work_sync(&ctx->tw_work);
	if (ctx->ready)
		trace_emu_uring_destroy(ctx);
	emu_eventfd_ring_free(ctx);
	emu_ring_destroy(ctx);
	emu_policy_ring_free(ctx);
	emu_req_cache_free(ctx);
	mutex_destroy(&ctx->uring_lock);
	kfree(ctx);
	/* Taken in emu_ring_ctx_alloc(). */
	module_put(THIS_MODULE);
}

/* The last request went after the file: free from process context. */
static void emu_ring_exit_work(struct work_struct *work)
{
	/* emu_wq's destruction, in module exit, waits for this to return. */
	emu_ring_ctx_free(container_of(work, struct emu_ring_ctx, exit_work));
}

/**
 * emu_ring_put() - drop references of requests that outlived ENTER
 * @ctx: the ring
 * @nr: how many
 *
 * Any context. The last one frees the ring from a worker.
 */
void emu_ring_put(struct emu_ring_ctx *ctx, unsigned int nr)
{
	if (refcount_sub_and_test(nr, &ctx->refs))
		queue_work(emu_wq, &ctx->exit_work);
}

/**
 * emu_ring_ctx_alloc() - allocate the state of a new, not yet set up, ring
 *
 * The ring holds a reference on the module until it is freed, which can
 * be after its file is released.
 *
 * Return: the context, or NULL without memory.
 */
struct emu_ring_ctx *emu_ring_ctx_alloc(void)
{
	struct emu_ring_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return NULL;
	refcount_set(&ctx->refs, 1);
	mutex_init(&ctx->uring_lock);
	spin_lock_init(&ctx->completion_lock);
	spin_lock_init(&ctx->timeout_lock);
	INIT_LIST_HEAD(&ctx->timeout_list);
	INIT_LIST_HEAD(&ctx->ltimeout_list);
	init_waitqueue_head(&ctx->cq_wait);
	init_waitqueue_head(&ctx->poll_wq);
	INIT_LIST_HEAD(&ctx->backlog);
	init_llist_head(&ctx->req_cache);
	emu_done_init(&ctx->compl);
	INIT_LIST_HEAD(&ctx->defer_list);
	INIT_LIST_HEAD(&ctx->parked);
	init_llist_head(&ctx->req_free);
	init_llist_head(&ctx->tw_list);
	init_llist_head(&ctx->tw_foreign);
	INIT_WORK(&ctx->tw_work, emu_tw_work);
	emu_wq_ring_init(&ctx->wq);
	INIT_WORK(&ctx->exit_work, emu_ring_exit_work);
	__module_get(THIS_MODULE);
	return ctx;
}

/**
 * emu_ring_ctx_release() - the ring's file is released: cancel and let go
 * @ctx: the ring; no fd and no mapping of it remains
 *
 * Parked and deferred requests are cancelled. The ring is freed now if no
 * request outlived its ENTER, else by the last of them to go (from a
 * worker): close() never waits for a request.
 */
void emu_ring_ctx_release(struct emu_ring_ctx *ctx)
{
	spin_lock_irq(&ctx->completion_lock);
	ctx->dying = true;
	spin_unlock_irq(&ctx->completion_lock);
	/*
	 * POLL_ADDs of this ring (its own, other rings') hold its struct but
	 * not its file: they end with it (-ECANCELED). One that arms after
	 * this sees @dying. Pairs with the barrier in emu_ring_poll().
	 */
	smp_mb();
	wake_up_pollfree(&ctx->poll_wq);
	emu_cancel_all(ctx, NULL);
	if (refcount_dec_and_test(&ctx->refs))
		emu_ring_ctx_free(ctx);
}

/**
 * emu_ring_destroy() - free the memory of a ring no mapping refers to
 * @ctx: the ring
 *
 * Used when the ring is freed, and to undo emu_ring_create() before it is
 * published.
 */
void emu_ring_destroy(struct emu_ring_ctx *ctx)
{
	emu_cq_free_backlog(ctx);
	emu_region_free(&ctx->rings_region);
	emu_region_free(&ctx->sqes_region);
	if (ctx->submitter) {
		put_task_struct(ctx->submitter);
		ctx->submitter = NULL;
	}
	ctx->rings = NULL;
	ctx->cqes = NULL;
	ctx->sq_array = NULL;
	ctx->sqes = NULL;
}

/*
 * As io_uring's, with the policy's limits (powers of two, at most
 * io_uring's) for IORING_MAX_ENTRIES and IORING_MAX_CQ_ENTRIES: beyond
 * them -EINVAL, or with IORING_SETUP_CLAMP the limit.
 */
static int emu_ring_sizes(u32 entries, struct io_uring_params *p)
{
	bool clamp = p->flags & IORING_SETUP_CLAMP;
	u32 max_sq, max_cq;

	emu_policy_limits(&max_sq, &max_cq);
	if (!entries)
		return -EINVAL;
	/* A CQ is never smaller than its SQ: clamping has both to fit. */
	if (clamp)
		max_sq = min(max_sq, max_cq);
	if (entries > max_sq) {
		if (!clamp)
			return -EINVAL;
		entries = max_sq;
	}
	p->sq_entries = roundup_pow_of_two(entries);
	if (!(p->flags & IORING_SETUP_CQSIZE)) {
		p->cq_entries = 2 * p->sq_entries;
		if (p->cq_entries <= max_cq)
			return 0;
		if (!clamp)
			return -EINVAL;
		p->cq_entries = max_cq;
	} else if (!p->cq_entries) {
		return -EINVAL;
	}
	if (p->cq_entries > max_cq) {
		if (!clamp)
			return -EINVAL;
		p->cq_entries = max_cq;
	}
	p->cq_entries = roundup_pow_of_two(p->cq_entries);
	if (p->cq_entries < p->sq_entries)
		return -EINVAL;
	return 0;
}

static void emu_ring_fill_offsets(struct io_uring_params *p, u32 sq_array_off)
{
	memset(&p->sq_off, 0, sizeof(p->sq_off));
	p->sq_off.head = offsetof(struct emu_rings, sq.head);
	p->sq_off.tail = offsetof(struct emu_rings, sq.tail);
	p->sq_off.ring_mask = offsetof(struct emu_rings, sq_ring_mask);
	p->sq_off.ring_entries = offsetof(struct emu_rings, sq_ring_entries);
	p->sq_off.flags = offsetof(struct emu_rings, sq_flags);
	p->sq_off.dropped = offsetof(struct emu_rings, sq_dropped);
	if (!(p->flags & IORING_SETUP_NO_SQARRAY))
		p->sq_off.array = sq_array_off;

	memset(&p->cq_off, 0, sizeof(p->cq_off));
	p->cq_off.head = offsetof(struct emu_rings, cq.head);
	p->cq_off.tail = offsetof(struct emu_rings, cq.tail);
	p->cq_off.ring_mask = offsetof(struct emu_rings, cq_ring_mask);
	p->cq_off.ring_entries = offsetof(struct emu_rings, cq_ring_entries);
	p->cq_off.overflow = offsetof(struct emu_rings, cq_overflow);
	p->cq_off.cqes = EMU_CQES_OFFSET;
	p->cq_off.flags = offsetof(struct emu_rings, cq_flags);
}

/**
 * emu_ring_create() - size, allocate and initialize the rings
 * @ctx: a ring not set up yet, with @ctx->uring_lock held
 * @entries: SQ entries asked for
 * @p: io_uring_setup(2)'s parameters: flags and cq_entries in, sizes,
 *	features and offsets out
 *
 * Return: 0, -EINVAL for parameters io_uring would refuse, or -ENOMEM.
 */
int emu_ring_create(struct emu_ring_ctx *ctx, u32 entries,
		    struct io_uring_params *p)
{
	size_t sq_array_off, rings_size;
	struct emu_rings *rings;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(p->resv); i++)
		if (p->resv[i])
			return -EINVAL;
	if (p->flags & ~EMU_SETUP_FLAGS_SUPPORTED)
		return -EINVAL;
	/* As io_uring: the flag needs a mode that would set it ... */
	if ((p->flags & IORING_SETUP_TASKRUN_FLAG) &&
	    !(p->flags & (IORING_SETUP_COOP_TASKRUN |
			  IORING_SETUP_DEFER_TASKRUN)))
		return -EINVAL;
	/* ... and deferred completions need the one task that submits. */
	if ((p->flags & IORING_SETUP_DEFER_TASKRUN) &&
	    !(p->flags & IORING_SETUP_SINGLE_ISSUER))
		return -EINVAL;
	ret = emu_ring_sizes(entries, p);
	if (ret)
		return ret;

	sq_array_off = ALIGN(EMU_CQES_OFFSET +
			     array_size(sizeof(struct io_uring_cqe), p->cq_entries),
			     SMP_CACHE_BYTES);
	rings_size = sq_array_off;
	if (!(p->flags & IORING_SETUP_NO_SQARRAY))
		rings_size += array_size(sizeof(u32), p->sq_entries);
	ret = emu_region_alloc(&ctx->rings_region, rings_size);
	if (!ret)
		ret = emu_region_alloc(&ctx->sqes_region,
				       array_size(sizeof(struct io_uring_sqe),
						  p->sq_entries));
	if (ret) {
		emu_ring_destroy(ctx);
		return ret;
	}

	rings = ctx->rings_region.vaddr;
	ctx->rings = rings;
	ctx->cqes = (struct io_uring_cqe *)((char *)rings + EMU_CQES_OFFSET);
	ctx->sq_array = (u32 *)((char *)rings + sq_array_off);
	ctx->sqes = ctx->sqes_region.vaddr;
	ctx->flags = p->flags;
	ctx->sq_entries = p->sq_entries;
	ctx->cq_entries = p->cq_entries;

	rings->sq_ring_mask = p->sq_entries - 1;
	rings->cq_ring_mask = p->cq_entries - 1;
	rings->sq_ring_entries = p->sq_entries;
	rings->cq_ring_entries = p->cq_entries;

	/*
	 * The one task allowed to submit: the one that set the ring up, or
	 * with R_DISABLED the one that enables it (register.c).
	 */
	ctx->r_disabled = p->flags & IORING_SETUP_R_DISABLED;
	if ((p->flags & IORING_SETUP_SINGLE_ISSUER) && !ctx->r_disabled)
		ctx->submitter = get_task_struct(current);

	p->features = EMU_FEATURES;
	emu_ring_fill_offsets(p, sq_array_off);
	return 0;
}

static vm_fault_t emu_ring_fault(struct vm_fault *vmf)
{
	const struct emu_region *r = vmf->vma->vm_private_data;
	unsigned long idx = vmf->pgoff & (EMU_REGION_MAX_PAGES - 1);
	struct page *page;

	if (idx >= r->nr_pages)
		return VM_FAULT_SIGBUS;
	page = r->pages[array_index_nospec(idx, r->nr_pages)];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct emu_ring_vm_ops = {
	.fault = emu_ring_fault,
};

/**
 * emu_ring_mmap() - map one ring region, to be faulted in page by page
 * @ctx: the ring
 * @vma: the new mapping; its offset names the region (IORING_OFF_*)
 *
 * The mapping keeps the file, and so the pages and the module, alive until
 * it is unmapped, also after close() and across fork().
 *
 * Return: 0, or -EINVAL before SETUP, for an unknown offset, a private
 * mapping or a length past the region.
 */
int emu_ring_mmap(struct emu_ring_ctx *ctx, struct vm_area_struct *vma)
{
	struct emu_region *r;

	/* Pairs with the release in SETUP: the regions are complete. */
	if (!smp_load_acquire(&ctx->ready))
		return -EINVAL;

	switch (vma->vm_pgoff) {
	case IORING_OFF_SQ_RING >> PAGE_SHIFT:
	case IORING_OFF_CQ_RING >> PAGE_SHIFT:
		r = &ctx->rings_region;
		break;
	case IORING_OFF_SQES >> PAGE_SHIFT:
		r = &ctx->sqes_region;
		break;
	default:
		return -EINVAL;
	}
	if (!(vma->vm_flags & VM_SHARED) || vma_pages(vma) > r->nr_pages)
		return -EINVAL;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = r;
	vma->vm_ops = &emu_ring_vm_ops;
	return 0;
}
