/*
 * wire.h — framing shared by both channels of the shim: u32 type, u32 length, payload
 * (little endian). Small enough to live in a header; both processes use the same code.
 */
#ifndef JBOX_WIRE_H
#define JBOX_WIRE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol.h"

static inline void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* Reads exactly n bytes; -1 on error or on EOF (EOF sets errno to 0). */
static inline int read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static inline int write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static inline int write_frame(int fd, uint32_t type, const void *payload, uint32_t len)
{
	uint8_t head[8];
	put_u32(head, type);
	put_u32(head + 4, len);
	if (write_full(fd, head, sizeof(head)) < 0)
		return -1;
	return len ? write_full(fd, payload, len) : 0;
}

/* Reads one frame; *payload is malloc()ed (NULL when empty) and owned by the caller. */
static inline int read_frame(int fd, uint32_t *type, uint8_t **payload, uint32_t *len, uint32_t max)
{
	uint8_t head[8];
	*payload = NULL;
	if (read_full(fd, head, sizeof(head)) < 0)
		return -1;
	*type = get_u32(head);
	*len = get_u32(head + 4);
	if (*len > max) {
		errno = EMSGSIZE;
		return -1;
	}
	if (*len == 0)
		return 0;
	*payload = malloc(*len);
	if (*payload == NULL)
		return -1;
	if (read_full(fd, *payload, *len) < 0) {
		free(*payload);
		*payload = NULL;
		return -1;
	}
	return 0;
}

/* MSG_FAILED: (step, errno, exit status). */
static inline int send_failed(int fd, uint32_t step, int err, int status)
{
	uint8_t payload[FAILED_MSG_LEN];
	put_u32(payload, step);
	put_u32(payload + 4, (uint32_t)err);
	put_u32(payload + 8, (uint32_t)status);
	return write_frame(fd, MSG_FAILED, payload, sizeof(payload));
}

/*
 * Reads one frame from the container init; a frame may carry a file descriptor (SCM_RIGHTS, into
 * *passed, else -1). Returns 1 for a frame, 0 for EOF where a frame would start (execve closed
 * the socket: success), -1 for anything else — a truncated or oversized frame sets EPROTO, a
 * failed read keeps its errno. *payload is malloc()ed (NULL when empty) and owned by the caller.
 */
static inline int recv_frame_fd(int fd, uint32_t *type, uint8_t **payload, uint32_t *len, int *passed, uint32_t max)
{
	uint8_t head[8];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = head, .iov_len = sizeof(head) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	*payload = NULL;
	*passed = -1;
	ssize_t n;
	do
		n = recvmsg(fd, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	*type = get_u32(head);
	*len = get_u32(head + 4);
	if (n != (ssize_t)sizeof(head) || *len > max) {
		errno = EPROTO;
		return -1;
	}
	if (*len == 0)
		return 1;
	*payload = malloc(*len);
	if (*payload == NULL)
		return -1;
	if (read_full(fd, *payload, *len) < 0) {
		free(*payload);
		*payload = NULL;
		errno = EPROTO; /* EOF inside a frame is a truncated frame, not success */
		return -1;
	}
	return 1;
}

/* recv_frame_fd for the init's frames to the monitor: small ones only. */
static inline int recv_child_frame(int fd, uint32_t *type, uint8_t **payload, uint32_t *len, int *passed)
{
	return recv_frame_fd(fd, type, payload, len, passed, CHILD_FRAME_MAX);
}

/* One frame whose first byte carries pass (SCM_RIGHTS), unless pass < 0. */
static inline int send_frame_fd(int fd, uint32_t type, const void *payload, uint32_t len, int pass)
{
	uint8_t head[8];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov[2] = { { .iov_base = head, .iov_len = sizeof(head) },
				{ .iov_base = (void *)payload, .iov_len = len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	put_u32(head, type);
	put_u32(head + 4, len);
	if (pass >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n < sizeof(head) + len)
		errno = EIO; /* a socketpair's buffer takes a frame this small whole */
	return n >= 0 && (size_t)n == sizeof(head) + len ? 0 : -1;
}

#endif
