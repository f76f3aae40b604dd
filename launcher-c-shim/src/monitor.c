/* monitor.c — the shim as the container's parent, from clone() to the exit report (monitor.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "monitor.h"
#include "protocol.h"
#include "steps.h"
#include "terminal.h"
#include "wire.h"

#define MAX_SYSCALL_NR 1024
static uint32_t denied[MAX_SYSCALL_NR]; /* seccomp notifications per syscall number */

int block_monitor_signals(sigset_t *orig)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, orig) < 0)
		return -1;
	return signalfd(-1, &mask, SFD_CLOEXEC);
}

/* Not close-on-exec: an fcntl lock belongs to the process, so the ON_EXIT command (same pid) keeps
 * holding it until it has finished; the container child closes its copy at once. */
int hold_monitor_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd; /* stays open: closing it would drop the lock */
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

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_FAILED;
}

/* What the loop tracks besides struct monitor. */
struct run {
	int jvm_gone, failed, reaped, status, listener, master, stdin_open;
	struct rusage usage;
};

/* A message from the JVM: the plan (forwarded), a signal, or EOF. */
static void from_jvm(struct monitor *m, struct run *r)
{
	uint32_t type, len;
	uint8_t *msg = NULL;
	if (read_frame(m->ctl, &type, &msg, &len, PLAN_MAX_BYTES) < 0) {
		/* EOF (or a reset) is jbox gone; anything else (an oversized frame, a failed read)
		 * leaves the stream unreadable from here on: said once, then treated alike. */
		if (errno != 0 && errno != ECONNRESET)
			fprintf(stderr, "jbox-shim: unreadable frame from jbox: %s\n", strerror(errno));
		r->jvm_gone = 1;
		/* Attached, jbox died: a container nobody watches must not live on. Detached, jbox
		 * left as planned once the container started. */
		if (!(m->req->options & SHIM_OPT_DETACH) || m->child >= 0)
			kill(m->pid, SIGKILL);
	} else if (type == MSG_IDMAP && m->child >= 0) {
		/* Any failure goes to the init, which reports it as its OP_MOVE_MOUNT step's errno. */
		uint32_t at_flags;
		const char *path;
		int fd = -1;
		int err = idmap_decode(msg, len, &at_flags, &path);
		if (err == 0)
			err = idmap_tree(m->pid, at_flags, path, &fd);
		uint8_t reply[4];
		put_u32(reply, (uint32_t)err);
		if (send_frame_fd(m->child, MSG_MOUNT_FD, reply, sizeof(reply), fd) < 0)
			kill(m->pid, SIGKILL);
		if (fd >= 0)
			close(fd);
	} else if (type == MSG_PLAN && m->child >= 0) {
		if (write_frame(m->child, MSG_PLAN, msg, len) < 0)
			kill(m->pid, SIGKILL);
	} else if (type == MSG_SIGNAL && len == 4) {
		kill(m->pid, (int)get_u32(msg));
	} else {
		fprintf(stderr, "jbox-shim: unexpected message %u from jbox\n", type);
		kill(m->pid, SIGKILL);
	}
	free(msg);
}

/*
 * A frame from the init. Returns 1 when the shim's work is over (handed over), else 0. A frame
 * that is not one the init may send, or is cut short, is FAILED(STEP_PROTOCOL): only EOF where a
 * frame would start means the execve happened.
 */
static int from_child(struct monitor *m, struct run *r)
{
	uint32_t type = 0, len = 0;
	uint8_t *reply = NULL;
	int passed = -1, done = 0;
	int rc = recv_child_frame(m->child, &type, &reply, &len, &passed);
	int err = errno;
	if (rc > 0 && type == MSG_NOTIFY_FD && passed >= 0 && r->listener < 0 && len == 0) {
		r->listener = passed; /* the child goes on towards execve */
		return 0;
	}
	if (rc > 0 && type == MSG_PTY_FD && passed >= 0 && len == 0 && m->console >= 0) {
		if (send_console(m->console, passed) < 0)
			kill(m->pid, SIGKILL); /* a terminal nobody can reach: the init's next report fails */
		close(passed);
		return 0;
	}
	if (rc > 0 && type == MSG_PTY_FD && passed >= 0 && len == 0 && r->master < 0) {
		r->master = passed;
		fcntl(r->master, F_SETFL, O_NONBLOCK); /* a last drain must not wait for orphans */
		copy_window_size(r->master);
		if (m->tty_mode)
			raw_terminal();
		return 0;
	}
	if (passed >= 0)
		close(passed);
	if (rc > 0 && type == MSG_CREATED && len == 0) {
		write_frame(m->ctl, MSG_CREATED, NULL, 0);
		return handed_over; /* the caller (conmon, containerd's shim) reaps the init from here */
	}
	if (rc > 0 && type == MSG_FAILED && len == FAILED_MSG_LEN) {
		write_frame(m->ctl, MSG_FAILED, reply, len);
		r->failed = 1;
	} else if (rc == 0) {
		if (!r->failed) {
			write_frame(m->ctl, MSG_STARTED, NULL, 0); /* EOF: execve closed the socket */
			done = handed_over;
		}
	} else {
		send_failed(m->ctl, STEP_PROTOCOL, rc < 0 ? err : EPROTO, EXIT_FAILED);
		r->failed = 1;
		kill(m->pid, SIGKILL); /* an init that speaks nonsense is not started */
	}
	free(reply);
	close(m->child);
	m->child = -1;
	return done;
}

/* A signal: SIGCHLD reaps, SIGWINCH resizes, any other is passed on to the init. */
static void on_signal(struct monitor *m, struct run *r)
{
	struct signalfd_siginfo si;
	if (read(m->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH) {
		if (r->master >= 0)
			copy_window_size(r->master);
	} else if (si.ssi_signo != SIGCHLD) {
		kill(m->pid, (int)si.ssi_signo); /* a monitor that is signalled passes it on */
	} else if (wait4(m->pid, &r->status, WNOHANG, &r->usage) == m->pid) {
		r->reaped = 1;
	}
}

/* Where the terminal's output goes: our fd 1 (the user's terminal), nowhere when detached with a log. */
static int tty_target(const struct monitor *m)
{
	return m->out.log >= 0 && !m->out.relay ? -1 : 1;
}

static int finish(struct monitor *m, struct run *r)
{
	if (r->master >= 0) {
		while (relay(r->master, tty_target(m), m->out.log, &m->att) > 0) /* what the container wrote last */
			;
		close(r->master);
		r->master = -1;
	}
	output_drain(&m->out); /* all of it out before jbox reports the exit: the prompt comes after */
	restore_terminal();
	uint8_t st[32] = { 0 };
	put_u32(st, (uint32_t)r->status);
	put_u64(st + 8, (uint64_t)r->usage.ru_utime.tv_sec * 1000000u + (uint64_t)r->usage.ru_utime.tv_usec);
	put_u64(st + 16, (uint64_t)r->usage.ru_stime.tv_sec * 1000000u + (uint64_t)r->usage.ru_stime.tv_usec);
	put_u64(st + 24, (uint64_t)r->usage.ru_maxrss);
	if (!r->jvm_gone) {
		report_denied(m->ctl);
		write_frame(m->ctl, MSG_EXITED, st, sizeof(st));
	}
	if (m->req->exit_path)
		write_exit_record(m->req->exit_path, r->status, &r->usage);
	int code = r->failed ? EXIT_FAILED : exit_code(r->status);
	attach_end(&m->att, code); /* after the record: `jbox attach` returns to a container that exited */
	if (m->req->on_exit[0])
		execv(m->req->on_exit[0], m->req->on_exit); /* keeps the monitor lock until it is done */
	return code;
}

int monitor_run(struct monitor *m)
{
	/* One loop for setup and run: the JVM may vanish, the child may fail or exit, at any time. */
	/* stdin feeds the container's terminal only if it is a terminal itself: docker attaches no
	 * stdin to -t without -i, and jbox refuses -it with a pipe before we start. */
	struct run r = { .listener = -1, .master = -1, .stdin_open = isatty(0) };
	for (;;) {
		short out_events[3] = { 0 }, client_events = 0;
		int out_fd[3] = { -1, -1, -1 }, att_listen, att_client;
		/* While an attached client has a chunk to take, the container's output waits (attach.h). */
		int held = attach_busy(&m->att);
		for (int s = 1; s <= 2; s++) {
			out_fd[s] = output_poll_fd(&m->out, s, &out_events[s]);
			if (held && out_events[s] == POLLIN)
				out_fd[s] = -1;
		}
		attach_poll(&m->att, &att_listen, &att_client, &client_events);
		/* Attached keys go to the terminal, or without one to the stdin pipe we hold (run -di). */
		int keys_to = r.master >= 0 ? r.master : m->stdin_pipe;
		struct pollfd fds[11] = {
			{ .fd = r.jvm_gone ? -1 : m->ctl, .events = POLLIN },
			{ .fd = m->child, .events = POLLIN },
			{ .fd = m->sigfd, .events = POLLIN },
			{ .fd = r.listener, .events = POLLIN },
			{ .fd = r.master, .events = (short)((held ? 0 : POLLIN) | (attach_keys_waiting(&m->att) ? POLLOUT : 0)) },
			{ .fd = r.master >= 0 && r.stdin_open ? 0 : -1, .events = POLLIN },
			{ .fd = out_fd[1], .events = out_events[1] },
			{ .fd = out_fd[2], .events = out_events[2] },
			{ .fd = att_listen, .events = POLLIN },
			{ .fd = att_client, .events = client_events },
			{ .fd = r.master < 0 && attach_keys_waiting(&m->att) ? m->stdin_pipe : -1, .events = POLLOUT },
		};
		if (poll(fds, 11, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "jbox-shim: poll: %s\n", strerror(errno));
			kill(m->pid, SIGKILL);
			return EXIT_FAILED;
		}
		if (fds[0].revents)
			from_jvm(m, &r);
		for (int s = 1; s <= 2; s++) /* a chunk for the client from stream 1 holds stream 2 back */
			if (fds[5 + s].revents && !(attach_busy(&m->att) && out_events[s] == POLLIN))
				output_ready(&m->out, s, fds[5 + s].revents);
		if (r.master >= 0 && (fds[4].revents & POLLOUT))
			attach_keys(&m->att, r.master);
		if (r.master >= 0 && (fds[4].revents & ~POLLOUT) && relay(r.master, tty_target(m), m->out.log, &m->att) <= 0) {
			close(r.master); /* EIO: every holder of the terminal's slave side is gone */
			r.master = -1;
			attach_keys(&m->att, m->stdin_pipe); /* keys waiting for it go on, or are dropped */
		}
		if (fds[10].revents)
			attach_keys(&m->att, m->stdin_pipe);
		if (fds[8].revents)
			attach_accept(&m->att, r.master >= 0, keys_to >= 0);
		if (fds[9].revents)
			attach_client_ready(&m->att, fds[9].revents, r.master >= 0 ? r.master : m->stdin_pipe);
		if (fds[5].revents && relay(0, r.master, -1, NULL) <= 0)
			r.stdin_open = 0; /* stdin ended (or is /dev/null: -t without -i): stop reading it */
		if (r.listener >= 0 && fds[3].revents) {
			if (fds[3].revents & POLLIN)
				answer_notification(r.listener);
			else { /* every process under the filter is gone */
				close(r.listener);
				r.listener = -1;
			}
		}
		if (m->child >= 0 && fds[1].revents && from_child(m, &r))
			return 0;
		if (fds[2].revents)
			on_signal(m, &r);
		/* Report the exit only after the child's socket is drained: a failure report may be
		 * queued behind it. */
		if (r.reaped && m->child < 0)
			return finish(m, &r);
	}
}
