/*
 * attach.h — `jbox attach` (issue #16). A detached container's shim (SHIM_OPT_ATTACH) listens on a
 * unix socket in the container's state directory and serves one client at a time: it copies what
 * the container writes (its terminal, or its stdout and stderr) to the client as well as to the
 * log, and the client's keys to the container's terminal. The client is `jbox-shim attach`
 * (attach_client.c), started by jbox with the caller's terminal, so the container's bytes never
 * pass through the engine. Frames as on the other channels (wire.h): u32 type, u32 length.
 *
 *   shim -> client  ATTACH_READY   u32 flags: ATTACH_TTY, the container has a terminal; ATTACH_KEYS,
 *                                  keys are taken (by the terminal, or by stdin with SHIM_OPT_STDIN)
 *                   ATTACH_BUSY    (none) another client is attached; the shim closes the connection
 *                   ATTACH_STDOUT, ATTACH_STDERR  what the container wrote (its terminal's is stdout)
 *                   ATTACH_EXIT    u32 the container's exit code (128+N for signal N), then EOF
 *   client -> shim  ATTACH_STDIN   keys for the container's terminal or stdin pipe (else dropped)
 *                   ATTACH_WINSIZE u16 rows, u16 cols: the terminal's size (TIOCSWINSZ)
 *
 * The shim never blocks on a client: while a chunk for it waits, the shim reads no more of the
 * container's output (the container waits, as with a paused terminal); while keys wait for the
 * terminal to take them, it reads no more from the client. A frame it does not expect drops the
 * client. At the end, what is left goes out with a bounded wait.
 */
#ifndef JBOX_ATTACH_H
#define JBOX_ATTACH_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define ATTACH_READY 101u
#define ATTACH_BUSY 102u
#define ATTACH_STDOUT 103u
#define ATTACH_STDERR 104u
#define ATTACH_EXIT 105u
#define ATTACH_STDIN 1u
#define ATTACH_WINSIZE 2u
#define ATTACH_TTY 1u
#define ATTACH_KEYS 2u /* READY: keys are taken (a terminal, or the stdin pipe of run -di) */
#define ATTACH_CHUNK_MAX 16384u /* the largest payload either side sends */

struct attach {
	int listen;  /* the socket at path, or -1 (no SHIM_OPT_ATTACH) */
	int client;  /* the attached client, or -1 */
	const char *path;
	uint8_t out[8 + ATTACH_CHUNK_MAX]; /* one frame for the client; out_off of out_len sent */
	size_t out_len, out_off;
	uint8_t in[8 + ATTACH_CHUNK_MAX];  /* the client's frame being read: in_len bytes so far */
	size_t in_len, in_off;             /* in_off: of a whole STDIN frame's payload, written so far */
};

/* Binds path (explicit mode 0600 whatever the umask; a stale socket there is replaced) and listens;
 * -1 with errno. Without it, a->listen stays -1 and everything below does nothing. */
int attach_listen(struct attach *a, const char *path);

/* What poll() watches: the listening socket (*lfd) and the client (*cfd, with its events). */
void attach_poll(const struct attach *a, int *lfd, int *cfd, short *cevents);

/* 1 while a chunk waits for the client: the caller reads no more of the container's output. */
int attach_busy(const struct attach *a);

/* 1 while keys wait for the terminal: the caller polls it for POLLOUT and calls attach_keys. */
int attach_keys_waiting(const struct attach *a);

/* A connection waits: accepted (a root peer, and nobody attached yet) or refused. tty: the
 * container has a terminal; keys: something takes keys. */
void attach_accept(struct attach *a, int tty, int keys);

/* The client's fd is ready; term: where keys go (the terminal's master, the stdin pipe), or -1. */
void attach_client_ready(struct attach *a, short revents, int term);

/* The terminal (or stdin pipe) can take more of the waiting keys; term -1: they are dropped. */
void attach_keys(struct attach *a, int term);

/* What the container wrote on stream 1 or 2, for the client (if any). */
void attach_output(struct attach *a, int stream, const void *buf, size_t n);

/* The container is gone: what is left, then ATTACH_EXIT (bounded waits); the socket is removed. */
void attach_end(struct attach *a, int exit_code);

/* The client side: jbox-shim attach [--no-stdin] [--detach-keys HEX] SOCKET NAME. */
int attach_client_main(int argc, char **argv);

#endif
