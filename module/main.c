// SPDX-License-Identifier: GPL-2.0
/*
 * emu_uring: io_uring's submission/completion rings through /dev/emu_uring.
 *
 * The misc device, its file operations and the module's init and exit.
 * Each open file is one ring (struct emu_ring_ctx).
 */
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "emu_uring.h"
#include "opdef.h"
#include "trace.h"

/* Task work, ring teardown: the module's own, so exit waits for them. */
struct workqueue_struct *emu_wq;

static int emu_uring_open(struct inode *inode, struct file *file)
{
	struct emu_ring_ctx *ctx = emu_ring_ctx_alloc();

	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

/* Called when the last reference goes: no fd and no mapping is left. */
static int emu_uring_release(struct inode *inode, struct file *file)
{
	emu_ring_ctx_release(file->private_data);
	return 0;
}

/*
 * Every close of an fd of the ring, including those of a process that
 * exits (exit_files() closes them all). A request of the exiting process
 * must not keep the ring alive after it, through a file it holds that
 * refers back to the ring: cancel them, as io_uring does at task exit.
 */
static int emu_uring_flush(struct file *file, fl_owner_t id)
{
	struct emu_ring_ctx *ctx = file->private_data;

	/* Pairs with the release in SETUP. */
	if ((current->flags & PF_EXITING) && smp_load_acquire(&ctx->ready))
		emu_cancel_all(ctx, task_tgid(current));
	return 0;
}

/**
 * emu_ring_poll() - a ring's events, for poll(2), epoll and POLL_ADD
 * @ctx: the ring
 * @file: its file, or NULL (a POLL_ADD holds the ring, not its file)
 * @wait: the poll table, or NULL
 *
 * Return: EPOLLIN while CQEs are ready (or wait in the backlog), EPOLLOUT
 * while the SQ has room, as io_uring reports them.
 */
__poll_t emu_ring_poll(struct emu_ring_ctx *ctx, struct file *file,
		       poll_table *wait)
{
	__poll_t mask = 0;

	/* Pairs with the release in SETUP. */
	if (!smp_load_acquire(&ctx->ready))
		return 0;
	poll_wait(file, &ctx->poll_wq, wait);
	/* Pairs with the barrier in emu_cq_wake()'s wq_has_sleeper(). */
	smp_mb();
	if (READ_ONCE(ctx->rings->sq.tail) - READ_ONCE(ctx->sq_head) !=
	    ctx->sq_entries)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (emu_cq_ready(ctx) || READ_ONCE(ctx->backlog_len))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static __poll_t emu_uring_poll(struct file *file, poll_table *wait)
{
	return emu_ring_poll(file->private_data, file, wait);
}

static long emu_ioctl_setup(struct emu_ring_ctx *ctx,
			    struct emu_uring_setup __user *uarg)
{
	struct emu_uring_setup arg;
	long ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.__reserved)
		return -EINVAL;

	if (mutex_lock_interruptible(&ctx->uring_lock))
		return -EINTR;
	if (ctx->ready) {
		ret = -EBUSY;
		goto out_unlock;
	}
	/* Who may, before what is asked for (io_uring_setup(2) too). */
	ret = emu_policy_ring_setup(ctx);
	if (ret)
		goto out_unlock;
	ret = emu_ring_create(ctx, arg.entries, &arg.params);
	if (ret)
		goto out_policy;
	if (copy_to_user(&uarg->params, &arg.params, sizeof(arg.params))) {
		emu_ring_destroy(ctx);
		ret = -EFAULT;
		goto out_policy;
	}
	/* Publish the rings to mmap and ENTER, which do not take the lock. */
	smp_store_release(&ctx->ready, true);
	trace_emu_uring_create(ctx, ctx->sq_entries, ctx->cq_entries,
			       ctx->flags);
	mutex_unlock(&ctx->uring_lock);
	return 0;
out_policy:
	emu_policy_ring_free(ctx);
out_unlock:
	mutex_unlock(&ctx->uring_lock);
	return ret;
}

static long emu_ioctl_enter(struct emu_ring_ctx *ctx,
			    struct emu_uring_enter __user *uarg)
{
	struct emu_uring_enter arg;
	unsigned int i;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(arg.__reserved); i++)
		if (arg.__reserved[i])
			return -EINVAL;
	return emu_enter(ctx, arg.to_submit, arg.min_complete, arg.flags,
			 arg.arg, arg.argsz);
}

static long emu_ioctl_probe(struct emu_ring_ctx *ctx,
			    struct emu_uring_probe __user *uarg)
{
	struct emu_uring_probe arg;

	long ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.__reserved)
		return -EINVAL;
	/*
	 * Before SETUP: the policy in force now. A ring set up has its own
	 * rules, and its restrictions apply as to IORING_REGISTER_PROBE.
	 */
	mutex_lock(&ctx->uring_lock);
	if (!ctx->ready)
		ret = emu_register_probe(NULL, u64_to_user_ptr(arg.probe),
					 arg.nr_ops);
	else
		ret = emu_register_allowed(ctx, IORING_REGISTER_PROBE) ?:
		      emu_register_probe(ctx, u64_to_user_ptr(arg.probe),
					 arg.nr_ops);
	mutex_unlock(&ctx->uring_lock);
	return ret;
}

static long emu_ioctl_register(struct emu_ring_ctx *ctx,
			       struct emu_uring_register __user *uarg)
{
	struct emu_uring_register arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.__reserved)
		return -EINVAL;
	return emu_register(ctx, arg.opcode, u64_to_user_ptr(arg.arg),
			    arg.nr_args);
}

/*
 * EMU_URING_IOC_OPEN: the device's path as this file has it, opened anew.
 * The caller could open it for reading and writing once; this is the same
 * open, wherever its root is now. Policy applies at SETUP, as to any open.
 */
static long emu_ioctl_open(struct file *file, unsigned long arg)
{
	struct file *f;
	int fd;

	if (arg)
		return -EINVAL;
	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	f = dentry_open(&file->f_path, O_RDWR, current_cred());
	if (IS_ERR(f)) {
		put_unused_fd(fd);
		return PTR_ERR(f);
	}
	fd_install(fd, f);
	return fd;
}

static long emu_uring_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct emu_ring_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case EMU_URING_IOC_SETUP:
		return emu_ioctl_setup(ctx, uarg);
	case EMU_URING_IOC_ENTER:
		return emu_ioctl_enter(ctx, uarg);
	case EMU_URING_IOC_PROBE:
		return emu_ioctl_probe(ctx, uarg);
	case EMU_URING_IOC_REGISTER:
		return emu_ioctl_register(ctx, uarg);
	case EMU_URING_IOC_OPEN:
		return emu_ioctl_open(file, arg);
	default:
		return -ENOTTY;
	}
}

static int emu_uring_mmap(struct file *file, struct vm_area_struct *vma)
{
	return emu_ring_mmap(file->private_data, vma);
}

static const struct file_operations emu_uring_fops = {
	.owner		= THIS_MODULE,
	.open		= emu_uring_open,
	.release	= emu_uring_release,
	.flush		= emu_uring_flush,
	.poll		= emu_uring_poll,
	.unlocked_ioctl	= emu_uring_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= emu_uring_mmap,
	.show_fdinfo	= emu_show_fdinfo,
};

/**
 * emu_is_ring_file() - whether a file is a ring of this module
 * @file: any file
 *
 * Return: true for an open /dev/emu_uring.
 */
bool emu_is_ring_file(const struct file *file)
{
	return file->f_op == &emu_uring_fops;
}

static struct miscdevice emu_uring_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "emu_uring",
	.fops	= &emu_uring_fops,
	/* The policy's dev_mode (policy.c). */
};

static int __init emu_uring_init(void)
{
	int ret = emu_optable_init();

	if (ret)
		return ret;
	ret = emu_policy_init(&emu_uring_misc.mode);
	if (ret)
		return ret;
	ret = emu_req_cache_init();
	if (ret)
		return ret;
	emu_wq = alloc_workqueue("emu_uring", WQ_UNBOUND, 0);
	if (!emu_wq) {
		ret = -ENOMEM;
		goto out_cache;
	}
	ret = emu_wq_init();
	if (ret)
		goto out_wq;
	ret = misc_register(&emu_uring_misc);
	if (ret)
		goto out_pool;
	return 0;
out_pool:
	emu_wq_exit();
out_wq:
	destroy_workqueue(emu_wq);
out_cache:
	emu_req_cache_exit();
	return ret;
}

/*
 * No ring exists (each holds a module reference until it is freed), but the
 * work or the pool worker that freed the last one may still be returning:
 * stopping the pool and destroying the workqueue wait for them.
 */
static void __exit emu_uring_exit(void)
{
	misc_deregister(&emu_uring_misc);
	emu_wq_exit();
	destroy_workqueue(emu_wq);
	/* An eventfd's deferred signal (eventfd.c) queues its free: twice. */
	rcu_barrier();
	rcu_barrier();
	emu_req_cache_exit();
}

module_init(emu_uring_init);
module_exit(emu_uring_exit);

MODULE_DESCRIPTION("io_uring submission/completion rings through a misc device");
MODULE_AUTHOR("emu_uring developers");
MODULE_LICENSE("GPL");
