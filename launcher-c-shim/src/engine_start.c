/*
 * engine_start.c — which engine serves the front end (frontend.h): whether one is wanted at all,
 * its socket for this process's namespaces, and starting one detached when none listens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine_protocol.h"
#include "frontend.h"
#include "protocol.h"

/* A line "engine.enabled=false" (java.util.Properties' separators: '=', ':' or blanks) in a
 * config file: the last occurrence wins, as for Config. Unreadable files say nothing. */
static void read_enabled(const char *path, int *enabled)
{
	FILE *f = path && *path ? fopen(path, "re") : NULL;
	char line[4096];
	static const char key[] = "engine.enabled";
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t\f");
		if (strncmp(p, key, sizeof(key) - 1) != 0 || !strchr("=: \t\f", p[sizeof(key) - 1]))
			continue;
		p += sizeof(key) - 1;
		p += strspn(p, " \t\f");
		if (*p == '=' || *p == ':')
			p++;
		p += strspn(p, " \t\f");
		size_t n = strcspn(p, " \t\f\r\n");
		*enabled = !(n == 5 && strncmp(p, "false", 5) == 0);
	}
	fclose(f);
}

int engine_wanted(int argc, char **argv)
{
	int enabled = 1;
	const char *env = getenv("JBOX_ENGINE");
	if (env && strcmp(env, "off") == 0)
		return 0;
	/* `jbox engine ...` runs or manages the engine itself; only root is served by an engine (the
	 * cold path refuses anyone else with today's words). */
	if ((argc > 1 && strcmp(argv[1], "engine") == 0) || geteuid() != 0)
		return 0;
	read_enabled("/etc/jbox/jbox.properties", &enabled);
	read_enabled(getenv("JBOX_CONFIG"), &enabled);
	return enabled;
}

/* m<ino>-n<ino>-p<ino>-u<ino>-c<ino> of /proc/self/ns/{mnt,net,pid,user,cgroup}. */
static int ns_key(char *key, size_t size)
{
	static const char *const ns[] = { "mnt", "net", "pid", "user", "cgroup" };
	unsigned long long ino[5];
	for (int i = 0; i < 5; i++) {
		char path[32];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
		if (stat(path, &st) < 0)
			return -1;
		ino[i] = (unsigned long long)st.st_ino;
	}
	int n = snprintf(key, size, "m%llu-n%llu-p%llu-u%llu-c%llu", ino[0], ino[1], ino[2], ino[3], ino[4]);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int engine_paths(struct paths *p)
{
	const char *env = getenv("JBOX_ENGINE_SOCKET");
	if (ns_key(p->key, sizeof(p->key)) < 0)
		return -1;
	/* JBOX_ENGINE_SOCKET names a directory that takes the place of ENGINE_DIR: the key still
	 * separates callers in other namespaces (a test's netns) under one private location. */
	p->own_dir = !(env && *env);
	int n = snprintf(p->dir, sizeof(p->dir), "%s", p->own_dir ? ENGINE_DIR : env);
	if (n <= 0 || (size_t)n >= sizeof(p->dir))
		return -1;
	while (n > 1 && p->dir[n - 1] == '/')
		p->dir[--n] = 0;
	if (p->dir[0] != '/')
		return -1; /* relative to what? the engine's cwd is / */
	n = snprintf(p->sock, sizeof(p->sock), "%s/%s.sock", p->dir, p->key);
	if (n <= 0 || (size_t)n >= sizeof(p->sock))
		return -1;
	/* Siblings: <key>.lock, .log beside <key>.sock. */
	snprintf(p->lock, sizeof(p->lock), "%.*s.lock", n - 5, p->sock);
	snprintf(p->log, sizeof(p->log), "%.*s.log", n - 5, p->sock);
	return 0;
}

/* A connected socket to an engine running as root, or -1 with errno. */
static int connect_engine(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		close(fd);
		errno = EPERM; /* not an engine of root's: never hand it our environment */
		return -1;
	}
	return fd;
}

/* mkdir, then chmod: the mode is ours, never the umask's. A directory found there must be
 * root's and writable by nobody else (a JBOX_ENGINE_SOCKET directory is the caller's choice: it is
 * checked, never chmodded, unless we made it). */
static int ensure_dir(const char *path, mode_t mode, int always_chmod)
{
	struct stat st;
	int made = mkdir(path, mode) == 0;
	if (!made && errno != EEXIST)
		return -1;
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0)
		return -1;
	if (made || always_chmod)
		return chmod(path, mode);
	return (st.st_mode & 022) ? -1 : 0;
}

/* Whether someone holds a lock on the engine's lock file: an engine starting or serving. */
static int lock_held(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	int held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

/* The started engine's process: double fork, so it is nobody's child and in no caller's session. */
static void __attribute__((noreturn)) engine_child(const struct paths *p, int go)
{
	char arg_socket[] = "--socket", arg_engine[] = "engine", path_env[] = ENGINE_PATH;
	char jvm[PATH_MAX + 16], *argv[] = { jvm, arg_engine, arg_socket, (char *)p->sock, NULL };
	char locale[] = ENGINE_LOCALE;
	char *envp[5] = { path_env, locale, NULL, NULL, NULL }, config[PATH_MAX + 16], socket_env[PATH_MAX + 32];
	int n = 2, log, null;
	char byte;
	/* Wait until the front end holds a pidfd of us: our pid cannot be reused before it does
	 * (EOF: the front end is gone, and the engine starts for the next caller). */
	while (read(go, &byte, 1) < 0 && errno == EINTR)
		;
	restore_signals();
	if (chdir("/") < 0)
		_exit(EXIT_FAILED);
	umask(077);
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (log = open(p->log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    fchmod(log, 0600) < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(EXIT_FAILED);
	/* Nothing of the caller's but what the protocol names: no inherited descriptor keeps a
	 * caller's pipe open for the engine's life. */
	syscall(SYS_close_range, 3u, ~0u, 0u);
	if (getenv("JBOX_CONFIG")) {
		snprintf(config, sizeof(config), "JBOX_CONFIG=%s", getenv("JBOX_CONFIG"));
		envp[n++] = config;
	}
	if (!p->own_dir) {
		snprintf(socket_env, sizeof(socket_env), "JBOX_ENGINE_SOCKET=%s", p->dir);
		envp[n++] = socket_env;
	}
	snprintf(jvm, sizeof(jvm), "%s/jbox-jvm", home);
	execve(jvm, argv, envp);
	dprintf(2, "jbox: cannot start the engine %s: %s\n", jvm, strerror(errno));
	_exit(EXIT_FAILED);
}

/* Starts an engine; returns a pidfd of it (-1 if the kernel has none: then only the deadline
 * ends the wait), or -2 when it could not be started. */
static int start_engine(const struct paths *p)
{
	int pidp[2], gop[2], status;
	pid_t mid, engine = 0;
	if (p->own_dir ? (ensure_dir("/run/jbox", 0711, 0) < 0 || ensure_dir(ENGINE_DIR, 0700, 1) < 0)
		       : ensure_dir(p->dir, 0700, 0) < 0)
		return -2;
	if (pipe2(pidp, O_CLOEXEC) < 0)
		return -2;
	if (pipe2(gop, O_CLOEXEC) < 0) {
		close(pidp[0]);
		close(pidp[1]);
		return -2;
	}
	if ((mid = fork()) == 0) {
		close(pidp[0]);
		close(gop[1]); /* else the engine would hold the pipe it waits on open itself */
		setsid();
		pid_t g = fork();
		if (g == 0) {
			close(pidp[1]);
			engine_child(p, gop[0]);
		}
		if (g > 0 && write(pidp[1], &g, sizeof(g)) != sizeof(g))
			kill(g, SIGKILL);
		_exit(g > 0 ? 0 : EXIT_FAILED);
	}
	close(pidp[1]);
	close(gop[0]);
	if (mid > 0) {
		while (read(pidp[0], &engine, sizeof(engine)) < 0 && errno == EINTR)
			;
		while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(pidp[0]);
	int pidfd = engine > 0 ? (int)syscall(SYS_pidfd_open, engine, 0) : -2;
	if (engine > 0 && pidfd < 0)
		pidfd = -1;
	if (write(gop[1], "g", 1) != 1 && pidfd >= 0) {
		close(pidfd);
		pidfd = -2;
	}
	close(gop[1]);
	return pidfd;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The engine of our namespaces, started if it is not there; -1 means: take the cold path. */
int reach_engine(const struct paths *p)
{
	int fd = connect_engine(p->sock);
	if (fd >= 0 || (errno != ENOENT && errno != ECONNREFUSED))
		return fd;
	int pidfd = start_engine(p);
	if (pidfd == -2)
		return -1;
	for (long long deadline = now_ms() + START_TIMEOUT_MS; now_ms() < deadline;) {
		if ((fd = connect_engine(p->sock)) >= 0 || (errno != ENOENT && errno != ECONNREFUSED))
			break;
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		if (poll(&pfd, 1, START_RETRY_MS) > 0) {
			/* Ours ended: it found another engine starting (the lock is held: go on waiting
			 * for that one's socket), or it failed (take the cold path after a last try). */
			close(pidfd);
			pidfd = -1;
			if (!lock_held(p->lock)) {
				fd = connect_engine(p->sock);
				break;
			}
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return fd;
}
