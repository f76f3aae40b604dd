/*
 * frontend_test.c — the front end (built with ASan/UBSan) against a fake engine: the framing of
 * REQUEST, relayed output and stdin, forwarded signals, SPAWN in both modes with its errno and
 * exit reports, KILL_CHILD only for its own children, EXIT's status, FALLBACK and every way to
 * the cold path, a lost or malformed engine, and starting an engine that is not there.
 *
 * Usage: frontend-test PATH_OF_FRONT_END. It copies the front end into a temporary directory
 * beside a fake jbox-jvm script (the cold path: prints "cold ARGS", exits 7; `engine --socket P`
 * runs this binary as a started engine). Needs root (the front end serves root only). Prints "N
 * passed, N failed" and exits non-zero on any failure; every wait has a deadline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine_wire.h"
#include "wire.h"

static int n_passed, n_failed, ignore_hup, block_quit;
static char dir[64], self[PATH_MAX];

static void check(int ok, const char *what)
{
	if (ok) {
		n_passed++;
	} else {
		n_failed++;
		fprintf(stderr, "FAIL: %s\n", what);
	}
}

static int listen_at(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		perror("fake engine: listen");
		exit(2);
	}
	return fd;
}

/* accept with a deadline; -1 if nobody came. */
static int accept_within(int l, int ms)
{
	struct pollfd p = { .fd = l, .events = POLLIN };
	if (poll(&p, 1, ms) <= 0)
		return -1;
	int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = { .tv_sec = 20 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void send_frame(int fd, uint32_t type, const void *p, uint32_t len)
{
	write_frame(fd, type, p, len);
}

static void send_u32s(int fd, uint32_t type, uint32_t a, uint32_t b, int n)
{
	uint8_t buf[8];
	put_u32(buf, a);
	put_u32(buf + 4, b);
	send_frame(fd, type, buf, (uint32_t)(4 * n));
}

/* The next frame; type 0 on EOF or timeout. */
static uint32_t next(int fd, uint8_t **payload, uint32_t *len)
{
	uint32_t type = 0;
	if (read_frame(fd, &type, payload, len, 1u << 21) < 0)
		return 0;
	return type;
}

/* The next frame of the type wanted, skipping others (CHILD_EXITED, SIGNAL may interleave). */
static int expect(int fd, uint32_t want, uint8_t **payload, uint32_t *len)
{
	for (;;) {
		uint32_t t = next(fd, payload, len);
		if (t == want)
			return 1;
		free(*payload);
		*payload = NULL;
		if (t == 0)
			return 0;
	}
}

struct request {
	uint32_t version, ttys, pid, argc, envc;
	char key[256], cwd[PATH_MAX], argv[16][256], env[256][512];
};

static int rd_str(const uint8_t *p, uint32_t len, uint32_t *pos, char *out, size_t size)
{
	if (len - *pos < 4)
		return -1;
	uint32_t n = get_u32(p + *pos);
	*pos += 4;
	if (n >= size || len - *pos < n)
		return -1;
	memcpy(out, p + *pos, n);
	out[n] = 0;
	*pos += n;
	return 0;
}

static int read_request(int fd, struct request *r)
{
	uint8_t *p = NULL;
	uint32_t len, pos = 16;
	memset(r, 0, sizeof(*r));
	if (next(fd, &p, &len) != EMSG_REQUEST || len < 16)
		return -1;
	r->version = get_u32(p);
	r->ttys = get_u32(p + 4);
	r->pid = get_u32(p + 12);
	int bad = rd_str(p, len, &pos, r->key, sizeof(r->key)) < 0 || rd_str(p, len, &pos, r->cwd, sizeof(r->cwd)) < 0;
	if (!bad && len - pos >= 4) {
		r->argc = get_u32(p + pos);
		pos += 4;
		for (uint32_t i = 0; !bad && i < r->argc && i < 16; i++)
			bad = rd_str(p, len, &pos, r->argv[i], sizeof(r->argv[i])) < 0;
	}
	if (!bad && len - pos >= 4) {
		r->envc = get_u32(p + pos);
		pos += 4;
		for (uint32_t i = 0; !bad && i < r->envc && i < 256; i++)
			bad = rd_str(p, len, &pos, r->env[i], sizeof(r->env[i])) < 0;
	}
	free(p);
	return bad || pos != len ? -1 : 0;
}

static int has_env(const struct request *r, const char *kv)
{
	for (uint32_t i = 0; i < r->envc && i < 256; i++)
		if (strcmp(r->env[i], kv) == 0)
			return 1;
	return 0;
}

/* SPAWN of argv (NULL-terminated) with an empty environment, executing exec ("": argv[0]). */
static void send_spawn_exec(int fd, uint32_t mode, const char *log, const char *exec, const char *const *argv)
{
	struct wbuf w = { 0 };
	uint32_t n = 0;
	while (argv[n])
		n++;
	wb_u32(&w, mode);
	wb_u32(&w, (uint32_t)strlen(log));
	wb_bytes(&w, log, strlen(log));
	wb_u32(&w, (uint32_t)strlen(exec));
	wb_bytes(&w, exec, strlen(exec));
	wb_u32(&w, n);
	for (uint32_t i = 0; i < n; i++) {
		wb_u32(&w, (uint32_t)strlen(argv[i]));
		wb_bytes(&w, argv[i], strlen(argv[i]));
	}
	wb_u32(&w, 1);
	wb_u32(&w, 9);
	wb_bytes(&w, "PATH=/bin", 9);
	send_frame(fd, EMSG_SPAWN, w.b, (uint32_t)w.n);
	wb_free(&w);
}

static void send_spawn(int fd, uint32_t mode, const char *log, const char *const *argv)
{
	send_spawn_exec(fd, mode, log, "", argv);
}

/* SPAWN, then its SPAWNED; the pid, or -1. */
static int spawned(int fd, uint32_t mode, const char *log, const char *const *argv)
{
	uint8_t *p = NULL;
	uint32_t len;
	send_spawn(fd, mode, log, argv);
	int pid = next(fd, &p, &len) == EMSG_SPAWNED && len == 4 ? (int)get_u32(p) : -1;
	free(p);
	return pid;
}

/* The CHILD_EXITED of pid; its wait status, or -1. */
static int exited(int fd, int pid)
{
	uint8_t *p = NULL;
	uint32_t len;
	while (expect(fd, EMSG_CHILD_EXITED, &p, &len)) {
		int st = len == 8 && (int)get_u32(p) == pid ? (int)get_u32(p + 4) : -2;
		free(p);
		p = NULL;
		if (st != -2)
			return st;
	}
	return -1;
}

struct fe {
	pid_t pid;
	int in, out, err; /* our ends of its stdin, stdout, stderr */
};

/* Starts the front end copy in dir with args and extra environment; fd 7 is left open in it to
 * show that its children do not inherit stray descriptors. */
static struct fe start_fe(const char *const *args, const char *const *env)
{
	int i0[2], o[2], e[2];
	struct fe f;
	char exe[PATH_MAX + 8], *argv[16], *envp[16];
	int n = 0;
	snprintf(exe, sizeof(exe), "%s/jbox", dir);
	argv[n++] = exe;
	for (int i = 0; args[i]; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	n = 0;
	envp[n++] = "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1";
	envp[n++] = "PATH=/usr/bin:/bin";
	for (int i = 0; env[i]; i++)
		envp[n++] = (char *)env[i];
	envp[n] = NULL;
	if (pipe2(i0, O_CLOEXEC) < 0 || pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)
		exit(2);
	f.pid = fork();
	if (f.pid == 0) {
		dup2(i0[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		dup2(o[1], 7);
		umask(0277); /* files the front end makes get their modes from it, not from the umask */
		if (ignore_hup)
			signal(SIGHUP, SIG_IGN); /* nohup's: kept on the cold path (SIGPIPE is ignored too, by main) */
		if (block_quit) { /* as a JVM's child inherits it: its threads block SIGQUIT */
			sigset_t q;
			sigemptyset(&q);
			sigaddset(&q, SIGQUIT);
			sigprocmask(SIG_BLOCK, &q, NULL);
		}
		if (chdir(dir) < 0)
			_exit(2);
		execve(exe, argv, envp);
		_exit(2);
	}
	close(i0[0]);
	close(o[1]);
	close(e[1]);
	f.in = i0[1];
	f.out = o[0];
	f.err = e[0];
	return f;
}

/* Its exit status (-1 if it was killed or ran past the deadline), with its output. */
static int finish_fe(struct fe *f, char *out, size_t outsz, char *err, size_t errsz)
{
	size_t no = 0, ne = 0;
	int st;
	close(f->in);
	for (int open_fds = 2; open_fds > 0;) {
		struct pollfd p[2] = { { .fd = f->out, .events = POLLIN }, { .fd = f->err, .events = POLLIN } };
		if (poll(p, 2, 20000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			char *b = i ? err : out;
			size_t *n = i ? &ne : &no, sz = i ? errsz : outsz;
			ssize_t r = read(p[i].fd, b + *n, sz - 1 - *n);
			if (r <= 0) {
				close(p[i].fd);
				*(i ? &f->err : &f->out) = -1;
				open_fds--;
			} else {
				*n += (size_t)r;
			}
		}
	}
	out[no] = 0;
	err[ne] = 0;
	if (f->out >= 0 || f->err >= 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
		return -1;
	}
	waitpid(f->pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char sock_env[PATH_MAX + 32], sock_path[PATH_MAX];

/* The socket the front end uses for JBOX_ENGINE_SOCKET=D: D/<key>.sock, key our namespaces'. */
static void socket_in(char *out, size_t size, const char *d)
{
	static const char *const ns[] = { "mnt", "net", "pid", "user", "cgroup" };
	int n = snprintf(out, size, "%s/", d);
	for (int i = 0; i < 5; i++) {
		char path[32];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
		stat(path, &st);
		n += snprintf(out + n, size - (size_t)n, "%s%c%llu", i ? "-" : "", "mnpuc"[i], (unsigned long long)st.st_ino);
	}
	snprintf(out + n, size - (size_t)n, ".sock");
}

/* The whole protocol through one command. */
static void protocol(void)
{
	const char *args[] = { "run", "--rm", "a b", "", NULL }, *env[] = { sock_env, "FOO=bar baz", NULL };
	int l = listen_at(sock_path);
	block_quit = 1;
	struct fe f = start_fe(args, env);
	block_quit = 0;
	int c = accept_within(l, 20000);
	struct request r;
	uint8_t *p = NULL;
	uint32_t len;
	char out[4096], err[4096], key[256];
	struct stat st;
	check(c >= 0 && read_request(c, &r) == 0, "the front end connects and sends a well-formed REQUEST");
	snprintf(key, sizeof(key), "m%llu-", (stat("/proc/self/ns/mnt", &st), (unsigned long long)st.st_ino));
	check(r.version == ENGINE_PROTOCOL_VERSION && r.ttys == 0 && r.pid == (uint32_t)f.pid && strncmp(r.key, key, strlen(key)) == 0 &&
		      strstr(r.key, "-c") != NULL && strcmp(r.cwd, dir) == 0,
	      "REQUEST: this protocol version, no terminals, the front end's pid, the ns key, the caller's cwd");
	check(r.argc == 4 && strcmp(r.argv[0], "run") == 0 && strcmp(r.argv[2], "a b") == 0 && r.argv[3][0] == 0 &&
		      has_env(&r, "FOO=bar baz") && has_env(&r, sock_env),
	      "REQUEST: argv without argv[0], kept whole, and the environment");

	send_frame(c, EMSG_STDOUT, "out1\n", 5);
	send_frame(c, EMSG_STDERR, "err1\n", 5);
	if (write(f.in, "hello", 5) != 5)
		check(0, "writing the front end's stdin");
	close(f.in);
	f.in = open("/dev/null", O_RDONLY);
	send_frame(c, EMSG_WANT_STDIN, NULL, 0);
	char got[64] = "";
	size_t gn = 0;
	int eof = 0;
	while (!eof && expect(c, EMSG_STDIN, &p, &len)) {
		if (len == 0)
			eof = 1;
		else if (gn + len < sizeof(got))
			memcpy(got + gn, p, len), gn += len;
		free(p);
		p = NULL;
	}
	check(eof && gn == 5 && memcmp(got, "hello", 5) == 0, "after WANT_STDIN: stdin's bytes, then a STDIN of length 0");

	kill(f.pid, SIGUSR1);
	check(expect(c, EMSG_SIGNAL, &p, &len) && len == 4 && get_u32(p) == SIGUSR1, "SIGUSR1 is forwarded as SIGNAL");
	free(p);
	p = NULL;
	kill(f.pid, SIGQUIT);
	check(expect(c, EMSG_SIGNAL, &p, &len) && len == 4 && get_u32(p) == SIGQUIT,
	      "SIGQUIT, blocked by the caller (a JVM's child), is unblocked and forwarded as SIGNAL");
	free(p);
	p = NULL;
	kill(f.pid, SIGWINCH);
	check(expect(c, EMSG_SIGNAL, &p, &len) && len == 4 && get_u32(p) == SIGWINCH, "SIGWINCH is forwarded as SIGNAL");
	free(p);
	p = NULL;

	const char *const exits3[] = { "/bin/sh", "-c", "echo child-out; exit 3", NULL };
	int pid = spawned(c, SPAWN_MODE_INHERIT, "", exits3);
	int ws = exited(c, pid);
	check(pid > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 3, "SPAWN: SPAWNED(pid), then CHILD_EXITED(pid, its wait status)");

	/* The engine's sealed shim: the exec path is not argv[0], which names the program for ps. */
	const char *const named[] = { "/nonexistent/jbox-shim", "-c", "exit 7", NULL };
	send_spawn_exec(c, SPAWN_MODE_INHERIT, "", "/bin/sh", named);
	pid = next(c, &p, &len) == EMSG_SPAWNED && len == 4 ? (int)get_u32(p) : -1;
	free(p);
	p = NULL;
	ws = exited(c, pid);
	check(pid > 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 7, "SPAWN with an exec path runs that file, with argv[0] as sent");

	/* Programs that check their own status: a shell would change its mask while it forks. */
	const char *const no_fd7[] = { "/usr/bin/test", "!", "-e", "/proc/self/fd/7", NULL };
	const char *const no_ign[] = { "/bin/grep", "-q", "^SigIgn:[[:space:]]*0*$", "/proc/self/status", NULL };
	const char *const no_blk[] = { "/bin/grep", "-q", "^SigBlk:[[:space:]]*0*$", "/proc/self/status", NULL };
	ws = exited(c, spawned(c, SPAWN_MODE_INHERIT, "", no_fd7));
	check(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "a spawned child has no stray descriptor (fd 7 of the front end)");
	ws = exited(c, spawned(c, SPAWN_MODE_INHERIT, "", no_ign));
	check(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "a spawned child has no ignored signal (the front end ignores SIGPIPE)");
	ws = exited(c, spawned(c, SPAWN_MODE_INHERIT, "", no_blk));
	check(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "a spawned child has no blocked signal");

	const char *const missing[] = { "/nonexistent/jbox-shim", NULL };
	send_spawn(c, SPAWN_MODE_INHERIT, "", missing);
	check(next(c, &p, &len) == EMSG_SPAWN_FAILED && len == 4 && get_u32(p) == ENOENT, "SPAWN of a missing file: SPAWN_FAILED(ENOENT)");
	free(p);
	p = NULL;
	char notexec_path[PATH_MAX + 16];
	snprintf(notexec_path, sizeof(notexec_path), "%s/jbox.properties", dir);
	close(open(notexec_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	const char *const notexec[] = { notexec_path, NULL };
	send_spawn(c, SPAWN_MODE_INHERIT, "", notexec);
	check(next(c, &p, &len) == EMSG_SPAWN_FAILED && len == 4 && get_u32(p) == EACCES, "SPAWN of a non-executable: SPAWN_FAILED(EACCES)");
	free(p);
	p = NULL;

	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/detached.log", dir);
	const char *const detached[] = { "/bin/sh", "-c", "echo detached; read x && exit 5; exit 6", NULL };
	pid = spawned(c, SPAWN_MODE_DETACHED, log, detached);
	ws = exited(c, pid);
	char buf[64] = "";
	int lfd = open(log, O_RDONLY);
	check(WIFEXITED(ws) && WEXITSTATUS(ws) == 6 && lfd >= 0 && read(lfd, buf, sizeof(buf) - 1) == 9 &&
		      strcmp(buf, "detached\n") == 0 && fstat(lfd, &st) == 0 && (st.st_mode & 07777) == 0600,
	      "detached SPAWN: stdin /dev/null, output in the log, made 0600 whatever the umask");
	if (lfd >= 0)
		close(lfd);

	const char *const sleeper[] = { "/bin/sleep", "60", NULL };
	pid = spawned(c, SPAWN_MODE_INHERIT, "", sleeper);
	pid_t stranger = fork();
	if (stranger == 0) {
		pause();
		_exit(0);
	}
	send_u32s(c, EMSG_KILL_CHILD, (uint32_t)stranger, SIGKILL, 2);
	send_u32s(c, EMSG_KILL_CHILD, (uint32_t)pid, SIGTERM, 2);
	ws = exited(c, pid);
	check(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM, "KILL_CHILD signals a child of SPAWN");
	send_u32s(c, EMSG_KILL_CHILD, (uint32_t)pid, SIGKILL, 2); /* reaped: must be ignored */

	send_u32s(c, EMSG_EXIT, 42, 0, 1);
	int status = finish_fe(&f, out, sizeof(out), err, sizeof(err));
	check(status == 42, "EXIT(42): the front end exits 42");
	check(strcmp(out, "out1\nchild-out\n") == 0 && strcmp(err, "err1\n") == 0,
	      "STDOUT and STDERR reach fds 1 and 2; a child of mode 0 writes to the same stdout");
	check(waitpid(stranger, &ws, WNOHANG) == 0, "KILL_CHILD of a pid that is not the front end's child does nothing");
	kill(stranger, SIGKILL);
	waitpid(stranger, NULL, 0);
	free(p);
	close(c);
	close(l);
}

/* One command whose engine does what engine_side says; returns the front end's status. */
static int one(const char *what, const char *const *args, const char *const *extra_env, char *out, char *err)
{
	const char *env[8] = { sock_env };
	int n = 1;
	for (int i = 0; extra_env && extra_env[i]; i++)
		env[n++] = extra_env[i];
	env[n] = NULL;
	int l = listen_at(sock_path);
	struct fe f = start_fe(args, env);
	int c = accept_within(l, strcmp(what, "none") == 0 ? 300 : 20000);
	struct request r;
	if (strcmp(what, "none") == 0) {
		check(c < 0, "no connection is made on the cold path");
	} else if (c < 0 || read_request(c, &r) < 0) {
		check(0, "a REQUEST first");
	} else if (strcmp(what, "fallback") == 0) {
		send_frame(c, EMSG_FALLBACK, NULL, 0);
	} else if (strcmp(what, "close") == 0) {
		send_frame(c, EMSG_STDOUT, "partial", 7);
	} else if (strcmp(what, "unknown") == 0) {
		send_frame(c, 999, NULL, 0);
	} else if (strcmp(what, "oversized") == 0) {
		uint8_t head[8];
		put_u32(head, EMSG_STDOUT);
		put_u32(head + 4, 0x7fffffffu);
		write_full(c, head, 8);
	} else if (strcmp(what, "bad-spawn") == 0) {
		uint8_t p[8];
		put_u32(p, 0);
		put_u32(p + 4, 0);
		send_frame(c, EMSG_SPAWN, p, 8);
	}
	if (c >= 0)
		close(c);
	int status = finish_fe(&f, out, 4096, err, 4096);
	close(l);
	return status;
}

static void cold_paths(void)
{
	char out[4096], err[4096], cfg[PATH_MAX + 32], cfg_env[PATH_MAX + 48];
	const char *run[] = { "run", "x", NULL };
	const char *off[] = { "JBOX_ENGINE=off", NULL };
	check(one("none", run, off, out, err) == 7 && strcmp(out, "cold run x\n") == 0, "JBOX_ENGINE=off: the cold path, same argv");
	snprintf(cfg, sizeof(cfg), "%s/jbox.properties", dir);
	FILE *f = fopen(cfg, "w");
	fprintf(f, "# engine.enabled=true\n  engine.enabled = true\nengine.enabled : false \n");
	fclose(f);
	snprintf(cfg_env, sizeof(cfg_env), "JBOX_CONFIG=%s", cfg);
	const char *cfg_off[] = { cfg_env, NULL };
	check(one("none", run, cfg_off, out, err) == 7 && strcmp(out, "cold run x\n") == 0, "engine.enabled=false in JBOX_CONFIG: the cold path");
	const char *engine[] = { "engine", "status", NULL };
	check(one("none", engine, NULL, out, err) == 7 && strcmp(out, "cold engine status\n") == 0, "`jbox engine ...`: always the cold path");
	check(one("fallback", run, NULL, out, err) == 7 && strcmp(out, "cold run x\n") == 0, "FALLBACK: the cold path with the same argv");
	const char *sigign[] = { "sigign", NULL };
	ignore_hup = 1;
	/* Standard signals only: glibc's own (32, 33) are ignored in a sanitizer build's processes. */
	int fs = one("fallback", sigign, NULL, out, err);
	const char *ign = strstr(out, "SigIgn:\t");
	check(fs == 7 && strncmp(out, "cold sigign\n", 12) == 0 && ign && (strtoull(ign + 8, NULL, 16) & 0x7fffffffu) == 0x1001,
	      "FALLBACK: the cold path keeps the caller's ignored signals (HUP, PIPE)");
	ignore_hup = 0;
	check(one("close", run, NULL, out, err) == 125 && strcmp(out, "partial") == 0 &&
		      strcmp(err, "jbox: lost the connection to the engine\n") == 0,
	      "EOF before EXIT: one line, exit 125");
	check(one("unknown", run, NULL, out, err) == 125 && strstr(err, "jbox: malformed frame from the engine: unknown") == err,
	      "an unknown frame type: one line, exit 125");
	check(one("oversized", run, NULL, out, err) == 125 && strstr(err, "longer than its type allows") != NULL,
	      "an oversized STDOUT: refused from its header, exit 125");
	check(one("bad-spawn", run, NULL, out, err) == 125 && strstr(err, "malformed frame") != NULL, "a malformed SPAWN: exit 125");
}

/* No engine listening: the front end starts `jbox-jvm engine --socket P` (this binary, below). */
static void starting(void)
{
	char out[4096], err[4096], env[PATH_MAX + 48], sub[PATH_MAX], sock[PATH_MAX + 16], log[PATH_MAX + 24];
	const char *args[] = { "ps", NULL }, *e[] = { env, "JBOX_CONFIG=/nonexistent-config", NULL };
	snprintf(sub, sizeof(sub), "%s/started", dir);
	snprintf(env, sizeof(env), "JBOX_ENGINE_SOCKET=%s", sub);
	struct fe f = start_fe(args, e);
	int st = finish_fe(&f, out, sizeof(out), err, sizeof(err));
	struct stat s;
	socket_in(sock, sizeof(sock), sub);
	snprintf(log, sizeof(log), "%.*s.log", (int)(strlen(sock) - 5), sock);
	check(st == 0 && strcmp(out, "started engine served ps\n") == 0, "no engine: one is started and serves the command");
	check(stat(log, &s) == 0 && (s.st_mode & 07777) == 0600 && s.st_uid == 0, "the started engine's log is D/<key>.log, 0600");
	check(stat(sub, &s) == 0 && (s.st_mode & 07777) == 0700 && s.st_uid == 0, "the front end made D, 0700");

	/* A directory others may write to is not the engine's: the cold path, nothing started. */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	mkdir(sub, 0700);
	chmod(sub, 0777);
	snprintf(env, sizeof(env), "JBOX_ENGINE_SOCKET=%s", sub);
	f = start_fe(args, e);
	st = finish_fe(&f, out, sizeof(out), err, sizeof(err));
	check(st == 7 && strcmp(out, "cold ps\n") == 0 && (stat(sub, &s), (s.st_mode & 07777) == 0777),
	      "a world-writable JBOX_ENGINE_SOCKET directory: the cold path, and its mode is left alone");

	snprintf(sub, sizeof(sub), "%s/dies", dir);
	snprintf(env, sizeof(env), "JBOX_ENGINE_SOCKET=%s", sub);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f = start_fe(args, e);
	st = finish_fe(&f, out, sizeof(out), err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(st == 7 && strcmp(out, "cold ps\n") == 0 && t1.tv_sec - t0.tv_sec < 10,
	      "an engine that dies at start: the cold path at once, not after the 30 s deadline");
}

/* This binary as the engine the front end starts: serves one command, or dies (dies.sock). */
static int engine_main(const char *sock)
{
	char line[512];
	if (strstr(sock, "/dies/"))
		return 1;
	/* What the front end gave us: cwd /, umask 077, stdin /dev/null, a reduced environment. */
	char cwd[PATH_MAX];
	int ok = getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0 && umask(077) == 077 && getenv("FOO") == NULL &&
		 getenv("PATH") && getenv("JBOX_ENGINE_SOCKET") && strcmp(getenv("JBOX_CONFIG"), "/nonexistent-config") == 0 &&
		 getenv("LC_ALL") && strcmp(getenv("LC_ALL"), "C.UTF-8") == 0 &&
		 fcntl(3, F_GETFD) < 0;
	int l = listen_at(sock);
	int c = accept_within(l, 20000);
	struct request r;
	if (c < 0 || read_request(c, &r) < 0)
		return 3;
	snprintf(line, sizeof(line), "started engine served %s\n", ok ? r.argv[0] : "with a wrong setup");
	send_frame(c, EMSG_STDOUT, line, (uint32_t)strlen(line));
	send_u32s(c, EMSG_EXIT, 0, 0, 1);
	close(c);
	unlink(sock);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "engine") == 0 && strcmp(argv[2], "--socket") == 0)
		return engine_main(argv[3]);
	if (argc != 2) {
		fprintf(stderr, "usage: frontend-test PATH_OF_FRONT_END\n");
		return 2;
	}
	if (geteuid() != 0) {
		printf("frontend test: skipped (the front end serves root only; run as root)\n");
		return 0;
	}
	alarm(300); /* a last deadline: every wait below has its own */
	signal(SIGPIPE, SIG_IGN);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	strcpy(dir, "/tmp/jbox-frontend-test.XXXXXX");
	if (n <= 0 || !mkdtemp(dir))
		return 2;
	char cmd[2 * PATH_MAX + 512];
	snprintf(cmd, sizeof(cmd),
		 "install -m 0755 '%s' '%s/jbox' && printf '#!/bin/sh\\n[ \"$1 $2\" = \"engine --socket\" ] && exec %s \"$@\"\\n"
		 "echo \"cold $*\"\\n[ \"$1\" = sigign ] && grep SigIgn /proc/$$/status\\nexit 7\\n' >'%s/jbox-jvm' && "
		 "chmod 0755 '%s/jbox-jvm'",
		 argv[1], dir, self, dir, dir);
	if (system(cmd) != 0)
		return 2;
	socket_in(sock_path, sizeof(sock_path), dir);
	snprintf(sock_env, sizeof(sock_env), "JBOX_ENGINE_SOCKET=%s", dir);

	protocol();
	cold_paths();
	starting();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		n_failed++;
	printf("frontend test: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
