/*
 * shim_setup_test.c — the shim's failures before clone() reach jbox as FAILED(step, errno) over
 * the control socket, and EOF before MSG_CLONE is told apart from a malformed request. The real
 * jbox-shim runs against a fake jbox (this program) with RLIMIT_NOFILE set so that the signalfd,
 * or the socketpair, is the first descriptor it cannot have. It is started from a sealed memfd
 * copy, so its own sealed re-exec (sealed_copy.c, which needs descriptors too) is skipped.
 *
 * Usage: shim-setup-test PATH_OF_JBOX_SHIM. Prints "N passed, N failed"; exits non-zero on any.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"
#include "wire.h"

static int n_passed, n_failed;
static int sealed_shim = -1;

static void check(int ok, const char *what)
{
	if (ok) {
		n_passed++;
	} else {
		n_failed++;
		fprintf(stderr, "FAIL: %s\n", what);
	}
}

static int seal_copy(const char *path)
{
	struct stat st;
	int src = open(path, O_RDONLY | O_CLOEXEC), fd = memfd_create("jbox-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (src < 0 || fd < 0 || fstat(src, &st) < 0 || sendfile(fd, src, NULL, (size_t)st.st_size) != st.st_size ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -1;
	close(src);
	return fd;
}

/*
 * Runs the shim on a fresh control socket with at most nofile descriptors; sends clone_msg (or
 * closes at once when NULL) and returns the shim's exit status; *step and *err get its FAILED.
 */
static int run_shim(rlim_t nofile, const uint8_t *clone_msg, uint32_t len, uint32_t *step, int *err)
{
	char path[64];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(path, sizeof(path), "/tmp/jbox-shim-setup-%d.sock", getpid());
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0)
		exit(2);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { nofile, nofile };
		char *argv[] = { "jbox-shim", path, NULL }, *envp[] = { NULL };
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2); /* the shim's one-line messages are not what is tested here */
		close(devnull);
		setrlimit(RLIMIT_NOFILE, &rl);
		fexecve(sealed_shim, argv, envp);
		_exit(99);
	}
	struct pollfd p = { .fd = l, .events = POLLIN };
	int c = poll(&p, 1, 10000) == 1 ? accept4(l, NULL, NULL, SOCK_CLOEXEC) : -1;
	*step = 0;
	*err = 0;
	if (c >= 0 && clone_msg)
		write_frame(c, MSG_CLONE, clone_msg, len);
	if (c >= 0 && !clone_msg)
		shutdown(c, SHUT_WR); /* EOF for the shim; its answer, if any, is still readable */
	uint32_t type = 0, n = 0;
	uint8_t *payload = NULL;
	if (c >= 0 && read_frame(c, &type, &payload, &n, 64) == 0 && type == MSG_FAILED && n == FAILED_MSG_LEN) {
		*step = get_u32(payload);
		*err = (int)get_u32(payload + 4);
	}
	free(payload);
	if (c >= 0)
		close(c);
	int status;
	waitpid(pid, &status, 0);
	close(l);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
	uint32_t step;
	int err;
	uint8_t clone_msg[8] = { 0 }; /* flags 0 (a fork), no options */
	if (argc != 2 || (sealed_shim = seal_copy(argv[1])) < 0) {
		fprintf(stderr, "usage: shim-setup-test PATH_OF_JBOX_SHIM (a readable file)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* fds 0, 1, 2 and the control socket (3): the signalfd would be the fifth. */
	int st = run_shim(4, clone_msg, sizeof(clone_msg), &step, &err);
	check(st == EXIT_FAILED && step == STEP_SIGNALFD && err == EMFILE, "no descriptor for the signalfd: FAILED(STEP_SIGNALFD, EMFILE)");
	st = run_shim(5, clone_msg, sizeof(clone_msg), &step, &err);
	check(st == EXIT_FAILED && step == STEP_SOCKETPAIR && err == EMFILE, "no descriptors for the socketpair: FAILED(STEP_SOCKETPAIR, EMFILE)");
	uint8_t unknown_option[8] = { 0, 0, 0, 0, 0, 0, 0, 0x80 };
	st = run_shim(64, unknown_option, sizeof(unknown_option), &step, &err);
	check(st == EXIT_FAILED && step == STEP_PROTOCOL && err == EPROTO, "a malformed clone request: FAILED(STEP_PROTOCOL, EPROTO)");
	st = run_shim(64, NULL, 0, &step, &err);
	check(st == EXIT_FAILED && step == 0 && err == 0, "EOF before the clone request: exit 125, no FAILED sent (nobody asked)");
	printf("shim setup test: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
