/* SPDX-License-Identifier: GPL-2.0 */
/*
 * null_blk devices for the selftests, made through configfs: memory
 * backed, with a completion delay from a timer (irqmode=2, so completions
 * come in interrupt context). Tests SKIP where null_blk is missing.
 */
#ifndef EMU_NULLB_H
#define EMU_NULLB_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NULLB_CFG	"/sys/kernel/config/nullb"
#define DEV_MB		16
#define BS		4096

struct nullb {
	char dir[128];
	char dev[64];
	int fd;
};

static int write_attr(const char *dir, const char *attr, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/*
 * A memory-backed null_blk device whose requests complete @delay_us after
 * submission (a timer, so in interrupt context), opened O_DIRECT. Returns
 * 0, or -ENODEV where null_blk's configfs is missing.
 */
static int nullb_make(struct nullb *nb, const char *name,
		      unsigned int delay_us)
{
	char val[32];
	int i;

	memset(nb, 0, sizeof(*nb));
	nb->fd = -1;
	if (access(NULLB_CFG, F_OK)) {
		mount("none", "/sys/kernel/config", "configfs", 0, NULL);
		if (access(NULLB_CFG, F_OK))
			return -ENODEV;
	}
	snprintf(nb->dir, sizeof(nb->dir), NULLB_CFG "/emu%s%d", name,
		 getpid());
	if (mkdir(nb->dir, 0755))
		return -errno;
	snprintf(val, sizeof(val), "%u", delay_us * 1000);
	if (write_attr(nb->dir, "size", "16") ||
	    write_attr(nb->dir, "blocksize", "4096") ||
	    write_attr(nb->dir, "memory_backed", "1") ||
	    write_attr(nb->dir, "queue_mode", "2") ||
	    write_attr(nb->dir, "hw_queue_depth", "64") ||
	    write_attr(nb->dir, "irqmode", "2") ||
	    write_attr(nb->dir, "completion_nsec", val) ||
	    write_attr(nb->dir, "power", "1"))
		return -EIO;
	/* The disk is named after its configfs directory. */
	snprintf(nb->dev, sizeof(nb->dev), "/dev/%s", strrchr(nb->dir, '/') + 1);
	/* devtmpfs makes the node shortly after power-on. */
	for (i = 0; i < 200 && nb->fd < 0; i++) {
		nb->fd = open(nb->dev, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (nb->fd < 0)
			usleep(10000);
	}
	return nb->fd < 0 ? -errno : 0;
}

static void nullb_remove(struct nullb *nb)
{
	if (nb->fd >= 0)
		close(nb->fd);
	nb->fd = -1;
	if (nb->dir[0]) {
		write_attr(nb->dir, "power", "0");
		rmdir(nb->dir);
		nb->dir[0] = 0;
	}
}

#define NULLB_OR_SKIP(nb, name, delay) do {				\
	int __r = nullb_make((nb), (name), (delay));			\
	if (__r == -ENODEV)						\
		SKIP(return, "no null_blk configfs (%s)", NULLB_CFG);	\
	ASSERT_EQ(0, __r);						\
} while (0)

#endif /* EMU_NULLB_H */
