/*
 * jbox-shim — the native half of jbox: it clone()s the container with the namespace flags the JVM
 * asks for, forwards the JVM's plan to the child, relays (step, errno) on failure, and then stays
 * as the container's monitor (parent of its init): it delivers signals and reports the exit status.
 *
 * It carries no policy: which namespaces, which mounts, which ids and which command all come from
 * the JVM. Usage: jbox-shim CONTROL_SOCKET_PATH   (protocol.h describes the messages.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"
#include "wire.h"

#define STEP_CLONE 0xffffffffu /* step index reported when clone() itself fails */

int run_plan(const uint8_t *plan, uint32_t len, uint32_t *failed_step); /* steps.c */

static void die(const char *what)
{
	fprintf(stderr, "jbox-shim: %s: %s\n", what, strerror(errno));
	exit(125);
}

static int connect_control(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		die("control socket path");
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("connect to control socket");
	return fd;
}

/* The container init before its plan runs: undo what the monitor set up for itself, wait for the
 * plan (which also means "id maps are written"), run it. Never returns. */
static void child_main(int sock, const sigset_t *orig_mask)
{
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for SIGKILL, SIGSTOP and glibc's reserved ones */
	sigprocmask(SIG_SETMASK, orig_mask, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* the monitor gone means nobody reports on us */

	uint32_t type, len, failed = 0;
	uint8_t *plan = NULL;
	if (read_frame(sock, &type, &plan, &len, PLAN_MAX_BYTES) < 0 || type != MSG_PLAN)
		_exit(125); /* the JVM went away before sending a plan: the monitor reports it */
	int err = run_plan(plan, len, &failed);
	uint8_t payload[8];
	put_u32(payload, failed);
	put_u32(payload + 4, (uint32_t)err);
	write_frame(sock, MSG_FAILED, payload, sizeof(payload));
	_exit(125);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

static void report_failure(int ctl, uint32_t step, int err)
{
	uint8_t payload[8];
	put_u32(payload, step);
	put_u32(payload + 4, (uint32_t)err);
	write_frame(ctl, MSG_FAILED, payload, sizeof(payload));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jbox-shim CONTROL_SOCKET (started by jbox, not by hand)\n");
		return 125;
	}
	/* Own process group: the terminal's Ctrl-C goes to jbox, which forwards it exactly once. */
	setpgid(0, 0);
	int ctl = connect_control(argv[1]);

	uint32_t type, len;
	uint8_t *msg = NULL;
	if (read_frame(ctl, &type, &msg, &len, 64) < 0 || type != MSG_CLONE || len != 8) {
		fprintf(stderr, "jbox-shim: expected a clone request first\n");
		return 125;
	}
	uint32_t flags = get_u32(msg);
	free(msg);

	sigset_t mask, orig_mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, &orig_mask) < 0)
		die("sigprocmask");
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0)
		die("signalfd");

	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		die("socketpair");

	/* Fork-like clone (no new stack): the child continues below with a copy of our memory. */
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, 0UL);
	if (pid < 0) {
		report_failure(ctl, STEP_CLONE, errno);
		return 125;
	}
	if (pid == 0) {
		close(ctl);
		close(pair[0]);
		close(sigfd);
		child_main(pair[1], &orig_mask);
	}
	close(pair[1]);
	int child = pair[0];

	uint8_t pidmsg[4];
	put_u32(pidmsg, (uint32_t)pid);
	if (write_frame(ctl, MSG_PID, pidmsg, sizeof(pidmsg)) < 0)
		kill(pid, SIGKILL);

	/* One loop for setup and run: the JVM may vanish, the child may fail or exit, at any time. */
	int jvm_gone = 0, failed = 0, reaped = 0, status = 0;
	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = jvm_gone ? -1 : ctl, .events = POLLIN },
			{ .fd = child, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (fds[0].revents) {
			if (read_frame(ctl, &type, &msg, &len, PLAN_MAX_BYTES) < 0) {
				jvm_gone = 1; /* jbox died: a container nobody watches must not live on */
				kill(pid, SIGKILL);
			} else if (type == MSG_PLAN && child >= 0) {
				if (write_frame(child, MSG_PLAN, msg, len) < 0)
					kill(pid, SIGKILL);
				free(msg);
			} else if (type == MSG_SIGNAL && len == 4) {
				kill(pid, (int)get_u32(msg));
				free(msg);
			} else {
				fprintf(stderr, "jbox-shim: unexpected message %u from jbox\n", type);
				free(msg);
				kill(pid, SIGKILL);
			}
		}
		if (child >= 0 && fds[1].revents) {
			uint8_t *reply = NULL;
			if (read_frame(child, &type, &reply, &len, 64) == 0 && type == MSG_FAILED && len == 8) {
				write_frame(ctl, MSG_FAILED, reply, len);
				failed = 1;
			} else if (!failed) {
				write_frame(ctl, MSG_STARTED, NULL, 0); /* EOF: execve closed the socket */
			}
			free(reply);
			close(child);
			child = -1;
		}
		if (fds[2].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGCHLD) {
				kill(pid, (int)si.ssi_signo); /* a monitor that is signalled passes it on */
				continue;
			}
			if (waitpid(pid, &status, WNOHANG) == pid)
				reaped = 1;
		}
		/* Report the exit only after the child's socket is drained: a failure report may be
		 * queued behind it. */
		if (reaped && child < 0) {
			uint8_t st[4];
			put_u32(st, (uint32_t)status);
			if (!jvm_gone)
				write_frame(ctl, MSG_EXITED, st, sizeof(st));
			return failed ? 125 : exit_code(status);
		}
	}
}
