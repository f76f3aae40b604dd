/*
 * frontend.c — `jbox` on PATH: a small native front end for the resident engine (issue #15; the
 * wire format is engine_protocol.h). Mechanism only: it never parses jbox's flags. It finds the
 * engine of its own namespaces (starting one when there is none), sends argv, environment, cwd,
 * which stdio are terminals and the window size, then relays the engine's output, forwards its
 * signals, starts the children the engine asks for (the shim, with this process's stdio, so the
 * process tree is the cold path's) and exits with the engine's status.
 *
 * engine_start.c finds the engine, or starts one. Whenever the engine cannot serve —
 * JBOX_ENGINE=off, engine.enabled=false in the config, not root, `jbox engine ...`, no engine
 * reachable or startable, any failure before REQUEST is sent, or the engine answering FALLBACK —
 * it execs the cold path, <its directory>/jbox-jvm, with the same argv and environment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_wire.h"
#include "frontend.h"
#include "protocol.h"
#include "wire.h"

extern char **environ;

#define MAX_CHILDREN 1024

char home[PATH_MAX];
static char **orig_argv;

/* The signals forwarded to the engine; SIGCHLD is ours (reaping). */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
#define NFORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))
static int self_pipe[2] = { -1, -1 };

/* Default dispositions and an empty mask, through the system calls themselves: glibc (and a
 * sanitizer's interceptors) will not touch the signals they reserve, and what they did with those
 * must not reach a child. A zeroed kernel sigaction is SIG_DFL, whatever its layout. */
void restore_signals(void)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = { 0 };
	uint64_t none = 0;
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(none));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none));
}

/* The cold path: today's launcher script, which execs the JVM. Never returns. */
static void __attribute__((noreturn)) cold_path(void)
{
	static char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/jbox-jvm", home);
	orig_argv[0] = path;
	execv(path, orig_argv);
	fprintf(stderr, "jbox: cannot run the cold path %s: %s\n", path, strerror(errno));
	exit(EXIT_FAILED);
}

struct child {
	pid_t pid;
	int reaped;
};

static struct {
	int sock, stdin_on, stdout_ok, stderr_ok, send_ok;
	struct wbuf out;
	size_t in_n;
	struct child children[MAX_CHILDREN];
	size_t nchildren;
} fe;

static uint8_t in[8 + ENGINE_FRAME_MAX];

static void __attribute__((noreturn)) protocol_error(const char *why)
{
	fprintf(stderr, "jbox: malformed frame from the engine: %s\n", why);
	exit(EXIT_FAILED);
}

static void on_signal(int sig)
{
	int err = errno;
	uint8_t b = (uint8_t)sig;
	if (write(self_pipe[1], &b, 1) < 0) {
		/* a full pipe: the signals already queued are enough to act on */
	}
	errno = err;
}

/* What the caller gave us for the signals we take over: the cold path gets it back on FALLBACK. */
static struct sigaction inherited[NFORWARDED + 2];
static sigset_t inherited_mask;

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigemptyset(&sa.sa_mask);
	sigemptyset(&ign.sa_mask);
	for (size_t i = 0; i < NFORWARDED; i++) {
		/* An ignored signal stays ignored (nohup, a background job's SIGINT), as for the JVM. */
		if (sigaction(forwarded[i], NULL, &inherited[i]) == 0 && inherited[i].sa_handler != SIG_IGN)
			sigaction(forwarded[i], &sa, NULL);
	}
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &inherited[NFORWARDED]);
	/* A closed stdout drops output; the command still runs to its EXIT. */
	sigaction(SIGPIPE, &ign, &inherited[NFORWARDED + 1]);
	/* A caller may hand us a blocked signal: a JVM's threads block SIGQUIT, and its children
	 * inherit that mask. Blocked, it would never be forwarded (Ctrl-\ would not reach the
	 * container): what we handle, we unblock, as the JVM of the cold path does for its own. */
	sigset_t ours;
	sigemptyset(&ours);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&ours, forwarded[i]);
	sigaddset(&ours, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &ours, &inherited_mask);
}

static void uninstall_signals(void)
{
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaction(forwarded[i], &inherited[i], NULL);
	sigaction(SIGCHLD, &inherited[NFORWARDED], NULL);
	sigaction(SIGPIPE, &inherited[NFORWARDED + 1], NULL);
}

/* The caller's signal mask, for the cold path (after any pending signal was raised). */
static void restore_mask(void)
{
	sigprocmask(SIG_SETMASK, &inherited_mask, NULL);
}

static void put_u32_frame(uint32_t type, uint32_t a)
{
	uint8_t b[4];
	put_u32(b, a);
	wb_frame(&fe.out, type, b, 4);
}

/* Writes all of buf to fd (a non-blocking fd is waited on); -1 on error. */
static int write_all(int fd, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The engine's SPAWN: a child with default signals and an empty mask, our stdio (mode 0) or
 * /dev/null and the log (mode 1), nothing else open; execve's errno comes back over a pipe. */
static pid_t spawn_child(const struct spawn *s, int *err)
{
	int p[2], e;
	sigset_t all, old;
	if (fe.nchildren == MAX_CHILDREN) {
		*err = EAGAIN;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		*err = errno;
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old); /* no handler of ours may run in the child */
	pid_t pid = fork();
	if (pid == 0) {
		int fd;
		restore_signals();
		if (s->mode == SPAWN_MODE_DETACHED &&
		    ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 || dup2(fd, 0) < 0 ||
		     (fd = open(s->log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
		     fchmod(fd, 0600) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
			goto failed;
		/* As ProcessBuilder did on the cold path: only fds 0, 1 and 2 reach the child. */
		if (syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) < 0) {
			struct rlimit rl;
			int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
			for (fd = 3; fd < max; fd++)
				if (fd != p[1])
					fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		execve(s->exec, s->argv, s->envp);
failed:
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0) {
			/* the parent is gone: nobody to tell */
		}
		_exit(EXIT_NOT_FOUND);
	}
	*err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	ssize_t n;
	while ((n = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n == sizeof(e)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		*err = e;
		return -1;
	}
	fe.children[fe.nchildren++] = (struct child){ .pid = pid };
	return pid;
}

static void reap_children(void)
{
	for (size_t i = 0; i < fe.nchildren; i++) {
		int status;
		if (!fe.children[i].reaped && waitpid(fe.children[i].pid, &status, WNOHANG) == fe.children[i].pid) {
			uint8_t b[8];
			fe.children[i].reaped = 1;
			put_u32(b, (uint32_t)fe.children[i].pid);
			put_u32(b + 4, (uint32_t)status);
			wb_frame(&fe.out, EMSG_CHILD_EXITED, b, 8);
		}
	}
}

/* FALLBACK: the cold path gets the caller's dispositions back, and signals that came meanwhile
 * act as they would have on a front end without handlers. */
static void __attribute__((noreturn)) fall_back(void)
{
	uint8_t pending[64];
	ssize_t n = read(self_pipe[0], pending, sizeof(pending));
	close(fe.sock);
	uninstall_signals();
	for (ssize_t i = 0; i < n; i++)
		if (pending[i] != SIGCHLD && pending[i] != SIGWINCH)
			raise(pending[i]);
	restore_mask();
	cold_path();
}

static void handle_frame(uint32_t type, const uint8_t *p, uint32_t len)
{
	struct spawn s;
	const char *why = NULL;
	int err;
	switch (type) {
	case EMSG_STDOUT:
		if (fe.stdout_ok && write_all(1, p, len) < 0)
			fe.stdout_ok = 0;
		break;
	case EMSG_STDERR:
		if (fe.stderr_ok && write_all(2, p, len) < 0)
			fe.stderr_ok = 0;
		break;
	case EMSG_WANT_STDIN:
		if (fe.stdin_on == 0)
			fe.stdin_on = 1;
		break;
	case EMSG_SPAWN:
		if (decode_spawn(p, len, &s, &why) < 0)
			protocol_error(why);
		pid_t pid = spawn_child(&s, &err);
		spawn_free(&s);
		if (pid > 0)
			put_u32_frame(EMSG_SPAWNED, (uint32_t)pid);
		else
			put_u32_frame(EMSG_SPAWN_FAILED, (uint32_t)err);
		break;
	case EMSG_KILL_CHILD:
		for (size_t i = 0; i < fe.nchildren; i++)
			if (fe.children[i].pid == (pid_t)get_u32(p) && !fe.children[i].reaped)
				kill(fe.children[i].pid, (int)get_u32(p + 4)); /* unreaped: the pid is still ours */
		break;
	case EMSG_EXIT:
		exit((int)(get_u32(p) & 0xff));
	case EMSG_FALLBACK:
		fall_back();
	}
}

static void from_engine(void)
{
	ssize_t r = read(fe.sock, in + fe.in_n, sizeof(in) - fe.in_n);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		fprintf(stderr, "jbox: lost the connection to the engine\n");
		exit(EXIT_FAILED);
	}
	fe.in_n += (size_t)r;
	size_t off = 0;
	for (;;) {
		uint32_t type, len;
		const uint8_t *payload = NULL;
		const char *why = NULL;
		long took = frame_take(in + off, fe.in_n - off, &type, &payload, &len, &why);
		if (took < 0)
			protocol_error(why);
		if (took == 0)
			break;
		handle_frame(type, payload, len);
		off += (size_t)took;
	}
	memmove(in, in + off, fe.in_n - off);
	fe.in_n -= off;
}

static void from_stdin(void)
{
	static uint8_t buf[ENGINE_DATA_MAX];
	ssize_t n = read(0, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		fe.stdin_on = 2; /* EOF (or an error, which ends stdin as EOF would) */
		n = 0;
	}
	wb_frame(&fe.out, EMSG_STDIN, buf, (uint32_t)n);
}

static void from_signals(void)
{
	uint8_t sigs[64];
	ssize_t n = read(self_pipe[0], sigs, sizeof(sigs));
	for (ssize_t i = 0; i < n; i++) {
		if (sigs[i] == SIGCHLD)
			reap_children();
		else
			put_u32_frame(EMSG_SIGNAL, sigs[i]);
	}
}

static void to_engine(void)
{
	ssize_t w = send(fe.sock, fe.out.b, fe.out.n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (w < 0) {
		fe.send_ok = 0; /* the engine closed: its EXIT may still be unread, EOF decides */
		fe.out.n = 0;
		return;
	}
	wb_consume(&fe.out, (size_t)w);
}

static void __attribute__((noreturn)) serve(void)
{
	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = fe.sock, .events = POLLIN | (fe.out.n && fe.send_ok ? POLLOUT : 0) },
			{ .fd = self_pipe[0], .events = POLLIN },
			/* Backpressure: no more stdin while what we read is still unsent. */
			{ .fd = fe.stdin_on == 1 && fe.out.n < ENGINE_DATA_MAX ? 0 : -1, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "jbox: poll: %s\n", strerror(errno));
			exit(EXIT_FAILED);
		}
		if (fds[1].revents)
			from_signals();
		if (fds[2].revents)
			from_stdin();
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
			from_engine();
		if (fe.out.oom) {
			fprintf(stderr, "jbox: out of memory\n");
			exit(EXIT_FAILED);
		}
		if (fe.out.n && fe.send_ok)
			to_engine();
		if (!fe.send_ok)
			fe.out.n = 0;
	}
}

/* The window size of the first of our stdio that is a terminal. */
static void window_size(uint32_t ttys, uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;
	for (int fd = 0; fd < 3; fd++)
		if ((ttys & (1u << fd)) && ioctl(fd, TIOCGWINSZ, &ws) == 0) {
			*rows = ws.ws_row;
			*cols = ws.ws_col;
			return;
		}
}

int main(int argc, char **argv)
{
	char cwd[PATH_MAX];
	struct paths paths;
	const char *why = NULL;
	ssize_t n = readlink("/proc/self/exe", home, sizeof(home) - 1);
	char *slash = n > 0 ? memrchr(home, '/', (size_t)n) : NULL;
	if (slash == NULL) {
		fprintf(stderr, "jbox: cannot find the front end's directory from /proc/self/exe: %s\n",
			n < 0 ? strerror(errno) : "not an absolute path");
		return EXIT_FAILED;
	}
	*slash = 0;
	orig_argv = argv;
	if (!engine_wanted(argc, argv) || engine_paths(&paths) < 0 || getcwd(cwd, sizeof(cwd)) == NULL)
		cold_path();
	if ((fe.sock = reach_engine(&paths)) < 0)
		cold_path();
	if (pipe2(self_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		cold_path(); /* the engine sees EOF before a REQUEST: nothing was done */
	install_signals();

	struct request_info r = { .pid = (uint32_t)getpid(), .key = paths.key, .cwd = cwd, .argv = argv + 1,
				  .envp = environ };
	struct wbuf req = { 0 };
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			r.ttys |= 1u << fd; /* ENGINE_TTY_STDIN, _STDOUT, _STDERR */
	window_size(r.ttys, &r.rows, &r.cols);
	if (encode_request(&req, &r, &why) < 0 || write_full(fe.sock, req.b, req.n) < 0)
		fall_back(); /* a request the engine did not get whole is one it did not act on */
	wb_free(&req);
	fe.stdout_ok = fe.stderr_ok = fe.send_ok = 1;
	serve();
}
