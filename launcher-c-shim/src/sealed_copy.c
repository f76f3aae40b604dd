/*
 * sealed_copy.c — the shim runs from a sealed in-memory copy of itself, never from the host's file.
 *
 * Why (runc's CVE-2019-5736): the shim, the container init and exec's child run this binary inside
 * the container's pid namespace until their execve. A process in the container that opens their
 * /proc/PID/exe and writes through it later would change the host's jbox-shim, which the next jbox
 * runs as root. Run from a memfd sealed against writing, growing and shrinking (and against
 * further seal changes), that link leads to a copy nobody can change and the host file is out of
 * reach. runc (cloned_binary.c, later its dmz) and crun (ensure_cloned_binary) do the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol.h"
#include "sealed_copy.h"

#define SHIM_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static int has_all_seals(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS); /* EINVAL on anything that is not a memfd */
	return seals >= 0 && (seals & SHIM_SEALS) == SHIM_SEALS;
}

/* 1 when this process already runs from a sealed copy; then nothing is copied (a re-exec ends here). */
static int running_sealed(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int sealed = has_all_seals(fd);
	close(fd);
	return sealed;
}

static void fail(const char *what)
{
	fprintf(stderr, "jbox-shim: cannot run from a sealed copy of itself (protection against "
			"overwriting the shim from a container): %s: %m\n", what);
	exit(EXIT_FAILED);
}

void run_from_sealed_copy(char **argv)
{
	if (running_sealed())
		return;
	struct stat st;
	int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		fail("open /proc/self/exe");
	int copy = memfd_create("jbox-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		fail("memfd_create");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, src, &done, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* the file got shorter while we read it */
			fail("copy /proc/self/exe into the memfd");
		}
	}
	close(src);
	if (fcntl(copy, F_ADD_SEALS, SHIM_SEALS) < 0)
		fail("seal the memfd");
	/* The re-executed shim finds these very seals on /proc/self/exe and stops above: no loop. */
	if (!has_all_seals(copy)) {
		errno = EPERM;
		fail("check the memfd's seals");
	}
	fexecve(copy, argv, environ);
	fail("fexecve the sealed copy");
}
