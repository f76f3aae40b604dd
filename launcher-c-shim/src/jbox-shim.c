/*
 * jbox-shim — the native half of jbox: it clone()s the container with the namespace flags the JVM
 * asks for, forwards the JVM's plan to the child, relays (step, errno) on failure, and then stays
 * as the container's monitor (parent of its init): it delivers signals and reports the exit status.
 *
 * It carries no policy: which namespaces, which mounts, which ids and which command all come from
 * the JVM. Usage: jbox-shim [--tty] CONTROL_SOCKET_PATH   (protocol.h describes the messages.)
 * `jbox-shim attach ...` is `jbox attach`'s client instead (attach.h).
 * This file is the order of things before clone(); clone.c, monitor.c, terminal.c and steps.c
 * hold the rest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attach.h"
#include "clone.h"
#include "clone_request.h"
#include "monitor.h"
#include "output.h"
#include "protocol.h"
#include "sealed_copy.h"
#include "steps.h"
#include "terminal.h"
#include "wire.h"

/* Only for what happens before the control socket can carry a report, or cannot fail usefully. */
static void die(const char *what)
{
	fprintf(stderr, "jbox-shim: %s: %s\n", what, strerror(errno));
	exit(EXIT_FAILED);
}

static int connect_control(const char *path)
{
	int fd = connect_unix(path);
	if (fd < 0)
		die("connect to control socket");
	return fd;
}

/* A failure before the init exists: the JVM words it from the step id; the shim leaves. */
static int fail(int ctl, uint32_t step, int err)
{
	send_failed(ctl, step, err, EXIT_FAILED);
	return EXIT_FAILED;
}

/* Before any join: the FIFO's path is on the host. Writable by the container's root, which may
 * be an unprivileged host id; the state directory around it is root's alone. */
static int make_start_fifo(const char *path)
{
	if ((mkfifo(path, 0600) < 0 && errno != EEXIST) || chmod(path, 0622) < 0)
		return -1;
	return open(path, O_PATH | O_CLOEXEC);
}

int main(int argc, char **argv)
{
	/* Before anything else: from here on the binary that runs is a sealed memfd (sealed_copy.c),
	 * and no process of ours can have its /proc/PID/exe or memory opened by a container's processes
	 * (they lack CAP_SYS_PTRACE over the host). Inherited by the container init and exec's child;
	 * the kernel makes the workload dumpable again at its execve. */
	/* `jbox attach`'s client (attach_client.c) enters no container: no sealed copy needed. */
	if (argc >= 2 && strcmp(argv[1], "attach") == 0)
		return attach_client_main(argc, argv);
	run_from_sealed_copy(argv);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("make the shim non-dumpable");
	int tty_mode = argc == 3 && strcmp(argv[1], "--tty") == 0;
	if (argc != 2 && !tty_mode) {
		fprintf(stderr, "usage: jbox-shim [--tty] CONTROL_SOCKET (started by jbox, not by hand)\n");
		return EXIT_FAILED;
	}
	/* Own process group: the terminal's Ctrl-C goes to jbox, which forwards it exactly once.
	 * With --tty we stay in the foreground group instead: we read the terminal and set it raw,
	 * and in raw mode Ctrl-C is a byte for the container's terminal, not a signal. */
	if (!tty_mode)
		setpgid(0, 0);
	int ctl = connect_control(argv[tty_mode ? 2 : 1]);

	uint32_t type, len, failed_join = 0;
	uint8_t *msg = NULL;
	struct clone_request req;
	int rc = read_frame(ctl, &type, &msg, &len, CLONE_MSG_MAX);
	if (rc < 0 && errno == 0) {
		fprintf(stderr, "jbox-shim: jbox closed the control socket before its clone request\n");
		return EXIT_FAILED; /* nobody left to report to */
	}
	if (rc < 0 || type != MSG_CLONE || parse_clone_request(msg, len, &req) < 0) {
		fprintf(stderr, "jbox-shim: expected a well-formed clone request first\n");
		return fail(ctl, STEP_PROTOCOL, rc < 0 ? errno : EPROTO);
	}
	handed_over = (req.options & SHIM_OPT_HANDOVER) != 0;
	int console = -1, lock = -1, err;
	/* The console first: the path is the caller's, and joining a mount namespace would hide it. */
	if (req.console_path && (console = connect_unix(req.console_path)) < 0)
		return fail(ctl, STEP_CONSOLE, errno);
	if (req.fifo_path && (start_fifo_fd = make_start_fifo(req.fifo_path)) < 0)
		return fail(ctl, STEP_START_FIFO, errno);
	/* The log and its pipes before any join too: the path is the host's. */
	int stdio[3] = { -1, -1, -1 }, out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, log = -1;
	if (req.log_path) {
		/* Attached to one file for both (a terminal, 2>&1): one pipe for both, so they keep the
		 * order the container wrote them in; the log then has them as stdout. */
		struct stat o, e;
		int merged = !(req.options & SHIM_OPT_DETACH) && fstat(1, &o) == 0 && fstat(2, &e) == 0 &&
			     o.st_dev == e.st_dev && o.st_ino == e.st_ino;
		if ((log = open(req.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
		    fchmod(log, 0600) < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 || (!merged && pipe2(err_pipe, O_CLOEXEC) < 0))
			return fail(ctl, STEP_LOG, errno);
		stdio[1] = out_pipe[1];
		stdio[2] = merged ? out_pipe[1] : err_pipe[1];
		fcntl(out_pipe[0], F_SETFL, O_NONBLOCK); /* ours only: a last drain must not wait for orphans */
		if (!merged)
			fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
		signal(SIGPIPE, SIG_IGN); /* a reader of ours gone is EPIPE, passed on; the init resets it */
	}
	static struct monitor m; /* static: its buffers stay off the stack */
	m.att.listen = m.att.client = -1;
	/* `jbox attach`'s socket: the path is the host's too. Only a monitor that outlives jbox has one. */
	if (req.attach_path && (req.options & SHIM_OPT_DETACH) && attach_listen(&m.att, req.attach_path) < 0)
		return fail(ctl, STEP_ATTACH, errno);
	/* run -di: the container's stdin a pipe we hold for attached keys (else it is our /dev/null). */
	int in_pipe[2] = { -1, -1 };
	if ((req.options & SHIM_OPT_STDIN) && (req.options & SHIM_OPT_DETACH)) {
		if (pipe2(in_pipe, O_CLOEXEC) < 0)
			return fail(ctl, STEP_ATTACH, errno);
		stdio[0] = in_pipe[0];
		fcntl(in_pipe[1], F_SETFL, O_NONBLOCK); /* keys wait in the monitor, never the monitor on them */
		signal(SIGPIPE, SIG_IGN); /* a container that closed its stdin is EPIPE: its keys are dropped */
	}
	if ((err = join_namespaces(&req, &failed_join)) != 0)
		return fail(ctl, STEP_JOIN + failed_join, err);
	if (req.options & SHIM_OPT_DETACH)
		setsid(); /* no controlling terminal: a closed terminal must not hang up the monitor */
	if (req.lock_path && (lock = hold_monitor_lock(req.lock_path)) < 0)
		return fail(ctl, STEP_MONITOR_LOCK, errno);

	sigset_t orig_mask;
	int sigfd = block_monitor_signals(&orig_mask);
	if (sigfd < 0)
		return fail(ctl, STEP_SIGNALFD, errno);
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return fail(ctl, STEP_SOCKETPAIR, errno);

	const int close_in_child[] = { ctl, pair[0], sigfd, console, lock, log, out_pipe[0], err_pipe[0], m.att.listen,
				       in_pipe[1] };
	pid_t pid = clone_container(req.flags, pair[1], close_in_child, 10, stdio, &orig_mask);
	if (pid < 0)
		return fail(ctl, STEP_CLONE, errno);
	close(pair[1]);
	if (req.log_path) {
		close(out_pipe[1]); /* the init's now: EOF once it and its children are gone */
		if (err_pipe[1] >= 0)
			close(err_pipe[1]);
	}
	if (in_pipe[0] >= 0)
		close(in_pipe[0]); /* the init's now */
	if (start_fifo_fd >= 0)
		close(start_fifo_fd); /* the child's copy is the one that matters */

	uint8_t pidmsg[8];
	put_u32(pidmsg, (uint32_t)pid);
	put_u32(pidmsg + 4, (uint32_t)getpid());
	if (write_frame(ctl, MSG_PID, pidmsg, sizeof(pidmsg)) < 0)
		kill(pid, SIGKILL);

	m.ctl = ctl;
	m.child = pair[0];
	m.sigfd = sigfd;
	m.console = console;
	m.tty_mode = tty_mode;
	m.pid = pid;
	m.stdin_pipe = in_pipe[1];
	m.req = &req;
	m.out = (struct output){ .log = log, .pipe = { -1, out_pipe[0], err_pipe[0] },
				 .relay = !(req.options & SHIM_OPT_DETACH), .attach = &m.att };
	return monitor_run(&m);
}
