/*
 * output.h — the container's stdout and stderr with SHIM_OPT_LOG: each chunk is appended to the
 * log as one frame and, attached, relayed to the shim's own fd 1 or 2 (the caller's), so the
 * user sees what the container wrote and `jbox logs` has it too. Without a terminal the init's
 * fds 1 and 2 are pipes to the monitor; with one, the terminal relay logs what it copies.
 */
#ifndef JBOX_OUTPUT_H
#define JBOX_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "attach.h"

/* One log frame: u8 stream (1 stdout, 2 stderr), 3 zero bytes, u32 length, u64 CLOCK_REALTIME ns,
 * then length bytes; little endian, appended with one writev on an O_APPEND file. */
#define LOG_FRAME_HEADER 16u

struct output {
	int log;         /* the log file, or -1 (no SHIM_OPT_LOG) */
	int pipe[3];     /* read ends of the init's stdout [1] and stderr [2] pipes, -1 once closed */
	int relay;       /* attached: copy to our fds 1 and 2 */
	struct attach *attach; /* detached: a `jbox attach` client gets a copy too (NULL: none) */
	int stream;      /* the chunk waiting for its fd to take it (0: none) */
	size_t len, off;
	char buf[4096];  /* PIPE_BUF: a pipe that polls writable takes this much without blocking */
};

/* Appends one frame to the log (no log: nothing); errors are ignored: output must never stop the
 * container. */
void output_log(int log, int stream, const void *buf, size_t n);

/* poll() events: which fd to watch for stream s and how (a pending chunk waits for POLLOUT on
 * its target; otherwise the pipe is read). */
int output_poll_fd(const struct output *o, int stream, short *events);

/* Acts on poll()'s answer for stream s's fd. */
void output_ready(struct output *o, int stream, short revents);

/* At the end: everything still in the pipes (non-blocking reads) and the pending chunk, written
 * out in full; then the pipes are closed. */
void output_drain(struct output *o);

#endif
