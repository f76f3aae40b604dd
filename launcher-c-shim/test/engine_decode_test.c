/*
 * engine_decode_test.c — the front end's decoders of the engine protocol (engine_wire.c) fed
 * crafted bytes: frame headers (unknown, oversized, short), SPAWN payloads (truncated at every
 * byte, bad counts, bad strings, bad modes) and REQUEST's limits. Built with ASan/UBSan by `make
 * decode-test`; inputs sit in heap blocks of their exact size, so a read past the end is an ASan
 * error. Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_wire.h"
#include "wire.h"

static int n_passed, n_failed;

static void check(int ok, const char *what)
{
	if (ok) {
		n_passed++;
	} else {
		n_failed++;
		fprintf(stderr, "FAIL: %s\n", what);
	}
}

static void str(struct wbuf *w, const char *s)
{
	wb_u32(w, (uint32_t)strlen(s));
	wb_bytes(w, s, strlen(s));
}

/* decode_spawn on the first n bytes of w, copied to a block of exactly n bytes. */
static int spawn_ok(const struct wbuf *w, size_t n, struct spawn *out)
{
	struct spawn s;
	const char *why = NULL;
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, w->b, n);
	int rc = decode_spawn(p, (uint32_t)n, &s, &why);
	if (rc == 0 && out)
		*out = s;
	else if (rc == 0)
		spawn_free(&s);
	else if (why == NULL)
		rc = -2; /* a refusal must say why */
	free(p);
	return rc == 0;
}

static long take(const uint8_t *head, size_t n, uint32_t *type, uint32_t *len)
{
	const uint8_t *payload;
	const char *why = NULL;
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, head, n);
	long rc = frame_take(p, n, type, &payload, len, &why);
	if (rc > 0 && payload != p + 8)
		rc = -100;
	if (rc < 0 && why == NULL)
		rc = -200;
	free(p);
	return rc;
}

static void frames(void)
{
	uint8_t f[8 + 16] = { 0 };
	uint32_t type, len;
	check(take(f, 0, &type, &len) == 0, "an empty buffer needs more bytes");
	put_u32(f, EMSG_STDOUT);
	put_u32(f + 4, 5);
	check(take(f, 7, &type, &len) == 0, "a partial header needs more bytes");
	check(take(f, 12, &type, &len) == 0, "a partial payload needs more bytes");
	check(take(f, 13, &type, &len) == 13 && type == EMSG_STDOUT && len == 5, "a whole STDOUT frame is taken");
	check(take(f, 20, &type, &len) == 13, "only the first frame is taken");
	put_u32(f + 4, ENGINE_DATA_MAX + 1);
	check(take(f, 8, &type, &len) == -1, "STDOUT over 64 KiB is refused from its header");
	put_u32(f, EMSG_STDERR);
	check(take(f, 8, &type, &len) == -1, "STDERR over 64 KiB is refused");
	put_u32(f + 4, ENGINE_DATA_MAX);
	check(take(f, 8, &type, &len) == 0, "STDERR of 64 KiB waits for its payload");
	put_u32(f, EMSG_SPAWN);
	put_u32(f + 4, ENGINE_FRAME_MAX + 1);
	check(take(f, 8, &type, &len) == -1, "SPAWN over 1 MiB is refused");
	put_u32(f + 4, 0xffffffffu);
	check(take(f, 8, &type, &len) == -1, "a length of 2^32-1 is refused");
	const uint32_t fixed[][2] = { { EMSG_KILL_CHILD, 8 }, { EMSG_EXIT, 4 }, { EMSG_WANT_STDIN, 0 }, { EMSG_FALLBACK, 0 } };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		put_u32(f, fixed[i][0]);
		put_u32(f + 4, fixed[i][1]);
		check(take(f, 8 + fixed[i][1], &type, &len) == 8 + fixed[i][1], "a fixed-size frame of its size is taken");
		put_u32(f + 4, fixed[i][1] + 1);
		check(take(f, sizeof(f), &type, &len) == -1, "a fixed-size frame one byte long is refused");
		if (fixed[i][1]) {
			put_u32(f + 4, fixed[i][1] - 1);
			check(take(f, sizeof(f), &type, &len) == -1, "a fixed-size frame one byte short is refused");
		}
	}
	const uint32_t unknown[] = { 0, EMSG_REQUEST, EMSG_STDIN, EMSG_SIGNAL, EMSG_CHILD_EXITED, 100, 108, 0xffffffffu };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		put_u32(f, unknown[i]);
		put_u32(f + 4, 0);
		check(take(f, 8, &type, &len) == -1, "a type the engine does not send is refused");
	}
}

static void good_spawn_exec(struct wbuf *w, uint32_t mode, const char *log, const char *exec)
{
	w->n = 0;
	wb_u32(w, mode);
	str(w, log);
	str(w, exec);
	wb_u32(w, 3);
	str(w, "/usr/lib/jbox/jbox-shim");
	str(w, "--tty");
	str(w, "");
	wb_u32(w, 2);
	str(w, "PATH=/bin");
	str(w, "A=b c");
}

static void good_spawn(struct wbuf *w, uint32_t mode, const char *log)
{
	good_spawn_exec(w, mode, log, "");
}

static void spawns(void)
{
	struct wbuf w = { 0 };
	struct spawn s;
	good_spawn(&w, SPAWN_MODE_INHERIT, "");
	check(spawn_ok(&w, w.n, &s) && s.mode == 0 && strcmp(s.log, "") == 0 && strcmp(s.argv[0], "/usr/lib/jbox/jbox-shim") == 0 &&
		      strcmp(s.argv[1], "--tty") == 0 && strcmp(s.argv[2], "") == 0 && s.argv[3] == NULL &&
		      strcmp(s.envp[1], "A=b c") == 0 && s.envp[2] == NULL,
	      "a well-formed SPAWN decodes to NUL-terminated argv and env");
	check(s.mem && s.exec == s.argv[0], "an empty exec path is argv[0]");
	if (s.mem)
		spawn_free(&s);
	good_spawn_exec(&w, SPAWN_MODE_INHERIT, "", "/proc/1/fd/3");
	check(spawn_ok(&w, w.n, &s) && strcmp(s.exec, "/proc/1/fd/3") == 0 && strcmp(s.argv[0], "/usr/lib/jbox/jbox-shim") == 0,
	      "an exec path decodes beside argv[0]");
	if (s.mem)
		spawn_free(&s);
	good_spawn_exec(&w, SPAWN_MODE_INHERIT, "", "fd/3");
	check(!spawn_ok(&w, w.n, NULL), "a relative exec path is refused");
	int cut_refused = 1;
	for (size_t n = 0; n < w.n; n++)
		cut_refused &= !spawn_ok(&w, n, NULL);
	check(cut_refused, "SPAWN cut at any byte is refused");
	wb_u32(&w, 0);
	check(!spawn_ok(&w, w.n, NULL), "SPAWN with trailing bytes is refused");

	good_spawn(&w, SPAWN_MODE_DETACHED, "/run/jbox/x/log");
	check(spawn_ok(&w, w.n, NULL), "a detached SPAWN with an absolute log path decodes");
	good_spawn(&w, SPAWN_MODE_DETACHED, "");
	check(!spawn_ok(&w, w.n, NULL), "a detached SPAWN without a log path is refused");
	good_spawn(&w, SPAWN_MODE_DETACHED, "log");
	check(!spawn_ok(&w, w.n, NULL), "a detached SPAWN with a relative log path is refused");
	good_spawn(&w, SPAWN_MODE_INHERIT, "/tmp/log");
	check(!spawn_ok(&w, w.n, NULL), "a log path in mode 0 is refused");
	good_spawn(&w, 2, "");
	check(!spawn_ok(&w, w.n, NULL), "an unknown mode is refused");

	const uint32_t counts[] = { 0, 4, ENGINE_ARGC_MAX + 1, 0x40000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		w.n = 0;
		wb_u32(&w, 0);
		str(&w, "");
		str(&w, "");
		wb_u32(&w, counts[i]);
		str(&w, "/bin/true");
		wb_u32(&w, 0);
		check(!spawn_ok(&w, w.n, NULL), "an argc of 0, beyond the frame or over 4096 is refused");
	}
	w.n = 0;
	wb_u32(&w, 0);
	str(&w, "");
	str(&w, "");
	wb_u32(&w, 1);
	str(&w, "/bin/true");
	wb_u32(&w, ENGINE_ENVC_MAX + 1);
	for (uint32_t i = 0; i <= ENGINE_ENVC_MAX; i++)
		str(&w, "");
	check(!spawn_ok(&w, w.n, NULL), "an envc over 4096 is refused even when the strings are there");

	const uint32_t lengths[] = { 10, 0x7fffffffu, 0xffffffffu };
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		w.n = 0;
		wb_u32(&w, 0);
		str(&w, "");
		str(&w, "");
		wb_u32(&w, 1);
		wb_u32(&w, lengths[i]);
		wb_bytes(&w, "/bin/tru", 8);
		wb_u32(&w, 0);
		check(!spawn_ok(&w, w.n, NULL), "a string longer than what is left is refused");
	}
	w.n = 0;
	wb_u32(&w, 0);
	str(&w, "");
	str(&w, "");
	wb_u32(&w, 1);
	wb_u32(&w, ENGINE_STRING_MAX + 1);
	wb_bytes(&w, "/", 1);
	for (uint32_t i = 0; i < ENGINE_STRING_MAX; i++)
		wb_bytes(&w, "a", 1);
	wb_u32(&w, 0);
	check(!spawn_ok(&w, w.n, NULL), "a string over 256 KiB is refused");
	w.n = 0;
	wb_u32(&w, 0);
	str(&w, "");
	str(&w, "");
	wb_u32(&w, 1);
	wb_u32(&w, 9);
	wb_bytes(&w, "/bin\0true", 9);
	wb_u32(&w, 0);
	check(!spawn_ok(&w, w.n, NULL), "a string holding a NUL is refused");
	w.n = 0;
	wb_u32(&w, 0);
	str(&w, "");
	str(&w, "");
	wb_u32(&w, 1);
	str(&w, "bin/true");
	wb_u32(&w, 0);
	check(!spawn_ok(&w, w.n, NULL), "a relative argv[0] is refused");
	wb_free(&w);
}

/* REQUEST round trip, then its limits. */
static void requests(void)
{
	struct wbuf w = { 0 };
	const char *why = NULL;
	char *argv[] = { "run", "--rm", "a b", "", NULL }, *envp[] = { "A=1", "PATH=/bin", NULL };
	struct request_info r = { .ttys = 5, .rows = 24, .cols = 80, .pid = 77, .key = "m1-n2-p3-u4-c5", .cwd = "/tmp",
				  .argv = argv, .envp = envp };
	check(encode_request(&w, &r, &why) == 0, "a REQUEST encodes");
	const uint8_t *p = w.b;
	uint32_t len = get_u32(p + 4);
	check(get_u32(p) == EMSG_REQUEST && len == w.n - 8, "REQUEST's header carries its type and length");
	p += 8;
	check(get_u32(p) == ENGINE_PROTOCOL_VERSION && get_u32(p + 4) == 5 && (p[8] | p[9] << 8) == 24 &&
		      (p[10] | p[11] << 8) == 80 && get_u32(p + 12) == 77,
	      "REQUEST's fixed fields are in the agreed order");
	p += 16;
	check(get_u32(p) == 14 && memcmp(p + 4, "m1-n2-p3-u4-c5", 14) == 0, "REQUEST carries the ns key");
	p += 18;
	check(get_u32(p) == 4 && memcmp(p + 4, "/tmp", 4) == 0 && get_u32(p + 8) == 4, "cwd, then argc without argv[0]");
	w.n = 0;

	static char big[ENGINE_STRING_MAX + 2];
	memset(big, 'x', ENGINE_STRING_MAX + 1);
	char *one_big[] = { big, NULL };
	r.argv = one_big;
	check(encode_request(&w, &r, &why) < 0 && w.n == 0, "an argument over 256 KiB is refused, nothing appended");
	big[ENGINE_STRING_MAX] = 0;
	char *five[] = { big, big, big, big, big, NULL };
	r.argv = five;
	check(encode_request(&w, &r, &why) < 0 && w.n == 0, "a REQUEST over 1 MiB is refused");
	char **many = calloc(ENGINE_ARGC_MAX + 2, sizeof(char *));
	for (uint32_t i = 0; i <= ENGINE_ARGC_MAX; i++)
		many[i] = "a";
	r.argv = many;
	check(encode_request(&w, &r, &why) < 0 && w.n == 0, "more than 4096 arguments are refused");
	r.argv = argv;
	r.envp = many;
	check(encode_request(&w, &r, &why) < 0 && w.n == 0, "more than 4096 variables are refused");
	many[ENGINE_ARGC_MAX] = NULL;
	check(encode_request(&w, &r, &why) == 0, "4096 variables are accepted");
	free(many);
	wb_free(&w);
}

int main(void)
{
	frames();
	spawns();
	requests();
	printf("engine decode test: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
