/* clone.c — joins, clone(), and the container init until its plan's first step (clone.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "clone.h"
#include "protocol.h"
#include "steps.h"
#include "wire.h"

/*
 * The monitor joins too (it has no use for them), and clone() then places the child there; a pid
 * namespace applies to the child only. The order is the JVM's (user first: it grants the
 * capabilities the other joins need). All are opened before the first join: inside a joined user
 * namespace the others' /proc links are closed to us.
 */
int join_namespaces(const struct clone_request *r, uint32_t *failed)
{
	int fds[MAX_JOINS];
	for (uint32_t i = 0; i < r->njoins; i++) {
		if ((fds[i] = open(r->joins[i], O_RDONLY | O_CLOEXEC)) < 0) {
			*failed = i;
			return errno;
		}
	}
	for (uint32_t i = 0; i < r->njoins; i++) {
		if (setns(fds[i], 0) < 0) {
			*failed = i;
			return errno;
		}
		close(fds[i]);
	}
	return 0;
}

/* The container init before its plan runs: undo what the monitor set up for itself, wait for the
 * plan (which also means "id maps are written"), run it, report the failure. Never returns. */
static void child_main(int sock, const sigset_t *orig_mask)
{
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for SIGKILL, SIGSTOP and glibc's reserved ones */
	sigprocmask(SIG_SETMASK, orig_mask, NULL);
	/* The monitor gone means nobody reports on us; handed over, the caller is the monitor and
	 * the shim leaves early on purpose. */
	if (!handed_over)
		prctl(PR_SET_PDEATHSIG, SIGKILL);

	uint32_t type, len, failed = 0;
	uint8_t *plan = NULL;
	report_fd = sock;
	int rc, passed;
	/* Idmapped mounts the shim made for the plan's OP_MOVE_MOUNT steps come first, if any. */
	while ((rc = recv_frame_fd(sock, &type, &plan, &len, &passed, PLAN_MAX_BYTES)) > 0 && type == MSG_MOUNT_FD &&
	       len == 4 && mount_fd_count < MAX_MOUNT_FDS) {
		int err = (int)get_u32(plan);
		mount_fds[mount_fd_count++] = passed >= 0 && err == 0 ? passed : -(err > 0 ? err : EBADF);
		if (passed >= 0 && err != 0)
			close(passed);
		free(plan);
		plan = NULL;
	}
	if (rc == 0)
		_exit(EXIT_FAILED); /* EOF: the JVM went away before sending a plan; the monitor reports it */
	if (rc < 0 || type != MSG_PLAN) {
		send_failed(sock, STEP_PROTOCOL, rc < 0 ? errno : EPROTO, EXIT_FAILED);
		_exit(EXIT_FAILED);
	}
	int err = run_plan(plan, len, &failed);
	int status = failure_exit_status(failed_op, err);
	if (send_failed(sock, failed, err, status) == 0)
		_exit(EXIT_FAILED);
	/* After a handover there is no one to tell but the caller's log. */
	fprintf(stderr, "jbox: container init: plan step %u failed: %s\n", failed,
		err & HOOK_FAILED ? "hook exited non-zero" : strerror(err));
	_exit(status);
}

pid_t clone_container(uint32_t flags, int sock, const int *close_in_child, int nclose, const int stdio[3],
		      const sigset_t *orig_mask)
{
	/* Fork-like clone (no new stack): the child continues below with a copy of our memory. */
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, 0UL);
	if (pid != 0)
		return pid;
	for (int i = 0; i < nclose; i++)
		if (close_in_child[i] >= 0)
			close(close_in_child[i]); /* the monitor's: the lock is a host file, never the container's */
	for (int fd = 0; fd <= 2; fd++) {
		if (stdio[fd] >= 0 && dup2(stdio[fd], fd) < 0)
			_exit(EXIT_FAILED); /* nothing to report on yet: the monitor sees the exit */
	}
	if (stdio[0] > 2)
		close(stdio[0]);
	if (stdio[1] > 2)
		close(stdio[1]);
	if (stdio[2] > 2 && stdio[2] != stdio[1])
		close(stdio[2]);
	child_main(sock, orig_mask);
	return -1; /* not reached */
}
