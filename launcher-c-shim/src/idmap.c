/*
 * idmap.c — an idmapped mount for a container (podman's -v SRC:DST:idmap, jbox's default for
 * bind mounts in a user namespace). Only the host's root may idmap a mount (CAP_SYS_ADMIN over the
 * filesystem's user namespace, the initial one for ext4 or xfs), and only a detached one; the user
 * namespace whose maps it borrows exists once clone() made the init and jbox wrote its maps. So the
 * monitor does it after clone and before the plan, and the init attaches it (OP_MOVE_MOUNT) where
 * the plan says, inside its own mount namespace. crun does the same (linux.c, get_idmapped_mount).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "idmap.h"
#include "wire.h"

#ifndef SYS_open_tree
#define SYS_open_tree 428 /* x86_64, Linux 5.2 */
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442 /* x86_64, Linux 5.12 */
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define JBOX_MOUNT_ATTR_IDMAP 0x00100000ULL

/* struct mount_attr of linux/mount.h, spelt out: older libc headers lack it. */
struct idmap_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

int idmap_decode(const uint8_t *msg, uint32_t len, uint32_t *at_flags, const char **path)
{
	if (len < 6 || len > IDMAP_MSG_MAX || msg[len - 1] != '\0')
		return EINVAL;
	*at_flags = get_u32(msg);
	*path = (const char *)msg + 4;
	if ((*at_flags & ~(uint32_t)AT_RECURSIVE) != 0 || (*path)[0] != '/' || strlen(*path) != len - 5)
		return EINVAL;
	return 0;
}

int idmap_tree(pid_t pid, uint32_t at_flags, const char *path, int *out)
{
	char ns[64];
	snprintf(ns, sizeof(ns), "/proc/%d/ns/user", (int)pid); /* our unreaped child: not a reused pid */
	int userns = open(ns, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return errno;
	int err = 0;
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | O_CLOEXEC | (at_flags & AT_RECURSIVE));
	if (fd < 0) {
		err = errno;
	} else {
		struct idmap_attr attr = { .attr_set = JBOX_MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
		if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (at_flags & AT_RECURSIVE), &attr, sizeof(attr)) < 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	close(userns);
	*out = fd;
	return err;
}
