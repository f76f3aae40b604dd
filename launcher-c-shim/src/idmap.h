/*
 * idmap.h — MSG_IDMAP in the monitor: a detached, idmapped copy of a host tree for the init.
 */
#ifndef JBOX_IDMAP_H
#define JBOX_IDMAP_H

#include <stdint.h>
#include <sys/types.h>

/* MSG_IDMAP's payload: 0 with *at_flags and *path (inside msg), else EINVAL (also for flags other
 * than AT_RECURSIVE, an empty, unterminated or relative path). */
int idmap_decode(const uint8_t *msg, uint32_t len, uint32_t *at_flags, const char **path);

/* open_tree(OPEN_TREE_CLONE) of path, then mount_setattr(MOUNT_ATTR_IDMAP) with the user namespace
 * of pid (its maps written): 0 and the detached mount in *out, else the errno. */
int idmap_tree(pid_t pid, uint32_t at_flags, const char *path, int *out);

#endif
