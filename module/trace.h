/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints, in io_uring's style (include/trace/events/io_uring.h), under
 * events/emu_uring/ in tracefs: a ring's life, each request's submission
 * and CQE, CQEs that go to the backlog, and where a request waits (parked
 * on its file, handed to the worker pool). The ring pointer ties them
 * together; each is a no-op until enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM emu_uring

#if !defined(_EMU_URING_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _EMU_URING_TRACE_H

#include <linux/tracepoint.h>

/**
 * emu_uring_create - a ring was set up
 * @ctx: the ring
 * @sq_entries: its SQ size
 * @cq_entries: its CQ size
 * @flags: its IORING_SETUP_* flags
 */
TRACE_EVENT(emu_uring_create,
	    TP_PROTO(void *ctx, u32 sq_entries, u32 cq_entries, u32 flags),
	    TP_ARGS(ctx, sq_entries, cq_entries, flags),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(u32, sq_entries)
			     __field(u32, cq_entries)
			     __field(u32, flags)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->sq_entries = sq_entries;
			   __entry->cq_entries = cq_entries;
			   __entry->flags = flags;),
	    TP_printk("ring %p, sq size %u, cq size %u, flags 0x%x",
		      __entry->ctx, __entry->sq_entries, __entry->cq_entries,
		      __entry->flags)
);

/**
 * emu_uring_destroy - a ring was freed (its last request and file gone)
 * @ctx: the ring
 */
TRACE_EVENT(emu_uring_destroy,
	    TP_PROTO(void *ctx),
	    TP_ARGS(ctx),
	    TP_STRUCT__entry(__field(void *, ctx)),
	    TP_fast_assign(__entry->ctx = ctx;),
	    TP_printk("ring %p", __entry->ctx)
);

/**
 * emu_uring_submit_req - an SQE was consumed into a request
 * @ctx: the ring
 * @req: the request
 * @user_data: its user_data
 * @opcode: its opcode
 * @fd: its fd
 * @flags: its IOSQE_* flags
 * @res: 0, or the preparation error its CQE will carry
 */
TRACE_EVENT(emu_uring_submit_req,
	    TP_PROTO(void *ctx, void *req, u64 user_data, u8 opcode, int fd,
		     u8 flags, int res),
	    TP_ARGS(ctx, req, user_data, opcode, fd, flags, res),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(u64, user_data)
			     __field(u8, opcode)
			     __field(int, fd)
			     __field(u8, flags)
			     __field(int, res)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->req = req;
			   __entry->user_data = user_data;
			   __entry->opcode = opcode;
			   __entry->fd = fd;
			   __entry->flags = flags;
			   __entry->res = res;),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %u, fd %d, flags 0x%x, res %d",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __entry->opcode, __entry->fd, __entry->flags, __entry->res)
);

/**
 * emu_uring_complete - a CQE was written into the CQ
 * @ctx: the ring
 * @user_data: its user_data
 * @res: its res
 * @cflags: its flags
 */
TRACE_EVENT(emu_uring_complete,
	    TP_PROTO(void *ctx, u64 user_data, int res, u32 cflags),
	    TP_ARGS(ctx, user_data, res, cflags),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(u64, user_data)
			     __field(int, res)
			     __field(u32, cflags)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->res = res;
			   __entry->cflags = cflags;),
	    TP_printk("ring %p, user_data 0x%llx, result %d, cflags 0x%x",
		      __entry->ctx, __entry->user_data, __entry->res,
		      __entry->cflags)
);

/**
 * emu_uring_cqe_overflow - a CQE found the CQ full
 * @ctx: the ring
 * @user_data: its user_data
 * @res: its res
 * @cflags: its flags
 * @lost: true if it was lost (no memory for the backlog), false if it
 *	waits in the backlog
 */
TRACE_EVENT(emu_uring_cqe_overflow,
	    TP_PROTO(void *ctx, u64 user_data, int res, u32 cflags, bool lost),
	    TP_ARGS(ctx, user_data, res, cflags, lost),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(u64, user_data)
			     __field(int, res)
			     __field(u32, cflags)
			     __field(bool, lost)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->res = res;
			   __entry->cflags = cflags;
			   __entry->lost = lost;),
	    TP_printk("ring %p, user_data 0x%llx, res %d, cflags 0x%x, %s",
		      __entry->ctx, __entry->user_data, __entry->res,
		      __entry->cflags, __entry->lost ? "lost" : "backlog")
);

/**
 * emu_uring_poll_arm - a request was parked on its file's wait queues
 * @ctx: the ring
 * @req: the request
 * @user_data: its user_data
 * @opcode: its opcode
 * @events: the events it waits for
 */
TRACE_EVENT(emu_uring_poll_arm,
	    TP_PROTO(void *ctx, void *req, u64 user_data, u8 opcode,
		     u32 events),
	    TP_ARGS(ctx, req, user_data, opcode, events),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(u64, user_data)
			     __field(u8, opcode)
			     __field(u32, events)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->req = req;
			   __entry->user_data = user_data;
			   __entry->opcode = opcode;
			   __entry->events = events;),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %u, events 0x%x",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __entry->opcode, __entry->events)
);

/**
 * emu_uring_queue_async_work - a request was handed to the worker pool
 * @ctx: the ring
 * @req: the request
 * @user_data: its user_data
 * @opcode: its opcode
 * @hashed: whether it is serialized with others on its file (hashed)
 */
TRACE_EVENT(emu_uring_queue_async_work,
	    TP_PROTO(void *ctx, void *req, u64 user_data, u8 opcode,
		     bool hashed),
	    TP_ARGS(ctx, req, user_data, opcode, hashed),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(u64, user_data)
			     __field(u8, opcode)
			     __field(bool, hashed)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->req = req;
			   __entry->user_data = user_data;
			   __entry->opcode = opcode;
			   __entry->hashed = hashed;),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %u, %s queue",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __entry->opcode, __entry->hashed ? "hashed" : "normal")
);

#endif /* _EMU_URING_TRACE_H */

/* This part must be outside the header guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
