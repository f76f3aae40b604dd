/* attach.c — the shim's side of `jbox attach`: its socket and its one client (attach.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach.h"
#include "wire.h"

#define END_WAIT_MS 1000 /* at the end, how long a client may take to read each chunk */

int attach_listen(struct attach *a, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	a->listen = a->client = -1;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	/* Only a socket is replaced (the last run's, if its shim was killed): anything else fails bind. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	mode_t old = umask(0177); /* born 0600: no moment with a wider mode */
	int rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	a->listen = fd;
	a->path = path;
	return 0;
}

void attach_poll(const struct attach *a, int *lfd, int *cfd, short *cevents)
{
	*lfd = a->listen;
	*cfd = a->client;
	*cevents = (short)((a->out_off < a->out_len ? POLLOUT : 0) | (attach_keys_waiting(a) ? 0 : POLLIN));
}

int attach_busy(const struct attach *a)
{
	return a->client >= 0 && a->out_off < a->out_len;
}

int attach_keys_waiting(const struct attach *a)
{
	return a->client >= 0 && a->in_len >= 8 && a->in_len == 8 + get_u32(a->in + 4) &&
	       get_u32(a->in) == ATTACH_STDIN;
}

static void drop_client(struct attach *a)
{
	if (a->client >= 0)
		close(a->client);
	a->client = -1;
	a->out_len = a->out_off = a->in_len = a->in_off = 0;
}

/* As much of the waiting frame as the client takes now. */
static void send_some(struct attach *a)
{
	while (a->out_off < a->out_len) {
		ssize_t n = send(a->client, a->out + a->out_off, a->out_len - a->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			drop_client(a); /* gone: the container runs on */
			return;
		}
		a->out_off += (size_t)n;
	}
	a->out_len = a->out_off = 0;
}

/* The waiting frame out in full, each wait for the client bounded; a client too slow is let go. */
static void send_all(struct attach *a)
{
	while (a->client >= 0 && a->out_off < a->out_len) {
		struct pollfd p = { .fd = a->client, .events = POLLOUT };
		int r = poll(&p, 1, END_WAIT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			drop_client(a);
			return;
		}
		send_some(a);
	}
}

/* Queues one frame (the previous one must be out) and sends what the client takes now. */
static void queue(struct attach *a, uint32_t type, const void *payload, size_t n)
{
	put_u32(a->out, type);
	put_u32(a->out + 4, (uint32_t)n);
	if (n)
		memcpy(a->out + 8, payload, n);
	a->out_len = 8 + n;
	a->out_off = 0;
	send_some(a);
}

void attach_accept(struct attach *a, int tty, int keys)
{
	int fd = accept4(a->listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return; /* gone before we took it (ECONNABORTED), or EAGAIN */
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	/* The socket is 0600 in a root-only directory; the peer's uid is checked all the same. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != 0) {
		close(fd);
		return;
	}
	if (a->client >= 0) {
		uint8_t head[8];
		put_u32(head, ATTACH_BUSY);
		put_u32(head + 4, 0);
		(void)!send(fd, head, sizeof(head), MSG_NOSIGNAL | MSG_DONTWAIT); /* an empty buffer takes 8 bytes */
		close(fd);
		return;
	}
	a->client = fd;
	uint8_t flags[4];
	put_u32(flags, (tty ? ATTACH_TTY : 0) | (keys ? ATTACH_KEYS : 0));
	queue(a, ATTACH_READY, flags, sizeof(flags));
}

/* A whole frame from the client: the size of the terminal now, or keys (written by attach_keys). */
static void client_frame(struct attach *a, int term)
{
	uint32_t type = get_u32(a->in);
	if (type == ATTACH_WINSIZE) {
		struct winsize ws = { .ws_row = (unsigned short)(a->in[8] | a->in[9] << 8),
				      .ws_col = (unsigned short)(a->in[10] | a->in[11] << 8) };
		if (term >= 0)
			ioctl(term, TIOCSWINSZ, &ws);
		a->in_len = 0;
	} else {
		attach_keys(a, term);
	}
}

void attach_client_ready(struct attach *a, short revents, int term)
{
	if (a->client < 0)
		return;
	if (revents & POLLOUT)
		send_some(a);
	if (a->client < 0 || !(revents & (POLLIN | POLLHUP | POLLERR)) || attach_keys_waiting(a))
		return;
	/* One read per round, never past the frame being read: a header, then its payload. */
	size_t want = a->in_len < 8 ? 8 - a->in_len : 8 + get_u32(a->in + 4) - a->in_len;
	ssize_t n = recv(a->client, a->in + a->in_len, want, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(a); /* detached (or killed): the container runs on */
		return;
	}
	a->in_len += (size_t)n;
	if (a->in_len == 8) {
		uint32_t type = get_u32(a->in), len = get_u32(a->in + 4);
		if (!((type == ATTACH_STDIN && len <= ATTACH_CHUNK_MAX) || (type == ATTACH_WINSIZE && len == 4))) {
			drop_client(a); /* not ours to guess at */
			return;
		}
	}
	if (a->in_len >= 8 && a->in_len == 8 + get_u32(a->in + 4))
		client_frame(a, term);
}

void attach_keys(struct attach *a, int term)
{
	if (!attach_keys_waiting(a))
		return;
	size_t len = get_u32(a->in + 4);
	while (term >= 0 && a->in_off < len) {
		ssize_t n = write(term, a->in + 8 + a->in_off, len - a->in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* the terminal is full: the caller polls it for POLLOUT */
		if (n <= 0)
			break; /* the terminal is gone: nobody reads keys any more */
		a->in_off += (size_t)n;
	}
	a->in_len = a->in_off = 0; /* taken, or dropped (no terminal: no input) */
}

void attach_output(struct attach *a, int stream, const void *buf, size_t n)
{
	if (a->client < 0 || n == 0)
		return;
	send_all(a); /* empty in the loop (attach_busy held reads back); at the end it waits, bounded */
	for (size_t off = 0; a->client >= 0 && off < n;) {
		size_t k = n - off > ATTACH_CHUNK_MAX ? ATTACH_CHUNK_MAX : n - off;
		if (off)
			send_all(a);
		if (a->client < 0)
			return;
		queue(a, stream == 2 ? ATTACH_STDERR : ATTACH_STDOUT, (const uint8_t *)buf + off, k);
		off += k;
	}
}

void attach_end(struct attach *a, int exit_code)
{
	if (a->listen < 0)
		return;
	if (a->client >= 0) {
		uint8_t code[4];
		send_all(a);
		put_u32(code, (uint32_t)exit_code);
		if (a->client >= 0)
			queue(a, ATTACH_EXIT, code, sizeof(code));
		send_all(a);
		drop_client(a);
	}
	close(a->listen);
	a->listen = -1;
	unlink(a->path);
}
