/*
 * attach_client.c — `jbox attach`'s client (attach.h): jbox starts it with the caller's stdin,
 * stdout and stderr (the front end's child with the engine, the JVM's without), so the container's
 * bytes go between the user's terminal and the shim alone. It puts a terminal on stdin in raw
 * mode when the container has one, watches the keys for the detach sequence jbox decoded
 * (--detach-keys, hex), and exits 0 on it, or with the container's exit code when it ends.
 *   jbox-shim attach [--no-stdin] [--detach-keys HEX] SOCKET NAME
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "attach.h"
#include "terminal.h"
#include "wire.h"

#define MAX_KEYS 16
#define KEYS_CHUNK 4096 /* stdin read at once: with held keys, well below ATTACH_CHUNK_MAX */

struct client {
	const char *name;
	int sock, input, raw, winch; /* winch: the size to send once the frame being sent is out */
	struct termios saved;
	uint8_t keys[MAX_KEYS];
	size_t nkeys, matched;            /* keys[0..matched) typed and held back */
	uint8_t out[8 + MAX_KEYS + KEYS_CHUNK]; /* one STDIN frame; out_off of out_len sent */
	size_t out_len, out_off;
};

static void restore(struct client *c)
{
	if (c->raw)
		tcsetattr(0, TCSANOW, &c->saved);
	c->raw = 0;
}

/* A failure of ours: one line, exit 125 (the terminal restored first). */
static int fail(struct client *c, const char *what, int err)
{
	restore(c);
	fprintf(stderr, "jbox: attach to %s: %s: %s\n", c->name, what, strerror(err));
	return EXIT_FAILED;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int hex_keys(struct client *c, const char *hex)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > MAX_KEYS)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		c->keys[i] = (uint8_t)v;
	}
	c->nkeys = n / 2;
	return 0;
}

/* The terminal's size, as the next frame (after the one being sent, if any). */
static void queue_winsize(struct client *c)
{
	struct winsize ws;
	c->winch = c->out_len != 0;
	if (c->winch || ioctl(0, TIOCGWINSZ, &ws) < 0)
		return;
	put_u32(c->out, ATTACH_WINSIZE);
	put_u32(c->out + 4, 4);
	c->out[8] = (uint8_t)ws.ws_row;
	c->out[9] = (uint8_t)(ws.ws_row >> 8);
	c->out[10] = (uint8_t)ws.ws_col;
	c->out[11] = (uint8_t)(ws.ws_col >> 8);
	c->out_len = 12;
	c->out_off = 0;
}

/* Keys from stdin into one STDIN frame, the detach sequence held back as it is typed (docker's
 * rule: a partial sequence followed by another key goes to the container as typed). 1: detach. */
static int take_keys(struct client *c, const uint8_t *buf, size_t n)
{
	size_t len = 0;
	uint8_t *p = c->out + 8;
	for (size_t i = 0; i < n; i++) {
		if (c->nkeys && buf[i] == c->keys[c->matched]) {
			if (++c->matched == c->nkeys)
				return 1;
			continue;
		}
		memcpy(p + len, c->keys, c->matched);
		len += c->matched;
		c->matched = 0;
		if (c->nkeys && buf[i] == c->keys[0]) {
			if (c->nkeys == 1)
				return 1;
			c->matched = 1;
			continue;
		}
		p[len++] = buf[i];
	}
	if (len) {
		put_u32(c->out, ATTACH_STDIN);
		put_u32(c->out + 4, (uint32_t)len);
		c->out_len = 8 + len;
		c->out_off = 0;
	}
	return 0;
}

/* As much of the frame being sent as the shim takes now (never blocking: it may be sending to us). */
static int send_some(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->sock, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
		if (c->out_off == c->out_len) {
			c->out_len = c->out_off = 0;
			if (c->winch)
				queue_winsize(c);
		}
	}
	return 0;
}

/* A frame from the shim: output, or the end. Returns -1 to go on, else the exit status. */
static int from_shim(struct client *c)
{
	uint32_t type, len;
	uint8_t *msg = NULL;
	if (read_frame(c->sock, &type, &msg, &len, ATTACH_CHUNK_MAX) < 0) {
		if (errno == 0) {
			restore(c);
			fprintf(stderr, "jbox: attach to %s: its monitor closed the connection\n", c->name);
			return EXIT_FAILED;
		}
		return fail(c, "read from its monitor", errno);
	}
	int status = -1;
	if (type == ATTACH_STDOUT || type == ATTACH_STDERR) {
		(void)!write_all(type == ATTACH_STDOUT ? 1 : 2, msg, len); /* a closed stdout drops it, as docker */
	} else if (type == ATTACH_EXIT && len == 4) {
		restore(c);
		status = (int)(get_u32(msg) & 0xff);
	} else {
		status = fail(c, "unexpected frame from its monitor", EPROTO);
	}
	free(msg);
	return status;
}

int attach_client_main(int argc, char **argv)
{
	static struct client c; /* static: its buffer stays off the stack */
	int no_stdin = 0, i = 2;
	c.name = "the container";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--no-stdin") == 0)
			no_stdin = 1;
		else if (strcmp(argv[i], "--detach-keys") == 0 && i + 1 < argc && hex_keys(&c, argv[i + 1]) == 0)
			i++;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: jbox-shim attach [--no-stdin] [--detach-keys HEX] SOCKET NAME (started by jbox attach)\n");
		return EXIT_FAILED;
	}
	c.name = argv[i + 1];
	/* jbox gone (the engine's call ended, the JVM killed): so are we, the terminal restored. */
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	int sigfd;
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		return fail(&c, "signalfd", errno);
	if (getppid() == 1)
		return EXIT_FAILED; /* jbox died before the death signal was set */
	if ((c.sock = connect_unix(argv[i])) < 0)
		return fail(&c, "connect to its monitor's socket", errno);

	uint32_t type, len;
	uint8_t *hello = NULL;
	if (read_frame(c.sock, &type, &hello, &len, 4) < 0)
		return fail(&c, "read its monitor's answer", errno ? errno : ECONNRESET);
	uint32_t flags = type == ATTACH_READY && len == 4 ? get_u32(hello) : 0;
	free(hello);
	if (type == ATTACH_BUSY) {
		fprintf(stderr, "jbox: attach to %s: another client is attached (one at a time)\n", c.name);
		return EXIT_FAILED;
	}
	if (type != ATTACH_READY || len != 4)
		return fail(&c, "unexpected answer from its monitor", EPROTO);
	/* Keys only where the monitor takes them; raw mode only for a container's terminal. */
	int tty = (flags & ATTACH_TTY) != 0, term = isatty(0);
	c.input = (flags & ATTACH_KEYS) && !no_stdin;
	if (c.input && tty && term && tcgetattr(0, &c.saved) == 0) {
		struct termios t = c.saved;
		cfmakeraw(&t);
		if (tcsetattr(0, TCSANOW, &t) == 0)
			c.raw = 1;
	}
	if (tty && term) {
		queue_winsize(&c);
		if (send_some(&c) < 0)
			return fail(&c, "write to its monitor", errno);
	}

	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = c.sock, .events = (short)(POLLIN | (c.out_len ? POLLOUT : 0)) },
			{ .fd = c.input && !c.out_len ? 0 : -1, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail(&c, "poll", errno);
		}
		if ((fds[0].revents & POLLOUT) && send_some(&c) < 0)
			return fail(&c, "write to its monitor", errno);
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int status = from_shim(&c);
			if (status >= 0)
				return status;
		}
		if (fds[1].revents) {
			uint8_t buf[KEYS_CHUNK];
			ssize_t n = read(0, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				c.input = 0; /* stdin ended: output goes on, as docker's */
			} else if (take_keys(&c, buf, (size_t)n)) {
				restore(&c);
				fputs("read escape sequence\n", stderr); /* docker's words */
				return 0; /* the container runs on: the shim sees us go */
			} else if (send_some(&c) < 0) {
				return fail(&c, "write to its monitor", errno);
			}
		}
		if (fds[2].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGWINCH) {
				if (tty && term) {
					queue_winsize(&c);
					if (send_some(&c) < 0)
						return fail(&c, "write to its monitor", errno);
				}
				continue;
			}
			restore(&c);
			return 128 + (int)si.ssi_signo;
		}
	}
}
