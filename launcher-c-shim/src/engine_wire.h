/*
 * engine_wire.h — encoding and decoding the engine protocol's frames (engine_protocol.h), with no
 * I/O: frontend.c does the reading and writing, test/engine_decode_test.c feeds crafted bytes.
 */
#ifndef JBOX_ENGINE_WIRE_H
#define JBOX_ENGINE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "engine_protocol.h"

/* A growing byte buffer; a failed allocation sets oom and drops later writes. */
struct wbuf {
	uint8_t *b;
	size_t n, cap;
	int oom;
};

void wb_u16(struct wbuf *w, uint16_t v);
void wb_u32(struct wbuf *w, uint32_t v);
void wb_bytes(struct wbuf *w, const void *p, size_t n);
/* Appends a whole frame. */
void wb_frame(struct wbuf *w, uint32_t type, const void *payload, uint32_t len);
/* Drops the first n bytes (sent). */
void wb_consume(struct wbuf *w, size_t n);
void wb_free(struct wbuf *w);

/* What REQUEST carries. argv and envp are NULL-terminated; argv excludes argv[0]. */
struct request_info {
	uint32_t ttys;
	uint16_t rows, cols;
	uint32_t pid;
	const char *key, *cwd;
	char *const *argv;
	char *const *envp;
};

/* Appends REQUEST; -1 with *why when it exceeds a limit (the cold path has none: take it). */
int encode_request(struct wbuf *w, const struct request_info *r, const char **why);

/*
 * The first frame of buf[0..n): returns the bytes it takes (header + payload) with *type, *payload
 * and *len set; 0 when more bytes are needed; -1 with *why for a frame the engine may not send (an
 * unknown type, or a length over that type's limit — checked from the header alone, so an
 * oversized frame is refused before its payload is read).
 */
long frame_take(const uint8_t *buf, size_t n, uint32_t *type, const uint8_t **payload, uint32_t *len,
		const char **why);

/* SPAWN decoded; argv, envp and log point into mem (one block, freed by spawn_free). */
struct spawn {
	uint32_t mode;
	char *log;
	char *exec; /* the path to execve: the frame's, or argv[0] when that was empty */
	char **argv, **envp;
	void *mem;
};

/* 0, or -1 with *why: counts over the limits or beyond the payload, a string over its limit or
 * holding a NUL, a relative argv[0] or exec path, a log path that does not fit the mode, trailing bytes. */
int decode_spawn(const uint8_t *p, uint32_t len, struct spawn *s, const char **why);
void spawn_free(struct spawn *s);

#endif
