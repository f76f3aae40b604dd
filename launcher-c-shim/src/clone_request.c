/* clone_request.c — decodes MSG_CLONE (clone_request.h); nothing here acts on the request. */
#include <string.h>

#include "clone_request.h"
#include "wire.h"

/* The NUL-terminated string at *pos, or NULL when the message ends before its NUL. */
static const char *next_string(const uint8_t *msg, uint32_t len, uint32_t *pos)
{
	const char *s = (const char *)msg + *pos;
	const uint8_t *nul = *pos < len ? memchr(msg + *pos, 0, len - *pos) : NULL;
	if (!nul)
		return NULL;
	*pos = (uint32_t)(nul - msg) + 1;
	return s;
}

/* A decimal count 1..MAX_JOINS, digits only. */
static int join_count(const char *s, uint32_t *n)
{
	uint32_t v = 0;
	if (!s || !*s || strlen(s) > 2)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint32_t)(*s - '0');
	}
	if (v == 0 || v > MAX_JOINS)
		return -1;
	*n = v;
	return 0;
}

int parse_clone_request(const uint8_t *msg, uint32_t len, struct clone_request *r)
{
	uint32_t pos = 8, n = 0;
	const uint32_t known = SHIM_OPT_JOIN | SHIM_OPT_DETACH | SHIM_OPT_RECORD | SHIM_OPT_ON_EXIT | SHIM_OPT_HANDOVER |
			       SHIM_OPT_START_FIFO | SHIM_OPT_CONSOLE | SHIM_OPT_LOG | SHIM_OPT_ATTACH | SHIM_OPT_STDIN;
	memset(r, 0, sizeof(*r));
	if (msg == NULL || len < 8)
		return -1;
	r->flags = get_u32(msg);
	r->options = get_u32(msg + 4);
	if (r->options & ~known)
		return -1;
	if (r->options & SHIM_OPT_JOIN) {
		if (join_count(next_string(msg, len, &pos), &r->njoins) < 0)
			return -1;
		for (uint32_t i = 0; i < r->njoins; i++)
			if (!(r->joins[i] = next_string(msg, len, &pos)))
				return -1;
	}
	if ((r->options & SHIM_OPT_RECORD) && (!(r->lock_path = next_string(msg, len, &pos)) ||
					       !(r->exit_path = next_string(msg, len, &pos))))
		return -1;
	if ((r->options & SHIM_OPT_START_FIFO) && !(r->fifo_path = next_string(msg, len, &pos)))
		return -1;
	if ((r->options & SHIM_OPT_CONSOLE) && !(r->console_path = next_string(msg, len, &pos)))
		return -1;
	if ((r->options & SHIM_OPT_LOG) && !(r->log_path = next_string(msg, len, &pos)))
		return -1;
	if ((r->options & SHIM_OPT_ATTACH) && !(r->attach_path = next_string(msg, len, &pos)))
		return -1;
	if (r->options & SHIM_OPT_ON_EXIT) {
		while (pos < len && n < MAX_ON_EXIT_ARGS)
			if (!(r->on_exit[n++] = (char *)next_string(msg, len, &pos)))
				return -1;
		if (n == 0)
			return -1;
	}
	return pos == len ? 0 : -1;
}
