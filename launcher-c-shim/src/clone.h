/*
 * clone.h — creating the container init: joining the namespaces the JVM listed, clone(), and the
 * init's first moments (waiting for the plan, running it, reporting how it failed).
 */
#ifndef JBOX_CLONE_H
#define JBOX_CLONE_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "clone_request.h"

/* setns() into every path of r->joins, in the list's order; 0, or an errno with the index of the
 * path that failed in *failed. */
int join_namespaces(const struct clone_request *r, uint32_t *failed);

/* clone() with flags; the child closes the nclose fds of close_in_child, makes stdio[0..2]
 * its fds 0, 1 and 2 (when >= 0), runs the plan it reads from sock and never returns.
 * Returns the child's pid, or -1 with errno. */
pid_t clone_container(uint32_t flags, int sock, const int *close_in_child, int nclose, const int stdio[3],
		      const sigset_t *orig_mask);

#endif
