/* output.c — the container's stdout and stderr: relayed to the caller and appended to the log (output.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "wire.h"

void output_log(int log, int stream, const void *buf, size_t n)
{
	uint8_t h[LOG_FRAME_HEADER] = { 0 };
	struct timespec ts;
	if (log < 0 || n == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	h[0] = (uint8_t)stream;
	put_u32(h + 4, (uint32_t)n);
	put_u64(h + 8, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
	struct iovec v[2] = { { h, sizeof(h) }, { (void *)buf, n } };
	while (writev(log, v, 2) < 0 && errno == EINTR)
		;
}

int output_poll_fd(const struct output *o, int stream, short *events)
{
	if (o->stream == stream) {
		*events = POLLOUT;
		return stream; /* our fd 1 or 2 */
	}
	*events = POLLIN;
	return o->stream ? -1 : o->pipe[stream]; /* one chunk at a time keeps the streams in order */
}

/* The caller's end is gone (EPIPE, EBADF...): the container's next write to that stream fails
 * too, as it would have written there itself. */
static void close_stream(struct output *o, int stream)
{
	if (o->pipe[stream] >= 0)
		close(o->pipe[stream]);
	o->pipe[stream] = -1;
	if (o->stream == stream)
		o->stream = 0;
}

static void write_pending(struct output *o)
{
	ssize_t w = write(o->stream, o->buf + o->off, o->len - o->off);
	if (w > 0) {
		o->off += (size_t)w;
		if (o->off == o->len)
			o->stream = 0;
	} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
		close_stream(o, o->stream);
	}
}

void output_ready(struct output *o, int stream, short revents)
{
	if (o->stream == stream) {
		write_pending(o); /* POLLOUT, or POLLERR: write() says which */
		return;
	}
	if (o->stream || o->pipe[stream] < 0)
		return; /* the other stream's chunk took the buffer in this same round: poll() asks again */
	ssize_t n = read(o->pipe[stream], o->buf, sizeof(o->buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* every writer is gone */
		close_stream(o, stream);
		return;
	}
	(void)revents;
	output_log(o->log, stream, o->buf, (size_t)n);
	if (o->attach)
		attach_output(o->attach, stream, o->buf, (size_t)n);
	if (o->relay) {
		o->stream = stream;
		o->len = (size_t)n;
		o->off = 0;
	}
}

void output_drain(struct output *o)
{
	for (;;) {
		while (o->stream) { /* blocking now: the container is gone, nothing else waits */
			struct pollfd p = { .fd = o->stream, .events = POLLOUT };
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				close_stream(o, o->stream);
			else if (o->stream)
				write_pending(o);
		}
		int read_any = 0;
		for (int s = 1; s <= 2; s++) {
			if (o->pipe[s] < 0 || o->stream)
				continue;
			ssize_t n = read(o->pipe[s], o->buf, sizeof(o->buf));
			if (n > 0) {
				read_any = 1;
				output_log(o->log, s, o->buf, (size_t)n);
				if (o->attach)
					attach_output(o->attach, s, o->buf, (size_t)n);
				if (o->relay) {
					o->stream = s;
					o->len = (size_t)n;
					o->off = 0;
				}
			} else if (n == 0 || errno != EAGAIN) {
				close_stream(o, s);
			}
		}
		if (!read_any && !o->stream)
			break;
	}
	for (int s = 1; s <= 2; s++)
		close_stream(o, s);
}
