/*
 * clone_request.h — MSG_CLONE decoded (protocol.h): the clone flags, the options and the strings
 * they carry. The decoder refuses anything not exactly in the header's shape; test/decode_test.c
 * feeds it crafted bytes.
 */
#ifndef JBOX_CLONE_REQUEST_H
#define JBOX_CLONE_REQUEST_H

#include <stdint.h>

#include "protocol.h"

/* Strings point into the message, which must stay allocated while the request is used. */
struct clone_request {
	uint32_t flags, options, njoins;
	const char *joins[MAX_JOINS], *lock_path, *exit_path, *fifo_path, *console_path, *log_path, *attach_path;
	char *on_exit[MAX_ON_EXIT_ARGS + 1]; /* NULL-terminated for execv */
};

/* 0 when msg is a well-formed request (filled into *r), -1 otherwise. */
int parse_clone_request(const uint8_t *msg, uint32_t len, struct clone_request *r);

#endif
