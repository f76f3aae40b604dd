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
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"
#include "sealed_copy.h"
#include "wire.h"

#define STEP_CLONE 0xffffffffu /* step index reported when clone() itself fails */
#define STEP_ENTER 0xfffffffdu /* ... when entering a running container's namespaces fails */
#define STEP_JOIN 0xffffff00u  /* ... + i when setns() into the i-th namespace to join fails */
#define MAX_JOINS 16

int run_plan(const uint8_t *plan, uint32_t len, uint32_t *failed_step); /* steps.c */
extern int report_fd, handed_over, start_fifo_fd;                       /* steps.c */
extern uint32_t failed_op;                                              /* steps.c */

#define MAX_SYSCALL_NR 1024
static uint32_t denied[MAX_SYSCALL_NR]; /* seccomp notifications per syscall number */

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
	/* The monitor gone means nobody reports on us; handed over, the caller is the monitor and
	 * the shim leaves early on purpose. */
	if (!handed_over)
		prctl(PR_SET_PDEATHSIG, SIGKILL);

	uint32_t type, len, failed = 0;
	uint8_t *plan = NULL;
	report_fd = sock;
	if (read_frame(sock, &type, &plan, &len, PLAN_MAX_BYTES) < 0 || type != MSG_PLAN)
		_exit(125); /* the JVM went away before sending a plan: the monitor reports it */
	int err = run_plan(plan, len, &failed);
	uint8_t payload[8];
	put_u32(payload, failed);
	put_u32(payload + 4, (uint32_t)err);
	if (write_frame(sock, MSG_FAILED, payload, sizeof(payload)) == 0)
		_exit(125);
	/* After a handover there is no one to tell but the caller's log; the exit status follows
	 * docker's rule for the command itself. */
	fprintf(stderr, "jbox: container init: plan step %u failed: %s\n", failed,
		err & 0x10000 ? "hook exited non-zero" : strerror(err));
	_exit(failed_op == OP_EXEC ? (err == ENOENT ? 127 : 126) : 125);
}

/* Reads a frame from the child; a frame may carry a file descriptor (SCM_RIGHTS). */
static int read_child_frame(int fd, uint32_t *type, uint8_t **payload, uint32_t *len, int *passed)
{
	uint8_t head[8];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = head, .iov_len = sizeof(head) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	*payload = NULL;
	*passed = -1;
	ssize_t n = recvmsg(fd, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(head))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	*type = get_u32(head);
	*len = get_u32(head + 4);
	if (*len > 64)
		return -1;
	if (*len == 0)
		return 0;
	*payload = malloc(*len);
	if (*payload == NULL || read_full(fd, *payload, *len) < 0)
		return -1;
	return 0;
}

/* One seccomp notification: count it and refuse the syscall with EPERM. */
static void answer_notification(int listener)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* the caller died meanwhile (ENOENT) or we were interrupted */
	if (req.data.nr >= 0 && req.data.nr < MAX_SYSCALL_NR)
		denied[req.data.nr]++;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -EPERM;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void report_denied(int ctl)
{
	static uint8_t buf[MAX_SYSCALL_NR * 8];
	uint32_t n = 0;
	for (uint32_t nr = 0; nr < MAX_SYSCALL_NR; nr++) {
		if (denied[nr]) {
			put_u32(buf + n, nr);
			put_u32(buf + n + 4, denied[nr]);
			n += 8;
		}
	}
	if (n)
		write_frame(ctl, MSG_DENIED, buf, n);
}

/* What MSG_CLONE asked for; strings point into the message, which stays allocated. */
struct clone_request {
	uint32_t flags, options, njoins;
	const char *joins[MAX_JOINS], *lock_path, *exit_path, *enter_pid, *fifo_path, *console_path;
	char *on_exit[64];
};

static const char *next_string(const uint8_t *msg, uint32_t len, uint32_t *pos)
{
	const char *s = (const char *)msg + *pos;
	const uint8_t *nul = *pos < len ? memchr(msg + *pos, 0, len - *pos) : NULL;
	if (!nul)
		return NULL;
	*pos = (uint32_t)(nul - msg) + 1;
	return s;
}

static int parse_clone_request(const uint8_t *msg, uint32_t len, struct clone_request *r)
{
	uint32_t pos = 8, n = 0;
	memset(r, 0, sizeof(*r));
	if (len < 8)
		return -1;
	r->flags = get_u32(msg);
	r->options = get_u32(msg + 4);
	if (r->options & SHIM_OPT_JOIN) {
		const char *count = next_string(msg, len, &pos);
		if (!count || (r->njoins = (uint32_t)strtoul(count, NULL, 10)) == 0 || r->njoins > MAX_JOINS)
			return -1;
		for (uint32_t i = 0; i < r->njoins; i++)
			if (!(r->joins[i] = next_string(msg, len, &pos)))
				return -1;
	}
	if ((r->options & SHIM_OPT_ENTER) && !(r->enter_pid = next_string(msg, len, &pos)))
		return -1;
	if ((r->options & SHIM_OPT_RECORD) && (!(r->lock_path = next_string(msg, len, &pos)) ||
					       !(r->exit_path = next_string(msg, len, &pos))))
		return -1;
	if ((r->options & SHIM_OPT_START_FIFO) && !(r->fifo_path = next_string(msg, len, &pos)))
		return -1;
	if ((r->options & SHIM_OPT_CONSOLE) && !(r->console_path = next_string(msg, len, &pos)))
		return -1;
	if (r->options & SHIM_OPT_ON_EXIT) {
		while (pos < len && n < 63)
			if (!(r->on_exit[n++] = (char *)next_string(msg, len, &pos)))
				return -1;
		if (n == 0)
			return -1;
	}
	return pos == len ? 0 : -1;
}

/*
 * jbox exec: join every namespace of the target, the user namespace first (it grants the
 * capabilities the other joins need), the mount namespace last (its root becomes ours). Namespaces
 * we already share are skipped: setns() into one's own user namespace fails.
 */
static int enter_namespaces(const char *pid)
{
	static const char *types[] = { "user", "cgroup", "ipc", "uts", "net", "pid", "mnt" };
	int fds[7];
	char path[64];
	for (int i = 0; i < 7; i++) {
		struct stat mine, theirs;
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, types[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", types[i]);
		if (fstat(fds[i], &theirs) == 0 && stat(path, &mine) == 0 && mine.st_ino == theirs.st_ino) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	for (int i = 0; i < 7; i++) {
		if (fds[i] >= 0 && setns(fds[i], 0) < 0)
			return -1;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return 0;
}

/*
 * The monitor's lock: held while it lives, so jbox can tell a live container from a dead one. Not
 * close-on-exec: an fcntl lock belongs to the process, so the ON_EXIT command (same pid) keeps
 * holding it until it has finished; the container child closes its copy at once.
 */
static int monitor_lock_fd = -1;

static int hold_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
		return -1;
	monitor_lock_fd = fd; /* stays open: closing it would drop the lock */
	return 0;
}

/* "status user_us sys_us maxrss_kb nr:count,...": what a detached container's report needs. */
static void write_exit_record(const char *path, int status, const struct rusage *u)
{
	static char line[64 + MAX_SYSCALL_NR * 24];
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	int n = snprintf(line, sizeof(line), "%d %llu %llu %ld ", status,
			 (unsigned long long)u->ru_utime.tv_sec * 1000000ull + (unsigned long long)u->ru_utime.tv_usec,
			 (unsigned long long)u->ru_stime.tv_sec * 1000000ull + (unsigned long long)u->ru_stime.tv_usec,
			 u->ru_maxrss);
	for (uint32_t nr = 0; nr < MAX_SYSCALL_NR; nr++)
		if (denied[nr])
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%u:%u,", nr, denied[nr]);
	line[n++] = '\n';
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); /* jbox's alone, whatever the umask */
	if (fd < 0)
		return;
	int ok = write(fd, line, (size_t)n) == n; /* a regular file takes it in one write */
	close(fd);
	if (ok)
		rename(tmp, path);
}

/* The container's terminal: raw mode for the user's, window size from it, bytes both ways. */
static struct termios saved_termios;
static int termios_saved;

static void raw_terminal(void)
{
	struct termios t;
	if (!isatty(0) || tcgetattr(0, &saved_termios) < 0)
		return;
	termios_saved = 1;
	t = saved_termios;
	cfmakeraw(&t);
	tcsetattr(0, TCSANOW, &t);
}

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(0, TCSANOW, &saved_termios);
	termios_saved = 0;
}

static void copy_window_size(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Copies what is there from one fd to another; <= 0 at end or error. Non-blocking reads only. */
static ssize_t relay(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n > 0 && to >= 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(to, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += w;
		}
	}
	return n;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

/* --console-socket: the terminal's master goes to whoever listens there (conmon, containerd).
 * Connected first thing: the path is the caller's, and joining or entering a container's mount
 * namespace would hide it. */
static int connect_console(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_console(int sock, int master)
{
	char name[] = "jbox-console";
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	memset(cbuf, 0, sizeof(cbuf));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) > 0 ? 0 : -1;
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
	/* Before anything else: from here on the binary that runs is a sealed memfd (sealed_copy.c),
	 * and no process of ours can have its /proc/PID/exe or memory opened by a container's processes
	 * (they lack CAP_SYS_PTRACE over the host). Inherited by the container init and exec's child;
	 * the kernel makes the workload dumpable again at its execve. */
	run_from_sealed_copy(argv);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("make the shim non-dumpable");
	int tty_mode = argc == 3 && strcmp(argv[1], "--tty") == 0;
	if (argc != 2 && !tty_mode) {
		fprintf(stderr, "usage: jbox-shim [--tty] CONTROL_SOCKET (started by jbox, not by hand)\n");
		return 125;
	}
	/* Own process group: the terminal's Ctrl-C goes to jbox, which forwards it exactly once.
	 * With --tty we stay in the foreground group instead: we read the terminal and set it raw,
	 * and in raw mode Ctrl-C is a byte for the container's terminal, not a signal. */
	if (!tty_mode)
		setpgid(0, 0);
	int ctl = connect_control(argv[tty_mode ? 2 : 1]);

	uint32_t type, len;
	uint8_t *msg = NULL;
	struct clone_request req;
	if (read_frame(ctl, &type, &msg, &len, CLONE_MSG_MAX) < 0 || type != MSG_CLONE
	    || parse_clone_request(msg, len, &req) < 0) {
		fprintf(stderr, "jbox-shim: expected a well-formed clone request first\n");
		return 125;
	}
	uint32_t flags = req.flags;
	handed_over = (req.options & SHIM_OPT_HANDOVER) != 0;
	int console = -1;
	if (req.console_path && (console = connect_console(req.console_path)) < 0)
		die("connect to the console socket");
	if (req.fifo_path) {
		/* Before any join, like the console: the path is on the host. Writable by the
		 * container's root, which may be an unprivileged host id; the state directory around it
		 * is root's alone. */
		if ((mkfifo(req.fifo_path, 0600) < 0 && errno != EEXIST) || chmod(req.fifo_path, 0622) < 0 ||
		    (start_fifo_fd = open(req.fifo_path, O_PATH | O_CLOEXEC)) < 0)
			die("create the start FIFO");
	}
	/* The monitor joins too (it has no use for them), and clone() then places the child there; a
	 * pid namespace applies to the child only. The JVM orders them: user first. All are opened
	 * before the first join: inside a joined user namespace the others' /proc links are closed. */
	int nsfd[MAX_JOINS];
	for (uint32_t i = 0; i < req.njoins; i++) {
		if ((nsfd[i] = open(req.joins[i], O_RDONLY | O_CLOEXEC)) < 0) {
			report_failure(ctl, STEP_JOIN + i, errno);
			return 125;
		}
	}
	for (uint32_t i = 0; i < req.njoins; i++) {
		if (setns(nsfd[i], 0) < 0) {
			report_failure(ctl, STEP_JOIN + i, errno);
			return 125;
		}
		close(nsfd[i]);
	}

	if (req.enter_pid && enter_namespaces(req.enter_pid) < 0) {
		report_failure(ctl, STEP_ENTER, errno);
		return 125;
	}
	if (req.options & SHIM_OPT_DETACH)
		setsid(); /* no controlling terminal: a closed terminal must not hang up the monitor */
	if (req.lock_path && hold_lock(req.lock_path) < 0)
		die("lock the monitor lock file");

	sigset_t mask, orig_mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGWINCH);
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
		if (console >= 0)
			close(console);
		if (monitor_lock_fd >= 0)
			close(monitor_lock_fd); /* a host file: never into the container */
		child_main(pair[1], &orig_mask);
	}
	close(pair[1]);
	if (start_fifo_fd >= 0)
		close(start_fifo_fd); /* the child's copy is the one that matters */
	int child = pair[0];

	uint8_t pidmsg[8];
	put_u32(pidmsg, (uint32_t)pid);
	put_u32(pidmsg + 4, (uint32_t)getpid());
	if (write_frame(ctl, MSG_PID, pidmsg, sizeof(pidmsg)) < 0)
		kill(pid, SIGKILL);

	/* One loop for setup and run: the JVM may vanish, the child may fail or exit, at any time. */
	int jvm_gone = 0, failed = 0, reaped = 0, status = 0, listener = -1, master = -1, stdin_open = 1;
	struct rusage usage;
	memset(&usage, 0, sizeof(usage));
	for (;;) {
		struct pollfd fds[6] = {
			{ .fd = jvm_gone ? -1 : ctl, .events = POLLIN },
			{ .fd = child, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = listener, .events = POLLIN },
			{ .fd = master, .events = POLLIN },
			{ .fd = master >= 0 && stdin_open ? 0 : -1, .events = POLLIN },
		};
		if (poll(fds, 6, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (fds[0].revents) {
			if (read_frame(ctl, &type, &msg, &len, PLAN_MAX_BYTES) < 0) {
				jvm_gone = 1;
				/* Attached, jbox died: a container nobody watches must not live on. Detached,
				 * jbox left as planned once the container started. */
				if (!(req.options & SHIM_OPT_DETACH) || child >= 0)
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
		if (master >= 0 && fds[4].revents && relay(master, 1) <= 0) {
			close(master); /* EIO: every holder of the terminal's slave side is gone */
			master = -1;
		}
		if (fds[5].revents && relay(0, master) <= 0)
			stdin_open = 0; /* stdin ended (or is /dev/null: -t without -i): stop reading it */
		if (listener >= 0 && fds[3].revents) {
			if (fds[3].revents & POLLIN)
				answer_notification(listener);
			else { /* every process under the filter is gone */
				close(listener);
				listener = -1;
			}
		}
		if (child >= 0 && fds[1].revents) {
			uint8_t *reply = NULL;
			int passed = -1;
			int rc = read_child_frame(child, &type, &reply, &len, &passed);
			if (rc == 0 && type == MSG_NOTIFY_FD && passed >= 0 && listener < 0) {
				listener = passed; /* the child goes on towards execve */
				free(reply);
				continue;
			}
			if (rc == 0 && type == MSG_PTY_FD && passed >= 0 && console >= 0) {
				if (send_console(console, passed) < 0)
					kill(pid, SIGKILL); /* a terminal nobody can reach: the init's next report fails */
				close(passed);
				free(reply);
				continue;
			}
			if (rc == 0 && type == MSG_CREATED) {
				write_frame(ctl, MSG_CREATED, NULL, 0);
				free(reply);
				if (handed_over)
					return 0; /* the caller (conmon, containerd's shim) reaps the init from here */
				continue;
			}
			if (rc == 0 && type == MSG_PTY_FD && passed >= 0 && master < 0) {
				master = passed;
				fcntl(master, F_SETFL, O_NONBLOCK); /* a last drain must not wait for orphans */
				copy_window_size(master);
				if (tty_mode)
					raw_terminal();
				free(reply);
				continue;
			}
			if (passed >= 0)
				close(passed);
			if (rc == 0 && type == MSG_FAILED && len == 8) {
				write_frame(ctl, MSG_FAILED, reply, len);
				failed = 1;
			} else if (!failed) {
				write_frame(ctl, MSG_STARTED, NULL, 0); /* EOF: execve closed the socket */
				if (handed_over)
					return 0;
			}
			free(reply);
			close(child);
			child = -1;
		}
		if (fds[2].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGWINCH) { /* ours to handle: the container's terminal follows */
				if (master >= 0)
					copy_window_size(master);
				continue;
			}
			if (si.ssi_signo != SIGCHLD) {
				kill(pid, (int)si.ssi_signo); /* a monitor that is signalled passes it on */
				continue;
			}
			if (wait4(pid, &status, WNOHANG, &usage) == pid)
				reaped = 1;
		}
		/* Report the exit only after the child's socket is drained: a failure report may be
		 * queued behind it. */
		if (reaped && child < 0 && master >= 0) {
			while (relay(master, 1) > 0) /* what the container wrote last */
				;
			close(master);
			master = -1;
		}
		if (reaped && child < 0) {
			restore_terminal();
			uint8_t st[32] = { 0 };
			put_u32(st, (uint32_t)status);
			put_u64(st + 8, (uint64_t)usage.ru_utime.tv_sec * 1000000u + (uint64_t)usage.ru_utime.tv_usec);
			put_u64(st + 16, (uint64_t)usage.ru_stime.tv_sec * 1000000u + (uint64_t)usage.ru_stime.tv_usec);
			put_u64(st + 24, (uint64_t)usage.ru_maxrss);
			if (!jvm_gone) {
				report_denied(ctl);
				write_frame(ctl, MSG_EXITED, st, sizeof(st));
			}
			if (req.exit_path)
				write_exit_record(req.exit_path, status, &usage);
			if (req.on_exit[0])
				execv(req.on_exit[0], req.on_exit); /* keeps the monitor lock until it is done */
			return failed ? 125 : exit_code(status);
		}
	}
}
