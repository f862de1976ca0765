// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's policy: who may create rings, and what a ring may
 * do. Module parameters, set at load (modprobe.d) and, except dev_mode, at
 * run time in /sys/module/emu_uring/parameters/:
 *
 *   dev_mode            mode of /dev/emu_uring (load time; 0600 by default:
 *                       a udev rule can give the node a group, for 0660)
 *   disabled, group     kernel.io_uring_disabled and kernel.io_uring_group:
 *                       0 any user that can open the device may set up
 *                       rings, 1 only members of @group or CAP_SYS_ADMIN,
 *                       2 nobody; SETUP of a refused user fails with -EPERM,
 *                       rings that exist keep working
 *   allowed_ops         the opcodes rings may use, by name (READ,READV,...)
 *                       or ALL; another gets -EACCES in its CQE and PROBE
 *                       reports it unsupported
 *   max_sq_entries,     the largest SQ and CQ a SETUP may ask for: beyond,
 *   max_cq_entries      -EINVAL, or the limit with IORING_SETUP_CLAMP
 *   max_rings_per_user  rings a user may have at once (0: no limit); SETUP
 *                       beyond it fails with -EAGAIN, as fork() does for a
 *                       user at RLIMIT_NPROC
 *   max_inflight        requests a ring may have in flight (0: no limit);
 *                       ENTER stops consuming SQEs there, and with none
 *                       consumed fails with -EBUSY
 *
 * A ring takes the opcodes, its in-flight limit and its sizes' limits at
 * SETUP: a change applies to rings set up after it, so that a ring never
 * sees its rules change under it, and cannot get around them either.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uidgid.h>

#include "emu_uring.h"
#include "opdef.h"

static unsigned int dev_mode = 0600;

/* A mode reads back as one is written: in octal. */
static int emu_param_get_mode(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "0%o\n", *(unsigned int *)kp->arg);
}

static const struct kernel_param_ops emu_mode_ops = {
	.set = param_set_uint,
	.get = emu_param_get_mode,
};

module_param_cb(dev_mode, &emu_mode_ops, &dev_mode, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Mode of /dev/emu_uring (default 0600; at load only)");

/* Unsigned within [0, max]; max_entries-style ones also powers of two. */
static int emu_param_set_range(const char *val, const struct kernel_param *kp,
			       unsigned int max, bool pow2)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (v > max || (pow2 && !is_power_of_2(v)))
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static int emu_param_set_disabled(const char *val,
				  const struct kernel_param *kp)
{
	return emu_param_set_range(val, kp, 2, false);
}

static int emu_param_set_sq(const char *val, const struct kernel_param *kp)
{
	return emu_param_set_range(val, kp, EMU_MAX_SQ_ENTRIES, true);
}

static int emu_param_set_cq(const char *val, const struct kernel_param *kp)
{
	return emu_param_set_range(val, kp, EMU_MAX_CQ_ENTRIES, true);
}

static int emu_param_set_count(const char *val, const struct kernel_param *kp)
{
	return emu_param_set_range(val, kp, INT_MAX, false);
}

static const struct kernel_param_ops emu_disabled_ops = {
	.set = emu_param_set_disabled,
	.get = param_get_uint,
};

static const struct kernel_param_ops emu_sq_ops = {
	.set = emu_param_set_sq,
	.get = param_get_uint,
};

static const struct kernel_param_ops emu_cq_ops = {
	.set = emu_param_set_cq,
	.get = param_get_uint,
};

static const struct kernel_param_ops emu_count_ops = {
	.set = emu_param_set_count,
	.get = param_get_uint,
};

static unsigned int disabled;
module_param_cb(disabled, &emu_disabled_ops, &disabled, 0644);
MODULE_PARM_DESC(disabled,
		 "As kernel.io_uring_disabled: 0 all users, 1 only group or CAP_SYS_ADMIN, 2 none may set up rings");

static int group = -1;
module_param(group, int, 0644);
MODULE_PARM_DESC(group,
		 "As kernel.io_uring_group: the group allowed with disabled=1 (-1: none)");

static unsigned int max_sq_entries = EMU_MAX_SQ_ENTRIES;
module_param_cb(max_sq_entries, &emu_sq_ops, &max_sq_entries, 0644);
MODULE_PARM_DESC(max_sq_entries, "Largest SQ a ring may have (a power of two)");

static unsigned int max_cq_entries = EMU_MAX_CQ_ENTRIES;
module_param_cb(max_cq_entries, &emu_cq_ops, &max_cq_entries, 0644);
MODULE_PARM_DESC(max_cq_entries, "Largest CQ a ring may have (a power of two)");

static unsigned int max_rings_per_user;
module_param_cb(max_rings_per_user, &emu_count_ops, &max_rings_per_user,
		0644);
MODULE_PARM_DESC(max_rings_per_user,
		 "Rings a user may have at once (0: no limit)");

static unsigned int max_inflight;
module_param_cb(max_inflight, &emu_count_ops, &max_inflight, 0644);
MODULE_PARM_DESC(max_inflight,
		 "Requests a ring may have in flight (0: no limit)");

/*
 * The opcodes rings set up from now on may use, under emu_ops_lock; set at
 * load unless allowed_ops was given there (@emu_ops_given).
 */
static DECLARE_BITMAP(emu_allowed_ops, EMU_OP_TABLE_SIZE);
static DEFINE_MUTEX(emu_ops_lock);
static bool emu_ops_given;

/* Every opcode the table implements. */
static void emu_ops_all(unsigned long *ops)
{
	unsigned int i;

	bitmap_zero(ops, EMU_OP_TABLE_SIZE);
	for (i = 0; i < EMU_OP_TABLE_SIZE; i++)
		if (emu_op_supported(i))
			__set_bit(i, ops);
}

static bool emu_ops_full(const unsigned long *ops)
{
	DECLARE_BITMAP(all, EMU_OP_TABLE_SIZE);

	emu_ops_all(all);
	return bitmap_equal(ops, all, EMU_OP_TABLE_SIZE);
}

static int emu_ops_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < EMU_OP_TABLE_SIZE; i++)
		if (emu_op_supported(i) && !strcasecmp(name, emu_op_defs[i].name))
			return i;
	return -EINVAL;
}

/* "ALL", "" (none), or names separated by commas; nothing else. */
static int emu_param_set_ops(const char *val, const struct kernel_param *kp)
{
	DECLARE_BITMAP(ops, EMU_OP_TABLE_SIZE);
	char *buf, *s, *name;
	int ret = 0, op;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	bitmap_zero(ops, EMU_OP_TABLE_SIZE);
	s = strim(buf);
	if (!strcasecmp(s, "ALL")) {
		emu_ops_all(ops);
	} else {
		while ((name = strsep(&s, ",")) != NULL) {
			name = strim(name);
			if (!*name && !s && bitmap_empty(ops, EMU_OP_TABLE_SIZE))
				break;
			op = emu_ops_lookup(name);
			if (op < 0) {
				ret = op;
				break;
			}
			__set_bit(op, ops);
		}
	}
	kfree(buf);
	if (ret)
		return ret;
	mutex_lock(&emu_ops_lock);
	bitmap_copy(emu_allowed_ops, ops, EMU_OP_TABLE_SIZE);
	emu_ops_given = true;
	mutex_unlock(&emu_ops_lock);
	return 0;
}

/* The names, comma-separated, or ALL when every opcode is allowed. */
static int emu_ops_print(char *buf, size_t size, const unsigned long *ops)
{
	unsigned int i;
	int n = 0;

	if (emu_ops_full(ops))
		return scnprintf(buf, size, "ALL");
	for_each_set_bit(i, ops, EMU_OP_TABLE_SIZE)
		n += scnprintf(buf + n, size - n, "%s%s", n ? "," : "",
			       emu_op_defs[i].name);
	return n;
}

static int emu_param_get_ops(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&emu_ops_lock);
	n = emu_ops_print(buf, PAGE_SIZE - 1, emu_allowed_ops);
	mutex_unlock(&emu_ops_lock);
	buf[n++] = '\n';
	return n;
}

static const struct kernel_param_ops emu_ops_param_ops = {
	.set = emu_param_set_ops,
	.get = emu_param_get_ops,
};

module_param_cb(allowed_ops, &emu_ops_param_ops, NULL, 0644);
MODULE_PARM_DESC(allowed_ops,
		 "Opcodes rings may use: ALL (default), or names such as READ,READV,WRITE,WRITEV,FSYNC,NOP");

/* Rings per user: one entry per user that has any. */
struct emu_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int rings;
};

static DEFINE_HASHTABLE(emu_users, 6);
static DEFINE_SPINLOCK(emu_users_lock);

static struct emu_user *emu_user_find(kuid_t uid)
{
	struct emu_user *u;

	hash_for_each_possible(emu_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/**
 * emu_policy_init() - set the policy's defaults, at module load
 * @mode: where the device's mode goes
 *
 * Return: 0, or -EINVAL for a dev_mode beyond 0777.
 */
int emu_policy_init(umode_t *mode)
{
	if (dev_mode & ~0777U)
		return -EINVAL;
	*mode = dev_mode;
	mutex_lock(&emu_ops_lock);
	if (!emu_ops_given)
		emu_ops_all(emu_allowed_ops);
	mutex_unlock(&emu_ops_lock);
	return 0;
}

/* io_uring_allowed(), with our parameters for its sysctls. */
static bool emu_policy_allowed(void)
{
	unsigned int dis = READ_ONCE(disabled);
	kgid_t gid;

	if (dis == 2)
		return false;
	if (dis == 0 || capable(CAP_SYS_ADMIN))
		return true;
	gid = make_kgid(&init_user_ns, READ_ONCE(group));
	return gid_valid(gid) && in_group_p(gid);
}

/**
 * emu_policy_limits() - the largest rings SETUP may create now
 * @sq: the SQ's limit
 * @cq: the CQ's limit
 */
void emu_policy_limits(u32 *sq, u32 *cq)
{
	*sq = READ_ONCE(max_sq_entries);
	*cq = READ_ONCE(max_cq_entries);
}

/**
 * emu_policy_ring_setup() - admit a ring being set up, and give it its rules
 * @ctx: the ring, under its uring_lock, not yet published
 *
 * Return: 0; -EPERM if the user may not create rings (disabled, group);
 * -EAGAIN if the user has max_rings_per_user already; -ENOMEM.
 */
int emu_policy_ring_setup(struct emu_ring_ctx *ctx)
{
	struct emu_user *u, *new;
	kuid_t uid = current_uid();
	unsigned int limit;
	int ret = 0;

	if (!emu_policy_allowed())
		return -EPERM;
	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	spin_lock(&emu_users_lock);
	limit = READ_ONCE(max_rings_per_user);
	u = emu_user_find(uid);
	if (!u) {
		u = new;
		new = NULL;
		u->uid = uid;
		hash_add(emu_users, &u->node, __kuid_val(uid));
	}
	/* An entry just added has no ring: it gets one (limit >= 1). */
	if (limit && u->rings >= limit)
		ret = -EAGAIN;
	else
		u->rings++;
	spin_unlock(&emu_users_lock);
	kfree(new);
	if (ret)
		return ret;
	ctx->user = u;

	/* The ring's bitmap has room for every opcode a u8 can name. */
	BUILD_BUG_ON(sizeof(ctx->allowed_ops) * BITS_PER_BYTE < EMU_OP_TABLE_SIZE);
	mutex_lock(&emu_ops_lock);
	bitmap_copy(ctx->allowed_ops, emu_allowed_ops, EMU_OP_TABLE_SIZE);
	mutex_unlock(&emu_ops_lock);
	ctx->ops_restricted = !emu_ops_full(ctx->allowed_ops);
	ctx->max_inflight = READ_ONCE(max_inflight);
	return 0;
}

/**
 * emu_policy_ring_free() - a ring set up is gone: its user has one less
 * @ctx: the ring
 */
void emu_policy_ring_free(struct emu_ring_ctx *ctx)
{
	struct emu_user *u = ctx->user;

	if (!u)
		return;
	ctx->user = NULL;
	spin_lock(&emu_users_lock);
	if (--u->rings)
		u = NULL;
	else
		hash_del(&u->node);
	spin_unlock(&emu_users_lock);
	kfree(u);
}

/**
 * emu_policy_op_allowed() - whether PROBE reports an opcode as usable
 * @ctx: the ring asked, or NULL before SETUP (the policy now)
 * @opcode: an implemented opcode
 *
 * Return: true if SQEs with it are run (not refused with -EACCES).
 */
bool emu_policy_op_allowed(const struct emu_ring_ctx *ctx, unsigned int opcode)
{
	bool ret;

	if (opcode >= EMU_OP_TABLE_SIZE)
		return false;
	if (ctx)
		return test_bit(opcode, ctx->allowed_ops);
	mutex_lock(&emu_ops_lock);
	ret = test_bit(opcode, emu_allowed_ops);
	mutex_unlock(&emu_ops_lock);
	return ret;
}

/**
 * emu_policy_show_fdinfo() - the rules a ring runs under, for its fdinfo
 * @m: the fdinfo file
 * @ctx: the ring, set up
 */
void emu_policy_show_fdinfo(struct seq_file *m, struct emu_ring_ctx *ctx)
{
	char buf[512];

	emu_ops_print(buf, sizeof(buf), ctx->allowed_ops);
	seq_printf(m, "AllowedOps:\t%s\n", buf);
	seq_printf(m, "MaxInflight:\t%u\n", ctx->max_inflight);
}
