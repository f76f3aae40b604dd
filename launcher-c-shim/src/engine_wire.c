/* engine_wire.c — the engine protocol's frames as bytes (engine_wire.h); no I/O here. */
#include <stdlib.h>
#include <string.h>

#include "engine_wire.h"
#include "wire.h"

static int wb_reserve(struct wbuf *w, size_t more)
{
	if (w->oom)
		return -1;
	if (w->n + more <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < w->n + more)
		cap *= 2;
	uint8_t *b = realloc(w->b, cap);
	if (b == NULL) {
		w->oom = 1;
		return -1;
	}
	w->b = b;
	w->cap = cap;
	return 0;
}

void wb_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (n == 0 || wb_reserve(w, n) < 0)
		return;
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

void wb_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4];
	put_u32(b, v);
	wb_bytes(w, b, 4);
}

void wb_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	wb_bytes(w, b, 2);
}

void wb_frame(struct wbuf *w, uint32_t type, const void *payload, uint32_t len)
{
	wb_u32(w, type);
	wb_u32(w, len);
	wb_bytes(w, payload, len);
}

void wb_consume(struct wbuf *w, size_t n)
{
	memmove(w->b, w->b + n, w->n - n);
	w->n -= n;
}

void wb_free(struct wbuf *w)
{
	free(w->b);
	memset(w, 0, sizeof(*w));
}

/* Appends a u32-counted list of strings; -1 with *why over a limit. */
static int put_strings(struct wbuf *w, char *const *v, uint32_t max, const char *what, const char **why)
{
	uint32_t n = 0;
	while (v && v[n])
		if (++n > max) {
			*why = what;
			return -1;
		}
	wb_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]);
		if (len > ENGINE_STRING_MAX) {
			*why = "an argument or variable over 256 KiB";
			return -1;
		}
		wb_u32(w, (uint32_t)len);
		wb_bytes(w, v[i], len);
	}
	return 0;
}

static int put_string(struct wbuf *w, const char *s, const char **why)
{
	size_t len = strlen(s);
	if (len > ENGINE_STRING_MAX) {
		*why = "a string over 256 KiB";
		return -1;
	}
	wb_u32(w, (uint32_t)len);
	wb_bytes(w, s, len);
	return 0;
}

int encode_request(struct wbuf *w, const struct request_info *r, const char **why)
{
	size_t start = w->n;
	wb_u32(w, EMSG_REQUEST);
	wb_u32(w, 0); /* the length, set below */
	wb_u32(w, ENGINE_PROTOCOL_VERSION);
	wb_u32(w, r->ttys);
	wb_u16(w, r->rows);
	wb_u16(w, r->cols);
	wb_u32(w, r->pid);
	if (put_string(w, r->key, why) < 0 || put_string(w, r->cwd, why) < 0 ||
	    put_strings(w, r->argv, ENGINE_ARGC_MAX, "more than 4096 arguments", why) < 0 ||
	    put_strings(w, r->envp, ENGINE_ENVC_MAX, "more than 4096 environment variables", why) < 0)
		goto refused;
	if (w->oom) {
		*why = "out of memory";
		goto refused;
	}
	if (w->n - start - 8 > ENGINE_FRAME_MAX) {
		*why = "a request over 1 MiB";
		goto refused;
	}
	put_u32(w->b + start + 4, (uint32_t)(w->n - start - 8));
	return 0;
refused:
	w->n = start;
	return -1;
}

long frame_take(const uint8_t *buf, size_t n, uint32_t *type, const uint8_t **payload, uint32_t *len,
		const char **why)
{
	if (n < 8)
		return 0;
	*type = get_u32(buf);
	*len = get_u32(buf + 4);
	uint32_t max;
	switch (*type) {
	case EMSG_STDOUT:
	case EMSG_STDERR:
		max = ENGINE_DATA_MAX;
		break;
	case EMSG_SPAWN:
		max = ENGINE_FRAME_MAX;
		break;
	case EMSG_KILL_CHILD:
		max = 8;
		break;
	case EMSG_EXIT:
		max = 4;
		break;
	case EMSG_WANT_STDIN:
	case EMSG_FALLBACK:
		max = 0;
		break;
	default:
		*why = "unknown frame type";
		return -1;
	}
	if (*len > max || ((*type == EMSG_KILL_CHILD || *type == EMSG_EXIT) && *len != max)) {
		*why = *len > max ? "frame longer than its type allows" : "frame shorter than its type needs";
		return -1;
	}
	if (n - 8 < *len)
		return 0;
	*payload = buf + 8;
	return (long)(8 + *len);
}

/* A reader over SPAWN's payload. */
struct rd {
	const uint8_t *p;
	uint32_t len, pos;
};

static int rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len - r->pos < 4)
		return -1;
	*v = get_u32(r->p + r->pos);
	r->pos += 4;
	return 0;
}

/* A string copied NUL-terminated to *out (advanced); -1 if cut, too long or holding a NUL. */
static int rd_str(struct rd *r, char **out, char **s, const char **why)
{
	uint32_t n;
	if (rd_u32(r, &n) < 0 || r->len - r->pos < n) {
		*why = "string beyond the frame";
		return -1;
	}
	if (n > ENGINE_STRING_MAX) {
		*why = "string over 256 KiB";
		return -1;
	}
	if (memchr(r->p + r->pos, 0, n)) {
		*why = "string holding a NUL byte";
		return -1;
	}
	*s = *out;
	memcpy(*out, r->p + r->pos, n);
	(*out)[n] = 0;
	*out += n + 1;
	r->pos += n;
	return 0;
}

/* n strings into v, NULL-terminated. */
static int rd_list(struct rd *r, char **arena, char **v, uint32_t n, const char **why)
{
	for (uint32_t i = 0; i < n; i++)
		if (rd_str(r, arena, &v[i], why) < 0)
			return -1;
	v[n] = NULL;
	return 0;
}

/* A u32 count, at most max and at most one string (4 bytes at least) per byte left. */
static int rd_count(struct rd *r, uint32_t max, uint32_t *n, const char **why)
{
	if (rd_u32(r, n) < 0) {
		*why = "count beyond the frame";
		return -1;
	}
	if (*n > max || *n > (r->len - r->pos) / 4) {
		*why = *n > max ? "count over its limit" : "count beyond the frame";
		return -1;
	}
	return 0;
}

int decode_spawn(const uint8_t *p, uint32_t len, struct spawn *s, const char **why)
{
	struct rd r = { .p = p, .len = len };
	uint32_t argc, envc;
	memset(s, 0, sizeof(*s));
	/* Every string takes one more byte (its NUL) than its bytes in the frame, and four fewer. */
	char *mem = malloc((size_t)len + 1), *arena = mem;
	if (mem == NULL) {
		*why = "out of memory";
		return -1;
	}
	s->mem = mem;
	if (rd_u32(&r, &s->mode) < 0) {
		*why = "mode beyond the frame";
		goto bad;
	}
	if (s->mode != SPAWN_MODE_INHERIT && s->mode != SPAWN_MODE_DETACHED) {
		*why = "unknown spawn mode";
		goto bad;
	}
	if (rd_str(&r, &arena, &s->log, why) < 0)
		goto bad;
	if ((s->mode == SPAWN_MODE_DETACHED) != (s->log[0] == '/')) {
		*why = s->mode == SPAWN_MODE_DETACHED ? "detached spawn without an absolute log path"
						      : "log path given without detached mode";
		goto bad;
	}
	if (rd_str(&r, &arena, &s->exec, why) < 0)
		goto bad;
	if (s->exec[0] != 0 && s->exec[0] != '/') {
		*why = "spawn of a relative exec path";
		goto bad;
	}
	if (rd_count(&r, ENGINE_ARGC_MAX, &argc, why) < 0)
		goto bad;
	if (argc == 0) {
		*why = "spawn without a command";
		goto bad;
	}
	if ((s->argv = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		goto oom;
	if (rd_list(&r, &arena, s->argv, argc, why) < 0)
		goto bad;
	if (s->argv[0][0] != '/') {
		*why = "spawn of a relative path";
		goto bad;
	}
	if (s->exec[0] == 0)
		s->exec = s->argv[0];
	if (rd_count(&r, ENGINE_ENVC_MAX, &envc, why) < 0)
		goto bad;
	if ((s->envp = calloc((size_t)envc + 1, sizeof(char *))) == NULL)
		goto oom;
	if (rd_list(&r, &arena, s->envp, envc, why) < 0)
		goto bad;
	if (r.pos != len) {
		*why = "trailing bytes after the environment";
		goto bad;
	}
	return 0;
oom:
	*why = "out of memory";
bad:
	spawn_free(s);
	return -1;
}

void spawn_free(struct spawn *s)
{
	free(s->argv);
	free(s->envp);
	free(s->mem);
	memset(s, 0, sizeof(*s));
}
