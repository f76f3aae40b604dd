/*
 * decode_test.c — the shim's decoders fed crafted bytes: the plan (plan_check), the clone request
 * (parse_clone_request), MSG_IDMAP (idmap_decode), the init's frames (recv_child_frame) and a
 * MSG_MOUNT_FD's descriptor across send_frame_fd/recv_frame_fd. Each bad input must be refused,
 * each good one accepted, with no sanitizer report (built with ASan/UBSan by `make decode-test`).
 * Inputs are copied into buffers of their exact size, so a read past the end is an ASan error.
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clone_request.h"
#include "idmap.h"
#include "protocol.h"
#include "steps.h"
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

/* A growing little-endian byte string. */
struct buf {
	uint8_t b[1 << 16];
	uint32_t n;
};

static void u32(struct buf *b, uint32_t v)
{
	put_u32(b->b + b->n, v);
	b->n += 4;
}

static void bytes(struct buf *b, const void *p, uint32_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void str_arg(struct buf *b, const char *s)
{
	u32(b, (uint32_t)strlen(s) + 1);
	bytes(b, s, (uint32_t)strlen(s) + 1);
}

/* The first n bytes of b in a heap block of exactly n bytes (NULL-safe for n == 0). */
static uint8_t *exact(const struct buf *b, uint32_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, b->b, n);
	return p;
}

static int plan_ok(const struct buf *b, uint32_t n)
{
	uint8_t *p = exact(b, n);
	int rc = plan_check(p, n);
	free(p);
	return rc == 0;
}

static int clone_ok(const struct buf *b, uint32_t n)
{
	struct clone_request r;
	uint8_t *p = exact(b, n);
	int rc = parse_clone_request(p, n, &r);
	free(p);
	return rc == 0;
}

static void plans(void)
{
	static struct buf good, b;
	good.n = 0;
	u32(&good, 2);
	u32(&good, OP_CHDIR), u32(&good, 1), str_arg(&good, "/");
	u32(&good, OP_EXEC | OPTIONAL_STEP), u32(&good, 2), str_arg(&good, "sh"), str_arg(&good, "PATH=/bin");
	check(plan_ok(&good, good.n), "a well-formed plan is accepted");
	for (uint32_t n = 0; n < good.n; n++)
		if (plan_ok(&good, n)) {
			fprintf(stderr, "truncated at %u\n", n);
			check(0, "every truncation of a plan is refused");
		}
	b = good;
	b.b[b.n++] = 0;
	check(!plan_ok(&b, b.n), "a trailing byte is refused");

	b.n = 0;
	u32(&b, 0);
	check(!plan_ok(&b, b.n), "a plan of no steps is refused");
	b.n = 0;
	u32(&b, PLAN_MAX_STEPS + 1);
	check(!plan_ok(&b, b.n), "a step count over PLAN_MAX_STEPS is refused");
	b.n = 0;
	u32(&b, 0xffffffffu);
	check(!plan_ok(&b, b.n), "a step count of 2^32-1 is refused");

	uint32_t bad_ops[] = { 0, OP_MAX, OP_MAX + 1, 0xffffu, OPTIONAL_STEP, OPTIONAL_STEP | OP_MAX, 0xffffffffu };
	for (unsigned i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		b.n = 0;
		u32(&b, 1), u32(&b, bad_ops[i]), u32(&b, 0);
		check(!plan_ok(&b, b.n), "an unknown step op is refused");
	}
	b.n = 0;
	u32(&b, 1), u32(&b, OP_EXEC), u32(&b, STEP_MAX_ARGS + 1);
	check(!plan_ok(&b, b.n), "too many args is refused");
	b.n = 0;
	u32(&b, 1), u32(&b, OP_EXEC), u32(&b, 0xffffffffu);
	check(!plan_ok(&b, b.n), "an arg count of 2^32-1 is refused");
	b.n = 0;
	u32(&b, 1), u32(&b, OP_CHDIR), u32(&b, 1), u32(&b, 0xffffffffu), bytes(&b, "/\0", 2);
	check(!plan_ok(&b, b.n), "an arg length of 2^32-1 is refused");
	b.n = 0;
	u32(&b, 1), u32(&b, OP_CHDIR), u32(&b, 1), u32(&b, 3), bytes(&b, "/\0", 2);
	check(!plan_ok(&b, b.n), "an arg longer than the plan is refused");
	b.n = 0;
	u32(&b, 3), u32(&b, OP_SETSID), u32(&b, 0);
	check(!plan_ok(&b, b.n), "more steps announced than present is refused");
	b.n = 0;
	u32(&b, 1), u32(&b, OP_EXEC), u32(&b, STEP_MAX_ARGS);
	for (uint32_t i = 0; i < STEP_MAX_ARGS; i++)
		u32(&b, 0);
	check(plan_ok(&b, b.n), "STEP_MAX_ARGS empty args are still a well-formed step");
}

static void header(struct buf *b, uint32_t flags, uint32_t options)
{
	b->n = 0;
	u32(b, flags);
	u32(b, options);
}

static void clone_requests(void)
{
	static struct buf b;
	struct clone_request r;
	header(&b, 0x7c020000u, 0);
	check(clone_ok(&b, b.n), "flags and no options are accepted");
	for (uint32_t n = 0; n < 8; n++)
		check(!clone_ok(&b, n), "a request shorter than its two u32s is refused");
	check(parse_clone_request(NULL, 0, &r) < 0, "no message at all is refused");

	header(&b, 0, SHIM_OPT_JOIN | SHIM_OPT_RECORD | SHIM_OPT_START_FIFO | SHIM_OPT_CONSOLE | SHIM_OPT_LOG |
			      SHIM_OPT_ATTACH | SHIM_OPT_HANDOVER);
	static const char all[] = "2\0/a\0/b\0/lock\0/exit\0/fifo\0/console\0/stdio.log\0/attach.sock";
	bytes(&b, all, sizeof(all)); /* sizeof counts the last string's NUL */
	uint8_t *p = exact(&b, b.n);
	check(parse_clone_request(p, b.n, &r) == 0 && r.njoins == 2 && strcmp(r.joins[1], "/b") == 0 &&
		      strcmp(r.exit_path, "/exit") == 0 && strcmp(r.console_path, "/console") == 0 &&
		      strcmp(r.log_path, "/stdio.log") == 0 && strcmp(r.attach_path, "/attach.sock") == 0,
	      "every option decodes in the header's order");
	free(p);
	for (uint32_t n = 8; n < b.n; n++)
		if (clone_ok(&b, n)) {
			fprintf(stderr, "truncated at %u\n", n);
			check(0, "every truncation of a clone request is refused");
		}

	header(&b, 0, SHIM_OPT_JOIN);
	bytes(&b, "1\0/proc/1/ns/net", 16); /* no NUL after the path */
	check(!clone_ok(&b, b.n), "a string without its NUL is refused");
	const char *counts[] = { "0", "17", "-1", "abc", "1x", "", "4294967297", "99" };
	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		header(&b, 0, SHIM_OPT_JOIN);
		bytes(&b, counts[i], (uint32_t)strlen(counts[i]) + 1);
		for (int j = 0; j < 20; j++)
			bytes(&b, "/x\0", 3);
		check(!clone_ok(&b, b.n), "a join count that is not 1..MAX_JOINS is refused");
	}
	header(&b, 0, SHIM_OPT_JOIN);
	bytes(&b, "16\0", 3);
	for (int j = 0; j < MAX_JOINS; j++)
		bytes(&b, "/x\0", 3);
	check(clone_ok(&b, b.n), "MAX_JOINS joins are accepted");

	header(&b, 0, SHIM_OPT_STDIN);
	check(clone_ok(&b, b.n), "SHIM_OPT_STDIN carries no string");
	bytes(&b, "/x\0", 3);
	check(!clone_ok(&b, b.n), "nor may it be given one");
	header(&b, 0, 16u); /* the former SHIM_OPT_ENTER */
	bytes(&b, "42\0", 3);
	check(!clone_ok(&b, b.n), "an unknown option is refused");
	header(&b, 0, 0x80000000u);
	check(!clone_ok(&b, b.n), "an unknown high option bit is refused");
	header(&b, 0, 0);
	bytes(&b, "stray\0", 6);
	check(!clone_ok(&b, b.n), "strings no option asked for are refused");
	header(&b, 0, SHIM_OPT_ON_EXIT);
	check(!clone_ok(&b, b.n), "an empty ON_EXIT command is refused");
	header(&b, 0, SHIM_OPT_ON_EXIT | SHIM_OPT_DETACH);
	for (int j = 0; j < MAX_ON_EXIT_ARGS + 1; j++)
		bytes(&b, "a\0", 2);
	check(!clone_ok(&b, b.n), "more ON_EXIT strings than fit are refused");
	header(&b, 0, SHIM_OPT_ON_EXIT | SHIM_OPT_DETACH);
	for (int j = 0; j < MAX_ON_EXIT_ARGS; j++)
		bytes(&b, "a\0", 2);
	p = exact(&b, b.n);
	check(parse_clone_request(p, b.n, &r) == 0 && r.on_exit[MAX_ON_EXIT_ARGS] == NULL,
	      "MAX_ON_EXIT_ARGS strings are accepted and stay NULL-terminated");
	free(p);
}

/* Writes raw bytes to one end of a socketpair, closes it, and reads a child frame at the other. */
static int child_frame(const void *raw, size_t n, uint32_t *type, uint32_t *len)
{
	int sv[2];
	uint8_t *payload = NULL;
	int passed = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || (n && write(sv[0], raw, n) != (ssize_t)n)) {
		perror("socketpair");
		exit(2);
	}
	close(sv[0]);
	int rc = recv_child_frame(sv[1], type, &payload, len, &passed);
	int err = errno;
	free(payload);
	close(sv[1]);
	errno = err;
	return rc;
}

static void child_frames(void)
{
	uint8_t f[8 + FAILED_MSG_LEN];
	uint32_t type, len;
	check(child_frame("", 0, &type, &len) == 0, "EOF before a frame is EOF (the execve)");
	put_u32(f, MSG_FAILED);
	put_u32(f + 4, FAILED_MSG_LEN);
	memset(f + 8, 7, FAILED_MSG_LEN);
	check(child_frame(f, sizeof(f), &type, &len) == 1 && type == MSG_FAILED && len == FAILED_MSG_LEN,
	      "a whole FAILED frame is a frame");
	for (size_t n = 1; n < sizeof(f); n++) {
		int rc = child_frame(f, n, &type, &len);
		if (rc != -1 || errno != EPROTO) {
			fprintf(stderr, "cut at %zu: rc %d errno %d\n", n, rc, errno);
			check(0, "a frame cut short is malformed (EPROTO), never EOF");
		}
	}
	put_u32(f + 4, CHILD_FRAME_MAX + 1);
	check(child_frame(f, sizeof(f), &type, &len) == -1 && errno == EPROTO, "an oversized frame is malformed");
	put_u32(f + 4, 0xffffffffu);
	check(child_frame(f, 8, &type, &len) == -1 && errno == EPROTO, "a length of 2^32-1 is malformed");

	int sv[2];
	uint8_t *payload = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		exit(2);
	put_u32(f, MSG_PLAN);
	put_u32(f + 4, PLAN_MAX_BYTES + 1);
	if (write(sv[0], f, 8) != 8)
		exit(2);
	close(sv[0]);
	check(read_frame(sv[1], &type, &payload, &len, PLAN_MAX_BYTES) == -1 && errno == EMSGSIZE && payload == NULL,
	      "a plan frame over PLAN_MAX_BYTES is refused before any allocation");
	close(sv[1]);
}

static int idmap_ok(const struct buf *b, uint32_t n, uint32_t *flags, const char **path)
{
	uint8_t *p = exact(b, n);
	int rc = idmap_decode(p, n, flags, path);
	int whole = rc == 0 && strlen(*path) == n - 5;
	free(p);
	return rc == 0 && whole;
}

static void idmap_requests(void)
{
	struct buf b = { .n = 0 };
	uint32_t flags;
	const char *path;
	u32(&b, 0x8000);
	bytes(&b, "/srv/data", 10);
	check(idmap_ok(&b, b.n, &flags, &path) && flags == 0x8000, "a recursive MSG_IDMAP decodes");
	for (uint32_t n = 0; n < b.n; n++)
		if (idmap_ok(&b, n, &flags, &path))
			check(0, "a MSG_IDMAP cut short is refused");
	b.n = 0;
	u32(&b, 1);
	bytes(&b, "/srv", 5);
	check(!idmap_ok(&b, b.n, &flags, &path), "flags other than AT_RECURSIVE are refused");
	b.n = 0;
	u32(&b, 0);
	bytes(&b, "srv", 4);
	check(!idmap_ok(&b, b.n, &flags, &path), "a relative path is refused");
	b.n = 0;
	u32(&b, 0);
	bytes(&b, "/a\0b", 5);
	check(!idmap_ok(&b, b.n, &flags, &path), "a NUL inside the path is refused");

	/* A MSG_MOUNT_FD's descriptor arrives with its frame; a plan after it is read whole. */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		exit(2);
	uint8_t errno_payload[4];
	put_u32(errno_payload, 0);
	check(send_frame_fd(sv[0], MSG_MOUNT_FD, errno_payload, 4, sv[0]) == 0, "send_frame_fd sends");
	check(send_frame_fd(sv[0], MSG_PLAN, "plan", 4, -1) == 0, "send_frame_fd sends without a descriptor");
	close(sv[0]);
	uint32_t type, len;
	uint8_t *payload = NULL;
	int passed = -1;
	check(recv_frame_fd(sv[1], &type, &payload, &len, &passed, PLAN_MAX_BYTES) == 1 && type == MSG_MOUNT_FD &&
		      len == 4 && passed >= 0,
	      "MSG_MOUNT_FD brings its descriptor");
	free(payload);
	if (passed >= 0)
		close(passed);
	payload = NULL;
	check(recv_frame_fd(sv[1], &type, &payload, &len, &passed, PLAN_MAX_BYTES) == 1 && type == MSG_PLAN &&
		      len == 4 && passed == -1 && memcmp(payload, "plan", 4) == 0,
	      "the plan after it comes whole, with no descriptor");
	free(payload);
	close(sv[1]);
}

int main(void)
{
	plans();
	clone_requests();
	idmap_requests();
	child_frames();
	printf("decode-test: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
