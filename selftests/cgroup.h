/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A memory cgroup for the tests that run out of memory on purpose.
 */
#ifndef EMU_CGROUP_H
#define EMU_CGROUP_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define EMU_CG_ROOT "/sys/fs/cgroup"

static inline int emu_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * Create cgroup @path (under EMU_CG_ROOT) with memory.max = @max. Returns
 * NULL, or why it cannot be done here (for SKIP).
 */
static inline const char *emu_cgroup_create(const char *path, const char *max)
{
	char file[256];

	if (access(EMU_DEV, F_OK))
		return "/dev/emu_uring missing: load emu_uring.ko";
	mkdir(EMU_CG_ROOT, 0755);
	if (access(EMU_CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", EMU_CG_ROOT, "cgroup2", 0, NULL))
		return "no cgroup2";
	if (emu_write_file(EMU_CG_ROOT "/cgroup.subtree_control", "+memory"))
		return "no memory controller";
	if (mkdir(path, 0755) && errno != EEXIST)
		return "cannot create a cgroup";
	snprintf(file, sizeof(file), "%s/memory.max", path);
	if (emu_write_file(file, max))
		return "cannot set memory.max";
	return NULL;
}

/* Move the calling process into cgroup @path; 0 or -1. */
static inline int emu_cgroup_enter(const char *path)
{
	char file[256], pid[32];

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return emu_write_file(file, pid);
}

#endif /* EMU_CGROUP_H */
